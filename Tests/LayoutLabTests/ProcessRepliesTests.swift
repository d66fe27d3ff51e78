import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabRunner

/// The worker protocol's `threads`, `fork-child` and `interpreter` lines, and how a trial's phases.csv row is made
/// of them: round trips with empty cells kept, refusals, and the medians over the children.
@Suite("Worker protocol: threads and forked children")
struct ProcessRepliesTests {
    static let trial = Trial(
        experiment: "e", shapeIndex: 0, shape: Shape(name: "s", fields: [Field(name: "a", type: .int64)]),
        layout: .structArray, nodes: 1000, allocator: .system, repetition: 1, threads: 4)

    @Test func requestCarriesThreadsAndFreeze() throws {
        var request = WorkerRequest(
            trialID: Self.trial.id, layout: .generated(libraryPath: "l", entrySymbol: "s"), nodes: 10, checkpoints: 2, smaps: .off,
            allocatorStatistics: .none, expectedMallocProvider: "p", probeNodes: 0,
            phases: [PhaseSpec(.allocate), PhaseSpec(.remoteFree)], threads: 4)
        #expect(try WorkerRequest(arguments: request.arguments) == request)
        request.threads = 0
        request.pythonGCFreeze = true
        request.phases = [PhaseSpec(.allocate), PhaseSpec(.fork, order: .random, children: 3, work: .mutate)]
        #expect(try WorkerRequest(arguments: request.arguments) == request)
        var bad = request.arguments
        bad[bad.firstIndex(of: "--python-gc-freeze")! + 1] = "yes"
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: bad) }
        #expect(PhaseSpec("fork:0:traverse:sequential") == nil && PhaseSpec("fork:65:traverse:sequential") == nil)
        #expect(PhaseSpec("fork:2:read:sequential") == nil && PhaseSpec("fork:2:traverse") == nil)
    }

    @Test func repliesRoundTripWithEmptyCellsKept() throws {
        let replies: [WorkerReply] = [
            .threads(phaseIndex: 1, ThreadPhaseFigures(threads: 4, slowestThreadNs: 900, fastestThreadNs: 700, slowestThreadItems: 250,
                                                       fastestThreadItems: 250, arenas: 5, arenasUsed: nil, threadCacheBytes: nil)),
            .threads(phaseIndex: 0, ThreadPhaseFigures(threads: 1)),
            .forkChild(phaseIndex: 2, ForkChildReport(child: 1, workNs: 5_000, privateDirtyBytesBefore: 8192, privateDirtyBytesAfter: 12_288,
                                                      sharedBytesAfter: nil, pssBytesAfter: 40_960, rssBytesAfter: 81_920)),
            .interpreter(gilEnabled: true, startRSSBytes: 9_437_184),
            .interpreter(gilEnabled: false, startRSSBytes: nil),
        ]
        for reply in replies { #expect(try WorkerReply(line: reply.line) == reply) }
        #expect(WorkerReply.threads(phaseIndex: 0, ThreadPhaseFigures(threads: 2)).line == "threads\t0\t2\t\t\t\t\t\t\t")
        for broken in ["threads\t0\t0\t\t\t\t\t\t\t", "threads\t0\t2\t\t", "fork-child\t1\t-1\t\t\t\t\t\t", "fork-child\t1\t0\tx\t\t\t\t\t",
                       "interpreter\tyes\t1"] {
            #expect(throws: WorkerProtocolError.self, "\(broken)") { try WorkerReply(line: broken) }
        }
    }

    /// Three children: the row holds the medians, per node, and the fork row has no ns_per_node of its own.
    @Test func forkRowHoldsTheChildrensMedians() throws {
        var fork = Self.trial
        fork.threads = nil
        let sample = { (phase: Int, rss: Int) in
            WorkerReply.sample(phaseIndex: phase, MemorySample(nodesAlive: 1000, elapsedNs: 10, rssBytes: rss, sampleNs: 1)).line
        }
        let children = [(0, 4_096, 100_000), (1, 12_288, 300_000), (2, 8_192, 200_000)].map { child, growth, ns in
            WorkerReply.forkChild(phaseIndex: 1, ForkChildReport(
                child: child, workNs: ns, privateDirtyBytesBefore: 1_000, privateDirtyBytesAfter: 1_000 + growth,
                sharedBytesAfter: 64_000 + child, pssBytesAfter: 30_000, rssBytesAfter: 90_000)).line
        }
        let text = [sample(0, 1), sample(0, 2), sample(1, 2), sample(1, 3),
                    "phase\t0\tallocate\t0\t1000\t1", "phase\t1\tfork:3:traverse:sequential\t0\t1000\t1"] + children + ["done"]
        let result = WorkerLauncher.parse(text.joined(separator: "\n"), trial: fork)
        #expect(result.status == .ok)
        let rows = PhaseRow.rows(of: result, metrics: TrialMetrics(), seed: 1)
        let row = try #require(rows.last)
        #expect(row.children == 3 && row.childrenReported == 3)
        #expect(row.childPrivateDirtyBytes == 8_192 && row.childPrivateDirtyBytesPerNode == 8.192)
        #expect(row.childSharedBytesPerNode == 64.001 && row.childPssBytesPerNode == 30)
        #expect(row.childNsPerNode == 200)
        #expect(row.nsPerNode == nil, "the parent only forks and waits")
        #expect(row.rssBytesStart == 2 && row.rssBytesEnd == 3, "the parent's RSS before forking and after")
        #expect(rows[0].children == nil && rows[0].threads == nil)
    }

    @Test func threadedRowHoldsPerThreadTimes() throws {
        let sample = WorkerReply.sample(phaseIndex: 0, MemorySample(nodesAlive: 1000, elapsedNs: 10, rssBytes: 1, sampleNs: 1)).line
        let figures = WorkerReply.threads(phaseIndex: 0, ThreadPhaseFigures(
            threads: 4, slowestThreadNs: 5_000, fastestThreadNs: 2_500, slowestThreadItems: 250, fastestThreadItems: 250,
            arenas: 9, arenasUsed: 5, threadCacheBytes: nil)).line
        let result = WorkerLauncher.parse([sample, sample, "phase\t0\tallocate\t0\t1000\t1", figures, "done"].joined(separator: "\n"), trial: Self.trial)
        let row = try #require(PhaseRow.rows(of: result, metrics: TrialMetrics(), seed: 1).first)
        #expect(row.threads == 4 && row.slowestThreadNsPerNode == 20 && row.fastestThreadNsPerNode == 10)
        #expect(row.allocatorArenas == 9 && row.allocatorArenasUsed == 5 && row.allocatorThreadCacheBytes == nil)
    }
}

