import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling
@testable import LayoutLabAnalysis
@testable import LayoutLabCalibration

/// The figures of `layoutlab calibrate`, computed from constructed results: each passes inside its goal, fails
/// on either side of a two-sided one, and is not measurable when an input is missing (never a 0, never a pass).
@Suite("Calibration figures")
struct CalibrationFiguresTests {
    static func row(_ layout: String, _ cells: [String: String], nodes: Int = 10_000_000, allocator: String = "jemalloc", repetition: Int = 1) -> TrialTable.Row {
        TrialTable.Row(
            shape: "point", layout: layout, nodes: nodes, allocator: allocator, repetition: repetition,
            cells: cells.merging(["trial_id": "point.\(layout).\(nodes).\(allocator).r\(repetition)"]) { first, _ in first })
    }

    static func valueRows(structArray: String, columns: String) -> [TrialTable.Row] {
        [row("struct-array", ["rss_bytes_per_node": structArray]), row("columns", ["rss_bytes_per_node": columns])]
    }

    @Test func valueAccuracyIsTwoSided() {
        #expect(CalibrationFigures.valueAccuracy(Self.valueRows(structArray: "16.01", columns: "15.99"), strideBytes: 16).result == .pass)
        let over = CalibrationFigures.valueAccuracy(Self.valueRows(structArray: "16.4", columns: "16.0"), strideBytes: 16)
        #expect(over.result == .fail)
        #expect(over.shortfall?.hasSuffix("over") == true, "\(over.shortfall ?? "")")
        let under = CalibrationFigures.valueAccuracy(Self.valueRows(structArray: "16.0", columns: "15.6"), strideBytes: 16)
        #expect(under.result == .fail)
        #expect(under.shortfall?.hasSuffix("under") == true, "\(under.shortfall ?? "")")
    }

    /// An empty or NaN cell is no value: `max()` over [NaN, 0.1 %] once passed on the value it happened to keep.
    @Test(arguments: ["", "nan"])
    func valueAccuracyWithAMissingLayoutIsNotMeasurable(_ cell: String) {
        let figure = CalibrationFigures.valueAccuracy(Self.valueRows(structArray: cell, columns: "16.01"), strideBytes: 16)
        #expect(figure.result == .notMeasurable)
        #expect(figure.missesGoal)
        #expect(figure.shortfall?.contains("struct-array") == true)
    }

    static func heapRows(rss: String) -> [TrialTable.Row] {
        (1...3).map {
            row("final-class", ["rss_bytes_per_node": rss, "usable_bytes_per_node": "32", "container_bytes_per_node": "8",
                                "allocator_active_bytes_per_node": "40.4"], repetition: $0)
        }
    }

    @Test func heapAccuracy() {
        #expect(CalibrationFigures.heapAccuracy(Self.heapRows(rss: "41.08"), metadataBytesPerNode: 1.01).result == .pass)
        let under = CalibrationFigures.heapAccuracy(Self.heapRows(rss: "39.5"), metadataBytesPerNode: 1.01)
        #expect(under.result == .fail)
        #expect(under.shortfall?.hasSuffix("under") == true)
        #expect(CalibrationFigures.heapAccuracy(Self.heapRows(rss: "42.5"), metadataBytesPerNode: 1.01).result == .fail)
    }

    /// Without jemalloc's metadata figure the expected value is unknown: `metadata ?? 0` made 40.6 B against
    /// 32 + 8 + 0 a pass (1.5 %) although the metadata was never read.
    @Test(arguments: [nil, Double.nan])
    func heapAccuracyWithoutMetadataIsNotMeasurable(_ metadata: Double?) {
        let figure = CalibrationFigures.heapAccuracy(Self.heapRows(rss: "40.6"), metadataBytesPerNode: metadata)
        #expect(figure.result == .notMeasurable)
        #expect(figure.shortfall?.contains("stats.metadata") == true)
    }

    @Test func rssVsAllocatorAndRepeatability() {
        #expect(CalibrationFigures.rssVsAllocator(Self.heapRows(rss: "41.08")).result == .pass)
        #expect(CalibrationFigures.rssVsAllocator(Self.heapRows(rss: "38.0")).result == .fail)
        #expect(CalibrationFigures.rssVsAllocator([Self.row("final-class", ["rss_bytes_per_node": "41"])]).result == .notMeasurable)
        #expect(CalibrationFigures.repeatability(Self.heapRows(rss: "41.08"), layouts: ["final-class"]).result == .pass)
        let spread = (1...3).map { Self.row("final-class", ["rss_bytes_per_node": ["40", "41", "44"][$0 - 1]], repetition: $0) }
        #expect(CalibrationFigures.repeatability(spread, layouts: ["final-class"]).result == .fail)
        let single = [Self.row("final-class", ["rss_bytes_per_node": "41"])]
        #expect(CalibrationFigures.repeatability(single, layouts: ["final-class"]).result == .notMeasurable)
    }

