import Foundation
import Testing

@testable import LayoutLabHost
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabRunner

/// Trace replay in the worker: the known program's trace (recorded now) replayed under each allocator the lab knows
/// gives the trace's events, its exact peak of live requested bytes, and live usable bytes that equal that
/// allocator's own `malloc_usable_size` for those sizes, measured by a separate program.
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

    private func replay(_ trace: String, under spec: AllocatorSpec, in directory: URL) throws -> (TrialResult, ResolvedAllocator) {
        let allocator = try ResolvedAllocator.resolve(spec, with: SharedLibraryResolver())
        let request = WorkerRequest(
            trialID: "known.trace.\(spec.name).r1", layout: .trace(path: trace), nodes: 0, checkpoints: 10, smaps: .off,
            allocatorStatistics: spec.statistics, expectedMallocProvider: allocator.providerPath, probeNodes: 0)
        let shape = Shape(name: "known", fields: [Field(name: "x", type: .int64)])
        let trial = Trial(experiment: "replay", shapeIndex: 0, shape: shape, layout: .finalClass, nodes: 0, allocator: spec, repetition: 1)
        let worker = TestSupport.buildDirectory.appendingPathComponent("layoutlab-worker").path
        let result = WorkerLauncher(workerPath: worker, timeoutSeconds: 60).run(
            request, trial: trial, preload: allocator.preload, environment: spec.environment,
            logURL: directory.appendingPathComponent("\(spec.name).log"))
        return (result, allocator)
    }

    @Test func theKnownTraceReplaysWithEachAllocatorsUsableSizes() throws {
        let program = try #require(TraceRecordTests.program, "the fixture program did not compile")
        let directory = try TestSupport.temporaryDirectory("trace-replay")
        let trace = directory.appendingPathComponent("known.trace")
        let recorded = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--", program.path])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let events = try TraceReader.read([UInt8](Data(contentsOf: trace))).events.count
        for spec in [AllocatorSpec.system, .jemalloc, .mimalloc, .tcmalloc] {
            let (result, allocator) = try replay(trace.path, under: spec, in: directory)
            #expect(result.status == .ok, "\(spec.name): \(result.message ?? "")")
            #expect(result.mallocProvider == allocator.providerPath, "\(spec.name): the allocator asked for serves malloc")
            let figures = try #require(result.replay, "\(spec.name): no replay line")
            let usable = try usableSizes([100, 3000], preload: allocator.preload)
            try #require(usable.count == 2)
            #expect(figures.events == events && figures.replayedCalls == events, "\(spec.name): \(figures)")
            #expect(figures.peakLiveRequestedBytes == 155_000_000, "\(spec.name)")
            #expect(figures.peakLiveUsableBytes == 50_000 * usable[0] + 50_000 * usable[1], "\(spec.name): usable \(usable), \(figures)")
            #expect(figures.peakEvents == events, "the peak is at the last malloc, the trace's last event")
            // The replay writes nothing into the blocks (the trace holds no writes): RSS is what the allocator touched.
            #expect(figures.rssAtPeakBytes.map { $0 > 0 } == true, "\(spec.name): \(figures)")
            #expect(figures.replayThreads == 1 && figures.traceThreads == 1)
            // The samples are taken by events: the baseline, then the experiment's checkpoints over the events.
            #expect(result.samples.first?.nodesAlive == 0 && result.samples.last?.nodesAlive == events)
            #expect(result.samples.count == 11, "\(result.samples.map(\.nodesAlive))")
        }
    }

    @Test func aDamagedTraceFailsTheWorkerWithItsOffset() throws {
        let program = try #require(TraceRecordTests.program, "the fixture program did not compile")
        let directory = try TestSupport.temporaryDirectory("trace-replay-damaged")
        let trace = directory.appendingPathComponent("known.trace")
        _ = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--", program.path])
        let cut = directory.appendingPathComponent("cut.trace")
        try Data(try Data(contentsOf: trace).prefix(1000)).write(to: cut)
        let (result, _) = try replay(cut.path, under: .system, in: directory)
        #expect(result.status == .failed(exitCode: 1))
        #expect(result.message?.contains("trace \(cut.path): at offset") == true && result.samples.isEmpty, "\(result.message ?? "")")
    }
}
