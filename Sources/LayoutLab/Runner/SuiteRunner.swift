import Foundation
import LayoutLabSampling

/// How `layoutlab run` runs: where results go, which worker and compiler it uses, how long a trial may take.
public struct RunOptions: Sendable {
    /// With one experiment, the results folder itself; with several, the parent of one folder each.
    /// Nil: `results/<experiment>/<UTC timestamp>/`.
    public var outputDirectory: URL?
    public var resultsRoot: URL
    public var workerPath: String
    public var swiftc: String
    public var cacheDirectory: URL
    /// Used for experiments that set no `trial_timeout_seconds` of their own.
    public var trialTimeoutSeconds: Double
    /// Record trials that would not fit in memory as `skipped` instead of refusing the run.
    public var skipOversized: Bool
    /// Progress lines on stderr (see `ProgressReporter`); off with `--quiet`.
    public var showProgress: Bool
    public var commandLine: [String]
    public var interruption: RunInterruption?
    /// Run only this slice of each experiment's trials.
    public var shard: Shard?

    public init(
        outputDirectory: URL? = nil, resultsRoot: URL = URL(fileURLWithPath: "results"),
        workerPath: String = WorkerLauncher.siblingWorkerPath(), swiftc: String,
        cacheDirectory: URL = LayoutLibraryBuilder.defaultCacheDirectory, trialTimeoutSeconds: Double = 3600,
        skipOversized: Bool = false, showProgress: Bool = true,
        commandLine: [String] = CommandLine.arguments, interruption: RunInterruption? = nil
    ) {
        self.outputDirectory = outputDirectory
        self.resultsRoot = resultsRoot
        self.workerPath = workerPath
        self.swiftc = swiftc
        self.cacheDirectory = cacheDirectory
        self.trialTimeoutSeconds = trialTimeoutSeconds
        self.skipOversized = skipOversized
        self.showProgress = showProgress
        self.commandLine = commandLine
        self.interruption = interruption
    }
}

/// The results of one experiment: where they were written and every recorded trial.
public struct ExperimentRun: Sendable {
    public var experiment: Experiment
    public var directory: URL
    public var records: [TrialRecord]
    /// The rows of `phases.csv`, by column name.
    public var phaseRows: [[String: String]] = []
    /// False when the run was stopped before every trial was recorded.
    public var complete: Bool = true

    public var failedTrials: Int { records.filter { $0.status != .ok }.count }
}

/// Runs experiments trial by trial, one fresh worker each, recording every finished trial on disk before the
/// next starts (see `ResultsFolder`).
public struct SuiteRunner: Sendable {
    public var options: RunOptions

    public init(options: RunOptions) { self.options = options }

