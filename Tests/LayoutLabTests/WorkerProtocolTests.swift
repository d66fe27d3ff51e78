import LayoutLab
import LayoutLabSampling
import Testing

@Suite("Worker protocol, without a process")
struct WorkerProtocolTests {
    @Test func requestRoundTrip() throws {
        let request = WorkerRequest(
            trialID: "t.final-class.1.system.r1", libraryPath: "/tmp/lib x.so", entrySymbol: "layoutlab_s0_final_class", nodes: 1_000_000, checkpoints: 100,
            smaps: .boundaries, allocatorStatistics: .jemalloc, expectedMallocProvider: "/usr/lib/libjemalloc.so.2",
            probeNodes: 4096)
        #expect(try WorkerRequest(arguments: request.arguments) == request)
    }

    @Test func requestRejectsUnknownAndMissingArguments() {
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: ["--nodes", "5"]) }
        let request = WorkerRequest(
            trialID: "t.final-class.1.system.r1", libraryPath: "l", entrySymbol: "s", nodes: 1, checkpoints: 1, smaps: .off, allocatorStatistics: .none,
            expectedMallocProvider: "p", probeNodes: 0)
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: request.arguments + ["--extra", "1"]) }
        var bad = request.arguments
        bad[bad.firstIndex(of: "--nodes")! + 1] = "-3"
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: bad) }
    }

    @Test func repliesRoundTripWithEmptyCellsKept() throws {
        let sample = MemorySample(
            nodesAlive: 10, elapsedNs: 2000, rssBytes: 4096, rssAnonBytes: nil, vmHWMBytes: 8192, pssBytes: 100,
            allocator: AllocatorStatistics(allocatedBytes: 5, mappedBytes: 9), sampleNs: 321)
        let replies: [WorkerReply] = [
            .identity(mallocProvider: "/lib/libc.so.6", allocatorVersion: nil),
            .identity(mallocProvider: "/usr/lib/libjemalloc.so.2", allocatorVersion: "5.3.0"),
            .sample(phaseIndex: 0, sample),
            .probe(AllocationProbe(probeNodes: 4, containerAllocations: 1, containerRequestedBytes: 64,
                                   containerUsableBytes: 72, nodeAllocations: 4, nodeRequestedBytes: 128, nodeUsableBytes: 128)),
            .failure("malloc is served by x\tnot y\n"),
            .done,
        ]
        for reply in replies {
            let decoded = try WorkerReply(line: reply.line)
            if case .failure = reply {
                #expect(decoded == .failure("malloc is served by x not y "))
            } else {
                #expect(decoded == reply)
            }
        }
    }

    @Test func parsedOutputNeedsDone() {
        let trial = Trial(
            experiment: "e", shapeIndex: 0, shape: Shape(name: "s", fields: [Field(name: "a", type: .int8)]),
            layout: .finalClass, nodes: 10, allocator: .system, repetition: 1)
        let sample = WorkerReply.sample(phaseIndex: 0, MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: 1, sampleNs: 1)).line
        let cut = WorkerLauncher.parse([sample, sample].joined(separator: "\n"), trial: trial)
        #expect(cut.status == .error)
        let whole = WorkerLauncher.parse([sample, sample, "done"].joined(separator: "\n"), trial: trial)
        #expect(whole.status == .ok)
        #expect(whole.samples.count == 2)
    }
}
