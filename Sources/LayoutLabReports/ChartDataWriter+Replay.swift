import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The trace replays' chart data: `chart-data/replay-rss.csv` (`ChartData.replayRSS`) and `replay-rss.txt` (its
/// title lines), written only for an experiment with `"traces"` (plot-replay.gnuplot draws `charts/replay-rss`).
extension ChartDataWriter {
    package static let replayStem = "replay-rss"

    static func writeReplay(_ folder: ResultsFolder, into directory: URL) throws {
        guard let traces = folder.experiment.traces else { return }
        let table = ChartData.replayRSS(samples: folder.sampleRows, run: folder.run)
        try AtomicFile.write(table.text, to: directory.appendingPathComponent(replayStem + ".csv"))
        let names = traces.map { trace in trace.name + (trace.events.map { " (\($0) events)" } ?? "") }.joined(separator: ", ")
        let first = "\(folder.experiment.name) · traces \(names) · repetitions \(folder.experiment.repetitions)"
        try AtomicFile.write(([first] + measuredWith(folder)).joined(separator: "\n") + "\n", to: directory.appendingPathComponent(replayStem + ".txt"))
    }

    /// The replay chart drawn in `charts/` (PNG and SVG), if any.
    static func replayCharts(in charts: URL) -> [URL] {
        ["png", "svg"].map { charts.appendingPathComponent("\(replayStem).\($0)") }.filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
