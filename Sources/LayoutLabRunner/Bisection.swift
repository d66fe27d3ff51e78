import Foundation
import LayoutLabAnalysis
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabTables

/// `layoutlab bisect`: finds the first build of a series of allocator builds whose metric is worse than the known
/// good build 1's by more than a bound and beyond noise. Each probe runs the experiment with build 1 and the
/// candidate interleaved as two allocators of one run (`BisectProbeExperiment`) into a folder of its own, and
/// decides as `compare --by allocator --fail-above P` does (`BisectVerdict`); `BisectSearch` chooses the probes.
/// Everything that can refuse the bisection (the experiment, the allocator entry, the builds, the metric, the
/// folder) does so before any trial runs.
public struct Bisection: Sendable {
    /// What `layoutlab bisect` was asked.
    public struct Request: Sendable {
        public var experimentPath: String
        public var builds: [String]
        /// The allocator entry the builds replace; nil when the experiment has one.
        public var allocator: String?
        public var metric: String
        public var failAbovePercent: Double
        /// The bisection's folder; nil: `results/<experiment>/bisect-<UTC time>/`.
        public var outputDirectory: URL?

        public init(
            experimentPath: String, builds: [String], allocator: String? = nil, metric: String = Bisection.defaultMetric,
            failAbovePercent: Double = Bisection.defaultFailAbovePercent, outputDirectory: URL? = nil
        ) {
            self.experimentPath = experimentPath
            self.builds = builds
            self.allocator = allocator
            self.metric = metric
            self.failAbovePercent = failAbovePercent
            self.outputDirectory = outputDirectory
        }
    }

    /// One probe: a build against build 1, its folder and what it said.
    public struct Probe: Sendable {
        public var build: BisectBuild
        public var folder: URL
        public var verdict: BisectVerdict
    }

    /// How the bisection ended.
    public struct Outcome: Sendable {
        public var folder: URL
        public var builds: [BisectBuild]
        public var probes: [Probe]
        /// The first build that regresses; nil when none does (or the run was stopped first).
        public var firstBad: BisectBuild?
        /// A signal stopped a probe: the bisection did not finish.
        public var stopped = false
        /// The probe that could not be decided (`BisectError.undecidable`), which ended the search; nil otherwise.
        public var undecidable: BisectError?
        /// The rows of `bisect.csv`.
        package var rows: [BisectRow] = []

        /// The last build known good when the search ended: the tested good build just before `firstBad`, or build 1.
        public var lastGood: BisectBuild {
            let good = probes.filter { $0.verdict.outcome == .good && $0.build.index < (firstBad?.index ?? Int.max) }
            return good.max { $0.build.index < $1.build.index }?.build ?? builds[0]
        }
    }

    /// RSS per node: what every layout and allocator has (Python layouts and allocators without statistics
    /// too), and nearly deterministic (A/A ratios within 0.01 %), so three repetitions decide it on a busy machine.
    public static let defaultMetric = "rss_bytes_per_node"
    /// Far beyond RSS noise, and below the smallest size-class step of small nodes (16 of 64 bytes).
    public static let defaultFailAbovePercent = 2.0
    public static let csvFile = BisectTable.fileName

    public var request: Request
    public var options: RunOptions

    public init(request: Request, options: RunOptions) {
        self.request = request
        self.options = options
    }

