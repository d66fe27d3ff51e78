import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabRunner

/// Sweep members run through the real runner and worker: a member of length 40 costs per node exactly what
/// the compiled shape with a fixed length of 40 costs, in every Swift layout, for bytes (run-time-sized nodes)
/// and strings alike.
@Suite("Sweeps: a member costs what the fixed shape costs", .serialized)
struct SweepEndToEndTests {
    static let experimentText = """
        { "name": "sweep-e2e", "layouts": ["dict-class", "class", "final-class", "struct-array", "columns"],
          "shapes": [
            { "name": "buf", "fields": [ {"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": {"from": 8, "to": 40, "step": 32}} ] },
            { "name": "fixed", "fields": [ {"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": 40} ] },
            { "name": "text", "fields": [ {"name": "id", "type": "int64"}, {"name": "name", "type": "string", "length": {"from": 12, "to": 40, "step": 28}} ] },
            { "name": "fixedtext", "fields": [ {"name": "id", "type": "int64"}, {"name": "name", "type": "string", "length": 40} ] }
          ],
          "nodes": [2000], "allocators": ["system"], "repetitions": 1, "checkpoints": 2, "probe_nodes": 100,
          "phases": ["allocate", "traverse", "mutate", "churn", "free-all"] }
        """

    @Test func aSweepMemberCostsWhatTheFixedShapeCosts() throws {
        let directory = try TestSupport.temporaryDirectory("sweep-e2e")
        let file = directory.appendingPathComponent("sweep-e2e.json")
        try Self.experimentText.write(to: file, atomically: true, encoding: .utf8)
        let experiments = try ExperimentLoader.checkingThisHost.load(paths: [file.path])
        #expect(experiments[0].shapes.map(\.name) == ["buf-8", "buf-40", "fixed", "text-12", "text-40", "fixedtext"])
        let out = directory.appendingPathComponent("results")
        let runs = try SuiteRunner(options: try TestSupport.runOptions(out: out)).run(experiments)
        #expect(runs[0].failedTrials == 0, "\(runs[0].records.filter { $0.status != .ok }.map { "\($0.trial.id): \($0.message ?? "")" })")
        let trials = try TestSupport.readCSV(out.appendingPathComponent("trials.csv"))
        #expect(trials.rows.count == 6 * 5)

        func number(_ shape: String, _ layout: String, _ column: String) throws -> Double {
            let row = try #require(trials.rows.first { $0["shape"] == shape && $0["layout"] == layout }, "no \(shape) \(layout) row")
            return try #require(Double(row[column] ?? ""), "\(column) of \(shape) \(layout) is empty")
        }
        for layout in ["dict-class", "class", "final-class", "struct-array", "columns"] {
            for (member, fixed) in [("buf-40", "fixed"), ("text-40", "fixedtext")] {
                for column in [
                    "requested_bytes_per_node", "usable_bytes_per_node", "heap_allocations_per_node", "object_requested_bytes_per_node",
                    "out_of_line_requested_bytes_per_node", "payload_size_bytes", "payload_stride_bytes",
                ] {
                    #expect(try number(member, layout, column) == (try number(fixed, layout, column)), "\(member) vs \(fixed), \(layout): \(column)")
                }
            }
        }
        // A final class asks for its 16-byte header and the payload; a string of 12 adds nothing, one of 40 adds its storage.
        // (dict-class copies no value while the probe counts: a copied 8-15 byte string crashed the swizzled retain.)
        #expect(try number("buf-40", "final-class", "requested_bytes_per_node") == 16 + 8 + 40)
        #expect(try number("buf-8", "final-class", "requested_bytes_per_node") == 16 + 8 + 8)
        #expect(try number("text-12", "final-class", "requested_bytes_per_node") == 16 + 8 + 16)
        #expect(try number("text-40", "final-class", "requested_bytes_per_node") > 16 + 8 + 16 + 40)
        // One block per node for the buffer members (tail-allocated: no second block), one more for a 40-byte string.
        #expect(try number("buf-40", "final-class", "heap_allocations_per_node") == 1)
        #expect(try number("text-12", "final-class", "heap_allocations_per_node") == 1)
        #expect(try number("text-40", "final-class", "heap_allocations_per_node") == 2)
    }

    @Test func aSweptBufferMustBeTheLastField() throws {
        let text = Self.experimentText.replacingOccurrences(
            of: #"{"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": {"from": 8, "to": 40, "step": 32}}"#,
            with: #"{"name": "tag", "type": "bytes", "length": {"from": 8, "to": 40, "step": 32}}, {"name": "id", "type": "int64"}"#)
        #expect(text != Self.experimentText)
        do {
            _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "sweep.json")
            Issue.record("a swept buffer before another field was accepted")
        } catch {
            #expect(error.problems.map(\.jsonPath) == ["$.shapes[0].fields[0].length"])
            #expect(error.problems.first?.message.contains("last field") == true, "\(error.problems)")
        }
    }
}
