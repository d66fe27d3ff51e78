import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabRunner

@Suite("Worker protocol, without a process")
struct WorkerProtocolTests {
    @Test func requestRoundTrip() throws {
        let request = WorkerRequest(
            trialID: "t.final-class.1.system.r1", layout: .generated(libraryPath: "/tmp/lib x.so", entrySymbol: "layoutlab_s0_final_class"),
            nodes: 1_000_000, checkpoints: 100,
            smaps: .boundaries, allocatorStatistics: .jemalloc, expectedMallocProvider: "/usr/lib/libjemalloc.so.2",
            probeNodes: 4096)
        #expect(try WorkerRequest(arguments: request.arguments) == request)
        var valgrind = request
        valgrind.instructions = .valgrind
        #expect(try WorkerRequest(arguments: valgrind.arguments).instructions == .valgrind)
        var bad = request.arguments
        bad[bad.firstIndex(of: "--instructions")! + 1] = "pmu"
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: bad) }
    }

    /// A Python trial says its layout and fields in fields of their own, and carries no library or symbol.
    @Test func pythonRequestHasItsOwnFields() throws {
        let request = WorkerRequest(
            trialID: "p.python-tuple.10.system.r1",
            layout: .python(layout: "python-tuple", fields: [.init(name: "x", type: "int64"), .init(name: "next", type: "reference")]),
            nodes: 10, checkpoints: 2, smaps: .off, allocatorStatistics: .mallinfo2, expectedMallocProvider: "/lib/libc.so.6",
            probeNodes: 0)
        let arguments = request.arguments
        #expect(!arguments.contains("--library") && !arguments.contains("--symbol"))
        #expect(arguments[arguments.firstIndex(of: "--python-fields")! + 1] == "x:int64;next:reference")
        #expect(try WorkerRequest(arguments: arguments) == request)
        var broken = arguments
        broken[broken.firstIndex(of: "--python-fields")! + 1] = "x"
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: broken) }
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: arguments + ["--library", "l"]) }
        // A field's whole type token travels as it is: lengths, distributions and an array's element.
        let tokens = WorkerRequest(
            trialID: "p.python-slots-class.10.system.r1",
            layout: .python(layout: "python-slots-class", fields: [
                .init(name: "name", type: "string[uniform(8,40)]"), .init(name: "tag", type: "bytes[40]"),
                .init(name: "scores", type: "array<int64>[choice(8@0.7,120@0.3)]"), .init(name: "w", type: "string[lognormal(20.0,0.6,400)]"),
            ]),
            nodes: 10, checkpoints: 2, smaps: .off, allocatorStatistics: .mallinfo2, expectedMallocProvider: "/lib/libc.so.6",
            probeNodes: 0)
        #expect(tokens.arguments[tokens.arguments.firstIndex(of: "--python-fields")! + 1]
            == "name:string[uniform(8,40)];tag:bytes[40];scores:array<int64>[choice(8@0.7,120@0.3)];w:string[lognormal(20.0,0.6,400)]")
        #expect(try WorkerRequest(arguments: tokens.arguments) == tokens)
    }

    @Test func requestRejectsUnknownAndMissingArguments() {
        #expect(throws: WorkerProtocolError.self) { try WorkerRequest(arguments: ["--nodes", "5"]) }
        let request = WorkerRequest(
            trialID: "t.final-class.1.system.r1", layout: .generated(libraryPath: "l", entrySymbol: "s"), nodes: 1, checkpoints: 1, smaps: .off, allocatorStatistics: .none,
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
            .counters(phaseIndex: 2, PhaseCounters(
                cpuNs: 1_234_567, minorFaults: 2057, majorFaults: 0, voluntarySwitches: 1, involuntarySwitches: 3,
                stealNs: 10_000_000, neighbourCPUNs: -4_000_000, instructions: 36_199_762, cycles: nil, cacheMisses: nil,
                dtlbMisses: 12)),
            .counters(phaseIndex: 0, PhaseCounters()),
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

    @Test func countersLinesKeepEmptyCellsEmpty() throws {
        let line = WorkerReply.counters(phaseIndex: 1, PhaseCounters(cpuNs: 5, minorFaults: 0)).line
        // Twelve fields: cpu, minor, major, voluntary, involuntary, steal, neighbour, four hardware, interval.
        #expect(line == "counters\t1\t5\t0\t\t\t\t\t\t\t\t\t\t")
        #expect(throws: WorkerProtocolError.self) { try WorkerReply(line: "counters\t1\t5\t0") }
        #expect(throws: WorkerProtocolError.self) { try WorkerReply(line: line.replacing("\t5\t", with: "\tfive\t")) }
        let trial = Trial(
            experiment: "e", shapeIndex: 0, shape: Shape(name: "s", fields: [Field(name: "a", type: .int8)]),
            layout: .finalClass, nodes: 10, allocator: .system, repetition: 1)
        let sample = WorkerReply.sample(phaseIndex: 0, MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: 1, sampleNs: 1)).line
        let parsed = WorkerLauncher.parse([sample, sample, line, "done"].joined(separator: "\n"), trial: trial)
        #expect(parsed.phaseCounters[1] == PhaseCounters(cpuNs: 5, minorFaults: 0))
        #expect(parsed.instructionsSource == nil, "no instructions, so no source")
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
