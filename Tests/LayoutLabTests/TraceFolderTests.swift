import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabResults

/// A trace experiment's results folder: its traces' files, event counts and sha256 are in `environment.json`, so the
/// commands that read the folder never open the trace (it may be on another machine, or gone), and `--resume` replays
/// the file the run started with, beside the original experiment file, or refuses another one.
@Suite("Allocation traces: a results folder reads without its trace, and resumes only with the same one")
struct TraceFolderTests {
    /// A one-allocator, two-repetition replay of the known program's trace, in a folder of its own.
    private func replayRun(_ label: String) throws -> (trace: URL, experiment: URL, out: URL) {
        let program = try #require(TraceRecordTests.program, "the fixture program did not compile")
        let directory = try TestSupport.temporaryDirectory(label)
        let trace = directory.appendingPathComponent("known.trace")
        let recorded = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--", program.path])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        let experiment = directory.appendingPathComponent("replay.json")
        try #"{ "name": "replay", "traces": [{"name": "known", "file": "known.trace"}], "allocators": ["system"], "repetitions": 2, "checkpoints": 4 }"#
            .write(to: experiment, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let run = try TestSupport.run("layoutlab", ["run", experiment.path, "--out", out.path, "--quiet"])
        try #require(run.status == 0, "\(run.stderr)")
        return (trace, experiment, out)
    }

    @Test func readingCommandsNeverOpenTheTrace() throws {
        let (trace, _, out) = try replayRun("trace-folder-read")
        let events = try TraceReader.read([UInt8](Data(contentsOf: trace))).events.count
        let recorded = try #require(EnvironmentReader(directory: out).record?.traces)
        #expect(recorded.map(\.name) == ["known"] && recorded.first?.events == events, "\(recorded)")
        #expect(recorded.first?.path == trace.path && recorded.first?.sha256?.count == 64, "\(recorded)")
        // Gone from this machine: the folder still reads, with the events it was measured with.
        try FileManager.default.removeItem(at: trace)
        for command in [["report", out.path], ["plot", out.path], ["compare", out.path, out.path]] {
            let result = try TestSupport.run("layoutlab", command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        // The report's replay table: the trace's own figures, not per-node ones.
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## Trace replays") && !report.contains("## Bytes and time per node"))
        #expect(report.contains("| known | system | 2 | \(events) | 1 | 155000000 |"), "\(report)")
        let folder = try ResultsFolder.open(out)
        #expect(folder.experiment.traces?.first?.events == events)
        #expect(folder.records.count == 2 && folder.records.allSatisfy { $0.trial.nodes == events }, "per-event figures keep their events")
    }

    @Test func aResumeReplaysTheSameTraceOrRefuses() throws {
        let (trace, _, out) = try replayRun("trace-folder-resume")
        try ResumeSafetyTests.makeStopped(out, anotherBuild: false)
        // The same file: the missing repetition runs, read beside the original experiment, not beside the folder's copy.
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.count == 2)
        // Another trace under the same name would replay other calls in the remaining trials.
        try ResumeSafetyTests.makeStopped(out, anotherBuild: false)
        let program = try #require(TraceRecordTests.program)
        let again = try TestSupport.run("layoutlab", ["record", "--out", trace.path, "--", program.path, "threads"])
        try #require(again.status == 0, "\(again.stderr)")
        let refused = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(refused.status != 0 && refused.stderr.contains("refusing to resume") && refused.stderr.contains("trace known sha256"), "\(refused.stderr)")
    }
}
