import Foundation
import Testing

@testable import LayoutLabExperiments
@testable import LayoutLabTables

/// Threaded trials of the Python layouts (`"threads"`, python_worker.py's ThreadedTrial) through the built lab: the
/// global checkpoints the main thread samples while the pool of `threading.Thread`s works, the live counts the
/// pool threads publish, the remote-free pairing seen by an independent census allocator, and a run under two
/// allocators with their thread figures.
@Suite("Python threaded trials", .serialized)
struct PythonThreadsTests {
    /// Odd, so that it divides by neither 2 nor 4.
    static let nodes = 20_001
    static let checkpoints = 8
    static let pythonLayouts = ["python-dict-class", "python-slots-class", "python-dataclass-slots", "python-tuple", "python-namedtuple"]
    static let shape = #"{ "name": "n", "fields": [ {"name": "id", "type": "int64"}, {"name": "next", "type": "reference"} ] }"#

    /// Runs `layoutlab run` on an experiment; returns its results folder.
    static func run(_ name: String, layouts: [String], threads: [Int], phases: String, allocators: String, shape: String = shape,
                    probeNodes: Int = 1000, directory: URL? = nil) throws -> URL {
        let directory = try directory ?? TestSupport.temporaryDirectory(name)
        let text = """
            { "name": "\(name)", "layouts": [\(layouts.map { "\"\($0)\"" }.joined(separator: ", "))],
              "shapes": [ \(shape) ], "nodes": [\(nodes)], "checkpoints": \(checkpoints), "probe_nodes": \(probeNodes),
              "threads": [\(threads.map(String.init).joined(separator: ", "))], "phases": \(phases), "allocators": \(allocators) }
            """
        let file = directory.appendingPathComponent("\(name).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    /// The global checkpoint k (1-based) of `work` items with `checkpoints` of them, as the workers space them.
    static func checkpoint(_ k: Int, of work: Int) -> Int {
        k == checkpoints ? work : Int((Double(work) * Double(k) / Double(checkpoints)).rounded())
    }

    /// How far past global checkpoint k a sample's published items may be with `threads` threads: one global step
    /// (N / checkpoints, rounded up) plus one local publish granule per thread (a thread's items, at most
    /// N / T + 2 with even slice bounds, over its 4 · checkpoints local checkpoints, rounded up). The publisher
    /// that crosses a checkpoint samples at once (under the GIL), so it is really within one granule.
    static func slack(threads: Int, of work: Int) -> Int {
        let step = (work + checkpoints - 1) / checkpoints
        let granule = (work / threads + 2 + 4 * checkpoints - 1) / (4 * checkpoints)
        return step + threads * granule
    }

    @Test func everyPhaseHasItsGlobalCheckpointsAndExactLiveCounts() throws {
        let phases = ["allocate", "traverse", "mutate", "free-half", "free-all", "allocate-warm", "remote-free"]
        let out = try Self.run(
            "python-checkpoints", layouts: Self.pythonLayouts, threads: [1, 2, 4],
            phases: #"["allocate", "traverse", {"phase": "mutate", "order": "random"}, "free-half", "free-all", "allocate-warm", "remote-free"]"#,
            allocators: #"["system"]"#)
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(trials.count == Self.pythonLayouts.count * 3)
        for trial in trials {
            let id = trial["trial_id"] ?? ""
            #expect(trial["status"] == "ok", "\(id): \(trial["message"] ?? "")")
            let threads = try #require(Int(trial["threads"] ?? ""), "\(id) has no threads")
            #expect(id.contains(".t\(threads).r"), "\(id): the trial id names its threads")
        }
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        let rows = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        let n = Self.nodes
        for trial in trials {
            let id = trial["trial_id"] ?? ""
            let tuple = id.contains("tuple")  // tuples and namedtuples cannot be mutated
            let threads = Int(trial["threads"] ?? "") ?? 0
            for (index, phase) in phases.enumerated() {
                let phaseSamples = samples.filter { $0["trial_id"] == id && $0["phase_index"] == String(index) }
                let alive = phaseSamples.compactMap { Int($0["nodes_alive"] ?? "") }
                // Time runs on within a phase (the pool's samples are left out of it) and the last sample has it all.
                let elapsed = phaseSamples.compactMap { Int($0["elapsed_ns"] ?? "") }
                #expect(elapsed.count == phaseSamples.count, "\(id) \(phase): every sample has its elapsed_ns")
                #expect(zip(elapsed, elapsed.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(phase): elapsed_ns \(elapsed)")
                #expect(elapsed.last == elapsed.max(), "\(id) \(phase): the last sample's elapsed_ns is the largest: \(elapsed)")
                let row = rows.first { $0["trial_id"] == id && $0["phase_index"] == String(index) } ?? [:]
                if phase == "mutate" && tuple {
                    #expect(row["applicable"] == "false" && alive == [n, n], "\(id) mutate: \(alive)")
                    continue
                }
                #expect(row["applicable"] == "true", "\(id) \(phase) applies")
                #expect(alive.count == Self.checkpoints + 1, "\(id) \(phase): \(alive.count) samples")
                guard let last = alive.last else { continue }
                switch phase {
                case "allocate", "allocate-warm":
                    #expect(alive.first == 0 && last == n, "\(id) \(phase): \(alive)")
                    #expect(zip(alive, alive.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(phase): monotone \(alive)")
                    for k in 1..<alive.count {
                        #expect(alive[k] >= Self.checkpoint(k, of: n), "\(id) \(phase): sample \(k) has \(alive[k]) nodes")
                        // Taken at its checkpoint, not whenever the main thread got the GIL (at T = 1, after the pool).
                        #expect(alive[k] <= Self.checkpoint(k, of: n) + Self.slack(threads: threads, of: n),
                                "\(id) \(phase): sample \(k) has \(alive[k]) nodes, checkpoint \(Self.checkpoint(k, of: n))")
                    }
                case "free-half": #expect(last == n - n / 2, "\(id) free-half ends at \(last)")
                case "free-all", "remote-free":
                    #expect(last == 0, "\(id) \(phase) ends at \(last)")
                    // free-all runs after free-half (its odd slots are empty already); remote-free on all N nodes.
                    #expect(alive.first == (phase == "free-all" ? n - n / 2 : n), "\(id) \(phase): \(alive)")
                    #expect(zip(alive, alive.dropFirst()).allSatisfy { $0 >= $1 }, "\(id) \(phase): \(alive)")
                    guard phase == "remote-free" else { break }
                    // The published count is N less the items done (each drop frees its node: see
                    // everyDropFreesItsNodeAtOnce), sampled within the slack past each checkpoint.
                    for k in 1..<alive.count {
                        let done = n - alive[k], target = Self.checkpoint(k, of: n)
                        #expect(done >= target && done <= target + Self.slack(threads: threads, of: n),
                                "\(id) \(phase): sample \(k) after \(done) drops, checkpoint \(target)")
                    }
                default: #expect(alive.allSatisfy { $0 == n }, "\(id) \(phase): \(alive)")
                }
                if phase == "traverse" {
                    // Every thread sums its slice's ids (i + 1000): together Σ (i + 1000) over all nodes.
                    #expect(row["checksum"] == PhasesTable.checksumCell(n * (n - 1) / 2 + 1000 * n), "\(id): traverse checksum")
                }
            }
        }
        for row in rows {
            let id = row["trial_id"] ?? "", phase = row["phase"] ?? ""
            let threads = trials.first { $0["trial_id"] == id }?["threads"]
            #expect(row["threads"] == threads, "\(id) \(phase): threads \(row["threads"] ?? "")")
            #expect(Int(row["cpu_ns"] ?? "") != nil, "\(id) \(phase): no CPU time")
            #expect(Int(row["allocator_arenas"] ?? "") ?? 0 >= 1, "\(id) \(phase): glibc's heaps from malloc_info")
            guard row["applicable"] == "true" else { continue }
            #expect(Double(row["slowest_thread_ns_per_node"] ?? "") != nil, "\(id) \(phase): no slowest thread")
            #expect(Double(row["fastest_thread_ns_per_node"] ?? "") != nil, "\(id) \(phase): no fastest thread")
        }
    }

    /// The claim behind the drop phases' live counts, checked outside the measured loop: with a reference field,
    /// ThreadedTrial's free-all and remote-free (and free-half) free exactly the nodes their published live change
    /// says, at every local publish. python_worker.py is imported by a bare interpreter that builds 2 001
    /// threaded python-dict-class nodes per slice as the pool does, holds a weak reference to each (gc off: the
    /// nodes make no cycles) and runs the pool's own assign and slice functions thread after thread, with a
    /// publish that counts the nodes still alive. Fails if a node outlives its slot (an ascending drop leaves
    /// node j alive until node ≈ 2j + 4 goes).
    @Test func everyDropFreesItsNodeAtOnce() throws {
        let worker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LayoutLabRunner/Python/python_worker.py")
        let script = """
            import gc, importlib.util, sys, weakref
            spec = importlib.util.spec_from_file_location("python_worker", sys.argv[1])
            w = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(w)
            N, C = 2001, 4
            fields = w.parse_fields("id:int64;next:reference")
            namespace = w.layout_namespace("python-dict-class", fields, 1, N)
            make = w.threaded_layout_namespace("python-dict-class", fields, namespace)["make"]
            gc.disable()
            checks = failures = 0
            for kind, work in (("free-all", N), ("remote-free", N), ("free-half", N // 2)):
                for T in (1, 2, 3):
                    trial = w.ThreadedTrial.__new__(w.ThreadedTrial)
                    trial.threads, trial.nodes, trial.checkpoints = T, N, C
                    trial.bounds = w.slice_bounds(N, T)
                    trial.local = [[0] * (C * 4) for _ in range(T)]
                    for name in ("local_count", "slice_start", "slice_end", "first", "end", "progress", "live",
                                 "checksums", "starts", "ends", "cpu", "sample_cpu"):
                        setattr(trial, name, [0] * T)
                    trial.sample_usage = [[0] * 4 for _ in range(T)]
                    trial.global_schedule = [0] * C
                    trial.assign(kind, kind)
                    container = [None] * N
                    for t in range(T):
                        lo = trial.bounds[t]
                        for i in range(lo, trial.bounds[t + 1]):
                            container[i] = make(i, container, lo)
                    refs = [weakref.ref(node) for node in container]
                    trial.container = container
                    def publish(t, items, change):
                        global checks, failures
                        trial.live[t] = change
                        alive = sum(r() is not None for r in refs)
                        checks += 1
                        if alive != N + sum(trial.live):
                            failures += 1
                            print("%s T=%d thread %d after %d items: %d alive, published %d" % (kind, T, t, items, alive, N + sum(trial.live)))
                    trial.publish = publish
                    slice_work = trial.drop_slice if kind != "free-half" else trial.free_half_slice
                    for t in range(T):
                        slice_work(t)
                    if sum(trial.end[t] - trial.first[t] for t in range(T)) != work:
                        failures += 1
                        print("%s T=%d: work items %d, not %d" % (kind, T, sum(trial.end[t] - trial.first[t] for t in range(T)), work))
                    trial.container = container = None
            print("checks %d failures %d" % (checks, failures))
            """
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", script, worker.path])
        try #require(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last?.hasPrefix("checks ") == true && lines.last?.hasSuffix(" failures 0") == true,
                "\(lines.prefix(10).joined(separator: "\n")) … \(lines.last ?? "")")
        #expect(lines.count == 1, "every publish's count is exact: \(lines.prefix(5).joined(separator: "\n"))")
    }

