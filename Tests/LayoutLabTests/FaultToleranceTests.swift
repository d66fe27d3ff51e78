import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabHost
@testable import LayoutLabResults
@testable import LayoutLabRunner

@Suite("Faults cost one trial, never the suite; nothing measured is lost", .serialized)
struct FaultToleranceTests {
    /// Six small trials; the tests inject faults into some of them by trial id.
    static func experiment(name: String, timeout: Int = 60, nodes: Int = 20000, repetitions: Int = 2) -> String {
        """
        { "name": "\(name)", "layouts": ["final-class", "struct-array", "columns"],
          "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
          "nodes": [\(nodes)], "allocators": ["system"], "repetitions": \(repetitions), "checkpoints": 5,
          "probe_nodes": 100, "trial_timeout_seconds": \(timeout) }
        """
    }

    static func write(_ text: String, in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent("experiment-\(UUID().uuidString.prefix(6)).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    static func statuses(_ directory: URL) throws -> [String: String] {
        let trials = try TestSupport.readCSV(directory.appendingPathComponent("trials.csv"))
        return Dictionary(uniqueKeysWithValues: trials.rows.map { ($0["trial_id"] ?? "", $0["status"] ?? "") })
    }

    @Test func everyFaultKindIsRecordedAndTheOthersComplete() throws {
        let directory = try TestSupport.temporaryDirectory("faults")
        let file = try Self.write(Self.experiment(name: "faults", timeout: 3), in: directory)
        let out = directory.appendingPathComponent("r")
        let faults = [
            "segv@checkpoint:2@trial:p.final-class.20000.system.r1",
            "abort@checkpoint:1@trial:p.struct-array.20000.system.r1",
            "kill@checkpoint:3@trial:p.columns.20000.system.r1",
            "hang@checkpoint:2@trial:p.struct-array.20000.system.r2",
            "exit@checkpoint:0@trial:p.columns.20000.system.r2",
        ].joined(separator: ",")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path], environment: ["LAYOUTLAB_FAULT": faults])
        #expect(result.status == 1, "a suite with failed trials exits 1: \(result.stderr)")
        let statuses = try Self.statuses(out)
        #expect(statuses == [
            "p.final-class.20000.system.r1": "crashed:SIGSEGV",
            "p.struct-array.20000.system.r1": "crashed:SIGABRT",
            "p.columns.20000.system.r1": "killed:SIGKILL",
            "p.struct-array.20000.system.r2": "timeout",
            "p.columns.20000.system.r2": "failed:exit 3",
            "p.final-class.20000.system.r2": "ok",
        ])
        for (id, status) in statuses where status != "ok" {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("workers/\(id).log").path), "\(id) keeps its log")
        }
        #expect(result.stderr.contains("p.final-class.20000.system.r1: crashed:SIGSEGV"))
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv"))
        #expect(samples.rows.filter { $0["trial_id"] == "p.final-class.20000.system.r2" }.count == 6)
        #expect(samples.rows.allSatisfy { $0["trial_id"] == "p.final-class.20000.system.r2" }, "failed trials have no samples")
    }

    @Test func aWorkerBreakingTheProtocolIsAnError() throws {
        let directory = try TestSupport.temporaryDirectory("garbage")
        let file = try Self.write(Self.experiment(name: "garbage", repetitions: 1), in: directory)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path],
            environment: ["LAYOUTLAB_FAULT": "garbage@checkpoint:1@trial:p.columns.20000.system.r1"])
        #expect(result.status == 1)
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        let broken = try #require(trials.rows.first { $0["trial_id"] == "p.columns.20000.system.r1" })
        #expect(broken["status"] == "error")
        #expect(broken["message"]?.contains("broke the protocol") == true)
        #expect(trials.rows.filter { $0["status"] == "ok" }.count == 2)
    }

    /// Starts `layoutlab run` on a 12-trial experiment whose third trial (columns r1) hangs at its last
    /// checkpoint, and returns once two trials are on disk (in the folder's journal: its CSV files may lag behind
    /// it while trials are fast), so that a signal lands mid-trial.
    static func startRunThatHangs(
        _ label: String, standardOutput: ChildProcess.Stream = .null, standardError: ChildProcess.Stream = .null
    ) throws -> (process: ChildProcess, file: URL, out: URL, finished: Int) {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = try write(experiment(name: label, nodes: 300_000, repetitions: 4), in: directory)
        let out = directory.appendingPathComponent("r")
        let process = try TestSupport.start(
            "layoutlab", ["run", file.path, "--out", out.path],
            environment: ["LAYOUTLAB_FAULT": "hang@checkpoint:5@trial:p.columns.300000.system.r1"],
            standardOutput: standardOutput, standardError: standardError)
        var finished = 0
        for _ in 0..<600 where finished < 2 {
            usleep(50_000)
            finished = (try? ResultsFolder.open(out).records.count) ?? 0
        }
        usleep(300_000)
        return (process, file, out, finished)
    }

    @Test func sigkillOfTheRunnerLosesNoFinishedTrialAndResumeCompletesIt() throws {
        let (process, file, out, finished) = try Self.startRunThatHangs("sigkill")
        let trialsFile = out.appendingPathComponent("trials.csv")
        #expect(finished >= 2, "two trials should finish before the third hangs")
        process.send(SIGKILL)
        process.wait()

        // What is on disk is whole: the journal holds every finished trial; each trial the CSV files got so far
        // has its row and all its samples.
        #expect(try ResultsFolder.open(out).records.count >= 2)
        let trials = try TestSupport.readCSV(trialsFile)
        let samples = try TestSupport.readCSV(out.appendingPathComponent("samples.csv"))
        #expect(trials.rows.count >= 1)
        #expect(trials.rows.allSatisfy { $0.count == trials.header.count && $0["status"] == "ok" })
        for row in trials.rows {
            #expect(samples.rows.filter { $0["trial_id"] == row["trial_id"] }.count == 6)
        }
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"status\" : \"running\""), "a SIGKILLed runner could not mark itself; resume does")

        // The lab's writes are atomic, but a folder copied while a run went on can end like this: rows of the
        // unfinished trial, the last one cut short. Resume must drop them, not append after them.
        let samplesFile = out.appendingPathComponent("samples.csv")
        let handle = try FileHandle(forWritingTo: samplesFile)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("p.columns.300000.system.r1,0,0,1,0,123\np.columns.300000.system.r1,0,1,2".utf8))
        try handle.close()

        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try TestSupport.readCSV(trialsFile)
        let experiment = try ExperimentLoader.checkingThisHost.load(path: file.path)
        #expect(Set(after.rows.compactMap { $0["trial_id"] }) == Set(TrialPlan.trials(for: experiment).map(\.id)))
        #expect(after.rows.count == 12, "each trial exactly once")
        let samplesAfter = try TestSupport.readCSV(samplesFile)
        #expect(samplesAfter.rows.count == 12 * 6, "six samples per trial: the torn and orphaned rows are gone")
        #expect(samplesAfter.rows.allSatisfy { $0.count == samplesAfter.header.count && !($0["rss_bytes"] ?? "").isEmpty })
        for row in after.rows {
            #expect(samplesAfter.rows.filter { $0["trial_id"] == row["trial_id"] }.count == 6, "\(row["trial_id"] ?? "")")
        }
        #expect(Set(after.rows.prefix(trials.rows.count).map { $0["trial_id"] }) == Set(trials.rows.map { $0["trial_id"] }),
                "the trials recorded before the kill are kept as they were")
        let finalEnvironment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(finalEnvironment.contains("\"status\" : \"complete\""))
        #expect(finalEnvironment.contains("\"resumed_utc\""))
    }

    @Test func sigintStopsCleanlyAndMarksTheRunIncomplete() throws {
        let (process, _, out, _) = try Self.startRunThatHangs("sigint", standardOutput: .pipe, standardError: .pipe)
        let trialsFile = out.appendingPathComponent("trials.csv")
        // As Ctrl-C at a terminal: to the runner's whole process group. The worker leads a group of its
        // own, so the runner alone decides how the trial ends.
        kill(-process.pid, SIGINT)
        let collected = process.collect(timeoutSeconds: 120)
        #expect(!process.timedOut, "the runner did not stop within 2 minutes of SIGINT")
        let stderr = String(decoding: collected.standardError, as: UTF8.self)
        #expect(process.wait() == .exited(130))
        #expect(stderr.contains("--resume \(out.path)"))
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"status\" : \"incomplete\""))
        #expect(environment.contains("\"stop_reason\" : \"SIGINT\""))
        let trials = try TestSupport.readCSV(trialsFile)
        #expect(trials.rows.count == 2, "the hanging trial was interrupted, so it is missing, not failed")
        #expect(trials.rows.allSatisfy { $0["status"] == "ok" })

        // The summary says what each median is over: one repetition of the two finished trials, none of columns.
        let stdout = String(decoding: collected.standardOutput, as: UTF8.self)
        #expect(stdout.contains("median of n successful repetitions (4 planned)"), "\(stdout)")
        #expect(!stdout.contains("median of 4"))
        let rows = stdout.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("final-class") && $0.hasSuffix("  1") }, "\(stdout)")
        #expect(rows.contains { $0.hasPrefix("struct-array") && $0.hasSuffix("  1") })
        #expect(rows.contains { $0.hasPrefix("columns") && $0.hasSuffix("  0") && $0.contains("– (–)") })
    }

    @Test func oversizedTrialsAreRefusedOrSkipped() throws {
        let directory = try TestSupport.temporaryDirectory("oversized")
        let file = try Self.write(Self.experiment(name: "oversized", nodes: 1 << 40, repetitions: 1), in: directory)
        let refused = try TestSupport.run("layoutlab", ["run", file.path, "--out", directory.appendingPathComponent("a").path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("p.final-class.1099511627776.system.r1: estimated peak"))
        #expect(refused.stderr.contains("MemAvailable"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a/trials.csv").path), "nothing ran")

        let skipped = try TestSupport.run("layoutlab", ["run", file.path, "--out", directory.appendingPathComponent("b").path, "--skip-oversized"])
        #expect(skipped.status == 1)
        let trials = try TestSupport.readCSV(directory.appendingPathComponent("b/trials.csv"))
        #expect(trials.rows.count == 3)
        #expect(trials.rows.allSatisfy { $0["status"] == "skipped" && $0["rss_bytes_per_node"] == "" && ($0["message"] ?? "").contains("MiB") })
    }

    @Test func preflightEstimateCoversWhatWasMeasured() {
        // The default suite measured 312–364 B/node for dict-class and 41–56 for final-class (2 × int64).
        let point = Shape(name: "p", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])
        #expect(MemoryPreflight.estimatedBytesPerNode(layout: .dictClass, shape: point) >= 364)
        #expect(MemoryPreflight.estimatedBytesPerNode(layout: .finalClass, shape: point) >= 56)
        #expect(MemoryPreflight.estimatedBytesPerNode(layout: .structArray, shape: point) == 16)
        #expect(MemoryPreflight.availableBytes(meminfo: "MemTotal: 10 kB\nMemAvailable:    2048 kB\n") == 2048 * 1024)
    }
}
