/// How the nodes of a trial are stored; every layout holds all N nodes alive at once.
public enum LayoutKind: String, Sendable, CaseIterable, Codable {
    /// A final class whose fields live in a `[String: Any]` keyed by field name (Python's `__dict__` object).
    case dictClass = "dict-class"
    /// A non-final (`open`) class with stored properties and a subclass in the same program.
    case openClass = "class"
    /// A final class with stored properties (Python's `__slots__` object).
    case finalClass = "final-class"
    /// A `ContiguousArray` of structs, capacity reserved up front.
    case structArray = "struct-array"
    /// One `ContiguousArray` per field (struct of arrays).
    case columns

    /// Whether each node is a heap object of its own, kept in an array of references.
    public var isHeapObject: Bool {
        switch self {
        case .dictClass, .openClass, .finalClass: true
        case .structArray, .columns: false
        }
    }
}
