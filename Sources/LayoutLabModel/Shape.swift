/// A node shape: named fields in declaration order, laid out as a hand-written Swift struct would be.
public struct Shape: Equatable, Sendable {
    public var name: String
    public var fields: [Field]
    /// Set when this shape is one member of a sweep (`"length": {"from", "to", "step"}`): its family and length.
    public var sweep: ShapeSweep?

    public init(name: String, fields: [Field], sweep: ShapeSweep? = nil) {
        self.name = name
        self.fields = fields
        self.sweep = sweep
    }

    /// `x:int64;name:string[uniform(8,40)]`, the form the CSV records.
    public var fieldSummary: String { fields.map { "\($0.name):\($0.typeToken)" }.joined(separator: ";") }

    /// The payload's offsets, size, stride and alignment in bytes (inline parts only: a string's 16 bytes, not its text).
    public var payload: PayloadLayout { PayloadLayout(fields: fields) }

    /// Whether any field keeps storage outside the node (`string`, `array`).
    public var hasOutOfLineFields: Bool { fields.contains { $0.type == .string || $0.type == .array } }
}

/// One member of a sweep: the shape it was expanded from, the swept field and this member's length.
public struct ShapeSweep: Equatable, Sendable {
    /// The name of the shape in the experiment file; members are named `<family>-<length>`.
    public var family: String
    public var fieldIndex: Int
    public var length: Int

    public init(family: String, fieldIndex: Int, length: Int) {
        self.family = family
        self.fieldIndex = fieldIndex
        self.length = length
    }
}

/// One field of a shape.
public struct Field: Equatable, Sendable {
    public var name: String
    public var type: FieldType
    /// Elements per node for `bytes`, `string` and `array`; nil for scalars and references.
    public var length: FieldLength?
    /// The element type of an `array` (a scalar); nil otherwise.
    public var element: FieldType?

    public init(name: String, type: FieldType, length: FieldLength? = nil, element: FieldType? = nil) {
        self.name = name
        self.type = type
        self.length = length
        self.element = element
    }

    /// `int64`, `bytes[40]`, `string[uniform(8,40)]`, `array<int64>[10]`: the type with its element and length.
    public var typeToken: String {
        var text = type.rawValue
        if let element { text += "<\(element.rawValue)>" }
        if let length { text += "[\(length.token)]" }
        return text
    }

    /// Size in bytes of the field inside the node (a `bytes` field's length; 16 for a string, 8 for an array).
    public var inlineSizeBytes: Int { type.inlineSizeBytes(length: length?.fixedCount ?? 0) }
}
