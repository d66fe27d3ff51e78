import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabProtocol
@testable import LayoutLabRunner

/// `layoutlab record` and `trace-info`: a program with a known allocation pattern (built now) is recorded, and
/// its trace says exactly what it did; threads, forked children and wrappers that exec; a damaged trace is refused
/// with its offset; the tracer's C constants are the format's.
@Suite("Allocation traces: record and trace-info")
struct TraceRecordTests {
    /// The fixture program, compiled once per test run.
    static let program: URL? = {
        guard let source = Bundle.module.url(forResource: "Fixtures/known_allocations", withExtension: "c"),
              let directory = try? TestSupport.temporaryDirectory("known-allocations") else { return nil }
        let binary = directory.appendingPathComponent("known_allocations")
        let built = try? TestSupport.runTool("/usr/bin/cc", ["-O0", "-pthread", "-o", binary.path, source.path])
        return built?.status == 0 ? binary : nil
    }()

    private func record(_ arguments: [String], label: String) throws -> (status: Int32, stderr: String, trace: URL) {
        let directory = try TestSupport.temporaryDirectory(label)
        let trace = directory.appendingPathComponent("run.trace")
        let result = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--"] + arguments)
        return (result.status, result.stderr, trace)
    }

    @Test func theTraceOfAKnownProgramSaysExactlyWhatItDid() throws {
        let program = try #require(Self.program, "the fixture program did not compile")
        let run = try record([program.path], label: "trace-known")
        #expect(run.status == 0, "\(run.stderr)")
        let trace = try TraceFileLoader.load(run.trace.path)
        let mallocs = trace.events.filter { $0.kind == .malloc }
        #expect(mallocs.filter { $0.bytes == 100 }.count == 100_000)
        #expect(mallocs.filter { $0.bytes == 3000 }.count == 50_000)
        #expect(mallocs.count == 150_000, "nothing else of the program allocates")
        // Every free names a block of 100 bytes, the even ones: the blocks made by the 1st, 3rd, 5th … malloc.
        let small = mallocs.filter { $0.bytes == 100 }.map(\.sequence)
        let frees = trace.events.filter { $0.kind == .free }
        #expect(frees.count == 50_000)
        let freedTheEvenOnes = Set(frees.map(\.block)) == Set(stride(from: 0, to: small.count, by: 2).map { small[$0] })
        #expect(freedTheEvenOnes, "the frees name the blocks of the 1st, 3rd, 5th … malloc of 100 bytes")
        let summary = TraceSummary(trace)
        #expect(summary.peakLiveRequestedBytes == 50_000 * 100 + 50_000 * 3000)
        #expect(summary.liveBlocksAtEnd == 100_000 && summary.unknownPointers == 0 && summary.failedCalls == 0)
        #expect(trace.threads == 1 && trace.droppedEvents == 0 && trace.sequenceNumbers == UInt64(trace.events.count))
        // trace-info prints the same figures.
        let info = try TestSupport.run("layoutlab", ["trace-info", run.trace.path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("peak live requested bytes") && info.stdout.contains("155000000"), "\(info.stdout)")
    }

    @Test func threadsForksWrappersAndTheProgramsExitStatus() throws {
        let program = try #require(Self.program, "the fixture program did not compile")
        // Two threads, each making 1 000 blocks the other frees: every free names a block of the other thread.
        let threaded = try record([program.path, "threads"], label: "trace-threads")
        #expect(threaded.status == 0, "\(threaded.stderr)")
        let trace = try TraceFileLoader.load(threaded.trace.path)
        let blocks = trace.events.filter { $0.kind == .malloc && $0.bytes == 64 }
        let makers = Dictionary(grouping: blocks, by: \.thread)
        #expect(makers.count == 2 && makers.values.allSatisfy { $0.count == 1000 }, "\(makers.mapValues(\.count))")
        let maker = Dictionary(uniqueKeysWithValues: blocks.map { ($0.sequence, $0.thread) })
        let frees = trace.events.filter { $0.kind == .free && maker[$0.block] != nil }
        #expect(frees.count == 2000 && frees.allSatisfy { maker[$0.block] != $0.thread })
        #expect(frees.allSatisfy { $0.sequence > $0.block }, "a block is freed after it was made")
        // A forked child is not traced; the parent is.
        let forked = try record([program.path, "fork"], label: "trace-fork")
        #expect(forked.status == 0, "\(forked.stderr)")
        let parent = try TraceFileLoader.load(forked.trace.path)
        #expect(!parent.events.contains { $0.bytes == 777 } && parent.events.contains { $0.bytes == 555 })
        // A wrapper that executes the program in its place (as pyenv's shims do) is followed.
        let wrapped = try record(["/bin/sh", "-c", "exec \(program.path)"], label: "trace-exec")
        #expect(wrapped.status == 0, "\(wrapped.stderr)")
        #expect(try TraceFileLoader.load(wrapped.trace.path).events.filter { $0.bytes == 3000 }.count == 50_000)
        // A shell that runs a command without exec leaves by _exit (dash): its trace still ends cleanly.
        let shell = try record(["/bin/sh", "-c", "\(program.path) fork"], label: "trace-sh")
        #expect(shell.status == 0, "\(shell.stderr)")
        #expect(try TraceFileLoader.load(shell.trace.path).isComplete)
        // Threads still allocating when the program exits: every numbered call is in the trace, none torn.
        for attempt in 1...3 {
            let busy = try record([program.path, "exit-while-busy"], label: "trace-busy")
            #expect(busy.status == 0, "\(busy.stderr)")
            let trace = try TraceFileLoader.load(busy.trace.path)
            #expect(trace.isComplete, "attempt \(attempt): \(trace.lostEvents) lost, \(trace.droppedEvents) dropped of \(trace.sequenceNumbers)")
        }
        // The program's exit status is the command's, and its trace is kept.
        let failing = try record([program.path, "fail"], label: "trace-fail")
        #expect(failing.status == 3, "\(failing.stderr)")
        #expect(FileManager.default.fileExists(atPath: failing.trace.path))
    }

    @Test func aDamagedTraceIsRefusedWithItsOffset() throws {
        let program = try #require(Self.program, "the fixture program did not compile")
        let run = try record([program.path], label: "trace-damaged")
        let bytes = try [UInt8](Data(contentsOf: run.trace))
        let directory = run.trace.deletingLastPathComponent()
        let cut = directory.appendingPathComponent("cut.trace")
        try Data(bytes.prefix(bytes.count / 2)).write(to: cut)
        let foreign = directory.appendingPathComponent("foreign.trace")
        try Data("not a trace at all, just some text that is long enough".utf8).write(to: foreign)
        var damaged = bytes
        damaged[TraceFormat.headerBytes + TraceFormat.chunkHeaderBytes] = 0x3F  // the first event's kind
        let unknownKind = directory.appendingPathComponent("kind.trace")
        try Data(damaged).write(to: unknownKind)
        for (file, expected) in [
            (cut, "truncated"), (foreign, "at offset 0: no LLTRACE magic"),
            (unknownKind, "at offset \(TraceFormat.headerBytes + TraceFormat.chunkHeaderBytes): unknown event kind"),
            (directory.appendingPathComponent("missing.trace"), "no such file"),
        ] {
            let info = try TestSupport.run("layoutlab", ["trace-info", file.path])
            #expect(info.status == 2 && info.stderr.contains(file.path) && info.stderr.contains(expected), "\(info.stderr)")
        }
    }

    @Test func theTracersConstantsAreTheFormats() throws {
        let source = try #require(TraceRecorder.tracerSource)
        let text = try String(contentsOf: source, encoding: .utf8)
        func value(_ name: String) -> UInt64? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("#define \(name) ") }) else { return nil }
            let word = line.split(separator: " ")[2]
            return word.hasPrefix("0x") ? UInt64(word.dropFirst(2).filter(\.isHexDigit), radix: 16) : UInt64(word.filter(\.isNumber))
        }
        #expect(value("LLT_VERSION") == UInt64(TraceFormat.version))
        #expect(value("LLT_HEADER_BYTES") == UInt64(TraceFormat.headerBytes))
        #expect(value("LLT_CHUNK_MAGIC") == UInt64(TraceFormat.chunkMagic))
        #expect(value("LLT_CHUNK_HEADER_BYTES") == UInt64(TraceFormat.chunkHeaderBytes))
        #expect(value("LLT_END_MAGIC") == UInt64(TraceFormat.endMagic))
        #expect(value("LLT_END_BYTES") == UInt64(TraceFormat.endBytes))
        #expect(value("LLT_FLAG_FAILED") == UInt64(TraceFormat.failedFlag))
        #expect(value("LLT_FLAG_UNKNOWN") == UInt64(TraceFormat.unknownFlag))
        for kind in TraceEvent.Kind.allCases {
            let name = "LLT_KIND_" + (kind == .usableSize ? "USABLE_SIZE" : kind.name.uppercased())
            #expect(value(name) == UInt64(kind.rawValue), "\(name)")
        }
    }
}
