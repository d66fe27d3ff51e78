import LayoutLabProtocol
import LayoutLabSampling
import LayoutLabTables

/// One side of the harness comparison: the lab's generated allocate loop, or the hand-written one of
/// `layoutlab-baseline`.
struct HarnessSide: Sendable {
    /// Instructions per node counted by callgrind in the loop alone (sampling left out); nil when not counted.
    var instructionsPerNode: Double?
    /// ns per node of each fresh process (wall clock, sampling excluded).
    var nsPerNode: [Double]
    /// Minor page faults per node of the loop, where recorded.
    var minorFaultsPerNode: [Double]
}

/// What `layoutlab-worker --calibrate-samplers` printed: each sampler's cost, and the bytes whole samples allocated.
struct SamplerBenchmarkReport: Sendable, Equatable {
    struct Cost: Sendable, Equatable {
        var name: String
        var medianNs: Double
        var p99Ns: Double
    }

    var costs: [Cost] = []
    /// Bytes jemalloc's `thread.allocated` saw 100 whole samples allocate; nil when it could not be read.
    var allocatedBytes: Int?

    /// Parses `sampler\tNAME\tMEDIAN_NS\tP99_NS\tCOUNT` and `allocation\tBYTES` lines (BYTES empty: not read).
    init(parsing text: String) {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if parts.first == "sampler", parts.count == 5, let median = Double(parts[2]), let p99 = Double(parts[3]) {
                costs.append(Cost(name: parts[1], medianNs: median, p99Ns: p99))
            } else if parts.first == "allocation", parts.count == 2 {
                allocatedBytes = Int(parts[1])
            }
        }
    }

    init(costs: [Cost], allocatedBytes: Int?) {
        self.costs = costs
        self.allocatedBytes = allocatedBytes
    }
}

extension CalibrationFigures {
    /// The band of the harness instruction ratio (lab ÷ hand-written): ±1 %. Counts spread by 0.003 % from run
    /// to run, and one instruction per node is 0.55 % of the loop's 180: per-node work of two instructions or
    /// more, added or missing, fails it; nothing that does not cost per node can reach it.
    static let harnessBand = CalibrationGoal(lower: 0.99, upper: 1.01, text: "instruction ratio 0.99 … 1.01")

