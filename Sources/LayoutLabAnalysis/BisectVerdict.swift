import LayoutLabModel
/// What one probe of `layoutlab bisect` says about a candidate build: the probe ran the experiment with the
/// known good build and the candidate as two allocators of one run (their trials interleaved, so drift falls on
/// both alike), and its metric is compared as `compare DIR --by allocator --baseline GOOD --fail-above P` would
/// (`Comparison.pairs`, `RegressionCheck`: Welch t on logs, Holm–Bonferroni over the configurations). The
/// candidate is bad when some configuration is worse than the good build by more than P % with its whole
/// interval beyond that bound; good when every configuration's whole interval lies within the bound (an
/// equivalence test, not just "not shown worse"); undecidable otherwise (fewer than two repetitions, no figures
/// of the metric, an interval reaching across the bound), with the reason.
public struct BisectVerdict: Sendable {
    public enum Outcome: Sendable, Equatable {
        case bad
        case good
        /// Why the probe cannot say.
        case undecidable(String)
    }

    /// One row per configuration (shape, layout, nodes, threads): the good build as A, the candidate as B.
    public var comparisons: [Comparison]
    public var check: RegressionCheck
    public var outcome: Outcome

    /// The verdict of a probe's trials, `good` and `candidate` naming the two builds' allocators in `table`.
    public init(table: TrialTable, good: String, candidate: String, metric: String, failAbovePercent: Double) {
        comparisons = Comparison.pairs(table, nil, metrics: [metric], baseline: good, by: .allocator).filter { $0.sideB == candidate }
        check = RegressionCheck(comparisons, abovePercent: failAbovePercent)
        if comparisons.isEmpty {
            outcome = .undecidable("no configuration has \(metric) figures of both builds (\(good) and \(candidate)) in its successful trials")
        } else if !check.regressions.isEmpty {
            outcome = .bad
        } else if let first = check.undecidable.first {
            outcome = .undecidable("\(check.undecidable.count) of \(comparisons.count) configurations cannot be decided, e.g. \(first.comparison.rowName): \(first.reason)")
        } else if let wide = comparisons.first(where: { !Self.shownWithinBound($0, percent: failAbovePercent) }) {
            // Not shown worse is not shown good: a noisy configuration whose interval still reaches beyond the bound
            // would send the search the wrong way.
            outcome = .undecidable(Self.notShownWithin(wide, percent: failAbovePercent))
        } else {
            outcome = .good
        }
    }

    /// Whether a configuration is shown to be within the bound: identical, or its whole interval on the better side
    /// of 1 + P % (of 1 ÷ (1 + P %) for a higher-is-better metric).
    // Not optimised, as BenchmarkExport.entries: with -O the Swift 6.3.1 optimizer crashes on Comparison's Result
    // switch inlined here ("Found outside of lifetime use").
    @_optimize(none)
    static func shownWithinBound(_ comparison: Comparison, percent: Double) -> Bool {
        if comparison.identical { return true }
        guard let interval = comparison.interval else { return false }
        let bound = 1 + percent / 100
        return comparison.direction == .higherIsBetter ? interval.low > 1 / bound : interval.high < bound
    }

    /// Why a configuration neither regresses nor is shown within the bound.
    @_optimize(none)
    static func notShownWithin(_ comparison: Comparison, percent: Double) -> String {
        let interval = comparison.interval.map { "[\(Rounded.text($0.low, digits: 4)), \(Rounded.text($0.high, digits: 4))]" } ?? "none"
        return "\(comparison.rowName): not shown worse than the bound, nor within it (ratio \(Rounded.text(comparison.ratio, digits: 4)), "
            + "95 % interval \(interval) reaches beyond \(Rounded.text(percent)) %); more repetitions, or a deterministic metric, would decide"
    }

    /// Whether `comparison` (one of `comparisons`) is a regression beyond the bound.
    public func regressed(_ comparison: Comparison) -> Bool {
        check.regressions.contains { $0.comparison.sameRow(as: comparison) }
    }

    /// The Holm-adjusted p-value of `comparison`'s test, if it was tested (rows whose repetitions all gave one
    /// value on both sides are equal and not tested).
    public func adjustedPValue(of comparison: Comparison) -> Double? {
        check.tested.first { $0.comparison.sameRow(as: comparison) }?.adjustedPValue
    }
}
