import LayoutLabSampling

/// Compares a metric between two sides (two allocators of one run, or one configuration in two runs):
/// the median of each side, their ratio (B ÷ A), and a 95 % confidence interval of that ratio by a
/// percentile bootstrap over the repetitions (10 000 resamples of each side with replacement, seeded, so
/// the interval is reproducible). A difference is beyond noise when the interval excludes 1.
public struct Comparison: Sendable {
    public static let method = "percentile bootstrap of the ratio of medians, 10000 resamples, seed 1"
    public static let defaultMetrics = ["rss_bytes_per_node", "usable_bytes_per_node", "allocate_ns_per_node"]

    public var shape: String
    public var layout: String
    public var nodes: Int
    public var sideA: String
    public var sideB: String
    public var metric: String
    public var valuesA: [Double]
    public var valuesB: [Double]

    public init(
        shape: String, layout: String, nodes: Int, sideA: String, sideB: String, metric: String,
        valuesA: [Double], valuesB: [Double]
    ) {
        self.shape = shape
        self.layout = layout
        self.nodes = nodes
        self.sideA = sideA
        self.sideB = sideB
        self.metric = metric
        self.valuesA = valuesA
        self.valuesB = valuesB
    }

    public var medianA: Double? { PerNodeSummary.median(valuesA) }
    public var medianB: Double? { PerNodeSummary.median(valuesB) }

    /// B ÷ A of the medians.
    public var ratio: Double? {
        guard let a = medianA, let b = medianB, a != 0 else { return nil }
        return b / a
    }

    /// The 95 % interval of the ratio; nil with fewer than two repetitions on a side.
    public var interval: (low: Double, high: Double)? {
        guard valuesA.count >= 2, valuesB.count >= 2 else { return nil }
        var generator = SplitMix64(seed: 1)
        var ratios: [Double] = []
        ratios.reserveCapacity(10_000)
        for _ in 0..<10_000 {
            let a = PerNodeSummary.median((0..<valuesA.count).map { _ in valuesA[Int(generator.next() % UInt64(valuesA.count))] })
            let b = PerNodeSummary.median((0..<valuesB.count).map { _ in valuesB[Int(generator.next() % UInt64(valuesB.count))] })
            if let a, let b, a != 0 { ratios.append(b / a) }
        }
        guard !ratios.isEmpty else { return nil }
        ratios.sort()
        return (ratios[Int(Double(ratios.count - 1) * 0.025)], ratios[Int(Double(ratios.count - 1) * 0.975)])
    }

    /// True when the interval excludes 1; nil when there is no interval.
    public var beyondNoise: Bool? { interval.map { $0.low > 1 || $0.high < 1 } }

    /// B worse than A (every compared metric is lower-is-better) by more than `percent`, beyond noise.
    public func regresses(abovePercent percent: Double) -> Bool {
        guard let ratio, let interval else { return false }
        return ratio > 1 + percent / 100 && interval.low > 1
    }

    /// Pairs the rows of two tables: for each configuration (shape, layout, nodes) and metric, side A's
    /// allocator `baseline` against every other allocator of the same table (`byAllocator`), or each
    /// allocator in table A against the same allocator in table B.
    /// What the sides of a comparison within one folder are.
    public enum Grouping: String, Sendable, CaseIterable {
        /// Allocators, each against the baseline allocator.
        case allocator
        /// Machines (the `host` column of a merged folder), each against the baseline host, allocator by allocator.
        case host
    }

    public static func pairs(
        _ a: TrialTable, _ b: TrialTable?, metrics: [String], baseline: String?, by grouping: Grouping = .allocator
    ) -> [Comparison] {
        struct Key: Hashable { var shape: String, layout: String, nodes: Int, allocator: String }
        // `allocator` holds the side: the allocator, or with `by host` the host and the allocator.
        func side(_ row: TrialTable.Row) -> String {
            grouping == .host && b == nil ? "\(row.cells["host"] ?? "?")|\(row.allocator)" : row.allocator
        }
        func grouped(_ table: TrialTable) -> [Key: [TrialTable.Row]] {
            Dictionary(grouping: table.rows) { Key(shape: $0.shape, layout: $0.layout, nodes: $0.nodes, allocator: side($0)) }
        }
        let groupsA = grouped(a)
        let orderedKeys = a.rows.map { Key(shape: $0.shape, layout: $0.layout, nodes: $0.nodes, allocator: side($0)) }
            .reduce(into: [Key]()) { if !$0.contains($1) { $0.append($1) } }
        var comparisons: [Comparison] = []
        for metric in metrics {
            if let b {
                let groupsB = grouped(b)
                for key in orderedKeys {
                    guard let rowsA = groupsA[key], let rowsB = groupsB[key] else { continue }
                    comparisons.append(Comparison(
                        shape: key.shape, layout: key.layout, nodes: key.nodes, sideA: "\(key.allocator) (A)",
                        sideB: "\(key.allocator) (B)", metric: metric,
                        valuesA: rowsA.compactMap { $0.value(metric) }, valuesB: rowsB.compactMap { $0.value(metric) }))
                }
            } else if grouping == .host {
                let base = baseline ?? a.rows.first?.cells["host"] ?? ""
                for key in orderedKeys {
                    let parts = key.allocator.split(separator: "|", maxSplits: 1).map(String.init)
                    guard parts.count == 2, parts[0] != base else { continue }
                    var baseKey = key
                    baseKey.allocator = "\(base)|\(parts[1])"
                    guard let rowsA = groupsA[baseKey], let rowsB = groupsA[key] else { continue }
                    comparisons.append(Comparison(
                        shape: key.shape, layout: key.layout, nodes: key.nodes, sideA: "\(base) \(parts[1])",
                        sideB: "\(parts[0]) \(parts[1])", metric: metric, valuesA: rowsA.compactMap { $0.value(metric) },
                        valuesB: rowsB.compactMap { $0.value(metric) }))
                }
            } else {
                let base = baseline ?? a.rows.first?.allocator ?? ""
                for key in orderedKeys where key.allocator != base {
                    var baseKey = key
                    baseKey.allocator = base
                    guard let rowsA = groupsA[baseKey], let rowsB = groupsA[key] else { continue }
                    comparisons.append(Comparison(
                        shape: key.shape, layout: key.layout, nodes: key.nodes, sideA: base, sideB: key.allocator,
                        metric: metric, valuesA: rowsA.compactMap { $0.value(metric) },
                        valuesB: rowsB.compactMap { $0.value(metric) }))
                }
            }
        }
        return comparisons
    }
}
