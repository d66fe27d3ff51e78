import LayoutLabHost
import LayoutLabModel

/// This machine lacks something a run needs (a tool, a library, a setting): what, and how to get it.
package enum HostError: LabError, Equatable {
    /// An allocator's library cannot be used here, as the run resolves it before the first trial.
    case allocatorLibrary(allocator: String, library: String, problem: LibraryProblem)
    case noCLibrary
    /// No Swift compiler; `option` is the command's flag that names one (`--swiftc`), if it has one.
    case swiftcNotFound(option: String?)
    case valgrindNotInstalled
    /// `objcopy --strip-debug` failed on `executable`; `output` is what it said (nil: it is not installed).
    case objcopyFailed(executable: String, output: String?)
    /// `sbatch` did not accept `script`; `first` for the first of the scripts it was given.
    case sbatchRefused(script: String, first: Bool)
    /// An environment variable the lab reads holds a value it cannot use.
    case badEnvironmentVariable(name: String, value: String, expected: String)

    public var exitStatus: LabExitStatus { .failure }

    public var message: String {
        switch self {
        case .allocatorLibrary(let allocator, let library, let problem): "allocator \(allocator): \(library) is \(problem.explanation)"
        case .noCLibrary: "cannot locate the C library"
        case .swiftcNotFound(let option):
            "no swiftc found: put the Swift toolchain on PATH, set $SWIFTC\(option.map { ", or pass \($0)" } ?? "")"
        case .valgrindNotInstalled:
            "\"instructions\": \"valgrind\" needs valgrind on PATH (Debian package valgrind; `make run` installs it)"
        case .objcopyFailed(let executable, let output):
            "valgrind runs a copy of \(executable) without DWARF (valgrind 3.19 cannot read swiftc's), but `objcopy --strip-debug` failed: \(output ?? "objcopy is not on PATH (Debian package binutils)")"
        case .sbatchRefused(let script, true): "sbatch refused \(script) (is Slurm installed and running?)"
        case .sbatchRefused(let script, false): "sbatch refused \(script)"
        case .badEnvironmentVariable(let name, let value, let expected): "\(name)=\(value) is not \(expected)"
        }
    }
}
