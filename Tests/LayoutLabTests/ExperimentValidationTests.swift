import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabExperiments
@testable import LayoutLabResults

@Suite("Experiment files: decoding and validation")
struct ExperimentValidationTests {
    static let valid = """
        { "name": "point", "description": "d",
          "layouts": ["dict-class", "class", "final-class", "struct-array", "columns"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [1000, 2000], "allocators": ["system"], "repetitions": 3, "checkpoints": 10,
          "sampling": {"smaps_rollup": "every"}, "probe_nodes": 100 }
        """

    func load(_ text: String, path: String = "exp.json") throws(ExperimentValidationError) -> Experiment {
        try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: path)
    }

    func problems(_ text: String) -> [ExperimentProblem] {
        do {
            _ = try load(text)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func decodesEveryKey() throws {
        let experiment = try load(Self.valid)
        #expect(experiment.name == "point")
        #expect(experiment.layouts == LayoutKind.swiftLayouts)
        #expect(experiment.shapes == [Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])])
        #expect(experiment.nodes == [1000, 2000])
        #expect(experiment.allocators == [.system])
        #expect(experiment.repetitions == 3)
        #expect(experiment.checkpoints == 10)
        #expect(experiment.smaps == .every)
        #expect(experiment.probeNodes == 100)
    }

    @Test func defaults() throws {
        let experiment = try load(#"{"name": "n", "shapes": [{"name": "s", "fields": [{"name": "a", "type": "bool"}]}], "nodes": [5]}"#)
        #expect(experiment.layouts == LayoutKind.swiftLayouts)
        #expect(experiment.allocators == [.system])
        #expect(experiment.repetitions == 1)
        #expect(experiment.checkpoints == 100)
        #expect(experiment.smaps == .boundaries)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var path: String
        var message: String
        /// Whether JSON Schema can express the rule (it cannot see files or names inside objects).
        var schemaCatches = true
        var testDescription: String { label }
    }

    /// Replaces `"key": value` of the valid file with another text.
    static func variant(_ key: String, _ replacement: String) -> String {
        let pattern = try! Regex("\"\(key)\": (\\[[^\\]]*\\]|\\{[^}]*\\}|\"[^\"]*\"|[0-9.e-]+)")
        return valid.replacing(pattern, with: replacement, maxReplacements: 1)
    }

    static let badCases: [BadCase] = coreBadCases + fieldBadCases + processBadCases + traceBadCases + programBadCases

    static let coreBadCases: [BadCase] = [
        BadCase(label: "not JSON", text: "{ name: ", path: "$", message: "expected JSON"),
        BadCase(label: "top level not an object", text: "[1, 2]", path: "$", message: "expected an object, got a list"),
        BadCase(label: "misspelt key", text: variant("nodes", "\"nodez\": [1]"), path: "$.nodez", message: "did you mean \"nodes\"?"),
        BadCase(label: "missing key", text: valid.replacing("\"nodes\": [1000, 2000], ", with: ""), path: "$", message: "missing required key \"nodes\""),
        BadCase(label: "wrong type", text: variant("repetitions", "\"repetitions\": \"three\""), path: "$.repetitions", message: "expected a repetition count"),
        BadCase(label: "empty list", text: variant("nodes", "\"nodes\": []"), path: "$.nodes", message: "non-empty list"),
        BadCase(label: "trailing comma", text: variant("nodes", "\"nodes\": [1000, 2000,]"), path: "$.nodes", message: "no trailing commas"),
        BadCase(label: "zero nodes", text: variant("nodes", "\"nodes\": [0]"), path: "$.nodes[0]", message: "from 1 to"),
        BadCase(label: "negative nodes", text: variant("nodes", "\"nodes\": [10, -5]"), path: "$.nodes[1]", message: "got -5"),
        BadCase(label: "fractional nodes", text: variant("nodes", "\"nodes\": [1.5]"), path: "$.nodes[0]", message: "an integer"),
        BadCase(label: "too many nodes", text: variant("nodes", "\"nodes\": [2000000000000]"), path: "$.nodes[0]", message: "got 2000000000000"),
        BadCase(label: "zero repetitions", text: variant("repetitions", "\"repetitions\": 0"), path: "$.repetitions", message: "got 0"),
        BadCase(label: "unknown layout", text: variant("layouts", "\"layouts\": [\"final-clas\"]"), path: "$.layouts[0]", message: "did you mean \"final-class\"?"),
        BadCase(label: "unknown allocator", text: variant("allocators", "\"allocators\": [\"jemaloc\"]"), path: "$.allocators[0]", message: "did you mean \"jemalloc\"?"),
        BadCase(label: "custom allocator with neither library nor env", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\"}]"), path: "$.allocators[0]", message: "got neither"),
        BadCase(label: "no library and an empty env", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\", \"env\": {}}]"), path: "$.allocators[0].env", message: "at least one variable", schemaCatches: false),
        BadCase(label: "no library but LD_PRELOAD", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\", \"env\": {\"LD_PRELOAD\": \"/x.so\"}}]"), path: "$.allocators[0].env.LD_PRELOAD", message: "in \"library\"", schemaCatches: false),
        BadCase(label: "no library but jemalloc statistics", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\", \"env\": {\"A\": \"1\"}, \"statistics\": \"jemalloc\"}]"), path: "$.allocators[0].statistics", message: "mallinfo2 or none", schemaCatches: false),
        BadCase(label: "missing library", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\", \"library\": \"/nonexistent/libx.so\"}]"), path: "$.allocators[0].library", message: "no such file", schemaCatches: false),
        BadCase(label: "library not a shared object", text: variant("allocators", "\"allocators\": [{\"name\": \"mine\", \"library\": \"/etc/hostname\"}]"), path: "$.allocators[0].library", message: "not an ELF shared object", schemaCatches: false),
        BadCase(label: "duplicate allocator", text: variant("allocators", "\"allocators\": [\"system\", \"system\"]"), path: "$.allocators[1]", message: "duplicate allocator"),
        BadCase(label: "unknown smaps policy", text: variant("sampling", "\"sampling\": {\"smaps_rollup\": \"always\"}"), path: "$.sampling.smaps_rollup", message: "expected one of boundaries, every, off"),
        BadCase(label: "checkpoints out of range", text: variant("checkpoints", "\"checkpoints\": 0"), path: "$.checkpoints", message: "got 0"),
        BadCase(label: "unknown phase", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", \"travers\"]"), path: "$.phases[1]", message: "did you mean \"traverse\"?"),
        BadCase(label: "allocate not first", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"traverse\"]"), path: "$.phases[0]", message: "expected \"allocate\" first"),
        BadCase(label: "bad phase order", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", {\"phase\": \"traverse\", \"order\": \"backwards\"}]"), path: "$.phases[1].order", message: "expected one of sequential, random"),
        BadCase(label: "churn fraction out of range", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", {\"phase\": \"churn\", \"fraction\": 1.5}]"), path: "$.phases[1].fraction", message: "at most 1"),
        BadCase(label: "work after free-all", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", \"free-all\", \"traverse\"]"), path: "$.phases[2]", message: "only \"purge\", \"idle\" or \"allocate-warm\" after \"free-all\"", schemaCatches: false),
        BadCase(label: "warm allocation with nodes alive", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", \"traverse\", \"allocate-warm\"]"), path: "$.phases[2]", message: "\"allocate-warm\" only after \"free-all\"", schemaCatches: false),
        BadCase(label: "work after a second free-all", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"phases\": [\"allocate\", \"free-all\", \"allocate-warm\", \"free-all\", \"purge\", \"mutate\"]"), path: "$.phases[5]", message: "only \"purge\", \"idle\" or \"allocate-warm\" after \"free-all\" (at $.phases[3])", schemaCatches: false),
        BadCase(label: "unknown exclusivity", text: variant("name", "\"name\": \"exp\", \"exclusivity\": \"unchekced\""), path: "$.exclusivity", message: "did you mean \"unchecked\"?"),
        BadCase(label: "unknown instruction counter", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"instructions\": \"valgrin\""), path: "$.instructions", message: "expected one of hardware, valgrind, off, got \"valgrin\" (did you mean \"valgrind\"?)"),
        BadCase(label: "misspelt rerun key", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"rerun_disturbd\": 2"), path: "$.rerun_disturbd", message: "did you mean \"rerun_disturbed\"?"),
        BadCase(label: "negative reruns", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"rerun_disturbed\": -1"), path: "$.rerun_disturbed", message: "from 0 to 10, got -1"),
        BadCase(label: "too many reruns", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"rerun_disturbed\": 11"), path: "$.rerun_disturbed", message: "from 0 to 10, got 11"),
        BadCase(label: "reruns as a flag", text: valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"rerun_disturbed\": true"), path: "$.rerun_disturbed", message: "expected a number of reruns of a disturbed trial (an integer from 0 to 10)"),
        BadCase(label: "bad experiment name", text: variant("name", "\"name\": \"a/b\""), path: "$.name", message: "expected a name of letters"),
        BadCase(label: "misspelt precision metric", text: precision(#""metric": "allocate_ns_per_nod", "relative_half_width": 0.02"#), path: "$.precision.metric", message: "did you mean \"allocate_ns_per_node\"?"),
        BadCase(label: "precision metric that is not a measurement", text: precision(#""metric": "host", "relative_half_width": 0.02"#), path: "$.precision.metric", message: "expected a positive cost metric, a *_per_node column of trials.csv"),
        BadCase(label: "precision metric that can be 0 or negative", text: precision(#""metric": "allocate_steal_ns", "relative_half_width": 0.02"#), path: "$.precision.metric", message: "got \"allocate_steal_ns\" (a column of trials.csv, but not a per-node cost"),
        BadCase(label: "precision metric of a per-node column misspelt", text: precision(#""metric": "allocate_cpu_ns_per_nodes", "relative_half_width": 0.02"#), path: "$.precision.metric", message: "did you mean \"allocate_cpu_ns_per_node\"?"),
        BadCase(label: "precision without a metric", text: precision(#""relative_half_width": 0.02"#), path: "$.precision", message: "missing required key \"metric\""),
        BadCase(label: "misspelt precision key", text: precision(#""metric": "rss_bytes_per_node", "relative_half_width": 0.02, "max_repetition": 5"#), path: "$.precision.max_repetition", message: "did you mean \"max_repetitions\"?"),
        BadCase(label: "zero half-width", text: precision(#""metric": "rss_bytes_per_node", "relative_half_width": 0"#), path: "$.precision.relative_half_width", message: "above 0 and at most 1"),
        BadCase(label: "half-width as text", text: precision(#""metric": "rss_bytes_per_node", "relative_half_width": "2%""#), path: "$.precision.relative_half_width", message: "got \"2%\""),
        BadCase(label: "cap of one repetition", text: precision(#""metric": "rss_bytes_per_node", "relative_half_width": 0.02, "max_repetitions": 1"#), path: "$.precision.max_repetitions", message: "from 2 to 1000, got 1"),
        BadCase(label: "cap below the planned repetitions", text: precision(#""metric": "rss_bytes_per_node", "relative_half_width": 0.02, "max_repetitions": 2"#), path: "$.precision.max_repetitions", message: "at least the planned repetitions (3)", schemaCatches: false),
    ]

    /// The valid file with a `precision` object of these members.
    static func precision(_ members: String) -> String {
        valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"precision\": {\(members)}")
    }

    @Test func rerunDisturbedDecodesWithItsDefault() throws {
        #expect(try load(Self.valid).rerunDisturbed == 0)
        let text = Self.valid.replacing("\"probe_nodes\": 100", with: "\"probe_nodes\": 100, \"rerun_disturbed\": 3")
        #expect(try load(text).rerunDisturbed == 3)
    }

    @Test func precisionTargetDecodesWithItsDefaultCap() throws {
        let experiment = try load(Self.precision(#""metric": "allocate_ns_per_node", "relative_half_width": 0.02"#))
        #expect(experiment.precision == PrecisionTarget(metric: "allocate_ns_per_node", relativeHalfWidth: 0.02, maxRepetitions: 30))
        let capped = try load(Self.precision(#""metric": "rss_bytes_per_node", "relative_half_width": 1, "max_repetitions": 3"#))
        #expect(capped.precision == PrecisionTarget(metric: "rss_bytes_per_node", relativeHalfWidth: 1, maxRepetitions: 3))
        #expect(try load(Self.valid).precision == nil)
    }

    @Test(arguments: badCases)
    func badInputNamesItsPath(_ bad: BadCase) {
        let found = problems(bad.text)
        #expect(!found.isEmpty, "\(bad.label) was accepted")
        #expect(found.contains { $0.jsonPath == bad.path && $0.message.contains(bad.message) }, "\(found)")
        #expect(found.allSatisfy { $0.file == "exp.json" })
    }

    @Test func fieldProblems() {
        let text = Self.valid.replacing(
            #"{"name": "y", "type": "int64"}"#, with: #"{"name": "y", "type": "int63"}, {"name": "2bad", "type": "bool"}, {"name": "x", "type": "bool"}, {"name": "z", "typ": "bool"}"#)
        let found = problems(text)
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[1].type" && $0.message.contains("did you mean \"int64\"?") })
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[2].name" && $0.message.contains("an identifier") })
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[3].name" && $0.message.contains("duplicate field \"x\"") })
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[4].typ" && $0.message.contains("did you mean \"type\"?") })
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[4]" && $0.message.contains("missing required key \"type\"") })
    }

    @Test func everyProblemAtOnce() {
        let text = #"{"name": "n", "shapes": [], "nodes": [0], "repetitions": -1, "layouts": ["x"]}"#
        let paths = Set(problems(text).map(\.jsonPath))
        #expect(paths.isSuperset(of: ["$.shapes", "$.nodes[0]", "$.repetitions", "$.layouts[0]"]))
    }

    /// A JSON parser keeps one of two equal keys; the lab names both lines instead. Equal keys in different
    /// objects, values that look like keys, and escapes that spell the same key are each handled.
    @Test func duplicateKeysAreRefusedWithBothLines() {
        let text = """
            { "name": "dup",
              "shapes": [ { "name": "nodes", "fields": [ {"name": "x", "type": "int64", "type": "int8"},
                                                         {"name": "y", "type": "int64"} ] } ],
              "nodes": [1000],
              "n\\u006fdes": [2000] }
            """
        let found = problems(text)
        #expect(found.map(\.jsonPath) == ["$.shapes[0].fields[0].type", "$.nodes"], "\(found)")
        #expect(found.first?.message.contains("\"type\" again on line 2 (first on line 2)") == true)
        #expect(found.last?.message.contains("\"nodes\" again on line 5 (first on line 4)") == true)
        #expect(problems(Self.valid).isEmpty, "the same key in sibling objects is not a duplicate")
        // A trailing comma in an object is named by the object's own path; a comma inside a string is text.
        let commas = problems(Self.valid.replacing("\"probe_nodes\": 100 }", with: "\"probe_nodes\": 100, }")
            .replacing("\"description\": \"d\"", with: "\"description\": \"a, ]\""))
        #expect(commas.map(\.jsonPath) == ["$"], "\(commas)")
    }

    @Test func notUTF8() {
        let found: [ExperimentProblem]
        do {
            _ = try ExperimentLoader.checkingThisHost.load(data: Data([0x7B, 0xFF, 0xFE, 0x7D]), path: "bad.json")
            found = []
        } catch {
            found = error.problems
        }
        #expect(found.first?.message.contains("UTF-8") == true)
    }

    @Test func hugeFileIsRefusedBeforeParsing() {
        let huge = Data(repeating: UInt8(ascii: " "), count: ExperimentLoader.maximumFileBytes + 1)
        #expect(throws: ExperimentValidationError.self) { try ExperimentLoader.checkingThisHost.load(data: huge, path: "huge.json") }
    }

    @Test func deeplyNestedJSONFailsCleanly() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: ExperimentValidationError.self) { try self.load(deep) }
    }

    @Test func twoFilesWithOneName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("layoutlab-names-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let a = directory.appendingPathComponent("a.json"), b = directory.appendingPathComponent("b.json")
        try Self.valid.write(to: a, atomically: true, encoding: .utf8)
        try Self.valid.write(to: b, atomically: true, encoding: .utf8)
        do {
            _ = try ExperimentLoader.checkingThisHost.load(paths: [a.path, b.path])
            Issue.record("two files named point were accepted")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].file == b.path)
            #expect(error.problems[0].message.contains(a.path))
        }
    }

    @Test func shippedExperimentsAreValid() throws {
        let root = try #require(EnvironmentProbe.packageRoot())
        let folder = root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") && $0 != "schema.json" }
        #expect(!files.isEmpty)
        for file in files {
            let path = folder.appendingPathComponent(file).path
            do {
                _ = try ExperimentLoader.checkingThisHost.load(paths: [path])
            } catch {
                // A trace experiment's trace is recorded on the machine (`make run` does it; not kept in git): until
                // it is, the only problem may be that its trace file cannot be read.
                let unrecorded = error.problems.allSatisfy { $0.jsonPath.hasPrefix("$.traces[") && $0.message.contains("cannot read trace file") }
                #expect(unrecorded, "\(file): \(error.problems)")
            }
        }
    }

    @Test func pythonFieldNamesMustBeAttributes() {
        let text = #"{"name": "py", "layouts": ["python-namedtuple"], "shapes": [{"name": "s", "fields": [{"name": "class", "type": "int64"}, {"name": "_x", "type": "int64"}]}], "nodes": [10]}"#
        let found = problems(text)
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[0].name" && $0.message.contains("Python keyword") })
        #expect(found.contains { $0.jsonPath == "$.shapes[0].fields[1].name" && $0.message.contains("underscore") })
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "nmae", among: ["name", "nodes", "shapes", "layouts"]) == "name", "a swapped pair is one edit")
        #expect(Suggestion.closest(to: "jemaloc", among: ["system", "jemalloc"]) == "jemalloc")
        #expect(Suggestion.closest(to: "zzzzzz", among: ["system", "jemalloc"]) == nil)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    }
}
