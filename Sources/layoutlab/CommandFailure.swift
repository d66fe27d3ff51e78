import ArgumentParser
import LayoutLabModel

/// An error a command met in one of its steps, with the exit status that command documents for the step
/// (`merge`: every refusal is bad input; `report`: a folder that cannot be read is bad input, a report that
/// cannot be written a failure). The message is the error's own.
struct CommandFailure: LabError {
    var underlying: any Error
    var exitStatus: LabExitStatus

    init(_ underlying: any Error, exitStatus: LabExitStatus) {
        self.underlying = underlying
        self.exitStatus = exitStatus
    }

    var message: String { (underlying as? any LabError)?.message ?? "\(underlying)" }
    var isFileDiagnostic: Bool { (underlying as? any LabError)?.isFileDiagnostic ?? false }
}

/// Runs one step of a command; an error it throws ends the command with `status`. An `ExitCode` (the command
/// already said why) passes through as it is.
func step<T>(endingWith status: LabExitStatus, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw CommandFailure(error, exitStatus: status)
    }
}
