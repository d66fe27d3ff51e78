import Foundation
import LayoutLabExperiments
import LayoutLabHost
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabResults

/// Checks on this machine what an experiment file asks of it (`HostRequirement`): allocator libraries
/// (`SharedLibraryResolver`), the Python interpreter (probed by running it), valgrind and trace files (read whole). `run`,
/// `calibrate`, `slurm` and `validate` apply it; the commands that read a results folder never do.
public struct ExperimentHostCheck: HostChecking {
    package var libraries: SharedLibraryResolver

    package init(libraries: SharedLibraryResolver = SharedLibraryResolver()) { self.libraries = libraries }

    /// The problems `requirements` meet on this host, in the file's order, and the Python interpreters found.
    package func check(_ requirements: [HostRequirement], file: String) -> HostFindings {
        var findings = HostFindings()
        func report(_ jsonPath: String, _ message: String) {
            findings.problems.append(ExperimentProblem(file: file, jsonPath: jsonPath, message: message))
        }
        for requirement in requirements {
            switch requirement {
            case .builtInAllocator(let spec, let jsonPath):
                if let library = spec.library, case .failure = libraries.resolve(library) {
                    report(jsonPath, "allocator \"\(spec.name)\" needs \(library), which is not installed (Debian package \(spec.debianPackage ?? "?"); `make run` installs it)")
                }
            case .allocatorLibrary(let library, let jsonPath):
                if case .failure(let problem) = libraries.resolve(library) {
                    report(jsonPath, "expected a shared object, got \"\(library)\": \(problem.explanation)")
                }
            case .python(let interpreters, let layouts):
                let found = pythons(interpreters, report: report)
                findings.pythons += found.map(\.interpreter)
                guard !found.isEmpty, found.count == interpreters.count else { continue }
                for placed in layouts where placed.layout.isPython && !found.contains(where: { $0.interpreter.supports(placed.layout) }) {
                    let listed = found.map { "\($0.interpreter.path) (Python \($0.interpreter.version))" }.joined(separator: ", ")
                    report(placed.jsonPath, "expected a layout \(listed) can build: \(placed.layout.rawValue) needs Python 3.10 or later")
                }
            case .program(let command, let directory, let path, let jsonPath, let cwdJSONPath):
                if let problem = Self.programProblem(command: command, workingDirectory: directory, path: path, cwdJSONPath: cwdJSONPath) {
                    report(problem.jsonPath ?? jsonPath, problem.message)
                }
            case .valgrind(let jsonPath):
                if Valgrind.path() == nil {
                    report(jsonPath, "expected valgrind on PATH for \"valgrind\" (Debian package valgrind; `make run` installs it)")
                }
            case .trace(let index, let path, let jsonPath):
                switch Self.readTrace(at: path) {
                case .success(let found): findings.traces[index] = found
                case .failure(let problem): report(jsonPath, problem.message)
                }
            }
        }
        return findings
    }

    /// Why a trace file cannot be replayed, as `check` reports it.
    struct TraceFileProblem: Error {
        var message: String
    }

    /// Reads the trace at `path` whole: its events and sha256 when it is a complete trace, else why not (naming the
    /// file and the byte offset).
    static func readTrace(at path: String) -> Result<HostFindings.TraceFile, TraceFileProblem> {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .failure(TraceFileProblem(message: "expected an allocation trace written by `layoutlab record`; cannot read trace file \(path) (at offset 0): \((error as NSError).localizedDescription)"))
        }
        do throws(TraceReadError) {
            let trace = try TraceReader.read(bytes)
            guard trace.isComplete else {
                return .failure(TraceFileProblem(message: "expected a complete allocation trace; trace file \(path) numbers \(trace.sequenceNumbers) calls but holds \(trace.events.count) (\(trace.droppedEvents) dropped by the tracer, \(trace.lostEvents) lost): a replay of it would not be the program's; record it again"))
            }
            return .success(HostFindings.TraceFile(events: trace.events.count, sha256: EnvironmentProbe.sha256(of: path)))
        } catch {
            return .failure(TraceFileProblem(message: "expected an allocation trace written by `layoutlab record`; trace file \(path) \(error)"))
        }
    }

    /// Each entry of `"python"` resolved (a pyenv version name to its `bin/python3`) and probed; an entry that
    /// does not run, names no installed version, or resolves to an interpreter listed before is reported.
    func pythons(
        _ entries: [HostRequirement.PlacedInterpreter], report: (String, String) -> Void
    ) -> [(interpreter: PythonInterpreter, jsonPath: String)] {
        var found: [(interpreter: PythonInterpreter, jsonPath: String)] = []
        var pyenv: PyenvVersions?
        for entry in entries {
            var command = entry.request
            if let name = PyenvVersions.versionName(entry.request) {
                let versions = pyenv ?? PyenvVersions()
                pyenv = versions
                switch versions.interpreter(for: name) {
                case .success(let path): command = path
                case .failure(let missing):
                    report(entry.jsonPath, "expected a Python version installed with pyenv, got \"\(entry.request)\": \(missing.explanation)")
                    continue
                }
            }
            guard let interpreter = PythonInterpreter.probe(command) else {
                report(entry.jsonPath, "expected a Python interpreter for the Python layouts (a path, a command on PATH, or a pyenv version such as \"3.12\"), got \"\(entry.request)\", which does not run")
                continue
            }
            if let earlier = found.first(where: { $0.interpreter.path == interpreter.path }) {
                report(entry.jsonPath, "expected each interpreter once, got \"\(entry.request)\", which is \(interpreter.path) (Python \(interpreter.version)) again (first at \(earlier.jsonPath))")
                continue
            }
            found.append((interpreter, entry.jsonPath))
        }
        return found
    }
}

extension ExperimentHostCheck {
    /// Why a program cannot start on this host (its directory is missing, or its command is no executable file
    /// there or on `path`), with the JSON path to report it at when that is the `cwd`'s; nil: it can start.
    static func programProblem(command: String, workingDirectory: String, path: String?, cwdJSONPath: String?) -> (jsonPath: String?, message: String)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: workingDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return (cwdJSONPath, "expected the program's working directory to exist on this host, got \(workingDirectory), which is no directory")
        }
        func executable(_ file: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: file)
        }
        if command.contains("/") {
            let file = command.hasPrefix("/") ? command : URL(fileURLWithPath: workingDirectory).appendingPathComponent(command).standardizedFileURL.path
            return executable(file) ? nil : (nil, "expected an executable program, got \"\(command)\": \(file) is not an executable file on this host")
        }
        let search = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = search.split(separator: ":").map(String.init)
        if folders.contains(where: { executable(($0.isEmpty ? "." : $0) + "/" + command) }) { return nil }
        return (nil, "expected a program on PATH, got \"\(command)\", which is in none of \(folders.joined(separator: ":")) on this host (install it, or give its path)")
    }
}

extension ExperimentLoader {
    /// Reads the files and checks what they ask of this machine: for `run`, `calibrate`, `slurm` and `validate`.
    public static var checkingThisHost: ExperimentLoader { ExperimentLoader(host: ExperimentHostCheck()) }
}
