/// Where the fields of a shape sit in memory, in bytes, by Swift's struct layout rule: fields in declaration
/// order, each at the next offset that is a multiple of its alignment; size ends after the last field;
/// stride is the size rounded up to the alignment (at least 1). The generated code declares exactly these
/// fields, and a test compares this arithmetic with `MemoryLayout` of hand-written structs. Only the inline
/// parts count: a `bytes` field's buffer, a `string`'s 16 bytes and an `array`'s 8-byte reference.
public struct PayloadLayout: Equatable, Sendable {
    public let offsetsBytes: [Int]
    public let sizeBytes: Int
    public let strideBytes: Int
    public let alignmentBytes: Int

    /// The layout of scalar and reference fields.
    public init(fieldTypes: [FieldType]) {
        self.init(parts: fieldTypes.map { (size: $0.sizeBytes, alignment: $0.alignmentBytes) })
    }

    /// The layout of a shape's fields.
    public init(fields: [Field]) {
        self.init(parts: fields.map { (size: $0.inlineSizeBytes, alignment: $0.type.alignmentBytes) })
    }

    private init(parts: [(size: Int, alignment: Int)]) {
        var offset = 0
        var alignment = 1
        var offsets: [Int] = []
        for part in parts {
            offset = Self.roundUp(offset, to: part.alignment)
            offsets.append(offset)
            offset += part.size
            alignment = max(alignment, part.alignment)
        }
        offsetsBytes = offsets
        sizeBytes = offset
        alignmentBytes = alignment
        strideBytes = max(1, Self.roundUp(offset, to: alignment))
    }

    /// Sum of the field sizes: what one node costs in the `columns` layout.
    public static func columnBytes(of fieldTypes: [FieldType]) -> Int { fieldTypes.reduce(0) { $0 + $1.sizeBytes } }

    /// Sum of the fields' inline sizes: what one node costs in the `columns` layout, before out-of-line storage.
    public static func columnBytes(of fields: [Field]) -> Int { fields.reduce(0) { $0 + $1.inlineSizeBytes } }

    private static func roundUp(_ value: Int, to alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}
