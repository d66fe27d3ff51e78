/// The type of one field of a node shape, and how it is stored: its size and alignment in bytes follow
/// Swift's own (`MemoryLayout`) rules for the matching standard-library type.
public enum FieldType: String, Sendable, CaseIterable, Codable {
    case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float, double, bool
    /// An optional strong reference to another node of the same layout; in value layouts, an `Int` index
    /// (−1 for none), so that the payload keeps the same 8-byte size and alignment in every layout.
    case reference

    /// Size in bytes (`MemoryLayout<T>.size`).
    public var sizeBytes: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float: 4
        case .int64, .uint64, .double, .reference: 8
        }
    }

    /// Alignment in bytes; equal to the size for every type the lab offers.
    public var alignmentBytes: Int { sizeBytes }

    /// The Swift type of a stored field of this type; `nodeType` is the class for references.
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
        }
    }
}
