import Foundation
import Testing

@Suite("Adaptive repetitions: a precision target adds repetitions until reached or capped", .serialized)
struct AdaptiveRepetitionTests {
    /// Two configurations (struct-array, final-class) of 2 000 nodes, one planned repetition.
    static func experiment(_ name: String, metric: String, width: Double, cap: Int) -> String {
        """
        { "name": "\(name)", "layouts": ["struct-array", "final-class"],
          "shapes": [{"name": "s", "fields": [{"name": "x", "type": "int64"}]}],
          "nodes": [2000], "repetitions": 1, "checkpoints": 2, "probe_nodes": 100,
          "precision": {"metric": "\(metric)", "relative_half_width": \(width), "max_repetitions": \(cap)} }
        """
    }

    static func run(_ text: String, label: String) throws -> (out: URL, stdout: String) {
        let directory = try TestSupport.temporaryDirectory(label)
        let file = directory.appendingPathComponent("\(label).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("r")
        let result = try TestSupport.run("layoutlab", ["run", file.path, "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        return (out, result.stdout)
    }

    @Test func deterministicBytesReachPrecisionAtTwoRepetitions() throws {
        // The probe counts requested bytes exactly: two equal values, an interval of no width.
        let (out, stdout) = try Self.run(Self.experiment("reach", metric: "requested_bytes_per_node", width: 0.001, cap: 10), label: "adaptive-reach")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        #expect(Set(trials.rows.compactMap { $0["trial_id"] }) == [
            "s.struct-array.2000.system.r1", "s.struct-array.2000.system.r2",
            "s.final-class.2000.system.r1", "s.final-class.2000.system.r2",
        ])
        #expect(trials.rows.allSatisfy { $0["precision_reached"] == "true" && $0["precision_relative_half_width"] == "0" })
        #expect(stdout.contains("reached by 2 configuration(s), after 2 repetitions"), "\(stdout)")
        #expect(stdout.contains("median of n successful repetitions (1 planned, up to 10 for precision)"))
    }

    /// A struct array has no container beside its elements (0 B per node): a relative half-width of a metric
    /// at 0 means nothing, so that configuration is refused, said so, and gets no repetitions, while
    /// final-class (8 B of reference per node) reaches the target.
    @Test func aMetricAtZeroIsRefusedNotReached() throws {
        let (out, stdout) = try Self.run(Self.experiment("zero", metric: "container_bytes_per_node", width: 0.02, cap: 5), label: "adaptive-zero")
        let rows = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
        let array = rows.filter { $0["layout"] == "struct-array" }
        #expect(array.count == 1 && array.allSatisfy { $0["precision_reached"] == "false" && $0["precision_relative_half_width"] == "" })
        #expect(rows.filter { $0["layout"] == "final-class" }.allSatisfy { $0["precision_reached"] == "true" })
        #expect(stdout.contains("refused: s.struct-array.2000.system (container_bytes_per_node 0.0 ≤ 0"), "\(stdout)")
        #expect(stdout.contains("a stopping rule: the interval a configuration stopped with covers less than 95 %"))
    }

    @Test func anUnreachableTargetStopsAtTheCapAndResumeKeepsTheExtraRepetitions() throws {
        // Nanoseconds never repeat to 1e-9 of their mean: both configurations run to the cap of 3.
        let (out, stdout) = try Self.run(Self.experiment("cap", metric: "allocate_ns_per_node", width: 1e-9, cap: 3), label: "adaptive-cap")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        #expect(trials.rows.count == 6)
        #expect(Set(trials.rows.compactMap { $0["repetition"] }) == ["1", "2", "3"])
        #expect(trials.rows.allSatisfy { $0["precision_reached"] == "false" && Double($0["precision_relative_half_width"] ?? "") ?? 0 > 1e-9 })
        #expect(stdout.contains("stopped at the cap, not reached: s.struct-array.2000.system (3 repetitions, ±"), "\(stdout)")
        #expect(stdout.contains("stopped at the cap, not reached: s.final-class.2000.system (3 repetitions, ±"))

        // A folder stopped during the extra repetitions: its r3 rows gone, the rest undecided again.
        let trialsFile = out.appendingPathComponent("trials.csv")
        // (These rows have no quoted cells, so splitting at commas is safe.)
        let lines = try String(contentsOf: trialsFile, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(lines.first?.firstIndex(of: "precision_reached"))
        let kept = [lines[0]] + lines.dropFirst().filter { !$0[0].hasSuffix(".r3") }.map { cells in
            var cells = cells
            cells[column] = ""
            return cells
        }
        try (kept.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(to: trialsFile, atomically: true, encoding: .utf8)
        let environment = out.appendingPathComponent("environment.json")
        try String(contentsOf: environment, encoding: .utf8).replacing("\"status\" : \"complete\"", with: "\"status\" : \"incomplete\"")
            .write(to: environment, atomically: true, encoding: .utf8)
        let resumed = try TestSupport.run("layoutlab", ["run", "--resume", out.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try TestSupport.readCSV(trialsFile)
        #expect(after.rows.count == 6, "resume ran the two r3 trials and nothing else")
        #expect(after.rows.filter { $0["repetition"] == "3" }.count == 2)
        #expect(after.rows.allSatisfy { $0["precision_reached"] == "false" })
        let again = try TestSupport.run("layoutlab", ["run", "--resume", out.path])
        #expect(again.stdout.contains("nothing to resume"), "a capped configuration asks for no more: \(again.stdout)")
    }

    @Test func shardsAddRepetitionsToTheirOwnConfigurationsAndMerge() throws {
        let directory = try TestSupport.temporaryDirectory("adaptive-shards")
        let file = directory.appendingPathComponent("shards.json")
        try Self.experiment("shards", metric: "allocate_ns_per_node", width: 1e-9, cap: 3).write(to: file, atomically: true, encoding: .utf8)
        var folders: [URL] = []
        for k in 1...2 {
            let out = directory.appendingPathComponent("shard-\(k)")
            let result = try TestSupport.run("layoutlab", ["run", file.path, "--shard", "\(k)/2", "--out", out.path, "--quiet"])
            try #require(result.status == 0, "\(result.stderr)")
            let rows = try TestSupport.readCSV(out.appendingPathComponent("trials.csv")).rows
            #expect(rows.count == 3 && Set(rows.compactMap { $0["layout"] }).count == 1, "one configuration per shard, to its cap")
            folders.append(out)
        }
        let merged = directory.appendingPathComponent("merged")
        let merge = try TestSupport.run("layoutlab", ["merge"] + folders.map(\.path) + ["--out", merged.path])
        #expect(merge.status == 0, "\(merge.stderr)")
        let rows = try TestSupport.readCSV(merged.appendingPathComponent("trials.csv")).rows
        #expect(rows.count == 6 && rows.allSatisfy { $0["precision_reached"] == "false" })
    }
}