    public func run(_ experiments: [Experiment]) throws -> [ExperimentRun] {
        try checkWorker()
        let timestamp = Self.folderTimestamp()
        let progress = ProgressReporter(enabled: options.showProgress)
        defer { progress.finish() }
        func directory(of experiment: Experiment) -> URL {
            if let out = options.outputDirectory {
                return experiments.count == 1 ? out : out.appendingPathComponent(experiment.name)
            }
            return options.resultsRoot.appendingPathComponent(experiment.name).appendingPathComponent(timestamp)
        }
        // Everything that can refuse the run does so before the first trial of the first experiment: a folder
        // that already holds a run, generated code that does not compile, trials that cannot fit in memory.
        // Each experiment's code is compiled (and checked) here once; its run below uses it.
        var compiled: [CompiledLayouts] = []
        for experiment in experiments {
            let target = directory(of: experiment)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw RunError("\(target.path) is a file, not a results folder") }
                if FileManager.default.fileExists(atPath: target.appendingPathComponent(ResultsFolder.trialsFile).path)
                    || FileManager.default.fileExists(atPath: target.appendingPathComponent(ResultsFolder.environmentFile).path)
                {
                    throw RunError("\(target.path) already holds a run; finish it with --resume, or choose another --out")
                }
            }
            compiled.append(try compiledLibrary(for: experiment))
            _ = try preflight((options.shard?.trials(of: experiment) ?? TrialPlan.trials(for: experiment)), experiment: experiment)
        }
        var runs: [ExperimentRun] = []
        for (experiment, code) in zip(experiments, compiled) {
            if options.interruption?.isStopped == true { break }
            let directory = directory(of: experiment)
            let folder = try ResultsFolder(creating: directory, experiment: experiment)
            runs.append(try run(into: folder, compiled: code, previous: nil, progress: progress))
            if options.outputDirectory == nil { try Self.pointLatest(at: directory) }
        }
        return runs
    }

    /// Finishes a stopped run: loads the folder's copy of the experiment, keeps every recorded trial and runs
    /// only the ones missing from `trials.csv`.
    public func resume(_ directory: URL) throws -> ExperimentRun {
        try checkWorker()
        let environmentURL = directory.appendingPathComponent(ResultsFolder.environmentFile)
        guard let data = FileManager.default.contents(atPath: environmentURL.path) else {
            throw RunError("\(directory.path) is not a results folder: it has no \(ResultsFolder.environmentFile)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let previous = try decoder.decode(EnvironmentRecord.self, from: data)
        let copy = directory.appendingPathComponent(ResultsFolder.experimentFile)
        let experiment = try ExperimentLoader().load(path: copy.path)
        if let recorded = previous.experiment.sha256, let now = EnvironmentProbe.sha256(of: copy.path), recorded != now {
            throw RunError("\(copy.path) changed since the run started (sha256 \(now), recorded \(recorded)); refusing to mix results")
        }
        // The runner is the folder's only writer: temporary files of a killed run can go.
        AtomicFile.removeLeftovers(in: directory)
        let folder = try ResultsFolder(resuming: directory, experiment: experiment)
        let progress = ProgressReporter(enabled: options.showProgress)
        defer { progress.finish() }
        return try run(into: folder, compiled: try compiledLibrary(for: experiment), previous: previous, progress: progress)
    }

    private func checkWorker() throws {
        guard FileManager.default.isExecutableFile(atPath: options.workerPath) else {
            throw RunError("the worker \(options.workerPath) does not exist; build it with `swift build -c release`")
        }
    }

    /// An experiment's generated layout code, compiled (cached) and checked against `PayloadLayout`.
    private struct CompiledLayouts {
        var source: String
        var library: URL
        var compilerVersion: String
    }

    private func compiledLibrary(for experiment: Experiment) throws -> CompiledLayouts {
        let source = LayoutSourceGenerator().source(shapes: experiment.shapes, layouts: experiment.layouts)
        let builder = LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory)
        let version = try builder.compilerVersion()
        let library = try builder.library(for: source, compilerVersion: version)
        try CompiledLayoutLibrary(path: library).verify(shapes: experiment.shapes)
        return CompiledLayouts(source: source, library: library, compilerVersion: version)
    }

    private func run(
        into folder: ResultsFolder, compiled: CompiledLayouts, previous: EnvironmentRecord?, progress: ProgressReporter
    ) throws -> ExperimentRun {
        let experiment = folder.experiment
        let library = compiled.library
        try AtomicFile.write(compiled.source, to: folder.url(ResultsFolder.generatedSourceFile))

        let resolver = SharedLibraryResolver()
        var allocators: [String: ResolvedAllocator] = [:]
        for spec in experiment.allocators { allocators[spec.name] = try ResolvedAllocator.resolve(spec, with: resolver) }

        var environment = previous ?? EnvironmentRecord(
            machine: EnvironmentProbe.machine(),
            toolchain: EnvironmentRecord.Toolchain(
                swiftVersion: compiled.compilerVersion, generatedCodeFlags: LayoutLibraryBuilder.compilerFlags,
                labBuildConfiguration: EnvironmentProbe.labBuildConfiguration),
            lab: EnvironmentProbe.lab(commandLine: options.commandLine),
            experiment: EnvironmentRecord.ExperimentFile(
                name: experiment.name, path: experiment.sourcePath,
                sha256: EnvironmentProbe.sha256(of: experiment.sourcePath), generatedSource: ResultsFolder.generatedSourceFile),
            allocators: experiment.allocators.compactMap { allocators[$0.name]?.record }, python: experiment.python,
            startedUtc: EnvironmentProbe.utcTimestamp(), finishedUtc: nil, status: "running")
        if previous != nil {
            environment.resumedUtc = (environment.resumedUtc ?? []) + [EnvironmentProbe.utcTimestamp()]
            environment.status = "running"
            environment.stopReason = nil
        }
        // The shard is on disk before the first trial, so that even a SIGKILLed run resumes its own slice.
        let shard = previous?.shard ?? options.shard
        environment.shard = shard
        let environmentURL = folder.url(ResultsFolder.environmentFile)
        try environment.write(to: environmentURL)
        try FileManager.default.createDirectory(at: folder.workersDirectory, withIntermediateDirectories: true)

        let done = folder.finishedTrialIDs
        let trials = (shard?.trials(of: experiment) ?? TrialPlan.trials(for: experiment)).filter { !done.contains($0.id) }
        let oversized = try preflight(trials, experiment: experiment)
        let launcher = WorkerLauncher(
            workerPath: options.workerPath, timeoutSeconds: experiment.trialTimeoutSeconds ?? options.trialTimeoutSeconds)
        var complete = true
        progress.beginExperiment()
        for (index, trial) in trials.enumerated() {
            if options.interruption?.isStopped == true {
                complete = false
                break
            }
            progress.willStart(trial, index: index, of: trials)
            if let message = oversized[trial.id] {
                let result = TrialResult(trial: trial, status: .skipped, message: message)
                progress.report(failure: result)
                try folder.record(result)
                continue
            }
            guard let allocator = allocators[trial.allocator.name] else { throw RunError("allocator \(trial.allocator.name) was not resolved") }
            let request = WorkerRequest(
                trialID: trial.id, libraryPath: library.path,
                entrySymbol: trial.layout.isPython
                    ? "\(trial.layout.rawValue)|\(trial.shape.fieldSummary)"
                    : LayoutSourceGenerator.entrySymbol(shapeIndex: trial.shapeIndex, layout: trial.layout),
                nodes: trial.nodes, checkpoints: experiment.checkpoints, smaps: experiment.smaps,
                allocatorSchedule: experiment.allocatorSchedule ?? (trial.allocator.statistics == .mallinfo2 ? .boundaries : .every),
                allocatorStatistics: trial.allocator.statistics, expectedMallocProvider: allocator.providerPath,
                probeNodes: Self.probeNodes(for: trial, in: experiment), phases: experiment.phases, seed: experiment.seed)
            var environment = trial.allocator.environment
            var program: [String]?
            if trial.layout.isPython {
                guard let python = experiment.python, let script = PythonInterpreter.workerScript else {
                    throw RunError("no Python interpreter or worker script for \(trial.id)")
                }
                program = [python.path, script.path]
                // pymalloc would serve small objects from its own arenas, hiding them from the allocator measured;
                // an entry that sets PYTHONMALLOC itself (pymalloc under GLIBC_TUNABLES, say) keeps its own.
                if trial.allocator.name != AllocatorSpec.pymalloc.name, trial.allocator.environment["PYTHONMALLOC"] == nil {
                    environment["PYTHONMALLOC"] = "malloc"
                }
            }
            let result = launcher.run(
                request, trial: trial, preload: allocator.preload, environment: environment,
                logURL: folder.logURL(for: trial), interruption: options.interruption, program: program)
            if options.interruption?.isStopped == true {
                // The worker was killed by the stop, not by its own fault: the trial is missing, not failed.
                complete = false
                break
            }
            if result.status != .ok { progress.report(failure: result) }
            try folder.record(result)
        }
        // The derived tables gnuplot draws from, so `gnuplot -e "results='DIR'" plot.gnuplot` works on any folder.
        try ChartDataWriter.write(for: folder)
        environment.finishedUtc = EnvironmentProbe.utcTimestamp()
        environment.status = complete ? "complete" : "incomplete"
        if !complete { environment.stopReason = options.interruption?.reason }
        try environment.write(to: environmentURL)
        folder.tidy()
        var run = folder.run
        run.complete = complete
        return run
    }

    /// Trials whose estimated peak memory exceeds `MemAvailable`, with the message that names the figures.
    /// Without `skipOversized`, any such trial refuses the whole run before it starts.
    private func preflight(_ trials: [Trial], experiment: Experiment) throws -> [String: String] {
        guard let available = MemoryPreflight.availableBytes() else { return [:] }
        let oversized = MemoryPreflight.oversizedTrials(trials, of: experiment, availableBytes: available)
        if !oversized.isEmpty, !options.skipOversized {
            let lines = oversized.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
            throw PreflightError(description: "\(oversized.count) trial(s) of \(experiment.name) cannot fit in memory:\n\(lines)\nreduce `nodes`, free memory, or pass --skip-oversized to record them as skipped")
        }
        return oversized
    }

    /// Makes `results/<experiment>/latest` a symbolic link to the run just finished.
    static func pointLatest(at directory: URL) throws {
        let link = directory.deletingLastPathComponent().appendingPathComponent("latest")
        let temporary = directory.deletingLastPathComponent().appendingPathComponent(".latest-\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: directory.lastPathComponent)
        try AtomicFile.moveIntoPlace(temporary, at: link)
    }

    /// Heap layouts are probed on `probe_nodes` nodes: every node is its own allocation, so a sample gives the
    /// per-node sizes. Value layouts make one allocation per array whose size class depends on the node
    /// count, so their probe builds all N nodes (0 turns every probe off).
    static func probeNodes(for trial: Trial, in experiment: Experiment) -> Int {
        guard experiment.probeNodes > 0 else { return 0 }
        return trial.layout.isHeapObject ? min(experiment.probeNodes, trial.nodes) : trial.nodes
    }

    public static func folderTimestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}

/// The run cannot go on (missing worker, compiler failure, unwritable results folder).
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Trials would not fit in memory and `--skip-oversized` was not given; nothing ran.
public struct PreflightError: Error, CustomStringConvertible {
    public let description: String
}
