import Foundation
import Testing

@testable import LayoutLabTables
@testable import LayoutLabHost
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabRunner

@Suite("--resume never rewrites a complete folder and never mixes builds silently")
struct ResumeSafetyTests {
    static func smallRun(_ label: String, repetitions: Int = 2, allocators: String = "[\"system\"]", in directory: URL? = nil) throws -> URL {
        let directory = try directory ?? TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try """
            { "name": "\(label)", "layouts": ["struct-array"], "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}],
              "nodes": [1000], "repetitions": \(repetitions), "checkpoints": 2, "probe_nodes": 10, "allocators": \(allocators) }
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
    /// another lab commit and worker) and drops the last `dropping` trials from its journal and `trials.csv`, so that
    /// there is something to resume.
    static func makeStopped(_ out: URL, anotherBuild: Bool = true, dropping: Int = 1) throws {
        try editLab(of: out) { lab in
            if anotherBuild {
                lab["git_commit"] = String(repeating: "0", count: 40)
                lab["worker_sha256"] = String(repeating: "f", count: 64)
            }
        }
        let journal = out.appendingPathComponent(ResultsFolder.journalFile)
        let kept = try #require(try TrialJournal.read(journal)).entries.dropLast(dropping).map {
            TrialJournal.encode(
                samples: CSVTable.lines($0.samples), sampleCount: $0.samples.count, phases: CSVTable.lines($0.phases),
                phaseCount: $0.phases.count, sizes: CSVTable.lines($0.sizes), sizeCount: $0.sizes.count,
                trial: CSVTable.lines([$0.trial]))
        }
        try Data(Array(TrialJournal.firstLine.utf8) + kept.joined()).write(to: journal)
        let trials = out.appendingPathComponent("trials.csv")
        var lines = try String(contentsOf: trials, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast(dropping + 1)
        try (lines.joined(separator: "\n") + "\n").write(to: trials, atomically: true, encoding: .utf8)
    }

    /// Rewrites the `lab` entry of a folder's `environment.json` with `edit` and marks the folder incomplete.
    static func editLab(of out: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = out.appendingPathComponent("environment.json")
        var environment = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var lab = try #require(environment["lab"] as? [String: Any])
        edit(&lab)
        environment["lab"] = lab
        environment["status"] = "incomplete"
        try JSONSerialization.data(withJSONObject: environment, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    static func environment(of out: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("environment.json"))) as? [String: Any])
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

    @Test func anAllocatorLibraryReplacedSinceTheStartIsAnotherBuild() throws {
        let directory = try TestSupport.temporaryDirectory("resume-allocator")
        let jemalloc = try SharedLibraryResolver().resolve("libjemalloc.so.2").get()
        // The experiment names a link; the remaining trials would load whatever it points at on resume.
        let first = directory.appendingPathComponent("first-libjemalloc.so.2")
        let second = directory.appendingPathComponent("second-libjemalloc.so.2")
        try FileManager.default.copyItem(atPath: jemalloc, toPath: first.path)
        var rebuilt = try Data(contentsOf: URL(fileURLWithPath: jemalloc))
        rebuilt.append(Data("another build".utf8))
        try rebuilt.write(to: second)
        let link = directory.appendingPathComponent("libcandidate.so.2")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: first)
        let out = try Self.smallRun(
            "resume-allocator", allocators: "[{\"name\": \"candidate\", \"library\": \"\(link.path)\", \"statistics\": \"jemalloc\"}]",
            in: directory)
        try Self.makeStopped(out, anotherBuild: false)
        try FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: second)
        let before = try Self.checksums(out)
        let firstSum = try #require(EnvironmentProbe.sha256(of: first.path))
        let secondSum = try #require(EnvironmentProbe.sha256(of: second.path))

        let refused = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("refusing to resume \(out.path) with another build"), "\(refused.stderr)")
        #expect(refused.stderr.contains("allocator candidate library: \(first.path) → \(second.path)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("allocator candidate sha256: \(firstSum.prefix(16))… → \(secondSum.prefix(16))…"))
        #expect(try Self.checksums(out) == before, "a refused resume changes nothing")

        let mixed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--allow-mixed-builds", "--quiet"])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let environment = try Self.environment(of: out)
        let folderAllocators = try #require(environment["allocators"] as? [[String: Any]])
        #expect(folderAllocators.first?["sha256"] as? String == firstSum, "the folder's own allocator record is kept")
        let mixedBuilds = try #require(environment["mixed_builds"] as? [[String: Any]])
        let resumedAllocators = try #require(mixedBuilds.first?["allocators"] as? [[String: Any]])
        #expect(resumedAllocators.first?["sha256"] as? String == secondSum, "the library the remaining trials loaded")
        #expect(resumedAllocators.first?["library_real_path"] as? String == second.path)
        #expect((mixedBuilds.first?["differences"] as? [String])?.contains { $0.hasPrefix("allocator candidate sha256:") } == true)
    }

    @Test func anotherCommitWithTheSameExecutablesIsRecordedNotRefused() throws {
        let out = try Self.smallRun("resume-source")
        // Stopped, then a README line committed (or left uncommitted): the worker and runner are byte-identical.
        var dirty = false
        try Self.editLab(of: out) { lab in
            lab["git_commit"] = String(repeating: "0", count: 40)
            dirty = lab["git_dirty"] as? Bool ?? false
            lab["git_dirty"] = !dirty
        }
        try Self.makeStopped(out, anotherBuild: false)
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.count == 2)
        let environment = try Self.environment(of: out)
        #expect(environment["mixed_builds"] == nil, "the executables that measure are the same: not a mixed build")
        let changes = try #require(environment["lab_source_changes"] as? [[String: Any]])
        let differences = try #require(changes.first?["differences"] as? [String])
        #expect(differences.contains { $0.hasPrefix("lab commit: 0000000000000000000000000000000000000000 → ") }, "\(differences)")
        #expect(differences.contains("uncommitted changes: \(!dirty) → \(dirty)"), "\(differences)")
        #expect(changes.first?["trials_before"] as? Int == 1)
        #expect((environment["lab"] as? [String: Any])?["git_commit"] as? String == String(repeating: "0", count: 40), "the folder's own commit is kept")
        #expect(try TestSupport.run("layoutlab", ["report", out.path, "--no-charts"]).status == 0)
        let text = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(text.contains("from another lab source with byte-identical worker and runner (one build; trials from row 2 on): lab commit: 0000"), "\(text)")
        #expect(!text.contains("**Mixed builds**"))
    }

    @Test func theBuildIsComparedWithTheFolderAsReadUnderTheLock() throws {
        let out = try Self.smallRun("resume-locked", repetitions: 2)
        try Self.makeStopped(out, anotherBuild: false)
        let lock = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-resume-locked-\(UUID().uuidString.prefix(8)).lock").path
        var holder: LabLock? = LabLock(path: lock)
        try #require(holder).acquire(experiments: ["holder"], wait: false, say: { _ in }, progress: { _ in })
        let stderr = out.deletingLastPathComponent().appendingPathComponent("resume.stderr").path
        let resume = try TestSupport.start(
            "layoutlab", ["run", "--resume", out.path, "--quiet"], environment: ["LAYOUTLAB_LOCK_FILE": lock], standardError: .file(stderr))
        func said() -> String { (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "" }
        for _ in 0..<1200 where !said().contains("waiting for the lab lock") { usleep(50_000) }
        try #require(said().contains("waiting for the lab lock \(lock), held by pid \(getpid())"), "\(said())")
        // While it waits, the folder changes: it now says another worker measured it (as a resume by another
        // build, or a rebuilt worker, would make it).
        try Self.editLab(of: out) { $0["worker_sha256"] = String(repeating: "f", count: 64) }
        holder = nil
        #expect(resume.wait() == .exited(2), "\(said())")
        #expect(said().contains("refusing to resume \(out.path) with another build"), "\(said())")
        #expect(said().contains("worker sha256: ffffffffffffffff… → "), "\(said())")
        #expect(try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows.count == 1, "nothing ran")
    }
}
