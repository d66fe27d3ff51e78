import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabResults
@testable import LayoutLabAnalysis
@testable import LayoutLabCalibration

/// The chart tables never draw a missing figure as a number: no interval is no whisker, and a segment the lab
/// could not measure is an empty cell, not a zero folded into "page overhead".
@Suite("Chart data with missing figures")
struct ChartDataTests {
    /// The fixture's run, with `change` applied to the metrics of every final-class trial under `allocator`.
    static func breakdownRow(
        _ allocator: String, change: (inout TrialMetrics) -> Void = { _ in }
    ) throws -> [String: String] {
        var run = try ResultsFolder.open(try ChartReportTests.fixtureCopy()).run
        for index in run.records.indices where run.records[index].trial.layout == .finalClass
            && run.records[index].trial.allocator.name == allocator {
            change(&run.records[index].metrics)
        }
        let focus = try #require(ChartData.foci(run.experiment).first)
        let table = ChartData.breakdown(run: run, focus: focus)
        let cells = try #require(table.rows.first { $0[1] == "final-class" && $0[2] == allocator })
        return Dictionary(uniqueKeysWithValues: zip(table.header, cells.map { $0 ?? "" }))
    }

    static func number(_ row: [String: String], _ column: String) throws -> Double {
        try #require(Double(row[column] ?? ""), "\(column) is empty")
    }

    @Test func aCompleteBarStacksToItsRSS() throws {
        let row = try Self.breakdownRow("jemalloc")
        #expect(row["not_attributed"] == "" && row["not_attributed_bottom"] == "", "nothing is unattributed when every figure exists")
        #expect(abs(try Self.number(row, "bar_top") - Self.number(row, "rss_bytes_per_node")) < 0.01)
        #expect(try Self.number(row, "container_top") == Self.number(row, "bar_top"), "the container slot on top")
    }

    @Test func aMissingContainerIsNotAZeroSegment() throws {
        let row = try Self.breakdownRow("jemalloc") { $0.containerBytesPerNode = nil }
        for column in ["container", "container_bottom", "container_top", "page_overhead", "page_overhead_bottom", "allocator_overhead", "allocator_overhead_bottom"] {
            #expect(row[column] == "", "\(column) must be empty without the container's bytes, got \(row[column] ?? "")")
        }
        // What cannot be split: RSS − payload − headers − rounding = RSS − usable.
        let expected = try Self.number(row, "rss_bytes_per_node") - Self.number(row, "rounding_top")
        #expect(abs(try Self.number(row, "not_attributed") - expected) < 0.01)
        #expect(try Self.number(row, "not_attributed_bottom") == Self.number(row, "rounding_top"))
    }

    @Test func aMissingAllocatorFigureIsNotPageOverhead() throws {
        let complete = try Self.breakdownRow("system")
        let row = try Self.breakdownRow("system") {
            $0.allocatorActiveBytesPerNode = nil
            $0.allocatorAllocatedBytesPerNode = nil
        }
        for column in ["allocator_overhead", "allocator_overhead_bottom", "allocator_overhead_top", "page_overhead", "page_overhead_bottom", "page_overhead_top"] {
            #expect(row[column] == "", "\(column) must be empty without the allocator's figure, got \(row[column] ?? "")")
        }
        let container = try Self.number(row, "container")
        #expect(container == (try Self.number(complete, "container")))
        let expected = try Self.number(row, "rss_bytes_per_node") - Self.number(row, "rounding_top") - container
        #expect(abs(try Self.number(row, "not_attributed") - expected) < 0.01)
        #expect(try Self.number(row, "not_attributed_top") == Self.number(row, "container_bottom"), "the container still sits on top")
    }

    @Test func noIntervalIsNoWhisker() throws {
        let single = Comparison(shape: "point", layout: "final-class", nodes: 10, sideA: "a", sideB: "b", metric: "m",
                                valuesA: [40], valuesB: [50])
        let focus = ChartData.Focus(shape: Shape(name: "point", fields: []), nodes: 10)
        let table = ChartData.comparison([single], metric: "m", focus: focus)
        let row = Dictionary(uniqueKeysWithValues: zip(table.header, try #require(table.rows.first).map { $0 ?? "" }))
        #expect(row["ratio"] == "1.250")
        #expect(row["ci_low"] == "" && row["ci_high"] == "", "one repetition has no interval: \(row)")
    }
}
