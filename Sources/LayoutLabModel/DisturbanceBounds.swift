#if canImport(Glibc)
import Glibc
#endif

/// The limits beyond which a phase is called disturbed (README "Disturbed trials" says how they were chosen).
/// Each is relative to the phase's length, so that it means the same on a 5 ms phase and on a 5 s one, and the
/// `/proc/stat` figures are judged only beyond their tick resolution.
public struct DisturbanceBounds: Equatable, Sendable {
    /// Steal (`steal_ns`) as a fraction of the phase's interval (`interval_ns`): 0.02 is 2 % of the phase.
    public var stealShare: Double
    /// Others' CPU time (`neighbour_cpu_ns`) over the interval, in CPUs: 0.5 is half a CPU busy all phase long.
    public var neighbourCPUs: Double
    /// Preemptions of the worker thread (`involuntary_switches`) per second of the phase's own time (`elapsed_ns`).
    public var involuntarySwitchesPerSecond: Double
    /// `/proc/stat` counts whole clock ticks (10 ms at USER_HZ 100), so steal and neighbour time are lowered by
    /// their slack before they are compared. Steal is one field: a difference is off by less than one tick.
    /// Busy time sums fields that each are off by up to a tick (user and system both move), and the worker's own
    /// CPU is subtracted exactly while its ticks are whole: three ticks (measured: at most 1.4 beyond what two
    /// CPUs can run, over 450 phases). So the ticks of a 5 ms phase cannot mark it.
    public var stealSlackNs: Int
    public var neighbourSlackNs: Int
    /// Fewer preemptions than this never mark a phase, whatever its rate (one preemption in 2 ms is 500/s).
    public var minimumInvoluntarySwitches: Int

    public init(
        stealShare: Double, neighbourCPUs: Double, involuntarySwitchesPerSecond: Double, stealSlackNs: Int,
        neighbourSlackNs: Int, minimumInvoluntarySwitches: Int
    ) {
        self.stealShare = stealShare
        self.neighbourCPUs = neighbourCPUs
        self.involuntarySwitchesPerSecond = involuntarySwitchesPerSecond
        self.stealSlackNs = stealSlackNs
        self.neighbourSlackNs = neighbourSlackNs
        self.minimumInvoluntarySwitches = minimumInvoluntarySwitches
    }

    /// The bounds the runner applies, with slacks in clock ticks of `tickNs`.
    public static func documented(tickNs: Int) -> DisturbanceBounds {
        DisturbanceBounds(
            stealShare: 0.02, neighbourCPUs: 0.5, involuntarySwitchesPerSecond: 100, stealSlackNs: tickNs,
            neighbourSlackNs: 3 * tickNs, minimumInvoluntarySwitches: 3)
    }

    /// `documented` with this machine's clock tick (`sysconf(_SC_CLK_TCK)`, the unit of `/proc/stat`).
    public static var onThisMachine: DisturbanceBounds {
        documented(tickNs: 1_000_000_000 / max(1, sysconf(Int32(_SC_CLK_TCK))))
    }

    /// The bounds in words, for the terminal and the report.
    public var summary: String {
        "steal above \(Rounded.text(stealShare * 100, digits: 1)) % of a phase (less \(stealSlackNs / 1_000_000) ms), "
            + "others' CPU above \(Rounded.text(neighbourCPUs, digits: 2)) CPU (less \(neighbourSlackNs / 1_000_000) ms), "
            + "more than \(Int(involuntarySwitchesPerSecond)) involuntary switches/s (at least \(minimumInvoluntarySwitches))"
    }
}
