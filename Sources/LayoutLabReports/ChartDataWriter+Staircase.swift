import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The staircase charts' data: `chart-data/staircase-<family>-<layout>.csv` and `.txt` (its title lines),
/// and `chart-data/staircases.txt`, one line per chart: its name and `log` or `linear` (its x axis).
extension ChartDataWriter {
    package static let staircasesFile = "staircases.txt"

    static func writeStaircases(_ folder: ResultsFolder, into directory: URL) throws {
        let staircases = ChartData.staircases(run: folder.run)
        for staircase in staircases {
            try AtomicFile.write(staircase.table.text, to: directory.appendingPathComponent(staircase.stem + ".csv"))
            let title = (["\(folder.experiment.name) · \(staircase.title)"] + measuredWith(folder)).joined(separator: "\n")
            try AtomicFile.write(title + "\n", to: directory.appendingPathComponent(staircase.stem + ".txt"))
        }
        let listing = staircases.map { "\($0.stem) \($0.logX ? "log" : "linear")\n" }.joined()
        try AtomicFile.write(listing, to: directory.appendingPathComponent(staircasesFile))
    }

    /// The staircase charts drawn in `charts/` (PNG and SVG).
    static func staircaseCharts(in charts: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: charts, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("staircase-") && ["png", "svg"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }
}
