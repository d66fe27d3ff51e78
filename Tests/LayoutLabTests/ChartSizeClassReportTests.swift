import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis

/// A folder with a sweep and a shape with a length distribution (issue 15): `layoutlab report` draws the
/// sweep's staircase and the size-class chart, the report shows them, and the sweep's members get no charts
/// of their own. The figures are made up (the codegen of `bytes` and `string` fields is not there yet): this
/// checks the drawing and the report, `ChartSizeClassTests` the arithmetic.
@Suite("Size-class charts in the report", .serialized)
struct ChartSizeClassReportTests {
    static let experiment = """
        { "name": "sizes", "layouts": ["final-class"],
          "shapes": [ { "name": "blob", "fields": [ {"name": "data", "type": "bytes", "length": {"from": 8, "to": 512, "step": 8}} ] },
                      { "name": "row", "fields": [ {"name": "id", "type": "int64"}, {"name": "name", "type": "string", "length": {"uniform": [16, 40]}} ] } ],
          "nodes": [1000], "allocators": ["system", "jemalloc"], "repetitions": 1 }
        """

    /// The fixture's environment with this experiment, its trials' made-up figures and `allocation-sizes.csv`.
    static func folder() throws -> URL {
        let folder = try ChartReportTests.fixtureCopy()
        let file = folder.appendingPathComponent(ResultsFolder.experimentFile)
        try experiment.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try ExperimentLoader().load(path: file.path)
        var records: [TrialRecord] = []
        var sizes = "trial_id,requested_bytes,allocations,usable_bytes\n"
        for trial in TrialPlan.trials(for: loaded) {
            let jemalloc = trial.allocator.name == "jemalloc"
            func usable(_ request: Int) -> Int { jemalloc ? (request <= 128 ? (request + 15) / 16 * 16 : (request + 63) / 64 * 64) : max(24, (request + 8 + 15) / 16 * 16 - 8) }
            let requested = 16 + (trial.shape.sweep?.length ?? 24)
            records.append(TrialRecord(trial: trial, status: .ok, metrics: TrialMetrics(
                rssBytesPerNode: Double(usable(requested) + 8 + (jemalloc ? 0 : 8)), requestedBytesPerNode: Double(requested),
                usableBytesPerNode: Double(usable(requested))), probeNodes: 1000))
            guard trial.shape.name == "row" else { continue }
            sizes += "\(trial.id),40,1000,\(usable(40))\n"
            for length in 16...40 { sizes += "\(trial.id),\(17 + length),40,\(usable(17 + length))\n" }
        }
        try AtomicFile.write(TrialsTable.schema.table(records).text, to: folder.appendingPathComponent(ResultsFolder.trialsFile))
        try AtomicFile.write(CSVTable(header: SamplesTable.header).text, to: folder.appendingPathComponent(ResultsFolder.samplesFile))
        try AtomicFile.write(CSVTable(header: PhasesTable.header).text, to: folder.appendingPathComponent(ResultsFolder.phasesFile))
        try AtomicFile.write(sizes, to: folder.appendingPathComponent(ResultsFolder.allocationSizesFile))
        return folder
    }

    @Test func theReportShowsTheStaircaseAndTheSizeClasses() throws {
        let folder = try Self.folder()
        let result = try TestSupport.run("layoutlab", ["report", folder.path])
        try #require(result.status == 0, "\(result.stderr)")
        let staircase = folder.appendingPathComponent("charts/staircase-blob-final-class.svg")
        let svg = try String(contentsOf: staircase, encoding: .utf8)
        #expect(svg.contains("sweep blob: field data bytes[8…512], 64 sizes") && svg.contains("1000 nodes · 1 repetition"))
        #expect(svg.contains("requested bytes per node (B/node, log scale)") && svg.contains("y = x: exactly the request"))
        #expect(try ChartReportTests.pngSize(folder.appendingPathComponent("charts/staircase-blob-final-class.png")) == (1600, 1000))
        let sizes = try String(contentsOf: folder.appendingPathComponent("charts/size-classes-final-class.svg"), encoding: .utf8)
        #expect(sizes.contains("jemalloc: 2000 blocks of 26 sizes in"), "the panel says what it counts")
        #expect(sizes.contains("waste (B/node)") && sizes.contains("requested bytes of one allocation (B)"))
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("### Size-class staircase") && report.contains("![staircase-blob-final-class](charts/staircase-blob-final-class.png)"))
        #expect(report.contains("![size-classes-final-class](charts/size-classes-final-class.png)"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("charts/blob-8").path), "a sweep member has no charts of its own")
        #expect(!report.contains("### Shape blob-8"))
    }

    @Test func withoutAllocationSizesThereIsNoSizeClassChart() throws {
        let folder = try Self.folder()
        try FileManager.default.removeItem(at: folder.appendingPathComponent(ResultsFolder.allocationSizesFile))
        let result = try TestSupport.run("layoutlab", ["report", folder.path])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("charts/size-classes-final-class.png").path))
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(!report.contains("size-classes") && report.contains("![staircase-blob-final-class]"))
    }
}
