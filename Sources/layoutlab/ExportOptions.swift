import ArgumentParser
import LayoutLabExperiments
import Foundation
import LayoutLabModel
import LayoutLabReports

/// `--export FORMAT --export-file PATH`: the figures of `compare` or `trend` for a continuous-benchmarking service.
struct ExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also write the figures for a continuous-benchmarking service: `github-benchmark` (github-action-benchmark's customSmallerIsBetter JSON; higher-is-better figures in <file>-bigger-is-better.json) or `bencher` (Bencher Metric Format JSON).",
        valueName: "format"))
    var export: String?

    @Option(help: ArgumentHelp("Where --export writes (default: benchmark-<format>.json beside the command's CSV file).", valueName: "path"))
    var exportFile: String?

    func validate() throws {
        let formats = BenchmarkExport.Format.allCases.map(\.rawValue)
        if let export, BenchmarkExport.Format(rawValue: export) == nil {
            throw ValidationError("--export takes \(formats.joined(separator: " or ")), got \(export)\(Suggestion.hint(for: export, among: formats))")
        }
        if exportFile != nil, export == nil { throw ValidationError("--export-file needs --export FORMAT (\(formats.joined(separator: " or ")))") }
    }

    /// Writes `entries` when asked; prints what was written.
    func write(_ entries: [BenchmarkExportEntry], besides csv: URL) throws {
        guard let export, let format = BenchmarkExport.Format(rawValue: export) else { return }
        let url = exportFile.map { URL(fileURLWithPath: $0) }
            ?? csv.deletingLastPathComponent().appendingPathComponent("benchmark-\(format.rawValue).json")
        let written = try BenchmarkExport.write(entries, format: format, to: url)
        print("export (\(format.rawValue)): \(written.files.map(\.path).joined(separator: ", ")) — \(entries.count) figures")
        for note in written.notes where format == .githubBenchmark { print("  \(note)") }
    }
}
