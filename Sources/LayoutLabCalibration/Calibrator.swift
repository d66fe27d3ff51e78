import Foundation
import LayoutLabAnalysis
import LayoutLabCodegen
import LayoutLabExperiments
import LayoutLabHost
import LayoutLabModel
import LayoutLabProtocol
import LayoutLabResults
import LayoutLabRunner
import LayoutLabSampling
import LayoutLabTables

/// Measures the lab against the truth and against itself on this machine: accuracy of value and heap layouts,
/// RSS against the allocator, sampler costs and allocations, harness overhead against a hand-written loop
/// (instructions by callgrind, time beside), sampling share, worker start and baseline, repeatability, and
/// linear cost. Every run lands as a normal results folder under `directory`; the figures themselves are
/// computed by `CalibrationFigures` from what the runs left.
package struct Calibrator: Sendable {
    package var options: RunOptions
    package var directory: URL
    package var defaultExperiment: URL
    package var log: @Sendable (String) -> Void

    package init(options: RunOptions, directory: URL, defaultExperiment: URL, log: @escaping @Sendable (String) -> Void) {
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
          "description": "layoutlab calibrate: suite time at 1, 2, 4 and 8 M nodes, median of 3 repetitions per layout.",
          "layouts": ["final-class", "struct-array"],
          "shapes": [ { "name": "point", "fields": [ {"name": "x", "type": "int64"}, {"name": "y", "type": "int64"} ] } ],
          "nodes": [1000000, 2000000, 4000000, 8000000], "allocators": ["system"], "repetitions": 3 }
        """

    /// Nodes of the harness loops timed (as the accuracy run) and counted under callgrind (fewer: it runs
    /// them some 50 times slower, and instructions per node do not depend on the count).
    static let timedNodes = 10_000_000
    static let countedNodes = 1_000_000

    package func run() throws -> [CalibrationFigure] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var figures: [CalibrationFigure] = []

        log("accuracy: 10 M nodes × struct-array, columns, final-class under jemalloc × 5 repetitions")
        let accuracy = rows(try runExperiment(Self.accuracyExperiment, named: "accuracy"))
        let stride = Double(PayloadLayout(fieldTypes: [.int64, .int64]).strideBytes)
        let accuracyFolder = try ResultsFolder.open(directory.appendingPathComponent("accuracy"))
        let metadata = CalibrationFigures.metadataGrowthPerNode(
            samples: accuracyFolder.sampleRows, trials: TrialIDIndex(experiment: accuracyFolder.experiment), layout: .finalClass)
        figures += [
            CalibrationFigures.valueAccuracy(accuracy, strideBytes: stride),
            CalibrationFigures.heapAccuracy(accuracy, metadataBytesPerNode: metadata),
            CalibrationFigures.rssVsAllocator(accuracy),
            CalibrationFigures.repeatability(accuracy, layouts: ["struct-array", "columns", "final-class"]),
        ]

        log("samplers: cost of each at 1 GiB resident, 10 000 reads; bytes a sample allocates")
        let samplers = try samplerBenchmark()
        figures += [CalibrationFigures.sampleCost(samplers), CalibrationFigures.sampleAllocations(samplers)]

        log("harness overhead: the lab's final-class loop against layoutlab-baseline: time at 10 M nodes, instructions at 1 M under callgrind")
        figures.append(try harnessFigure(accuracy))
        log("sampling disturbance: the same loop with one checkpoint and no allocator or smaps reads")
        let bare = rows(try runExperiment(Self.bareExperiment, named: "bare"))
        figures.append(CalibrationFigures.disturbance(sampled: Self.finalClassNs(accuracy), quiet: Self.finalClassNs(bare)))

        log("default experiment: sampling share and worker baseline (\(defaultExperiment.lastPathComponent))")
        let defaultRun = rows(try runExperimentFile(defaultExperiment, named: "default"))
        figures += [CalibrationFigures.samplingShare(defaultRun), CalibrationFigures.workerBaseline(defaultRun)]
        figures.append(CalibrationFigures.workerStart(nanoseconds: try workerStartTimes()))

        log("linear cost: suites at 1, 2, 4, 8 M nodes")
        figures.append(CalibrationFigures.linearCost(rows(try runExperiment(Self.linearExperiment, named: "linear"))))

        var table = CSVTable(header: ["figure", "method", "goal", "measured", "result", "shortfall"])
        for figure in figures {
            table.append([figure.name, figure.method, figure.goal, figure.measured, figure.result.rawValue, figure.shortfall])
        }
        try AtomicFile.write(table.text, to: directory.appendingPathComponent("calibration.csv"))
        return figures
    }

    // MARK: Runs

    private func runExperiment(_ text: String, named name: String) throws -> ExperimentRun {
        let file = directory.appendingPathComponent("\(name).json")
        try AtomicFile.write(text, to: file)
        return try runExperimentFile(file, named: name)
    }

    private func runExperimentFile(_ file: URL, named name: String) throws -> ExperimentRun {
        let experiment = try ExperimentLoader.checkingThisHost.load(path: file.path)
        var options = options
        options.outputDirectory = directory.appendingPathComponent(name)
        let runs = try SuiteRunner(options: options).run([experiment])
        guard let run = runs.first, run.complete, run.failedTrials == 0 else {
            throw CalibrationError.runNotClean(name: name, folder: directory.appendingPathComponent(name).path)
        }
        return run
    }

    /// The run's trial rows from its records in memory, not its `trials.csv` read back.
    private func rows(_ run: ExperimentRun) -> [TrialTable.Row] { TrialTable(run: run).rows }

    /// allocate ns/node of every final-class trial.
    static func finalClassNs(_ rows: [TrialTable.Row]) -> [Double] {
        CalibrationFigures.values(rows, layout: "final-class", "allocate_ns_per_node")
    }

    private var jemalloc: String {
        get throws {
            switch SharedLibraryResolver().resolve("libjemalloc.so.2") {
            case .success(let path): return path
            case .failure(let problem): throw CalibrationError.jemallocUnusable(problem)
            }
        }
    }

    private func samplerBenchmark() throws -> SamplerBenchmarkReport {
        guard let output = ExternalCommand.run(
            ["/usr/bin/env", "LD_PRELOAD=\(try jemalloc)", options.workerPath, "--calibrate-samplers", "1024", "10000"]),
            output.status == 0
        else { throw CalibrationError.samplerBenchmarkFailed }
        try AtomicFile.write(output.text, to: directory.appendingPathComponent("samplers.tsv"))
        return SamplerBenchmarkReport(parsing: output.text)
    }

    private var baselinePath: String {
        URL(fileURLWithPath: options.workerPath).deletingLastPathComponent().appendingPathComponent("layoutlab-baseline").path
    }

    /// The harness figure: time in alternating pairs of fresh processes (the hand-written loop, then the lab's
    /// worker running one final-class trial as the accuracy run does), so that drift on a busy machine falls
    /// on both; then instructions of each loop under callgrind.
    private func harnessFigure(_ accuracy: [TrialTable.Row]) throws -> CalibrationFigure {
        let jemalloc = try jemalloc
        let library = try finalClassLibrary()
        var handWritten: [BaselineLine] = [], labNs: [Double] = []
        for _ in 0..<5 {
            guard let output = ExternalCommand.run(["/usr/bin/env", "LD_PRELOAD=\(jemalloc)", baselinePath, String(Self.timedNodes)]),
                output.status == 0, let line = output.text.split(separator: "\n").first.flatMap(BaselineLine.init(parsing:))
            else { throw CalibrationError.baselineDidNotRun(path: baselinePath) }
            handWritten.append(line)
            let request = labRequest(library: library, jemalloc: jemalloc, nodes: Self.timedNodes)
            guard let worker = ExternalCommand.run(["/usr/bin/env", "LD_PRELOAD=\(jemalloc)", options.workerPath] + request.arguments),
                worker.status == 0, let ns = WorkerAllocateTime.nsPerNode(workerOutput: worker.text)
            else { throw CalibrationError.harnessTrialFailed }
            labNs.append(ns)
        }
        var lab = HarnessSide(
            instructionsPerNode: nil, nsPerNode: labNs,
            minorFaultsPerNode: CalibrationFigures.values(accuracy, layout: "final-class", "allocate_minor_faults_per_node"))
        var baseline = HarnessSide(
            instructionsPerNode: nil, nsPerNode: handWritten.map(\.nsPerNode), minorFaultsPerNode: handWritten.compactMap(\.minorFaultsPerNode))
        var missing: [String] = []
        if let counter = CallgrindFunctionCounter.locate() {
            let nodes = Double(Self.countedNodes)
            // Under valgrind both programs run as copies without DWARF, as the runner's callgrind trials do.
            let stripped = directory.appendingPathComponent("stripped")
            defer { try? FileManager.default.removeItem(at: stripped) }
            do {
                let program = try DebugInfoStrippedCopy.make(of: baselinePath, in: stripped)
                baseline.instructionsPerNode = Double(try counter.instructions(
                    of: [program, String(Self.countedNodes)], environment: ["LD_PRELOAD": jemalloc],
                    inside: "layoutlab_baseline_build_points", excluding: [],
                    outputFile: directory.appendingPathComponent("callgrind.baseline.out"))) / nodes
            } catch {
                missing.append("hand-written loop: \(error)")
            }
            // Sampling is left out of the count as the clock leaves it out of the time.
            do {
                let worker = try DebugInfoStrippedCopy.make(of: options.workerPath, in: stripped)
                let request = labRequest(library: library, jemalloc: jemalloc, nodes: Self.countedNodes)
                lab.instructionsPerNode = Double(try counter.instructions(
                    of: [worker] + request.arguments, environment: ["LD_PRELOAD": jemalloc],
                    inside: Self.harnessSymbol, excluding: ["layoutlab_worker_checkpoint"],
                    outputFile: directory.appendingPathComponent("callgrind.lab.out"))) / nodes
            } catch {
                missing.append("lab: \(error)")
            }
        } else {
            missing.append("valgrind is not installed (`make deps` installs it)")
        }
        return CalibrationFigures.harness(
            lab: lab, baseline: baseline, countedNodes: Self.countedNodes, timedNodes: Self.timedNodes,
            countsMissing: missing.isEmpty ? nil : missing.joined(separator: "; "))
    }

    /// The generated library of the point shape in the final-class layout, with the default (checked) flags:
    /// the bare run's library, so usually already in the cache.
    private func finalClassLibrary() throws -> URL {
        let point = Shape(name: "point", fields: [Field(name: "x", type: .int64), Field(name: "y", type: .int64)])
        return try LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory).library(
            for: LayoutSourceGenerator().source(shapes: [point], layouts: [.finalClass]),
            flags: LayoutLibraryBuilder.compilerFlags(exclusivity: .checked))
    }

    /// The harness trial's entry point: the point shape's final-class layout.
    private static let harnessSymbol = LayoutSourceGenerator.entrySymbol(shapeIndex: 0, layout: .finalClass)

    /// One final-class trial as the accuracy run's: 100 checkpoints, allocator statistics at each, smaps at the
    /// boundaries; no probe.
    private func labRequest(library: URL, jemalloc: String, nodes: Int) -> WorkerRequest {
        WorkerRequest(
            trialID: "calibration.final-class.harness",
            layout: .generated(libraryPath: library.path, entrySymbol: Self.harnessSymbol), nodes: nodes,
            checkpoints: Experiment.defaultCheckpoints, smaps: .boundaries, allocatorSchedule: .every, allocatorStatistics: .jemalloc,
            expectedMallocProvider: jemalloc, probeNodes: 0)
    }

    private func workerStartTimes() throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<10 {
            let start = MonotonicClock.nowNanoseconds()
            guard let output = ExternalCommand.run([options.workerPath, "--calibrate-samplers", "0", "1"]), output.status == 0 else {
                throw CalibrationError.workerDidNotStart
            }
            times.append(Double(MonotonicClock.nowNanoseconds() - start))
        }
        return times
    }
}
