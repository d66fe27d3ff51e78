import Foundation
import LayoutLab
import Testing

@Suite("--resume never rewrites a complete folder and never mixes builds silently")
struct ResumeSafetyTests {
    static func smallRun(_ label: String, repetitions: Int = 2) throws -> URL {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try """
            { "name": "\(label)", "layouts": ["struct-array"], "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}],
              "nodes": [1000], "repetitions": \(repetitions), "checkpoints": 2, "probe_nodes": 10 }
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    /// Every file under a folder (relative path) with its sha256.
    static func checksums(_ directory: URL) throws -> [String: String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
        var sums: [String: String] = [:]
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            sums[relative] = EnvironmentProbe.sha256(of: path) ?? "unreadable"
        }
        return sums
    }

    @Test func aCompleteFolderIsLeftByteForByte() throws {
        let out = try Self.smallRun("resume-complete")
        let before = try Self.checksums(out)
        #expect(before.keys.contains("trials.csv") && before.keys.contains("environment.json"))
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("nothing to resume: \(out.path) is complete (2 trials recorded)"), "\(resumed.stdout)")
        #expect(try Self.checksums(out) == before, "no file was added, removed or changed")
    }

    /// Rewrites `environment.json` as a stopped folder would have it (status incomplete; with `anotherBuild`, of
    /// another lab commit and worker) and drops the last `dropping` trials, so that there is something to resume.
    static func makeStopped(_ out: URL, anotherBuild: Bool = true, dropping: Int = 1) throws {
        let url = out.appendingPathComponent("environment.json")
        var environment = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        if anotherBuild {
            var lab = try #require(environment["lab"] as? [String: Any])
            lab["git_commit"] = String(repeating: "0", count: 40)
            lab["worker_sha256"] = String(repeating: "f", count: 64)
            environment["lab"] = lab
        }
        environment["status"] = "incomplete"
        try JSONSerialization.data(withJSONObject: environment, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        let trials = out.appendingPathComponent("trials.csv")
        var lines = try String(contentsOf: trials, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast(dropping + 1)
        try (lines.joined(separator: "\n") + "\n").write(to: trials, atomically: true, encoding: .utf8)
    }

    @Test func twoResumesOfOneFolderRunEachTrialOnce() throws {
        let out = try Self.smallRun("resume-twice", repetitions: 4)
        try Self.makeStopped(out, anotherBuild: false, dropping: 3)
        let lock = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-resume-twice-\(UUID().uuidString.prefix(8)).lock").path
        let first = try TestSupport.start(
            "layoutlab", ["run", "--resume", out.path, "--quiet"], environment: ["LAYOUTLAB_LOCK_FILE": lock],
            standardOutput: .pipe, standardError: .pipe)
        let second = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--quiet"], environment: ["LAYOUTLAB_LOCK_FILE": lock])
        let firstOutput = first.collect(timeoutSeconds: 120)
        #expect(first.wait() == .exited(0) && second.status == 0, "\(second.stderr)")
        let said = [String(decoding: firstOutput.standardOutput, as: UTF8.self), second.stdout].filter { $0.contains("nothing to resume") }
        // A resume that ran from what it read before waiting would run the trials again and rewrite the folder
        // from its stale view, replacing the other's rows: exactly one must find nothing left.
        #expect(said.count == 1, "one resume ran the three trials, the other found nothing left")
        let ids = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.compactMap { $0["trial_id"] }
        #expect(ids.count == 4 && Set(ids).count == 4, "each trial exactly once: \(ids)")
    }

    @Test func anotherBuildIsRefusedUnlessMixingIsAskedFor() throws {
        let out = try Self.smallRun("resume-mixed")
        try Self.makeStopped(out)
        let before = try Self.checksums(out)

        let refused = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("refusing to resume \(out.path) with another build"))
        #expect(refused.stderr.contains("lab commit: 0000000000000000000000000000000000000000 → "), "\(refused.stderr)")
        #expect(refused.stderr.contains("worker sha256: ffffffffffffffff… → "))
        #expect(refused.stderr.contains("--allow-mixed-builds"))
        #expect(try Self.checksums(out) == before, "a refused resume changes nothing")

        let mixed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--allow-mixed-builds", "--quiet"])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.count == 2)
        let environment = try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"mixed_builds\""))
        #expect(environment.contains("\"trials_before\" : 1"))
        #expect(environment.contains("lab commit: 0000000000000000000000000000000000000000 → "))
        #expect(environment.contains("\"git_commit\" : \"0000000000000000000000000000000000000000\""), "the folder's own build is kept")
        let report = try TestSupport.run("layoutlab", ["report", out.path, "--no-charts"])
        #expect(report.status == 0)
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("**Mixed builds**: trials from row 2 of `trials.csv` on were measured by another build"), "\(text)")
    }

    @Test func mixedBuildsIsOnlyForResume() throws {
        let result = try TestSupport.run("layoutlab", ["run", "x.json", "--allow-mixed-builds"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--allow-mixed-builds applies to --resume only"))
    }
}
