/// What `compare --fail-above P` decides over a set of comparisons. A row is a regression when B is worse than
/// A by more than P % with the whole 95 % interval beyond the bound (ratio > 1 + P/100 for a lower-is-better
/// metric): the one-sided test of H0 "ratio ≤ 1 + P/100", its p-values corrected over every tested row by
/// Holm–Bonferroni at a family-wise error of 2.5 % (the upper tail of the two-sided 95 % interval, so a row
/// called a regression always has its interval's low end above the bound).
///
/// Which rows are tested: every row whose metric has a direction, except time rows `X_ns_per_node` of a
/// configuration whose `X_instructions_per_node` is compared too, with counts on both sides. Those are
/// decided by the count (exact under valgrind, so not disturbed by neighbours): the time row is printed but
/// not tested, and the verdict names the count that decided. Rows whose repetitions all gave one and the
/// same value on both sides are equal, not tested (they add nothing to Holm's count). Rows without an interval
/// (fewer than two repetitions on a side, a value ≤ 0) cannot be decided and are listed as such.
public struct RegressionCheck: Sendable {
    public static let familyErrorRate = 0.025
    public static let correctionName = "Holm–Bonferroni, family-wise error 2.5 % one-sided"

    /// A row that was tested.
    public struct Tested: Sendable {
        public var comparison: Comparison
        public var estimate: RatioEstimate
        public var pValue: Double
        public var adjustedPValue: Double
        public var regression: Bool
    }

    /// A row that had to be tested and could not be.
    public struct Undecidable: Sendable {
        public var comparison: Comparison
        public var reason: String
    }

    /// A time row decided by a count of the same configuration.
    public struct DecidedByCount: Sendable {
        public var time: Comparison
        public var count: Comparison
        /// "deterministic" when every repetition of the count gave the same value on each side, else "counted".
        public var countKind: String
    }

    public var percent: Double
    public var tested: [Tested] = []
    public var undecidable: [Undecidable] = []
    public var decidedByCount: [DecidedByCount] = []

    public var regressions: [Tested] { tested.filter(\.regression) }

    /// `X_instructions_per_node` for `X_ns_per_node`, and `<phase>.instructions` for `<phase>.ns_per_node`: the
    /// count that decides a time metric when it is compared.
    public static func countMetric(decidingTime metric: String) -> String? {
        if metric.hasSuffix(".ns_per_node") { return String(metric.dropLast("ns_per_node".count)) + "instructions" }
        guard metric.hasSuffix("_ns_per_node") else { return nil }
        return String(metric.dropLast("_ns_per_node".count)) + "_instructions_per_node"
    }

    public init(_ comparisons: [Comparison], abovePercent percent: Double) {
        self.percent = percent
        let bound = 1 + percent / 100
        func sameRow(_ a: Comparison, _ b: Comparison) -> Bool {
            a.shape == b.shape && a.layout == b.layout && a.nodes == b.nodes && a.sideA == b.sideA && a.sideB == b.sideB
        }
        var candidates: [(Comparison, RatioEstimate, Double)] = []
        for comparison in comparisons where comparison.direction != .undirected {
            if let countName = Self.countMetric(decidingTime: comparison.metric),
                let count = comparisons.first(where: { $0.metric == countName && sameRow($0, comparison) }),
                !count.valuesA.isEmpty, !count.valuesB.isEmpty
            {
                let exact = if case .success(let estimate) = count.estimate, estimate.method == .exact { true } else { count.identical }
                decidedByCount.append(DecidedByCount(time: comparison, count: count, countKind: exact ? "deterministic" : "counted"))
                continue
            }
            if comparison.identical { continue }
            switch comparison.estimate {
            case .success(let estimate):
                let p = comparison.direction == .higherIsBetter
                    ? estimate.pValue(ratioAtLeast: 1 / bound) : estimate.pValue(ratioAtMost: bound)
                candidates.append((comparison, estimate, p))
            case .failure(let reason):
                undecidable.append(Undecidable(comparison: comparison, reason: reason.explanation))
            }
        }
        let adjusted = HolmBonferroni.adjusted(candidates.map(\.2))
        tested = zip(candidates, adjusted).map { candidate, adjustedP in
            Tested(comparison: candidate.0, estimate: candidate.1, pValue: candidate.2, adjustedPValue: adjustedP,
                   regression: adjustedP <= Self.familyErrorRate)
        }
    }

    /// The count that decided a time row, if one did.
    public func decider(of comparison: Comparison) -> DecidedByCount? {
        decidedByCount.first {
            $0.time.metric == comparison.metric && $0.time.shape == comparison.shape && $0.time.layout == comparison.layout
                && $0.time.nodes == comparison.nodes && $0.time.sideA == comparison.sideA && $0.time.sideB == comparison.sideB
        }
    }
}
