import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments

@Suite("Shards, merge and Slurm", .serialized)
struct ShardTests {
    static let experiment = """
        { "name": "sharded", "layouts": ["final-class", "struct-array", "dict-class"],
          "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"}, {"name": "ok", "type": "bool"} ] } ],
          "nodes": [10000, 40000], "allocators": ["system", "jemalloc"], "repetitions": 2, "checkpoints": 3 }
        """

    /// The identity and parameters of every trial in a folder, as a set.
    static func trialSet(_ folder: URL) throws -> Set<String> {
        Set(try TestSupport.readCSV(folder.appendingPathComponent("trials.csv")).rows.map { row in
            ["trial_id", "layout", "shape", "fields", "nodes", "allocator", "repetition", "status"].map { row[$0] ?? "" }.joined(separator: "|")
        })
    }

    @Test func shardsAreDisjointBalancedAndCoverThePlan() throws {
        let loaded = try ExperimentLoader.checkingThisHost.load(data: Data(Self.experiment.utf8), path: "sharded.json")
        let slices = (1...3).map { Shard(index: $0, count: 3).trials(of: loaded) }
        let ids = slices.flatMap { $0.map(\.id) }
        #expect(ids.count == Set(ids).count, "disjoint")
        #expect(Set(ids) == Set(TrialPlan.trials(for: loaded).map(\.id)), "complete")
        #expect(slices.map { $0.map(\.id) } == (1...3).map { Shard(index: $0, count: 3).trials(of: loaded).map(\.id) }, "deterministic")
        // Balanced by cost, not count: the two heavy configurations (40 000-node dict-class) go to different shards.
        let heavy = slices.map { Set($0.filter { $0.layout == .dictClass && $0.nodes == 40000 }.map(\.configuration)).count }
        #expect(heavy.sorted() == [0, 1, 1], "\(heavy)")
        // A configuration's repetitions stay on one shard (one machine).
        for slice in slices {
            for configuration in Set(slice.map(\.configuration)) {
                #expect(slice.filter { $0.configuration == configuration }.count == 2, "\(configuration)")
            }
        }
        #expect(Shard("2/3") == Shard(index: 2, count: 3) && Shard("4/3") == nil && Shard("0/3") == nil)
    }

    @Test func threeShardsMergedEqualOneRun() throws {
        let directory = try TestSupport.temporaryDirectory("shards")
        let file = directory.appendingPathComponent("sharded.json")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        var folders: [URL] = []
        for k in 1...3 {
            let out = directory.appendingPathComponent("shard-\(k)")
            let result = try TestSupport.run("layoutlab", ["run", file.path, "--shard", "\(k)/3", "--out", out.path])
            try #require(result.status == 0, "\(result.stderr)")
            #expect(try String(contentsOf: out.appendingPathComponent("environment.json"), encoding: .utf8).contains("\"count\" : 3"))
            folders.append(out)
        }
        let whole = directory.appendingPathComponent("whole")
        try #require(try TestSupport.run("layoutlab", ["run", file.path, "--out", whole.path]).status == 0)
        let merged = directory.appendingPathComponent("merged")
        let merge = try TestSupport.run("layoutlab", ["merge"] + folders.map(\.path) + ["--out", merged.path])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try Self.trialSet(merged) == Self.trialSet(whole))
        let environment = try String(contentsOf: merged.appendingPathComponent("environment.json"), encoding: .utf8)
        #expect(environment.contains("\"merged_from\"") && environment.contains("\"status\" : \"complete\""))
        let report = try TestSupport.run("layoutlab", ["report", merged.path, "--no-charts"])
        #expect(report.status == 0)

        // Refusals, each naming the folders.
        let overlap = try TestSupport.run("layoutlab", ["merge", folders[0].path, folders[0].path, folders[1].path, folders[2].path, "--out", directory.appendingPathComponent("x").path])
        #expect(overlap.status == 2 && overlap.stderr.contains("overlapping shards") && overlap.stderr.contains(folders[0].path))
        let missing = try TestSupport.run("layoutlab", ["merge", folders[0].path, folders[1].path, "--out", directory.appendingPathComponent("y").path])
        #expect(missing.status == 2 && missing.stderr.contains("3/3 missing"))
        let partial = try TestSupport.run("layoutlab", ["merge", folders[0].path, folders[1].path, "--out", directory.appendingPathComponent("z").path, "--allow-partial"])
        #expect(partial.status == 0 && partial.stderr.contains("partial merge"))
        let other = directory.appendingPathComponent("other.json")
        try Self.experiment.replacing("\"repetitions\": 2", with: "\"repetitions\": 1").write(to: other, atomically: true, encoding: .utf8)
        let foreign = directory.appendingPathComponent("foreign")
        try #require(try TestSupport.run("layoutlab", ["run", other.path, "--shard", "3/3", "--out", foreign.path]).status == 0)
        let mixed = try TestSupport.run("layoutlab", ["merge", folders[0].path, folders[1].path, foreign.path, "--out", directory.appendingPathComponent("w").path])
        #expect(mixed.status == 2 && mixed.stderr.contains("different experiment files") && mixed.stderr.contains(foreign.path))
    }

    /// Starts a single-node Slurm (Fixtures/single_node_slurm.sh) and runs a 3-shard job array under a real
    /// sbatch. Where Slurm cannot start, the test fails and says why; it never skips.
    @Test func aThreeShardJobArrayRunsUnderRealSlurm() throws {
        let script = try #require(Bundle.module.url(forResource: "Fixtures/single_node_slurm", withExtension: "sh"))
        let start = try TestSupport.runTool("/bin/bash", [script.path])
        try #require(start.status == 0 && start.stdout.contains("ready"), "Slurm did not start: \(start.stderr)")

        let directory = try TestSupport.temporaryDirectory("slurm")
        let file = directory.appendingPathComponent("sharded.json")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("slurm")
        let submitted = try TestSupport.run("layoutlab", ["slurm", file.path, "--shards", "3", "--out", out.path, "--submit"])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("submitted: array job"))
        let merged = out.appendingPathComponent("merged")
        let plan = TrialPlan.trials(for: try ExperimentLoader.checkingThisHost.load(path: file.path)).count
        var done = false
        for _ in 0..<240 where !done {
            usleep(500_000)
            let environment = (try? String(contentsOf: merged.appendingPathComponent("environment.json"), encoding: .utf8)) ?? ""
            done = environment.contains("\"status\" : \"complete\"") && FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.md").path)
        }
        #expect(done, "the merge job did not finish within 2 minutes; see \(out.path)/slurm-*.log")
        let rows = try TestSupport.readCSV(merged.appendingPathComponent("trials.csv")).rows
        #expect(rows.count == plan)
        #expect(Set(rows.compactMap { $0["trial_id"] }).count == plan)
        for k in 1...3 { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("shard-\(k)/trials.csv").path)) }
        #expect(try String(contentsOf: out.appendingPathComponent("shards.sbatch"), encoding: .utf8).contains("#SBATCH --array=1-3"))
    }
}
