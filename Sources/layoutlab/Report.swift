import ArgumentParser
import Foundation
import LayoutLabReports
import LayoutLabResults

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write DIR/report.md: how it was measured, the trials, per-node and comparison tables, phases, charts.",
        discussion: """
            Draws the charts first (as `layoutlab plot`), unless --no-charts; the report links them.

            Exit status: 0 report written; 1 charts or report could not be written; 2 the path is not a results folder.
            """ + CommandExamples.report)

    @OptionGroup var chart: ChartOptions

    @Flag(help: "Write the report without drawing charts (no gnuplot needed).")
    var noCharts = false

    func run() throws {
        let charts = noCharts ? [] : try chart.draw()
        let folder = try step(endingWith: .badInput) { try openResultsFolder(chart.directory) }
        let report = try step(endingWith: .failure) { try ReportWriter.write(for: folder, charts: charts) }
        for chart in charts where chart.pathExtension == "png" { print("chart: \(chart.path)") }
        print("report: \(report.path)")
    }
}
