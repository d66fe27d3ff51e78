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
        try checkIdleCharts(out, trials: trials, directory: directory)
    }

    /// The charts of an idle experiment: the timeline on a seconds axis, where each line's idle span lasts the
    /// seconds slept and its seconds never run backwards, and the idle-return chart's lines start at 0 returned
    /// and fall under jemalloc's background thread only.
    private func checkIdleCharts(_ out: URL, trials: [[String: String]], directory: URL) throws {
        let plot = try TestSupport.run(
            "layoutlab", ["plot", out.path], environment: ["LAYOUTLAB_LOCK_FILE": directory.appendingPathComponent("lock").path])
        #expect(plot.status == 0, "\(plot.stderr)")
        let data = out.appendingPathComponent("chart-data")
        let timeline = try TestSupport.readCSV(data.appendingPathComponent("timeline-seconds.csv")).rows
        let spans = try TestSupport.readCSV(data.appendingPathComponent("timeline-spans.csv")).rows
        let returned = try TestSupport.readCSV(data.appendingPathComponent("idle-return.csv")).rows
        for trial in trials {
            let (allocator, layout) = (trial["allocator"] ?? "", trial["layout"] ?? "")
            let line = timeline.filter { $0["allocator"] == allocator && $0["layout"] == layout }.compactMap { Double($0["seconds"] ?? "") }
            #expect(line.count > 11 && zip(line, line.dropFirst()).allSatisfy { $0 <= $1 }, "\(allocator) \(layout): \(line)")
            let idle = try #require(spans.first { $0["allocator"] == allocator && $0["layout"] == layout && $0["is_idle"] == "1" })
            let length = try #require(Double(idle["end_seconds"] ?? "")) - (try #require(Double(idle["start_seconds"] ?? "")))
            #expect(length > 2.9 && length < 4, "\(allocator) \(layout): idle span \(length) s")
            // The idle span begins where the line's free-all ended, so the phases tile the axis.
            let freeAll = try #require(spans.first { $0["allocator"] == allocator && $0["layout"] == layout && $0["phase_label"] == "free-all" })
            #expect(freeAll["end_seconds"] == idle["start_seconds"], "\(allocator) \(layout)")
            let curve = returned.filter { $0["allocator"] == allocator && $0["layout"] == layout && $0["repetition"] == "1" }
            #expect(curve.count == 11 && curve.first.flatMap { Double($0["returned_mib"] ?? "") } == 0, "\(allocator) \(layout): \(curve.first ?? [:])")
            if layout == "dict-class" {
                let last = try #require(Double(curve.last?["returned_mib"] ?? ""))
                #expect(allocator == "je-background" ? last > 1 : last < 1, "\(allocator): \(last) MiB returned while asleep")
            }
        }
        for chart in ["timeline-je-background.png", "timeline-system.png", "idle-return.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts").appendingPathComponent(chart).path), "\(chart)")
        }
    }
}
