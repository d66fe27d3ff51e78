import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabTables
@testable import LayoutLabExperiments
@testable import LayoutLabAnalysis

/// Trial ids are built in one place (`TrialID`) and matched by their parts, never by a piece of their text.
@Suite("Trial ids")
struct TrialIDTests {
    @Test func idTextIsTheOneInEveryTable() {
        let trial = Trial(
            experiment: "e", shapeIndex: 0, shape: Shape(name: "point", fields: [Field(name: "x", type: .int64)]),
            layout: .finalClass, nodes: 1000, allocator: .jemalloc, repetition: 2)
        #expect(trial.id == "point.final-class.1000.jemalloc.r2")
        #expect(trial.configuration == "point.final-class.1000.jemalloc")
        #expect(trial.identity.configuration == TrialID.Configuration(shape: "point", layout: .finalClass, nodes: 1000, allocator: "jemalloc"))
        #expect(TrialIDIndex([trial.identity])[trial.id] == trial.identity)
        #expect(TrialIDIndex([trial.identity])["point.final-class.1000.jemalloc.r"] == nil)
    }

    /// Names may hold dots: shape `p.final-class.10.system.rx`'s trial id starts with `p.final-class.10.system.r`,
    /// the text shape `p`'s ids were once matched by. Its phase rows must not count for shape `p`.
    @Test func aShapeWhoseIdStartsLikeAnothersIsNotMixedIn() throws {
        let json = """
            { "name": "dots", "layouts": ["final-class"], "nodes": [10], "allocators": ["system"],
              "phases": ["allocate", "traverse"],
              "shapes": [ { "name": "p", "fields": [ {"name": "x", "type": "int64"} ] },
                          { "name": "p.final-class.10.system.rx", "fields": [ {"name": "x", "type": "int64"} ] } ] }
            """
        let experiment = try ExperimentLoader().load(data: Data(json.utf8), path: "dots.json")
        let ids = TrialPlan.trials(for: experiment).map(\.id)
        #expect(ids == ["p.final-class.10.system.r1", "p.final-class.10.system.rx.final-class.10.system.r1"])
        func row(_ id: String, _ phase: Int, _ ns: Double) -> PhaseRow {
            var row = PhaseRow(trialID: id, phaseIndex: phase, phase: phase == 0 ? "allocate" : "traverse")
            row.nsPerNode = ns
            return row
        }
        var run = ExperimentRun(experiment: experiment, directory: URL(fileURLWithPath: "/nonexistent"), records: [])
        run.phaseRows = [row(ids[0], 0, 1), row(ids[0], 1, 5), row(ids[1], 0, 1), row(ids[1], 1, 500)]
        let groups = PhaseSummaryTable.groups(run)
        try #require(groups.count == 2)
        #expect(groups[0].rows == [["final-class", PerNodeTable.format(1), PerNodeTable.format(5)]], "shape p: its own traverse only")
        #expect(groups[1].rows == [["final-class", PerNodeTable.format(1), PerNodeTable.format(500)]])
        let times = ChartData.phaseTimes(run: run, focus: .init(shape: experiment.shapes[0], nodes: 10))
        #expect(times.rows.map { $0[6] } == [CSVNumber.cell(1.0), CSVNumber.cell(5.0)], "medians of shape p's rows only")
    }
}
