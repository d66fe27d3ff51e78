import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabHost
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabReports
@testable import LayoutLabResults
@testable import LayoutLabRunner

/// Multi-thread replay: the known program's `handoff` trace (four threads make blocks, the next thread resizes each
/// and asks its usable size, the one after frees it: every block crosses three threads) replays on as many threads
/// as it recorded, under glibc and jemalloc, twice each: every trial ends with every block where the recorded order
/// leaves it (the worker checks; a replay that freed a block before it was made or left one alive fails the trial),
/// the peak of live requested bytes is the trace's, and jemalloc's live usable bytes at the peak are its
/// `malloc_usable_size` of those requests, equal in both repetitions. glibc's are at least its usable sizes: a
/// realloc glibc grows in place can keep a larger chunk, and where it does depends on the threads' interleaving.
@Suite("Allocation traces: replay on the recorded threads")
struct TraceReplayThreadsTests {
    /// The allocator's usable sizes for `sizes` (TraceReplayTests' witness program, run with `preload`).
    private func usableSizes(_ sizes: [Int], preload: String?) throws -> [Int: Int] {
        let program = try #require(TraceReplayTests.usableSizeProgram, "the usable-size program did not compile")
        let run = try TestSupport.runTool(program.path, sizes.map(String.init), environment: preload.map { ["LD_PRELOAD": $0] } ?? [:])
        #expect(run.status == 0, "\(run.stderr)")
        let usable = run.stdout.split(separator: "\n").compactMap { Int($0) }
        try #require(usable.count == sizes.count)
        return Dictionary(uniqueKeysWithValues: zip(sizes, usable))
    }

    /// Requested sizes of the blocks alive right after the trace's peak (sequence order): size → blocks.
    private func liveSizes(_ trace: Trace, through peak: UInt64) -> [Int: Int] {
        var live: [UInt64: UInt64] = [:]
        for event in trace.events where event.sequence <= peak {
            if event.kind == .free || (event.kind == .realloc && (!event.failed || event.bytes == 0)) { live[event.block] = nil }
            if event.kind.makesBlock, !event.failed { live[event.sequence] = event.bytes }
        }
        return Dictionary(grouping: live.values, by: { Int($0) }).mapValues(\.count)
    }

