import ArgumentParser
import Foundation
import LayoutLabModel
import LayoutLabReports
import LayoutLabResults

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the charts of a results folder with gnuplot (PNG and SVG in DIR/charts).",
        discussion: """
            Writes the derived tables in DIR/chart-data, then runs plot.gnuplot. Each shape is drawn at the \
            largest node count; with several shapes, each has its own DIR/charts/<shape>. Needs gnuplot \
            (apt-get install gnuplot-nox).

            Exit status: 0 charts drawn; 1 gnuplot or its script missing, or a chart failed; 2 the path is not a \
            results folder.
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

/// Draws a folder's charts. A path that is not a results folder is bad input (exit 2, as `compare` says it);
/// a missing gnuplot or script, or a failed drawing, exits 1.
func drawCharts(_ directory: String, script: String?) throws -> [URL] {
    let folder = try step(endingWith: .badInput) { try openResultsFolder(directory) }
    return try step(endingWith: .failure) {
        guard let path = script.map({ URL(fileURLWithPath: $0) }) ?? ChartPlotter.defaultScript() else {
            throw ChartPlotError.noDefaultScript
        }
        return try ChartPlotter(script: path).plot(folder)
    }
}

/// Refuses a path that does not exist or is a file, naming it, before looking for a results folder there.
func requireDirectory(_ path: String) throws(ResultsFolderError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .doesNotExist(path: path) }
    guard isDirectory.boolValue else { throw .notADirectory(path: path) }
}

/// The results folder at `path`, read from the folder alone.
func openResultsFolder(_ path: String) throws -> ResultsFolder {
    try requireDirectory(path)
    return try ResultsFolder.open(URL(fileURLWithPath: path))
}
