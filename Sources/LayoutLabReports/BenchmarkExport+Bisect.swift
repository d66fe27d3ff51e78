import LayoutLabModel
import LayoutLabTables

extension BenchmarkExport {
    /// `bisect`: every tested build's figure in every configuration of its probe (geometric mean over its
    /// repetitions; build 1 once, from the first probe), named `shape/layout/nodes[/Tn]/build-<k>`, with the ratio
    /// to build 1, its interval and the verdict in `extra`. A row without a figure is no entry.
    package static func entries(_ rows: [BisectRow]) -> [BenchmarkExportEntry] {
        var entries: [BenchmarkExportEntry] = []
        for row in rows {
            let name = name(shape: row.shape, layout: row.layout, nodes: row.nodes, threads: row.threads, side: "build-\(row.buildIndex)")
            guard !entries.contains(where: { $0.name == name && $0.metric == row.metric }) else { continue }
            let ratio = row.ratio.map { "÷ build 1 \(ComparisonTable.format4($0))" } ?? "no ratio"
            let interval = zipBounds(row.ratioLow, row.ratioHigh).map { " 95 % [\(ComparisonTable.format4($0.0)), \(ComparisonTable.format4($0.1))]" } ?? ""
            let context = row.buildIndex == 1 ? "build 1, known good" : "\(ratio)\(interval), build \(row.verdict)"
            guard let entry = BenchmarkExportEntry(
                name: name, metric: row.metric, unit: MetricUnit.of(row.metric), value: row.geometricMean,
                direction: MetricDirection(metric: row.metric),
                extra: "geometric mean of \(row.repetitions) repetition\(row.repetitions == 1 ? "" : "s") of \(row.buildPath) (sha256 \(row.buildSha256 ?? "unreadable")); \(context)")
            else { continue }
            entries.append(entry)
        }
        return entries
    }

    private static func zipBounds(_ low: Double?, _ high: Double?) -> (Double, Double)? {
        guard let low, let high else { return nil }
        return (low, high)
    }
}
