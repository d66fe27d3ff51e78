import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments

/// Allocator configuration grids (`"grid"`): expansion into one allocator per combination with its full
/// environment and a predictable name, the refusals with their paths, and a 2 × 2 jemalloc grid run end to end.
extension ExperimentValidationTests {
    static func grid(_ entry: String) -> String {
        variant("allocators", "\"allocators\": [\"system\", \(entry)]")
    }

    static let gridBadCases: [BadCase] = [
        BadCase(label: "empty grid list", text: grid(#"{"name": "je", "library": "libjemalloc.so.2", "grid": {"MALLOC_CONF": {"narenas": []}}}"#), path: "$.allocators[1].grid.MALLOC_CONF.narenas", message: "expected a non-empty list of values", schemaCatches: false),
        BadCase(label: "grid option also in env", text: grid(#"{"name": "je", "library": "libjemalloc.so.2", "env": {"MALLOC_CONF": "narenas:2"}, "grid": {"MALLOC_CONF": {"narenas": [1, 4]}}}"#), path: "$.allocators[1].grid.MALLOC_CONF.narenas", message: "expected each option once, got narenas in \"env\".MALLOC_CONF and in the grid", schemaCatches: false),
        BadCase(label: "grid value twice", text: grid(#"{"name": "je", "library": "libjemalloc.so.2", "grid": {"MALLOC_CONF": {"narenas": [1, 1]}}}"#), path: "$.allocators[1].grid.MALLOC_CONF.narenas[1]", message: "expected each value once", schemaCatches: false),
        BadCase(label: "grid too large", text: grid(#"{"name": "je", "library": "libjemalloc.so.2", "grid": {"MALLOC_CONF": {"a": [1,2,3,4,5], "b": [1,2,3,4], "c": [1,2,3,4]}}}"#), path: "$.allocators[1].grid", message: "expected at most 64 combinations, got 80 (5 × 4 × 4)", schemaCatches: false),
        BadCase(label: "options for a plain variable", text: grid(#"{"name": "mi", "library": "libmimalloc.so.2", "grid": {"MIMALLOC_PURGE_DELAY": {"x": [1]}}}"#), path: "$.allocators[1].grid.MIMALLOC_PURGE_DELAY", message: "expected a list of values: only GLIBC_TUNABLES and MALLOC_CONF take options", schemaCatches: false),
        BadCase(label: "an object as a grid value", text: grid(#"{"name": "je", "library": "libjemalloc.so.2", "grid": {"MALLOC_CONF": {"narenas": [{"n": 1}]}}}"#), path: "$.allocators[1].grid.MALLOC_CONF.narenas[0]", message: "expected a string, a number or true/false", schemaCatches: false),
    ]

    @Test(arguments: gridBadCases)
    func badGridNamesItsPath(_ bad: BadCase) {
        let found = problems(bad.text)
        #expect(found.contains { $0.jsonPath == bad.path && $0.message.contains(bad.message) }, "\(found)")
    }

    @Test func aGridExpandsIntoNamedAllocatorsWithTheirWholeEnvironment() throws {
        let experiment = try load(Self.grid(#"""
            {"name": "je", "library": "libjemalloc.so.2", "env": {"MALLOC_CONF": "dirty_decay_ms:0"},
             "grid": {"MALLOC_CONF": {"narenas": [1, 4], "tcache": [true, false]}, "JE_NOTE": ["a b"]}}
            """#))
        #expect(experiment.allocators.map(\.name) == [
            "system", "je.je_note-a_b.narenas-1.tcache-true", "je.je_note-a_b.narenas-1.tcache-false",
            "je.je_note-a_b.narenas-4.tcache-true", "je.je_note-a_b.narenas-4.tcache-false",
        ])
        #expect(experiment.allocators[2].environment == ["MALLOC_CONF": "dirty_decay_ms:0,narenas:1,tcache:false", "JE_NOTE": "a b"])
        #expect(experiment.allocators.dropFirst().allSatisfy { $0.library == "libjemalloc.so.2" && $0.statistics == .jemalloc })
        let glibc = try load(Self.grid(#"{"name": "gl", "env": {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}, "grid": {"GLIBC_TUNABLES": {"glibc.malloc.arena_max": [1, 8]}}}"#))
        #expect(glibc.allocators[1].name == "gl.glibc.malloc.arena_max-1")
        #expect(glibc.allocators[1].environment["GLIBC_TUNABLES"] == "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1")
    }

    /// The issue's must-show: a 2 × 2 jemalloc grid runs as four allocators, each with its MALLOC_CONF in
    /// environment.json, and `compare --by allocator` covers them.
    @Test func aTwoByTwoJemallocGridRunsAsFourAllocatorsAndCompareCoversThem() throws {
        let directory = try TestSupport.temporaryDirectory("grid")
        let file = directory.appendingPathComponent("grid.json")
        try """
            { "name": "grid", "layouts": ["final-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [20000], "repetitions": 2, "checkpoints": 4, "probe_nodes": 0,
              "allocators": [ {"name": "je", "library": "libjemalloc.so.2", "grid": {"MALLOC_CONF": {"narenas": [1, 4], "tcache": [true, false]}}} ] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path, "--quiet"],
            environment: ["LAYOUTLAB_LOCK_FILE": directory.appendingPathComponent("lock").path])
        #expect(run.status == 0, "\(run.stderr)")
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        for conf in ["narenas:1,tcache:true", "narenas:1,tcache:false", "narenas:4,tcache:true", "narenas:4,tcache:false"] {
            #expect(environment.contains("\"MALLOC_CONF\" : \"\(conf)\""), "environment.json records \(conf)")
        }
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(Set(trials.compactMap { $0["allocator"] }) == ["je.narenas-1.tcache-true", "je.narenas-1.tcache-false", "je.narenas-4.tcache-true", "je.narenas-4.tcache-false"])
        #expect(trials.allSatisfy { $0["status"] == "ok" && $0["malloc_provider"]?.contains("jemalloc") == true })
        let compare = try TestSupport.run("layoutlab", ["compare", out.path, "--by", "allocator", "--baseline", "je.narenas-1.tcache-true", "--metric", "rss_bytes_per_node,allocate_ns_per_node"])
        #expect(compare.status == 0, "\(compare.stderr)\n\(compare.stdout)")
        for name in ["je.narenas-1.tcache-false", "je.narenas-4.tcache-true", "je.narenas-4.tcache-false"] {
            #expect(compare.stdout.contains(name), "compare covers \(name): \(compare.stdout)")
        }
    }
}
