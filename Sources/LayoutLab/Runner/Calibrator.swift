import Foundation
import LayoutLabSampling

/// One figure of `layoutlab calibrate`: what was measured and how, its goal, and whether it met it
/// (`passed` nil: reported, no goal).
public struct CalibrationFigure: Sendable {
    public var name: String
    public var method: String
    public var goal: String
    public var measured: String
    public var passed: Bool?
    /// By how much a missed goal was missed, in words.
    public var shortfall: String?

    public init(name: String, method: String, goal: String, measured: String, passed: Bool?, shortfall: String? = nil) {
        self.name = name
        self.method = method
        self.goal = goal
        self.measured = measured
        self.passed = passed
        self.shortfall = shortfall
    }
}

/// Measures the lab against the truth and against itself on this machine: accuracy of value and heap layouts,
/// RSS against the allocator, sampler costs and allocations, harness overhead against a hand-written loop,
/// sampling share, worker start and baseline, repeatability, and linear cost. Every run lands as a normal
/// results folder under `directory`.
public struct Calibrator: Sendable {
    public var options: RunOptions
    public var directory: URL
    public var defaultExperiment: URL
    public var log: @Sendable (String) -> Void

    public init(options: RunOptions, directory: URL, defaultExperiment: URL, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.directory = directory
        self.defaultExperiment = defaultExperiment
        self.log = log
    }

    static let accuracyExperiment = """
        { "name": "calibration-accuracy",
          "description": "layoutlab calibrate: 10 M two-field points in value and heap layouts under jemalloc, 5 repetitions.",
          "layouts": ["struct-array", "columns", "final-class"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [10000000], "allocators": ["jemalloc"], "repetitions": 5 }
        """

    /// The accuracy run's final-class trials again, with one checkpoint and neither allocator nor smaps reads:
    /// the same generated code with as little harness as the lab can have.
    static let bareExperiment = """
        { "name": "calibration-bare",
          "description": "layoutlab calibrate: the accuracy run's final-class trials with one checkpoint and no allocator or smaps sampling.",
          "layouts": ["final-class"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [10000000], "allocators": ["jemalloc"], "repetitions": 5, "checkpoints": 1,
          "sampling": {"allocator": "off", "smaps_rollup": "off"} }
        """

    static let linearExperiment = """
        { "name": "calibration-linear",
          "description": "layoutlab calibrate: suite time at 1, 2, 4 and 8 M nodes.",
          "layouts": ["final-class", "struct-array"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [1000000, 2000000, 4000000, 8000000], "allocators": ["system"], "repetitions": 1 }
        """

    public func run() throws -> [CalibrationFigure] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var figures: [CalibrationFigure] = []

        log("accuracy: 10 M nodes × struct-array, columns, final-class under jemalloc × 5 repetitions")
        let accuracy = try runExperiment(Self.accuracyExperiment, named: "accuracy")
        figures += try accuracyFigures(accuracy)

        log("samplers: cost of each at 1 GiB resident, 10 000 reads; bytes a sample allocates")
        figures += try samplerFigures()

        log("harness overhead: the lab's final-class loop against layoutlab-baseline, 10 M nodes, jemalloc")
        figures.append(try harnessFigure(accuracy))
        log("sampling disturbance: the same loop with one checkpoint and no allocator or smaps reads")
        figures.append(try disturbanceFigure(accuracy, bare: try runExperiment(Self.bareExperiment, named: "bare")))

        log("default experiment: sampling share and worker baseline (\(defaultExperiment.lastPathComponent))")
        let defaultRun = try runExperimentFile(defaultExperiment, named: "default")
        figures += try defaultRunFigures(defaultRun)
        figures.append(try workerStartFigure())

        log("linear cost: suites at 1, 2, 4, 8 M nodes")
        figures.append(try linearFigure(try runExperiment(Self.linearExperiment, named: "linear")))

