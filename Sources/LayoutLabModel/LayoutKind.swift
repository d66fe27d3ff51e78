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
    /// CPython: a plain class, attributes in its `__dict__`.
    case pythonDictClass = "python-dict-class"
    /// CPython: a class with `__slots__`.
    case pythonSlotsClass = "python-slots-class"
    /// CPython: a class whose `__slots__` hold the fields and also `__dict__` (a dictionary kept for anything else,
    /// which CPython 3.13 allocates with every object).
    case pythonDictAndSlots = "python-dict-and-slots"
    /// CPython: `@dataclass(slots=True)` (Python 3.10 or later).
    case pythonDataclassSlots = "python-dataclass-slots"
    /// CPython: a plain tuple.
    case pythonTuple = "python-tuple"
    /// CPython: a `collections.namedtuple`.
    case pythonNamedtuple = "python-namedtuple"

    /// The five Swift layouts (the default of an experiment that names none).
    public static let swiftLayouts: [LayoutKind] = [.dictClass, .openClass, .finalClass, .structArray, .columns]

    /// Whether each node is a heap object of its own, kept in an array of references.
    public var isHeapObject: Bool {
        switch self {
        case .structArray, .columns: false
        default: true
        }
    }

    /// Whether the layout runs in a Python interpreter instead of the Swift worker.
    public var isPython: Bool { rawValue.hasPrefix("python-") }
}
