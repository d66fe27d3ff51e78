import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabTables
@testable import LayoutLabExperiments
@testable import LayoutLabCalibration

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

    /// Per layout: sys.getsizeof of object, __dict__ and field ints; bytes tracemalloc traced per node; those
    /// allocations rounded to 16 bytes plus the list slot. From a bare interpreter (the fixture), not the worker.
    static func expectedSizes() throws -> [String: (getsizeof: Double, traced: Double, rounded: Double)] {
        let script = try #require(Bundle.module.url(forResource: "Fixtures/python_object_sizes", withExtension: "py"))
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", script.path])
        try #require(result.status == 0, "\(result.stderr)")
        var sizes: [String: (getsizeof: Double, traced: Double, rounded: Double)] = [:]
        for line in result.stdout.split(separator: "\n") {
            let cells = line.split(separator: " ").map(String.init)
            guard cells.count == 4, let a = Double(cells[1]), let b = Double(cells[2]), let c = Double(cells[3]) else { continue }
            sizes[cells[0]] = (a, b, c)
        }
        return sizes
    }

    @Test func bytesPerNodeLieWhereTheObjectSizesSay() throws {
        let rows = try Self.run(nodes: 200_000, allocators: "\"pymalloc\", \"jemalloc\"", label: "python-small")
        let expected = try Self.expectedSizes()
        for row in rows {
            let id = row["trial_id"] ?? ""
            let layout = row["layout"] ?? ""
            let sizes = try #require(expected[layout], "\(layout) has expected sizes")
            let rss = try #require(Double(row["rss_bytes_per_node"] ?? ""), "\(id)")
            let traced = try #require(Double(row["tracemalloc_bytes_per_node"] ?? ""), "\(id)")
            let getsizeof = try #require(Double(row["getsizeof_bytes_per_node"] ?? ""), "\(id)")
            // getsizeof is exact arithmetic on the interpreter's object sizes (every value fits one int digit).
            #expect(abs(getsizeof - sizes.getsizeof) <= 0.005 * sizes.getsizeof, "\(id): getsizeof \(getsizeof), expected \(sizes.getsizeof)")
            #expect(abs(traced - sizes.traced) <= 0.02 * sizes.traced, "\(id): traced \(traced), a bare interpreter \(sizes.traced)")
            // RSS: every allocation rounded to 16 bytes plus the list slot, and a few per cent of pool, page and
            // metadata overhead (pymalloc's pool headers, jemalloc's slabs), no more.
            #expect(rss >= sizes.rounded * 0.97 && rss <= sizes.rounded * 1.05, "\(id): RSS \(rss), expected \(sizes.rounded) (−3 %, +5 %)")
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
            _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "nopython.json")
            Issue.record("a missing interpreter was accepted")
        } catch {
            #expect(error.problems.contains { $0.jsonPath == "$.python" && $0.message.contains("does not run") })
        }
    }

    /// The workload phases run on real Python objects where they make sense: free-half frees half, reallocate
    /// restores them, random traversal reads the same values as sequential, tuples cannot be mutated, and
    /// churn does not apply where reference fields would keep replaced nodes alive uncounted.
    @Test func phasesRunOnPythonObjects() throws {
        let directory = try TestSupport.temporaryDirectory("python-phases")
        let file = directory.appendingPathComponent("python-phases.json")
        try """
            { "name": "python-phases", "layouts": ["python-slots-class", "python-tuple"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "double"} ] },
                          { "name": "linked", "fields": [ {"name": "v", "type": "int32"}, {"name": "next", "type": "reference"} ] } ],
              "nodes": [50000], "repetitions": 1, "checkpoints": 5, "probe_nodes": 1000,
              "phases": ["allocate", "traverse", {"phase": "traverse", "order": "random"}, "mutate", "free-half",
                         "reallocate", {"phase": "churn", "rounds": 2, "fraction": 0.1},
                         {"phase": "churn", "rounds": 1, "fraction": 0.00004}, "free-all"] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        func phase(_ trial: String, _ index: Int) -> [String: String] {
            rows.first { $0["trial_id"] == "\(trial).50000.system.r1" && $0["phase_index"] == String(index) } ?? [:]
        }
        // The int fields are read: p's x holds i + 1000 (its double is not an int), linked's v i + 1000 (its
        // reference is a node), so a traversal sums Σ (i + 1000) = N(N − 1)/2 + 1000 N, in either order.
        let nodes = 50_000
        let expected = PhasesTable.checksumCell(nodes * (nodes - 1) / 2 + 1000 * nodes)
        for trial in ["p.python-slots-class", "p.python-tuple", "linked.python-slots-class"] {
            #expect(phase(trial, 1)["checksum"] == expected, "\(trial): the sequential traversal reads every int field")
            #expect(phase(trial, 2)["checksum"] == expected, "\(trial): the random traversal reads the same values")
            #expect(phase(trial, 4)["live_nodes_end"] == "25000" && phase(trial, 4)["applicable"] == "true", "\(trial) free-half")
            #expect(phase(trial, 5)["live_nodes_end"] == "50000", "\(trial) reallocate")
            #expect(phase(trial, 8)["live_nodes_end"] == "0", "\(trial) free-all")
            let freed = try #require(Double(phase(trial, 4)["rss_bytes_end"] ?? "")) - (Double(phase(trial, 4)["rss_bytes_start"] ?? "") ?? 0)
            #expect(freed <= 0, "\(trial): freeing half never grows RSS")
        }
        #expect(phase("p.python-slots-class", 3)["applicable"] == "true")
        #expect(phase("p.python-tuple", 3)["applicable"] == "false", "a tuple cannot be written")
        #expect(phase("p.python-tuple", 3)["note"] == "a tuple cannot be written")
        // Two work items, fewer than the checkpoints: the phase's last sample still reads the allocator.
        #expect(phase("p.python-slots-class", 7)["nodes_processed"] == "2")
        #expect(!(phase("p.python-slots-class", 7)["allocator_allocated_bytes_end"] ?? "").isEmpty)
        #expect(phase("p.python-slots-class", 6)["applicable"] == "true" && phase("p.python-slots-class", 6)["live_nodes_end"] == "50000")
        #expect(phase("linked.python-slots-class", 6)["applicable"] == "false", "churn with references cannot count what it frees")
        #expect(phase("linked.python-slots-class", 6)["note"]?.hasPrefix("Python: a replaced node") == true)
    }

    /// A custom entry that sets PYTHONMALLOC keeps it (the lab sets malloc only where the entry is silent):
    /// pymalloc keeps small objects in its own arenas, so glibc's statistics see far fewer bytes.
    @Test func aCustomEntryKeepsItsOwnPythonMalloc() throws {
        let directory = try TestSupport.temporaryDirectory("python-env")
        let file = directory.appendingPathComponent("python-env.json")
        try """
            { "name": "python-env", "layouts": ["python-slots-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [100000], "repetitions": 1, "checkpoints": 3, "probe_nodes": 100,
              "allocators": ["system", {"name": "pym-tuned", "env": {"PYTHONMALLOC": "pymalloc", "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}}] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        func allocated(_ allocator: String) -> Double? {
            rows.first { $0["trial_id"] == "p.python-slots-class.100000.\(allocator).r1" }.flatMap { Double($0["allocator_allocated_bytes_end"] ?? "") }
        }
        let malloc = try #require(allocated("system")), pymalloc = try #require(allocated("pym-tuned"))
        #expect(pymalloc < malloc / 2, "pymalloc hides its objects from malloc: \(pymalloc) vs \(malloc)")
    }

    /// The Python worker's counters nest their reads as the Swift worker's do, rusage outermost: resume reads
    /// rusage then the CPU clock, pause the CPU clock then rusage, so getrusage and its result object are
    /// outside the CPU stretch. Checked by recording the calls of one stretch (the worker imported as a module).
    @Test func pythonCountersReadRusageOutsideTheCPUStretch() throws {
        let worker = try #require(PythonInterpreter.workerScript)
        let program = """
            import importlib.util, resource, sys, time
            calls = []
            real_rusage, real_clock = resource.getrusage, time.thread_time_ns
            resource.getrusage = lambda who: (calls.append("rusage-children" if who == resource.RUSAGE_CHILDREN else "rusage"), real_rusage(who))[1]
            time.thread_time_ns = lambda: (calls.append("clock"), real_clock())[1]
            spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
            worker = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(worker)
            counters = worker.Counters(1)
            counters.begin()
            calls.clear()
            counters.resume()
            sum(range(100000))
            counters.pause()
            counters.end(0)
            print(" ".join(calls))
            print(counters.phases[0])
            """
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", program, worker.path])
        try #require(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // The last read is end()'s machine snapshot: the CPU time of reaped children (a fork phase's), outside every stretch.
        #expect(lines.first == "rusage clock clock rusage rusage-children", "\(result.stdout)")
        let cells = try #require(lines.dropFirst().first).split(separator: "\t", omittingEmptySubsequences: false)
        // "counters", the phase, then one cell per PhaseCounters field, as the Swift worker's reply line.
        #expect(cells.count == 2 + PhaseCounters().fields.count && Int(cells[2]).map { $0 > 0 } == true, "the stretch's CPU time is counted: \(cells)")
    }
}
