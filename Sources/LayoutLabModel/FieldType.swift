/// The type of one field of a node shape, and how it is stored. Scalars and references sit inline, with
/// Swift's own (`MemoryLayout`) size and alignment for the matching standard-library type; `bytes`, `string`
/// and `array` fields carry a length (see `Field.length`):
///
/// - `bytes`: an inline buffer of exactly `length` bytes, alignment 1 (Swift `InlineArray<L, UInt8>`, Python `bytes`).
/// - `string`: text of `length` ASCII characters (Swift `String`, 16 bytes inline, which keeps up to 15 UTF-8 bytes
///   in place and puts longer text in a heap storage object; Python `str`).
/// - `array`: an out-of-line array of `length` elements of a scalar type (Swift `ContiguousArray`, 8 bytes inline;
///   Python `list`).
public enum FieldType: String, Sendable, CaseIterable, Codable {
    case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float, double, bool
    /// An optional strong reference to another node of the same layout; in value layouts, an `Int` index
    /// (−1 for none), so that the payload keeps the same 8-byte size and alignment in every layout.
    case reference
    case bytes, string, array

    /// The scalar types: those an `array` field may hold (references excluded).
    public static let scalars: [FieldType] = [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double, .bool]

    /// Whether the field has a length (`bytes`, `string`, `array`).
    public var hasLength: Bool { self == .bytes || self == .string || self == .array }

    /// Size in bytes of the field's inline part (`MemoryLayout<T>.size`); a `bytes` field's is its length.
    public func inlineSizeBytes(length: Int) -> Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float: 4
        case .int64, .uint64, .double, .reference, .array: 8
        case .string: 16
        case .bytes: length
        }
    }

    /// Alignment in bytes of the inline part: the size for scalars, 1 for `bytes`, 8 for `string` and `array`.
    public var alignmentBytes: Int {
        switch self {
        case .bytes: 1
        case .string, .array: 8
        default: inlineSizeBytes(length: 0)
        }
    }

    /// Size in bytes of one scalar or reference (`MemoryLayout<T>.size`); for `bytes`, `string` and `array` the
    /// inline size without a length, which only `Field.inlineSizeBytes` knows.
    public var sizeBytes: Int { inlineSizeBytes(length: 0) }

    /// The Swift type of a stored scalar or reference field of this type; `nodeType` is the class for
    /// references. `bytes`, `string` and `array` fields have their Swift type from `Field.swiftType`.
    public func swiftType(referencing nodeType: String?) -> String {
        switch self {
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .float: "Float"
        case .double: "Double"
        case .bool: "Bool"
        case .reference: nodeType.map { "\($0)?" } ?? "Int"
        case .string: "String"
        case .bytes, .array: "Never"  // needs the field's length or element: see Field.swiftType
        }
    }
}
