import CLayoutLabShims
import Foundation
import Testing

@testable import LayoutLabHost
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabResults
@testable import LayoutLabRunner
@testable import LayoutLabSampling

/// The allocator agent in real processes: a program (built now) that keeps 64 MiB in 1 KiB blocks, run under each
/// of the four allocators with the agent preloaded and a pipe as its descriptor. The provider is the allocator's
/// library, the figures are the program's and have the worker's mapping, and the report ends however the program
/// does; forked children stay silent; a timer ticks.
@Suite("Allocator agent: the allocator's own figures from a preloaded agent")
struct AllocatorAgentTests {
    static let program: URL? = {
        guard let source = Bundle.module.url(forResource: "Fixtures/agent_workload", withExtension: "c"),
              let directory = try? TestSupport.temporaryDirectory("agent-workload") else { return nil }
        let binary = directory.appendingPathComponent("agent_workload")
        let built = try? TestSupport.runTool("/usr/bin/cc", ["-O0", "-o", binary.path, source.path])
        return built?.status == 0 ? binary : nil
    }()

    static let agent = AllocatorAgent(cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-test-cache"))

    static let keptBytes = 64 << 20

    /// An allocator under test: its library's real path (nil: the C library's malloc) and where its figures come from.
    struct Allocator: CustomStringConvertible {
        var spec: AllocatorSpec
        var library: String?
        var provider: String
        var description: String { spec.name }
    }

    static func allocator(_ spec: AllocatorSpec) throws -> Allocator {
        guard let name = spec.library else {
            return Allocator(spec: spec, library: nil, provider: try #require(EnvironmentProbe.cLibraryPath()))
        }
        let path = try SharedLibraryResolver().resolve(name).get()
        return Allocator(spec: spec, library: path, provider: path)
    }

    /// Runs the program with the agent after the allocator, its standard output (a pipe) the agent's descriptor.
    private func run(
        _ allocator: Allocator, _ arguments: [String], intervalMs: Int? = nil, program: URL? = nil
    ) throws -> (status: Int32, text: String, report: AgentReport) {
        let program = try program ?? #require(Self.program, "the fixture program did not compile")
        var environment = AllocatorAgent.environment(fd: 1, statistics: allocator.spec.statistics, intervalMs: intervalMs)
        environment["LD_PRELOAD"] = AllocatorAgent.preload(allocator: allocator.library, agent: try Self.agent.library())
        let run = try TestSupport.runTool(program.path, arguments, environment: environment, timeoutSeconds: 60)
        return (run.status, run.stdout, try AgentReport(parsing: Array(run.stdout.utf8)))
    }

    private static func realPath(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    /// Which figures an allocator has, as the worker's mapping (the shared C) gives them from any reading.
    private static func figuresPresent(_ source: AllocatorStatisticsSource) -> [Bool] {
        let statistics: AllocatorStatistics = switch source {
        case .jemalloc: AllocatorStatistics(jemalloc: ll_jemalloc_stats())
        case .mallinfo2: AllocatorStatistics(mallinfo: ll_mallinfo())
        case .mimalloc: AllocatorStatistics(mimalloc: ll_mimalloc_info())
        case .tcmalloc: AllocatorStatistics(tcmalloc: ll_tcmalloc_stats())
        case .none: AllocatorStatistics()
        }
        return present(statistics)
    }

    private static func present(_ s: AllocatorStatistics) -> [Bool] {
        [s.allocatedBytes, s.activeBytes, s.residentBytes, s.metadataBytes, s.mappedBytes, s.retainedBytes].map { $0 != nil }
    }

    @Test(arguments: [AllocatorSpec.system, .jemalloc, .mimalloc, .tcmalloc])
    func theAllocatorsFiguresOfAProgramThatKeeps64MiB(spec: AllocatorSpec) throws {
        let allocator = try Self.allocator(spec)
        let run = try run(allocator, [])
        #expect(run.status == 0, "\(run.text)")
        let report = run.report
        let provider = try #require(report.provider, "no provider line: \(run.text)")
        #expect(Self.realPath(provider) == Self.realPath(allocator.provider), "\(run.text)")
        #expect(URL(fileURLWithPath: provider).lastPathComponent.hasPrefix(spec.library ?? "libc.so.6"), "\(provider)")
        #expect(report.ended && report.images == 1 && report.unreadable == nil, "\(run.text)")
        let final = try #require(report.finalStatistics, "\(run.text)")
        #expect(report.statistics.count == 1, "no timer: one stats line, at exit")
        #expect(Self.present(final) == Self.figuresPresent(spec.statistics), "the worker's mapping: \(run.text)")
        // What the allocator holds for 64 MiB of blocks of 1 KiB: their bytes, and some bookkeeping, not twice as much.
        if let allocated = final.allocatedBytes {
            #expect(allocated >= Self.keptBytes && allocated < Self.keptBytes * 5 / 4, "\(run.text)")
        }
        let mapped = try #require(final.mappedBytes, "every allocator maps: \(run.text)")
        #expect(mapped >= Self.keptBytes && mapped < Self.keptBytes * 2, "\(run.text)")
        let hwm = try #require(report.vmHWMBytes), rss = try #require(report.vmRSSBytesAtEnd)
        #expect(hwm >= Self.keptBytes && hwm < Self.keptBytes + (48 << 20) && rss <= hwm, "\(run.text)")
        #expect(try #require(report.endElapsedNs) >= report.statistics[0].elapsedNs)
    }

    @Test func aProgramEndingWith_exitStillReportsItsEnd() throws {
        let exited = try run(try Self.allocator(.jemalloc), ["_exit"])
        #expect(exited.status == 0 && exited.report.ended, "\(exited.text)")
        #expect(try #require(exited.report.finalStatistics?.allocatedBytes) >= Self.keptBytes, "\(exited.text)")
        // dash ends with _exit after every command it ran without exec; the program it ran is another process.
        let shell = try run(try Self.allocator(.system), ["-c", "true"], program: URL(fileURLWithPath: "/bin/sh"))
        #expect(shell.report.ended && shell.report.images == 1, "\(shell.text)")
    }

    @Test func forkedChildrenNeverWriteAndAnExecdImageReportsAgain() throws {
        let forked = try run(try Self.allocator(.jemalloc), ["fork"])
        #expect(forked.status == 0, "\(forked.text)")
        let lines = forked.text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("end ") }.count == 1 && lines.filter { $0.hasPrefix("provider ") }.count == 1, "\(forked.text)")
        #expect(forked.report.ended)
        // A wrapper that executes the program in its place (same pid) is followed: the program reports again.
        let program = try #require(Self.program)
        let library = try Self.agent.library().path
        var environment = AllocatorAgent.environment(fd: 1, statistics: .mallinfo2, intervalMs: nil)
        environment["LD_PRELOAD"] = library
        let wrapped = try TestSupport.runTool("/bin/sh", ["-c", "exec \"$0\"", program.path], environment: environment)
        let report = try AgentReport(parsing: Array(wrapped.stdout.utf8))
        #expect(report.images == 2 && report.ended, "\(wrapped.stdout)")
        #expect(try #require(report.finalStatistics?.allocatedBytes) >= Self.keptBytes, "\(wrapped.stdout)")
        // A descriptor beyond stdio: the shell, which has no descriptor 3 at its load, stays silent and claims nothing;
        // the program it starts with 3 open reports.
        environment = AllocatorAgent.environment(fd: 3, statistics: .mallinfo2, intervalMs: nil)
        environment["LD_PRELOAD"] = library
        let redirected = try TestSupport.runTool("/bin/sh", ["-c", "\"$0\" 3>&1", program.path], environment: environment)
        let third = try AgentReport(parsing: Array(redirected.stdout.utf8))
        #expect(third.images == 1 && third.ended, "\(redirected.stdout)")
        #expect(try #require(third.finalStatistics?.allocatedBytes) >= Self.keptBytes, "\(redirected.stdout)")
    }

    @Test func aTimerGivesSeveralStatisticsLines() throws {
        let run = try run(try Self.allocator(.jemalloc), ["sleep"], intervalMs: 40)
        #expect(run.status == 0 && run.report.ended, "\(run.text)")
        // 300 ms of sleep at 40 ms: about 7 ticks; at least 3 even on a loaded machine, and the final one.
        #expect(run.report.statistics.count >= 4, "\(run.text)")
        let times = run.report.statistics.map(\.elapsedNs)
        #expect(times == times.sorted(), "ticks in order, the one at exit last")
        // Each read is fresh (jemalloc's figures move only when `epoch` is written): the 64 MiB kept while the
        // program sleeps, then freed before its end.
        #expect(run.report.statistics.contains { ($0.statistics.allocatedBytes ?? 0) >= Self.keptBytes }, "\(run.text)")
        #expect(try #require(run.report.finalStatistics?.allocatedBytes) < Self.keptBytes / 8, "\(run.text)")
    }

    @Test func theWrongStatisticsSourceIsSaidNotZero() throws {
        var allocator = try Self.allocator(.system)
        allocator.spec.statistics = .jemalloc
        let run = try run(allocator, [])
        #expect(run.report.unreadable?.source == "jemalloc" && run.report.unreadable?.code == Int(ENOSYS), "\(run.text)")
        #expect(run.report.finalStatistics == AllocatorStatistics(), "no figure at all, never 0: \(run.text)")
    }

    /// A full pipe loses lines rather than stopping the program, and the count crosses an exec: a shell whose timer
    /// writes into a 4 KiB pipe nobody reads for 500 ms loses most of its lines; the program it then execs, read at
    /// once, reports the shell's losses in its `end`.
    @Test func linesLostToAFullPipeAreCountedAcrossAnExec() throws {
        let program = try #require(Self.program, "the fixture program did not compile")
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting.fileDescriptor
        _ = ll_pipe_capacity(writer, 4096)
        _ = fcntl(writer, F_SETFL, O_NONBLOCK)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "sleep 1; exec \"$0\" sleep", program.path]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in AllocatorAgent.environment(fd: 1, statistics: .jemalloc, intervalMs: 1) { environment[key] = value }
        environment["LAYOUTLAB_AGENT_LOST"] = String(repeating: "0", count: 20)
        environment["LD_PRELOAD"] = AllocatorAgent.preload(allocator: try Self.allocator(.jemalloc).library, agent: try Self.agent.library())
        process.environment = environment
        process.standardOutput = pipe
        try process.run()
        try pipe.fileHandleForWriting.close()
        usleep(500_000)
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let report = try AgentReport(parsing: Array(text.utf8))
        #expect(report.ended && report.images == 2, "\(text.suffix(300))")
        // About 500 ticks in the 500 ms unread, of which a 4 KiB pipe holds ~30; none lost after the reader started.
        #expect(try #require(report.linesLost) >= 300, "the shell's losses, reported by the program it exec'd: \(text.suffix(200))")
    }
}
