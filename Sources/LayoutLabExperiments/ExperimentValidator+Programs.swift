import LayoutLabModel

extension ExperimentValidator {
    /// Keys refused beside `"programs"` besides the node-trial keys: a program is sampled on a clock
    /// (`sample_interval_ms`), not at checkpoints, and has no per-node figure a precision target could be set on; its
    /// timeout is each entry's `timeout_seconds`, and nothing counts its instructions.
    static let programRefusedKeys = nodeTrialKeys + ["checkpoints", "precision", "traces", "trial_timeout_seconds", "instructions"]

    /// `"programs": [{"name": "build-dict", "command": ["python3", "-c", "..."], "cwd": "work", "env": {"K": "V"},
    /// "timeout_seconds": 600}]`: read from the file alone. Whether each command exists and each `cwd` is a directory
    /// is a `HostRequirement` (`.program`), checked only where the experiment runs.
    mutating func programSources(_ value: JSONValue, top: [String: JSONValue]) -> [ProgramSource] {
        for key in Self.programRefusedKeys where top[key] != nil {
            let why = key == "traces" ? "a program experiment runs programs, a trace experiment replays traces: put them in two experiments"
                : key == "checkpoints" ? "a program is sampled every \"sample_interval_ms\" instead"
                : key == "precision" ? "a program has no per-node figure to set a precision target on"
                : key == "trial_timeout_seconds" ? "each program entry has its own \"timeout_seconds\" (default 600)"
                : key == "instructions" ? "nothing counts a program's instructions (no PMU here, and programs are not run under callgrind)"
                : "a program experiment runs real programs (trials are programs × allocators × repetitions); put node trials in another experiment"
            report("$.\(key)", "expected no \"\(key)\" beside \"programs\": \(why)")
        }
        let entries = items(value, at: "$.programs")
        var sources: [(ProgramSource, String)] = []
        for (entry, path) in entries {
            guard let fields = object(entry, at: path, allowed: ["name", "command", "cwd", "env", "timeout_seconds"], required: ["name", "command"])
            else { continue }
            let name = fields["name"].flatMap { identifier($0, at: "\(path).name", pattern: .fileName) }
            let command = fields["command"].map { programCommand($0, at: "\(path).command") } ?? []
            let cwd = fields["cwd"].flatMap { string($0, at: "\(path).cwd") }
            if let cwd, cwd.isEmpty { report("\(path).cwd", "expected a directory (relative to the experiment file's folder, or absolute), got \"\"") }
            var environment: [String: String] = [:]
            if let env = fields["env"], let variables = object(env, at: "\(path).env", allowed: nil, required: []) {
                for key in variables.keys.sorted() {
                    if key.isEmpty || key.contains("=") {
                        report("\(path).env", "expected variable names without \"=\", got \"\(key)\"")
                    } else if key == "LD_PRELOAD" {
                        report("\(path).env.LD_PRELOAD", "expected the allocator's library in \"allocators\": the lab preloads it into the program and checks it")
                    } else if let text = string(variables[key] ?? .null, at: "\(path).env.\(key)") {
                        environment[key] = text
                    }
                }
            }
            let timeout = fields["timeout_seconds"].flatMap {
                integer($0, at: "\(path).timeout_seconds", in: 1...604_800, what: "a timeout in seconds")
            } ?? ProgramSource.defaultTimeoutSeconds
            guard let name, !command.isEmpty else { continue }
            let folder = Self.resolve(cwd ?? ".", besides: relativeBase)
            require(.program(command: command[0], workingDirectory: folder, path: environment["PATH"], jsonPath: "\(path).command[0]", cwdJSONPath: cwd == nil ? nil : "\(path).cwd"))
            sources.append((ProgramSource(name: name, command: command, cwd: cwd, workingDirectory: folder, environment: environment, timeoutSeconds: timeout), path))
        }
        duplicates(sources.map { ($0.0.name, $0.1 + ".name") }, what: "program")
        return sources.map(\.0)
    }

    /// `command`: a non-empty list of strings, the first (the program) non-empty; empty on any problem.
    private mutating func programCommand(_ value: JSONValue, at path: String) -> [String] {
        guard case .array(let elements) = value, !elements.isEmpty else {
            report(path, "expected the program and its arguments as a non-empty list of strings, for example [\"python3\", \"-c\", \"print(1)\"], got \(value.summary)")
            return []
        }
        var command: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = string(element, at: "\(path)[\(index)]") else { return [] }
            command.append(text)
        }
        if command[0].isEmpty {
            report("\(path)[0]", "expected the program to run (a name on PATH or a path), got \"\"")
            return []
        }
        return command
    }
}
