import Foundation
import Testing

/// `python-dict-and-slots` (a class whose `__slots__` hold the fields and `__dict__`) on CPython 3.11 and 3.13
/// (pyenv's, on every machine of this kind): the lab's tracemalloc bytes per node equal a bare interpreter's that
/// builds the same objects, and once the `__dict__` is reached (the lab's getsizeof reaches it) 3.13's is far larger.
@Suite("Python dict-and-slots objects across versions", .serialized)
struct PythonDictAndSlotsTests {
    static func interpreter(_ version: String) throws -> String {
        let root = try TestSupport.runTool("/usr/bin/env", ["bash", "-lc", "pyenv root 2>/dev/null || echo ${PYENV_ROOT:-$HOME/.pyenv}"])
        let path = root.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/versions/\(version)/bin/python3"
        try #require(FileManager.default.isExecutableFile(atPath: path), "pyenv's CPython \(version) at \(path)")
        return path
    }

    /// A bare interpreter's tracemalloc bytes per object for 3 int fields (the ints included, as the lab counts them).
    static let bare = """
        import sys, tracemalloc
        class Node:
            __slots__ = ('x', 'y', 'z', '__dict__')
            def __init__(self, x, y, z): self.x = x; self.y = y; self.z = z
        n = 100000
        keep = [None] * n
        tracemalloc.start(); before = tracemalloc.get_traced_memory()[0]
        for i in range(n): keep[i] = Node(i + 1000, i + 1001, i + 1002)
        print((tracemalloc.get_traced_memory()[0] - before) / n)
        """

    @Test(arguments: ["3.11.7", "3.13.0"])
    func tracemallocAgreesWithABareInterpreter(version: String) throws {
        let python = try Self.interpreter(version)
        let directory = try TestSupport.temporaryDirectory("dict-and-slots")
        let file = directory.appendingPathComponent("e.json")
        try """
            { "name": "ds", "layouts": ["python-dict-and-slots", "python-slots-class"], "python": "\(python)",
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"}, {"name": "z", "type": "int64"} ] } ],
              "nodes": [100000], "checkpoints": 4, "allocators": ["system"] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path, "--quiet"],
            environment: ["LAYOUTLAB_LOCK_FILE": directory.appendingPathComponent("lock").path])
        #expect(run.status == 0, "\(run.stderr)")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let both = try #require(trials.first { $0["layout"] == "python-dict-and-slots" })
        let slots = try #require(trials.first { $0["layout"] == "python-slots-class" })
        let lab = try #require(Double(both["tracemalloc_bytes_per_node"] ?? ""))
        let bare = try TestSupport.runTool(python, ["-c", Self.bare])
        let independent = try #require(Double(bare.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(bare.stdout) \(bare.stderr)")
        #expect(abs(lab / independent - 1) < 0.05, "\(version): lab \(lab) vs bare interpreter \(independent) B/object")
        #expect(lab > (try #require(Double(slots["tracemalloc_bytes_per_node"] ?? ""))), "the __dict__ slot costs something")
        let getsizeof = try #require(Double(both["getsizeof_bytes_per_node"] ?? ""))
        if version.hasPrefix("3.13") {
            #expect(getsizeof > 300, "3.13: a dict-and-slots object with its __dict__ reached is over 300 B: \(getsizeof)")
        } else {
            #expect(getsizeof < 200, "3.11: \(getsizeof)")
        }
    }
}