    @Test func metadataGrowthNeedsBothReadings() {
        func id(_ layout: LayoutKind, _ repetition: Int) -> TrialID {
            TrialID(.init(shape: "point", layout: layout, nodes: 1000, allocator: "jemalloc"), repetition: repetition)
        }
        func sample(_ trial: String, _ nodes: Int, _ metadata: Int?) -> SampleRow {
            SampleRow(
                trialID: trial, phaseIndex: 0, phase: "allocate",
                sample: MemorySample(nodesAlive: nodes, elapsedNs: 0, allocator: AllocatorStatistics(metadataBytes: metadata)))
        }
        let trials = TrialIDIndex([id(.finalClass, 1), id(.finalClass, 2), id(.structArray, 1)])
        let (r1, r2) = (id(.finalClass, 1).description, id(.finalClass, 2).description)
        let samples = [sample(r1, 0, 1000), sample(r1, 1000, 2000), sample(r2, 0, 1000), sample(r2, 1000, 3000)]
        // Another layout's trial, and a row naming no trial of the experiment, are not counted.
        let other = id(.structArray, 1).description
        let others = [sample(other, 0, 0), sample(other, 1000, 90000), sample("x.final-class.y", 1000, 1)]
        #expect(CalibrationFigures.metadataGrowthPerNode(samples: samples + others, trials: trials, layout: .finalClass) == 1.5)
        let unread = [sample(r1, 0, 1000), sample(r1, 1000, nil)]
        #expect(CalibrationFigures.metadataGrowthPerNode(samples: unread, trials: trials, layout: .finalClass) == nil)
    }

    static func side(instructions: Double?, ns: [Double]) -> HarnessSide {
        HarnessSide(instructionsPerNode: instructions, nsPerNode: ns, minorFaultsPerNode: [0.0103])
    }

    /// Judged on instructions, both ways; time is reported beside and decides nothing.
    @Test func harnessIsJudgedOnInstructionsBothWays() {
        let baseline = Self.side(instructions: 180.59, ns: [49.5, 50.4, 50.9])
        func figure(_ lab: Double?, ns: [Double] = [44.6, 44.9, 50.8]) -> CalibrationFigure {
            CalibrationFigures.harness(lab: Self.side(instructions: lab, ns: ns), baseline: baseline, countedNodes: 1_000_000, timedNodes: 10_000_000)
        }
        #expect(figure(180.43).result == .pass)
        #expect(figure(180.43, ns: [100, 101, 102]).result == .pass)
        #expect(figure(180.43).measured.contains("ratio 0.9991"))
        let over = figure(184.0)
        #expect(over.result == .fail)
        #expect(over.shortfall?.hasSuffix("over") == true)
        let under = figure(177.0)
        #expect(under.result == .fail)
        #expect(under.shortfall?.hasSuffix("under") == true)
        let uncounted = CalibrationFigures.harness(
            lab: Self.side(instructions: nil, ns: [45]), baseline: Self.side(instructions: nil, ns: [50]),
            countedNodes: 1_000_000, timedNodes: 10_000_000, countsMissing: "valgrind is not installed")
        #expect(uncounted.result == .notMeasurable)
        #expect(uncounted.shortfall == "valgrind is not installed")
    }

    static let samplerOutput = """
        sampler\tstatm\t1300\t1400\t10000
        sampler\tstatus\t7100\t10400\t10000
        sampler\tallocator(jemalloc)\t13100\t33400\t10000
        sampler\tcounters(pause+resume)\t1900\t2600\t10000
        sampler\tcheckpoint(counters+statm+status+allocator)\t%CHECKPOINT%\t30400\t10000
        allocation\t%BYTES%
        rss\t1090000000
        """

    static func samplerReport(checkpoint: String = "20900", bytes: String = "0") -> SamplerBenchmarkReport {
        SamplerBenchmarkReport(parsing: samplerOutput.replacing("%CHECKPOINT%", with: checkpoint).replacing("%BYTES%", with: bytes))
    }

    /// The goal is on a whole checkpoint, what the worker does, not on a cheaper subset of its reads.
    @Test func sampleCostIsAWholeCheckpoint() {
        #expect(Self.samplerReport().costs.count == 5)
        #expect(CalibrationFigures.sampleCost(Self.samplerReport()).result == .pass)
        let slow = CalibrationFigures.sampleCost(Self.samplerReport(checkpoint: "60000"))
        #expect(slow.result == .fail)
        #expect(slow.shortfall == "10.0 µs over")
        let partsOnly = SamplerBenchmarkReport(parsing: "sampler\tstatm\t1300\t1400\t10000\nsampler\tallocator(jemalloc)\t13100\t33400\t10000\n")
        #expect(CalibrationFigures.sampleCost(partsOnly).result == .notMeasurable)
    }

