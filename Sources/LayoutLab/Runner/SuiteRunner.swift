import Foundation
import LayoutLabSampling

/// How `layoutlab run` runs: where results go, which worker and compiler it uses.
public struct RunOptions: Sendable {
    /// With one experiment, the results folder itself; with several, the parent of one folder each.
    /// Nil: `results/<experiment>/<UTC timestamp>/`.
    public var outputDirectory: URL?
    public var resultsRoot: URL
    public var workerPath: String
    public var swiftc: String
    public var cacheDirectory: URL
    public var trialTimeoutSeconds: Double
    public var showProgress: Bool
    public var commandLine: [String]

    public init(
        outputDirectory: URL? = nil, resultsRoot: URL = URL(fileURLWithPath: "results"),
        workerPath: String = WorkerLauncher.siblingWorkerPath(), swiftc: String,
        cacheDirectory: URL = LayoutLibraryBuilder.defaultCacheDirectory, trialTimeoutSeconds: Double = 3600,
        showProgress: Bool = ProgressReporter().enabled, commandLine: [String] = CommandLine.arguments
    ) {
        self.outputDirectory = outputDirectory
        self.resultsRoot = resultsRoot
        self.workerPath = workerPath
        self.swiftc = swiftc
        self.cacheDirectory = cacheDirectory
        self.trialTimeoutSeconds = trialTimeoutSeconds
        self.showProgress = showProgress
        self.commandLine = commandLine
    }
}

/// The results of one experiment: where they were written and every trial's outcome.
public struct ExperimentRun: Sendable {
    public var experiment: Experiment
    public var directory: URL
    public var results: [TrialResult]

    public var failedTrials: Int { results.filter { $0.status != .ok }.count }
}

/// Runs experiments trial by trial, one fresh worker each, writing `trials.csv`, `samples.csv` and
/// `environment.json` after every trial (atomically), so that nothing measured is lost if the run stops.
public struct SuiteRunner: Sendable {
    public var options: RunOptions

    public init(options: RunOptions) { self.options = options }

    public func run(_ experiments: [Experiment]) throws -> [ExperimentRun] {
        guard FileManager.default.isExecutableFile(atPath: options.workerPath) else {
            throw RunError("the worker \(options.workerPath) does not exist; build it with `swift build -c release`")
        }
        let timestamp = Self.folderTimestamp()
        let progress = ProgressReporter(enabled: options.showProgress)
        var runs: [ExperimentRun] = []
        for experiment in experiments {
            let directory: URL
            if let out = options.outputDirectory {
                directory = experiments.count == 1 ? out : out.appendingPathComponent(experiment.name)
            } else {
                directory = options.resultsRoot.appendingPathComponent(experiment.name).appendingPathComponent(timestamp)
            }
            runs.append(try run(experiment, in: directory, progress: progress))
            if options.outputDirectory == nil { try Self.pointLatest(at: directory) }
        }
        progress.finish()
        return runs
    }

