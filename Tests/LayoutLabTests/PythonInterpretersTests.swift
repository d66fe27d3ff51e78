import Foundation
import Testing

@testable import LayoutLabAnalysis
@testable import LayoutLabExperiments
@testable import LayoutLabModel
@testable import LayoutLabRunner

/// `"python"` as a list of interpreters (issue 18): validation of the list, the interpreter as a trial
/// dimension of Python layouts, and compare never pairing trials of different interpreters.
@Suite("Python interpreters as builds")
struct PythonInterpretersTests {
    static func file(python: String, layouts: String = #"["python-tuple", "python-dataclass-slots", "class"]"#) -> String {
        """
        { "name": "versions", "layouts": \(layouts),
          "shapes": [ { "name": "s", "fields": [ {"name": "x", "type": "bool"} ] } ],
          "nodes": [10], "repetitions": 2, "python": \(python) }
        """
    }

    func problems(_ text: String) -> [ExperimentProblem] {
        do {
            _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: "v.json")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("bad entries, an unknown version and duplicates are refused with their JSON path")
    func badEntries() {
        let found = problems(Self.file(python: #"["3.12", 3, "3.99", "", "/nonexistent/python3", "/root/.pyenv/versions/3.12.1/bin/python3"]"#))
        let byPath = Dictionary(found.map { ($0.jsonPath, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["$.python[1]"]?.contains("got 3") == true)
        #expect(byPath["$.python[2]"]?.contains("3.99") == true)
        #expect(byPath["$.python[2]"]?.contains("3.12.1") == true, "the versions installed are listed")
        #expect(byPath["$.python[3]"]?.contains("empty") == true)
        #expect(byPath["$.python[4]"]?.contains("does not run") == true)
        #expect(byPath["$.python[5]"]?.contains("again (first at $.python[0])") == true)
        #expect(problems(Self.file(python: "[]")).map(\.jsonPath) == ["$.python"])
        #expect(problems(Self.file(python: #"["3.8"]"#)).map(\.jsonPath) == ["$.layouts[1]"], "no listed interpreter builds dataclass slots")
    }

    @Test("the interpreter multiplies Python layouts only; ids get .pyV only with several; a layout 3.8 cannot build is skipped on 3.8")
    func trialDimension() throws {
        let experiment = try ExperimentLoader.checkingThisHost.load(data: Data(Self.file(python: #"["3.8", "3.12"]"#).utf8), path: "v.json")
        #expect(experiment.pythons.map { "\($0.major).\($0.minor)" } == ["3.8", "3.12"])
        let ids = TrialPlan.trials(for: experiment).filter { $0.repetition == 1 }.map(\.id).sorted()
        #expect(ids == [
            "s.class.10.system.r1", "s.python-dataclass-slots.10.system.py3.12.r1",
            "s.python-tuple.10.system.py3.12.r1", "s.python-tuple.10.system.py3.8.r1",
        ])
        #expect(PythonVersionTable.skippedNote(experiment)?.contains("python-dataclass-slots skipped on Python 3.8") == true)
        let single = try ExperimentLoader.checkingThisHost.load(data: Data(Self.file(python: #""3.12""#).utf8), path: "v.json")
        #expect(TrialPlan.trials(for: single).map(\.id).contains("s.python-tuple.10.system.r1"))
    }

    @Test("compare never pairs trials of different interpreters, within one folder or between two")
    func comparePairsOneInterpreter() {
        let header = ["trial_id", "status", "shape", "layout", "nodes", "allocator", "repetition", "python_version", "rss_bytes_per_node"]
        func row(_ allocator: String, _ version: String, _ repetition: Int, _ rss: Double) -> [String] {
            ["s.python-tuple.10.\(allocator).py\(version).r\(repetition)", "ok", "s", "python-tuple", "10", allocator, String(repetition), version, String(rss)]
        }
        let rows = [1, 2, 3].flatMap { r in
            [row("system", "3.8.18", r, 80), row("system", "3.12.1", r, 90), row("jemalloc", "3.12.1", r, 95 + Double(r))]
        }
        let table = TrialTable(directory: URL(fileURLWithPath: "/tmp"), header: header, trialRows: rows, phases: ([], []))
        let within = Comparison.pairs(table, nil, metrics: ["rss_bytes_per_node"], baseline: "system")
        #expect(within.count == 1)
        #expect(within.first?.python == "3.12.1")
        #expect(within.first?.valuesA == [90, 90, 90], "jemalloc 3.12 against system 3.12 only, never system 3.8")
        #expect(within.first?.rowName.contains("python-tuple 3.12.1") == true)
        let other = TrialTable(
            directory: URL(fileURLWithPath: "/tmp"), header: header, trialRows: [1, 2].map { row("system", "3.13.0", $0, 70) }, phases: ([], []))
        #expect(Comparison.pairs(table, other, metrics: ["rss_bytes_per_node"], baseline: nil).isEmpty)
    }
}
