import Foundation
import Testing

/// `"rerun_disturbed"` end to end on the built binary. The disturbance is forced with the runner's test hook
/// (`LAYOUTLAB_FORCE_DISTURBED=1`: every trial's first run), so the outcome does not depend on how busy the
/// machine is: with one rerun allowed, the second run is the last whatever its counters say.
@Suite("Disturbed trials: reruns keep every run", .serialized)
struct DisturbedRerunTests {
    static let trialID = "p.final-class.20000.system.r1"

    static func experiment(name: String, reruns: Int, extra: String = "") -> String {
        """
        { "name": "\(name)", "layouts": ["final-class"],
          "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ],
          "nodes": [20000], "allocators": ["system"], "checkpoints": 5, "probe_nodes": 100,
          "phases": ["allocate", "traverse"], "rerun_disturbed": \(reruns), "trial_timeout_seconds": 60\(extra) }
        """
    }

    static func folder(_ label: String, reruns: Int, extra: String = "") throws -> (file: URL, out: URL) {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("experiment.json")
        try experiment(name: label, reruns: reruns, extra: extra).write(to: file, atomically: true, encoding: .utf8)
        return (file, directory.appendingPathComponent("r"))
    }

    /// The rows of a table of the folder; none where the file was never written.
    static func table(_ out: URL, _ path: String) throws -> [[String: String]] {
        let url = out.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try TestSupport.readCSV(url).rows
    }

