import Foundation
import Testing

@testable import LayoutLabExperiments
@testable import LayoutLabHost
@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabResults
@testable import LayoutLabRunner

/// `"programs"`: refusals with their paths; whether a command exists is the host's question (checked by run and
/// validate, not by reading the file).
extension ExperimentValidationTests {
    static let validProgram = #"{ "name": "p", "programs": [{"name": "hello", "command": ["true"]}], "allocators": ["system"] }"#

    static let programBadCases: [BadCase] = [
        BadCase(label: "programs beside shapes", text: with(#""programs": [{"name": "a", "command": ["true"]}]"#), path: "$.shapes", message: "expected no \"shapes\" beside \"programs\""),
        BadCase(label: "programs beside traces", text: validProgram.replacing(#""allocators""#, with: #""traces": [{"name": "t", "file": "t.trace"}], "allocators""#), path: "$.traces", message: "expected no \"traces\" beside \"programs\""),
        BadCase(label: "programs beside trial_timeout_seconds", text: validProgram.replacing(#""allocators""#, with: #""trial_timeout_seconds": 2, "allocators""#), path: "$.trial_timeout_seconds", message: "its own \"timeout_seconds\""),
        BadCase(label: "programs beside instructions", text: validProgram.replacing(#""allocators""#, with: #""instructions": "valgrind", "allocators""#), path: "$.instructions", message: "nothing counts a program's instructions"),
        BadCase(label: "programs beside checkpoints", text: validProgram.replacing(#""allocators""#, with: #""checkpoints": 10, "allocators""#), path: "$.checkpoints", message: "sample_interval_ms"),
        BadCase(label: "program without a command", text: validProgram.replacing(#", "command": ["true"]"#, with: ""), path: "$.programs[0]", message: "missing required key \"command\""),
        BadCase(label: "empty command", text: validProgram.replacing(#"["true"]"#, with: "[]"), path: "$.programs[0].command", message: "non-empty list of strings"),
        BadCase(label: "command argument not a string", text: validProgram.replacing(#"["true"]"#, with: #"["true", 3]"#), path: "$.programs[0].command[1]", message: "expected a string"),
        BadCase(label: "program preloading itself", text: validProgram.replacing(#"["true"]}"#, with: #"["true"], "env": {"LD_PRELOAD": "x.so"}}"#), path: "$.programs[0].env.LD_PRELOAD", message: "\"allocators\""),
        BadCase(label: "program timeout 0", text: validProgram.replacing(#"["true"]}"#, with: #"["true"], "timeout_seconds": 0}"#), path: "$.programs[0].timeout_seconds", message: "from 1 to 604800"),
        BadCase(label: "misspelt program key", text: validProgram.replacing(#""command""#, with: #""comand""#), path: "$.programs[0].comand", message: "did you mean \"command\"?"),
        BadCase(label: "sample interval without programs", text: with(#""sample_interval_ms": 5"#), path: "$.sample_interval_ms", message: "only beside \"programs\""),
        BadCase(label: "allocator interval without programs", text: with(#""allocator_sample_interval_ms": 50"#), path: "$.allocator_sample_interval_ms", message: "only beside \"programs\""),
        BadCase(label: "allocator interval 0", text: validProgram.replacing(#""allocators""#, with: #""allocator_sample_interval_ms": 0, "allocators""#), path: "$.allocator_sample_interval_ms", message: "from 1 to 60000"),
        BadCase(label: "no program on PATH", text: validProgram.replacing(#"["true"]"#, with: #"["no-such-program-layoutlab"]"#), path: "$.programs[0].command[0]", message: "expected a program on PATH, got \"no-such-program-layoutlab\"", schemaCatches: false),
        BadCase(label: "program working directory missing", text: validProgram.replacing(#"["true"]}"#, with: #"["true"], "cwd": "no/such/dir"}"#), path: "$.programs[0].cwd", message: "which is no directory", schemaCatches: false),
    ]
}

/// Programs as trials: the worker, as the program's monitor, reports the kernel's peak RSS (within a few % of what
/// `/usr/bin/time -f %M` says), the program's own exit, crash or timeout as the trial's status while the other
/// trials run on, a forked child's memory in the tree figure, and samples on an elapsed axis.
@Suite("Programs as trials: the worker as a monitor")
struct ProgramTrialTests {
    /// `Fixtures/program_fixture.c`, compiled once per test run.
    static let fixture: URL? = {
        guard let source = Bundle.module.url(forResource: "Fixtures/program_fixture", withExtension: "c"),
              let directory = try? TestSupport.temporaryDirectory("program-fixture") else { return nil }
        let binary = directory.appendingPathComponent("program_fixture")
        let built = try? TestSupport.runTool("/usr/bin/cc", ["-O0", "-o", binary.path, source.path])
        return built?.status == 0 ? binary : nil
    }()

    @Test func aProgramTravelsThroughTheWorkerProtocol() throws {
        let launch = ProgramLaunch(
            argv: ["python3", "-c", "print('a, b: c')\nprint(1)", "", "7:x,"], workingDirectory: "/tmp/work dir",
            environment: ["MALLOC_CONF=background_thread:true,narenas:1", "EMPTY="], preload: "/usr/lib/libjemalloc.so.2",
            timeoutMs: 5000, sampleIntervalMs: 10, agentLibrary: "/cache/liblayoutlab_agent.so")
        let request = WorkerRequest(
            trialID: "p.program.jemalloc.r1", layout: .program(launch), nodes: 0, checkpoints: 1, smaps: .boundaries,
            allocatorStatistics: .jemalloc, expectedMallocProvider: "/usr/lib/libjemalloc.so.2", probeNodes: 0)
        #expect(try WorkerRequest(arguments: request.arguments) == request)
        var bare = launch
        bare.preload = nil
        bare.agentLibrary = nil
        bare.environment = []
        var withoutAgent = request
        withoutAgent.layout = .program(bare)
        #expect(try WorkerRequest(arguments: withoutAgent.arguments) == withoutAgent, "glibc: nothing preloaded, no agent")
        #expect(NetstringList.encode(["python3", "-c", ""]) == "7:python3,2:-c,0:,")
        for bad in ["7:python3", "8:python3,", "x:y,", "3:abc;"] { #expect(NetstringList.decode(bad) == nil, "\(bad)") }

        let figures = ProgramFigures(
            exitCode: nil, signal: 11, timedOut: false, wallNs: 1_500_000, userCPUNs: 1_000_000, systemCPUNs: 0, minorFaults: 120,
            majorFaults: 0, maxRSSBytes: 70_000_000, sampledPeakRSSBytes: nil, sampledPeakTreeRSSBytes: nil, processes: nil)
        let line = WorkerReply.program(figures).line
        #expect(line == "program\t\t11\t0\t1500000\t1000000\t0\t120\t0\t70000000\t\t\t\t", "unsampled figures are empty fields")
        #expect(try WorkerReply(line: line) == .program(figures))
        var withAgent = figures
        withAgent.agentBytesDropped = 0
        #expect(try WorkerReply(line: WorkerReply.program(withAgent).line) == .program(withAgent), "0 dropped is not nil")
        #expect(throws: WorkerProtocolError.self, "an exit code and a signal at once") {
            try WorkerReply(line: "program\t0\t11\t0\t1500000\t1000000\t0\t120\t0\t70000000\t\t\t\t")
        }
        let report: [UInt8] = Array("provider /usr/lib/libjemalloc.so.2\nstats 10\tallocated=5\n".utf8) + [0, 255]
        #expect(try WorkerReply(line: WorkerReply.agent(report).line) == .agent(report))
        #expect(try WorkerReply(line: "agent\t") == .agent([]))
        #expect(throws: WorkerProtocolError.self) { try WorkerReply(line: "agent\t0g") }
    }

    @Test func readingAProgramExperimentAsksNothingOfTheHost() throws {
        let text = ExperimentValidationTests.validProgram.replacing(#"["true"]"#, with: #"["no-such-program-layoutlab"], "cwd": "no/such/dir""#)
        let experiment = try ExperimentLoader().load(data: Data(text.utf8), path: "/data/p.json")
        #expect(experiment.programs?.first?.workingDirectory == "/data/no/such/dir")
        #expect(TrialPlan.trials(for: experiment).map(\.id) == ["hello.program.system.r1"])
        #expect(throws: ExperimentValidationError.self) { try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "/data/p.json") }
    }

    /// One run of six programs: a known peak under two allocators, an exit 3, a segfault, a timeout with a child in
    /// its group, a fork. Everything the tests below check comes from its folder.
    static let run: Result<URL, any Error> = Result {
        let program = try #require(fixture, "the fixture program did not compile")
        let directory = try TestSupport.temporaryDirectory("programs")
        let experiment = directory.appendingPathComponent("programs.json")
        try #"""
            { "name": "programs", "programs": [
                {"name": "touch64", "command": ["\#(program.path)", "touch", "64", "300"]},
                {"name": "exit3", "command": ["\#(program.path)", "exit", "3"]},
                {"name": "segv", "command": ["\#(program.path)", "segv"]},
                {"name": "sleeper", "command": ["sh", "-c", "sleep 120 & echo $! > sleeper.pid; wait"], "timeout_seconds": 1},
                {"name": "unpreloaded", "command": ["env", "-u", "LD_PRELOAD", "\#(program.path)", "touch", "8", "10"]},
                {"name": "forked", "command": ["\#(program.path)", "fork", "16", "48", "400"], "env": {"LAYOUTLAB_TEST": "1"}},
                {"name": "reuse3", "command": ["\#(program.path)", "reuse3", "\#(directory.appendingPathComponent("fd3.txt").path)", "8", "200"]},
                {"name": "floor", "command": ["sh", "-c", "grep RssFile /proc/$PPID/status"]},
                {"name": "execd", "command": ["sh", "-c", "sleep 0.3; exec \"$0\" touch 8 100", "\#(program.path)"]},
                {"name": "reopen3", "command": ["sh", "-c", "exec 3>\"$0\"; echo mine >&3; exec /bin/true", "\#(directory.appendingPathComponent("exec-fd3.txt").path)"]}
              ],
              "allocators": ["system", "jemalloc"], "repetitions": 1, "sample_interval_ms": 10, "allocator_sample_interval_ms": 50 }
            """#.write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path])
        // Failed trials make `run` exit 1; the suite itself must not have failed (exit 2 or a crash).
        try #require(run.status == 0 || run.status == 1, "\(run.stderr)")
        return out
    }

    private func trials() throws -> [String: [String: String]] {
        let out = try Self.run.get()
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        return Dictionary(rows.map { ($0["trial_id"] ?? "", $0) }) { first, _ in first }
    }

    @Test func aKnownPeakIsTheKernelsAndAgreesWithTime() throws {
        let program = try #require(Self.fixture)
        let trials = try trials()
        let time = try TestSupport.runTool("/usr/bin/time", ["-f", "%M", program.path, "touch", "64", "300"])
        let timeBytes = try #require(Int(time.stderr.split(separator: "\n").last ?? ""), "\(time.stderr)") * 1024
        for allocator in ["system", "jemalloc"] {
            let row = try #require(trials["touch64.program.\(allocator).r1"])
            #expect(row["status"] == "ok" && row["layout"] == "program" && row["program"] == "touch64" && row["exit_status"] == "0", "\(row)")
            #expect(row["threads"] == "", "a program's threads are not the lab's to count: \(row)")
            let phases = try TestSupport.readCSV(try Self.run.get().appendingPathComponent("phases.csv")).rows.filter { $0["trial_id"] == row["trial_id"] }
            #expect(phases.count == 1 && phases.first?["phase"] == "run" && phases.first?["live_nodes_end"] == "", "no nodes, not 0: \(phases)")
            let peak = try #require(Int(row["peak_rss_bytes"] ?? ""), "\(row)")
            // 64 MiB written, plus the program's code, libc and (jemalloc) the allocator's own pages.
            #expect(peak >= 64 << 20 && peak <= Int(Double(64 << 20) * 1.08), "\(allocator): peak \(peak)")
            if allocator == "system" {
                #expect(abs(Double(peak - timeBytes)) <= 0.05 * Double(timeBytes), "peak \(peak) against /usr/bin/time \(timeBytes)")
            }
            let sampled = try #require(Int(row["sampled_peak_rss_bytes"] ?? ""))
            #expect(sampled <= peak + (1 << 20) && sampled >= 64 << 20, "\(allocator): the samples saw the plateau: \(sampled) of \(peak)")
            #expect(row["processes"] == "1" && Int(row["program_wall_ns"] ?? "").map { $0 >= 300_000_000 } == true, "\(row)")
            #expect(Int(row["minor_faults"] ?? "").map { $0 >= 16_384 } == true, "a fault per 4 KiB page written: \(row)")
            #expect(row["user_cpu_ns"] != "" && row["system_cpu_ns"] != "" && row["major_faults"] != "")
            // The agent, preloaded after the allocator: the file that served the program's malloc, its VmHWM read by
            // itself at exit, and the allocator's own count of the 64 MiB block still allocated.
            let spec = try #require(AllocatorSpec.builtIns.first { $0.name == allocator })
            let resolved = try ResolvedAllocator.resolve(spec, with: SharedLibraryResolver())
            #expect(row["malloc_provider"] == URL(fileURLWithPath: resolved.providerPath).resolvingSymlinksInPath().path, "\(allocator): \(row)")
            let hwm = try #require(Int(row["vm_hwm_at_exit_bytes"] ?? ""), "\(row)")
            // Two readings of the kernel's high-water mark: not byte-equal (measured 68 489 216 against 68 288 512, the
            // agent's own reading at exit adding its pages), within 1 %.
            #expect(hwm >= 64 << 20 && abs(Double(hwm - peak)) <= 0.01 * Double(peak), "\(allocator): VmHWM at exit \(hwm), ru_maxrss \(peak)")
            let allocated = try #require(Int(row["allocator_allocated_bytes_at_exit"] ?? ""), "\(row)")
            #expect(allocated >= 64 << 20 && allocated <= 66 << 20, "\(allocator): allocated at exit \(allocated)")
        }
    }

    @Test func theReportAndCompareUseTheProgramsOwnFigures() throws {
        let out = try Self.run.get()
        let plot = try TestSupport.run("layoutlab", ["plot", out.path])
        try #require(plot.status == 0, "\(plot.stderr)")
        let report = try TestSupport.run("layoutlab", ["report", out.path])
        try #require(report.status == 0, "\(report.stderr)")
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("## Programs") && !text.contains("## Bytes and time per node"))
        // The charts of a program experiment are in the report, said to be the programs' (not the sweeps').
        for chart in ["program-rss", "program-comparison-peak", "program-comparison-wall"] {
            #expect(text.contains("![\(chart)](charts/\(chart).png)"), "\(chart) in the report")
        }
        #expect(text.contains("for the programs.") && !text.contains("sweeps"), "\(text)")
        // The comparison with the first allocator: each successful program under jemalloc ÷ under glibc; one repetition
        // a side, so a ratio without an interval (empty cells, no whisker).
        let peaks = try TestSupport.readCSV(out.appendingPathComponent("chart-data/program-comparison-peak.csv")).rows
        let touch = try #require(peaks.first { $0["label"] == "touch64 jemalloc" }, "\(peaks)")
        #expect(touch["side_a"] == "system" && touch["ci_low"] == "" && Double(touch["ratio"] ?? "").map { $0 > 0.9 && $0 < 1.2 } == true, "\(touch)")
        // A program without a successful trial keeps its place, labelled, with no bar; the allocators in the experiment's order.
        let segv = try #require(peaks.first { $0["program"] == "segv" }, "\(peaks)")
        #expect(segv["label"] == "segv jemalloc (no ok trial)" && segv["ratio"] == "", "\(segv)")
        #expect(peaks.map { $0["x"] } == (1...peaks.count).map { String($0) } && peaks.allSatisfy { $0["side_b"] == "jemalloc" })
        // touch64 under glibc: one repetition, a 64 MiB peak (65.x MiB with the program's own pages), one process.
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| touch64 | system | 1 | 6") }, "\(text)")
        #expect(row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[8] == "1", "\(row)")
        let compared = try TestSupport.run("layoutlab", ["compare", out.path, out.path])
        #expect(compared.status == 0 && compared.stdout.contains("peak_rss_bytes") && compared.stdout.contains("program_wall_ns"), "\(compared.stdout)\(compared.stderr)")
        // Programs have a name, not a shape, layout and node count; byte medians are whole numbers.
        let lines = compared.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("program ") } && !lines.contains { $0.hasPrefix("shape ") }, "\(compared.stdout)")
        #expect(!compared.stdout.contains("000.000"), "whole medians: \(compared.stdout)")
    }

    @Test func aProgramThatDropsTheAllocatorIsNotMeasuredAsIt() throws {
        let trials = try trials()
        for allocator in ["system", "jemalloc"] {
            let row = try #require(trials["unpreloaded.program.\(allocator).r1"])
            #expect(row["status"] == "error" && (row["message"] ?? "").contains("did not report its end"), "\(row)")
        }
    }

    @Test func theProgramsOutcomeIsItsTrialsStatusAndTheOthersRunOn() throws {
        let trials = try trials()
        #expect(trials.count == 20, "every trial ran: \(trials.keys.sorted())")
        for allocator in ["system", "jemalloc"] {
            let exit3 = try #require(trials["exit3.program.\(allocator).r1"])
            #expect(exit3["status"] == "failed:exit 3" && exit3["exit_status"] == "3" && exit3["message"] == "the program exited with status 3", "\(exit3)")
            let segv = try #require(trials["segv.program.\(allocator).r1"])
            #expect(segv["status"] == "crashed:SIGSEGV" && segv["exit_status"] == "", "\(segv)")
            let sleeper = try #require(trials["sleeper.program.\(allocator).r1"])
            #expect(sleeper["status"] == "timeout", "\(sleeper)")
            #expect(Int(sleeper["program_wall_ns"] ?? "").map { $0 >= 1_000_000_000 && $0 < 10_000_000_000 } == true, "\(sleeper)")
            #expect(sleeper["processes"] == "2", "the shell and its sleep: \(sleeper)")
            #expect(trials["forked.program.\(allocator).r1"]?["status"] == "ok")
        }
        // The sleeper's `sleep 120` was in the program's process group: killed with it, not left running.
        let out = try Self.run.get()
        let pid = try #require(Int32(String(contentsOf: out.deletingLastPathComponent().appendingPathComponent("sleeper.pid"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        var alive = true
        for _ in 0..<100 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            alive = stat.contains("(sleep)") && !stat.contains(") Z ")
            if !alive { break }
            usleep(20_000)
        }
        #expect(!alive, "the timed-out program's child \(pid) still runs")
    }

    @Test func aForkedChildCountsInTheTree() throws {
        let trials = try trials()
        for allocator in ["system", "jemalloc"] {
            let row = try #require(trials["forked.program.\(allocator).r1"])
            let own = try #require(Int(row["sampled_peak_rss_bytes"] ?? ""), "\(row)")
            let tree = try #require(Int(row["sampled_peak_tree_rss_bytes"] ?? ""), "\(row)")
            // Parent 16 MiB, child 48 MiB, both held for 400 ms.
            #expect(own >= 16 << 20 && own < 40 << 20, "\(allocator): the parent alone: \(own)")
            #expect(tree >= 64 << 20, "\(allocator): parent and child: \(tree)")
            #expect(row["processes"] == "2", "\(row)")
            // samples.csv carries the tree's RSS at the samples that scanned it (every 5th): parent and child together.
            let samples = try TestSupport.readCSV(try Self.run.get().appendingPathComponent("samples.csv")).rows
                .filter { $0["trial_id"] == row["trial_id"] }
            let trees = samples.compactMap { Int($0["tree_rss_bytes"] ?? "") }
            #expect(trees.count >= 3 && trees.count * 4 <= samples.count && trees.contains { $0 >= 64 << 20 }, "\(allocator): \(trees)")
            // wait4's ru_maxrss is the largest of the program and the children it waited for: the child's 48 MiB.
            #expect(Int(row["peak_rss_bytes"] ?? "").map { $0 >= 48 << 20 } == true, "\(row)")
        }
    }

    @Test func samplesAreOnAnElapsedAxisAndReadBack() throws {
        let out = try Self.run.get()
        let rows = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows.filter { $0["trial_id"] == "touch64.program.system.r1" }
        // The monitor's rows (RSS); the agent's (allocator figures only) are checked in their own test.
        let samples = rows.filter { $0["rss_bytes"] != "" }
        #expect(Set(rows.filter { $0["rss_bytes"] == "" }.map { $0["allocator_allocated_bytes"] != "" }) == [true], "every row is the monitor's or the agent's")
        let elapsed = samples.compactMap { Int($0["elapsed_ns"] ?? "") }
        #expect(samples.count >= 10 && elapsed.count == samples.count, "\(samples.count) samples")
        #expect(samples.allSatisfy { $0["phase"] == "run" && $0["nodes_alive"] == "1" && Int($0["rss_bytes"] ?? "").map { $0 > 0 } == true })
        #expect(zip(elapsed, elapsed.dropFirst()).allSatisfy { $0 < $1 }, "elapsed time grows")
        #expect((elapsed.first ?? .max) < 100_000_000, "the first sample is taken as the program starts")
        // About one sample per 10 ms of the program's run (a busy machine stretches the gaps, never shrinks them).
        let wall = try #require(Int(try trials()["touch64.program.system.r1"]?["program_wall_ns"] ?? ""))
        #expect(samples.count <= wall / 10_000_000 + 2 && (elapsed.last ?? .max) <= wall, "\(samples.count) samples in \(wall) ns")
        // The typed records read back as written: the folder's trials.csv through ResultsFolder.
        let folder = try ResultsFolder.open(out)
        let record = try #require(folder.run.records.first { $0.trial.id == "forked.program.jemalloc.r1" })
        let row = try #require(try trials()["forked.program.jemalloc.r1"])
        #expect(record.metrics.sampledPeakTreeRSSBytes.map(String.init) == row["sampled_peak_tree_rss_bytes"])
        #expect(record.metrics.peakRSSBytes.map(String.init) == row["peak_rss_bytes"] && record.metrics.processes == 2)
        #expect(record.trial.program?.name == "forked" && record.metrics.exitStatus == 0)
        // The chart: each allocator's median repetition, on seconds.
        let chart = try TestSupport.readCSV(out.appendingPathComponent("chart-data/program-rss.csv")).rows
        #expect(Set(chart.compactMap { $0["program"] }) == ["touch64", "forked", "reuse3", "floor", "execd"], "only successful programs are drawn")
        // The agent's readings: the dashed line of allocated bytes, after the RSS rows of the same trial (a line through
        // one column is not broken by the other's empty cells).
        let touch = chart.filter { $0["program"] == "touch64" && $0["allocator"] == "jemalloc" }
        let kinds = touch.map { $0["rss_mib"] != "" }
        #expect(kinds.first == true && kinds.last == false && kinds == kinds.sorted { $0 && !$1 }, "RSS rows, then the agent's")
        #expect(touch.filter { $0["rss_mib"] == "" }.allSatisfy { $0["allocated_mib"] != "" })
        #expect(touch.compactMap { Double($0["allocated_mib"] ?? "") }.contains { $0 >= 64 }, "the 64 MiB block, as jemalloc counts it")
        // The tree's line only for a program of several processes.
        #expect(touch.allSatisfy { $0["tree_rss_mib"] == "" }, "touch64 is one process")
        let forked = chart.filter { $0["program"] == "forked" && $0["allocator"] == "system" }
        #expect(forked.contains { Double($0["tree_rss_mib"] ?? "").map { $0 >= 64 } == true }, "parent and child: \(forked.count) rows")
        let title = try String(contentsOf: out.appendingPathComponent("chart-data/program-rss.txt"), encoding: .utf8)
        #expect(title.contains("every 50 ms and at exit"), "\(title)")
        #expect(chart.filter { $0["program"] == "touch64" && $0["allocator"] == "jemalloc" }.count >= 10)
    }

    /// The program is forked, not posix_spawn'ed: its peak does not start from the monitor's whole resident set (a
    /// posix_spawn child runs on the parent's memory until its exec, and the kernel keeps that image's peak). A fork
    /// copies no read-only file pages, so a shell's peak is below the monitor's file-backed resident pages alone
    /// (measured: 2.0 MB against 8.8 MB; posix_spawn'ed, 9.5 MB).
    @Test func aSmallProgramsPeakIsBelowItsMonitorsResidentSet() throws {
        let out = try Self.run.get()
        for allocator in ["system", "jemalloc"] {
            let id = "floor.program.\(allocator).r1"
            let row = try #require(try trials()[id])
            let log = try String(contentsOf: out.appendingPathComponent("workers/\(id).log"), encoding: .utf8)
            let line = try #require(log.split(separator: "\n").first { $0.hasPrefix("RssFile:") }, "\(log)")
            let monitorKiB = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? ""), "\(line)")
            let peak = try #require(Int(row["peak_rss_bytes"] ?? ""), "\(row)")
            #expect(row["status"] == "ok" && peak < monitorKiB * 1024, "\(allocator): the shell's peak \(peak) against its monitor's RssFile \(monitorKiB) KiB")
        }
    }

    /// `allocator_sample_interval_ms`: the agent's readings of the allocator are rows of samples.csv, on the monitor's
    /// clock, merged in time order; the program's end is the last one.
    @Test func theAgentsTimerGivesAllocatorRowsOnTheMonitorsAxis() throws {
        let out = try Self.run.get()
        let all = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        for allocator in ["system", "jemalloc"] {
            let id = "touch64.program.\(allocator).r1"
            let rows = all.filter { $0["trial_id"] == id }
            let wall = try #require(Int(try trials()[id]?["program_wall_ns"] ?? ""))
            let agent = rows.filter { $0["rss_bytes"] == "" }
            // 300 ms of the program at 50 ms: about 6 ticks and the reading at exit; at least 3 on a loaded machine.
            #expect(agent.count >= 4 && agent.count <= wall / 50_000_000 + 2, "\(allocator): \(agent.count) agent rows in \(wall) ns")
            #expect(agent.allSatisfy { $0["phase"] == "run" && $0["nodes_alive"] == "1" && Int($0["sample_ns"] ?? "").map { $0 > 0 } == true }, "\(agent)")
            let elapsed = rows.compactMap { Int($0["elapsed_ns"] ?? "") }
            #expect(elapsed.count == rows.count && elapsed == elapsed.sorted(), "\(allocator): one axis, in time order")
            let agentTimes = agent.compactMap { Int($0["elapsed_ns"] ?? "") }
            // On the monitor's clock: within the program's run, the first tick on the 50 ms grid of the epoch.
            #expect(agentTimes.allSatisfy { $0 > 0 && $0 <= wall }, "\(allocator): \(agentTimes) within \(wall)")
            // (A busy machine delays a wake-up; it never brings one forward.)
            #expect(agentTimes.first.map { $0 >= 50_000_000 && $0 < 100_000_000 } == true, "\(allocator): first tick \(agentTimes)")
            // The 64 MiB block is counted while the program sleeps; the exit row is the trial's `_at_exit` figure.
            let allocated = agent.compactMap { Int($0["allocator_allocated_bytes"] ?? "") }
            #expect(allocated.count == agent.count && allocated.contains { $0 >= 64 << 20 }, "\(allocator): \(allocated)")
            #expect(agent.last?["allocator_allocated_bytes"] == (try trials()[id]?["allocator_allocated_bytes_at_exit"]), "\(allocator)")
        }
    }

    /// A shell that sleeps 300 ms, then execs the program: both images read the allocator on the monitor's clock (the
    /// epoch it gave them), so the program's readings follow the shell's, after 300 ms, and not from its own load.
    @Test func anExecdImageReadsOnTheSameClock() throws {
        let out = try Self.run.get()
        let all = try TestSupport.readCSV(out.appendingPathComponent("samples.csv")).rows
        for allocator in ["system", "jemalloc"] {
            let id = "execd.program.\(allocator).r1"
            let row = try #require(try trials()[id])
            #expect(row["status"] == "ok", "\(row)")
            let wall = try #require(Int(row["program_wall_ns"] ?? ""))
            let agent = all.filter { $0["trial_id"] == id && $0["rss_bytes"] == "" }.compactMap { Int($0["elapsed_ns"] ?? "") }
            #expect(agent.count >= 4 && agent == agent.sorted(), "\(allocator): one clock across the exec: \(agent)")
            #expect(agent.filter { $0 >= 300_000_000 }.count >= 2 && (agent.last ?? 0) <= wall, "\(allocator): \(agent) in \(wall)")
        }
    }

    /// A program that closes descriptor 3 and opens a file there: the agent writes to its own copy of the pipe, never
    /// into the program's file, and the report is whole; an image exec'd after that never writes into the file.
    @Test func aProgramReusingTheAgentsDescriptorKeepsItsFile() throws {
        let out = try Self.run.get()
        let file = out.deletingLastPathComponent().appendingPathComponent("fd3.txt")
        #expect(try String(contentsOf: file, encoding: .utf8) == "mine\n")
        for allocator in ["system", "jemalloc"] {
            let row = try #require(try trials()["reuse3.program.\(allocator).r1"])
            #expect(row["status"] == "ok" && row["allocator_allocated_bytes_at_exit"] != "", "\(allocator): \(row)")
        }
        // A shell that reopens 3 as a file and execs another program: the new image finds 3 by its number but it is no
        // longer the pipe, so it writes nothing there; its end goes unreported, and the trial says so.
        let shellFile = out.deletingLastPathComponent().appendingPathComponent("exec-fd3.txt")
        #expect(try String(contentsOf: shellFile, encoding: .utf8) == "mine\n")
        for allocator in ["system", "jemalloc"] {
            let row = try #require(try trials()["reopen3.program.\(allocator).r1"])
            #expect(row["status"] == "error" && (row["message"] ?? "").contains("did not report its end"), "\(allocator): \(row)")
        }
    }

    @Test func aResumeRunsTheProgramInTheDirectoryTheExperimentNamed() throws {
        let directory = try TestSupport.temporaryDirectory("programs-resume")
        let work = directory.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Data().write(to: work.appendingPathComponent("marker"))
        let experiment = directory.appendingPathComponent("cwd.json")
        try #"{ "name": "cwd", "programs": [{"name": "marker", "command": ["sh", "-c", "test -f marker"], "cwd": "work"}], "allocators": ["system"], "repetitions": 2 }"#
            .write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path, "--quiet"])
        try #require(run.status == 0, "\(run.stderr)")
        // The summary printed is the programs' table, not the node legend.
        #expect(run.stdout.contains("| marker | system | 2 |") && !run.stdout.contains("RSS at the last checkpoint"), "\(run.stdout)")
        try ResumeSafetyTests.makeStopped(out, anotherBuild: false)
        // `work` is beside the experiment file, not beside the folder's copy of it.
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        #expect(rows.count == 2 && rows.allSatisfy { $0["status"] == "ok" }, "\(rows.map { ($0["trial_id"] ?? "", $0["status"] ?? "", $0["message"] ?? "") })")
    }

    /// A static program (the preload cannot reach it) that forks and execs a dynamic child: the child's agent must not
    /// report as the program; and the distribution's non-PIE python3, whose `malloc` symbol is its own PLT entry: its
    /// provider is the allocator behind it.
    @Test func theAgentSpeaksForTheProgramItself() throws {
        let directory = try TestSupport.temporaryDirectory("programs-escape")
        let source = directory.appendingPathComponent("static_forker.c")
        try """
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/wait.h>
            int main(void) {
                for (int i = 0; i < 10000; i++) memset(malloc(1000), 1, 1000);
                pid_t child = fork();
                if (child == 0) { execl("/bin/true", "true", (char *)0); _exit(127); }
                int status;
                waitpid(child, &status, 0);
                return 0;
            }
            """.write(to: source, atomically: true, encoding: .utf8)
        let binary = directory.appendingPathComponent("static_forker")
        let built = try TestSupport.runTool("/usr/bin/cc", ["-static", "-O1", "-o", binary.path, source.path])
        var programs = built.status == 0 ? [#"{"name": "static", "command": ["\#(binary.path)"]}"#] : []
        let distributionPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        if distributionPython { programs.append(#"{"name": "debpython", "command": ["/usr/bin/python3", "-c", "x = [str(i) for i in range(100000)]"]}"#) }
        try #require(!programs.isEmpty, "neither a static C program nor /usr/bin/python3 on this machine")
        let experiment = directory.appendingPathComponent("escape.json")
        try #"{ "name": "escape", "programs": [\#(programs.joined(separator: ", "))], "allocators": ["jemalloc"] }"#
            .write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path, "--quiet"])
        try #require(run.status == 0 || run.status == 1, "\(run.stderr)")
        let rows = Dictionary(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.map { ($0["program"] ?? "", $0) }) { a, _ in a }
        if built.status == 0 {
            let row = try #require(rows["static"])
            #expect(row["status"] == "error" && row["malloc_provider"] == "", "a static program is not measured as jemalloc: \(row)")
        }
        if distributionPython {
            let row = try #require(rows["debpython"])
            #expect(row["status"] == "ok" && (row["malloc_provider"] ?? "").hasSuffix("libjemalloc.so.2"), "\(row)")
        }
    }

    /// Ctrl-C during a program trial stops the program too (it leads a process group of its own under its monitor).
    @Test func stoppingTheRunStopsTheProgram() throws {
        let directory = try TestSupport.temporaryDirectory("programs-stop")
        let experiment = directory.appendingPathComponent("stop.json")
        try #"{ "name": "stop", "programs": [{"name": "sleeper", "command": ["sh", "-c", "echo $$ > sleeper.pid; exec sleep 300"]}], "allocators": ["system"] }"#
            .write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let process = try TestSupport.start("layoutlab", ["run", experiment.path, "--out", out.path, "--quiet"], environment: [:], standardOutput: .null, standardError: .null)
        let pidFile = directory.appendingPathComponent("sleeper.pid")
        var pid: Int32?
        for _ in 0..<600 where pid == nil {
            usleep(50_000)
            pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let sleeper = try #require(pid, "the program did not start")
        usleep(200_000)
        kill(-process.pid, SIGINT)
        _ = process.collect(timeoutSeconds: 60)
        process.wait()
        var alive = true
        for _ in 0..<100 {
            let stat = (try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8)) ?? ""
            alive = !stat.isEmpty && !stat.contains(") Z ")
            if !alive { break }
            usleep(20_000)
        }
        if alive { kill(sleeper, SIGKILL) }
        #expect(!alive, "the program \(sleeper) outlived the stopped run")
    }
}
