import Foundation
import Testing

@testable import LayoutLabExperiments
@testable import LayoutLabResults

/// `experiments/schema.json` and the lab's own validation agree: shipped files pass both, bad inputs fail
/// both (where a schema can express the rule). The schema is checked with Python's `jsonschema`.
@Suite("JSON Schema of experiment files")
struct SchemaTests {
    static let checker = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            try:
                document = json.load(open(path, encoding="utf-8"))
                errors = list(validator.iter_errors(document))
            except ValueError:
                errors = ["not JSON"]
            print(("fail " if errors else "pass ") + path)
        """

    /// "pass" or "fail" for each file, by the schema.
    static func schemaVerdicts(_ files: [URL]) throws -> [String: String] {
        let root = try #require(EnvironmentProbe.packageRoot())
        let result = try TestSupport.runTool(
            "/usr/bin/env", ["python3", "-c", checker, root.appendingPathComponent("experiments/schema.json").path] + files.map(\.path))
        try #require(result.status == 0, "python3 with jsonschema is needed (make test installs it): \(result.stderr)")
        let text = result.stdout
        var verdicts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { verdicts[parts[1]] = parts[0] }
        }
        return verdicts
    }

    @Test func shippedExperimentsPassBoth() throws {
        let folder = try #require(EnvironmentProbe.packageRoot()).appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") && $0 != "schema.json" }.map { folder.appendingPathComponent($0) }
        let verdicts = try Self.schemaVerdicts(files)
        for file in files {
            #expect(verdicts[file.path] == "pass", "\(file.lastPathComponent) fails the schema")
            let problems = Self.validationProblems(file)
            // A trace experiment's trace is recorded on the machine (not kept in git): until it is, the only problem
            // may be that its file cannot be read.
            let unrecorded = problems.allSatisfy { $0.jsonPath.hasPrefix("$.traces[") && $0.message.contains("cannot read trace file") }
            #expect(unrecorded, "\(file.lastPathComponent): \(problems)")
        }
    }

    /// What the lab's validation finds wrong with `file` on this host (nothing: an empty list).
    static func validationProblems(_ file: URL) -> [ExperimentProblem] {
        do {
            _ = try ExperimentLoader.checkingThisHost.load(path: file.path)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func badInputsFailBoth() throws {
        let directory = try TestSupport.temporaryDirectory("schema")
        var files: [URL] = []
        for (index, bad) in ExperimentValidationTests.badCases.enumerated() where bad.schemaCatches {
            let file = directory.appendingPathComponent("bad\(index).json")
            try bad.text.write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
            #expect(throws: ExperimentValidationError.self, "\(bad.label)") { try ExperimentLoader.checkingThisHost.load(path: file.path) }
        }
        let verdicts = try Self.schemaVerdicts(files)
        for (file, bad) in zip(files, ExperimentValidationTests.badCases.filter(\.schemaCatches)) {
            #expect(verdicts[file.path] == "fail", "the schema accepts: \(bad.label)")
        }
    }
}
