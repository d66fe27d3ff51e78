import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabCodegen
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabResults
import LayoutLabRunner

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run experiment files: one fresh worker per trial, CSV results, a table of bytes per node.",
        discussion: """
            All files are validated before the first trial starts. The layout code of each experiment is \
            generated, compiled with swiftc -O once (cached) and saved beside the results. Every finished trial \
            is on disk before the next starts; Ctrl-C (or SIGTERM) stops the current worker, keeps what was \
            measured and marks the run incomplete, and --resume finishes it (a complete folder: "nothing to \
            resume", left untouched). Progress goes to stderr: one line rewritten on a terminal, else a line every 10 s.

            Every trial is judged for disturbance (steal, other programs' CPU, preemptions of the worker beyond \
            the README's bounds): trials.csv says disturbed true/false and why. An experiment's \
            "rerun_disturbed": K runs a disturbed trial again up to K times, keeping the disturbed runs in \
            disturbed-attempts/; the closing summary lists them.

            One lab per machine: a run holds the lab lock (flock on /run/lock/layoutlab.lock, else \
            /tmp/layoutlab.lock; $LAYOUTLAB_LOCK_FILE overrides) from before its first compile to its end. A \
            second run waits, naming the holder (pid, experiment, since when), or refuses with --no-wait. The \
            kernel releases the lock of a run that dies, so a stale lock cannot exist.

            Exit status: 0 all trials ok (or nothing to resume); 1 a trial failed, crashed, timed out or was \
            skipped, or the run could not go on; 2 invalid input, trials that cannot fit in memory, or a --resume \
            with another build (nothing ran); 75 --no-wait and another run holds the lab lock; 130 stopped by a signal.
            """ + CommandExamples.run)

    @Argument(help: "Experiment files (JSON).", completion: .file(extensions: ["json"]))
    var files: [String] = []

    @Option(help: "Results folder (default: results/<experiment>/<UTC time>); with several files, one subfolder each.", completion: .directory)
    var out: String?

    @Option(help: ArgumentHelp("Finish a stopped run: run only the trials missing from DIR/trials.csv.", valueName: "dir"), completion: .directory)
    var resume: String?

    @Option(help: ArgumentHelp("Run only the K-th of N slices of the trials (balanced by estimated cost), e.g. 2/3.", valueName: "K/N"))
    var shard: String?

    @Option(help: "The Swift compiler used for the generated layout code (default: $SWIFTC, else swiftc on PATH).")
    var swiftc: String?

    @Option(help: "The worker executable (default: layoutlab-worker beside this executable).")
    var worker: String?

    @Option(help: "Where compiled layout libraries are cached.")
    var cacheDir: String = LayoutLibraryBuilder.defaultCacheDirectory.path

    @Option(help: "Seconds after which a trial's worker is killed and the trial recorded as timeout (an experiment's trial_timeout_seconds overrides it).")
    var trialTimeout: Double = 3600

    @Flag(help: "Record trials whose estimated peak memory exceeds MemAvailable as skipped, instead of refusing to run.")
    var skipOversized = false

    @Flag(help: "No progress lines (by default: one rewritten line on a terminal, else a line every 10 s).")
    var quiet = false

    @Flag(help: "Refuse at once (exit 75, naming the holder) when another run holds the lab lock, instead of waiting.")
    var noWait = false

    @Flag(help: "With --resume: go on when the folder was measured by another toolchain, worker, runner, allocator library or Python interpreter, recording both (environment.json mixed_builds, the report).")
    var allowMixedBuilds = false

    func validate() throws {
        if let shard {
            guard Shard(shard) != nil else { throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, got \(shard)") }
            guard resume == nil else { throw ValidationError("--resume keeps the shard the folder was started with; drop --shard") }
        }
        guard trialTimeout > 0 else { throw ValidationError("--trial-timeout must be positive, got \(trialTimeout)") }
        if resume != nil {
            guard files.isEmpty, out == nil else { throw ValidationError("--resume DIR takes no experiment files and no --out: the folder has both") }
        } else if files.isEmpty {
            throw ValidationError("name at least one experiment file, or --resume DIR")
        } else if allowMixedBuilds {
            throw ValidationError("--allow-mixed-builds applies to --resume only: a new run has one build")
        }
    }

    func run() throws {
        let experiments = resume == nil ? try loadExperiments(files) : []
        guard let compiler = swiftc ?? LayoutLibraryBuilder.findSwiftc() else {
            throw HostError.swiftcNotFound(option: "--swiftc")
        }
        let interruption = RunInterruption()
        interruption.installSignalHandlers()
        var options = RunOptions(
            swiftc: compiler, cacheDirectory: URL(fileURLWithPath: cacheDir), trialTimeoutSeconds: trialTimeout,
            skipOversized: skipOversized, interruption: interruption)
        options.outputDirectory = out.map { URL(fileURLWithPath: $0) }
        options.shard = shard.flatMap(Shard.init)
        if let worker { options.workerPath = worker }
        if quiet { options.showProgress = false }
        options.labLock = LabLock(path: LabLock.defaultPath())
        options.waitForLabLock = !noWait
        options.allowMixedBuilds = allowMixedBuilds
        let runner = SuiteRunner(options: options)
        let runs: [ExperimentRun]
        do {
            runs = try resume.map { [try runner.resume(URL(fileURLWithPath: $0))] } ?? runner.run(experiments)
        } catch {
            throw CommandFailure(error, exitStatus: Self.exitStatus(of: error, stopped: interruption.isStopped))
        }
        if let run = runs.first, run.nothingToResume {
            print("nothing to resume: \(run.directory.path) is complete (\(run.records.count) trials recorded); every file is left as it was")
            return
        }
        for run in runs {
            print(RunSummary.render(run))
            if let versions = PythonVersionTable.markdown(run) { print(versions) }
            print(PhaseSummaryTable.render(run), terminator: "")
            if let precision = PrecisionSummary.render(run) { print(precision) }
            if let disturbance = DisturbanceSummary.render(run) { print(disturbance, terminator: "") }
            print("results: \(run.directory.path)")
        }
        if interruption.isStopped {
            let folder = runs.last?.directory.path ?? "the results folder"
            FileHandle.standardError.write(Data("layoutlab: stopped by \(interruption.reason ?? "a signal"); finished trials are kept. Resume with: layoutlab run --resume \(folder)\n".utf8))
            throw ExitCode(130)
        }
        if runs.contains(where: { $0.failedTrials > 0 }) { throw ExitCode.failure }
    }

    /// How a run that stopped on `error` ends: refusals before any trial ran (experiment problems, trials
    /// that cannot fit, a resume with another build) are bad input, a busy lab lock is 75, a stop by a signal
    /// 130, and anything else (a folder, worker, compiler or tool that failed) 1.
    static func exitStatus(of error: any Error, stopped: Bool) -> LabExitStatus {
        switch error {
        case is ExperimentValidationError, is PreflightError, is MixedBuildError: .badInput
        case is LabLockBusy: .labBusy
        default: stopped ? .interrupted : .failure
        }
    }
}
