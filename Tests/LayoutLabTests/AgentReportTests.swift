import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabRunner

/// The allocator agent's report read back: every line kind, a program that died before its end, and a malformed
/// line refused with its number and text.
@Suite("AgentReport: parsing the allocator agent's lines")
struct AgentReportTests {
    private func parse(_ text: String) throws(AgentReportError) -> AgentReport { try AgentReport(parsing: Array(text.utf8)) }

    @Test func aFullReport() throws {
        let report = try parse("""
            provider /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
            stats 50000000 sample_ns=41000 allocated=100 active=200 resident=300 metadata=40 mapped=500 retained=60
            stats 90000000 allocated=150 mapped=700
            end 90100000 vm_hwm_bytes=73744384 vm_rss_bytes=70000000

            """)
        #expect(report.provider == "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" && report.images == 1)
        #expect(report.statistics.map(\.elapsedNs) == [50_000_000, 90_000_000])
        #expect(report.statistics.map(\.sampleNs) == [41_000, nil], "the read's own time, where the agent gave it")
        #expect(report.statistics[0].statistics == AllocatorStatistics(
            allocatedBytes: 100, activeBytes: 200, residentBytes: 300, metadataBytes: 40, mappedBytes: 500, retainedBytes: 60))
        #expect(report.finalStatistics == AllocatorStatistics(allocatedBytes: 150, mappedBytes: 700), "absent figures stay nil")
        #expect(report.ended && report.vmHWMBytes == 73_744_384 && report.vmRSSBytesAtEnd == 70_000_000 && report.endElapsedNs == 90_100_000)
    }

    @Test func aReportWithoutEndIsAProgramThatDied() throws {
        let report = try parse("provider /lib/x86_64-linux-gnu/libc.so.6\nstats 10 allocated=5 mapped=9\n")
        #expect(!report.ended && report.finalStatistics == nil && report.vmHWMBytes == nil)
        #expect(report.statistics.count == 1)
        let empty = try parse("")
        #expect(!empty.ended && empty.provider == nil && empty.statistics.isEmpty)
    }

    @Test func anExecdImageAndAnUnreadableSource() throws {
        let report = try parse("provider /bin/a\nprovider /lib/libc.so.6\nunreadable jemalloc errno=38\nstats 5\nend 6\n")
        #expect(report.provider == "/lib/libc.so.6" && report.images == 2)
        #expect(report.unreadable?.source == "jemalloc" && report.unreadable?.code == 38)
        #expect(report.finalStatistics == AllocatorStatistics() && report.ended && report.vmHWMBytes == nil)
    }

    @Test(arguments: [
        ("stats 5 allocated=1 bogus=2", 2, "bogus=2"),
        ("stats 5 allocated=x", 2, "whole number"),
        ("stats 5 allocated=1 allocated=2", 2, "allocated once"),
        ("stats -5 allocated=1", 2, "<elapsed_ns>"),
        ("stats 5 sample_ns=-3 allocated=1", 2, "sample_ns of 0 or more"),
        ("hello world", 2, "provider, unreadable, stats or end"),
        ("end 7 vm_hwm_bytes=-1", 2, "0 or more"),
        ("provider ", 2, "provider <path>"),
        ("end 7\nstats 8", 3, "nothing after"),
    ])
    func aMalformedLineIsNamed(line: String, number: Int, expected: String) {
        let text = "provider /lib/libc.so.6\n" + line + "\n"
        #expect {
            try parse(text)
        } throws: { error in
            guard let error = error as? AgentReportError else { return false }
            return error.line == number && error.description.contains("line \(number)") && error.description.contains(expected)
                && text.split(separator: "\n")[number - 1] == error.text
        }
    }
}

/// What the lab makes of a program trial's report (`WorkerLauncher.applyAgentReport`): a whole one proves the
/// allocator; one with lines the agent could not write, or one the monitor's buffer cut, is an error saying so.
@Suite("Agent reports applied to program trials")
struct AgentReportApplicationTests {
    private func result(_ report: String, dropped: Int = 0) -> TrialResult {
        var trial = Trial(
            experiment: "e", shapeIndex: 0, shape: Shape(name: "p", fields: []), layout: .finalClass, nodes: 0, allocator: .system,
            repetition: 1)
        trial.program = ProgramSource(name: "p", command: ["true"], workingDirectory: "/")
        var result = TrialResult(trial: trial, status: .ok)
        result.program = ProgramFigures(
            exitCode: 0, signal: nil, timedOut: false, wallNs: 1, userCPUNs: 0, systemCPUNs: 0, minorFaults: 0, majorFaults: 0,
            maxRSSBytes: 1, sampledPeakRSSBytes: nil, sampledPeakTreeRSSBytes: nil, processes: nil, agentBytesDropped: dropped)
        result.agentReportBytes = Array(report.utf8)
        return result
    }

    @Test func aWholeReportProvesTheAllocatorAndLostLinesDoNot() {
        let provider = "/usr/lib/x86_64-linux-gnu/libc.so.6"
        var whole = result("provider \(provider)\nstats 5 sample_ns=1 allocated=3\nend 6 vm_hwm_bytes=1 vm_rss_bytes=1 lines_lost=0\n")
        WorkerLauncher.applyAgentReport(&whole, expectedProvider: provider)
        #expect(whole.status == .ok && whole.agent?.linesLost == 0, "\(whole.message ?? "")")
        var lost = result("provider \(provider)\nend 6 vm_hwm_bytes=1 vm_rss_bytes=1 lines_lost=3\n")
        WorkerLauncher.applyAgentReport(&lost, expectedProvider: provider)
        #expect(lost.status == .error && (lost.message ?? "").contains("could not write 3 of its lines"), "\(lost.message ?? "")")
        var cut = result("provider \(provider)\nstats 5 sample_ns=1 allocated=3\n", dropped: 120)
        WorkerLauncher.applyAgentReport(&cut, expectedProvider: provider)
        #expect(cut.status == .error && (cut.message ?? "").contains("120 bytes more than the monitor's buffer holds"), "\(cut.message ?? "")")
    }
}