    @Test func sampleAllocations() {
        #expect(CalibrationFigures.sampleAllocations(Self.samplerReport()).result == .pass)
        #expect(CalibrationFigures.sampleAllocations(Self.samplerReport(bytes: "48")).result == .fail)
        #expect(CalibrationFigures.sampleAllocations(Self.samplerReport(bytes: "")).result == .notMeasurable)
    }

    @Test func samplingShareAndWorkerBaseline() {
        let rows = [
            Self.row("final-class", ["allocate_ns_per_node": "40", "sampling_ns": "2000000", "sampling_fraction": "0.005", "baseline_rss_bytes": "7580000"], nodes: 1_000_000, allocator: "system"),
            Self.row("struct-array", ["allocate_ns_per_node": "7", "sampling_ns": "3000000", "sampling_fraction": "0.3", "baseline_rss_bytes": "8850000"], nodes: 1_000_000),
        ]
        let share = CalibrationFigures.samplingShare(rows)
        #expect(share.result == .fail)  // 5 ms of sampling against 47 ms of work: 9.6 %
        #expect(share.measured.hasPrefix("9.62 %"))
        #expect(CalibrationFigures.samplingShare([Self.row("columns", ["allocate_ns_per_node": ""])]).result == .notMeasurable)
        #expect(CalibrationFigures.workerBaseline(rows).result == .pass)
        #expect(CalibrationFigures.workerBaseline(Array(rows.dropFirst())).result == .notMeasurable)
    }

    static func linearRows(_ walls: [String]) -> [TrialTable.Row] {
        zip([1, 2, 4, 8], walls).map { Self.row("final-class", ["wall_ns": $1], nodes: $0 * 1_000_000, allocator: "system") }
    }

    @Test func linearCost() {
        #expect(CalibrationFigures.linearCost(Self.linearRows(["90000000", "160000000", "330000000", "620000000"])).result == .pass)
        #expect(CalibrationFigures.linearCost(Self.linearRows(["90000000", "100000000", "110000000", "900000000"])).result == .fail)
        #expect(CalibrationFigures.linearCost(Self.linearRows(["90000000", "", "330000000", "620000000"])).result == .notMeasurable)
        // One slow repetition of three (a busy machine) does not bend the line: the median is taken.
        let repeated = [1, 2, 3].flatMap { repetition in
            zip([1, 2, 4, 8], ["90000000", "160000000", "330000000", "620000000"]).map { nodes, wall in
                Self.row("final-class", ["wall_ns": repetition == 2 && nodes == 1 ? "900000000" : wall],
                         nodes: nodes * 1_000_000, allocator: "system", repetition: repetition)
            }
        }
        #expect(CalibrationFigures.linearCost(repeated).result == .pass)
    }

    @Test func goalsOfNaNAreNotMeasurable() {
        let goal = CalibrationGoal(lower: 0.99, upper: 1.01, text: "")
        #expect(goal.judge(.nan) { "\($0)" }.result == .notMeasurable)
        #expect(goal.judge(nil) { "\($0)" }.result == .notMeasurable)
        #expect(goal.judge(1.0) { "\($0)" }.result == .pass)
    }

    @Test func parsesCallgrindAndBaselineOutput() {
        let callgrind = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 180431932\ntotals: 180431932\n"
        #expect(CallgrindFunctionCounter.totalInstructions(callgrindOutput: callgrind) == 180_431_932)
        #expect(CallgrindFunctionCounter.totalInstructions(callgrindOutput: "events: Ir\n") == nil)
        let line = BaselineLine(parsing: "repetition 1: 49.472646 ns/node, 0.0102721 minor faults/node (1000000 final-class points)")
        #expect(line == BaselineLine(nsPerNode: 49.472646, minorFaultsPerNode: 0.0102721))
        #expect(BaselineLine(parsing: "usage: layoutlab-baseline NODES") == nil)
        let worker = [
            WorkerReply.identity(mallocProvider: "x", allocatorVersion: "5.3"),
            .sample(phaseIndex: 0, MemorySample(nodesAlive: 0, elapsedNs: 210)),
            .sample(phaseIndex: 0, MemorySample(nodesAlive: 1000, elapsedNs: 45000)),
            .sample(phaseIndex: 1, MemorySample(nodesAlive: 1000, elapsedNs: 99000)), .done,
        ].map(\.line).joined(separator: "\n")
        #expect(WorkerAllocateTime.nsPerNode(workerOutput: worker) == 45)
        #expect(WorkerAllocateTime.nsPerNode(workerOutput: "identity\tx\t5.3\ndone\n") == nil)
    }
}
