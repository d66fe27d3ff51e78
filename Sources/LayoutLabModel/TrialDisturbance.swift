import Foundation
import LayoutLabProtocol

/// Whether a trial's measurement was disturbed by the machine: steal, other programs' CPU time or preemptions
/// of the worker beyond `DisturbanceBounds` in any phase that measured something (every applicable phase: each
/// has its time in `phases.csv`). `trials.csv` writes it as `disturbed` and `disturbance`.
public struct TrialDisturbance: Equatable, Sendable {
    /// True: some phase went beyond a bound. False: every bound of every phase was judged and none was passed.
    /// Nil: nothing went beyond a bound but some counter was not measured (or the trial did not succeed), so
    /// the trial cannot be called clean.
    public var disturbed: Bool?
    /// What passed which bound, phase by phase ("allocate: neighbours 1.32 CPUs > 0.5; allocate: 312 involuntary
    /// switches/s > 100"), or what could not be judged ("not measured: allocate steal_ns"); nil when clean.
    public var reason: String?

    public init(disturbed: Bool?, reason: String?) {
        self.disturbed = disturbed
        self.reason = reason
    }

    /// One measured phase: its name as the reason prints it, its own time and its counters.
    public struct Phase: Sendable {
        public var name: String
        /// `elapsed_ns`: the phase's own time, sampling excluded; nil where it has no sample.
        public var elapsedNs: Int?
        package var counters: PhaseCounters?
        /// Pool threads whose preemptions `counters` sums (nil: the classic trial's one thread).
        public var threads: Int?
        /// Whether the pool leaves no core to the main thread that samples beside it (threads ≥ cores): its threads
        /// then preempt each other, and the sampler preempts them, by design; their involuntary switches say nothing
        /// about other programs (not judged).
        public var oversubscribed = false

        package init(name: String, elapsedNs: Int?, counters: PhaseCounters?, threads: Int? = nil, oversubscribed: Bool = false) {
            self.name = name
            self.elapsedNs = elapsedNs
            self.counters = counters
            self.threads = threads
            self.oversubscribed = oversubscribed
        }
    }

    /// Judges the phases against `bounds`. Steal and neighbour time are shares of the phase's interval, lowered
    /// by their tick slack first; preemptions a rate over the phase's own time, from `minimumInvoluntarySwitches` on.
    public static func judge(_ phases: [Phase], bounds: DisturbanceBounds) -> TrialDisturbance {
        var beyond: [String] = []
        var missing: [String] = []
        for phase in phases {
            let counters = phase.counters
            if let interval = counters?.intervalNs, interval > 0 {
                if let steal = counters?.stealNs {
                    if Double(steal - bounds.stealSlackNs) > bounds.stealShare * Double(interval) {
                        beyond.append("\(phase.name): steal \(Rounded.text(100 * Double(steal) / Double(interval), digits: 1)) % of the phase > \(Rounded.text(100 * bounds.stealShare, digits: 1)) %")
                    }
                } else {
                    missing.append("\(phase.name) steal_ns")
                }
                if let neighbour = counters?.neighbourCPUNs {
                    if Double(neighbour - bounds.neighbourSlackNs) > bounds.neighbourCPUs * Double(interval) {
                        beyond.append("\(phase.name): neighbours \(Rounded.text(Double(neighbour) / Double(interval), digits: 2)) CPUs > \(Rounded.text(bounds.neighbourCPUs, digits: 2))")
                    }
                } else {
                    missing.append("\(phase.name) neighbour_cpu_ns")
                }
            } else {
                missing.append("\(phase.name) interval_ns")
            }
            if phase.oversubscribed {
                // Threads beyond the cores preempt each other: what the trial measures, not a disturbance.
            } else if let switches = counters?.involuntarySwitches, let elapsed = phase.elapsedNs, elapsed > 0 {
                // A pool's switches are summed over its threads: the bound is per thread.
                let threads = Double(max(phase.threads ?? 1, 1))
                let perSecond = Double(switches) * 1e9 / Double(elapsed) / threads
                if switches >= bounds.minimumInvoluntarySwitches, perSecond > bounds.involuntarySwitchesPerSecond {
                    let perThread = phase.threads == nil ? "" : " per thread"
                    beyond.append("\(phase.name): \(Int(perSecond.rounded())) involuntary switches/s\(perThread) > \(Int(bounds.involuntarySwitchesPerSecond)) (\(switches) in \(Rounded.text(Double(elapsed) / 1e6, digits: 1)) ms)")
                }
            } else {
                missing.append("\(phase.name) involuntary_switches")
            }
        }
        if !beyond.isEmpty { return TrialDisturbance(disturbed: true, reason: beyond.joined(separator: "; ")) }
        if !missing.isEmpty || phases.isEmpty {
            return TrialDisturbance(disturbed: nil, reason: "not measured: " + (phases.isEmpty ? "no phase" : missing.joined(separator: ", ")))
        }
        return TrialDisturbance(disturbed: false, reason: nil)
    }

    /// Judges a worker's result: its applicable phases, named by kind (with the index where a kind repeats).
    /// A trial that did not succeed is not judged (`disturbed` empty, no reason: `status` says what happened).
    /// A pool of `cores` threads or more is not judged by its preemptions (see `Phase.oversubscribed`).
    public static func judge(_ result: TrialResult, bounds: DisturbanceBounds, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> TrialDisturbance {
        guard result.status == .ok else { return TrialDisturbance(disturbed: nil, reason: nil) }
        // The monitor counts no phase of its own: the machine's other work during a program is not measured.
        if result.trial.program != nil {
            return TrialDisturbance(disturbed: nil, reason: "not measured: the monitor of a program trial does not count the machine's other work (no steal or neighbour CPU figures)")
        }
        let kinds = result.outcomes.map(\.spec.kind)
        let phases = result.outcomes.filter(\.applicable).map { outcome in
            let kind = outcome.spec.kind
            // A trace replay's one phase replays the trace (the worker's phase 0, `replay` in phases.csv).
            let kindName = result.trial.trace != nil ? "replay" : kind.rawValue
            let name = kinds.filter { $0 == kind }.count > 1 ? "\(kindName)[\(outcome.index)]" : kindName
            let last = result.phaseSamples.last { $0.phaseIndex == outcome.index }
            let threads = result.trial.threads
            return Phase(
                name: name, elapsedNs: last?.sample.elapsedNs, counters: result.phaseCounters[outcome.index], threads: threads,
                oversubscribed: (threads ?? 0) >= cores)
        }
        return judge(phases, bounds: bounds)
    }
}
