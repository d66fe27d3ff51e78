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
        let folder: ResultsFolder
        do {
            folder = try ResultsFolder.open(URL(fileURLWithPath: chart.directory))
        } catch {
            throw stop("\(error)", code: invalidInputExitCode)
        }
        do {
            let report = try ReportWriter.write(for: folder, charts: charts)
            for chart in charts where chart.pathExtension == "png" { print("chart: \(chart.path)") }
            print("report: \(report.path)")
        } catch {
            throw stop("\(error)")
        }
    }
}
