import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabTables
@testable import LayoutLabAnalysis

/// The data of the size-class charts (issue 15): the staircase of a sweep from its trials' figures, the waste
/// of each size class from `allocation-sizes.csv`, and the growth chart's own scale for small layouts. A
/// figure no repetition measured is an empty cell, never a 0.
@Suite("Size-class charts")
struct ChartSizeClassTests {
    /// Members `blob-8`, `blob-16`, `blob-24` of a sweep (an int64 and the swept int64 field; the lengths are
    /// only labels here), listed out of order, and a shape of its own.
    static let members = [24, 8, 16].map { length in
        Shape(name: "blob-\(length)", fields: [Field(name: "id", type: .int64), Field(name: "data", type: .int64)],
              sweep: ShapeSweep(family: "blob", fieldIndex: 1, length: length))
    }
    static let plain = Shape(name: "plain", fields: [Field(name: "x", type: .int64)])

    static func experiment(_ shapes: [Shape], allocators: [AllocatorSpec] = [.system, .jemalloc], nodes: [Int] = [1000, 5000]) -> Experiment {
        Experiment(name: "sizes", layouts: [.finalClass, .structArray], shapes: shapes, nodes: nodes, allocators: allocators, repetitions: 3)
    }

    static func record(_ shape: Shape, _ layout: LayoutKind = .finalClass, nodes: Int = 5000, allocator: AllocatorSpec = .system,
                       repetition: Int, status: TrialStatus = .ok, probeNodes: Int? = nil, metrics: TrialMetrics) -> TrialRecord {
        let trial = Trial(experiment: "sizes", shapeIndex: 0, shape: shape, layout: layout, nodes: nodes, allocator: allocator, repetition: repetition)
        return TrialRecord(trial: trial, status: status, metrics: metrics, probeNodes: probeNodes)
    }

