import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabTables

/// The figures of `layoutlab calibrate` computed from what its runs left behind (trial rows, samples, the
/// sampler benchmark, instruction counts): pure functions, so a test can hand them constructed results.
/// A missing input makes a figure not measurable, never a 0 and never a silent pass.
enum CalibrationFigures {
    typealias Row = TrialTable.Row

    /// The finite values of `metric` over the rows of `layout` (an empty cell is no value, not 0).
    static func values(_ rows: [Row], layout: String, _ metric: String) -> [Double] {
        rows.filter { $0.layout == layout }.compactMap { $0.value(metric) }.filter(\.isFinite)
    }

    static func median(_ rows: [Row], layout: String, _ metric: String) -> Double? {
        PerNodeSummary.median(values(rows, layout: layout, metric))
    }

    /// Value layouts hold nodes inline: RSS per node is the stride, within 1 % either way.
    static func valueAccuracy(_ rows: [Row], strideBytes: Double) -> CalibrationFigure {
        let name = "accuracy of value layouts", goal = CalibrationGoal(lower: -0.01, upper: 0.01, text: "within ±1 %")
        let method = "struct-array, columns rss_bytes_per_node vs MemoryLayout stride (\(CalibrationFormat.number(strideBytes, digits: 0)) B), median of the repetitions"
        let layouts = ["struct-array", "columns"]
        let missing = layouts.filter { median(rows, layout: $0, "rss_bytes_per_node") == nil }
        guard missing.isEmpty, strideBytes > 0 else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "no rss_bytes_per_node for \(missing.joined(separator: ", "))")
        }
        let errors = layouts.map { ($0, (median(rows, layout: $0, "rss_bytes_per_node") ?? .nan) / strideBytes - 1) }
        let worst = errors.max { abs($0.1) < abs($1.1) }.map(\.1)
        let verdict = goal.judge(worst) { CalibrationFormat.percent($0) }
        let measured = errors.map { "\($0.0) \(CalibrationFormat.number(median(rows, layout: $0.0, "rss_bytes_per_node"))) B (\(CalibrationFormat.signedPercent($0.1)))" }
            .joined(separator: ", ")
        return CalibrationFigure(name: name, method: method, goal: goal.text, measured: measured, result: verdict.result, shortfall: verdict.shortfall)
    }

    /// A final class costs its usable size, its reference slot and the allocator's own metadata growth
    /// (jemalloc `stats.metadata`, per node): RSS within 2 % of their sum, either way.
    static func heapAccuracy(_ rows: [Row], metadataBytesPerNode metadata: Double?) -> CalibrationFigure {
        let name = "accuracy of heap layouts", goal = CalibrationGoal(lower: -0.02, upper: 0.02, text: "within ±2 %")
        let method = "final-class rss_bytes_per_node vs usable + slot + jemalloc's own metadata growth (stats.metadata), medians"
        let rss = median(rows, layout: "final-class", "rss_bytes_per_node")
        let usable = median(rows, layout: "final-class", "usable_bytes_per_node")
        let slot = median(rows, layout: "final-class", "container_bytes_per_node")
        let inputs: [(String, Double?)] = [
            ("rss_bytes_per_node", rss), ("usable_bytes_per_node", usable), ("container_bytes_per_node", slot),
            ("jemalloc's stats.metadata growth", metadata.flatMap { $0.isFinite ? $0 : nil }),
        ]
        let missing = inputs.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let rss, let usable, let slot, let metadata else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "no \(missing.joined(separator: ", ")): the expected value is unknown")
        }
        let expected = usable + slot + metadata
        let error = rss / expected - 1
        let verdict = goal.judge(error) { CalibrationFormat.percent($0) }
        let withoutMetadata = rss / (usable + slot) - 1
        let f = { (value: Double) in CalibrationFormat.number(value) }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: "\(f(rss)) B vs \(f(usable)) + \(f(slot)) + \(f(metadata)) = \(f(expected)) B: \(CalibrationFormat.signedPercent(error)) (\(CalibrationFormat.signedPercent(withoutMetadata)) if jemalloc's slab metadata is left out)",
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// RSS growth against the allocator's own `active` growth, within 2 % either way.
    static func rssVsAllocator(_ rows: [Row]) -> CalibrationFigure {
        let name = "RSS vs allocator", goal = CalibrationGoal(lower: -0.02, upper: 0.02, text: "within ±2 %")
        let method = "final-class RSS growth vs jemalloc stats.active growth per node, medians"
        guard let rss = median(rows, layout: "final-class", "rss_bytes_per_node"),
            let active = median(rows, layout: "final-class", "allocator_active_bytes_per_node"), active > 0
        else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "no final-class rss_bytes_per_node or allocator_active_bytes_per_node")
        }
        let error = rss / active - 1
        let verdict = goal.judge(error) { CalibrationFormat.percent($0) }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: "\(CalibrationFormat.number(rss)) vs \(CalibrationFormat.number(active)) B/node: \(CalibrationFormat.signedPercent(error))",
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// Coefficient of variation of RSS per node over the repetitions of each layout: under 1 %.
    static func repeatability(_ rows: [Row], layouts: [String]) -> CalibrationFigure {
        let name = "repeatability", goal = CalibrationGoal(lower: nil, upper: 0.01, text: "≤ 1 %")
        let method = "coefficient of variation of rss_bytes_per_node over the repetitions, per layout"
        let cvs = layouts.map { layout -> (String, Double?) in
            let v = values(rows, layout: layout, "rss_bytes_per_node")
            guard v.count >= 2 else { return (layout, nil) }
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)
            return (layout, mean > 0 ? variance.squareRoot() / mean : nil)
        }
        let missing = cvs.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "fewer than two rss_bytes_per_node values for \(missing.joined(separator: ", "))")
        }
        let worst = cvs.compactMap(\.1).max()
        let verdict = goal.judge(worst) { CalibrationFormat.percent($0) }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: cvs.map { "\($0.0) \(CalibrationFormat.percent($0.1 ?? .nan, digits: 3))" }.joined(separator: ", "),
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// jemalloc's metadata growth per node over the allocate phase of each `layout` trial (first to last
    /// sample), median over trials; nil when no trial has both readings. `trials` names the samples' trials.
    static func metadataGrowthPerNode(samples: [SampleRow], trials: TrialIDIndex, layout: LayoutKind) -> Double? {
        let phase = samples.filter { trials[$0.trialID]?.configuration.layout == layout && $0.phaseIndex == 0 }
        var byTrial: [String: [MemorySample]] = [:]
        for row in phase { byTrial[row.trialID, default: []].append(row.sample) }
        let growth = byTrial.values.compactMap { trial -> Double? in
            guard let first = trial.first?.allocator.metadataBytes, let last = trial.last?.allocator.metadataBytes,
                let nodes = trial.last?.nodesAlive, nodes > 0
            else { return nil }
            return Double(last - first) / Double(nodes)
        }
        return PerNodeSummary.median(growth.filter(\.isFinite))
    }
}
