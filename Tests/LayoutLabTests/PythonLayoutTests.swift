import Foundation
import LayoutLab
import Testing

@Suite("Python layouts, measured by the lab and by a bare interpreter", .serialized)
struct PythonLayoutTests {
    static let layouts = ["python-dict-class", "python-slots-class", "python-dataclass-slots", "python-tuple", "python-namedtuple"]

    static func run(nodes: Int, allocators: String, label: String) throws -> [[String: String]] {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try """
            { "name": "\(label)", "layouts": [\(layouts.map { "\"\($0)\"" }.joined(separator: ", "))],
              "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [\(nodes)], "allocators": [\(allocators)], "repetitions": 1, "checkpoints": 10, "probe_nodes": 20000 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"python\""), "environment.json records the interpreter")
        return try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
    }

    @Test func bytesPerNodeLieWhereTheObjectSizesSay() throws {
        let rows = try Self.run(nodes: 200_000, allocators: "\"pymalloc\", \"jemalloc\"", label: "python-small")
        for row in rows {
            let id = row["trial_id"] ?? ""
            let rss = try #require(Double(row["rss_bytes_per_node"] ?? ""), "\(id)")
            let traced = try #require(Double(row["tracemalloc_bytes_per_node"] ?? ""), "\(id)")
            let getsizeof = try #require(Double(row["getsizeof_bytes_per_node"] ?? ""), "\(id)")
            // The objects' own bytes (tracemalloc) plus the list slot, rounded up by the allocator: never less,
            // and not more than a size-class step and some page slack above.
            #expect(rss >= (traced + 8) * 0.98, "\(id): \(rss) < \(traced) + 8")
            #expect(rss <= (traced + 8) * 1.45, "\(id): \(rss) far above \(traced) + 8")
            #expect(abs(getsizeof - traced) / traced < 0.4, "\(id): getsizeof \(getsizeof) vs traced \(traced)")
        }
        func rss(_ layout: String) -> Double? {
            rows.first { $0["layout"] == layout && $0["allocator"] == "pymalloc" }.flatMap { Double($0["rss_bytes_per_node"] ?? "") }
        }
        let plain = try #require(rss("python-dict-class")), slots = try #require(rss("python-slots-class"))
        #expect(slots < plain * 0.85, "__slots__ must cost clearly less than a plain class: \(slots) vs \(plain)")
    }

    @Test func theLabAgreesWithABareInterpreter() throws {
        let rows = try Self.run(nodes: 2_000_000, allocators: "\"pymalloc\"", label: "python-bare")
        let script = try #require(Bundle.module.url(forResource: "Fixtures/bare_python_objects", withExtension: "py"))
        for layout in Self.layouts {
            let lab = try #require(rows.first { $0["layout"] == layout }.flatMap { Double($0["rss_bytes_per_node"] ?? "") })
            let bare = try TestSupport.runTool("/usr/bin/env", ["python3", script.path, layout, "2000000"])
            try #require(bare.status == 0, "\(bare.stderr)")
            let independent = try #require(Double(bare.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(abs(lab / independent - 1) < 0.10, "\(layout): lab \(lab) vs bare interpreter \(independent) B/node")
        }
    }

    @Test func aMissingInterpreterIsAValidationError() throws {
        let text = """
            { "name": "nopython", "layouts": ["python-slots-class"], "python": "/nonexistent/python9",
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ], "nodes": [10] }
            """
        do {
            _ = try ExperimentLoader().load(data: Data(text.utf8), path: "nopython.json")
            Issue.record("a missing interpreter was accepted")
        } catch {
            #expect(error.problems.contains { $0.jsonPath == "$.python" && $0.message.contains("does not run") })
        }
    }
}