    static func named(_ table: CSVTable) -> [[String: String]] {
        table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0.map { $0 ?? "" })) }
    }

    // MARK: Staircase

    /// Three repetitions of each member under system at 5 000 nodes: requested 16 + 8·k, usable the next
    /// multiple of 16 plus 8, RSS per repetition `rss`; a failed repetition and a smaller node count that must
    /// not count.
    static func sweepRun() -> ExperimentRun {
        var records: [TrialRecord] = []
        for shape in members {
            let length = shape.sweep?.length ?? 0
            let requested = Double(16 + length)
            for (repetition, rss) in [(1, requested + 30), (2, requested + 10), (3, requested + 20)] {
                records.append(record(shape, repetition: repetition, metrics: TrialMetrics(
                    rssBytesPerNode: rss, requestedBytesPerNode: requested, usableBytesPerNode: length == 16 ? nil : requested + 8,
                    containerBytesPerNode: 8)))
            }
            records.append(record(shape, repetition: 4, status: .crashed(signal: 11), metrics: TrialMetrics(rssBytesPerNode: 9999, requestedBytesPerNode: 1)))
            records.append(record(shape, nodes: 1000, repetition: 1, metrics: TrialMetrics(rssBytesPerNode: 7777, requestedBytesPerNode: 2)))
        }
        return ExperimentRun(experiment: experiment(members + [plain]), directory: URL(fileURLWithPath: "/nonexistent"), records: records)
    }

    @Test func aStaircaseHasTheMediansOfEachMemberInOrderOfLength() throws {
        let staircases = ChartData.staircases(run: Self.sweepRun())
        // struct-array and jemalloc have no trials: no chart, no rows.
        let staircase = try #require(staircases.first)
        #expect(staircases.count == 1 && staircase.stem == "staircase-blob-final-class" && staircase.nodes == 5000)
        let rows = Self.named(staircase.table)
        #expect(rows.map { $0["shape"] } == ["blob-8", "blob-16", "blob-24"], "members by length")
        #expect(rows.allSatisfy { $0["allocator"] == "system" && $0["repetitions_ok"] == "3" })
        #expect(rows[0]["requested_bytes_per_node"] == "24.000" && rows[0]["usable_bytes_per_node"] == "32.000")
        #expect(rows[0]["rss_without_container_bytes_per_node"] == "36.000", "median of 54, 34, 44 (the failed and the 1 000-node trials left out) − the 8-byte reference")
        #expect(rows[0]["usable_minus_requested_bytes_per_node"] == "8.000" && rows[0]["rss_minus_requested_bytes_per_node"] == "12.000")
        #expect(rows[1]["usable_bytes_per_node"] == "" && rows[1]["usable_minus_requested_bytes_per_node"] == "",
                "no usable size measured: empty cells, not 0: \(rows[1])")
        #expect(!staircase.logX, "24 to 40 B is a factor under 8: a linear x axis")
        #expect(staircase.title.contains("sweep blob: field data int64[8…24], 3 sizes (with id:int64)"), "\(staircase.title)")
        #expect(staircase.title.contains("final-class · 5000 nodes · median of 3 repetitions"), "\(staircase.title)")
    }

    @Test func aWideSweepHasALogXAndAnExperimentWithoutSweepsNoStaircase() throws {
        var run = Self.sweepRun()
        for index in run.records.indices where run.records[index].trial.shape.name == "blob-24" {
            run.records[index].metrics.requestedBytesPerNode = 4096
        }
        #expect(try #require(ChartData.staircases(run: run).first).logX, "24 to 4 096 B: log x")
        run.experiment.shapes = [Self.plain]
        #expect(ChartData.staircases(run: run).isEmpty)
    }

    // MARK: Size classes

    /// `row` with a uniform string: a final-class object of 48 B (usable 56 under system, 48 under jemalloc) and
    /// string storage of 40 … 49 B.
    static let row = Shape(name: "row", fields: [
        Field(name: "id", type: .int64), Field(name: "name", type: .string, length: .uniform(lower: 16, upper: 25)),
    ])

    static func sizeRun() -> (ExperimentRun, [AllocationSizeRow]) {
        let experiment = Experiment(name: "sizes", layouts: [.finalClass], shapes: [row], nodes: [5000], allocators: [.system, .jemalloc], repetitions: 2)
        var records: [TrialRecord] = []
        var counts: [AllocationSizeRow] = []
        for allocator in [AllocatorSpec.system, .jemalloc] {
            for repetition in [2, 1] {
                let record = record(row, allocator: allocator, repetition: repetition, probeNodes: 100, metrics: TrialMetrics())
                records.append(record)
                // Repetition 2 lists other counts: only repetition 1 (the first) must be used.
                let scale = repetition == 1 ? 1 : 1000
                counts.append(AllocationSizeRow(trialID: record.trial.id, requestedBytes: 48, allocations: 100 * scale,
                                                 usableBytes: allocator.name == "system" ? 56 : 48))
                for requested in 40...49 {
                    let usable: Double? = allocator.name == "system" ? (requested <= 40 ? 40 : 56) : (requested == 49 ? nil : 48)
                    counts.append(AllocationSizeRow(trialID: record.trial.id, requestedBytes: requested, allocations: 10 * scale, usableBytes: usable))
                }
            }
        }
        return (ExperimentRun(experiment: experiment, directory: URL(fileURLWithPath: "/nonexistent"), records: records), counts)
    }

    @Test func theWasteOfEachClassIsItsBlocksTimesUsableMinusRequested() throws {
        let (run, counts) = Self.sizeRun()
        let tables = ChartData.sizeClasses(counts, run: run, focus: ChartData.Focus(shape: Self.row, nodes: 5000))
        let classes = Self.named(tables.classes).filter { $0["allocator"] == "system" }
        // system: class 40 takes the 40-byte request (waste 0), class 56 the 41…49-byte requests and the object.
        #expect(classes.map { $0["usable_bytes"] } == ["40.000", "56.000"])
        let waste56 = Double(100 * (56 - 48)) + (41...49).reduce(0.0) { $0 + 10 * Double(56 - $1) }
        #expect(classes[1]["waste_bytes"] == CSVNumber.cell(waste56), "\(classes[1])")
        #expect(classes[1]["waste_bytes_per_node"] == CSVNumber.cell(waste56 / 100))
        #expect(classes[1]["allocations"] == "190" && classes[1]["lowest_requested_bytes"] == "41" && classes[1]["highest_requested_bytes"] == "49")
        #expect(classes[0]["waste_bytes"] == "0.000" && classes[0]["allocations"] == "10")
        let summary = try #require(Self.named(tables.summary).first { $0["allocator"] == "system" })
        #expect(summary["repetition"] == "1" && summary["probe_nodes"] == "100" && summary["classes"] == "2")
        #expect(summary["waste_bytes_per_node"] == CSVNumber.cell(waste56 / 100))
        #expect(!(summary["panel_title"] ?? ",").contains(","), "gnuplot reads the title with awk -F,")
    }

    @Test func aRequestWithoutAUsableSizeIsInNoClass() throws {
        let (run, counts) = Self.sizeRun()
        let tables = ChartData.sizeClasses(counts, run: run, focus: ChartData.Focus(shape: Self.row, nodes: 5000))
        let request = try #require(Self.named(tables.requests).first { $0["allocator"] == "jemalloc" && $0["requested_bytes"] == "49" })
        #expect(request["usable_bytes"] == "" && request["waste_bytes"] == "" && request["class_index"] == "", "\(request)")
        let classes = Self.named(tables.classes).filter { $0["allocator"] == "jemalloc" }
        #expect(classes.count == 1 && classes[0]["allocations"] == "190" && classes[0]["highest_requested_bytes"] == "48")
        #expect(ChartData.hasLengthDistribution(Self.row) && !ChartData.hasLengthDistribution(Self.plain))
    }

    // MARK: Growth

    @Test func smallLayoutsGetTheirOwnScaleAndAMissingRSSIsAGap() throws {
        let experiment = Experiment(name: "g", layouts: [.dictClass, .structArray], shapes: [Self.plain], nodes: [1000], allocators: [.system])
        func samples(_ layout: LayoutKind, rssPerNode: Int) -> [SampleRow] {
            let id = TrialID(.init(shape: "plain", layout: layout, nodes: 1000, allocator: "system"), repetition: 1).description
            return (0...4).map { step in
                let rss = layout == .structArray && step == 2 ? nil : 10_000_000 + step * 250 * rssPerNode
                return SampleRow(trialID: id, phaseIndex: 0, phase: "allocate", sample: MemorySample(nodesAlive: step * 250, elapsedNs: step, rssBytes: rss))
            }
        }
        let run = ExperimentRun(experiment: experiment, directory: URL(fileURLWithPath: "/nonexistent"), records: [])
        let focus = ChartData.Focus(shape: Self.plain, nodes: 1000)
        let rows = Self.named(ChartData.growth(samples: samples(.dictClass, rssPerNode: 400) + samples(.structArray, rssPerNode: 16), run: run, focus: focus))
        #expect(rows.filter { $0["layout"] == "dict-class" }.allSatisfy { $0["panel"] == "1" })
        #expect(rows.filter { $0["layout"] == "struct-array" }.allSatisfy { $0["panel"] == "2" }, "16 B/node against 400: its own scale")
        let small = rows.filter { $0["layout"] == "struct-array" }
        #expect(small.map { $0["rss_mib"] ?? "" }.filter(\.isEmpty).count == 1 && small[2]["rss_growth_mib"] == "", "the missing RSS is an empty cell")
        #expect(small.first?["rss_growth_mib"] == "0.000" && small.last?["rss_growth_mib"] == CSVNumber.cell(Double(1000 * 16) / 1_048_576),
                "the zoomed panel's growth starts from the first sample: \(small)")
        let even = Self.named(ChartData.growth(samples: samples(.dictClass, rssPerNode: 400) + samples(.structArray, rssPerNode: 200), run: run, focus: focus))
        #expect(even.allSatisfy { $0["panel"] == "1" }, "half the largest growth shares the axis")
    }

    @Test func eachPanelHoldsLayoutsOfOneSize() {
        #expect(ChartData.growthPanels([400, 56, 8]) == [1, 2, 3], "dict-class, final-class, a one-field struct-array")
        #expect(ChartData.growthPanels([16, 400, 56]) == [2, 1, 2], "16 is more than a quarter of 56: the same panel")
        #expect(ChartData.growthPanels([400, 200]) == [1, 1])
        #expect(ChartData.growthPanels([nil, 100, 10]) == [1, 1, 2], "an unknown growth stays in the first panel only")
        #expect(ChartData.growthPanels([10_000, 1000, 100, 10]) == [1, 2, 3, 3], "at most three panels")
    }
}
