import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabReports

/// Issue 16 must leave a classic experiment's chart data and report byte for byte as they were, and `compare`
/// must never pair trials of different thread counts.
@Suite("Threads: classic output unchanged, compare by thread count")
struct ThreadCompareAndClassicTests {
    /// `Fixtures/results-fixture-expected`: what the lab wrote for the fixture before threads existed
    /// (`layoutlab plot` and `report --no-charts` at commit 3b1cd28); the report's folder path is `FOLDER`.
    static func expected(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture-expected/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func aClassicExperimentsChartDataAndReportAreUnchanged() throws {
        let copy = try ChartReportTests.fixtureCopy()
        let folder = try ResultsFolder.open(copy)
        let directory = try ChartDataWriter.write(for: folder)
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let names = ["breakdown.csv", "comparison-ns.csv", "comparison-rss.csv", "growth.csv", "phase-times.csv", "phases.csv",
                     "shapes.txt", "staircases.txt", "subtitle.txt", "timeline.csv"]
        #expect(written == names, "no scaling or fork files for a classic experiment")
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(text == (try Self.expected("chart-data/\(name)")), "chart-data/\(name) differs from before threads")
        }
        let report = ReportWriter.render(folder, charts: []).replacingOccurrences(of: copy.standardizedFileURL.path, with: "FOLDER")
        let before = try Self.expected("report.md")
        #expect(report == before, "report.md differs from before threads")
        #expect(PerNodeTable.render(folder.run).contains("fixture · point (x:int64;y:int64; payload 16 B, stride 16 B) · 20000 nodes · median"))
    }

    @Test func compareNeverPairsTrialsOfDifferentThreadCounts() throws {
        let table = try TrialTable(directory: ThreadForkFixtures.threadsFolder())
        #expect(Set(table.rows.compactMap(\.threads)) == [1, 2, 4] && table.rows.allSatisfy { $0.threads != nil })
        let comparisons = Comparison.pairs(table, nil, metrics: ["rss_bytes_per_node"], baseline: "system")
        // 3 layouts × 3 thread counts, less struct-array at T = 2 (jemalloc's trials failed).
        #expect(comparisons.count == 8)
        for comparison in comparisons {
            let threads = try #require(comparison.threads)
            let layout = try #require(LayoutKind(rawValue: comparison.layout))
            let system = (1...2).map { ThreadForkFixtures.rssBytesPerNode(layout: layout, allocator: "system", phase: 0, threads: threads, repetition: $0) }
            let jemalloc = (1...2).map { ThreadForkFixtures.rssBytesPerNode(layout: layout, allocator: "jemalloc", phase: 0, threads: threads, repetition: $0) }
            #expect(comparison.valuesA.sorted() == system && comparison.valuesB.sorted() == jemalloc, "\(comparison.rowName): only T = \(threads)'s trials")
        }
        // Two folders: each T against the same T.
        let across = Comparison.pairs(table, table, metrics: ["rss_bytes_per_node"], baseline: nil)
        #expect(across.count == 17 && across.allSatisfy { $0.valuesA.count == 2 && $0.ratio == 1 })
        let csv = ComparisonTable.csv(comparisons)
        #expect(Array(csv.header.prefix(5)) == ["shape", "layout", "nodes", "threads", "metric"])
        #expect(ComparisonTable.render(comparisons).contains("threads"))
        #expect(comparisons.first.map(\.rowName) == "point final-class 20000 T1 rss_bytes_per_node system → jemalloc")
    }

    @Test func aClassicComparisonHasNoThreadsColumn() throws {
        let table = try TrialTable(directory: ChartReportTests.fixtureCopy())
        #expect(table.rows.allSatisfy { $0.threads == nil }, "classic ids carry no .tT, whatever the threads cell says")
        let comparisons = Comparison.pairs(table, nil, metrics: ["rss_bytes_per_node"], baseline: "system")
        #expect(!comparisons.isEmpty && ComparisonTable.csv(comparisons).header == ComparisonTable.header)
    }
}