extension ProcessRepliesTests {
    /// A fork after free-half divides by the nodes alive at the fork, not by the trial's N.
    @Test func aForkAfterFreeHalfIsPerLiveNode() throws {
        var trial = Self.trial
        trial.threads = nil
        trial.layout = .finalClass
        let sample = WorkerReply.sample(phaseIndex: 0, MemorySample(nodesAlive: 1000, elapsedNs: 10, rssBytes: 1, sampleNs: 1)).line
        let later = { (phase: Int) in WorkerReply.sample(phaseIndex: phase, MemorySample(nodesAlive: 500, elapsedNs: 10, rssBytes: 1, sampleNs: 1)).line }
        let child = WorkerReply.forkChild(phaseIndex: 2, ForkChildReport(
            child: 0, workNs: 5_000, privateDirtyBytesBefore: 0, privateDirtyBytesAfter: 24_000, sharedBytesAfter: 0, pssBytesAfter: 0,
            rssBytesAfter: 0)).line
        let text = [sample, sample, later(1), later(1), later(2), later(2), "phase\t0\tallocate\t0\t1000\t1", "phase\t1\tfree-half\t0\t500\t1",
                    "phase\t2\tfork:1:traverse:sequential\t0\t500\t1", child, "done"]
        let rows = PhaseRow.rows(of: WorkerLauncher.parse(text.joined(separator: "\n"), trial: trial), metrics: TrialMetrics(), seed: 1)
        let fork = try #require(rows.last)
        #expect(fork.childPrivateDirtyBytesPerNode == 48 && fork.childNsPerNode == 10, "24 000 B and 5 000 ns over 500 live nodes")
    }
}
