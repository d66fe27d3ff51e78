import LayoutLabExperiments
import LayoutLabHost
import LayoutLabModel

/// Checks on this machine what an experiment file asks of it (`HostRequirement`): allocator libraries
/// (`SharedLibraryResolver`), the Python interpreter (probed by running it) and valgrind. `run`,
/// `calibrate`, `slurm` and `validate` apply it; the commands that read a results folder never do.
public struct ExperimentHostCheck: HostChecking {
    package var libraries: SharedLibraryResolver

    package init(libraries: SharedLibraryResolver = SharedLibraryResolver()) { self.libraries = libraries }

    /// The problems `requirements` meet on this host, in the file's order, and the Python interpreter found.
    package func check(_ requirements: [HostRequirement], file: String) -> (problems: [ExperimentProblem], python: PythonInterpreter?) {
        var problems: [ExperimentProblem] = []
        var python: PythonInterpreter?
        func report(_ jsonPath: String, _ message: String) {
            problems.append(ExperimentProblem(file: file, jsonPath: jsonPath, message: message))
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
            case .python(let command, let jsonPath, let layouts):
                guard let found = PythonInterpreter.probe(command) else {
                    report(jsonPath, "expected a Python interpreter for the Python layouts, got \"\(command)\", which does not run")
                    continue
                }
                python = found
                for placed in layouts where !found.supports(placed.layout) {
                    report(placed.jsonPath, "expected a layout \(found.path) (Python \(found.version)) can build: \(placed.layout.rawValue) needs Python 3.10 or later")
                }
            case .valgrind(let jsonPath):
                if Valgrind.path() == nil {
                    report(jsonPath, "expected valgrind on PATH for \"valgrind\" (Debian package valgrind; `make run` installs it)")
                }
            }
        }
        return (problems, python)
    }
}

extension ExperimentLoader {
    /// Reads the files and checks what they ask of this machine: for `run`, `calibrate`, `slurm` and `validate`.
    public static var checkingThisHost: ExperimentLoader { ExperimentLoader(host: ExperimentHostCheck()) }
}
