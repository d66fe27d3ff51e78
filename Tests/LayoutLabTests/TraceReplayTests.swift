import Foundation
import Testing

@testable import LayoutLabHost
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabRunner

/// `"traces"`: refusals with their paths (a trace file that cannot be read names its offset).
extension ExperimentValidationTests {
    static let validTrace = #"{ "name": "t", "traces": [{"name": "known", "file": "/nonexistent/known.trace"}], "allocators": ["system"] }"#

    static let traceBadCases: [BadCase] = [
        BadCase(label: "traces beside shapes", text: with(#""traces": [{"name": "a", "file": "a.trace"}]"#), path: "$.shapes", message: "expected no \"shapes\" beside \"traces\""),
        BadCase(label: "trace without a file", text: validTrace.replacing(#", "file": "/nonexistent/known.trace""#, with: ""), path: "$.traces[0]", message: "missing required key \"file\""),
        BadCase(label: "no traces", text: validTrace.replacing(#"[{"name": "known", "file": "/nonexistent/known.trace"}]"#, with: "[]"), path: "$.traces", message: "non-empty list"),
    ]
}

/// Trace replay: the known program's trace (recorded now) replayed by `layoutlab run` under each allocator the lab
/// knows gives the trace's events, its exact peak of live requested bytes, and live usable bytes equal to that
/// allocator's own `malloc_usable_size` for those sizes, measured by a separate program; a damaged trace is refused
/// with its offset before any trial runs.
@Suite("Allocation traces: replay in the worker")
struct TraceReplayTests {
    /// A C program printing `malloc_usable_size(malloc(n))` for each n, compiled once per test run.
    static let usableSizeProgram: URL? = {
        guard let source = Bundle.module.url(forResource: "Fixtures/usable_size", withExtension: "c"),
              let directory = try? TestSupport.temporaryDirectory("usable-size") else { return nil }
        let binary = directory.appendingPathComponent("usable_size")
        let built = try? TestSupport.runTool("/usr/bin/cc", ["-O0", "-o", binary.path, source.path])
        return built?.status == 0 ? binary : nil
    }()

    /// The allocator's usable sizes for `sizes`, by the witness program run with `preload`.
    private func usableSizes(_ sizes: [Int], preload: String?) throws -> [Int] {
        let program = try #require(Self.usableSizeProgram, "the usable-size program did not compile")
        let run = try TestSupport.runTool(program.path, sizes.map(String.init), environment: preload.map { ["LD_PRELOAD": $0] } ?? [:])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").compactMap { Int($0) }
    }

    /// The known program's trace, recorded into a new folder.
    private func recordKnownTrace(_ label: String) throws -> URL {
        let program = try #require(TraceRecordTests.program, "the fixture program did not compile")
        let trace = try TestSupport.temporaryDirectory(label).appendingPathComponent("known.trace")
        let recorded = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--", program.path])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        return trace
    }

    private static let allocators = [AllocatorSpec.system, .jemalloc, .mimalloc, .tcmalloc]

    @Test func theKnownTraceReplaysWithEachAllocatorsUsableSizes() throws {
        let trace = try recordKnownTrace("trace-replay")
        let directory = trace.deletingLastPathComponent()
        let events = try TraceReader.read([UInt8](Data(contentsOf: trace))).events.count
        let experiment = directory.appendingPathComponent("replay.json")
        try #"""
            { "name": "replay", "traces": [{"name": "known", "file": "known.trace"}],
              "allocators": ["system", "jemalloc", "mimalloc", "tcmalloc"], "repetitions": 1, "checkpoints": 10 }
            """#.write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path])
        try #require(run.status == 0, "\(run.stderr)")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let phases = try TestSupport.readCSV(out.appendingPathComponent("phases.csv")).rows
        #expect(trials.count == 4)
        for spec in Self.allocators {
            let id = "known.trace.\(spec.name).r1"
            let row = try #require(trials.first { $0["trial_id"] == id }, "no row \(id)")
            let allocator = try ResolvedAllocator.resolve(spec, with: SharedLibraryResolver())
            let usable = try usableSizes([100, 3000], preload: allocator.preload)
            try #require(usable.count == 2)
            #expect(row["status"] == "ok" && row["layout"] == "trace" && row["trace"] == "known", "\(row)")
            #expect(row["malloc_provider"] == allocator.providerPath, "\(spec.name): the allocator asked for serves malloc")
            #expect(row["events"] == String(events), "\(spec.name)")
            #expect(row["peak_live_requested_bytes"] == "155000000", "\(spec.name)")
            #expect(row["peak_live_usable_bytes"] == String(50_000 * usable[0] + 50_000 * usable[1]), "\(spec.name): usable \(usable), \(row)")
            // The replay writes every requested byte of its blocks: at the peak, RSS has grown by about the live bytes
            // (not exactly: mimalloc keeps ~5 MB of the decoding's freed pages resident through its purge, and the
            // replay reuses them; measured growth 150–175 MB for 155 MB live).
            let grown = Int(row["rss_at_peak_bytes"] ?? "").flatMap { peak in Int(row["baseline_rss_bytes"] ?? "").map { peak - $0 } }
            #expect(grown.map { $0 >= 140_000_000 } == true, "\(spec.name): RSS grew by \(grown.map(String.init) ?? "?") bytes")
            #expect(Double(row["replay_ns_per_event"] ?? "").map { $0 > 0 } == true && row["replay_threads"] == "1")
            let phase = try #require(phases.first { $0["trial_id"] == id })
            #expect(phase["phase"] == "replay" && Double(phase["ns_per_event"] ?? "").map { $0 > 0 } == true, "\(phase)")
        }
        // Checkpoints by events: the baseline, then the 10 checkpoints spread over the events (the peak is the last).
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows.filter { $0["trial_id"] == "known.trace.system.r1" }
        #expect(samples.map { $0["nodes_alive"] ?? "" } == ["0"] + (1...10).map { String(events * $0 / 10) }, "\(samples.map { $0["nodes_alive"] ?? "" })")
        // The comparison chart's table: the trace under each allocator ÷ under glibc, in the experiment's order, the
        // ratio of the usable bytes the rows above hold (one repetition: no interval).
        let usable = try TestSupport.readCSV(out.appendingPathComponent("chart-data/replay-comparison-usable.csv")).rows
        #expect(usable.map { $0["label"] ?? "" } == ["known jemalloc", "known mimalloc", "known tcmalloc"], "\(usable)")
        let glibc = try #require(Double(trials.first { $0["trial_id"] == "known.trace.system.r1" }?["peak_live_usable_bytes"] ?? ""))
        for row in usable {
            let other = try #require(Double(trials.first { $0["trial_id"] == "known.trace.\(row["side_b"] ?? "").r1" }?["peak_live_usable_bytes"] ?? ""))
            #expect(Double(row["ratio"] ?? "").map { abs($0 - other / glibc) < 0.001 } == true && row["ci_low"] == "", "\(row)")
        }
        // RSS growth at the peak: what the replay added above its baseline (the worker's trace tables are in both).
        func growth(_ allocator: String) throws -> Double {
            let row = try #require(trials.first { $0["trial_id"] == "known.trace.\(allocator).r1" })
            return try #require(Double(row["rss_at_peak_bytes"] ?? "")) - (try #require(Double(row["baseline_rss_bytes"] ?? "")))
        }
        let grown = try TestSupport.readCSV(out.appendingPathComponent("chart-data/replay-comparison-rss.csv")).rows
        #expect(grown.count == 3, "\(grown)")
        for row in grown {
            let expected = try growth(row["side_b"] ?? "") / growth("system")
            #expect(Double(row["ratio"] ?? "").map { abs($0 - expected) < 0.001 } == true, "\(row) against \(expected)")
        }
    }

    @Test func theReplayTravelsThroughTheWorkerProtocol() throws {
        let request = WorkerRequest(
            trialID: "known.trace.system.r1", layout: .trace(path: "/data/run.trace"), nodes: 200_000, checkpoints: 10,
            smaps: .off, allocatorStatistics: .mallinfo2, expectedMallocProvider: "/lib/libc.so.6", probeNodes: 0)
        #expect(try WorkerRequest(arguments: request.arguments) == request)
        let figures = ReplayFigures(
            events: 200_000, replayedCalls: 199_990, peakEvents: 150_000, peakLiveRequestedBytes: 155_000_000,
            peakLiveUsableBytes: 155_200_000, rssAtPeakBytes: nil, replayThreads: 1, traceThreads: 2)
        let line = WorkerReply.replay(figures).line
        #expect(line == "replay\t200000\t199990\t150000\t155000000\t155200000\t\t1\t2", "an unread RSS is an empty field")
        #expect(try WorkerReply(line: line) == .replay(figures))
        #expect(throws: WorkerProtocolError.self) { try WorkerReply(line: "replay\t200000\t\t150000\t1\t2\t\t1\t2") }
    }

    @Test func aDamagedOrMissingTraceIsRefusedBeforeAnyTrialRuns() throws {
        let trace = try recordKnownTrace("trace-replay-damaged")
        let directory = trace.deletingLastPathComponent()
        let bytes = try Data(contentsOf: trace)
        try Data(bytes.prefix(bytes.count - 10)).write(to: directory.appendingPathComponent("cut.trace"))
        try Data("#!/bin/sh\necho not a trace, just text long enough for a header\n".utf8).write(to: directory.appendingPathComponent("foreign.trace"))
        for (file, expected) in [
            ("cut.trace", "trace file \(directory.path)/cut.trace at offset \(bytes.count - 24): the end record is cut short"),
            ("foreign.trace", "trace file \(directory.path)/foreign.trace at offset 0: no LLTRACE magic"),
            ("missing.trace", "cannot read trace file \(directory.path)/missing.trace (at offset 0)"),
        ] {
            let experiment = directory.appendingPathComponent("replay-\(file).json")
            try #"{ "name": "replay", "allocators": ["system"], "traces": [{"name": "known", "file": "known.trace"}, {"name": "bad", "file": "\#(file)"}] }"#
                .write(to: experiment, atomically: true, encoding: .utf8)
            let out = directory.appendingPathComponent("out-\(file)")
            let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path])
            #expect(run.status == 2, "\(file): \(run.stderr)")
            #expect(run.stderr.contains(experiment.path) && run.stderr.contains("$.traces[1].file") && run.stderr.contains(expected), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("trials.csv").path), "no trial ran")
        }
    }
}
