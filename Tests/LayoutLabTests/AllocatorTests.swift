import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabCalibration

@Suite("Allocators side by side, custom builds, and compare", .serialized)
struct AllocatorTests {
    /// Builds the test allocator (64-byte slots from a bump arena) from its C source, as a user would build
    /// a patched allocator.
    /// `spinIterations` > 0 makes every malloc spin that many two-instruction iterations first; `arenaGiB` sizes
    /// each of its two arenas.
    static func buildBumpAllocator(in directory: URL, spinIterations: Int = 0, arenaGiB: Int = 64) throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/bump_allocator", withExtension: "c"))
        let library = directory.appendingPathComponent(spinIterations == 0 ? "libbump64.so" : "libbump64-spin\(spinIterations).so")
        let result = try TestSupport.runTool(
            "/usr/bin/env",
            ["cc", "-shared", "-fPIC", "-O2", "-DBUMP_SPIN_ITERATIONS=\(spinIterations)", "-DBUMP_ARENA_GIB=\(arenaGiB)",
             source.path, "-o", library.path])
        try #require(result.status == 0, "cc failed: \(result.stderr)")
        return library
    }

    @Test func everyAllocatorIsMeasuredAsBuilt() throws {
        let directory = try TestSupport.temporaryDirectory("allocators")
        let bump = try Self.buildBumpAllocator(in: directory)
        let text = """
            { "name": "side-by-side", "layouts": ["final-class", "struct-array"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [500000], "repetitions": 1, "checkpoints": 10,
              "allocators": ["system", "jemalloc", "mimalloc", "tcmalloc",
                             {"name": "je-nodecay", "library": "libjemalloc.so.2", "env": {"MALLOC_CONF": "dirty_decay_ms:0"}},
                             {"name": "bump64", "library": "\(bump.path)"},
                             {"name": "glibc-toppad", "env": {"GLIBC_TUNABLES": "glibc.malloc.top_pad=268435456"}}] }
            """
        let file = directory.appendingPathComponent("side-by-side.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        func row(_ layout: String, _ allocator: String) throws -> [String: String] {
            try #require(trials.rows.first { $0["layout"] == layout && $0["allocator"] == allocator })
        }
        func number(_ row: [String: String], _ column: String) -> Double? { Double(row[column] ?? "") }

        // The custom allocator rounds every small request up to 64 bytes, and the lab sees exactly that.
        let bumpRow = try row("final-class", "bump64")
        #expect(number(bumpRow, "usable_bytes_per_node") == 64)
        let bumpRSS = try #require(number(bumpRow, "rss_bytes_per_node"))
        #expect(abs(bumpRSS - 72) < 0.72, "64-byte slot + 8-byte reference, got \(bumpRSS)")
        #expect(bumpRow["malloc_provider"] == bump.resolvingSymlinksInPath().path)
        #expect(bumpRow["allocator_allocated_bytes_per_node"] == "", "an allocator without statistics leaves them empty")

        // Size classes: glibc's 48-byte chunk for malloc(32), against the 32-byte class of the others.
        #expect(number(try row("final-class", "system"), "usable_bytes_per_node") == 40)
        for allocator in ["jemalloc", "mimalloc", "tcmalloc", "je-nodecay"] {
            #expect(number(try row("final-class", allocator), "usable_bytes_per_node") == 32, "\(allocator)")
        }
        // Each allocator's own statistics land in its rows, and only what it offers.
        #expect(number(try row("final-class", "system"), "allocator_allocated_bytes_per_node") != nil)
        #expect(number(try row("final-class", "jemalloc"), "allocator_active_bytes_per_node") != nil)
        #expect(number(try row("final-class", "tcmalloc"), "allocator_allocated_bytes_per_node") != nil)
        #expect(try row("final-class", "mimalloc")["allocator_allocated_bytes_per_node"] == "")
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv"))
        // No library: the C library's malloc under the entry's own environment, which reaches the worker.
        #expect(try row("final-class", "glibc-toppad")["malloc_provider"] == row("final-class", "system")["malloc_provider"])
        func lastMapped(_ allocator: String) -> Double? {
            samples.rows.last { $0["trial_id"] == "point.final-class.500000.\(allocator).r1" }.flatMap { Double($0["allocator_mapped_bytes"] ?? "") }
        }
        #expect((lastMapped("glibc-toppad") ?? 0) >= 256 * 1_048_576, "top_pad keeps 256 MiB of heap beyond what is used")
        #expect((lastMapped("system") ?? .infinity) < 64 * 1_048_576)
        #expect(samples.rows.contains { ($0["trial_id"] ?? "").hasSuffix(".mimalloc.r1") && !($0["allocator_mapped_bytes"] ?? "").isEmpty })
        for (allocator, library) in [("jemalloc", "libjemalloc"), ("mimalloc", "libmimalloc"), ("tcmalloc", "libtcmalloc"), ("je-nodecay", "libjemalloc")] {
            #expect(try row("final-class", allocator)["malloc_provider"]?.contains(library) == true, "\(allocator)")
        }
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"MALLOC_CONF\" : \"dirty_decay_ms:0\""))
        #expect(environment.contains("libgoogle-perftools4"))

        // compare within the run: one repetition gives no interval, so --fail-above cannot decide (exit 2).
        let compared = try TestSupport.run(
            "layoutlab", ["compare", out.path, "--by", "allocator", "--baseline", "jemalloc", "--fail-above", "10"])
        #expect(compared.status == 2, "\(compared.stderr)")
        #expect(compared.stdout.contains("(n < 2)"))
        #expect(compared.stderr.contains("cannot decide") && compared.stderr.contains("1 repetition in A and 1 in B"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("comparison.csv").path))
    }

    @Test func compareFlagsARealRegressionAndPassesIdenticalRuns() throws {
        let directory = try TestSupport.temporaryDirectory("compare")
        let bump = try Self.buildBumpAllocator(in: directory)
        func experiment(_ name: String, _ allocator: String) -> String {
            """
            { "name": "\(name)", "layouts": ["final-class"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [200000], "repetitions": 3, "checkpoints": 5,
              "allocators": [{"name": "candidate", "library": "\(allocator)"}] }
            """
        }
        var folders: [URL] = []
        for (name, library) in [("before", "libjemalloc.so.2"), ("after", bump.path), ("again", "libjemalloc.so.2")] {
            let file = directory.appendingPathComponent("\(name).json")
            try experiment(name, library).write(to: file, atomically: true, encoding: .utf8)
            let out = directory.appendingPathComponent(name)
            let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
            try #require(result.status == 0, "\(result.stderr)")
            folders.append(out)
        }
        let regression = try TestSupport.run("layoutlab", ["compare", folders[0].path, folders[1].path, "--fail-above", "5"])
        #expect(regression.status == 1)
        #expect(regression.stderr.contains("point final-class 200000 usable_bytes_per_node: candidate (B) is 2.0× candidate (A)"))
        #expect(regression.stdout.contains("B worse"))
        let csv = try TestSupport.readCSV(folders[1].appendingPathComponent("comparison.csv"))
        let usable = try #require(csv.rows.first { $0["metric"] == "usable_bytes_per_node" })
        #expect(usable["ratio_b_over_a"] == "2.0")
        #expect(usable["beyond_noise"] == "true" && usable["regression"] == "true")
        // The two-run comparison is drawn into B's charts.
        let plotted = try TestSupport.run("layoutlab", ["plot", folders[1].path])
        #expect(plotted.status == 0, "\(plotted.stderr)")
        #expect(FileManager.default.fileExists(atPath: folders[1].appendingPathComponent("charts/comparison-runs-rss.png").path))

        // A/A: a second, independent run of the same build passes on the byte metrics (nearly deterministic;
        // the time metrics' A/A behaviour is a statistical claim, checked by simulation elsewhere).
        let again = try TestSupport.run(
            "layoutlab", ["compare", folders[0].path, folders[2].path, "--metric", "rss_bytes_per_node,usable_bytes_per_node", "--fail-above", "1"])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        let aa = try TestSupport.readCSV(folders[2].appendingPathComponent("comparison.csv"))
        #expect(aa.rows.first { $0["metric"] == "usable_bytes_per_node" }?["ratio_b_over_a"] == "1.0", "the same sizes in both runs")
        let rssRatio = try #require(aa.rows.first { $0["metric"] == "rss_bytes_per_node" }.flatMap { Double($0["ratio_b_over_a"] ?? "") })
        #expect(abs(rssRatio - 1) < 0.01, "A/A RSS ratio \(rssRatio)")

        let typo = try TestSupport.run("layoutlab", ["compare", folders[0].path, folders[1].path, "--metric", "rss_byte_per_node"])
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("did you mean \"rss_bytes_per_node\"?"))
    }

    @Test func welchIntervalHoldsItsPointScalesWithUnitsAndSeparatesClearDifferences() throws {
        let noisy = Comparison(shape: "s", layout: "l", nodes: 1, sideA: "a", sideB: "b", metric: "allocate_ns_per_node",
                               valuesA: [10, 11, 12], valuesB: [10.5, 11.5, 12.5])
        let interval = try #require(noisy.interval)
        let ratio = try #require(noisy.ratio)
        #expect(interval.low <= ratio && ratio <= interval.high, "the interval holds its own point estimate")
        #expect(interval.low < interval.high, "three different values a side leave some uncertainty")
        // Units do not matter: B in other units (× 2) scales the interval by exactly that.
        let scaled = Comparison(shape: "s", layout: "l", nodes: 1, sideA: "a", sideB: "b", metric: "allocate_ns_per_node",
                                valuesA: noisy.valuesA, valuesB: noisy.valuesB.map { $0 * 2 })
        let scaledInterval = try #require(scaled.interval)
        #expect(abs(scaledInterval.low / interval.low - 2) < 1e-9 && abs(scaledInterval.high / interval.high - 2) < 1e-9)
        #expect(noisy.beyondNoise == false, "overlapping samples are within noise")
        let clear = Comparison(shape: "s", layout: "l", nodes: 1, sideA: "a", sideB: "b", metric: "allocate_ns_per_node",
                               valuesA: [40, 40.1, 40.2], valuesB: [56, 56.1, 56.2])
        #expect(clear.beyondNoise == true && clear.verdict == "B worse")
        #expect(RegressionCheck([clear], abovePercent: 30).regressions.count == 1)
        #expect(RegressionCheck([clear], abovePercent: 50).regressions.isEmpty)
        let single = Comparison(shape: "s", layout: "l", nodes: 1, sideA: "a", sideB: "b", metric: "allocate_ns_per_node", valuesA: [1], valuesB: [2])
        #expect(single.interval == nil && single.beyondNoise == nil)
        let check = RegressionCheck([single], abovePercent: 0)
        #expect(check.regressions.isEmpty && check.undecidable.count == 1, "one repetition is undecidable, never a pass")
    }
}
