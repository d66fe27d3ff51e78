import LayoutLabTables

extension CalibrationFigures {
    /// Time spent sampling ÷ phase time over every trial of an experiment: under 5 %.
    static func samplingShare(_ rows: [Row]) -> CalibrationFigure {
        let name = "sampling share", goal = CalibrationGoal(lower: nil, upper: 0.05, text: "≤ 5 %")
        let method = "time spent sampling ÷ phase time (work + sampling), all trials of the default experiment"
        var sampling = 0.0, work = 0.0, counted = 0
        var worst: (String, Double)?
        for row in rows {
            guard let ns = row.value("allocate_ns_per_node"), let sampled = row.value("sampling_ns"), ns.isFinite, sampled.isFinite else { continue }
            sampling += sampled
            work += ns * Double(row.nodes)
            counted += 1
            if let share = row.value("sampling_fraction"), share.isFinite, share > (worst?.1 ?? -1) { worst = (row.cells["trial_id"] ?? "", share) }
        }
        guard counted > 0, sampling + work > 0 else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "no trial with allocate_ns_per_node and sampling_ns")
        }
        let share = sampling / (sampling + work)
        let verdict = goal.judge(share) { CalibrationFormat.percent($0) }
        let skipped = rows.count - counted
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: "\(CalibrationFormat.percent(share)) over \(counted) trials\(skipped > 0 ? " (\(skipped) without figures left out)" : "")"
                + (worst.map { " (worst trial \($0.0): \(CalibrationFormat.percent($0.1)))" } ?? ""),
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// RSS of a worker before its first node under glibc's malloc: the harness's own footprint, under 8 MiB.
    /// Other allocators add their own library and arenas, reported beside it.
    static func workerBaseline(_ rows: [Row]) -> CalibrationFigure {
        let name = "worker baseline RSS", goal = CalibrationGoal(lower: nil, upper: 8 * 1_048_576, text: "≤ 8 MiB")
        let method = "RSS of a worker before its first node, glibc's malloc (median over the default experiment's system trials)"
        var baselines: [String: [Double]] = [:]
        for row in rows {
            if let baseline = row.value("baseline_rss_bytes"), baseline.isFinite { baselines[row.allocator, default: []].append(baseline) }
        }
        guard let system = PerNodeSummary.median(baselines["system"] ?? []) else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "no baseline_rss_bytes of a system trial")
        }
        let mib = { (bytes: Double) in CalibrationFormat.number(bytes / 1_048_576) }
        let others = baselines.keys.sorted().filter { $0 != "system" }.compactMap { name in
            PerNodeSummary.median(baselines[name] ?? []).map { "\(name) \(mib($0)) MiB (+\(mib($0 - system)) MiB: the allocator's own library and arenas)" }
        }
        let verdict = goal.judge(system) { "\(mib($0)) MiB" }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text, measured: (["system \(mib(system)) MiB"] + others).joined(separator: "; "),
            result: verdict.result, shortfall: verdict.shortfall)
    }

    /// Wall time of a suite at several node counts on a least-squares line: R² above 0.99. A suite's time at a
    /// node count is the sum over its layouts of each layout's median wall time over the repetitions, so that
    /// one slow trial on a busy machine does not bend the line.
    static func linearCost(_ rows: [Row]) -> CalibrationFigure {
        let name = "linear cost", goal = CalibrationGoal(lower: 0.99, upper: nil, text: "R² ≥ 0.99")
        let method = "wall time of a suite (final-class + struct-array, glibc; per layout the median of its repetitions) at 1, 2, 4, 8 M nodes, least-squares line"
        let sizes = Set(rows.map(\.nodes)).sorted()
        let points = sizes.map { nodes -> (Double, Double?) in
            let atSize = rows.filter { $0.nodes == nodes }
            var suite = 0.0
            for layout in Set(atSize.map(\.layout)) {
                let walls = atSize.filter { $0.layout == layout }.map { $0.value("wall_ns") }
                // A trial without its wall time would bias the median: the point is unknown, not smaller.
                guard walls.allSatisfy({ $0?.isFinite == true }), let median = PerNodeSummary.median(walls.compactMap { $0 })
                else { return (Double(nodes), nil) }
                suite += median
            }
            return atSize.isEmpty ? (Double(nodes), nil) : (Double(nodes), suite / 1e9)
        }
        let known = points.compactMap { point in point.1.map { (point.0, $0) } }
        guard known.count == points.count, known.count >= 3 else {
            return .notMeasurable(name: name, method: method, goal: goal.text, missing: "wall_ns at fewer than three node counts (or a trial without it)")
        }
        let n = Double(known.count)
        let meanX = known.map(\.0).reduce(0, +) / n, meanY = known.map(\.1).reduce(0, +) / n
        let sxy = known.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let sxx = known.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        let syy = known.reduce(0) { $0 + ($1.1 - meanY) * ($1.1 - meanY) }
        let r2: Double? = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : nil
        let verdict = goal.judge(r2) { "R² \(CalibrationFormat.number($0, digits: 4))" }
        return CalibrationFigure(
            name: name, method: method, goal: goal.text,
            measured: known.map { "\(Int($0.0 / 1e6)) M: \(CalibrationFormat.number($0.1, digits: 2)) s" }.joined(separator: ", ")
                + "; R² \(CalibrationFormat.number(r2, digits: 4))",
            result: verdict.result, shortfall: verdict.shortfall)
    }
}
