import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The comparison charts of programs and trace replays (`ChartData.namedComparison`): for each chart
/// `chart-data/<stem>.csv`, the list `chart-data/<prefix>-charts.txt` (stem, tab, what the chart calls its metric)
/// and the subtitle `chart-data/<prefix>.txt`; plot-comparison-list.gnuplot draws `charts/<stem>.png` for each line.
extension ChartDataWriter {
    /// One comparison chart: its file stem, the metric (a `trials.csv` column) and what the chart calls it.
    package struct NamedComparisonChart: Sendable {
        package var stem: String
        package var metric: String
        package var name: String
    }

    static func writeNamedComparisons(
        _ folder: ResultsFolder, comparisons: [Comparison], charts: [NamedComparisonChart], names: [String], column: String,
        prefix: String, into directory: URL
    ) throws {
        for chart in charts {
            let table = ChartData.namedComparison(comparisons, metric: chart.metric, names: names, column: column, run: folder.run)
            try AtomicFile.write(table.text, to: directory.appendingPathComponent(chart.stem + ".csv"))
        }
        try AtomicFile.write(charts.map { "\($0.stem)\t\($0.name)\n" }.joined(), to: directory.appendingPathComponent(prefix + "-charts.txt"))
        let title = ([
            "\(folder.experiment.name) · \(folder.experiment.repetitions) repetitions planned · over the successful ones of each side (n < 2: no interval)",
        ] + measuredWith(folder)).joined(separator: "\n")
        try AtomicFile.write(title + "\n", to: directory.appendingPathComponent(prefix + ".txt"))
    }

    /// The charts of `charts` drawn in `directory` (PNG and SVG).
    static func drawn(_ charts: [NamedComparisonChart], in directory: URL) -> [URL] {
        charts.flatMap { chart in ["png", "svg"].map { directory.appendingPathComponent("\(chart.stem).\($0)") } }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
