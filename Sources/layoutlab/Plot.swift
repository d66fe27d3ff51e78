import ArgumentParser
import Foundation
import LayoutLab

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the charts of a results folder with gnuplot (PNG and SVG in DIR/charts).",
        discussion: """
            Writes the derived tables in DIR/chart-data, then runs plot.gnuplot. Each shape is drawn at the \
            largest node count; with several shapes, each has its own DIR/charts/<shape>. Needs gnuplot \
            (apt-get install gnuplot-nox).
            """ + CommandExamples.plot)

    @OptionGroup var chart: ChartOptions

    func run() throws {
        for chart in try chart.draw() { print(chart.path) }
    }
}

/// The results folder and the gnuplot script, as `plot` and `report` take them.
struct ChartOptions: ParsableArguments {
    @Argument(help: "A results folder.", completion: .directory)
    var directory: String

    @Option(help: "The gnuplot script (default: plot.gnuplot of this lab's source tree).", completion: .file(extensions: ["gnuplot"]))
    var script: String?

    /// Draws the folder's charts.
    func draw() throws -> [URL] { try drawCharts(directory, script: script) }
}

/// Draws a folder's charts; a clear error (exit 1) when gnuplot or the script is missing.
func drawCharts(_ directory: String, script: String?) throws -> [URL] {
    do {
        guard let path = script.map({ URL(fileURLWithPath: $0) }) ?? ChartPlotter.defaultScript() else {
            throw RunError("cannot find plot.gnuplot; pass --script")
        }
        return try ChartPlotter(script: path).plot(try ResultsFolder.open(URL(fileURLWithPath: directory)))
    } catch {
        FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