    private func run(_ experiment: Experiment, in directory: URL, progress: ProgressReporter) throws -> ExperimentRun {
        let workers = directory.appendingPathComponent("workers")
        try FileManager.default.createDirectory(at: workers, withIntermediateDirectories: true)

        let source = LayoutSourceGenerator().source(shapes: experiment.shapes, layouts: experiment.layouts)
        let sourceCopy = directory.appendingPathComponent("generated-layouts.swift")
        try AtomicFile.write(source, to: sourceCopy)
        let builder = LayoutLibraryBuilder(swiftc: options.swiftc, cacheDirectory: options.cacheDirectory)
        let library = try builder.library(for: source)
        try CompiledLayoutLibrary(path: library).verify(shapes: experiment.shapes)

        let resolver = SharedLibraryResolver()
        var preloads: [String: String] = [:]
        var allocatorRecords: [EnvironmentRecord.Allocator] = []
        for allocator in experiment.allocators {
            let path: String
            if let library = allocator.library {
                guard case .success(let resolved) = resolver.resolve(library) else {
                    throw RunError("allocator \(allocator.name): \(library) cannot be found")
                }
                path = resolved
                preloads[allocator.name] = resolved
            } else {
                guard let libc = EnvironmentProbe.cLibraryPath() else { throw RunError("cannot locate the C library") }
                path = libc
            }
            let package = EnvironmentProbe.debianPackage(owning: path, fallback: allocator.debianPackage)
            allocatorRecords.append(EnvironmentRecord.Allocator(
                name: allocator.name, library: allocator.library ?? "libc.so.6", libraryRealPath: path,
                debianPackage: package.name, packageVersion: package.version, sha256: EnvironmentProbe.sha256(of: path),
                environment: allocator.environment, statistics: allocator.statistics.rawValue,
                label: ([allocator.name, package.version].compactMap { $0 } + allocator.environment.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value)" }).joined(separator: " ")))
        }
        var environment = EnvironmentRecord(
            machine: EnvironmentProbe.machine(),
            toolchain: EnvironmentRecord.Toolchain(
                swiftVersion: try? builder.compilerVersion(), generatedCodeFlags: LayoutLibraryBuilder.compilerFlags,
                labBuildConfiguration: EnvironmentProbe.labBuildConfiguration),
            lab: EnvironmentProbe.lab(commandLine: options.commandLine),
            experiment: EnvironmentRecord.ExperimentFile(
                name: experiment.name, path: experiment.sourcePath,
                sha256: EnvironmentProbe.sha256(of: experiment.sourcePath), generatedSource: sourceCopy.lastPathComponent),
            allocators: allocatorRecords, startedUTC: EnvironmentProbe.utcTimestamp(), finishedUTC: nil, status: "running")
        let environmentURL = directory.appendingPathComponent("environment.json")
        try environment.write(to: environmentURL)

        let launcher = WorkerLauncher(workerPath: options.workerPath, timeoutSeconds: options.trialTimeoutSeconds)
        let trials = TrialPlan.trials(for: experiment)
        var trialsTable = CSVTable(header: TrialsTable.header)
        var samplesTable = CSVTable(header: SamplesTable.header)
        var results: [TrialResult] = []
        for (index, trial) in trials.enumerated() {
            progress.willStart(trial, index: index, of: trials)
            let realPath = allocatorRecords.first { $0.name == trial.allocator.name }?.libraryRealPath ?? ""
            let request = WorkerRequest(
                libraryPath: library.path,
                entrySymbol: LayoutSourceGenerator.entrySymbol(shapeIndex: trial.shapeIndex, layout: trial.layout),
                nodes: trial.nodes, checkpoints: experiment.checkpoints, smaps: experiment.smaps,
                allocatorStatistics: trial.allocator.statistics, expectedMallocProvider: realPath,
                probeNodes: Self.probeNodes(for: trial, in: experiment))
            let result = launcher.run(
                request, trial: trial, preload: preloads[trial.allocator.name], environment: trial.allocator.environment,
                logURL: workers.appendingPathComponent(trial.id + ".log"))
            if result.status != .ok { progress.report(failure: result) }
            results.append(result)
            trialsTable.append(TrialsTable.row(result))
            samplesTable.append(contentsOf: SamplesTable.rows(result))
            try AtomicFile.write(samplesTable.text, to: directory.appendingPathComponent("samples.csv"))
            try AtomicFile.write(trialsTable.text, to: directory.appendingPathComponent("trials.csv"))
            let soFar = ExperimentRun(experiment: experiment, directory: directory, results: results)
            try AtomicFile.write(PerNodeCSV.table(PerNodeSummary.summaries(of: soFar)).text, to: directory.appendingPathComponent("per-node.csv"))
        }
        environment.finishedUTC = EnvironmentProbe.utcTimestamp()
        environment.status = "complete"
        try environment.write(to: environmentURL)
        if (try? FileManager.default.contentsOfDirectory(atPath: workers.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: workers)
        }
        return ExperimentRun(experiment: experiment, directory: directory, results: results)
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

    static func folderTimestamp(_ date: Date = Date()) -> String {
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
