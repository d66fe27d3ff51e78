import Foundation
import LayoutLabTables

/// How far one time metric moved between two runs across all their matched configurations: the geometric mean
/// of the per-configuration ratios B ÷ A, their range, the same per allocator, and the typical within-run
/// 95 % half-width (the median over rows of the interval's half-width, as a factor: 1.08 is ×/÷ 1.08).
///
/// The interval of one row holds the spread of its repetitions within each run only; what changes between two
/// runs (the machine's load, its clock, the page cache, a neighbour) moves every configuration together and is
/// not in it. A shift larger than the typical half-width is drift or a global change, and two runs cannot
/// tell which: trials of both builds interleaved in one run can (`compare DIR --by allocator`), or a control
/// allocator measured in both runs (`compare A B --control`).
public struct RunShift: Sendable {
    public var metric: String
    public var configurations: Int
    /// The geometric mean of the per-configuration ratios B ÷ A.
    public var ratio: Double
    public var lowest: Double
    public var highest: Double
    /// The geometric mean of the ratios of each allocator (side A's name), in table order.
    public var byAllocator: [(allocator: String, ratio: Double, configurations: Int)]
    /// The median within-run half-width as a factor; nil when no row has an interval.
    public var typicalHalfWidth: Double?

    /// True when the shift is larger than the typical within-run half-width: on its own it would carry a row's
    /// interval past 1.
    public var exceedsWithinRunNoise: Bool {
        guard let typicalHalfWidth else { return false }
        return abs(log(ratio)) > log(typicalHalfWidth)
    }

    /// Every ratio on the same side of 1.
    public var everyConfiguration: Bool { lowest > 1 || highest < 1 }

    /// Time metrics: names ending in `_ns_per_node` or `_ns`, or a phase's `ns_per_node` (not
    /// `instructions_per_node`).
    public static func isTime(_ metric: String) -> Bool {
        let name = metric.split(separator: ".").last.map(String.init) ?? metric
        return name == "ns_per_node" || name.hasSuffix("_ns_per_node") || name.hasSuffix("_ns")
    }

    /// One shift per time metric compared over at least two configurations with a ratio, in metric order.
    public static func shifts(_ comparisons: [Comparison]) -> [RunShift] {
        var metrics: [String] = []
        for comparison in comparisons where isTime(comparison.metric) && !metrics.contains(comparison.metric) {
            metrics.append(comparison.metric)
        }
        return metrics.compactMap { metric in
            let rows = comparisons.filter { $0.metric == metric && $0.ratio != nil }
            return rows.count >= 2 ? RunShift(metric: metric, rows: rows) : nil
        }
    }

    init(metric: String, rows: [Comparison]) {
        self.metric = metric
        let ratios = rows.compactMap(\.ratio)
        configurations = ratios.count
        ratio = RatioEstimate.geometricMean(ratios) ?? 1
        lowest = ratios.min() ?? 1
        highest = ratios.max() ?? 1
        var allocators: [String] = []
        for row in rows where !allocators.contains(row.sideA) { allocators.append(row.sideA) }
        byAllocator = allocators.map { side in
            let own = rows.filter { $0.sideA == side }.compactMap(\.ratio)
            let name = side.hasSuffix(" (A)") ? String(side.dropLast(4)) : side
            return (name, RatioEstimate.geometricMean(own) ?? 1, own.count)
        }
        let halfWidths = rows.compactMap { row -> Double? in
            guard case .success(let estimate) = row.estimate, estimate.method != .exact else { return nil }
            return (estimate.high / estimate.low).squareRoot()
        }
        typicalHalfWidth = PerNodeSummary.median(halfWidths)
    }
}
