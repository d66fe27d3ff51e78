import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments

/// `bytes`, `string` and `array` fields, their lengths, distributions and sweeps: what decodes, and what is refused
/// at which JSON path (these cases join `ExperimentValidationTests.badCases`, which the schema test also runs).
extension ExperimentValidationTests {
    /// The valid file with shape `point`'s fields replaced by `fields` (a JSON list's contents).
    static func withFields(_ fields: String) -> String {
        valid.replacing(#"[ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ]"#, with: "[ \(fields) ]")
    }

    static let fieldBadCases: [BadCase] = [
        BadCase(label: "empty bytes", text: withFields(#"{"name": "b", "type": "bytes", "length": 0}"#),
                path: "$.shapes[0].fields[0].length", message: "from 1 to 1048576, got 0"),
        BadCase(label: "negative length", text: withFields(#"{"name": "s", "type": "string", "length": -1}"#),
                path: "$.shapes[0].fields[0].length", message: "expected a length in ASCII characters from 0 to 1048576, got -1"),
        BadCase(label: "length over the cap", text: withFields(#"{"name": "b", "type": "bytes", "length": 2000000}"#),
                path: "$.shapes[0].fields[0].length", message: "from 1 to 1048576, got 2000000"),
        BadCase(label: "array over its cap", text: withFields(#"{"name": "a", "type": "array", "element": "int64", "length": 200000}"#),
                path: "$.shapes[0].fields[0].length", message: "from 0 to 131072, got 200000", schemaCatches: false),
        BadCase(label: "string without a length", text: withFields(#"{"name": "s", "type": "string"}"#),
                path: "$.shapes[0].fields[0]", message: "missing required key \"length\""),
        BadCase(label: "length on a scalar", text: withFields(#"{"name": "x", "type": "int64", "length": 4}"#),
                path: "$.shapes[0].fields[0].length", message: "only bytes, string and array fields have one"),
        BadCase(label: "array without an element", text: withFields(#"{"name": "a", "type": "array", "length": 4}"#),
                path: "$.shapes[0].fields[0]", message: "missing required key \"element\""),
        BadCase(label: "array of strings", text: withFields(#"{"name": "a", "type": "array", "element": "string", "length": 4}"#),
                path: "$.shapes[0].fields[0].element", message: "expected a scalar element type"),
        BadCase(label: "element on a string", text: withFields(#"{"name": "s", "type": "string", "element": "int64", "length": 4}"#),
                path: "$.shapes[0].fields[0].element", message: "only an array field has one"),
        BadCase(label: "weights that do not sum to 1", text: withFields(#"{"name": "s", "type": "string", "length": {"choice": [[8, 0.7], [120, 0.2]]}}"#),
                path: "$.shapes[0].fields[0].length.choice", message: "expected weights that sum to 1, got 0.8999", schemaCatches: false),
        BadCase(label: "a choice pair of three", text: withFields(#"{"name": "s", "type": "string", "length": {"choice": [[8, 0.5, 1]]}}"#),
                path: "$.shapes[0].fields[0].length.choice[0]", message: "expected a [length, weight] pair"),
        BadCase(label: "uniform upside down", text: withFields(#"{"name": "s", "type": "string", "length": {"uniform": [40, 8]}}"#),
                path: "$.shapes[0].fields[0].length.uniform[1]", message: "at least the lowest (40), got 8", schemaCatches: false),
        BadCase(label: "lognormal without max", text: withFields(#"{"name": "s", "type": "string", "length": {"lognormal": {"median": 20, "sigma": 0.6}}}"#),
                path: "$.shapes[0].fields[0].length.lognormal", message: "missing required key \"max\""),
        BadCase(label: "lognormal zero sigma", text: withFields(#"{"name": "s", "type": "string", "length": {"lognormal": {"median": 20, "sigma": 0, "max": 400}}}"#),
                path: "$.shapes[0].fields[0].length.lognormal.sigma", message: "above 0 and at most 4"),
        BadCase(label: "misspelt distribution", text: withFields(#"{"name": "s", "type": "string", "length": {"unifrom": [8, 40]}}"#),
                path: "$.shapes[0].fields[0].length.unifrom", message: "did you mean \"uniform\"?"),
        BadCase(label: "distribution on bytes", text: withFields(#"{"name": "b", "type": "bytes", "length": {"uniform": [8, 40]}}"#),
                path: "$.shapes[0].fields[0].length.uniform", message: "a bytes field is an inline buffer"),
        BadCase(label: "sweep with a zero step", text: withFields(#"{"name": "b", "type": "bytes", "length": {"from": 8, "to": 64, "step": 0}}"#),
                path: "$.shapes[0].fields[0].length.step", message: "expected a step of at least 1"),
        BadCase(label: "sweep without a step", text: withFields(#"{"name": "b", "type": "bytes", "length": {"from": 8, "to": 64}}"#),
                path: "$.shapes[0].fields[0].length", message: "missing required key \"step\""),
        BadCase(label: "sweep upside down", text: withFields(#"{"name": "b", "type": "bytes", "length": {"from": 64, "to": 8, "step": 8}}"#),
                path: "$.shapes[0].fields[0].length.to", message: "at least \"from\" (64), got 8", schemaCatches: false),
        BadCase(label: "sweep over the cap", text: withFields(#"{"name": "b", "type": "bytes", "length": {"from": 1, "to": 10000, "step": 1}}"#),
                path: "$.shapes[0].fields[0].length.step", message: "at most 4096 lengths, got 10000", schemaCatches: false),
        BadCase(label: "sweep of an array", text: withFields(#"{"name": "a", "type": "array", "element": "int64", "length": {"from": 1, "to": 8, "step": 1}}"#),
                path: "$.shapes[0].fields[0].length", message: "only bytes and string fields can be swept"),
        BadCase(label: "two swept fields", text: withFields(#"{"name": "a", "type": "string", "length": {"from": 1, "to": 8, "step": 1}}, {"name": "b", "type": "bytes", "length": {"from": 1, "to": 8, "step": 1}}"#),
                path: "$.shapes[0].fields[1].length", message: "at most one swept field per shape", schemaCatches: false),
    ]
}

@Suite("Field lengths, distributions and sweeps")
struct FieldLengthTests {
    func load(_ text: String) throws -> Experiment {
        try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "exp.json")
    }

    @Test func decodesEveryLengthForm() throws {
        let experiment = try load(ExperimentValidationTests.withFields(#"""
            {"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": 40},
            {"name": "name", "type": "string", "length": {"uniform": [8, 40]}},
            {"name": "bio", "type": "string", "length": {"lognormal": {"median": 20, "sigma": 0.6, "max": 400}}},
            {"name": "kind", "type": "string", "length": {"choice": [[8, 0.7], [120, 0.3]]}},
            {"name": "scores", "type": "array", "element": "int64", "length": 10}
            """#))
        let fields = try #require(experiment.shapes.first).fields
        #expect(fields.map(\.length) == [nil, .fixed(40), .uniform(lower: 8, upper: 40), .lognormal(median: 20, sigma: 0.6, max: 400),
                                         .choice([.init(length: 8, weight: 0.7), .init(length: 120, weight: 0.3)]), .fixed(10)])
        #expect(fields[5].element == .int64)
        #expect(experiment.shapes[0].fieldSummary
            == "id:int64;tag:bytes[40];name:string[uniform(8,40)];bio:string[lognormal(20.0,0.6,400)];kind:string[choice(8@0.7,120@0.3)];scores:array<int64>[10]")
        // Inline parts only: 8 + 40 bytes, then four 16-byte strings at 48, 64, 80 and an array reference at 96.
        #expect(experiment.shapes[0].payload.offsetsBytes == [0, 8, 48, 64, 80, 96])
        #expect(experiment.shapes[0].payload.sizeBytes == 104)
    }

    @Test func aSweepExpandsIntoOneShapePerLength() throws {
        let experiment = try load(ExperimentValidationTests.withFields(
            #"{"name": "id", "type": "int64"}, {"name": "tag", "type": "bytes", "length": {"from": 8, "to": 4096, "step": 8}}"#))
        #expect(experiment.shapes.count == 512)
        #expect(experiment.shapes.first?.name == "point-8")
        #expect(experiment.shapes.last?.name == "point-4096")
        #expect(experiment.shapes[1].sweep == ShapeSweep(family: "point", fieldIndex: 1, length: 16))
        #expect(experiment.shapes[1].fields[1].length == .fixed(16))
        #expect(experiment.shapes[1].payload.sizeBytes == 24)
    }

    @Test func aSweptShapeNameCollidesWithAnotherShape() {
        let text = ExperimentValidationTests.valid.replacing(
            #"{ "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] }"#,
            with: #"{ "name": "p", "fields": [ {"name": "s", "type": "string", "length": {"from": 8, "to": 16, "step": 8}} ] }, { "name": "p-16", "fields": [ {"name": "x", "type": "int64"} ] }"#)
        #expect {
            try load(text)
        } throws: { error in
            "\(error)".contains("$.shapes[1].name") && "\(error)".contains("duplicate shape \"p-16\"")
        }
    }

    /// Uniform draws cover both ends and nothing outside; choice draws match their weights; log-normal draws
    /// have about the median asked for and never exceed the cap; every draw repeats for the same seed.
    @Test func drawsFollowTheirDistribution() {
        let nodes = 100_000
        let uniform = (0..<nodes).map { NodeDraw.length(.uniform(lower: 8, upper: 40), seed: 7, fieldIndex: 2, node: $0) }
        #expect(uniform.min() == 8 && uniform.max() == 40)
        #expect(abs(Double(uniform.reduce(0, +)) / Double(nodes) - 24) < 0.2)
        let choice = FieldLength.choice([.init(length: 8, weight: 0.7), .init(length: 120, weight: 0.3)])
        let picks = (0..<nodes).map { NodeDraw.length(choice, seed: 7, fieldIndex: 0, node: $0) }
        #expect(Set(picks) == [8, 120])
        #expect(abs(Double(picks.filter { $0 == 8 }.count) / Double(nodes) - 0.7) < 0.01)
        let lognormal = (0..<nodes).map { NodeDraw.length(.lognormal(median: 20, sigma: 0.6, max: 400), seed: 7, fieldIndex: 1, node: $0) }.sorted()
        #expect(abs(lognormal[nodes / 2] - 20) <= 1)
        #expect(lognormal.last! <= 400)
        #expect(NodeDraw.length(.uniform(lower: 8, upper: 40), seed: 7, fieldIndex: 2, node: 12345) == uniform[12345])
        let otherSeed = (0..<1000).map { NodeDraw.length(.uniform(lower: 8, upper: 40), seed: 8, fieldIndex: 2, node: $0) }
        #expect(otherSeed != Array(uniform[0..<1000]))
    }
}
