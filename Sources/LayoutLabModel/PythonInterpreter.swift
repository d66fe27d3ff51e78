/// The Python interpreter that runs an experiment's Python layouts: its path, version and build, asked of the
/// interpreter itself.
public struct PythonInterpreter: Equatable, Sendable, Codable {
    public var path: String
    public var version: String
    /// `sys.version`, which names the compiler and build date.
    public var build: String
    public var major: Int
    public var minor: Int

    package init(path: String, version: String, build: String, major: Int, minor: Int) {
        self.path = path
        self.version = version
        self.build = build
        self.major = major
        self.minor = minor
    }

    /// Whether the interpreter has what `layout` needs (`dataclass(slots=True)` came in Python 3.10).
    public func supports(_ layout: LayoutKind) -> Bool {
        layout != .pythonDataclassSlots || (major, minor) >= (3, 10)
    }
}
