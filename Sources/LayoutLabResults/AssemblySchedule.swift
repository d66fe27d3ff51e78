import Foundation

/// When a results folder assembles its CSV files from its journal again: after a trial once the time since the
/// last assembly is at least `dutyFactor` times what that assembly took. Assembling costs time in proportion
/// to the trials recorded, so this keeps its share of the run's time under 1 ÷ (1 + `dutyFactor`) however long
/// the suite (the cost per trial stays constant), while the files stay as current as that allows: after every
/// trial when trials are slow against an assembly, a fraction of a second behind when they are fast. It is
/// asked only when a trial ends: the last of a run of fast trials wait for the end of the trial after them.
struct AssemblySchedule {
    /// 20: assembling takes at most about 5 % of the run's time.
    static let dutyFactor = 20.0

    /// When the last assembly ended and how long it took, in seconds of a monotonic clock; nil before the first.
    private var lastEnd: Double?
    private var lastSeconds = 0.0

    /// Whether the files are due for assembly at `now` (seconds of the same clock).
    func isDue(at now: Double) -> Bool {
        guard let lastEnd else { return true }
        return now - lastEnd >= Self.dutyFactor * lastSeconds
    }

    /// Notes an assembly that ran from `start` to `end`.
    mutating func assembled(from start: Double, to end: Double) {
        lastEnd = end
        lastSeconds = max(0, end - start)
    }

    /// Seconds of the monotonic clock (`CLOCK_MONOTONIC`), for `isDue` and `assembled`.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
