import Foundation
import Testing

@testable import LayoutLabExperiments

/// Threaded trials (`"threads"`) through the built lab: the global checkpoints the sampling thread takes while the
/// pool works, the live counts the pool threads' own counters give, the remote-free pairing seen by an
/// independent census allocator, and the allocators' thread figures.
@Suite("Threaded trials", .serialized)
struct ThreadedTrialTests {
    /// Odd, so that it divides by neither 2 nor 4.
    static let nodes = 20_001
    static let checkpoints = 8
    static let swiftLayouts = ["dict-class", "class", "final-class", "struct-array", "columns"]
    static let shape = #"{ "name": "n", "fields": [ {"name": "id", "type": "int64"}, {"name": "next", "type": "reference"} ] }"#

    /// Runs `layoutlab run` on an experiment; returns its results folder.
    static func run(_ name: String, layouts: [String], threads: [Int], phases: String, allocators: String,
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

    /// The global checkpoint k (1-based) of `work` items with `checkpoints` of them, as the worker spaces them.
    static func checkpoint(_ k: Int, of work: Int) -> Int {
        k == checkpoints ? work : Int((Double(work) * Double(k) / Double(checkpoints)).rounded())
    }

    @Test func everyPhaseHasItsGlobalCheckpointsAndExactLiveCounts() throws {
        let out = try Self.run(
            "checkpoints", layouts: Self.swiftLayouts, threads: [1, 2, 4],
            phases: #"["allocate", "traverse", {"phase": "mutate", "order": "random"}, "free-half", "free-all", "allocate-warm", "remote-free"]"#,
            allocators: #"["system"]"#)
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(trials.count == Self.swiftLayouts.count * 3)
        for trial in trials {
            let id = trial["trial_id"] ?? ""
            #expect(trial["status"] == "ok", "\(id): \(trial["message"] ?? "")")
            let threads = try #require(Int(trial["threads"] ?? ""), "\(id) has no threads")
            #expect(id.contains(".t\(threads).r"), "\(id): the trial id names its threads")
        }
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        let phases = ["allocate", "traverse", "mutate", "free-half", "free-all", "allocate-warm", "remote-free"]
        let n = Self.nodes
        for trial in trials {
            let id = trial["trial_id"] ?? ""
            let heap = !id.contains("struct-array") && !id.contains("columns")
            for (index, phase) in phases.enumerated() {
                let alive = samples.filter { $0["trial_id"] == id && $0["phase_index"] == String(index) }.compactMap { Int($0["nodes_alive"] ?? "") }
                #expect(alive.count == Self.checkpoints + 1, "\(id) \(phase): \(alive.count) samples")
                // Work time never runs backwards, and no sample is stamped after the phase's end (a sample taken late
                // by a sampling thread that shares the cores is clamped to it).
                let elapsed = samples.filter { $0["trial_id"] == id && $0["phase_index"] == String(index) }.compactMap { Int($0["elapsed_ns"] ?? "") }
                #expect(zip(elapsed, elapsed.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(phase): elapsed \(elapsed)")
                guard let last = alive.last else { continue }
                switch phase {
                case "allocate", "allocate-warm":
                    #expect(alive.first == 0 && last == n, "\(id) \(phase): \(alive)")
                    #expect(zip(alive, alive.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(phase): monotone \(alive)")
                    for k in 1..<alive.count {
                        #expect(alive[k] >= Self.checkpoint(k, of: n), "\(id) \(phase): sample \(k) has \(alive[k]) nodes")
                    }
                case "free-half": #expect(last == (heap ? n - n / 2 : n), "\(id) free-half ends at \(last)")
                case "free-all", "remote-free": #expect(last == 0, "\(id) \(phase) ends at \(last)")
                default: #expect(alive.allSatisfy { $0 == n }, "\(id) \(phase): \(alive)")
                }
            }
        }
        let rows = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        for row in rows {
            let id = row["trial_id"] ?? ""
            let threads = trials.first { $0["trial_id"] == id }?["threads"]
            #expect(row["threads"] == threads, "\(id) \(row["phase"] ?? ""): threads \(row["threads"] ?? "")")
            #expect(Double(row["slowest_thread_ns_per_node"] ?? "") != nil, "\(id) \(row["phase"] ?? ""): no slowest thread")
            #expect(Int(row["cpu_ns"] ?? "") != nil, "\(id) \(row["phase"] ?? ""): no CPU time")
        }
    }

    /// The census allocator (Fixtures/thread_census.c) records the allocating thread of every node-sized block a
    /// pool thread mallocs; remote-free must free none of them on that thread, free-all frees them all there.
    @Test func remoteFreeFreesNoNodeOnTheThreadThatBuiltIt() throws {
        let directory = try TestSupport.temporaryDirectory("thread-census")
        let library = try ThreadCensus.build(in: directory)
        func census(_ phase: String, threads: Int) throws -> (same: Int, cross: Int) {
            let folder = directory.appendingPathComponent("\(phase)-\(threads)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let prefix = folder.appendingPathComponent("census")
            // 32 bytes: the final-class node of {id int64, next reference} (16-byte object header + 16).
            let allocators = #"[ {"name": "census", "library": "\#(library.path)", "env": {"LL_THREAD_CENSUS": "\#(prefix.path)", "LL_CENSUS_SIZE": "32"}} ]"#
            _ = try Self.run("census", layouts: ["final-class"], threads: [threads], phases: #"["allocate", "\#(phase)"]"#,
                             allocators: allocators, probeNodes: 0, directory: folder)
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

    /// The four allocators under threads, end to end: every row ok with its threads, and each allocator's own thread
    /// figures where it has them (glibc and jemalloc arenas, tcmalloc and jemalloc thread-cache bytes, none for mimalloc).
    @Test func fourAllocatorsReportTheirThreadFigures() throws {
        let out = try Self.run(
            "allocators", layouts: ["final-class", "struct-array"], threads: [2], phases: #"["allocate", "traverse", "remote-free"]"#,
            allocators: #"["system", "jemalloc", "mimalloc", "tcmalloc"]"#)
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(trials.count == 8)
        for trial in trials {
            #expect(trial["status"] == "ok", "\(trial["trial_id"] ?? ""): \(trial["message"] ?? "")")
            #expect(trial["threads"] == "2")
        }
        for row in try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows {
            let id = row["trial_id"] ?? "", allocator = id.split(separator: ".")[3]
            let arenas = Int(row["allocator_arenas"] ?? ""), used = Int(row["allocator_arenas_used"] ?? "")
            let cache = Int(row["allocator_thread_cache_bytes"] ?? "")
            #expect(row["threads"] == "2", "\(id)")
            switch allocator {
            case "system":
                #expect((arenas ?? 0) >= 1 && used != nil && cache == nil, "\(id) \(row["phase"] ?? ""): \(String(describing: arenas))")
                if id.contains("final-class") { #expect((arenas ?? 0) >= 2, "\(id): the pool threads' own glibc arenas") }
            case "jemalloc":
                #expect((arenas ?? 0) >= 1 && (used ?? 0) >= 1 && cache != nil, "\(id) \(row["phase"] ?? "")")
            case "tcmalloc":
                #expect(arenas == nil && (cache ?? 0) > 0, "\(id) \(row["phase"] ?? ""): thread cache \(String(describing: cache))")
            default:
                #expect(arenas == nil && used == nil && cache == nil, "\(id): mimalloc has no thread figures")
            }
        }
    }

    /// A swept bytes shape has no threaded entry points: refused at validation, at the shape's path, once per sweep.
    @Test func threadsWithASweptBytesShapeAreRefused() throws {
        let text = """
            { "name": "swept", "layouts": ["final-class"], "nodes": [100], "threads": [2], "allocators": ["system"],
              "shapes": [ { "name": "buf", "fields": [ {"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": {"from": 8, "to": 16, "step": 8}} ] } ] }
            """
        var problems: [ExperimentProblem] = []
        do {
            _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "swept.json")
        } catch {
            problems = error.problems
        }
        let refusals = problems.filter { $0.message.contains("threads with a swept bytes shape is not supported") }
        #expect(refusals.count == 1, "\(problems)")
        #expect(refusals.first?.jsonPath == "$.shapes[0]", "\(problems)")
        let unthreaded = text.replacingOccurrences(of: #""threads": [2], "#, with: "")
        #expect(throws: Never.self) { try ExperimentLoader.checkingThisHost.load(data: Data(unthreaded.utf8), path: "swept.json") }
    }
}
