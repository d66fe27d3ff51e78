/// Where the fields of a shape sit in memory, in bytes, by Swift's struct layout rule: fields in declaration
/// order, each at the next offset that is a multiple of its alignment; size ends after the last field;
/// stride is the size rounded up to the alignment (at least 1). The generated code declares exactly these
/// fields, and a test compares this arithmetic with `MemoryLayout` of hand-written structs.
public struct PayloadLayout: Equatable, Sendable {
    public let offsetsBytes: [Int]
    public let sizeBytes: Int
    public let strideBytes: Int
    public let alignmentBytes: Int

    public init(fieldTypes: [FieldType]) {
        var offset = 0
        var alignment = 1
        var offsets: [Int] = []
        for type in fieldTypes {
            offset = Self.roundUp(offset, to: type.alignmentBytes)
            offsets.append(offset)
            offset += type.sizeBytes
            alignment = max(alignment, type.alignmentBytes)
        }
        offsetsBytes = offsets
        sizeBytes = offset
        alignmentBytes = alignment
        strideBytes = max(1, Self.roundUp(offset, to: alignment))
    }

    /// Sum of the field sizes: what one node costs in the `columns` layout.
    public static func columnBytes(of fieldTypes: [FieldType]) -> Int { fieldTypes.reduce(0) { $0 + $1.sizeBytes } }

    private static func roundUp(_ value: Int, to alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}
