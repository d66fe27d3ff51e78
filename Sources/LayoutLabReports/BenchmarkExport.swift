import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabTables

/// One figure for a continuous-benchmarking service (`compare`, `trend` and `bisect --export`): what it is
/// (`name`: the configuration, `metric`), its unit, its value (a geometric mean over repetitions, finite) and
/// 95 % interval, which way is better, and a line of context. A figure without a number is no entry: never 0.
package struct BenchmarkExportEntry: Sendable, Equatable {
    /// The configuration: `shape/layout/nodes[/Tn]/allocator`.
    package var name: String
    /// The lab's metric name (`usable_bytes_per_node`).
    package var metric: String
    /// `bytes/node`, `ns/node`, ...; "1" for a figure without a unit.
    package var unit: String
    package var value: Double
    package var low: Double?
    package var high: Double?
    package var direction: MetricDirection
    /// How the value was obtained, and the comparison or step it belongs to.
    package var extra: String

    /// Nil when `value` (or a bound) is not a finite number.
    package init?(
        name: String, metric: String, unit: String?, value: Double?, low: Double? = nil, high: Double? = nil,
        direction: MetricDirection, extra: String
    ) {
        guard let value, value.isFinite else { return nil }
        let bounds = [low, high].compactMap { $0 }
        guard bounds.allSatisfy(\.isFinite) else { return nil }
        self.name = name
        self.metric = metric
        self.unit = unit ?? "1"
        self.value = value
        self.low = bounds.count == 2 ? low : nil
        self.high = bounds.count == 2 ? high : nil
        self.direction = direction
        self.extra = extra
    }
}

/// The formats `--export` writes (`BenchmarkExport+GitHub`, `BenchmarkExport+Bencher`) and the entries of
/// `compare` and `trend`.
package enum BenchmarkExport {
    package enum Format: String, Sendable, CaseIterable {
        /// github-action-benchmark's `customSmallerIsBetter` (and `customBiggerIsBetter`) JSON.
        case githubBenchmark = "github-benchmark"
        /// Bencher Metric Format (BMF) JSON, for `bencher run --adapter json --file`.
        case bencher
    }

    /// The configuration part of an entry's name.
    static func name(shape: String, layout: String, nodes: Int, threads: Int?, side: String) -> String {
        "\(shape)/\(layout)/\(nodes)\(threads.map { "/T\($0)" } ?? "")/\(side)"
    }

    /// `compare`: with two folders, B's figure of every compared row (the run being tracked), with B ÷ A in
    /// `extra`; within one folder, every side's figure (the baseline's once), with the ratio to the baseline.
    package static func entries(_ comparisons: [Comparison], acrossRuns: Bool) -> [BenchmarkExportEntry] {
        var entries: [BenchmarkExportEntry] = []
        for comparison in comparisons {
            let ratio = comparison.ratio.map(ComparisonTable.format4) ?? "no ratio"
            let interval = comparison.interval.map { " 95 % [\(ComparisonTable.format4($0.low)), \(ComparisonTable.format4($0.high))]" } ?? ""
            let versus = "B ÷ A \(ratio)\(interval) \(comparison.verdict.isEmpty ? comparison.methodLabel : comparison.verdict) (A: \(comparison.sideA))"
            var sides: [(String, [Double], String)] = []
            if acrossRuns {
                sides.append((String(comparison.sideB.dropLast(comparison.sideB.hasSuffix(" (B)") ? 4 : 0)), comparison.valuesB, versus))
            } else {
                sides.append((comparison.sideA, comparison.valuesA, "baseline"))
                sides.append((comparison.sideB, comparison.valuesB, "÷ \(comparison.sideA) \(ratio)\(interval) \(comparison.verdict)"))
            }
            for (side, values, context) in sides where !values.isEmpty {
                let point = GeometricMeanInterval(values)
                let name = name(shape: comparison.shape, layout: comparison.layout, nodes: comparison.nodes, threads: comparison.threads, side: side)
                guard !entries.contains(where: { $0.name == name && $0.metric == comparison.metric }),
                    let entry = BenchmarkExportEntry(
                        name: name, metric: comparison.metric, unit: MetricUnit.of(comparison.metric), value: point.geometricMean,
                        low: point.low, high: point.high, direction: comparison.direction,
                        extra: "geometric mean of \(point.count) repetition\(point.count == 1 ? "" : "s"), \(point.methodLabel); \(context)")
                else { continue }
                entries.append(entry)
            }
        }
        return entries
    }

    /// `trend`: each series' figure in the last folder (the newest point of the series), with the last step.
    package static func entries(_ trend: Trend, labels: [String]) -> [BenchmarkExportEntry] {
        trend.series.compactMap { series in
            guard let point = series.points.last ?? nil else { return nil }
            let last = trend.folders - 1
            let step = series.steps.first { $0.from == last - 1 }
            let stepText = step.map { step in
                "step from \(labels[last - 1]): ×\(step.comparison.ratio.map(ComparisonTable.format4) ?? "–") \(TrendReport.verdict(step, direction: series.direction))"
            } ?? "no step from the previous folder"
            let configuration = series.configuration
            return BenchmarkExportEntry(
                name: name(shape: configuration.shape, layout: configuration.layout, nodes: configuration.nodes, threads: configuration.threads, side: configuration.allocator),
                metric: series.metric, unit: MetricUnit.of(series.metric), value: point.geometricMean, low: point.low, high: point.high,
                direction: series.direction,
                extra: "\(labels[last]): geometric mean of \(point.count) repetition\(point.count == 1 ? "" : "s"), \(point.methodLabel); \(stepText); \(series.changes.count) change\(series.changes.count == 1 ? "" : "s") over \(trend.folders) folders")
        }
    }

    /// Writes `entries` in `format` to `url` (github-benchmark: a second file for higher-is-better figures);
    /// returns what was written and what was left out.
    package static func write(_ entries: [BenchmarkExportEntry], format: Format, to url: URL) throws -> (files: [URL], notes: [String]) {
        switch format {
        case .bencher:
            try AtomicFile.write(try bencher(entries), to: url)
            return ([url], [])
        case .githubBenchmark:
            return try writeGitHub(entries, to: url)
        }
    }
}
