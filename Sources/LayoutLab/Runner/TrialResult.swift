import LayoutLabSampling

/// How a trial ended, as the `status` column writes it.
public enum TrialStatus: Equatable, Sendable, CustomStringConvertible {
    case ok
    /// The worker exited with a non-zero status (it says why in `message`).
    case failed(exitCode: Int32)
    /// The worker died of a signal.
    case crashed(signal: Int32)
    /// The worker ran past the trial timeout and was killed.
    case timeout
    /// The worker could not be started, or replied outside the protocol.
    case error

    public var description: String {
        switch self {
        case .ok: "ok"
        case .failed(let code): "failed:exit \(code)"
        case .crashed(let signal): "crashed:\(SignalName.name(of: signal))"
        case .timeout: "timeout"
        case .error: "error"
        }
    }
}

/// Everything a worker reported about one trial, plus what the runner saw of it.
public struct TrialResult: Sendable {
    public var trial: Trial
    public var status: TrialStatus
    /// The allocate phase's samples: the baseline first, then one per checkpoint.
    public var samples: [MemorySample]
    public var probe: AllocationProbe?
    public var mallocProvider: String?
    public var allocatorVersion: String?
    /// Wall time from spawning the worker to its exit, in ns.
    public var wallNs: Int
    /// Why the trial did not succeed.
    public var message: String?

    public init(
        trial: Trial, status: TrialStatus, samples: [MemorySample] = [], probe: AllocationProbe? = nil,
        mallocProvider: String? = nil, allocatorVersion: String? = nil, wallNs: Int = 0, message: String? = nil
    ) {
        self.trial = trial
        self.status = status
        self.samples = samples
        self.probe = probe
        self.mallocProvider = mallocProvider
        self.allocatorVersion = allocatorVersion
        self.wallNs = wallNs
        self.message = message
    }
}

/// Signal names for the status column.
enum SignalName {
    static func name(of signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
            9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
