import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The program chart's data (`"programs"` experiments only): `chart-data/program-rss.csv` and
/// `chart-data/program-rss.txt` (its title lines), drawn by `plot-programs.gnuplot` as `charts/program-rss.png`.
extension ChartDataWriter {
    package static let programChartStem = "program-rss"

    static func writePrograms(_ folder: ResultsFolder, samples: [SampleRow], into directory: URL) throws {
        guard folder.experiment.programs != nil else { return }
        let table = ChartData.programRSS(samples: samples, run: folder.run)
        try AtomicFile.write(table.text, to: directory.appendingPathComponent(programChartStem + ".csv"))
        // Allocators whose drawn trials have no allocated figure at all (mimalloc's mi_process_info has none).
        let drawn = Set(table.rows.compactMap { $0.count > 1 ? $0[1] : nil })
        let counted = Set(table.rows.filter { ($0.last ?? nil) != nil }.compactMap { $0.count > 1 ? $0[1] : nil })
        let lacking = folder.experiment.allocators.map(\.name).filter { drawn.contains($0) && !counted.contains($0) }
        let agent = folder.experiment.allocatorSampleIntervalMs.map { "every \($0) ms and at exit" } ?? "at exit only"
        let title = ([
            "\(folder.experiment.name) · each allocator's median repetition by peak RSS (ru_maxrss) · sampled every \(folder.experiment.sampleIntervalMs) ms",
            "dashed: allocated bytes as the allocator counts them (the lab's agent, \(agent)"
                + (lacking.isEmpty ? ")" : "; none from \(lacking.joined(separator: ", ")))"),
        ] + measuredWith(folder)).joined(separator: "\n")
        try AtomicFile.write(title + "\n", to: directory.appendingPathComponent(programChartStem + ".txt"))
    }

    /// The program charts drawn in `charts/` (PNG and SVG).
    static func programCharts(in charts: URL) -> [URL] {
        ["png", "svg"].map { charts.appendingPathComponent("\(programChartStem).\($0)") }.filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
