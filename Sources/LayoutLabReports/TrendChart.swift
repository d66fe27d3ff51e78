import Foundation
import LayoutLabAnalysis
import LayoutLabHost
import LayoutLabModel
import LayoutLabTables

/// The charts of `layoutlab trend`: the chart data in `OUT/chart-data/` (the lab does the statistics), drawn by
/// `plot-trend.gnuplot` into `OUT/charts/trend-<metric>[-<page>].png` and `.svg`. x: the folders in order,
/// with their labels; y: the metric in its unit; a line per configuration with its 95 % whiskers; a red ring and
/// the step's ratio where a step is a change beyond noise. More than `seriesPerChart` configurations are drawn
/// as several charts of a metric (pages).
package enum TrendChart {
    package static let scriptName = "plot-trend.gnuplot"
    /// `stem scale` pairs (`trend-usable_bytes_per_node log`) for the script.
    package static let listFile = "trend-charts.txt"
    package static let seriesPerChart = 8

    /// The chart data header: one row per configuration and folder with a number.
    static let header = ["series", "configuration", "x", "label", "geomean", "ci95_low", "ci95_high", "change", "step_ratio"]

    /// Writes every chart's data; returns the stems in order.
    @discardableResult
    package static func writeData(_ trend: Trend, folders: TrendReport.Folders, subtitle: String, into out: URL) throws -> [String] {
        let data = out.appendingPathComponent(ChartDataWriter.directoryName)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var list: [String] = []
        var stems: [String] = []
        for metric in trend.metrics {
            let all = trend.series.filter { $0.metric == metric }
            let pages = stride(from: 0, to: all.count, by: seriesPerChart).map { Array(all[$0..<min($0 + seriesPerChart, all.count)]) }
            for (page, series) in pages.enumerated() {
                let stem = "trend-" + fileSafe(metric) + (pages.count > 1 ? "-\(page + 1)" : "")
                var table = CSVTable(header: header)
                var values: [Double] = []
                for (number, item) in series.enumerated() {
                    for (index, point) in item.points.enumerated() {
                        guard let point, let mean = point.geometricMean else { continue }
                        let step = item.steps.first { $0.from == index - 1 }
                        values.append(contentsOf: [mean, point.low, point.high].compactMap { $0 })
                        table.append([
                            String(number + 1), item.configuration.name, String(index + 1), folders.labels[index],
                            TrialsTable.precisionCell(mean), TrialsTable.precisionCell(point.low), TrialsTable.precisionCell(point.high),
                            step?.change == true ? "1" : "0", TrialsTable.precisionCell(step?.comparison.ratio),
                        ])
                    }
                }
                let positive = values.filter { $0 > 0 }
                let logScale = positive.count == values.count && (positive.max() ?? 1) / (positive.min() ?? 1) > 10
                try AtomicFile.write(table.text, to: data.appendingPathComponent(stem + ".csv"))
                try AtomicFile.write(series.map(\.configuration.name).joined(separator: "\n") + "\n", to: data.appendingPathComponent(stem + "-series.txt"))
                let pageText = pages.count > 1 ? " (configurations \(page * seriesPerChart + 1)–\(page * seriesPerChart + series.count) of \(all.count))" : ""
                try AtomicFile.write(title(metric, trend: trend, pageText: pageText) + "\n" + subtitle + "\n", to: data.appendingPathComponent(stem + ".txt"))
                try AtomicFile.write(folders.labels.joined(separator: "\n") + "\n", to: data.appendingPathComponent(stem + "-labels.txt"))
                try AtomicFile.write("\(metric) (\(MetricUnit.of(metric) ?? "no unit"))\n", to: data.appendingPathComponent(stem + "-ylabel.txt"))
                list.append("\(stem) \(logScale ? "log" : "linear")")
                stems.append(stem)
            }
        }
        try AtomicFile.write(list.joined(separator: " ") + "\n", to: data.appendingPathComponent(listFile))
        return stems
    }

    /// What the chart shows, its unit and how it was measured.
    static func title(_ metric: String, trend: Trend, pageText: String) -> String {
        let unit = MetricUnit.of(metric) ?? "no unit"
        let direction = MetricDirection(metric: metric).rawValue
        return "\(metric) (\(unit), \(direction)) across \(trend.folders) results folders\(pageText)\n"
            + "point: geometric mean of the folder's repetitions; whiskers: its 95 % Student-t interval on log values\n"
            + "red ring: step from the previous folder beyond noise (Welch t on logs; Holm–Bonferroni over \(trend.testedSteps) tested steps, 5 %), labelled with its ratio"
    }

    /// Runs the script on `out`; returns the charts drawn.
    package static func plot(into out: URL, stems: [String], script: URL) throws -> [URL] {
        guard let gnuplot = ExternalCommand.locate("gnuplot") else { throw ChartPlotError.gnuplotNotInstalled }
        guard FileManager.default.fileExists(atPath: script.path) else { throw ChartPlotError.noScript(path: script.path) }
        let escaped = out.path.replacing("'", with: "''")
        guard let result = ExternalCommand.run([gnuplot, "-e", "out='\(escaped)'", script.path], mergeStandardError: true) else {
            throw ChartPlotError.cannotStart(gnuplot: gnuplot)
        }
        guard result.status == 0 else { throw ChartPlotError.gnuplotFailed(script: script.path, output: result.text) }
        let charts = out.appendingPathComponent("charts")
        return stems.flatMap { stem in ["png", "svg"].map { charts.appendingPathComponent("\(stem).\($0)") } }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// `plot-trend.gnuplot` at the top of the package this lab was built from.
    package static func defaultScript() -> URL? {
        ChartPlotter.defaultScript()?.deletingLastPathComponent().appendingPathComponent(scriptName)
    }

    /// A metric name as a file name: `traverse-rnd.ns_per_node` stays, anything but letters, digits, `-_.` becomes `_`.
    static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}
