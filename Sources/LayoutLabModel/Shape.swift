/// A node shape: named fields in declaration order, laid out as a hand-written Swift struct would be.
public struct Shape: Equatable, Sendable {
    public var name: String
    public var fields: [Field]

    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = fields
    }

    /// `x:int64;y:int64`, the form the CSV records.
    public var fieldSummary: String { fields.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ";") }

    /// The payload's offsets, size, stride and alignment in bytes.
    public var payload: PayloadLayout { PayloadLayout(fieldTypes: fields.map(\.type)) }
}

/// One field of a shape.
public struct Field: Equatable, Sendable {
    public var name: String
    public var type: FieldType

    public init(name: String, type: FieldType) {
        self.name = name
        self.type = type
    }
}
