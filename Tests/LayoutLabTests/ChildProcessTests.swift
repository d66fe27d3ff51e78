import Foundation
import Testing

@testable import LayoutLabSampling
@testable import LayoutLabHost

/// Children are started with posix_spawn and reaped by pid: the cases Foundation's Process got wrong, and
/// the deadline in each of its forms.
@Suite("Child processes")
struct ChildProcessTests {
    static func seconds(since start: Int) -> Double { Double(MonotonicClock.nowNanoseconds() - start) / 1e9 }

    @Test func outputStatusAndSignalAreReported() throws {
        let finished = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(finished.termination == .exited(3) && finished.standardOutput == "out\n" && finished.standardError == "err\n")
        #expect(try ChildProcess.run("/bin/sh", ["-c", "kill -SEGV $$"]).termination == .signalled(SIGSEGV))
        #expect(throws: ChildProcessError.self) { try ChildProcess(executable: "/no/such/program", arguments: [], environment: [:]) }
    }

    /// Only fds 0-2 reach the child, and it leads its own process group (so Ctrl-C at a terminal reaches
    /// the runner, not the worker).
    @Test func theChildGetsThreeDescriptorsAndItsOwnGroup() throws {
        // A descriptor this process holds without close-on-exec, as a library might leave one.
        let held = open("/dev/null", O_RDONLY)
        try #require(held > 2)
        defer { close(held) }
        let finished = try ChildProcess.run(
            "/bin/sh", ["-c", "test -e /proc/$$/fd/\(held) && echo inherited || echo closed; ps -o pgid= -p $$; echo $$"])
        let lines = finished.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "closed", "\(finished.standardOutput)")
        #expect(lines.count == 3 && lines[1] == lines[2], "the child's process group is its own pid: \(lines)")
    }

    /// A descendant that keeps the pipe open (a daemon the child started) neither hangs the reader nor turns
    /// a child that exited cleanly into a timeout.
    @Test func aDescendantHoldingThePipeDoesNotHang() throws {
        let start = MonotonicClock.nowNanoseconds()
        let finished = try ChildProcess.run("/bin/sh", ["-c", "sleep 30 & echo hi"], timeoutSeconds: 20)
        #expect(finished.termination == .exited(0) && !finished.timedOut && finished.standardOutput == "hi\n")
        #expect(Self.seconds(since: start) < 10, "read stops about two seconds after the child exits")
        let unbounded = try ChildProcess.run("/bin/sh", ["-c", "sleep 30 & echo hi"])
        #expect(unbounded.termination == .exited(0) && unbounded.standardOutput == "hi\n")
    }

    /// The deadline holds whether the child keeps its output open or closes it and goes on running.
    @Test func theDeadlineKillsAChildThatRunsOn() throws {
        for script in ["sleep 30", "exec >&- 2>&-; sleep 30"] {
            let start = MonotonicClock.nowNanoseconds()
            let finished = try ChildProcess.run("/bin/sh", ["-c", script], timeoutSeconds: 1)
            #expect(finished.timedOut && finished.termination == .signalled(SIGKILL), "\(script)")
            #expect(Self.seconds(since: start) < 10, "\(script)")
        }
    }
}
