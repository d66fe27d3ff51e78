import LayoutLabModel

/// How the bytes a node asked the allocator for (`requested_bytes_per_node`, measured by the probe) split into
/// what the bytes-per-node chart draws, all in bytes per node:
///
/// - `payload`: the fields' own bytes (the sum of their sizes).
/// - `padding`: alignment padding between and after the fields, from `PayloadLayout` (which every run checks
///   against the compiler): the record's stride − the fields in `struct-array`, its size − the fields in a
///   class (a class instance ends after its last field); nil for Python layouts, whose objects are not records.
/// - `dictionaryStorage`: `dict-class` only, the `[String: Any]` storage beside the fields' bytes: requested −
///   the object (16-byte header + an 8-byte dictionary reference) − payload.
/// - `headers`: the rest of requested (object headers, an array's header shared by its nodes, a Python object's
///   header and its field objects' headers).
///
/// The 16-byte object header is the 64-bit Swift runtime's (metadata pointer + reference counts).
public struct RequestedBytesSplit: Equatable, Sendable {
    public var payload: Double
    public var padding: Double?
    public var dictionaryStorage: Double?
    public var headers: Double

    /// The Swift runtime's object header on 64-bit platforms, in bytes.
    public static let swiftObjectHeaderBytes = 16
    /// A strong reference, in bytes.
    public static let referenceBytes = 8

    public init(requested: Double, layout: LayoutKind, shape: Shape) {
        let fields = Double(PayloadLayout.columnBytes(of: shape.fields))
        let record = shape.payload
        payload = fields
        switch layout {
        case .structArray: padding = Double(record.strideBytes) - fields
        case .columns, .dictClass: padding = 0
        case .openClass, .finalClass: padding = Double(record.sizeBytes) - fields
        default: padding = nil
        }
        if layout == .dictClass {
            let object = Double(Self.swiftObjectHeaderBytes + Self.referenceBytes)
            dictionaryStorage = requested - object - fields
        } else {
            dictionaryStorage = nil
        }
        headers = requested - fields - (padding ?? 0) - (dictionaryStorage ?? 0)
    }
}
