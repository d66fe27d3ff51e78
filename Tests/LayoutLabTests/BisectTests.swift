import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabTables

@Suite("layoutlab bisect: the search, a series of test-built allocators, bad input", .serialized)
struct BisectTests {
    /// Compiles `Fixtures/bisect_allocator.c` once per build, `-DLAB_BUILD=k`: from `regressionBuild` on every
    /// small block is 16 bytes larger (usable and resident).
    static func buildSeries(_ count: Int, regressionBuild: Int, in directory: URL) throws -> [URL] {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/bisect_allocator", withExtension: "c"))
        return try (1...count).map { build in
            let library = directory.appendingPathComponent("liblab-\(build).so")
            let result = try TestSupport.runTool(
                "/usr/bin/env",
                ["cc", "-shared", "-fPIC", "-O2", "-DLAB_BUILD=\(build)", "-DLAB_REGRESSION_BUILD=\(regressionBuild)", source.path, "-o", library.path])
            try #require(result.status == 0, "cc failed: \(result.stderr)")
            return library
        }
    }

    /// A tiny experiment: two Swift layouts of a two-int64 point, 100 000 nodes, 3 repetitions.
    static func experiment(in directory: URL, library: URL, repetitions: Int = 3) throws -> URL {
        let file = directory.appendingPathComponent("bisect-\(repetitions).json")
        try """
            { "name": "bisect-test", "layouts": ["final-class", "struct-array"],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [100000], "repetitions": \(repetitions), "checkpoints": 5,
              "allocators": [ "system", {"name": "lab", "library": "\(library.path)"} ] }
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The folders `build-<k>` a bisection left, by k.
    static func probeFolders(_ folder: URL) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).compactMap { name in
            name.hasPrefix("build-") ? Int(name.dropFirst("build-".count)) : nil
        }.sorted()
    }

    @Test func searchNamesTheFirstBadBuildOfEverySeriesWithinItsProbeBound() {
        #expect(BisectSearch.maximumProbes(buildCount: 8) == 4)
        #expect(BisectSearch.maximumProbes(buildCount: 2) == 1)
        #expect(BisectSearch.maximumProbes(buildCount: 9) == 4)
        #expect(BisectSearch.maximumProbes(buildCount: 10) == 5)
        for count in 2...40 {
            // firstBad == count + 1: no build regresses.
            for firstBad in 2...(count + 1) {
                var search = BisectSearch(buildCount: count)
                while let build = search.next { search.record(build, bad: build >= firstBad) }
                #expect(search.firstBad == (firstBad > count ? nil : firstBad), "N \(count), first bad \(firstBad)")
                #expect(search.tested.first == count, "build N is tested first")
                #expect(Set(search.tested).count == search.tested.count, "no build is tested twice")
                #expect(search.tested.count <= BisectSearch.maximumProbes(buildCount: count), "N \(count): \(search.tested)")
                if firstBad > count { #expect(search.tested == [count], "a good last build ends the search") }
            }
        }
    }

    @Test func bisectOverEightBuildsNamesTheRegressingBuildFromAtMostFiveAndKeepsTheirFolders() throws {
        let directory = try TestSupport.temporaryDirectory("bisect")
        let builds = try Self.buildSeries(8, regressionBuild: 6, in: directory)
        let file = try Self.experiment(in: directory, library: builds[0])
        let out = directory.appendingPathComponent("bisect")
        let result = try TestSupport.run(
            "layoutlab", ["bisect", file.path, "--allocator", "lab", "--builds"] + builds.map(\.path) + ["--out", out.path, "--quiet", "--export", "bencher"])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("first bad build: 6 (\(builds[5].path)"), "\(result.stdout)")
        #expect(result.stdout.contains("last good: 5 (\(builds[4].path))"))
        #expect(result.stdout.contains("probe 1 of at most 4: build 8 of 8"))

        // The record of what ran: bisect.csv and the probes' folders agree, build 8 first, at most 5 distinct builds.
        let csv = try TestSupport.readCSV(out.appendingPathComponent("bisect.csv"))
        #expect(csv.header.contains("geometric_mean_rss_bytes_per_node") && csv.header.contains("ratio_to_build1"))
        #expect(BisectTable.schema(metric: "rss_bytes_per_node").column("geometric_mean_rss_bytes_per_node")?.unit == "bytes/node")
        let tested = Set(csv.rows.compactMap { Int($0["build_index"] ?? "") })
        #expect(tested.contains(1) && tested.contains(8) && tested.contains(5) && tested.contains(6))
        #expect(tested.count <= 5, "tested \(tested.sorted())")
        #expect(try Self.probeFolders(out) == tested.subtracting([1]).sorted())
        for row in csv.rows {
            let index = try #require(Int(row["build_index"] ?? ""))
            let expected = index == 1 ? "baseline" : index >= 6 ? "bad" : "good"
            #expect(row["verdict"] == expected, "build \(index): \(row)")
            #expect(row["build_sha256"]?.count == 64)
            if index > 1 { #expect(row["results_folder"] == "build-\(index)") }
        }
        // Each probe interleaved build 1 and its candidate, and nothing else, in one run.
        for index in try Self.probeFolders(out) {
            let trials = try TestSupport.readCSV(out.appendingPathComponent("build-\(index)/trials.csv"))
            #expect(Set(trials.rows.compactMap { $0["allocator"] }) == ["lab-b1", "lab-b\(index)"])
            #expect(trials.rows.allSatisfy { $0["status"] == "ok" })
            let provider = try #require(trials.rows.first { $0["allocator"] == "lab-b\(index)" }?["malloc_provider"])
            #expect(provider == builds[index - 1].resolvingSymlinksInPath().path, "the candidate served malloc")
        }
        // The regression is the known one: 16 bytes more per small block, usable and resident.
        let regressed = try TestSupport.readCSV(out.appendingPathComponent("build-6/trials.csv"))
        func figure(_ allocator: String, _ column: String) throws -> Double {
            let values = regressed.rows.filter { $0["allocator"] == allocator && $0["layout"] == "final-class" }.compactMap { Double($0[column] ?? "") }
            try #require(values.count == 3)
            return values.reduce(0, +) / 3
        }
        #expect(try figure("lab-b1", "usable_bytes_per_node") == 32)
        #expect(try figure("lab-b6", "usable_bytes_per_node") == 48)
        let rssGrowth = try figure("lab-b6", "rss_bytes_per_node") - figure("lab-b1", "rss_bytes_per_node")
        #expect(abs(rssGrowth - 16) < 0.5, "RSS per node grew by \(rssGrowth)")
        #expect(regressed.rows.allSatisfy { ($0["allocator_allocated_bytes_per_node"] ?? "") == "" }, "an allocator without statistics has none")

        // --export bencher: every tested build's figure, beside bisect.csv, in Bencher's metric format.
        let exported = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("benchmark-bencher.json")))
        let benchmarks = try #require(exported as? [String: [String: [String: Double]]])
        let names = Set(benchmarks.keys.compactMap { $0.split(separator: "/").last.map(String.init) })
        #expect(names == Set(tested.map { "build-\($0)" }), "\(benchmarks.keys.sorted())")
        let bad = try #require(benchmarks.first { $0.key.hasSuffix("final-class/1000000/build-6") || ($0.key.contains("final-class") && $0.key.hasSuffix("build-6")) }?.value)
        #expect(bad.values.first?["value"].map { $0 > 60 } == true, "\(bad)")
    }

    @Test func aSeriesWithoutARegressionExitsZeroAfterTestingTheLastBuild() throws {
        let directory = try TestSupport.temporaryDirectory("bisect-none")
        let builds = try Self.buildSeries(4, regressionBuild: 99, in: directory)
        let file = try Self.experiment(in: directory, library: builds[0])
        let out = directory.appendingPathComponent("bisect")
        let result = try TestSupport.run(
            "layoutlab", ["bisect", file.path, "--allocator", "lab", "--builds"] + builds.map(\.path) + ["--out", out.path, "--quiet",
            "--metric", "usable_bytes_per_node"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("no build regresses"))
        #expect(try Self.probeFolders(out) == [4])
    }

    @Test func badBuildsAndUndecidableProbesExitTwoNamingTheBuild() throws {
        let directory = try TestSupport.temporaryDirectory("bisect-bad")
        let builds = try Self.buildSeries(2, regressionBuild: 2, in: directory)
        let file = try Self.experiment(in: directory, library: builds[0])
        let notShared = directory.appendingPathComponent("notes.txt")
        try "not a library".write(to: notShared, atomically: true, encoding: .utf8)
        let missing = directory.appendingPathComponent("missing.so")
        let out = directory.appendingPathComponent("refused")
        let refused = try TestSupport.run(
            "layoutlab", ["bisect", file.path, "--allocator", "lab", "--out", out.path, "--builds",
                          builds[0].path, missing.path, notShared.path, builds[1].path, builds[0].path])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("build 2 (\(missing.path)): no such file"))
        #expect(refused.stderr.contains("build 3 (\(notShared.path)): not an ELF shared object"))
        #expect(refused.stderr.contains("build 5 (\(builds[0].path)) is the same file as build 1"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing ran, nothing was written")

        let unchosen = try TestSupport.run("layoutlab", ["bisect", file.path, "--builds"] + builds.map(\.path))
        #expect(unchosen.status == 2)
        #expect(unchosen.stderr.contains("has 2 allocators (system, lab): name the one the builds replace with --allocator NAME"))

        // One repetition gives no interval: the probe of build 2 cannot decide, and says so; its folder stays.
        let once = try Self.experiment(in: directory, library: builds[0], repetitions: 1)
        let undecided = directory.appendingPathComponent("undecided")
        let result = try TestSupport.run(
            "layoutlab", ["bisect", once.path, "--allocator", "lab", "--builds"] + builds.map(\.path) + ["--out", undecided.path, "--quiet"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("cannot decide build 2 (\(builds[1].path))") && result.stderr.contains("1 repetition in A and 1 in B"))
        #expect(try Self.probeFolders(undecided) == [2])
        #expect(result.stdout.contains("build 2: undecidable"), "the evidence is printed before the error")
        let rows = try TestSupport.readCSV(undecided.appendingPathComponent("bisect.csv")).rows
        #expect(rows.contains { $0["build_index"] == "2" && $0["verdict"] == "undecidable" && $0["ratio_low"] == "" })
    }
}
