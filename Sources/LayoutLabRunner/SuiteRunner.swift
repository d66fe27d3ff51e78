import Foundation
import LayoutLabCodegen
import LayoutLabHost
import LayoutLabModel
import LayoutLabReports
import LayoutLabResults
import LayoutLabSampling

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
        let targets = experiments.map(directory(of:))
        for target in targets { try Self.refuseOccupied(target) }
        // Compiling and the memory preflight would disturb, and be disturbed by, another run's trials.
        let lockWait = try takeLabLock(experiments.map(\.name))
        // While this run waited, another may have written into the same folder.
        for target in targets { try Self.refuseOccupied(target) }
        var compiled: [CompiledLayouts] = []
        for experiment in experiments {
            compiled.append(try compiledLibrary(for: experiment))
            _ = try preflight((options.shard?.trials(of: experiment) ?? TrialPlan.trials(for: experiment)), experiment: experiment)
        }
        var runs: [ExperimentRun] = []
        for (experiment, code) in zip(experiments, compiled) {
            if options.interruption?.isStopped == true { break }
            let directory = directory(of: experiment)
            let folder = try ResultsFolder(creating: directory, experiment: experiment)
            let allocators = try Self.resolveAllocators(of: experiment)
            let environment = try newEnvironment(for: experiment, compiled: code, allocators: allocators, lockWait: lockWait)
            runs.append(try run(into: folder, compiled: code, allocators: allocators, environment: environment, progress: progress))
            if options.outputDirectory == nil { try Self.pointLatest(at: directory) }
        }
        return runs
    }

    /// Refuses a folder that already holds a run (or is a file).
    static func refuseOccupied(_ target: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw ResultsFolderError.notADirectory(path: target.path) }
        if FileManager.default.fileExists(atPath: target.appendingPathComponent(ResultsFolder.trialsFile).path)
            || FileManager.default.fileExists(atPath: target.appendingPathComponent(ResultsFolder.environmentFile).path)
        {
            throw ResultsFolderError.holdsARun(
                directory: target.path, complete: EnvironmentReader(directory: target).record?.status == .complete)
        }
    }

    /// Takes the lab lock when the options have one: the holder is named on stderr, waiting progress follows
    /// `showProgress`.
    func takeLabLock(_ experiments: [String]) throws -> LabLockWait? {
        guard let lock = options.labLock else { return nil }
        let showProgress = options.showProgress
        return try lock.acquire(
            experiments: experiments, wait: options.waitForLabLock, interruption: options.interruption,
            say: { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) },
            progress: { if showProgress { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) } })
    }

    func toolchain(compilerVersion: String, flags: [String]) -> EnvironmentRecord.Toolchain {
        EnvironmentRecord.Toolchain(
            swiftVersion: compilerVersion, generatedCodeFlags: flags,
            labBuildConfiguration: EnvironmentProbe.labBuildConfiguration)
    }

    /// This lab's `environment.json` `lab` entry for `experiment`: the Python worker's sha256 only where it runs.
    func labRecord(for experiment: Experiment) -> EnvironmentRecord.Lab {
        var lab = EnvironmentProbe.lab(commandLine: options.commandLine, workerPath: options.workerPath)
        if experiment.layouts.contains(where: \.isPython) {
            lab.pythonWorkerSha256 = PythonInterpreter.workerScript.flatMap { EnvironmentProbe.sha256(of: $0.path) }
        }
        return lab
    }

    private func newEnvironment(
        for experiment: Experiment, compiled: CompiledLayouts, allocators: [String: ResolvedAllocator], lockWait: LabLockWait?
    ) throws -> EnvironmentRecord {
        var environment = EnvironmentRecord(
            machine: EnvironmentProbe.machine(), toolchain: toolchain(compilerVersion: compiled.compilerVersion, flags: compiled.flags),
            lab: labRecord(for: experiment),
            experiment: EnvironmentRecord.ExperimentFile(
                name: experiment.name, path: experiment.sourcePath,
                sha256: EnvironmentProbe.sha256(of: experiment.sourcePath), generatedSource: ResultsFolder.generatedSourceFile),
            allocators: experiment.allocators.compactMap { allocators[$0.name]?.record },
            python: experiment.python, startedUtc: EnvironmentProbe.utcTimestamp(), finishedUtc: nil, status: .running)
        environment.toolchain.valgrindVersion = experiment.instructions == .valgrind
            ? ExternalCommand.output(["valgrind", "--version"]) : nil
        environment.shard = options.shard
        environment.pythons = experiment.pythons.isEmpty ? nil : experiment.pythons
        environment.traces = experiment.traces?.map(RecordedTrace.init)
        environment.labLock = lockWait.map { [$0] }
        return environment
    }

    func checkWorker() throws {
        guard FileManager.default.isExecutableFile(atPath: options.workerPath) else {
            throw WorkerError.workerMissing(path: options.workerPath)
        }
    }

    /// An experiment's generated layout code, compiled (cached) and checked against `PayloadLayout`.
    struct CompiledLayouts {
        var source: String
        var library: URL
        var compilerVersion: String
        var flags: [String]
    }

    func compiledLibrary(for experiment: Experiment) throws -> CompiledLayouts {
        let source = LayoutSourceGenerator().source(shapes: experiment.shapes, layouts: experiment.layouts, seed: experiment.seed)
        let builder = LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory)
        let version = try builder.compilerVersion()
        let flags = LayoutLibraryBuilder.compilerFlags(exclusivity: experiment.exclusivity)
        let library = try builder.library(for: source, compilerVersion: version, flags: flags)
        try CompiledLayoutLibrary(path: library).verify(shapes: experiment.shapes, seed: experiment.seed)
        return CompiledLayouts(source: source, library: library, compilerVersion: version, flags: flags)
    }

    /// Runs the folder's remaining trials with `allocators`, the ones its environment record describes.
    func run(
        into folder: ResultsFolder, compiled: CompiledLayouts, allocators: [String: ResolvedAllocator],
        environment: EnvironmentRecord, progress: ProgressReporter
    ) throws -> ExperimentRun {
        let experiment = folder.experiment
        try AtomicFile.write(compiled.source, to: folder.url(ResultsFolder.generatedSourceFile))
        var environment = environment
        // The shard is on disk before the first trial, so that even a SIGKILLed run resumes its own slice.
        let environmentURL = folder.url(ResultsFolder.environmentFile)
        try environment.write(to: environmentURL)
        try FileManager.default.createDirectory(at: folder.workersDirectory, withIntermediateDirectories: true)

        let done = folder.finishedTrialIDs
        let trials = (environment.shard?.trials(of: experiment) ?? TrialPlan.trials(for: experiment)).filter { !done.contains($0.id) }
        let oversized = try preflight(trials, experiment: experiment)
        let callgrind = experiment.instructions == .valgrind ? try CallgrindPhaseCounter(workerPath: options.workerPath) : nil
        defer { callgrind?.finish() }
        var batch = TrialBatch(
            folder: folder, library: compiled.library, allocators: allocators, oversized: oversized,
            launcher: WorkerLauncher(
                workerPath: options.workerPath, timeoutSeconds: experiment.trialTimeoutSeconds ?? options.trialTimeoutSeconds),
            callgrind: callgrind, interruption: options.interruption, progress: progress)
        batch.forced = try ForcedDisturbance.fromEnvironment()
        // Program trials prove their allocator and read its figures through the agent, built (cached) before the first.
        if experiment.programs != nil { batch.agent = try AllocatorAgent(cacheDirectory: options.cacheDirectory).library() }
        // However the run ends, its CSV files get every trial the journal holds (a failure's own error wins).
        defer { try? folder.assembleTables() }
        progress.beginExperiment()
        var complete = try batch.run(trials)
        // A precision target adds rounds of one more repetition for every configuration still short of it.
        while complete, experiment.precision != nil {
            let round = extraRound(in: folder, shard: environment.shard)
            if round.isEmpty { break }
            progress.beginExperiment()
            complete = try batch.run(round)
        }
        try folder.assembleTables()
        // The derived tables gnuplot draws from, so `gnuplot -e "results='DIR'" plot.gnuplot` works on any folder.
        try ChartDataWriter.write(for: folder)
        environment.finishedUtc = EnvironmentProbe.utcTimestamp()
        environment.status = complete ? .complete : .incomplete
        if !complete { environment.stopReason = options.interruption?.reason }
        try environment.write(to: environmentURL)
        folder.tidy()
        var run = folder.run
        run.complete = complete
        return run
    }

    /// The configurations of this folder's slice whose precision state asks for another repetition, as the
    /// trials to run next, in the plan's order rotated by the round (like the planned passes).
    func extraRound(in folder: ResultsFolder, shard: Shard?) -> [Trial] {
        let experiment = folder.experiment
        let mine = Set((shard?.trials(of: experiment) ?? TrialPlan.trials(for: experiment)).map(\.configuration))
        var round: [Trial] = []
        for configuration in TrialPlan.configurations(of: experiment) where mine.contains(configuration.configuration) {
            if case .needsMore(let repetition)? = folder.precisionState(of: configuration.configuration) {
                var trial = configuration
                trial.repetition = repetition
                round.append(trial)
            }
        }
        let shift = round.isEmpty ? 0 : ((round.map(\.repetition).min() ?? 1) - 1) % round.count
        return Array(round[shift...] + round[..<shift])
    }

    static func resolveAllocators(of experiment: Experiment) throws -> [String: ResolvedAllocator] {
        let resolver = SharedLibraryResolver()
        var allocators: [String: ResolvedAllocator] = [:]
        for spec in experiment.allocators { allocators[spec.name] = try ResolvedAllocator.resolve(spec, with: resolver) }
        return allocators
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

/// Trials would not fit in memory and `--skip-oversized` was not given; nothing ran.
public struct PreflightError: LabError {
    public let description: String
    public var exitStatus: LabExitStatus { .badInput }
    public var message: String { description }
}