    /// The census allocator (Fixtures/thread_census.c) records the allocating thread of every block of the node's
    /// size a pool thread mallocs (under PYTHONMALLOC=malloc each Python object is one malloc); remote-free must
    /// free none of them on that thread, free-all frees them all there. Seven slots make a node of an unusual size
    /// (88 bytes on CPython 3.8–3.13: GC header, object header, 7 slots), so the interpreter's own short-lived
    /// objects (ranges, tuples, locks) are not counted with the nodes; the test asks the interpreter for it.
    @Test func remoteFreeFreesNoNodeOnTheThreadThatBuiltIt() throws {
        let directory = try TestSupport.temporaryDirectory("python-thread-census")
        let library = try ThreadCensus.build(in: directory)
        let names = ["id", "next", "a", "b", "c", "d", "e"]
        let fields = names.map { #"{"name": "\#($0)", "type": "\#($0 == "next" ? "reference" : "int64")"}"# }
        let shape = #"{ "name": "wide", "fields": [ \#(fields.joined(separator: ", ")) ] }"#
        let size = try TestSupport.runTool("/usr/bin/env", [
            "python3", "-c",
            "import sys\nclass Node:\n    __slots__ = \(names.map { "'\($0)'" }.joined(separator: ", "))\nprint(sys.getsizeof(Node()))",
        ])
        let nodeBytes = try #require(Int(size.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(size.stderr)")
        func census(_ phase: String, threads: Int) throws -> (same: Int, cross: Int) {
            let folder = directory.appendingPathComponent("\(phase)-\(threads)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let prefix = folder.appendingPathComponent("census")
            let allocators = #"[ {"name": "census", "library": "\#(library.path)", "env": {"LL_THREAD_CENSUS": "\#(prefix.path)", "LL_CENSUS_SIZE": "\#(nodeBytes)"}} ]"#
            let out = try Self.run("census", layouts: ["python-slots-class"], threads: [threads], phases: #"["allocate", "\#(phase)"]"#,
                                   allocators: allocators, shape: shape, probeNodes: 0, directory: folder)
            let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
            #expect(trials.count == 1 && trials.allSatisfy { $0["status"] == "ok" }, "\(trials.map { $0["message"] ?? "" })")
            return try ThreadCensus.counts(in: folder)
        }
        for threads in [2, 4] {
            let remote = try census("remote-free", threads: threads)
            #expect(remote.same == 0, "remote-free with \(threads) threads freed \(remote.same) nodes on their own thread")
            #expect(remote.cross >= Self.nodes, "remote-free with \(threads) threads: \(remote.cross) cross-thread frees")
        }
        let own = try census("free-all", threads: 2)
        #expect(own.same >= Self.nodes, "free-all frees each node on the thread that built it: \(own.same)")
        #expect(own.cross == 0, "free-all: \(own.cross) cross-thread frees")
    }

    /// python-slots-class at 1 and 2 threads under glibc and jemalloc: every row ok with its thread count, and the
    /// allocators' thread figures (glibc's heaps, jemalloc's arenas and thread-cache bytes).
    @Test func aRunWithThreadsUnderTwoAllocators() throws {
        let out = try Self.run(
            "python-allocators", layouts: ["python-slots-class"], threads: [1, 2], phases: #"["allocate", "traverse", "remote-free"]"#,
            allocators: #"["system", "jemalloc"]"#)
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(trials.count == 4)
        for trial in trials {
            #expect(trial["status"] == "ok", "\(trial["trial_id"] ?? ""): \(trial["message"] ?? "")")
            #expect(trial["threads"] == "1" || trial["threads"] == "2", "\(trial["trial_id"] ?? "")")
        }
        let rows = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        #expect(rows.count == 12)
        for row in rows {
            let id = row["trial_id"] ?? "", allocator = id.split(separator: ".")[3]
            let threads = trials.first { $0["trial_id"] == id }?["threads"]
            #expect(row["threads"] == threads, "\(id) \(row["phase"] ?? "")")
            #expect(Double(row["ns_per_node"] ?? "") != nil, "\(id) \(row["phase"] ?? ""): ns per node")
            let arenas = Int(row["allocator_arenas"] ?? ""), used = Int(row["allocator_arenas_used"] ?? "")
            let cache = Int(row["allocator_thread_cache_bytes"] ?? "")
            if allocator == "system" {
                #expect((arenas ?? 0) >= 1 && used != nil && cache == nil, "\(id) \(row["phase"] ?? ""): glibc heaps \(String(describing: arenas))")
                if threads == "2" { #expect((arenas ?? 0) >= 2, "\(id): the pool threads' own glibc arenas") }
            } else {
                #expect((arenas ?? 0) >= 1 && (used ?? 0) >= 1 && cache != nil, "\(id) \(row["phase"] ?? ""): jemalloc arenas and tcache")
            }
        }
    }
}
