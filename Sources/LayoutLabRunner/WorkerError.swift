import LayoutLabModel

/// A trial cannot be started: its worker or what the worker needs is missing.
public enum WorkerError: LabError, Equatable {
    case workerMissing(path: String)
    /// The run did not resolve the trial's allocator before the first trial (a bug of the lab).
    case allocatorNotResolved(allocator: String)
    /// A Python trial without an interpreter (the experiment was not checked on this host) or worker script.
    case noPythonWorker(trialID: String)

    public var exitStatus: LabExitStatus { .failure }

    public var message: String {
        switch self {
        case .workerMissing(let path): "the worker \(path) does not exist; build it with `swift build -c release`"
        case .allocatorNotResolved(let allocator): "allocator \(allocator) was not resolved"
        case .noPythonWorker(let trialID): "no Python interpreter or worker script for \(trialID)"
        }
    }
}
