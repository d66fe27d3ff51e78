import Foundation
import Testing

@testable import LayoutLabModel

/// The Python worker proves, reads and purges the allocator as the Swift worker does (MallocProviderCheck,
/// AllocatorStatisticsSource): ownership queries, the statistics of all four allocators, purge entry points.
@Suite("The Python worker's allocator interface", .serialized)
struct PythonWorkerAllocatorTests {
    static let libraries = "/usr/lib/x86_64-linux-gnu"

    /// One line of the probe fixture, run with `library` preloaded.
    static func probe(_ source: String, library: String) throws -> [String] {
        let worker = try #require(PythonInterpreter.workerScript)
        let script = try #require(Bundle.module.url(forResource: "Fixtures/python_allocator_probe", withExtension: "py"))
        let path = "\(libraries)/\(library)"
        let result = try TestSupport.runTool(
            "/usr/bin/env", ["python3", script.path, worker.path, source, path],
            environment: ["LD_PRELOAD": path, "PYTHONMALLOC": "malloc"])
        try #require(result.status == 0, "\(source): \(result.stdout) \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: " ")
    }

    /// A fresh malloc(64) belongs to the allocator and a foreign mmap address does not; the figures the
    /// allocator publishes are read (AllocatorStatistics' mapping), the others stay empty; purge runs.
    @Test(arguments: [
        ("jemalloc", "libjemalloc.so.2", [true, true, true, true, true, true]),
        ("mimalloc", "libmimalloc.so.2", [false, false, false, false, true, false]),
        ("tcmalloc", "libtcmalloc.so.4", [true, true, false, true, true, true]),
    ])
    func ownsReadsAndPurgesLikeTheSwiftWorker(source: String, library: String, published: [Bool]) throws {
        let fields = try Self.probe(source, library: library)
        try #require(fields.count >= 11, "\(fields)")
        #expect(fields[0].contains(library.split(separator: ".").first ?? ""), "provider \(fields[0])")
        #expect(fields[1] == "True", "\(source) owns its own malloc(64)")
        #expect(fields[2] == "False", "\(source) refuses an address it did not allocate")
        let figures = fields[3...8].map { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "[],"))) ?? -2 }
        for (index, figure) in figures.enumerated() {
            #expect(published[index] ? figure >= 0 : figure == -1, "\(source) figure \(index): \(figure)")
        }
        #expect(fields[9] == "True", "\(source) has a purge entry point")
    }

    /// In a run: purge applies under every allocator that has an entry point (phases.csv said "no purge entry
    /// point" for mimalloc and tcmalloc), and mimalloc's and tcmalloc's figures reach the CSV.
    @Test func pythonTrialsPurgeAndReadEveryAllocator() throws {
        let (_, phases, _) = try PhaseTests.run("""
            { "name": "python-allocators", "layouts": ["python-slots-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [20000], "allocators": ["system", "jemalloc", "mimalloc", "tcmalloc"], "checkpoints": 3,
              "probe_nodes": 100, "phases": ["allocate", "free-all", "purge"] }
            """, label: "python-allocators")
        func row(_ allocator: String, _ phase: String) throws -> [String: String] {
            try #require(phases.first { $0["trial_id"] == "p.python-slots-class.20000.\(allocator).r1" && $0["phase"] == phase })
        }
        for allocator in ["system", "jemalloc", "mimalloc", "tcmalloc"] {
            let purge = try row(allocator, "purge")
            #expect(purge["applicable"] == "true", "\(allocator): \(purge["note"] ?? "")")
            #expect(!(try row(allocator, "allocate")["allocator_mapped_bytes_end"] ?? "").isEmpty, "\(allocator) mapped")
        }
        #expect(!(try row("tcmalloc", "allocate")["allocator_allocated_bytes_end"] ?? "").isEmpty)
        #expect((try row("mimalloc", "allocate")["allocator_allocated_bytes_end"] ?? "x").isEmpty, "mimalloc keeps no such counter")
    }
}

/// `"sampling": {"smaps_rollup": "off", "allocator": "off"}` means never, in every phase of both workers.
@Suite("Sampling schedules that say off", .serialized)
struct SamplingOffTests {
    @Test func offReadsNothingInAnyPhaseOfEitherWorker() throws {
        let (_, _, out) = try PhaseTests.run("""
            { "name": "sampling-off", "layouts": ["final-class", "python-slots-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
              "nodes": [20000], "allocators": ["jemalloc"], "checkpoints": 3, "probe_nodes": 100,
              "sampling": {"smaps_rollup": "off", "allocator": "off"}, "phases": ["allocate", "traverse", "free-all", "purge"] }
            """, label: "sampling-off")
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        #expect(Set(samples.compactMap { $0["phase"] }) == ["allocate", "traverse", "free-all", "purge"])
        let unread = ["smaps_rss_bytes", "pss_bytes", "private_dirty_bytes", "anonymous_bytes", "allocator_allocated_bytes",
                      "allocator_active_bytes", "allocator_mapped_bytes"]
        for sample in samples {
            for column in unread {
                #expect(sample[column] == "", "\(sample["trial_id"] ?? "") \(sample["phase"] ?? "") read \(column)")
            }
            #expect(!(sample["rss_bytes"] ?? "").isEmpty)
        }
    }
}
