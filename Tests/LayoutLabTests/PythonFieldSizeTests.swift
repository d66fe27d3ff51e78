import Foundation
import Testing

/// Python layouts with str, bytes and list fields, measured by the lab and by bare interpreters that build the same
/// objects without the lab: getsizeof per node as the interpreter gives it, and RSS per node (issue 15).
@Suite("Python str, bytes and list fields, against bare interpreters", .serialized)
struct PythonFieldSizeTests {
    static let layouts = ["python-dict-class", "python-slots-class", "python-dataclass-slots", "python-tuple", "python-namedtuple"]
    static let nodes = 100_000

    /// One lab run: shape `sized` (fixed lengths, as python_field_sizes.py builds them) and shape `row` (a string of
    /// uniform 8–40 characters and 40 bytes, as bench/python-bare-check.py builds it), every Python layout, under
    /// pymalloc and under glibc's malloc (the lab's `system`, PYTHONMALLOC=malloc). probe_nodes 1000 makes the
    /// worker's getsizeof cover nodes 0..999, every one of them.
    static func labRows() throws -> [[String: String]] {
        let directory = try TestSupport.temporaryDirectory("python-fields")
        let file = directory.appendingPathComponent("python-fields.json")
        try """
            { "name": "python-fields", "layouts": [\(layouts.map { "\"\($0)\"" }.joined(separator: ", "))], "seed": 7,
              "shapes": [
                { "name": "sized", "fields": [ {"name": "x", "type": "int64"}, {"name": "initial", "type": "string", "length": 1},
                    {"name": "name", "type": "string", "length": 24}, {"name": "tag", "type": "bytes", "length": 40},
                    {"name": "scores", "type": "array", "element": "int64", "length": 10} ] },
                { "name": "row", "fields": [ {"name": "id", "type": "int64"}, {"name": "name", "type": "string", "length": {"uniform": [8, 40]}},
                    {"name": "tag", "type": "bytes", "length": 40} ] } ],
              "nodes": [\(nodes)], "allocators": ["pymalloc", "system"], "repetitions": 1, "checkpoints": 5, "probe_nodes": 1000 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        return try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "py"))
    }

    /// getsizeof: the lab's getsizeof per node equals, to the byte, a bare interpreter's sum of sys.getsizeof over the same
    /// objects (object, __dict__, int, str, bytes, list and its ints; CPython's shared small ints and
    /// one-character str counted once for all, i.e. not per node), found by identity rather than the worker's rule.
    /// The shared objects matter: nodes 0..246 hold only shared small ints in their list.
    /// One lab run (20 trials), two checks.
    @Test func figuresAgreeWithBareInterpreters() throws {
        let rows = try Self.labRows()
        try Self.checkGetsizeof(rows)
        try Self.checkRSS(rows)
    }

    static func checkGetsizeof(_ rows: [[String: String]]) throws {
        let bare = try TestSupport.runTool("/usr/bin/env", ["python3", try fixture("python_field_sizes").path, "1000"])
        try #require(bare.status == 0, "\(bare.stderr)")
        var expected: [String: Double] = [:]
        for line in bare.stdout.split(separator: "\n") {
            let cells = line.split(separator: " ").map(String.init)
            if cells.count == 2, let value = Double(cells[1]) { expected[cells[0]] = value }
        }
        for row in rows where row["shape"] == "sized" {
            let id = row["trial_id"] ?? ""
            let lab = try #require(Double(row["getsizeof_bytes_per_node"] ?? ""), "\(id) has getsizeof")
            let independent = try #require(expected[row["layout"] ?? ""], "\(id): the fixture knows the layout")
            #expect(abs(lab - independent) < 0.01, "\(id): lab getsizeof \(lab) B/node, bare interpreter \(independent)")
        }
    }

    /// RSS: RSS per node of the `row` shape within 5 % of a bare interpreter that builds the same 100 000 nodes of a
    /// plain and a __slots__ class (bench/python-bare-check.py), under the same allocator.
    static func checkRSS(_ rows: [[String: String]]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bench/python-bare-check.py")
        for layout in ["python-slots-class", "python-dict-class"] {
            for allocator in ["pymalloc", "system"] {
                let row = try #require(rows.first { $0["shape"] == "row" && $0["layout"] == layout && $0["allocator"] == allocator })
                let lab = try #require(Double(row["rss_bytes_per_node"] ?? ""))
                let environment = allocator == "system" ? ["PYTHONMALLOC": "malloc"] : [:]
                let bare = try TestSupport.runTool(
                    "/usr/bin/env", ["python3", script.path, layout, String(nodes), "7"], environment: environment)
                try #require(bare.status == 0, "\(bare.stderr)")
                let cells = bare.stdout.split(separator: " ")
                let independent = try #require(cells.count >= 3 ? Double(cells[2]) : nil, "\(bare.stdout)")
                #expect(abs(lab / independent - 1) < 0.05, "\(layout) \(allocator): lab \(lab) vs bare interpreter \(independent) B/node")
            }
        }
    }
}
