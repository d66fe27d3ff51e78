import ArgumentParser
import Foundation
import LayoutLab

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run experiment files: one fresh worker per trial, CSV results, a table of bytes per node.",
        discussion: """
            All files are validated before the first trial starts. The layout code of each experiment is \
            generated, compiled with swiftc -O once (cached) and saved beside the results. Progress is shown \
            on a terminal. Exit code 2 for invalid input, 1 when a trial failed.
            """)

    @Argument(help: "Experiment files (JSON).")
    var files: [String]

    @Option(help: "Results folder (default: results/<experiment>/<UTC time>); with several files, one subfolder each.")
    var out: String?

    @Option(help: "The Swift compiler used for the generated layout code (default: $SWIFTC, else swiftc on PATH).")
    var swiftc: String?

    @Option(help: "The worker executable (default: layoutlab-worker beside this executable).")
    var worker: String?

    @Option(help: "Where compiled layout libraries are cached.")
    var cacheDir: String = LayoutLibraryBuilder.defaultCacheDirectory.path

    @Option(help: "Seconds after which a trial's worker is killed and the trial recorded as timeout.")
    var trialTimeout: Double = 3600

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    func validate() throws {
        guard trialTimeout > 0 else { throw ValidationError("--trial-timeout must be positive, got \(trialTimeout)") }
    }

    func run() throws {
        let experiments = try loadExperiments(files)
        guard let compiler = swiftc ?? LayoutLibraryBuilder.findSwiftc() else {
            throw ValidationError("no swiftc found: put the Swift toolchain on PATH, set $SWIFTC, or pass --swiftc")
        }
        var options = RunOptions(swiftc: compiler, cacheDirectory: URL(fileURLWithPath: cacheDir), trialTimeoutSeconds: trialTimeout)
        options.outputDirectory = out.map { URL(fileURLWithPath: $0) }
        if let worker { options.workerPath = worker }
        if quiet { options.showProgress = false }
        let runs: [ExperimentRun]
        do {
            runs = try SuiteRunner(options: options).run(experiments)
        } catch {
            FileHandle.standardError.write(Data("layoutlab: \(error)\n".utf8))
            throw ExitCode.failure
        }
        for run in runs {
            print(PerNodeTable.render(run))
            print("results: \(run.directory.path)")
        }
        if runs.contains(where: { $0.failedTrials > 0 }) { throw ExitCode.failure }
    }
}
