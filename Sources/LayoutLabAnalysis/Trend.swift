import Foundation
import LayoutLabModel
import LayoutLabStatistics

/// Each configuration's metrics across an ordered series of results folders (`layoutlab trend`): per folder the
/// geometric mean over the repetitions with its 95 % interval (`GeometricMeanInterval`), and per step between
/// consecutive folders the ratio later ÷ earlier with its interval, paired and computed as `compare A B` does
/// (`Comparison.pairs`, `RatioEstimate`). A step is a change when its two-sided test of "ratio = 1" is rejected
/// by Holm–Bonferroni over every tested step of every configuration and metric at a family-wise error of 5 %
/// (so its 95 % interval excludes 1, and a long flat series does not light up by chance). Steps whose
/// repetitions all gave one and the same value on both sides are no change and are not tested; deterministic
/// values that differ exactly are an exact ratio (p = 0): a change. A step without an interval (fewer than two
/// repetitions on a side, a value ≤ 0) cannot be decided and is listed as such.
///
/// As in `compare A B`, an interval holds the spread of repetitions within each run, not the drift between
/// runs: a time metric's step can be the machine's drift (`RunShift` of the step says how far the whole run moved).
public struct Trend: Sendable {
    public static let familyErrorRate = 0.05
    public static let correctionName = "Holm–Bonferroni over every tested step, family-wise error 5 % two-sided"

    /// What a series is of: the key `compare A B` pairs on.
    public struct Configuration: Hashable, Sendable {
        public var shape: String
        public var layout: String
        public var nodes: Int
        public var threads: Int?
        public var allocator: String

        /// "point final-class 20000 T4 jemalloc".
        public var name: String { "\(shape) \(layout) \(nodes)\(threads.map { " T\($0)" } ?? "") \(allocator)" }
    }

    /// One step between folder `from` and folder `from + 1`.
    public struct Step: Sendable {
        public var from: Int
        /// The pair, A = folder `from`, B = folder `from + 1`.
        public var comparison: Comparison
        /// The two-sided p-value of "ratio = 1" and its Holm-adjusted value; nil when not tested.
        public var pValue: Double?
        public var adjustedPValue: Double?
        /// Beyond noise after the correction.
        public var change: Bool
        /// Why the step could not be decided; nil when it was (tested, or identical).
        public var undecidable: String?
    }

    /// One configuration's metric across the folders.
    public struct Series: Sendable {
        public var metric: String
        public var configuration: Configuration
        /// Per folder, in order; nil where the folder has no number for this configuration and metric.
        public var points: [GeometricMeanInterval?]
        /// Between consecutive folders that both have points.
        public var steps: [Step]

        public var direction: MetricDirection { MetricDirection(metric: metric) }
        public var changes: [Step] { steps.filter(\.change) }
    }

    public var folders: Int
    public var series: [Series]
    /// The steps that were tested (for the family size Holm corrects over).
    public var testedSteps: Int
    /// Per step (index `from`), the whole run's shift of each time metric (`RunShift`).
    public var shifts: [[RunShift]]

    public init(_ tables: [TrialTable], metrics: [String]) {
        folders = tables.count
        func key(_ row: TrialTable.Row) -> Configuration {
            Configuration(shape: row.shape, layout: row.layout, nodes: row.nodes, threads: row.threads, allocator: row.allocator)
        }
        var configurations: [Configuration] = []
        var seen = Set<Configuration>()
        for table in tables { for row in table.rows where seen.insert(key(row)).inserted { configurations.append(key(row)) } }
        let grouped = tables.map { table in Dictionary(grouping: table.rows, by: key) }
        let pairs = (0..<max(0, tables.count - 1)).map { Comparison.pairs(tables[$0], tables[$0 + 1], metrics: metrics, baseline: nil) }
        shifts = pairs.map { RunShift.shifts($0) }

        var built: [Series] = []
        var candidates: [(series: Int, step: Int, p: Double)] = []
        for metric in metrics {
            for configuration in configurations {
                let points = grouped.map { groups -> GeometricMeanInterval? in
                    let values = groups[configuration]?.compactMap { $0.value(metric) } ?? []
                    return values.isEmpty ? nil : GeometricMeanInterval(values)
                }
                guard points.contains(where: { $0 != nil }) else { continue }
                var steps: [Step] = []
                for (from, comparisons) in pairs.enumerated() where points[from] != nil && points[from + 1] != nil {
                    guard let comparison = comparisons.first(where: { $0.metric == metric && Self.configuration(of: $0) == configuration })
                    else { continue }
                    var step = Step(from: from, comparison: comparison, change: false)
                    if !comparison.identical {
                        switch comparison.estimate {
                        case .success(let estimate):
                            let p = min(1, 2 * min(estimate.pValue(ratioAtMost: 1), estimate.pValue(ratioAtLeast: 1)))
                            step.pValue = p
                            candidates.append((built.count, steps.count, p))
                        case .failure(let reason):
                            step.undecidable = reason.explanation
                        }
                    }
                    steps.append(step)
                }
                built.append(Series(metric: metric, configuration: configuration, points: points, steps: steps))
            }
        }
        for (candidate, adjusted) in zip(candidates, HolmBonferroni.adjusted(candidates.map(\.p))) {
            built[candidate.series].steps[candidate.step].adjustedPValue = adjusted
            built[candidate.series].steps[candidate.step].change = adjusted <= Self.familyErrorRate
        }
        series = built
        testedSteps = candidates.count
    }

    /// The configuration of a two-run comparison (its sides are "X (A)" and "X (B)").
    static func configuration(of comparison: Comparison) -> Configuration {
        let allocator = comparison.sideA.hasSuffix(" (A)") ? String(comparison.sideA.dropLast(4)) : comparison.sideA
        return Configuration(
            shape: comparison.shape, layout: comparison.layout, nodes: comparison.nodes, threads: comparison.threads, allocator: allocator)
    }

    /// The metrics in series order.
    public var metrics: [String] {
        var names: [String] = []
        for item in series where !names.contains(item.metric) { names.append(item.metric) }
        return names
    }

    public var changes: [(series: Series, step: Step)] { series.flatMap { item in item.changes.map { (item, $0) } } }
    public var undecidable: [(series: Series, step: Step)] {
        series.flatMap { item in item.steps.filter { $0.undecidable != nil }.map { (item, $0) } }
    }
}
