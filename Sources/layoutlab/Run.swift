import ArgumentParser
import Foundation
import LayoutLab

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run experiment files: one fresh worker per trial, CSV results, a table of bytes per node.",
        discussion: """
            All files are validated before the first trial starts. The layout code of each experiment is \
            generated, compiled with swiftc -O once (cached) and saved beside the results. Every finished trial \
            is on disk before the next starts; Ctrl-C (or SIGTERM) stops the current worker, keeps what was \
            measured and marks the run incomplete, and --resume finishes it. Progress goes to stderr: one line rewritten on a terminal, else a line every 10 s.

            Exit status: 0 all trials ok; 1 a trial failed, crashed, timed out or was skipped, or the run could \
            not go on; 2 invalid input or trials that cannot fit in memory (nothing ran); 130 stopped by a signal.
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
        }
    }

    func run() throws {
        let experiments = resume == nil ? try loadExperiments(files) : []
        guard let compiler = swiftc ?? LayoutLibraryBuilder.findSwiftc() else {
            throw stop("no swiftc found: put the Swift toolchain on PATH, set $SWIFTC, or pass --swiftc")
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
        let runner = SuiteRunner(options: options)
        let runs: [ExperimentRun]
        do {
            runs = try resume.map { [try runner.resume(URL(fileURLWithPath: $0))] } ?? runner.run(experiments)
        } catch let error as ExperimentValidationError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(invalidInputExitCode)
        } catch let error as PreflightError {
            FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
            throw ExitCode(invalidInputExitCode)
        } catch {
            FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
            throw ExitCode.failure
        }
        for run in runs {
            print(PerNodeTable.render(run))
            print(PhaseSummaryTable.render(run), terminator: "")
            print("results: \(run.directory.path)")
        }
        if interruption.isStopped {
            let folder = runs.last?.directory.path ?? "the results folder"
            FileHandle.standardError.write(Data("layoutlab: stopped by \(interruption.reason ?? "a signal"); finished trials are kept. Resume with: layoutlab run --resume \(folder)\n".utf8))
            throw ExitCode(130)
        }
        if runs.contains(where: { $0.failedTrials > 0 }) { throw ExitCode.failure }
    }
}
