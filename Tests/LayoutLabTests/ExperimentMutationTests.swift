import Foundation
import Testing

@testable import LayoutLabSampling
@testable import LayoutLabExperiments
@testable import LayoutLabAnalysis

@Suite("Seeded mutations of valid experiment files")
struct ExperimentMutationTests {
    static let fragments = [
        "{", "}", "[", "]", ",", ":", "\"", "0", "-1", "1.5", "1e400", "null", "true", "\"int64\"", "\"nodes\"",
        "\"layouts\"", "[]", "{}", "\"\u{00e9}\"", "\\", "\u{0000}", "999999999999999999999", "\"reference\"",
    ]

    /// One random edit: delete, insert, duplicate or replace a span of bytes.
    static func mutate(_ text: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
        var bytes = text
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
        let length = Int.random(in: 1...8, using: &generator)
        let end = min(bytes.count, position + length)
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: bytes.removeSubrange(position..<end)
        case 1: bytes.insert(contentsOf: Array(fragments.randomElement(using: &generator)!.utf8), at: position)
        case 2: bytes.insert(contentsOf: bytes[position..<end], at: end)
        case 3: bytes.replaceSubrange(position..<end, with: Array(fragments.randomElement(using: &generator)!.utf8))
        default: if position < bytes.count { bytes[position] = UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }

    /// Whether each text is strict JSON with each key once, by `Fixtures/strict_json_judge.py` (one process).
    static func strictJSON(_ texts: [[UInt8]]) throws -> [Bool] {
        let script = try #require(Bundle.module.url(forResource: "Fixtures/strict_json_judge", withExtension: "py"))
        let input = try TestSupport.temporaryDirectory("judge").appendingPathComponent("mutants.hex")
        let hex = texts.map { $0.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        try hex.joined(separator: "\n").appending("\n").write(to: input, atomically: true, encoding: .utf8)
        let result = try TestSupport.runTool("/bin/sh", ["-c", "exec python3 \"$0\" < \"$1\"", script.path, input.path])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { $0 == "1" }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func mutatedFilesAreValidOrNameAPath(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let originals = [ExperimentValidationTests.valid, Self.fullExperiment]
        var accepted = 0, refused = 0
        var mutants: [[UInt8]] = [], verdicts: [Bool] = []
        for round in 0..<1000 {
            var bytes = Array(originals[round % originals.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) { bytes = Self.mutate(bytes, using: &generator) }
            mutants.append(bytes)
            do {
                let experiment = try ExperimentLoader().load(data: Data(bytes), path: "mutant.json")
                verdicts.append(true)
                #expect(!experiment.shapes.isEmpty && !experiment.nodes.isEmpty && experiment.repetitions >= 1)
                accepted += 1
            } catch {
                refused += 1
                verdicts.append(false)
                #expect(!error.problems.isEmpty)
                for problem in error.problems {
                    #expect(problem.file == "mutant.json")
                    #expect(problem.jsonPath.hasPrefix("$"), "seed \(seed) round \(round): \(problem)")
                    #expect(!problem.message.isEmpty)
                }
            }
        }
        // Both verdicts are exercised: some mutants stay valid (a harmless edit), most are refused.
        #expect(accepted > 0 && refused > accepted, "seed \(seed): \(accepted) accepted, \(refused) refused")
        // An independent judge (Python's strict json, each key once): the lab accepts no text that is not JSON,
        // trailing commas and duplicate keys included.
        let strict = try Self.strictJSON(mutants)
        try #require(strict.count == mutants.count, "the judge answered \(strict.count) of \(mutants.count)")
        for index in mutants.indices where verdicts[index] && !strict[index] {
            Issue.record("seed \(seed) round \(index): accepted a text that is not strict JSON: \(String(decoding: mutants[index], as: UTF8.self))")
        }
    }

    static let fullExperiment = """
        { "name": "full", "layouts": ["dict-class", "columns"],
          "shapes": [ { "name": "a", "fields": [ {"name": "x", "type": "int8"}, {"name": "n", "type": "reference"} ] },
                      { "name": "b", "fields": [ {"name": "y", "type": "double"} ] } ],
          "nodes": [10, 20], "allocators": ["system", {"name": "je", "library": "libjemalloc.so.2", "env": {"MALLOC_CONF": "narenas:1"}}],
          "repetitions": 2, "checkpoints": 3, "sampling": {"smaps_rollup": "off"}, "probe_nodes": 0, "trial_timeout_seconds": 60 }
        """
}
