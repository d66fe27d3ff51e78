import LayoutLabModel

/// valgrind's callgrind could not count the instructions of one function: what happened, and its log.
package enum CallgrindCountError: LabError, Equatable {
    /// valgrind could not be started; `reason` says why.
    case cannotStart(reason: String)
    /// valgrind exited with `status`; `lastLine` is the last line it wrote (with ": " before it, or empty).
    case valgrindFailed(status: Int32, function: String, lastLine: String, log: String)
    case noInstructionTotal(outputFile: String)
    case nothingCounted(function: String)

    package var exitStatus: LabExitStatus { .failure }

    package var message: String {
        switch self {
        case .cannotStart(let reason): reason
        case .valgrindFailed(let status, let function, let lastLine, let log):
            "valgrind exited \(status) counting \(function)\(lastLine) (its log: \(log))"
        case .noInstructionTotal(let outputFile): "callgrind wrote no instruction total to \(outputFile)"
        case .nothingCounted(let function): "callgrind counted no instructions inside \(function): was it called?"
        }
    }
}