    @Test func aHandoffTraceReplaysOnItsThreadsWithEveryBlockInItsRecordedOrder() throws {
        let program = try #require(TraceRecordTests.program, "the fixture program did not compile")
        let directory = try TestSupport.temporaryDirectory("trace-replay-threads")
        let traceFile = directory.appendingPathComponent("handoff.trace")
        let recorded = try TestSupport.run("layoutlab", ["record", "--out", traceFile.path, "--", program.path, "handoff"])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        let trace = try TraceReader.read([UInt8](Data(contentsOf: traceFile)))
        // The recording itself: 4 000 blocks made, resized and freed by three different threads.
        let made = Dictionary(uniqueKeysWithValues: trace.events.filter { $0.kind == .malloc && (64...112).contains($0.bytes) }.map { ($0.sequence, $0.thread) })
        let resized = trace.events.filter { $0.kind == .realloc && made[$0.block] != nil }
        let resizer = Dictionary(uniqueKeysWithValues: resized.map { ($0.sequence, ($0.thread, made[$0.block] ?? 0)) })
        let freed = trace.events.filter { $0.kind == .free && resizer[$0.block] != nil }
        #expect(made.count == 4000 && resized.count == 4000 && freed.count == 4000)
        #expect(freed.allSatisfy { free in resizer[free.block].map { $0.0 != free.thread && $0.1 != free.thread && $0.0 != $0.1 } == true })
        #expect(trace.threads == 13, "main and 12 threads, each one number however often it took a buffer: \(trace.threads)")
        let summary = TraceSummary(trace)
        let sizes = liveSizes(trace, through: summary.peakSequence)
        #expect(sizes[200] == 4000, "\(sizes)")

        let experiment = directory.appendingPathComponent("replay.json")
        try #"""
            { "name": "replay-threads", "traces": [{"name": "handoff", "file": "handoff.trace"}],
              "allocators": ["system", "jemalloc"], "repetitions": 2, "checkpoints": 10 }
            """#.write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path])
        try #require(run.status == 0, "\(run.stderr)")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        let phases = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        #expect(trials.count == 4)
        for spec in [AllocatorSpec.system, .jemalloc] {
            let allocator = try ResolvedAllocator.resolve(spec, with: SharedLibraryResolver())
            let usable = try usableSizes(sizes.keys.sorted(), preload: allocator.preload)
            let expectedUsable = sizes.reduce(0) { $0 + (usable[$1.key] ?? 0) * $1.value }
            var usableFigures: [String] = []
            for repetition in 1...2 {
                let id = "handoff.trace.\(spec.name).r\(repetition)"
                let row = try #require(trials.first { $0["trial_id"] == id }, "no row \(id)")
                #expect(row["status"] == "ok", "\(id): \(row["error"] ?? "") \(row)")
                #expect(row["replay_threads"] == String(trace.threads), "\(id): one replay thread per recorded thread")
                #expect(row["events"] == String(trace.events.count))
                #expect(row["peak_live_requested_bytes"] == String(summary.peakLiveRequestedBytes), "\(id)")
                let usableAtPeak = try #require(Int(row["peak_live_usable_bytes"] ?? ""))
                if spec == .jemalloc {
                    #expect(usableAtPeak == expectedUsable, "\(id): usable \(usable)")
                } else {
                    #expect(usableAtPeak >= expectedUsable, "\(id): usable \(usable)")
                }
                usableFigures.append(row["peak_live_usable_bytes"] ?? "")
                // Samples taken while the threads work: events done, never less than before, all of them at the end.
                let done = samples.filter { $0["trial_id"] == id }.compactMap { Int($0["nodes_alive"] ?? "") }
                #expect(done.first == 0 && done.last == trace.events.count && done == done.sorted(), "\(id): \(done)")
                #expect(done.count == 11 || done.count == 12, "\(id): the baseline, 10 checkpoints and the peak's: \(done)")
                let phase = try #require(phases.first { $0["trial_id"] == id })
                #expect(Int(phase["cpu_ns"] ?? "").map { $0 > 0 } == true, "\(id): the threads' CPU time")
            }
            if spec == .jemalloc { #expect(Set(usableFigures).count == 1, "jemalloc: \(usableFigures)") }
        }

        // The replay chart's data: per allocator the samples of its median repetition by largest RSS. (The trace
        // is copied beside the folder's experiment, whose relative path reading the folder checks again.)
        try FileManager.default.copyItem(at: traceFile, to: out.appendingPathComponent("handoff.trace"))
        let folder = try ResultsFolder.open(out)
        let chart = ChartData.replayRSS(samples: folder.sampleRows, run: folder.run)
        #expect(chart.header == ["trace", "trace_index", "allocator", "repetition", "events", "rss_mib"])
        for allocator in ["system", "jemalloc"] {
            let rows = chart.rows.filter { $0[2] == allocator }
            let peaks = (1...2).map { repetition in
                (repetition, samples.filter { $0["trial_id"] == "handoff.trace.\(allocator).r\(repetition)" }.compactMap { Int($0["rss_bytes"] ?? "") }.max() ?? 0)
            }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            let median = peaks[0].0
            #expect(Set(rows.map { $0[3] }) == [String(median)], "\(allocator): \(peaks)")
            let drawn = samples.filter { $0["trial_id"] == "handoff.trace.\(allocator).r\(median)" }.map { $0["nodes_alive"] ?? "" }
            #expect(rows.map { $0[4] ?? "" } == drawn && rows.allSatisfy { $0[0] == "handoff" && $0[1] == "1" && $0[5] != nil })
        }
        try ChartDataWriter.write(for: folder)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("chart-data/replay-rss.csv").path))
    }

    @Test func aNodeExperimentHasNoReplayChartData() throws {
        let folder = try ResultsFolder.open(try ChartReportTests.fixtureCopy())
        #expect(ChartData.replayRSS(samples: folder.sampleRows, run: folder.run).rows.isEmpty)
        try ChartDataWriter.write(for: folder)
        #expect(!FileManager.default.fileExists(atPath: folder.directory.appendingPathComponent("chart-data/replay-rss.csv").path))
    }
}
