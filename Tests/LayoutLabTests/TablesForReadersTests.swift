import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabTables
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabReports
@testable import LayoutLabCalibration

/// What a reader of the lab's files and tables gets (issue 19, defects 4, 6 and 7): every column with its unit,
/// flags written as `true`/`false`, empty cells where a phase cannot apply, a checksum that survives pandas, a
/// fragmentation ratio that reads as waste, and no Swift payload figures for Python objects.
@Suite("Tables for readers")
struct TablesForReadersTests {
    static let point = Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])

    /// A finished trial with an allocate phase (RSS 10 MiB → 10 MiB + 40 B/node) and `later` phases, each
    /// ending at `endRSS` with `live` nodes.
    static func result(
        layout: LayoutKind, nodes: Int = 1000, later: [(spec: PhaseSpec, applicable: Bool, checksum: Int, live: Int, endRSS: Int)]
    ) -> TrialResult {
        let trial = Trial(experiment: "e", shapeIndex: 0, shape: point, layout: layout, nodes: nodes, allocator: .system, repetition: 1)
        let baseline = 10 << 20
        var samples = [
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: baseline)),
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: nodes, elapsedNs: 50_000, rssBytes: baseline + 40 * nodes)),
        ]
        var outcomes = [PhaseOutcome(index: 0, spec: PhaseSpec(.allocate), checksum: 0, liveNodes: nodes, applicable: true)]
        for (offset, phase) in later.enumerated() {
            let index = offset + 1
            samples.append(PhaseSample(phaseIndex: index, sample: MemorySample(nodesAlive: phase.live, elapsedNs: 0, rssBytes: baseline + 40 * nodes)))
            samples.append(PhaseSample(phaseIndex: index, sample: MemorySample(nodesAlive: phase.live, elapsedNs: 7_000, rssBytes: phase.endRSS)))
            outcomes.append(PhaseOutcome(index: index, spec: phase.spec, checksum: phase.checksum, liveNodes: phase.live, applicable: phase.applicable))
        }
        let probe = AllocationProbe(
            probeNodes: 100, containerAllocations: 1, containerRequestedBytes: 800, containerUsableBytes: 800,
            nodeAllocations: 100, nodeRequestedBytes: 3200, nodeUsableBytes: 3200)
        return TrialResult(trial: trial, status: .ok, phaseSamples: samples, outcomes: outcomes, probe: probe)
    }

    static func phases(_ result: TrialResult, seed: UInt64) -> [[String?]] {
        PhasesTable.rows(result, metrics: TrialMetrics(result: result), seed: seed)
    }

    static func named(_ row: [String?]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(PhasesTable.header, row.map { $0 ?? "" }))
    }

    /// Runs a few lines of Python on `cells` (passed as argv) and returns what it printed.
    static func python(_ code: String, _ cells: [String]) throws -> String {
        let result = try TestSupport.runTool("/usr/bin/env", ["python3", "-c", code] + cells)
        try #require(result.status == 0, "python3: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Defect 7: a checksum above 2⁵³ is written so that no CSV reader makes it a float, and it reads back exactly.
    @Test func aChecksumAbove2To53SurvivesPandasAndReadsBackExactly() throws {
        let checksum = (1 << 53) + 1  // 9007199254740993: the first integer a double cannot hold
        let row = Self.named(Self.phases(Self.result(layout: .finalClass, later: [
            (PhaseSpec(.traverse), true, checksum, 1000, (10 << 20) + 40_000),
        ]), seed: 1)[1])
        let cell = try #require(row["checksum"])
        // pandas infers a column's type by trying int, then float: a cell float() refuses stays text.
        let parsed = try Self.python("""
            import sys
            cell = sys.argv[1]
            try:
                float(cell); print("float")
            except ValueError:
                print(int(cell, 16))
            """, [cell])
        #expect(parsed == String(checksum), "the checksum cell \(cell) reads as \(parsed)")
        #expect(cell.count == 18 && cell.hasPrefix("0x"), "fixed width: 0x and 16 hex digits, got \(cell)")
        #expect(PhasesTable.checksumCell(-1) == "0xffffffffffffffff", "a wrapped sum is its 64 bits")
    }

    /// Defects 6 and 7: a phase that cannot apply says `false` and processes nothing (empty cells, not N).
    @Test func aPhaseThatCannotApplyIsFalseWithEmptyCells() throws {
        let rows = Self.phases(Self.result(layout: .structArray, nodes: 500_000, later: [
            (PhaseSpec(.freeHalf), false, 0, 500_000, (10 << 20) + 40 * 500_000),
            (PhaseSpec(.traverse), true, 7, 500_000, (10 << 20) + 40 * 500_000),
        ]), seed: 1).map(Self.named)
        #expect(rows[1]["applicable"] == "false" && rows[2]["applicable"] == "true", "\(rows.map { $0["applicable"] ?? "" })")
        #expect(rows[1]["nodes_processed"] == "" && rows[1]["ns_per_node"] == "", "not applicable: \(rows[1])")
        #expect(rows[2]["nodes_processed"] == "500000")
    }

    /// Friction: right after allocate nothing is wasted, so the ratio is 1; freeing half with nothing given back is 2.
    @Test func fragmentationReadsAsWaste() throws {
        let nodes = 1000
        let rows = Self.phases(Self.result(layout: .finalClass, nodes: nodes, later: [
            (PhaseSpec(.freeHalf), true, 0, nodes / 2, (10 << 20) + 40 * nodes),
            (PhaseSpec(.reallocate), true, 0, nodes, (10 << 20) + 40 * nodes),
        ]), seed: 1).map(Self.named)
        #expect(rows.map { $0["fragmentation_ratio"] ?? "" } == ["1.000", "2.000", "1.000"])
    }

    /// Defect 7: `sampling_share` is `sampling_fraction` (0…1), and a folder written before reads under the new name.
    @Test func theSamplingColumnSaysWhatItHolds() throws {
        #expect(TrialsTable.header.contains("sampling_fraction") && !TrialsTable.header.contains("sampling_share"))
        let folder = try ChartReportTests.fixtureCopy()
        let trials = folder.appendingPathComponent("trials.csv")
        let text = try String(contentsOf: trials, encoding: .utf8).replacing("sampling_fraction", with: "sampling_share")
        try text.write(to: trials, atomically: true, encoding: .utf8)
        let records = try ResultsFolder.open(folder).run.records
        #expect(!records.isEmpty && records.allSatisfy { $0.metrics.samplingFraction != nil }, "an old folder keeps its figures")
    }

    /// Defect 4: the terminal's phase table gives every column its unit, the kept-RSS columns included.
    @Test func everyColumnOfThePhaseTableHasItsUnit() throws {
        let run = try ResultsFolder.open(try ChartReportTests.fixtureCopy()).run
        let lines = PhaseSummaryTable.render(run).split(separator: "\n").map(String.init)
        let headerIndex = try #require(lines.firstIndex { $0.hasPrefix("layout ") })
        let header = lines[headerIndex], units = lines[headerIndex + 1].split(separator: " ").map(String.init)
        #expect(header.contains("kept after free-all") && header.contains("kept after purge"), "\(header)")
        let phases = run.experiment.phases.count
        #expect(units == Array(repeating: "ns/node", count: phases) + ["ratio", "MiB", "MiB"], "units row: \(units)")
    }

    /// Defect 6: a Python-only run prints no Swift payload size or stride; a mixed run says whose they are.
    @Test func pythonObjectsGetNoSwiftPayloadFigures() throws {
        var run = try ResultsFolder.open(try ChartReportTests.fixtureCopy()).run
        #expect(PerNodeTable.render(run).contains("payload 16 B, stride 16 B"))
        run.experiment.layouts = [.pythonSlotsClass, .pythonTuple]
        #expect(!PerNodeTable.render(run).contains("payload"), "\(PerNodeTable.render(run))")
        run.experiment.layouts = [.pythonSlotsClass, .finalClass]
        #expect(PerNodeTable.render(run).contains("Swift payload 16 B, stride 16 B"))
    }

    /// Defect 6: the README and the validator agree that `phases` lists `allocate` first, and the refusal says how.
    @Test func theReadmeAndTheValidatorAgreeOnPhases() throws {
        let readme = try String(contentsOf: try #require(EnvironmentProbe.packageRoot()).appendingPathComponent("README.md"), encoding: .utf8)
        let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `phases` |") })
        #expect(row.contains("`\"allocate\"` first") && !row.contains("after `allocate`"), "README: \(row)")
        let directory = try TestSupport.temporaryDirectory("phases-first")
        let file = directory.appendingPathComponent("e.json")
        try """
            { "name": "e", "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] } ], "nodes": [10],
              "phases": ["traverse", "free-all"] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try TestSupport.run("layoutlab", ["validate", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("$.phases[0]") && result.stderr.contains("write [\"allocate\", \"traverse\", ...]"), "\(result.stderr)")
    }

    /// Friction: the report's phases are the per-phase medians with units and the charts' names, and a resumed
    /// run says so.
    @Test func theReportShowsPhaseMediansAndResumes() throws {
        let folder = try ChartReportTests.fixtureCopy()
        let environment = folder.appendingPathComponent(ResultsFolder.environmentFile)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: environment)) as? [String: Any])
        json["resumed_utc"] = ["2026-11-25T10:00:00Z"]
        try JSONSerialization.data(withJSONObject: json).write(to: environment)
        let report = ReportWriter.render(try ResultsFolder.open(folder), charts: [])
        let phases = try #require(report.range(of: "## Phases").map { String(report[$0.lowerBound...]) })
        #expect(phases.contains("traverse-rnd (ns/node)") && phases.contains("kept after purge (MiB)"), "\(phases)")
        #expect(!phases.contains("point.dict-class.20000.system.r1"), "one row per layout, not per trial")
        #expect(report.contains("stopped and resumed with `--resume` at 2026-11-25T10:00:00Z"), "the report says the run was resumed")
    }
}
