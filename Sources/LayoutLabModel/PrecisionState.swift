import LayoutLabStatistics

/// Where one configuration stands against the experiment's `precision` target, decided from its recorded
/// trials only (so a resumed run decides as the first one would have):
///
/// - undecided while fewer than the planned repetitions are recorded;
/// - `reached` once the relative half-width of the t-interval (95 % at a fixed n) of the metric's mean over the successful
///   repetitions is at most the target (two equal values reach any target: their interval has no width);
/// - `unmeasured` when no planned repetition succeeded, or a successful trial has no value of the metric (an
///   empty cell: this machine does not measure it, and more repetitions would not either);
/// - `notPositive` when a successful trial's value is 0 or below (the smallest is kept): a half-width relative
///   to the mean needs a positive mean, and two zeros would "reach" any target at once;
/// - `cap` once `maxRepetitions` trials of it have run, failed ones included;
/// - otherwise `needsMore`: the next repetition to run.
public enum PrecisionState: Equatable, Sendable {
    case needsMore(repetition: Int)
    case reached(relativeHalfWidth: Double)
    case cap(relativeHalfWidth: Double?)
    case unmeasured
    case notPositive(value: Double)

    /// Nil while undecided (planned repetitions missing).
    public static func evaluate(
        _ target: PrecisionTarget, plannedRepetitions: Int, repetitionsRun: [Int], values: [Double?]
    ) -> PrecisionState? {
        let recorded = Set(repetitionsRun)
        guard (1...max(1, plannedRepetitions)).allSatisfy(recorded.contains) else { return nil }
        if values.isEmpty || values.contains(where: { $0 == nil }) { return .unmeasured }
        let measured = values.compactMap { $0 }
        if let smallest = measured.min(), !(smallest > 0) { return .notPositive(value: smallest) }
        let width = MeanInterval(measured, level: PrecisionTarget.level)?.relativeHalfWidth
        if let width, width <= target.relativeHalfWidth { return .reached(relativeHalfWidth: width) }
        let next = (repetitionsRun.max() ?? 0) + 1
        if repetitionsRun.count >= target.maxRepetitions || next > target.maxRepetitions { return .cap(relativeHalfWidth: width) }
        return .needsMore(repetition: next)
    }

    /// `precision_reached` in `trials.csv`: true, false (cap, unmeasured, not positive), nil (no cell) while
    /// more are due.
    public var reached: Bool? {
        switch self {
        case .needsMore: nil
        case .reached: true
        case .cap, .unmeasured, .notPositive: false
        }
    }

    /// The relative half-width the configuration ended with, when it has one.
    public var relativeHalfWidth: Double? {
        switch self {
        case .reached(let width): width
        case .cap(let width): width.flatMap { $0.isFinite ? $0 : nil }
        case .needsMore, .unmeasured, .notPositive: nil
        }
    }
}
