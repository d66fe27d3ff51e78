import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults

/// The program charts' data (`"programs"` experiments only): `chart-data/program-rss.csv` and
/// `chart-data/program-rss.txt` (its title lines), drawn by `plot-programs.gnuplot` as `charts/program-rss.png`; the
/// comparisons with the first allocator, `chart-data/program-comparison-*.csv` (listed in
/// `program-comparison-charts.txt`, titled by `program-comparison.txt`), drawn as `charts/program-comparison-*.png`.
extension ChartDataWriter {
    package static let programChartStem = "program-rss"

    /// The program comparison charts, each program under each allocator ÷ under the first.
    package static let programComparisons = [
        NamedComparisonChart(stem: "program-comparison-peak", metric: "peak_rss_bytes", name: "Peak RSS (ru_maxrss)"),
        NamedComparisonChart(stem: "program-comparison-wall", metric: "program_wall_ns", name: "Wall time"),
    ]

    static func writePrograms(_ folder: ResultsFolder, samples: [SampleRow], comparisons: [Comparison], into directory: URL) throws {
        guard folder.experiment.programs != nil else { return }
        try writeNamedComparisons(
            folder, comparisons: comparisons, charts: Self.programComparisons, names: (folder.experiment.programs ?? []).map(\.name),
            column: "program", prefix: "program-comparison", into: directory)
        let table = ChartData.programRSS(samples: samples, run: folder.run)
        try AtomicFile.write(table.text, to: directory.appendingPathComponent(programChartStem + ".csv"))
        // Allocators whose drawn trials have no allocated figure at all (mimalloc's mi_process_info has none).
        func has(_ column: String, _ row: [String?]) -> Bool { table.header.firstIndex(of: column).map { row[$0] != nil } ?? false }
        let drawn = Set(table.rows.compactMap { $0[1] })
        let counted = Set(table.rows.filter { has("allocated_mib", $0) }.compactMap { $0[1] })
        let lacking = folder.experiment.allocators.map(\.name).filter { drawn.contains($0) && !counted.contains($0) }
        let agent = folder.experiment.allocatorSampleIntervalMs.map { "every \($0) ms and at exit" } ?? "at exit only"
        var lines = [
            "\(folder.experiment.name) · each allocator's median repetition by peak RSS (ru_maxrss) · sampled every \(folder.experiment.sampleIntervalMs) ms",
            "dashed: allocated bytes as the allocator counts them (the lab's agent, \(agent)"
                + (lacking.isEmpty ? ")" : "; none from \(lacking.joined(separator: ", ")))"),
        ]
        if table.rows.contains(where: { has("tree_rss_mib", $0) }) {
            lines.append("dotted: RSS summed over the program's process tree (programs of several processes; at the samples that scanned it)")
        }
        let title = (lines + measuredWith(folder)).joined(separator: "\n")
        try AtomicFile.write(title + "\n", to: directory.appendingPathComponent(programChartStem + ".txt"))
    }

    /// The program charts drawn in `charts/` (PNG and SVG): RSS over time, then the comparisons.
    static func programCharts(in charts: URL) -> [URL] {
        ["png", "svg"].map { charts.appendingPathComponent("\(programChartStem).\($0)") }.filter { FileManager.default.fileExists(atPath: $0.path) }
            + drawn(programComparisons, in: charts)
    }
}
