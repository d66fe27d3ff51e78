import Foundation
import Testing

/// `layoutlab trend` on real results folders: six tiny runs of the lab (one layout, 20 000 nodes, 3 repetitions)
/// under an allocator entry named `alloc`: glibc's malloc in G1…G4, jemalloc in J3 and J4. G1 G2 G3 G4 is a flat
/// series, G1 G2 J3 J4 a step at folder 3 (usable bytes per node: glibc rounds a 32-byte request to 40, jemalloc
/// to 32).
@Suite("layoutlab trend across results folders", .serialized)
struct TrendCommandTests {
    static let glibc = #"{"name": "alloc", "env": {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=7"}}"#
    static let jemalloc = #"{"name": "alloc", "library": "libjemalloc.so.2"}"#

    /// The six folders by name, made once for the suite.
    static let folders: Result<[String: URL], any Error> = Result {
        let directory = try TestSupport.temporaryDirectory("trend")
        var folders: [String: URL] = [:]
        for (name, allocator) in [("G1", glibc), ("G2", glibc), ("G3", glibc), ("G4", glibc), ("J3", jemalloc), ("J4", jemalloc)] {
            let file = directory.appendingPathComponent("\(name).json")
            try """
                { "name": "trend", "layouts": ["final-class"],
                  "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
                  "nodes": [20000], "repetitions": 3, "checkpoints": 4, "allocators": [\(allocator)] }
                """.write(to: file, atomically: true, encoding: .utf8)
            let out = directory.appendingPathComponent(name)
            let run = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path, "--quiet"])
            guard run.status == 0 else { throw TrendTestError.runFailed("\(name): \(run.stderr)") }
            folders[name] = out
        }
        return folders
    }

    enum TrendTestError: Error { case runFailed(String) }

    static func paths(_ names: [String]) throws -> [String] {
        let folders = try Self.folders.get()
        return try names.map { try #require(folders[$0]).path }
    }

    @Test func aFlatSeriesMarksNoChangeAndDrawsItsChart() throws {
        let out = try TestSupport.temporaryDirectory("trend-flat")
        let result = try TestSupport.run(
            "layoutlab", ["trend"] + (try Self.paths(["G1", "G2", "G3", "G4"])) + ["--metric", "usable_bytes_per_node,requested_bytes_per_node", "--out", out.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("0 changes beyond noise"), "\(result.stdout)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trend.csv")).rows
        #expect(rows.count == 2 * 4)
        #expect(rows.allSatisfy { $0["change"] != "true" })
        #expect(rows.filter { $0["folder_index"] != "1" }.allSatisfy { $0["change"] == "false" && $0["step_verdict"] == "identical" })
        #expect(rows.allSatisfy { $0["unit"] == "bytes/node" && $0["repetitions"] == "3" })
        let data = try TestSupport.readCSV(out.appendingPathComponent("chart-data/trend-usable_bytes_per_node.csv")).rows
        #expect(data.count == 4 && data.allSatisfy { $0["change"] == "0" })
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/trend-usable_bytes_per_node.png").path))
    }

    @Test func aLibraryChangeAtFolderThreeIsTheOneChangeMarked() throws {
        let out = try TestSupport.temporaryDirectory("trend-step")
        let folders = try Self.paths(["G1", "G2", "J3", "J4"])
        let result = try TestSupport.run(
            "layoutlab", ["trend"] + folders + ["--metric", "usable_bytes_per_node", "--subject", "allocator", "--out", out.path, "--fail-on-regression"])
        // jemalloc's 32 usable bytes are better than glibc's 40: a change, and no regression.
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("folder 2 → 3, subject (--subject allocator): allocator alloc: library"), "\(result.stdout)")
        #expect(result.stdout.contains("◆ change at folder 3 (J3): p final-class 20000 alloc is 0.8× folder 2's, exact"), "\(result.stdout)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trend.csv")).rows
        let changes = rows.filter { $0["change"] == "true" }
        #expect(changes.count == 1, "\(rows)")
        #expect(changes.first?["folder_index"] == "3" && changes.first?["step_ratio"] == "0.8" && changes.first?["step_verdict"] == "better")
        #expect(rows.map { $0["geomean"] } == ["40", "40", "32", "32"])
        let data = try TestSupport.readCSV(out.appendingPathComponent("chart-data/trend-usable_bytes_per_node.csv")).rows
        #expect(data.filter { $0["change"] == "1" }.map { $0["x"] } == ["3"], "the chart data marks folder 3 alone")
        let png = out.appendingPathComponent("charts/trend-usable_bytes_per_node.png")
        #expect(((try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0) > 10_000)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts/trend-usable_bytes_per_node.svg").path))

        // The same change the other way round is a regression of the newest folder only when it is the last step.
        let reversed = try TestSupport.run(
            "layoutlab", ["trend"] + (try Self.paths(["J3", "J4", "G1"])) + ["--metric", "usable_bytes_per_node", "--out", out.appendingPathComponent("r").path, "--fail-on-regression", "--no-charts"])
        #expect(reversed.status == 1, "\(reversed.stdout)\n\(reversed.stderr)")
        #expect(reversed.stderr.contains("the newest folder is worse beyond noise in 1 row"), "\(reversed.stderr)")

        // An A/A series refuses the library change, naming it.
        let none = try TestSupport.run("layoutlab", ["trend"] + folders + ["--subject", "none", "--out", out.appendingPathComponent("n").path])
        #expect(none.status == 2)
        #expect(none.stderr.contains("folders 2 and 3") && none.stderr.contains("allocator alloc: library"), "\(none.stderr)")
    }

    @Test func badInputExitsTwoNamingIt() throws {
        let folders = try Self.paths(["G1", "G2"])
        let one = try TestSupport.run("layoutlab", ["trend", folders[0]])
        #expect(one.status == 2 && one.stderr.contains("at least 2 results folders"), "\(one.stderr)")
        let empty = try TestSupport.temporaryDirectory("trend-not-results")
        let notResults = try TestSupport.run("layoutlab", ["trend", folders[0], empty.path])
        #expect(notResults.status == 2 && notResults.stderr.contains("\(empty.path) is not a results folder"), "\(notResults.stderr)")
        // Another experiment's folder (the committed fixture: other phases and checkpoints) is refused, naming
        // the difference; --allow-mismatch goes on, labels every row and draws no chart.
        let other = try CompareCommandTests.fixtureCopy("other", in: empty)
        let unlike = try TestSupport.run("layoutlab", ["trend", folders[0], other.path, "--out", empty.appendingPathComponent("u").path])
        #expect(unlike.status == 2 && unlike.stderr.contains("folders 1 and 2") && unlike.stderr.contains("checkpoints: 4 in A, 5 in B"), "\(unlike.stderr)")
        let forced = try TestSupport.run("layoutlab", ["trend", folders[0], other.path, "--allow-mismatch", "--out", empty.appendingPathComponent("f").path])
        #expect(forced.status == 0 && forced.stdout.contains("TRENDED DESPITE DIFFERENT TRIALS") && forced.stdout.contains("no charts drawn"), "\(forced.stdout)\n\(forced.stderr)")
        let rows = try TestSupport.readCSV(empty.appendingPathComponent("f/trend.csv")).rows
        #expect(!rows.isEmpty && rows.allSatisfy { ($0["mismatch"] ?? "").contains("checkpoints") })
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("f/charts").path))
        let metric = try TestSupport.run("layoutlab", ["trend"] + folders + ["--metric", "usable_byte_per_node"])
        #expect(metric.status == 2 && metric.stderr.contains("no folder has numbers for the metric usable_byte_per_node (did you mean \"usable_bytes_per_node\"?)"), "\(metric.stderr)")
    }
}
