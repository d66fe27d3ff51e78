import Foundation

/// The Python interpreter that runs an experiment's Python layouts: its path, version and build, asked of the
/// interpreter itself.
public struct PythonInterpreter: Equatable, Sendable, Codable {
    public var path: String
    public var version: String
    /// `sys.version`, which names the compiler and build date.
    public var build: String
    public var major: Int
    public var minor: Int

    /// Runs `command` (a name on `PATH` or a path) and asks it for its version; nil when it cannot run.
    public static func probe(_ command: String) -> PythonInterpreter? {
        let script = "import sys, os; print(os.path.realpath(sys.executable)); print('%d.%d.%d' % sys.version_info[:3]); print(sys.version.replace(chr(10), ' '))"
        guard let output = ExternalCommand.output([command, "-c", script]) else { return nil }
        let lines = output.split(separator: "\n").map(String.init)
        guard lines.count == 3 else { return nil }
        let parts = lines[1].split(separator: ".").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return PythonInterpreter(path: lines[0], version: lines[1], build: lines[2], major: parts[0], minor: parts[1])
    }

    /// Whether the interpreter has what `layout` needs (`dataclass(slots=True)` came in Python 3.10).
    public func supports(_ layout: LayoutKind) -> Bool {
        layout != .pythonDataclassSlots || (major, minor) >= (3, 10)
    }

    /// The Python worker script that ships with the lab.
    public static var workerScript: URL? { Bundle.module.url(forResource: "python_worker", withExtension: "py") }
}
