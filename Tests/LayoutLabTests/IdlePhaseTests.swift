import Foundation
import Testing

@testable import LayoutLabModel

/// `idle` after `free-all`: what an allocator gives back by itself while the program sleeps. jemalloc with its
/// background thread keeps purging while the worker sleeps; by default its decay waits for the next allocator call,
/// and glibc keeps what it holds. Both workers, samples on a time schedule.
@Suite("Idle phases: memory returned over time")
struct IdlePhaseTests {
    @Test func onlyABackgroundThreadReturnsMemoryWhileTheWorkerSleeps() throws {
        let directory = try TestSupport.temporaryDirectory("idle")
        let file = directory.appendingPathComponent("idle.json")
        try """
            { "name": "idle", "layouts": ["dict-class", "python-dict-class"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
              "nodes": [400000], "checkpoints": 10, "probe_nodes": 0,
              "allocators": ["system", "jemalloc",
                             {"name": "je-background", "library": "libjemalloc.so.2", "env": {"MALLOC_CONF": "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0"}}],
              "phases": ["allocate", "free-all", {"phase": "idle", "seconds": 3}] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path, "--quiet"],
            environment: ["LAYOUTLAB_LOCK_FILE": directory.appendingPathComponent("lock").path])
        #expect(result.status == 0, "\(result.stderr)")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let phases = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        for trial in trials {
            let id = trial["trial_id"] ?? ""
            #expect(trial["status"] == "ok", "\(id): \(trial["message"] ?? "")")
            let idle = try #require(phases.first { $0["trial_id"] == id && $0["phase"] == "idle" })
            let start = try #require(Int(idle["rss_bytes_start"] ?? "")), end = try #require(Int(idle["rss_bytes_end"] ?? ""))
            let allocate = try #require(phases.first { $0["trial_id"] == id && $0["phase"] == "allocate" })
            let built = try #require(Int(allocate["rss_bytes_end"] ?? "")) - (try #require(Int(allocate["rss_bytes_start"] ?? "")))
            // Samples on a time schedule: 11, their elapsed times about 0.3 s apart, the last at about 3 s.
            let times = samples.filter { $0["trial_id"] == id && $0["phase"] == "idle" }.compactMap { Int($0["elapsed_ns"] ?? "") }
            #expect(times.count == 11, "\(id): \(times.count) samples")
            #expect(times.last.map { $0 > 2_900_000_000 && $0 < 4_000_000_000 } == true, "\(id): \(times)")
            let returned = Double(start - end) / Double(built)
            if trial["allocator"] == "je-background" && trial["layout"] == "dict-class" {
                // What free-all left resident goes back while the worker sleeps.
                #expect(start - end > 1 << 20, "\(id): returned \(start - end) B of \(start) while idle")
                #expect(idle["rss_half_returned_ns"] != "", "\(id): the time to half of it")
            } else if trial["layout"] == "dict-class" {
                #expect(returned < 0.02, "\(id): \(returned * 100) % of the nodes' bytes returned while idle")
                #expect(idle["rss_half_returned_ns"] == "" || returned > 0, "\(id)")
            }
        }
    }
}
