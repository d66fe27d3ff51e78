import Foundation
import LayoutLabCodegen
import LayoutLabModel

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
    /// The machine-wide lab lock, taken after the checks that refuse a run and before the first compile; nil
    /// runs without it (the tests' in-process runs, which use folders of their own).
    public var labLock: LabLock?
    /// When another run holds `labLock`: wait for it (true) or refuse at once with `LabLockBusy`.
    public var waitForLabLock = true
    /// `--resume` of a folder measured by another build: record both and go on, instead of refusing.
    public var allowMixedBuilds = false

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
