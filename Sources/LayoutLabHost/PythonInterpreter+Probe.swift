import LayoutLabModel

extension PythonInterpreter {
    /// Runs `command` (a name on `PATH` or a path) and asks it for its version; nil when it cannot run.
    package static func probe(_ command: String) -> PythonInterpreter? {
        let script = "import sys, os; print(os.path.realpath(sys.executable)); print('%d.%d.%d' % sys.version_info[:3]); print(sys.version.replace(chr(10), ' '))"
        guard let output = ExternalCommand.output([command, "-c", script]) else { return nil }
        let lines = output.split(separator: "\n").map(String.init)
        guard lines.count == 3 else { return nil }
        let parts = lines[1].split(separator: ".").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return PythonInterpreter(path: lines[0], version: lines[1], build: lines[2], major: parts[0], minor: parts[1])
    }
}
