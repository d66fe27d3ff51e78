import ArgumentParser
import Foundation
import LayoutLab

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write DIR/report.md: how it was measured, the trials, per-node and comparison tables, phases, charts.",
        discussion: "Draws the charts first (as `layoutlab plot`), unless --no-charts; the report links them." + CommandExamples.report)

    @OptionGroup var chart: ChartOptions

    @Flag(help: "Write the report without drawing charts (no gnuplot needed).")
    var noCharts = false

    func run() throws {
        let charts = noCharts ? [] : try chart.draw()
        do {
            let folder = try ResultsFolder.open(URL(fileURLWithPath: chart.directory))
            let report = try ReportWriter.write(for: folder, charts: charts)
            for chart in charts where chart.pathExtension == "png" { print("chart: \(chart.path)") }
            print("report: \(report.path)")
        } catch {
            FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
