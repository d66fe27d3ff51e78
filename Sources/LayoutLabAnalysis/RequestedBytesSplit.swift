import LayoutLabModel

/// How the bytes a node asked the allocator for (`requested_bytes_per_node`, measured by the probe) split into
/// what the bytes-per-node chart draws, all in bytes per node. With the probe's split (`outOfLine`: the measured
/// `out_of_line_requested_bytes_per_node`, every allocation whose metadata is not the node class's), the node's
/// own object (`object` = requested − out-of-line: `headers` + `payload` + `padding` for the class layouts) is
/// told apart from its out-of-line storage; without it (Python layouts, results from before the split) the
/// parts are derived as before and `outOfLine` and `object` are nil.
///
/// - `payload`: the fields' own bytes (the sum of their inline sizes).
/// - `padding`: alignment padding between and after the fields, from `PayloadLayout` (which every run checks
///   against the compiler): the record's stride − the fields in `struct-array`, its size − the fields in a
///   class (a class instance ends after its last field); nil for Python layouts, whose objects are not records.
/// - `dictionaryStorage`: `dict-class` only, the `[String: Any]` storage beside the fields' bytes (which live in
///   it): measured out-of-line − payload; unmeasured, requested − the object (16-byte header + an 8-byte
///   dictionary reference) − payload.
/// - `outOfLineStorage`: out-of-line storage that is neither the payload nor a dictionary: a class's string and
///   array storage (measured out-of-line), a value layout's array header share and its strings' and arrays'
///   storage (measured out-of-line − payload − padding); nil where not measured. In `dict-class` the probe cannot tell
///   the dictionary from the strings, arrays and byte arrays in it: with such fields all its out-of-line bytes are
///   this segment (and `dictionaryStorage` nil), without them they are dictionary storage (and this 0).
/// - `headers`: the rest of requested (object headers, an array's header shared by its nodes where unmeasured, a
///   Python object's header and its field objects' headers).
///
/// The 16-byte object header is the 64-bit Swift runtime's (metadata pointer + reference counts).
public struct RequestedBytesSplit: Equatable, Sendable {
    public var payload: Double
    public var padding: Double?
    public var dictionaryStorage: Double?
    public var outOfLineStorage: Double?
    public var headers: Double
    /// The measured split itself: the node's own object and everything else it allocated, in bytes per node;
    /// nil where not measured.
    public var object: Double?
    public var outOfLine: Double?

    /// The Swift runtime's object header on 64-bit platforms, in bytes.
    public static let swiftObjectHeaderBytes = 16
    /// A strong reference, in bytes.
    public static let referenceBytes = 8

    public init(requested: Double, outOfLine: Double? = nil, layout: LayoutKind, shape: Shape) {
        let fields = Double(PayloadLayout.columnBytes(of: shape.fields))
        let record = shape.payload
        payload = fields
        switch layout {
        case .structArray: padding = Double(record.strideBytes) - fields
        case .columns, .dictClass: padding = 0
        case .openClass, .finalClass: padding = Double(record.sizeBytes) - fields
        default: padding = nil
        }
        self.outOfLine = outOfLine
        object = outOfLine.map { requested - $0 }
        switch (layout, outOfLine) {
        case (.dictClass, let measured?) where shape.fields.contains(where: \.type.hasLength):
            // The probe tells the node's object from everything else, not the dictionary from the strings, arrays
            // and byte arrays in it: they are one out-of-line segment, and the chart's legend says so.
            dictionaryStorage = nil
            outOfLineStorage = measured - fields
        case (.dictClass, let measured?):
            dictionaryStorage = measured - fields
            outOfLineStorage = 0
        case (.dictClass, nil):
            dictionaryStorage = requested - Double(Self.swiftObjectHeaderBytes + Self.referenceBytes) - fields
            outOfLineStorage = nil
        case (.structArray, let measured?), (.columns, let measured?):
            dictionaryStorage = nil
            outOfLineStorage = measured - fields - (padding ?? 0)
        default:
            dictionaryStorage = nil
            outOfLineStorage = outOfLine
        }
        headers = requested - fields - (padding ?? 0) - (dictionaryStorage ?? 0) - (outOfLineStorage ?? 0)
    }
}
