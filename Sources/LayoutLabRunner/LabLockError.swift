import LayoutLabModel

/// The lab lock could not be taken for a reason other than another run holding it (that is `LabLockBusy`).
public enum LabLockError: LabError, Equatable {
    /// `flock` failed; `reason` is the system's text for its errno.
    case cannotLock(path: String, reason: String)
    /// The lock file cannot be opened or created; `variable` names another path.
    case cannotOpen(path: String, reason: String, variable: String)
    /// A signal arrived while the lock was awaited; `reason` names it.
    case stoppedWhileWaiting(path: String, reason: String)

    public var exitStatus: LabExitStatus {
        if case .stoppedWhileWaiting = self { return .interrupted }
        return .failure
    }

    public var message: String {
        switch self {
        case .cannotLock(let path, let reason): "cannot lock \(path): \(reason)"
        case .cannotOpen(let path, let reason, let variable): "cannot open the lab lock file \(path): \(reason) (set \(variable) to another path)"
        case .stoppedWhileWaiting(let path, let reason): "stopped by \(reason) while waiting for the lab lock \(path)"
        }
    }
}
