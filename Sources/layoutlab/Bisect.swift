import ArgumentParser
import Foundation
import LayoutLabCodegen
import LayoutLabModel
import LayoutLabReports
import LayoutLabRunner

struct Bisect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the first of a series of allocator builds whose metric regresses against the first (known good) build.",
        discussion: """
            The builds are allocator shared objects in order, B1 known good. The experiment names the allocator \
            entry they replace (--allocator when it has several); each build runs in that entry's place with its \
            env and statistics kept. Each probe runs the experiment once with two allocators interleaved, B1 and \
            the candidate Bk, named <entry>-b1 and <entry>-bk (within one run the comparison is free of \
            run-to-run drift), and decides as `compare DIR --by allocator --baseline <entry>-b1 --fail-above P` \
            does: Bk is bad when a configuration is worse than B1 by more than P % with its whole 95 % interval \
            beyond that bound (Welch t on logs, Holm–Bonferroni over the configurations), good when none is.

            The search tests BN first (not bad: "no build regresses"), then halves the range between the last \
            build known good and the first known bad: at most 1 + ⌈log2(N − 1)⌉ probes (N = 8: 4 probes, 5 \
            distinct builds with B1). It prints each probe, then the first bad build and the evidence: every \
            tested build's index, path, sha256, the metric's geometric mean, the ratio to B1 with its interval \
            and the verdict, also written as bisect.csv. Every probe's results folder is kept, as \
            DIR/build-<k>/ (an ordinary results folder: report, compare and --resume read it), DIR being --out or \
            results/<experiment>/bisect-<UTC time>/. The lab lock is held for the whole bisection.

            Default metric rss_bytes_per_node: every layout and allocator has it (allocators without statistics \
            and Python layouts too), and bytes are nearly deterministic, so three repetitions decide a probe on a \
            busy machine. Default --fail-above 2: far beyond RSS noise, below one 16-byte size-class step of a \
            small node.

            Exit status: 0 no build regresses; 1 a regressing build is named (as compare --fail-above exits 1); \
            2 bad input before any trial ran (a build missing, not a shared object or given twice, the \
            experiment, --allocator or --metric) or a probe that cannot be decided (fewer than two repetitions, \
            no figures, failed trials: the build and the reason are named); 75 --no-wait and another run holds \
            the lab lock; 130 stopped by a signal.
            """ + CommandExamples.bisect)

    @Argument(help: "The experiment file (JSON).", completion: .file(extensions: ["json"]))
    var experiment: String

    @Option(parsing: .upToNextOption, help: ArgumentHelp("The allocator builds in order, the first known good.", valueName: "library"), completion: .file())
    var builds: [String] = []

    @Option(help: "The allocator entry of the experiment the builds replace (needed when it has several).")
    var allocator: String?

    @Option(help: "The trials.csv column (or phase figure PHASE.FIGURE) that decides each probe.")
    var metric: String = Bisection.defaultMetric

    @Option(help: ArgumentHelp(
        "A build is bad when it is worse than build 1 by more than this many percent with the whole 95 % interval beyond it.",
        valueName: "percent"))
    var failAbove: Double = Bisection.defaultFailAbovePercent

    @Option(help: "The bisection's folder (default: results/<experiment>/bisect-<UTC time>); each probe's results in build-<k>/.", completion: .directory)
    var out: String?

    @Option(help: "The worker executable (default: layoutlab-worker beside this executable).")
    var worker: String?

    @OptionGroup var exporting: ExportOptions

    @Flag(help: "No trial progress lines (the bisection's own lines are printed).")
    var quiet = false

    @Flag(help: "Refuse at once (exit 75) when another run holds the lab lock, instead of waiting for it.")
    var noWait = false

    func run() throws {
        guard let swiftc = LayoutLibraryBuilder.findSwiftc() else { throw HostError.swiftcNotFound(option: nil) }
        let interruption = RunInterruption()
        interruption.installSignalHandlers()
        var options = RunOptions(swiftc: swiftc, interruption: interruption)
        if let worker { options.workerPath = worker }
        options.showProgress = !quiet
        options.waitForLabLock = !noWait
        let request = Bisection.Request(
            experimentPath: experiment, builds: builds, allocator: allocator, metric: metric, failAbovePercent: failAbove,
            outputDirectory: out.map { URL(fileURLWithPath: $0) })
        let bisection = Bisection(request: request, options: options)
        let outcome: Bisection.Outcome
        do {
            outcome = try bisection.run(lockingWith: LabLock(path: LabLock.defaultPath())) { print($0) }
        } catch {
            fflush(nil)
            throw CommandFailure(error, exitStatus: Self.exitStatus(of: error, stopped: interruption.isStopped))
        }
        print("")
        print(BisectReport.table(outcome))
        let csv = outcome.folder.appendingPathComponent(Bisection.csvFile)
        print("bisect.csv: \(csv.path)")
        try step(endingWith: .failure) { try exporting.write(BenchmarkExport.entries(outcome.rows), besides: csv) }
        if let undecidable = outcome.undecidable { throw undecidable }
        if outcome.stopped {
            FileHandle.standardError.write(Data("layoutlab: stopped by \(interruption.reason ?? "a signal"); the probes finished so far are kept in \(outcome.folder.path)\n".utf8))
            throw ExitCode(130)
        }
        guard let bad = outcome.firstBad else {
            print("no build regresses: build \(builds.count) (\(builds[builds.count - 1])) is not worse than build 1 by more than \(Rounded.text(failAbove)) % in \(metric)")
            return
        }
        let lastGood = outcome.lastGood
        print("first bad build: \(bad.index) (\(bad.path), sha256 \(bad.sha256 ?? "unreadable")); last good: \(lastGood.index) (\(lastGood.path)); \(metric) worse than build 1 by more than \(Rounded.text(failAbove)) %")
        throw ExitCode.failure
    }

    /// Bad input and undecidable probes are 2, a busy lab lock 75, a stop by a signal 130, a refusal of the run
    /// before its trials as `run` says (trials that cannot fit: 2), anything else (a tool or file that failed) 1.
    static func exitStatus(of error: any Error, stopped: Bool) -> LabExitStatus {
        if stopped { return .interrupted }
        if error is BisectError { return .badInput }
        return Run.exitStatus(of: error, stopped: false)
    }
}