    /// Runs the bisection; `say` gets each progress and verdict line. Throws `BisectError` (or an experiment's
    /// validation error) for bad input before any trial runs, and `.undecidable` when a probe's trials failed or
    /// lack the metric; a probe whose figures cannot decide ends the search with `Outcome.undecidable` set.
    /// `lock` (the lab lock) is taken once every check has passed and held for the whole bisection, so that no
    /// other run's trials fall between two probes; nil runs without it (tests with folders of their own).
    public func run(lockingWith lock: LabLock?, say: (String) -> Void) throws -> Outcome {
        // The builds' count and the bound are the command line's own: checked before the experiment is read.
        guard request.builds.count >= 2 else { throw BisectError.tooFewBuilds(count: request.builds.count) }
        try checkMetric()
        let experiment = try ExperimentLoader().load(path: request.experimentPath)
        try checkMetricPhase(in: experiment)
        let entry = try chosenEntry(of: experiment)
        let builds = try BisectBuild.series(request.builds)
        let folder = try chosenFolder(for: experiment)
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: request.experimentPath)))
        // Every probe's file is valid before the first trial (a long name with `-b12` could be refused).
        var problems: [ExperimentProblem] = []
        for build in builds.dropFirst() {
            let text = BisectProbeExperiment.text(of: document, entry: entry, good: builds[0], candidate: build)
            do throws(ExperimentValidationError) {
                _ = try ExperimentLoader.checkingThisHost.load(data: Data(text.utf8), path: probeFolder(build, in: folder).appendingPathComponent("experiment.json").path)
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw ExperimentValidationError(problems: problems) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        var options = options
        if let lock {
            let showProgress = options.showProgress
            try lock.acquire(
                experiments: [experiment.name], wait: options.waitForLabLock, interruption: options.interruption,
                say: { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) },
                progress: { if showProgress { FileHandle.standardError.write(Data("layoutlab: \($0)\n".utf8)) } })
            options.labLock = lock
        }
        var search = BisectSearch(buildCount: builds.count)
        var outcome = Outcome(folder: folder, builds: builds, probes: [])
        let most = BisectSearch.maximumProbes(buildCount: builds.count)
        while let index = search.next {
            let build = builds[index - 1]
            say("probe \(outcome.probes.count + 1) of at most \(most): build \(index) of \(builds.count) (\(build.path)) against build 1, \(entry.name) interleaved as \(BisectProbeExperiment.allocatorName(entry.name, build: 1)) and \(BisectProbeExperiment.allocatorName(entry.name, build: index))")
            guard let probe = try runProbe(build, good: builds[0], entry: entry, document: document, in: folder, options: options) else {
                outcome.stopped = true
                break
            }
            outcome.probes.append(probe)
            outcome.rows = BisectReport.rows(outcome, metric: request.metric)
            try AtomicFile.write(BisectTable.table(outcome.rows, metric: request.metric).text, to: folder.appendingPathComponent(Self.csvFile))
            say(BisectReport.summary(probe, metric: request.metric, percent: request.failAbovePercent))
            switch probe.verdict.outcome {
            case .undecidable(let reason):
                outcome.undecidable = .undecidable(build: index, path: build.path, reason: reason, folder: probe.folder.path)
                return outcome
            case .bad: search.record(index, bad: true)
            case .good: search.record(index, bad: false)
            }
        }
        outcome.firstBad = outcome.stopped ? nil : search.firstBad.map { builds[$0 - 1] }
        return outcome
    }

    /// The probe's folder: `build-<index>` in the bisection's folder.
    func probeFolder(_ build: BisectBuild, in folder: URL) -> URL { folder.appendingPathComponent("build-\(build.index)") }

    /// Runs one probe into its folder; nil when a signal stopped it.
    func runProbe(
        _ build: BisectBuild, good: BisectBuild, entry: AllocatorSpec, document: JSONValue, in folder: URL, options: RunOptions
    ) throws -> Probe? {
        let target = probeFolder(build, in: folder)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let file = target.appendingPathComponent("experiment.json")
        try AtomicFile.write(BisectProbeExperiment.text(of: document, entry: entry, good: good, candidate: build), to: file)
        let experiment = try ExperimentLoader.checkingThisHost.load(path: file.path)
        var probeOptions = options
        probeOptions.outputDirectory = target
        guard let run = try SuiteRunner(options: probeOptions).run([experiment]).first, run.complete,
            options.interruption?.isStopped != true
        else { return nil }
        let failed = run.records.filter { $0.status != .ok }
        if let first = failed.first {
            throw BisectError.undecidable(
                build: build.index, path: build.path,
                reason: "\(failed.count) of \(run.records.count) trials did not succeed (\(first.trial.id): \(first.status)\(first.message.map { ", \($0)" } ?? ""))",
                folder: target.path)
        }
        let table = TrialTable(run: run)
        if !table.metricColumns.contains(request.metric) {
            throw BisectError.notAMetric(name: request.metric, hint: table.metricHint(for: request.metric) + "; \(table.metricListing)")
        }
        let verdict = BisectVerdict(
            table: table, good: BisectProbeExperiment.allocatorName(entry.name, build: good.index),
            candidate: BisectProbeExperiment.allocatorName(entry.name, build: build.index), metric: request.metric,
            failAbovePercent: request.failAbovePercent)
        return Probe(build: build, folder: target, verdict: verdict)
    }

    /// The allocator entry the builds replace: `--allocator`'s, or the experiment's only one.
    func chosenEntry(of experiment: Experiment) throws(BisectError) -> AllocatorSpec {
        let names = experiment.allocators.map(\.name)
        guard let name = request.allocator else {
            guard experiment.allocators.count == 1 else { throw .allocatorNotChosen(file: request.experimentPath, names: names) }
            return experiment.allocators[0]
        }
        guard let entry = experiment.allocators.first(where: { $0.name == name }) else {
            throw .unknownAllocator(file: request.experimentPath, name: name, hint: Suggestion.hint(for: name, among: names), names: names)
        }
        return entry
    }

    /// The metric must have a direction, and be a column of `trials.csv` or a phase figure (`PHASE.FIGURE`,
    /// checked against the first probe's phases).
    func checkMetric() throws(BisectError) {
        guard request.failAbovePercent >= 0 else { throw .badPercent(request.failAbovePercent) }
        let metric = request.metric
        if !metric.contains(".") {
            let columns = TrialsTable.header.filter { !TrialsTable.descriptiveColumns.contains($0) && $0 != "probe_nodes" }
            guard columns.contains(metric) else {
                throw .notAMetric(name: metric, hint: Suggestion.hint(for: metric, among: columns))
            }
        }
        guard MetricDirection(metric: metric) != .undirected else { throw .metricHasNoDirection(name: metric) }
    }

    /// A phase figure's phase (`traverse-rnd` of `traverse-rnd.ns_per_node`) must be one of the experiment's, as
    /// the charts and `compare` name them: checked before any probe runs.
    func checkMetricPhase(in experiment: Experiment) throws(BisectError) {
        let parts = request.metric.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let phases = experiment.phases.map(ChartData.label)
        guard phases.contains(parts[0]) else {
            let hint = Suggestion.hint(for: parts[0], among: phases)
            throw .notAMetric(name: request.metric, hint: hint.isEmpty ? " (the experiment's phases: \(phases.joined(separator: ", ")))" : hint)
        }
    }

    /// The bisection's folder, which must not exist or be empty (created once every check has passed).
    func chosenFolder(for experiment: Experiment) throws(BisectError) -> URL {
        let folder = request.outputDirectory ?? options.resultsRoot.appendingPathComponent(experiment.name)
            .appendingPathComponent("bisect-\(SuiteRunner.folderTimestamp())")
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
            throw .folderNotEmpty(path: folder.path)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw .folderNotEmpty(path: folder.path)
        }
        return folder
    }
}