        var table = CSVTable(header: ["figure", "method", "goal", "measured", "result", "shortfall"])
        for figure in figures {
            table.append([figure.name, figure.method, figure.goal, figure.measured,
                          figure.passed.map { $0 ? "pass" : "FAIL" } ?? "reported", figure.shortfall])
        }
        try AtomicFile.write(table.text, to: directory.appendingPathComponent("calibration.csv"))
        return figures
    }

    // MARK: Runs

    private func runExperiment(_ text: String, named name: String) throws -> URL {
        let file = directory.appendingPathComponent("\(name).json")
        try AtomicFile.write(text, to: file)
        return try runExperimentFile(file, named: name)
    }

    private func runExperimentFile(_ file: URL, named name: String) throws -> URL {
        let experiment = try ExperimentLoader().load(path: file.path)
        var options = options
        options.outputDirectory = directory.appendingPathComponent(name)
        let runs = try SuiteRunner(options: options).run([experiment])
        guard let run = runs.first, run.complete, run.failedTrials == 0 else {
            throw RunError("calibration run \(name) did not complete cleanly; see \(directory.appendingPathComponent(name).path)")
        }
        return run.directory
    }

    private func rows(_ folder: URL) throws -> [TrialTable.Row] { try TrialTable(directory: folder).rows }

    // MARK: Figures

    private func accuracyFigures(_ folder: URL) throws -> [CalibrationFigure] {
        let rows = try rows(folder)
        func values(_ layout: String, _ metric: String) -> [Double] { rows.filter { $0.layout == layout }.compactMap { $0.value(metric) } }
        func median(_ layout: String, _ metric: String) -> Double { PerNodeSummary.median(values(layout, metric)) ?? .nan }
        var figures: [CalibrationFigure] = []

        let stride = Double(PayloadLayout(fieldTypes: [.int64, .int64]).strideBytes)
        let errors = ["struct-array", "columns"].map { abs(median($0, "rss_bytes_per_node") / stride - 1) }
        let worst = errors.max() ?? .nan
        figures.append(CalibrationFigure(
            name: "accuracy of value layouts", method: "struct-array, columns rss_bytes_per_node vs MemoryLayout stride (16 B), 10 M nodes",
            goal: "within 1 %",
            measured: "struct-array \(format(median("struct-array", "rss_bytes_per_node"))) B, columns \(format(median("columns", "rss_bytes_per_node"))) B: worst \(percent(worst))",
            passed: worst <= 0.01, shortfall: worst <= 0.01 ? nil : "\(percent(worst - 0.01)) over"))

        // The allocator's own metadata growth (jemalloc stats.metadata) per node, from the samples.
        let metadata = try metadataGrowthPerNode(folder, layout: "final-class")
        let rss = median("final-class", "rss_bytes_per_node")
        let usable = median("final-class", "usable_bytes_per_node"), slot = median("final-class", "container_bytes_per_node")
        let expected = usable + slot + (metadata ?? 0)
        let heapError = abs(rss / expected - 1)
        let withoutMetadata = abs(rss / (usable + slot) - 1)
        figures.append(CalibrationFigure(
            name: "accuracy of heap layouts",
            method: "final-class rss_bytes_per_node vs usable + slot + jemalloc's own metadata growth (stats.metadata), 10 M nodes",
            goal: "within 2 %",
            measured: "\(format(rss)) B vs \(format(usable)) + \(format(slot)) + \(format(metadata ?? .nan)) = \(format(expected)) B: \(percent(heapError)) (\(percent(withoutMetadata)) if jemalloc's slab metadata is left out)",
            passed: heapError <= 0.02, shortfall: heapError <= 0.02 ? nil : "\(percent(heapError - 0.02)) over"))

        let active = median("final-class", "allocator_active_bytes_per_node")
        let rssError = abs(rss / active - 1)
        figures.append(CalibrationFigure(
            name: "RSS vs allocator", method: "final-class RSS growth vs jemalloc stats.active growth per node",
            goal: "within 2 %", measured: "\(format(rss)) vs \(format(active)) B/node: \(percent(rssError))",
            passed: rssError <= 0.02, shortfall: rssError <= 0.02 ? nil : "\(percent(rssError - 0.02)) over"))

        let cvs = ["struct-array", "columns", "final-class"].map { layout -> (String, Double) in
            let v = values(layout, "rss_bytes_per_node")
            let mean = v.reduce(0, +) / Double(max(v.count, 1))
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(v.count - 1, 1))
            return (layout, mean > 0 ? variance.squareRoot() / mean : .nan)
        }
        let worstCV = cvs.map(\.1).max() ?? .nan
        figures.append(CalibrationFigure(
            name: "repeatability", method: "coefficient of variation of rss_bytes_per_node over 5 repetitions, per layout",
            goal: "< 1 %", measured: cvs.map { "\($0.0) \(percent($0.1, digits: 3))" }.joined(separator: ", "),
            passed: worstCV < 0.01, shortfall: worstCV < 0.01 ? nil : "\(percent(worstCV - 0.01)) over"))
        return figures
    }

    private func metadataGrowthPerNode(_ folder: URL, layout: String) throws -> Double? {
        let samples = try ResultsFolder.open(folder).sampleRows.filter { ($0["trial_id"] ?? "").contains(".\(layout).") && $0["phase_index"] == "0" }
        var growth: [Double] = []
        for id in Set(samples.compactMap { $0["trial_id"] }) {
            let trial = samples.filter { $0["trial_id"] == id }
            guard let first = trial.first.flatMap({ Double($0["allocator_metadata_bytes"] ?? "") }),
                let last = trial.last.flatMap({ Double($0["allocator_metadata_bytes"] ?? "") }),
                let nodes = trial.last.flatMap({ Double($0["nodes_alive"] ?? "") }), nodes > 0
            else { continue }
            growth.append((last - first) / nodes)
        }
        return PerNodeSummary.median(growth)
    }

    private func samplerFigures() throws -> [CalibrationFigure] {
        let jemalloc = try SharedLibraryResolver().resolve("libjemalloc.so.2").get()
        guard let output = ExternalCommand.run(
            ["/usr/bin/env", "LD_PRELOAD=\(jemalloc)", options.workerPath, "--calibrate-samplers", "1024", "10000"]),
            output.status == 0
        else { throw RunError("the worker's sampler benchmark failed") }
        try AtomicFile.write(output.text, to: directory.appendingPathComponent("samplers.tsv"))
        var costs: [(String, Double, Double)] = []
        var allocated: Int?
        for line in output.text.split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if parts.first == "sampler", parts.count == 5, let median = Double(parts[2]), let p99 = Double(parts[3]) {
                costs.append((parts[1], median, p99))
            } else if parts.first == "allocation", parts.count == 2 {
                allocated = Int(parts[1])
            }
        }
        let cheap = costs.first { $0.0.hasPrefix("cheap-tier") }?.1 ?? .nan
        return [
            CalibrationFigure(
                name: "sample cost", method: "ns per read of each sampler, median (p99) of 10 000 (smaps_rollup: 100), 1 GiB resident, jemalloc",
                goal: "cheap tier (statm + allocator counters) < 20 µs",
                measured: costs.map { "\($0.0) \(microseconds($0.1)) (\(microseconds($0.2)))" }.joined(separator: "; "),
                passed: cheap < 20_000, shortfall: cheap < 20_000 ? nil : "\(microseconds(cheap - 20_000)) over"),
            CalibrationFigure(
                name: "sample allocations", method: "jemalloc thread.allocated before and after 100 whole samples (every sampler)",
                goal: "0 bytes", measured: allocated.map { "\($0) bytes" } ?? "unmeasured",
                passed: allocated == 0, shortfall: allocated.map { $0 == 0 ? nil : "\($0) bytes" } ?? "no reading"),
        ]
    }

    private func harnessFigure(_ accuracy: URL) throws -> CalibrationFigure {
        let lab = PerNodeSummary.median(try finalClassAllocateNs(accuracy)) ?? .nan
        let baseline = URL(fileURLWithPath: options.workerPath).deletingLastPathComponent().appendingPathComponent("layoutlab-baseline").path
        let jemalloc = try SharedLibraryResolver().resolve("libjemalloc.so.2").get()
        var handWritten: [Double] = []
        for _ in 0..<5 {
            guard let output = ExternalCommand.run(["/usr/bin/env", "LD_PRELOAD=\(jemalloc)", baseline, "10000000"]), output.status == 0,
                let value = output.text.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) })
            else { throw RunError("\(baseline) did not run; build it with `swift build -c release`") }
            handWritten.append(value)
        }
        let hand = PerNodeSummary.median(handWritten) ?? .nan
        let ratio = lab / hand
        return CalibrationFigure(
            name: "harness overhead",
            method: "final-class allocate ns/node with default checkpoints (median of 5) vs layoutlab-baseline's hand-written loop (median of 5 fresh processes), 10 M nodes, jemalloc",
            goal: "ratio ≤ 1.10", measured: "\(format(lab)) vs \(format(hand)) ns/node: ratio \(format(ratio, digits: 3))",
            passed: ratio <= 1.10, shortfall: ratio <= 1.10 ? nil : "ratio \(format(ratio - 1.10, digits: 3)) over")
    }

    /// Sampling time is excluded from ns/node, but reading /proc and the allocator between chunks of the loop
    /// can still slow the loop itself (caches, TLB, the allocator's own bookkeeping): this shows by how much.
    /// Reported with each side's range rather than judged: on a busy virtual machine the spread of 5 fresh
    /// processes can be wider than the effect.
    private func disturbanceFigure(_ accuracy: URL, bare: URL) throws -> CalibrationFigure {
        func summary(_ values: [Double]) -> String {
            "\(format(PerNodeSummary.median(values) ?? .nan)) [\(format(values.min() ?? .nan))–\(format(values.max() ?? .nan))]"
        }
        let sampled = try finalClassAllocateNs(accuracy), quiet = try finalClassAllocateNs(bare)
        let ratio = (PerNodeSummary.median(sampled) ?? .nan) / (PerNodeSummary.median(quiet) ?? .nan)
        return CalibrationFigure(
            name: "sampling disturbance",
            method: "final-class allocate ns/node with default checkpoints and allocator reads vs the same loop with 1 checkpoint and no allocator or smaps reads (its library generated for final-class alone); medians [min–max] of 5 fresh processes each, 10 M nodes, jemalloc",
            goal: "reported", measured: "\(summary(sampled)) vs \(summary(quiet)) ns/node: ratio \(format(ratio, digits: 3))",
            passed: nil)
    }

    /// allocate ns/node of every final-class trial in a calibration folder.
    private func finalClassAllocateNs(_ folder: URL) throws -> [Double] {
        try rows(folder).filter { $0.layout == "final-class" }.compactMap { $0.value("allocate_ns_per_node") }
    }

    private func defaultRunFigures(_ folder: URL) throws -> [CalibrationFigure] {
        let rows = try rows(folder)
        var sampling = 0.0, work = 0.0
        var worst: (String, Double) = ("", 0)
        var baselines: [String: [Double]] = [:]
        for row in rows {
            guard let ns = row.value("allocate_ns_per_node"), let sampled = row.value("sampling_ns") else { continue }
            sampling += sampled
            work += ns * Double(row.nodes)
            if let share = row.value("sampling_fraction"), share > worst.1 { worst = (row.cells["trial_id"] ?? "", share) }
            if let baseline = row.value("baseline_rss_bytes") { baselines[row.allocator, default: []].append(baseline) }
        }
        let share = sampling / (sampling + work)
        // The goal is on the harness's own footprint: the worker under the C library's allocator. Another
        // allocator adds its own library and arenas, reported beside it.
        let baseline = PerNodeSummary.median(baselines["system"] ?? []) ?? .nan
        let others = baselines.keys.sorted().filter { $0 != "system" }.compactMap { name in
            PerNodeSummary.median(baselines[name] ?? []).map { "\(name) \(format($0 / 1_048_576)) MiB (+\(format(($0 - baseline) / 1_048_576)) MiB: the allocator's own library and arenas)" }
        }
        return [
            CalibrationFigure(
                name: "sampling share", method: "time spent sampling ÷ phase time (work + sampling), all trials of the default experiment",
                goal: "< 5 %", measured: "\(percent(share)) (worst trial \(worst.0): \(percent(worst.1)))",
                passed: share < 0.05, shortfall: share < 0.05 ? nil : "\(percent(share - 0.05)) over"),
            CalibrationFigure(
                name: "worker baseline RSS",
                method: "RSS of a worker before its first node, glibc's malloc (median over the default experiment's system trials)",
                goal: "< 8 MiB", measured: (["system \(format(baseline / 1_048_576)) MiB"] + others).joined(separator: "; "),
                passed: baseline < 8 * 1_048_576, shortfall: baseline < 8 * 1_048_576 ? nil : "\(format(baseline / 1_048_576 - 8)) MiB over"),
        ]
    }

    private func workerStartFigure() throws -> CalibrationFigure {
        var times: [Double] = []
        for _ in 0..<10 {
            let start = MonotonicClock.nowNanoseconds()
            guard let output = ExternalCommand.run([options.workerPath, "--calibrate-samplers", "0", "1"]), output.status == 0 else {
                throw RunError("the worker did not start")
            }
            times.append(Double(MonotonicClock.nowNanoseconds() - start))
        }
        let median = PerNodeSummary.median(times) ?? .nan
        return CalibrationFigure(
            name: "worker start", method: "runner spawns a worker until it has opened /proc, sampled once and exited (median of 10)",
            goal: "reported", measured: "\(format(median / 1e6)) ms", passed: nil)
    }

    private func linearFigure(_ folder: URL) throws -> CalibrationFigure {
        let rows = try rows(folder)
        let sizes = Set(rows.map(\.nodes)).sorted()
        let points = sizes.map { nodes -> (Double, Double) in
            (Double(nodes), rows.filter { $0.nodes == nodes }.compactMap { $0.value("wall_ns") }.reduce(0, +) / 1e9)
        }
        let n = Double(points.count)
        let meanX = points.map(\.0).reduce(0, +) / n, meanY = points.map(\.1).reduce(0, +) / n
        let sxy = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let sxx = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        let syy = points.reduce(0) { $0 + ($1.1 - meanY) * ($1.1 - meanY) }
        let r2 = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : .nan
        return CalibrationFigure(
            name: "linear cost", method: "wall time of a suite (final-class + struct-array, glibc) at 1, 2, 4, 8 M nodes, least-squares line",
            goal: "R² > 0.99",
            measured: points.map { "\(Int($0.0 / 1e6)) M: \(format($0.1, digits: 2)) s" }.joined(separator: ", ") + "; R² \(format(r2, digits: 4))",
            passed: r2 > 0.99, shortfall: r2 > 0.99 ? nil : "R² \(format(0.99 - r2, digits: 4)) short")
    }

    // MARK: Formatting

    func format(_ value: Double, digits: Int = 2) -> String { Rounded.text(value, digits: digits) }

    func percent(_ fraction: Double, digits: Int = 2) -> String { "\(format(fraction * 100, digits: digits)) %" }

    func microseconds(_ ns: Double) -> String { "\(format(ns / 1000, digits: 1)) µs" }
}