    /// The lab's final-class allocate loop against the hand-written one: judged on instructions per node
    /// (deterministic), with time and page faults per node reported beside.
    static func harness(lab: HarnessSide, baseline: HarnessSide, countedNodes: Int, timedNodes: Int, countsMissing: String? = nil) -> CalibrationFigure {
        let name = "harness overhead", goal = harnessBand
        let method = """
            final-class allocate loop of the lab (generated library, default checkpoints, sampling left out) vs \
            layoutlab-baseline's hand-written loop, jemalloc: instructions per node by valgrind --tool=callgrind \
            (\(countedNodes) nodes, one process each); wall time (reported, not judged) median [min–max] of 5 \
            alternating pairs of fresh processes at \(timedNodes) nodes
            """
        let f = CalibrationFormat.self
        let timeRatio = PerNodeSummary.median(lab.nsPerNode).flatMap { l in PerNodeSummary.median(baseline.nsPerNode).map { l / $0 } }
        let faults = "minor faults \(f.number(PerNodeSummary.median(lab.minorFaultsPerNode), digits: 4)) vs \(f.number(PerNodeSummary.median(baseline.minorFaultsPerNode), digits: 4)) per node"
        let time = "time \(f.spread(lab.nsPerNode)) vs \(f.spread(baseline.nsPerNode)) ns/node: ratio \(f.number(timeRatio, digits: 3))"
        guard let labCount = lab.instructionsPerNode, let baseCount = baseline.instructionsPerNode, baseCount > 0 else {
            let reason = countsMissing ?? "no instruction count for the \(lab.instructionsPerNode == nil ? "lab" : "hand-written loop")"
            return CalibrationFigure(
                name: name, method: method, goal: goal.text, measured: "instructions \(f.number(lab.instructionsPerNode)) vs \(f.number(baseline.instructionsPerNode)) per node, not measurable (\(reason)); \(time); \(faults)",
                result: .notMeasurable, shortfall: reason)
        }
        let ratio = labCount / baseCount
        let verdict = goal.judge(ratio) { "ratio \(f.number($0, digits: 4))" }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: "instructions \(f.number(labCount)) vs \(f.number(baseCount)) per node: ratio \(f.number(ratio, digits: 4)); \(time); \(faults)",
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// The lab's loop with default checkpoints and allocator reads against the same loop with one checkpoint
    /// and no allocator or smaps reads. Reported with each side's range rather than judged: on a busy
    /// virtual machine the spread of 5 fresh processes can be wider than the effect.
    static func disturbance(sampled: [Double], quiet: [Double]) -> CalibrationFigure {
        let f = CalibrationFormat.self
        let ratio = PerNodeSummary.median(sampled).flatMap { s in PerNodeSummary.median(quiet).map { s / $0 } }
        return CalibrationFigure(
            name: "sampling disturbance",
            method: "final-class allocate ns/node with default checkpoints and allocator reads vs the same loop with 1 checkpoint and no allocator or smaps reads (its library generated for final-class alone); medians [min–max] of fresh processes, 10 M nodes, jemalloc",
            goal: "reported", measured: "\(f.spread(sampled)) vs \(f.spread(quiet)) ns/node: ratio \(f.number(ratio, digits: 3))",
            result: .reported)
    }

    /// The budget of one checkpoint as the worker takes it during allocate (the cost counters paused and
    /// resumed around statm + status + allocator): 50 µs,
    /// so that a phase's 100 default checkpoints cost at most 5 ms of wall time (sampling time is excluded
    /// from every ns/node figure; the sampling share figure says what it costs a whole suite).
    static let checkpointBudgetNs = 50_000.0

    static func sampleCost(_ report: SamplerBenchmarkReport) -> CalibrationFigure {
        let name = "sample cost", goal = CalibrationGoal(lower: nil, upper: checkpointBudgetNs, text: "a checkpoint (counters + statm + status + allocator) ≤ 50 µs, median")
        let method = "ns per read of each sampler, of the cost counters' pause + resume, and of the worker's whole checkpoint callback (PhaseRecorder.checkpoint), median (p99) of 10 000 (smaps_rollup: 100), 1 GiB resident, jemalloc"
        let f = CalibrationFormat.self
        let all = report.costs.map { "\($0.name) \(f.microseconds($0.medianNs)) (\(f.microseconds($0.p99Ns)))" }.joined(separator: "; ")
        guard let checkpoint = report.costs.first(where: { $0.name == SamplerBenchmarkName.checkpoint }) else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "the benchmark printed no \(SamplerBenchmarkName.checkpoint) line")
        }
        let verdict = goal.judge(checkpoint.medianNs) { f.microseconds($0) }
        return CalibrationFigure(name: name, method: method, goal: goal.text, measured: all, result: verdict.result, shortfall: verdict.shortfall)
    }

    static func sampleAllocations(_ report: SamplerBenchmarkReport) -> CalibrationFigure {
        let name = "sample allocations", goal = "0 bytes"
        let method = "jemalloc thread.allocated before and after a phase of 100 checkpoints of the worker's recorder: counters paused and resumed, every sampler at each (smaps_rollup included), the phase's start and end (counters summed, /proc/stat read)"
        guard let bytes = report.allocatedBytes else {
            return .notMeasurable(name: name, method: method, goal: goal, missing: "jemalloc's thread.allocated could not be read")
        }
        return CalibrationFigure(
            name: name, method: method, goal: goal, measured: "\(bytes) bytes", result: bytes == 0 ? .pass : .fail,
            shortfall: bytes == 0 ? nil : "\(bytes) bytes")
    }

    static func workerStart(nanoseconds times: [Double]) -> CalibrationFigure {
        CalibrationFigure(
            name: "worker start", method: "runner spawns a worker until it has opened /proc, sampled once and exited (median [min–max] of 10)",
            goal: "reported", measured: "\(CalibrationFormat.spread(times.map { $0 / 1e6 })) ms", result: .reported)
    }
}
