import LayoutLabStatistics

/// What `compare --fail-above P` decides over a set of comparisons. A row is a regression when B is worse than
/// A by more than P % with the whole 95 % interval beyond the bound (ratio > 1 + P/100 for a lower-is-better
/// metric): the one-sided test of H0 "ratio ≤ 1 + P/100", its p-values corrected over every tested row by
/// Holm–Bonferroni at a family-wise error of 2.5 % (the upper tail of the two-sided 95 % interval, so a row
/// called a regression always has its interval's low end above the bound).
///
/// Which rows are tested: every row whose metric has a direction, except time rows `X_ns_per_node` of a
/// configuration whose `X_instructions_per_node` is compared too, with counts on both sides. Those are
/// decided by the counts: the instruction count (exact under valgrind, so not disturbed by neighbours) and,
/// where compared, the page faults `X_minor_faults_per_node` (the kernel's main cost, which user-space
/// instruction counts miss); both are tested rows themselves. The time row is printed but not tested, and the
/// verdict names the counts that decided. A decided time row whose whole interval still lies beyond the bound
/// while none of its counts regresses is `unexplainedTime`: a warning, not an exit status (the counts decide,
/// which keeps a CI decision repeatable; time between two runs carries drift the interval does not hold).
/// Rows whose repetitions all gave one and the same value on both sides are equal, not tested (they add
/// nothing to Holm's count). Rows without an interval (fewer than two repetitions on a side, a value ≤ 0)
/// cannot be decided and are listed as such.
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

    /// A count that decides a time row of the same configuration.
    public struct DecidingCount: Sendable {
        public var comparison: Comparison
        /// "deterministic" when every repetition of the count gave the same value on each side, else "counted".
        public var kind: String
        /// "allocate_instructions_per_node (deterministic)".
        public var label: String { "\(comparison.metric) (\(kind))" }
    }

    /// A time row decided by counts of the same configuration: instructions, then page faults where compared.
    public struct DecidedByCount: Sendable {
        public var time: Comparison
        public var counts: [DecidingCount]
        /// "allocate_instructions_per_node (deterministic) and allocate_minor_faults_per_node (counted)".
        public var label: String { counts.map(\.label).joined(separator: " and ") }
    }

    /// A decided time row whose whole interval lies beyond the bound while none of its counts regresses.
    public struct UnexplainedTime: Sendable {
        public var decided: DecidedByCount
        public var estimate: RatioEstimate
    }

    public var percent: Double
    public var tested: [Tested] = []
    public var undecidable: [Undecidable] = []
    public var decidedByCount: [DecidedByCount] = []
    public var unexplainedTime: [UnexplainedTime] = []

    public var regressions: [Tested] { tested.filter(\.regression) }

    /// The counts that decide a time metric when they are compared: `X_instructions_per_node` and
    /// `X_minor_faults_per_node` for `X_ns_per_node`; `<phase>.instructions` and `<phase>.minor_faults` for
    /// `<phase>.ns_per_node`. Nil for a metric that is not such a time.
    public static func countMetrics(decidingTime metric: String) -> (instructions: String, faults: String)? {
        if metric.hasSuffix(".ns_per_node") {
            let phase = String(metric.dropLast("ns_per_node".count))
            return (phase + "instructions", phase + "minor_faults")
        }
        guard metric.hasSuffix("_ns_per_node") else { return nil }
        let stem = String(metric.dropLast("_ns_per_node".count))
        return (stem + "_instructions_per_node", stem + "_minor_faults_per_node")
    }

    public init(_ comparisons: [Comparison], abovePercent percent: Double) {
        self.percent = percent
        let bound = 1 + percent / 100
        func count(_ name: String, of time: Comparison) -> DecidingCount? {
            guard let count = comparisons.first(where: { $0.metric == name && $0.sameConfiguration(as: time) }),
                !count.valuesA.isEmpty, !count.valuesB.isEmpty
            else { return nil }
            let exact = if case .success(let estimate) = count.estimate, estimate.method == .exact { true } else { count.identical }
            return DecidingCount(comparison: count, kind: exact ? "deterministic" : "counted")
        }
        var candidates: [(Comparison, RatioEstimate, Double)] = []
        for comparison in comparisons where comparison.direction != .undirected {
            if let names = Self.countMetrics(decidingTime: comparison.metric), let instructions = count(names.instructions, of: comparison) {
                let faults = count(names.faults, of: comparison)
                decidedByCount.append(DecidedByCount(time: comparison, counts: [instructions] + (faults.map { [$0] } ?? [])))
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
        let regressed = regressions.map(\.comparison)
        for decided in decidedByCount {
            guard case .success(let estimate) = decided.time.estimate, estimate.low > bound,
                !decided.counts.contains(where: { count in regressed.contains { $0.sameRow(as: count.comparison) } })
            else { continue }
            unexplainedTime.append(UnexplainedTime(decided: decided, estimate: estimate))
        }
    }

    /// The counts that decided a time row, if any did.
    public func decider(of comparison: Comparison) -> DecidedByCount? {
        decidedByCount.first { $0.time.sameRow(as: comparison) }
    }

    /// Whether a decided time row is one of `unexplainedTime`.
    public func isUnexplained(_ comparison: Comparison) -> Bool {
        unexplainedTime.contains { $0.decided.time.sameRow(as: comparison) }
    }
}

extension Comparison {
    /// The same configuration and sides (any metric).
    public func sameConfiguration(as other: Comparison) -> Bool {
        shape == other.shape && layout == other.layout && nodes == other.nodes && threads == other.threads && python == other.python && sideA == other.sideA
            && sideB == other.sideB
    }

    /// The same configuration, sides and metric: one row of the tables.
    public func sameRow(as other: Comparison) -> Bool { metric == other.metric && sameConfiguration(as: other) }
}
