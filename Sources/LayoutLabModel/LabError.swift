/// An error the lab explains to its user: what failed (the file, path or value) and what to do about it, and
/// how the command that meets it ends. The command line prints every one in one place (`layoutlab: message`)
/// and exits with its status, so a message is written once, where the error is thrown.
public protocol LabError: Error, CustomStringConvertible {
    /// What failed and what to do, as one or more lines without the tool's name.
    var message: String { get }
    /// The exit status of a command that stops on this error.
    var exitStatus: LabExitStatus { get }
    /// True for problems that begin with the file they are about (`FILE: $.path: expected …`), printed as
    /// compilers print diagnostics, without the tool's name before them.
    var isFileDiagnostic: Bool { get }
}

extension LabError {
    public var isFileDiagnostic: Bool { false }
    public var description: String { message }
}

/// How a command ends on an error: the categories behind the exit codes the README and `--help` document.
public enum LabExitStatus: Int32, Sendable {
    /// The command could not go on (a tool failed, a worker is missing, a file could not be written).
    case failure = 1
    /// The input is wrong (a file, a folder, an option value): nothing was done; fix the input and run again.
    case badInput = 2
    /// Another run holds the lab lock and the command was told not to wait (`EX_TEMPFAIL`).
    case labBusy = 75
    /// Stopped by a signal (128 + SIGINT).
    case interrupted = 130
}
