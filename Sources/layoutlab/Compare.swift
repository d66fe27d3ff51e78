import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabReports
import LayoutLabResults

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare allocators within one run, or the same trials in two runs, with confidence intervals.",
        discussion: """
            layoutlab compare DIR --by allocator   compares every allocator of DIR against a baseline one.
            layoutlab compare DIR_A DIR_B          compares each configuration (shape, layout, nodes, allocator) \
            of A with the same one in B.

            For each metric: the median and geometric mean of each side, the ratio B ÷ A of the geometric means, \
            and its 95 % Welch t-interval on log values (Welch–Satterthwaite degrees of freedom); the difference is \
            beyond noise when the interval excludes 1. Equal values in every repetition (deterministic counts) give \
            an exact ratio; fewer than two repetitions or a value ≤ 0 give no interval. Metrics are lower-is-better \
            when their unit says cost (bytes, ns, counts per node), so verdicts say "B worse" or "B better". Where \
            X_instructions_per_node is compared (by default when trials.csv has counts on both sides), \
            X_ns_per_node rows are decided by it and by X_minor_faults_per_node (page faults, also a default \
            metric and tested).

            The interval holds the spread of repetitions within each run. Between two runs it does not hold \
            drift (the machine's load, clock or page cache moving every trial of a run alike): compare prints each \
            time metric's run shift (the geometric mean of its ratios over all configurations) and warns when it \
            exceeds the typical within-run half-width. To guard an allocator build, list both builds as two \
            allocators of one experiment (the runner interleaves their trials) and run \
            `compare DIR --by allocator --baseline OLD --fail-above P`; with two runs, --control ALLOCATOR divides \
            each time ratio by an unchanged allocator's, so that a shift of the whole run cancels.

            Two folders are compared only when their trials are the same things: the shapes' fields and payload \
            layout, the phases and their parameters, the seed, checkpoints, sampling and probe nodes, and every \
            other experiment key that may change the figures. Of the allocator (library sha256, environment) and \
            the toolchain (Swift, generated code flags, Python), only the --subject may differ. The machine and \
            the lab commit are reported, not refused. A mismatch exits 2 naming what differs, and nothing is \
            written; --allow-mismatch compares anyway, labels the output and writes no chart data.

            --fail-above P exits 1 when a row's whole interval lies above 1 + P/100 (B worse than A by more than \
            P %), with Holm–Bonferroni over every tested row (family-wise error 2.5 % one-sided), and exits 2 \
            naming the rows that cannot be decided (fewer than two repetitions on a side) when none regresses. A \
            time row decided by counts whose whole interval still lies above the bound while no count regresses \
            is a warning after the verdict (and time_unexplained in comparison.csv), not an exit status: the \
            counts decide, which keeps a CI decision repeatable; test time itself with --metric X_ns_per_node, \
            best within one interleaved run.

            Exit status: 0 no regression, 1 regression, 2 cannot decide or bad input (messages on stderr, after \
            the tables on stdout). Writes comparison.csv into DIR (or DIR_B).

            --export github-benchmark|bencher also writes the figures for a continuous-benchmarking service \
            (default file: benchmark-<format>.json beside comparison.csv): with two folders B's geometric mean of \
            each compared row with its 95 % interval (B ÷ A in the entry's extra text), within one folder every \
            allocator's. github-benchmark is github-action-benchmark's customSmallerIsBetter array (higher-is-better \
            figures go to <file>-bigger-is-better.json for customBiggerIsBetter; figures without a direction are left \
            out); bencher is Bencher Metric Format (value, lower_value, upper_value). A figure without a number is \
            left out, never written as 0.
            """ + CommandExamples.compare)

    @Argument(help: "One results folder (with --by allocator or --by host) or two (A, then B).", completion: .directory)
    var directories: [String]

    @Option(help: "Compare within one folder: `allocator` (allocators against a baseline one) or `host` (machines of a merged folder, allocator by allocator).", completion: .list(Comparison.Grouping.allCases.map(\.rawValue)))
    var by: String?

    @Option(help: "With --by: the allocator or host the others are divided by (default: the first in trials.csv).")
    var baseline: String?

    @Option(help: ArgumentHelp(
        "Comma-separated trials.csv columns or phase figures such as traverse-rnd.ns_per_node (default: \(Comparison.baseMetrics.joined(separator: ",")), and every *_instructions_per_node and *_minor_faults_per_node column with numbers on both sides).",
        valueName: "metrics"))
    var metric: String?

    @Option(help: ArgumentHelp(
        "Exit 1 when B is worse than A by more than this many percent with the whole 95 % interval beyond it (Holm–Bonferroni over the tested rows); exit 2 when a tested row has fewer than two repetitions on a side.",
        valueName: "percent"))
    var failAbove: Double?

    @Option(help: ArgumentHelp(
        "With two folders: what the comparison is about, the one identity allowed to differ: `allocator` (library and environment), `toolchain` (Swift, generated code flags, Python) or `none`.",
        valueName: "subject"))
    var subject: String = TrialMatch.Subject.allocator.rawValue

    @Option(help: ArgumentHelp(
        "With two folders: an allocator that did not change between them; every other allocator's time ratios are divided by its ratio for the same configuration, so that drift of the whole run cancels.",
        valueName: "allocator"))
    var control: String?

    @Flag(help: "Compare two folders even when their trials differ in what they measure; the output says so.")
    var allowMismatch = false

    @Option(help: "Where to write comparison.csv (default: inside DIR, or DIR_B).")
    var out: String?

    @OptionGroup var exporting: ExportOptions

    func validate() throws {
        switch (directories.count, by) {
        case (1, "allocator"), (1, "host"), (2, nil): break
        case (1, nil): throw ValidationError("one folder needs --by allocator or --by host; or give two folders to compare")
        case (_, .some(let value)) where Comparison.Grouping(rawValue: value) == nil:
            throw ValidationError("--by takes `allocator` or `host`, got \(value)\(Suggestion.hint(for: value, among: ["allocator", "host"]))")
        default: throw ValidationError("give one folder with --by, or two folders")
        }
        if let failAbove, !(failAbove >= 0) { throw ValidationError("--fail-above must be a percentage ≥ 0, got \(failAbove)") }
        if control != nil, directories.count != 2 {
            throw ValidationError("--control divides two runs' ratios by an unchanged allocator's: give two folders (within one run, compare --by allocator needs no control)")
        }
        let subjects = TrialMatch.Subject.allCases.map(\.rawValue)
        if TrialMatch.Subject(rawValue: subject) == nil {
            throw ValidationError("--subject takes \(subjects.joined(separator: ", ")), got \(subject)\(Suggestion.hint(for: subject, among: subjects))")
        }
    }

    func run() throws {
        for directory in directories { try requireDirectory(directory) }
        let tables = try step(endingWith: .badInput) { try directories.map { try TrialTable(directory: URL(fileURLWithPath: $0)) } }
        let metrics = metric.map { $0.split(separator: ",").map(String.init) } ?? Comparison.defaultMetrics(in: tables)
        try check(metrics, in: tables)
        let grouping = by.flatMap(Comparison.Grouping.init(rawValue:)) ?? .allocator
        try checkGrouping(grouping, table: tables[0])
        try checkControl(tables)

        var mismatch: TrialMatch?
        if tables.count == 2 {
            let match = TrialMatch(
                a: RunIdentity(directory: tables[0].directory), tableA: tables[0], b: RunIdentity(directory: tables[1].directory),
                tableB: tables[1], subject: TrialMatch.Subject(rawValue: subject) ?? .allocator)
            if !match.mismatches.isEmpty, !allowMismatch {
                throw ComparisonInputError.trialsDiffer(
                    a: directories[0], b: directories[1], mismatches: match.mismatches.map(\.description), subjectIsAllocator: subject == "allocator")
            }
            if let control, let changed = match.subjectDifferences.first(where: { $0.about.hasPrefix("allocator \(control):") }) {
                throw ComparisonInputError.controlChanged(control: control, change: "\(changed)")
            }
            mismatch = match
        }
        let comparisons = Comparison.pairs(
            tables[0], tables.count > 1 ? tables[1] : nil, metrics: metrics, baseline: baseline, by: grouping, control: control)
        guard !comparisons.isEmpty else {
            throw ComparisonInputError.nothingToCompare
        }
        let mismatched = !(mismatch?.mismatches.isEmpty ?? true)
        if let mismatch {
            if mismatched {
                print("COMPARED DESPITE DIFFERENT TRIALS (--allow-mismatch): these ratios compare unlike things.")
                for difference in mismatch.mismatches { print("  \(difference)") }
            }
            for difference in mismatch.subjectDifferences { print("subject (--subject \(subject)): \(difference)") }
            for difference in mismatch.context { print("note: \(difference)") }
        }
        let regressionCheck = failAbove.map { RegressionCheck(comparisons, abovePercent: $0) }
        // The plain ratios B ÷ A, the control's own included: the run's shift (the drift a control cancels) and
        // the two-run chart, which draws B ÷ A.
        let plain = control == nil || tables.count < 2 ? comparisons : Comparison.pairs(tables[0], tables[1], metrics: metrics, baseline: nil)
        let shifts = tables.count == 2 ? RunShift.shifts(plain) : []
        print(ComparisonTable.render(comparisons, acrossRuns: tables.count == 2))
        if !shifts.isEmpty { print(ComparisonTable.shiftSummary(shifts)) }
        let destination = out.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: directories.last ?? ".").appendingPathComponent("comparison.csv")
        let label = mismatched ? mismatch?.mismatches.map(\.description).joined(separator: "; ") : nil
        try AtomicFile.write(ComparisonTable.csv(comparisons, check: regressionCheck, mismatch: label, shifts: shifts).text, to: destination)
        print("comparison: \(destination.path)")
        try exporting.write(BenchmarkExport.entries(comparisons, acrossRuns: tables.count == 2), besides: destination)
        if tables.count == 2 {
            if mismatched {
                print("no chart data written for `layoutlab plot \(directories[1])`: the trials do not match")
            } else {
                try writeChartData(plain)
            }
        }
        let warnings = ComparisonTable.warnings(regressionCheck, shifts: shifts, control: control).map { "layoutlab: warning: " + $0 }.joined(separator: "\n")
        guard let regressionCheck else {
            warn(warnings)
            return
        }
        let verdict = ComparisonTable.verdict(regressionCheck).trimmingCharacters(in: .newlines)
        let message = warnings.isEmpty ? verdict : verdict + "\n" + warnings
        if !regressionCheck.regressions.isEmpty || !regressionCheck.undecidable.isEmpty {
            throw ComparisonVerdict(text: message, regressed: !regressionCheck.regressions.isEmpty)
        }
        print(verdict)
        warn(warnings)
    }

    /// Warnings go to stderr after everything on stdout (flushed first, as errors are).
    private func warn(_ text: String) {
        guard !text.isEmpty else { return }
        fflush(nil)
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// Every metric must be a column with numbers on every side; a typo gets the nearest valid name and the list.
    private func check(_ metrics: [String], in tables: [TrialTable]) throws {
        for (table, directory) in zip(tables, directories) {
            let numeric = table.metricColumns
            for name in metrics where !numeric.contains(name) {
                throw ComparisonInputError.notAMetric(
                    name: name, isColumn: table.header.contains(name), directory: directory, hint: table.metricHint(for: name), listing: table.metricListing)
            }
        }
    }

    /// `--control` must name an allocator with trials in both folders, and not the only one.
    private func checkControl(_ tables: [TrialTable]) throws {
        guard let control, tables.count == 2 else { return }
        for (table, directory) in zip(tables, directories) {
            var names: [String] = []
            for row in table.rows where !names.contains(row.allocator) { names.append(row.allocator) }
            guard names.contains(control) else {
                throw ComparisonInputError.controlNotInFolder(
                    control: control, directory: directory, hint: Suggestion.hint(for: control, among: names), allocators: names)
            }
            guard names.count > 1 else {
                throw ComparisonInputError.controlIsAlone(control: control, directory: directory)
            }
        }
    }

    /// `--baseline` must name an allocator (or host) of the folder; `--by host` needs two hosts.
    private func checkGrouping(_ grouping: Comparison.Grouping, table: TrialTable) throws {
        guard directories.count == 1 else { return }
        var names: [String] = []
        for row in table.rows {
            let name = grouping == .host ? row.cells["host"] ?? "" : row.allocator
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        if grouping == .host, names.count < 2 {
            throw ComparisonInputError.oneHost(name: names.first ?? "none recorded", directory: directories[0])
        }
        if let baseline, !names.contains(baseline) {
            // glibc's malloc is the lab's `system` allocator.
            let hint = grouping == .allocator && baseline.lowercased().hasPrefix("glibc") && names.contains("system")
                ? " (did you mean \"system\"? glibc's malloc is the allocator named system)" : Suggestion.hint(for: baseline, among: names)
            throw ComparisonInputError.unknownBaseline(
                grouping: grouping.rawValue, baseline: baseline, directory: directories[0], hint: hint, names: names)
        }
    }

    /// The two-run comparison chart's data in B's folder, drawn by `layoutlab plot DIR_B` (comparison-runs-*).
    private func writeChartData(_ comparisons: [Comparison]) throws {
        let folder: ResultsFolder
        do {
            folder = try ResultsFolder.open(URL(fileURLWithPath: directories[1]))
        } catch {
            print("no chart data written for `layoutlab plot \(directories[1])`: \(error)")
            return
        }
        let data = folder.directory.appendingPathComponent(ChartDataWriter.directoryName)
        let sets = ChartDataWriter.chartSets(of: folder.experiment)
        for set in sets {
            let target = data.appendingPathComponent(set.subfolder).standardizedFileURL
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for (name, metric) in [("runs-rss", "rss_bytes_per_node"), ("runs-ns", "allocate_ns_per_node")] {
                let table = ChartData.comparison(comparisons, metric: metric, focus: set.focus)
                try AtomicFile.write(table.text, to: target.appendingPathComponent("comparison-\(name).csv"))
            }
        }
        try RunComparisonFolders.write(a: URL(fileURLWithPath: directories[0]), b: folder)
        let location = sets.count == 1 ? "\(data.path)/comparison-runs-*.csv" : "\(data.path)/<shape>/comparison-runs-*.csv"
        print("chart data for `layoutlab plot \(directories[1])`: \(location)")
    }
}
