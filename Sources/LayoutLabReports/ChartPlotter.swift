import Foundation
import LayoutLabHost
import LayoutLabModel
import LayoutLabResults

/// Runs `plot.gnuplot` on a results folder (after writing its chart data) and lists the charts it drew.
package struct ChartPlotter: Sendable {
    package var script: URL

    package init(script: URL) { self.script = script }

    /// `plot.gnuplot` at the top of the package this lab was built from.
    package static func defaultScript() -> URL? {
        EnvironmentProbe.packageRoot().map { $0.appendingPathComponent("plot.gnuplot") }
    }

    /// Draws every chart into `DIR/charts/` (`DIR/charts/<shape>/` when the experiment has several shapes,
    /// the staircases of sweeps, a program experiment's `program-rss` and `program-comparison-*` and a trace
    /// replay's `replay-rss` and `replay-comparison-*` in `DIR/charts/`); returns their paths, those last.
    package func plot(_ folder: ResultsFolder) throws -> [URL] {
        guard let gnuplot = ExternalCommand.locate("gnuplot") else {
            throw ChartPlotError.gnuplotNotInstalled
        }
        guard FileManager.default.fileExists(atPath: script.path) else { throw ChartPlotError.noScript(path: script.path) }
        try ChartDataWriter.write(for: folder)
        // plot.gnuplot makes each set's chart folder itself (it is also run by hand).
        let charts = folder.directory.appendingPathComponent("charts")
        let escaped = folder.directory.path.replacing("'", with: "''")
        guard let result = ExternalCommand.run([gnuplot, "-e", "results='\(escaped)'", script.path], mergeStandardError: true) else {
            throw ChartPlotError.cannotStart(gnuplot: gnuplot)
        }
        guard result.status == 0 else { throw ChartPlotError.gnuplotFailed(script: script.path, output: result.text) }
        let sets = ChartDataWriter.chartSets(of: folder.experiment).flatMap { set in
            let directory = charts.appendingPathComponent(set.subfolder).standardizedFileURL
            return ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
                .filter { ["png", "svg"].contains($0.pathExtension) && !$0.lastPathComponent.hasPrefix("staircase-") }
                .sorted { $0.path < $1.path }
        }
        return sets + ChartDataWriter.staircaseCharts(in: charts.standardizedFileURL) + ChartDataWriter.programCharts(in: charts.standardizedFileURL)
            + ChartDataWriter.replayCharts(in: charts.standardizedFileURL)
    }
}
