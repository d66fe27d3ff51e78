import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The trace replays' chart data: `chart-data/replay-rss.csv` (`ChartData.replayRSS`) and `replay-rss.txt` (its
/// title lines), written only for an experiment with `"traces"` (plot-replay.gnuplot draws `charts/replay-rss`), and
/// the comparisons with the first allocator (`writeNamedComparisons`: `charts/replay-comparison-*`).
extension ChartDataWriter {
    package static let replayStem = "replay-rss"

    /// The replay comparison charts, each trace under each allocator ÷ under the first.
    package static let replayComparisons = [
        NamedComparisonChart(stem: "replay-comparison-usable", metric: "peak_live_usable_bytes", name: "Live usable bytes at the peak"),
        NamedComparisonChart(stem: "replay-comparison-rss", metric: TrialTable.rssGrowthAtPeak, name: "RSS growth at the peak"),
        NamedComparisonChart(stem: "replay-comparison-ns", metric: "replay_ns_per_event", name: "Replay ns per event"),
    ]

    static func writeReplay(_ folder: ResultsFolder, comparisons: [Comparison], into directory: URL) throws {
        guard let traces = folder.experiment.traces else { return }
        try writeNamedComparisons(
            folder, comparisons: comparisons, charts: Self.replayComparisons, names: traces.map(\.name), column: "trace",
            prefix: "replay-comparison", into: directory)
        let table = ChartData.replayRSS(samples: folder.sampleRows, run: folder.run)
        try AtomicFile.write(table.text, to: directory.appendingPathComponent(replayStem + ".csv"))
        let names = traces.map { trace in trace.name + (trace.events.map { " (\($0) events)" } ?? "") }.joined(separator: ", ")
        let first = "\(folder.experiment.name) · traces \(names) · repetitions \(folder.experiment.repetitions)"
        try AtomicFile.write(([first] + measuredWith(folder)).joined(separator: "\n") + "\n", to: directory.appendingPathComponent(replayStem + ".txt"))
    }

    /// The replay charts drawn in `charts/` (PNG and SVG), if any: RSS over the replay, then the comparisons.
    static func replayCharts(in charts: URL) -> [URL] {
        ["png", "svg"].map { charts.appendingPathComponent("\(replayStem).\($0)") }.filter { FileManager.default.fileExists(atPath: $0.path) }
            + drawn(replayComparisons, in: charts)
    }
}
