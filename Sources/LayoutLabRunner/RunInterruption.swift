import Foundation
import LayoutLabHost

/// Turns SIGINT and SIGTERM into an orderly stop: the running worker is killed, its unfinished trial is not
/// recorded, every finished trial stays on disk, and the run is marked incomplete so `--resume` can finish it.
public final class RunInterruption: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var signalName: String?
    private var workerPID: pid_t?
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// Catches SIGINT and SIGTERM for the rest of the process's life.
    public func installSignalHandlers() {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.stop(because: name) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops the run: kills the current worker, if any, and makes the runner start no further trial.
    public func stop(because reason: String) {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        signalName = signalName ?? reason
        if let workerPID {
            // A program trial's program leads a group of its own under its monitor: killed first, with its tree.
            ChildProcessGroups.signal(childrenOf: workerPID, with: SIGKILL)
            kill(workerPID, SIGKILL)
        }
    }

    public var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Why the run stopped, e.g. "SIGINT".
    public var reason: String? {
        lock.lock()
        defer { lock.unlock() }
        return signalName
    }

    func workerStarted(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        workerPID = pid
        if stopped { kill(pid, SIGKILL) }
    }

    func workerEnded() {
        lock.lock()
        defer { lock.unlock() }
        workerPID = nil
    }
}
