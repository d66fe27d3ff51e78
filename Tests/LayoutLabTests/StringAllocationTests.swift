import Foundation
import Testing

/// Swift strings in a node, measured through the built lab and checked against an independent witness: a census
/// library (Fixtures/malloc_census.c) preloaded as the allocator, which counts every malloc by size and forwards it
/// to glibc. Up to 15 UTF-8 bytes a String keeps its text inline (no allocation); a 40-byte string adds one heap
/// block, whose requested bytes (the probe's) are a size the Swift runtime really passed to malloc, once per node.
@Suite("Swift strings: inline up to 15 bytes, one storage object beyond", .serialized)
struct StringAllocationTests {
    static let nodes = 3000

    /// Runs a final-class trial of `{id int64, text string[length]}` under the census allocator; returns the trial's
    /// trials.csv row, its allocation-sizes.csv rows (requested → allocations) and the census (size → mallocs).
    static func run(length: Int) throws -> (row: [String: String], sizes: [Int: Int], census: [Int: Int]) {
        let directory = try TestSupport.temporaryDirectory("strings-\(length)")
        let source = try #require(Bundle.module.url(forResource: "Fixtures/malloc_census", withExtension: "c"))
        let library = directory.appendingPathComponent("libcensus.so")
        let build = try TestSupport.runTool("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O2", source.path, "-o", library.path])
        try #require(build.status == 0, "cc failed: \(build.stderr)")
        let census = directory.appendingPathComponent("census")
        let text = """
            { "name": "strings", "layouts": ["final-class"],
              "shapes": [ { "name": "s\(length)", "fields": [ {"name": "id", "type": "int64"}, {"name": "text", "type": "string", "length": \(length)} ] } ],
              "nodes": [\(nodes)], "probe_nodes": \(nodes), "checkpoints": 4,
              "allocators": [ {"name": "census", "library": "\(library.path)", "env": {"LL_MALLOC_CENSUS": "\(census.path)"}} ] }
            """
        let file = directory.appendingPathComponent("strings.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        let row = try #require(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.first)
        var sizes: [Int: Int] = [:]
        for size in try TestSupport.readCSV(out.appendingPathComponent("allocation-sizes.csv")).rows {
            sizes[Int(size["requested_bytes"] ?? "") ?? -1] = Int(size["allocations"] ?? "")
        }
        // One census file per process that loaded the library: the worker's is the one that saw the most mallocs.
        var best: [Int: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("census.") {
            var counts: [Int: Int] = [:]
            for line in try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n") {
                let parts = line.split(separator: " ").compactMap { Int($0) }
                if parts.count == 2 { counts[parts[0]] = parts[1] }
            }
            if counts.values.reduce(0, +) > best.values.reduce(0, +) { best = counts }
        }
        try #require(!best.isEmpty, "the census library wrote nothing")
        return (row, sizes, best)
    }

    @Test func fifteenBytesStayInline() throws {
        let (row, sizes, census) = try Self.run(length: 15)
        #expect(row["status"] == "ok")
        #expect(Double(row["heap_allocations_per_node"] ?? "") == 1, "the node's object only: \(row)")
        #expect(Double(row["out_of_line_requested_bytes_per_node"] ?? "") == 0)
        // 16-byte header + an 8-byte id + a 16-byte String.
        #expect(sizes == [40: Self.nodes], "\(sizes)")
        #expect((census[40] ?? 0) >= 2 * Self.nodes, "malloc(40) once per node, in the trial and in the probe: \(census[40] ?? 0)")
    }

    @Test func fortyBytesAddOneStorageObjectOfTheSizeMallocWasAskedFor() throws {
        let (row, sizes, census) = try Self.run(length: 40)
        #expect(row["status"] == "ok")
        #expect(Double(row["heap_allocations_per_node"] ?? "") == 2, "\(row)")
        let storage = try #require(sizes.keys.first { $0 != 40 }, "a second requested size: \(sizes)")
        #expect(sizes == [40: Self.nodes, storage: Self.nodes])
        #expect(storage > 40, "the storage holds 40 bytes of text and a header")
        #expect(Double(row["out_of_line_requested_bytes_per_node"] ?? "") == Double(storage))
        #expect((census[storage] ?? 0) >= 2 * Self.nodes, "malloc(\(storage)) once per node in the trial and the probe, got \(census[storage] ?? 0)")
    }
}
