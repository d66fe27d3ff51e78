import Foundation
import Testing

@Suite("Charts and reports", .serialized)
struct ChartReportTests {
    /// A copy of the committed fixture folder, so that drawing into it leaves the fixture untouched.
    static func fixtureCopy() throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/results-fixture", withExtension: nil))
        let copy = try TestSupport.temporaryDirectory("fixture").appendingPathComponent("results")
        try FileManager.default.copyItem(at: source, to: copy)
        return copy
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ url: URL) throws -> (width: Int, height: Int) {
        let data = try Data(contentsOf: url)
        try #require(data.count > 24 && data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(url.lastPathComponent) is not a PNG")
        func bigEndian(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    @Test func theFixtureFolderPlotsEveryChartAndReports() throws {
        let folder = try Self.fixtureCopy()
        let result = try TestSupport.run("layoutlab", ["report", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = [
            "growth-system", "growth-jemalloc", "bytes-per-node", "phase-times-system", "phase-times-jemalloc",
            "timeline-system", "timeline-jemalloc", "comparison-rss", "comparison-ns",
        ]
        for name in expected {
            let png = folder.appendingPathComponent("charts/\(name).png")
            let size = try Self.pngSize(png)
            #expect(size.width == 1600 && size.height == 1000, "\(name).png is \(size)")
            let svg = try String(contentsOf: folder.appendingPathComponent("charts/\(name).svg"), encoding: .utf8)
            #expect(svg.contains("<svg"))
            #expect(svg.contains("fixture · shape point"), "\(name).svg says what it shows")
        }
        func svg(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent("charts/\(name).svg"), encoding: .utf8) }
        #expect(try svg("bytes-per-node").contains("bytes per node (B/node)"))
        #expect(try svg("growth-jemalloc").contains("RSS (MiB)"))
        #expect(try svg("phase-times-system").contains("ns per node (ns/node, log scale)"))
        #expect(try svg("comparison-rss").contains("ratio to system"))
        #expect(result.stdout.contains("report: \(folder.path)/report.md"))
    }

    @Test func theReportAgreesWithTheCSV() throws {
        let folder = try Self.fixtureCopy()
        let result = try TestSupport.run("layoutlab", ["report", folder.path, "--no-charts"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        // Recompute one figure from trials.csv: the median RSS per node of final-class under jemalloc.
        let trials = try TestSupport.readCSV(folder.appendingPathComponent("trials.csv"))
        let values = trials.rows.filter { $0["layout"] == "final-class" && $0["allocator"] == "jemalloc" && $0["status"] == "ok" }
            .compactMap { Double($0["rss_bytes_per_node"] ?? "") }.sorted()
        try #require(values.count == 2)
        let median = ((values[0] + values[1]) / 2 * 10).rounded() / 10
        #expect(report.contains("| final-class | jemalloc | 2 | \(median)"), "report row for final-class/jemalloc")
        #expect(report.contains("## How it was measured"))
        #expect(report.contains("Reproduce: `layoutlab run"))
        #expect(report.contains("## Phases"))
    }

    @Test func oneAllocatorOneLayoutAndAFailedTrialStillPlot() throws {
        let directory = try TestSupport.temporaryDirectory("sparse")
        let file = directory.appendingPathComponent("sparse.json")
        try """
            { "name": "sparse", "layouts": ["final-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [10000], "repetitions": 2, "checkpoints": 4 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let run = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path], environment: ["LAYOUTLAB_FAULT": "abort@checkpoint:1@trial:p.final-class.10000.system.r2"])
        #expect(run.status == 1)
        let report = try TestSupport.run("layoutlab", ["report", out.path])
        #expect(report.status == 0, "\(report.stderr)")
        for name in ["growth-system", "bytes-per-node"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/\(name).png").path))
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/comparison-rss.png").path), "one allocator: nothing to compare")
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("| p.final-class.10000.system.r2 | crashed:SIGABRT |"))
        #expect(text.contains("| final-class | system | 1 |"), "the failed repetition is not counted")
    }

    /// With several shapes each gets its own charts (charts/<shape>/), each saying which shape it shows, and
    /// the report shows them under one heading per shape.
    @Test func everyShapeGetsItsOwnCharts() throws {
        let directory = try TestSupport.temporaryDirectory("shapes")
        let file = directory.appendingPathComponent("shapes.json")
        try """
            { "name": "shapes", "layouts": ["final-class", "struct-array"],
              "shapes": [ { "name": "narrow", "fields": [ {"name": "x", "type": "int8"} ] },
                          { "name": "broad", "fields": [ {"name": "a", "type": "double"}, {"name": "b", "type": "double"}, {"name": "c", "type": "double"} ] } ],
              "nodes": [20000], "repetitions": 1, "checkpoints": 3 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        try #require(try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path]).status == 0)
        let report = try TestSupport.run("layoutlab", ["report", out.path])
        #expect(report.status == 0, "\(report.stderr)")
        for (shape, fields) in [("narrow", "x:int8"), ("broad", "a:double;b:double;c:double")] {
            let svg = try String(contentsOf: out.appendingPathComponent("charts/\(shape)/bytes-per-node.svg"), encoding: .utf8)
            #expect(svg.contains("shape \(shape) (\(fields))"))
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/\(shape)/growth-system.png").path))
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/bytes-per-node.png").path))
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("### Shape broad (a:double;b:double;c:double)"))
        #expect(text.contains("![bytes-per-node](charts/narrow/bytes-per-node.png)"))
        // Tables in the experiment's order of shapes (narrow is listed first), not alphabetical.
        let narrow = try #require(text.range(of: "### narrow · 20000 nodes")), broad = try #require(text.range(of: "### broad · 20000 nodes"))
        #expect(narrow.lowerBound < broad.lowerBound)
    }
}
