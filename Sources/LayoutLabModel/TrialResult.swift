import Foundation
import LayoutLabProtocol

/// How a trial ended, as the `status` column writes it.
public enum TrialStatus: Equatable, Sendable, CustomStringConvertible {
    case ok
    /// The worker exited with a non-zero status (it says why in `message`).
    case failed(exitCode: Int32)
    /// The worker died of a signal other than SIGKILL (`crashed:SIGSEGV`, `crashed:SIGABRT`, ...).
    case crashed(signal: Int32)
    /// The worker was killed with SIGKILL from outside, typically by the kernel's OOM killer. For a program
    /// trial, these statuses (`failed`, `crashed`, `killed`, `timeout`) are the program's, reported by its monitor.
    case killed(signal: Int32)
    /// The worker ran past the trial timeout and was killed (a program: past its `timeout_seconds`).
    case timeout
    /// Not run: preflight estimated it would not fit in the available memory (`--skip-oversized`).
    case skipped
    /// The worker could not be started, or replied outside the protocol.
    case error

    public var description: String {
        switch self {
        case .ok: "ok"
        case .failed(let code): "failed:exit \(code)"
        case .crashed(let signal): "crashed:\(SignalName.name(of: signal))"
        case .killed(let signal): "killed:\(SignalName.name(of: signal))"
        case .timeout: "timeout"
        case .skipped: "skipped"
        case .error: "error"
        }
    }

    /// The status a worker that died of `signal` gets: SIGKILL comes from outside (OOM killer, a user).
    package static func terminated(by signal: Int32) -> TrialStatus {
        signal == SIGKILL ? .killed(signal: signal) : .crashed(signal: signal)
    }

    /// Parses what `description` writes.
    public init?(_ text: String) {
        switch text {
        case "ok": self = .ok
        case "timeout": self = .timeout
        case "skipped": self = .skipped
        case "error": self = .error
        default:
            if text.hasPrefix("failed:exit "), let code = Int32(text.dropFirst("failed:exit ".count)) {
                self = .failed(exitCode: code)
            } else if text.hasPrefix("crashed:"), let signal = SignalName.number(of: String(text.dropFirst("crashed:".count))) {
                self = .crashed(signal: signal)
            } else if text.hasPrefix("killed:"), let signal = SignalName.number(of: String(text.dropFirst("killed:".count))) {
                self = .killed(signal: signal)
            } else {
                return nil
            }
        }
    }
}

/// Everything a worker reported about one trial, plus what the runner saw of it.
public struct TrialResult: Sendable {
    public var trial: Trial
    public var status: TrialStatus
    /// Every phase's samples, in order: each phase's baseline first, then one per checkpoint.
    public var phaseSamples: [PhaseSample]
    /// What each phase reported at its end.
    package var outcomes: [PhaseOutcome]
    package var probe: AllocationProbe?
    /// Each phase's cost counters, by phase index.
    package var phaseCounters: [Int: PhaseCounters] = [:]
    /// Where the `instructions` counts came from; nil where there are none.
    package var instructionsSource: InstructionSource?
    /// Phases run on a pool of threads: per-thread times and the allocator's threads, by phase index.
    package var threadFigures: [Int: ThreadPhaseFigures] = [:]
    /// `fork` phases: each child's report, by phase index, in the order the children reported.
    package var forkChildren: [Int: [ForkChildReport]] = [:]
    /// A trace replay's own figures (events, live requested and usable bytes at the peak); nil for other trials.
    package var replay: ReplayFigures?
    /// A program trial's outcome and rusage as its monitor measured them; nil for other trials (and for a program
    /// trial whose monitor failed before the program ended).
    package var program: ProgramFigures?
    /// The bytes the allocator agent wrote while the program ran (`WorkerReply.agent`), unparsed; nil without an agent.
    package var agentReportBytes: [UInt8]?
    /// The allocator agent's report, parsed (`WorkerLauncher.applyAgentReport`): the provider of the program's
    /// `malloc`, the allocator's figures at exit, the program's VmHWM; nil for other trials.
    package var agent: AgentReport?
    /// Whether the worker was asked to call `gc.freeze()` before forking (Python layouts; the request's flag).
    public var pythonGCFreeze = false
    /// A Python worker: whether its interpreter ran with the GIL; nil for Swift workers.
    public var pythonGILEnabled: Bool?
    /// A Python worker: the process's RSS at the worker's first line, before the lab imported anything (bytes).
    public var processStartRSSBytes: Int?
    /// A Python worker's probe: nodes, getsizeof bytes, tracemalloc bytes.
    public var pythonProbe: (nodes: Int, getsizeofBytes: Int, tracemallocBytes: Int?)?
    public var mallocProvider: String?
    public var allocatorVersion: String?
    /// Wall time from spawning the worker to its exit, in ns.
    public var wallNs: Int
    /// Why the trial did not succeed.
    public var message: String?
    /// Which run of the trial this is: 1 for the first, 2 for the first rerun of a disturbed one (`rerun_disturbed`).
    public var attempt = 1
    /// Whether the machine disturbed the measurement (`DisturbanceBounds`); nil until the runner judged it.
    public var disturbance: TrialDisturbance?

    package init(
        trial: Trial, status: TrialStatus, phaseSamples: [PhaseSample] = [], outcomes: [PhaseOutcome] = [],
        probe: AllocationProbe? = nil,
        mallocProvider: String? = nil, allocatorVersion: String? = nil, wallNs: Int = 0, message: String? = nil
    ) {
        self.trial = trial
        self.status = status
        self.phaseSamples = phaseSamples
        self.outcomes = outcomes
        self.probe = probe
        self.mallocProvider = mallocProvider
        self.allocatorVersion = allocatorVersion
        self.wallNs = wallNs
        self.message = message
    }
}

extension TrialResult {
    /// The allocate phase's samples: the baseline first, then one per checkpoint.
    package var samples: [MemorySample] { phaseSamples.filter { $0.phaseIndex == 0 }.map(\.sample) }
}

/// A sample and the index of the phase it belongs to.
public struct PhaseSample: Sendable {
    public var phaseIndex: Int
    package var sample: MemorySample

    package init(phaseIndex: Int, sample: MemorySample) {
        self.phaseIndex = phaseIndex
        self.sample = sample
    }
}

/// Signal names for the status column.
package enum SignalName {
    private static let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
        9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
    ]

    package static func name(of signal: Int32) -> String { names[signal] ?? "SIG\(signal)" }

    package static func number(of name: String) -> Int32? {
        names.first { $0.value == name }?.key ?? (name.hasPrefix("SIG") ? Int32(name.dropFirst(3)) : nil)
    }
}