    @Test func aDisturbedFirstRunIsKeptAsideAndTheTrialRunsAgain() throws {
        let (file, out) = try Self.folder("rerun", reruns: 1)
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path], environment: ["LAYOUTLAB_FORCE_DISTURBED": "1"])
        #expect(result.status == 0, "\(result.stderr)")

        // The folder's own tables hold the last run only.
        let trials = try Self.table(out, "trials.csv")
        #expect(trials.count == 1)
        #expect(trials.first?["trial_id"] == Self.trialID)
        #expect(trials.first?["attempt"] == "2", "two runs")
        #expect(["true", "false", ""].contains(trials.first?["disturbed"] ?? "?"))
        #expect(trials.first?["disturbance"]?.contains("forced") != true, "the second run is not forced")
        let samples = try Self.table(out, "samples.csv")
        #expect(samples.count == Int(trials.first?["sample_count"] ?? "") ?? -1, "one run's samples")
        #expect(try Self.table(out, "phases.csv").count == 2, "one run's phases")

        // The disturbed first run is whole in disturbed-attempts/, told apart by its attempt.
        let kept = try Self.table(out, "disturbed-attempts/trials.csv")
        #expect(kept.count == 1)
        #expect(kept.first?["trial_id"] == Self.trialID)
        #expect(kept.first?["attempt"] == "1")
        #expect(kept.first?["status"] == "ok")
        #expect(kept.first?["disturbed"] == "true")
        #expect(kept.first?["disturbance"]?.hasPrefix("forced by LAYOUTLAB_FORCE_DISTURBED") == true)
        let keptSamples = try Self.table(out, "disturbed-attempts/samples.csv")
        #expect(keptSamples.count == Int(kept.first?["sample_count"] ?? "") ?? -1)
        #expect(keptSamples.allSatisfy { $0["trial_id"] == Self.trialID && $0["attempt"] == "1" && !($0["rss_bytes"] ?? "").isEmpty })
        let keptPhases = try Self.table(out, "disturbed-attempts/phases.csv")
        #expect(keptPhases.map { $0["phase"] } == ["allocate", "traverse"])
        #expect(keptPhases.allSatisfy { $0["attempt"] == "1" && !($0["interval_ns"] ?? "").isEmpty })

        // The terminal and the report list the rerun.
        #expect(result.stdout.contains("rerun: \(Self.trialID): attempt(s) 1 disturbed (forced by LAYOUTLAB_FORCE_DISTURBED"), "\(result.stdout)")
        #expect(result.stderr.contains("attempt 1 disturbed"), "progress says so: \(result.stderr)")
        let report = try TestSupport.run("layoutlab", ["report", out.path])
        #expect(report.status == 0, "\(report.stderr)")
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("rerun: \(Self.trialID)"))
        #expect(text.contains("disturbed-attempts/"))
    }

    @Test func withoutRerunsADisturbedTrialIsMarkedAndKept() throws {
        let (file, out) = try Self.folder("norerun", reruns: 0)
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path], environment: ["LAYOUTLAB_FORCE_DISTURBED": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let trials = try Self.table(out, "trials.csv")
        #expect(trials.first?["attempt"] == "1")
        #expect(trials.first?["disturbed"] == "true")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("disturbed-attempts").path))
        #expect(result.stdout.contains("disturbed: \(Self.trialID): forced"), "\(result.stdout)")
    }

    @Test func sigkillDuringARerunKeepsTheDisturbedRunAndResumeRecordsTheTrialOnce() throws {
        let (file, out) = try Self.folder("rerunkill", reruns: 1)
        // The first run is forced disturbed; the rerun hangs until the runner is killed.
        let process = try TestSupport.start(
            "layoutlab", ["run", file.path, "--out", out.path, "--quiet"],
            environment: ["LAYOUTLAB_FORCE_DISTURBED": "1", "LAYOUTLAB_FAULT": "hang@checkpoint:1@attempt:2"])
        let keptFile = out.appendingPathComponent("disturbed-attempts/trials.csv")
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: keptFile.path) { usleep(50_000) }
        usleep(300_000)
        process.send(SIGKILL)
        process.wait()

        // On disk: the disturbed run, whole; no row (and no samples) of the trial in the folder's own tables.
        #expect(try Self.table(out, "disturbed-attempts/trials.csv").map { $0["attempt"] } == ["1"])
        #expect(try Self.table(out, "trials.csv").isEmpty)
        #expect(try Self.table(out, "samples.csv").isEmpty)
        #expect(!(try Self.table(out, "disturbed-attempts/samples.csv")).isEmpty)

        // The resume runs the trial as its second attempt (the last one allowed) and keeps the first.
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let trials = try Self.table(out, "trials.csv")
        #expect(trials.map { $0["attempt"] } == ["2"])
        #expect(try Self.table(out, "disturbed-attempts/trials.csv").map { $0["attempt"] } == ["1"])
        #expect(try Self.table(out, "samples.csv").count == Int(trials.first?["sample_count"] ?? "") ?? -1)
    }

    @Test func aPrecisionTargetCountsEachTrialsLastRunOnly() throws {
        // Requested bytes are the same in every run: two repetitions meet any target. With every first run
        // disturbed, each repetition takes two runs; the target must still see two repetitions, not four.
        let (file, out) = try Self.folder(
            "rerunprecision", reruns: 1,
            extra: #", "precision": {"metric": "requested_bytes_per_node", "relative_half_width": 0.01, "max_repetitions": 4}"#)
        let result = try TestSupport.run(
            "layoutlab", ["run", file.path, "--out", out.path], environment: ["LAYOUTLAB_FORCE_DISTURBED": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let trials = try Self.table(out, "trials.csv")
        #expect(trials.map { $0["trial_id"] } == ["p.final-class.20000.system.r1", "p.final-class.20000.system.r2"])
        #expect(trials.allSatisfy { $0["attempt"] == "2" && $0["precision_reached"] == "true" })
        let kept = try Self.table(out, "disturbed-attempts/trials.csv")
        #expect(kept.map { $0["trial_id"] } == ["p.final-class.20000.system.r1", "p.final-class.20000.system.r2"])
        #expect(kept.allSatisfy { $0["attempt"] == "1" })
    }

    @Test func mergeGathersTheShardsKeptRuns() throws {
        let directory = try TestSupport.temporaryDirectory("rerunmerge")
        let file = directory.appendingPathComponent("experiment.json")
        try Self.experiment(name: "rerunmerge", reruns: 1).replacing(#"["final-class"]"#, with: #"["final-class", "struct-array"]"#)
            .write(to: file, atomically: true, encoding: .utf8)
        for shard in ["1/2", "2/2"] {
            let out = directory.appendingPathComponent("s" + shard.prefix(1))
            let result = try TestSupport.run(
                "layoutlab", ["run", file.path, "--out", out.path, "--shard", shard], environment: ["LAYOUTLAB_FORCE_DISTURBED": "1"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let merged = directory.appendingPathComponent("merged")
        let result = try TestSupport.run(
            "layoutlab", ["merge", directory.appendingPathComponent("s1").path, directory.appendingPathComponent("s2").path, "--out", merged.path])
        #expect(result.status == 0, "\(result.stderr)")
        let ids = ["p.final-class.20000.system.r1", "p.struct-array.20000.system.r1"]
        #expect(Set(try Self.table(merged, "trials.csv").map { $0["trial_id"] ?? "" }) == Set(ids))
        #expect(Set(try Self.table(merged, "disturbed-attempts/trials.csv").map { $0["trial_id"] ?? "" }) == Set(ids))
        #expect(Set(try Self.table(merged, "disturbed-attempts/samples.csv").map { $0["trial_id"] ?? "" }) == Set(ids))
    }
}
