import ArgumentParser
import Foundation
import LayoutLabAnalysis
import LayoutLabExperiments
import LayoutLabModel
import LayoutLabReports
import LayoutLabResults

struct Trend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Each configuration's metrics across an ordered series of results folders, with the changes beyond noise marked.",
        discussion: """
            The folders are runs of one experiment in order (oldest first): nightly runs, one per allocator build or \
            lab commit. Each configuration (shape, layout, nodes, threads, allocator, as `compare A B` pairs them) \
            gets, per folder, the geometric mean of its repetitions with a 95 % Student-t interval on log values, \
            and per step between consecutive folders the ratio later ÷ earlier with compare's 95 % Welch interval on \
            log values. A step is a change (◆) when its two-sided test of "ratio = 1" is rejected by \
            Holm–Bonferroni over every tested step of every configuration and metric (family-wise error 5 %), so a \
            long flat series does not light up by chance; its interval then excludes 1. Steps whose repetitions \
            all gave one and the same value on both sides (bytes, deterministic counts) are no change; \
            deterministic values that differ are a change. As with compare A B, the intervals hold the spread within \
            each run, not the drift between runs: a time metric's step can be the machine (trend notes a step \
            whose whole run moved more than the typical interval).

            Consecutive folders are checked as compare A B checks its two: --subject names the one identity that may \
            change along the series (`allocator`: library sha256 and environment, the default; `toolchain`; \
            `none`), and any other difference exits 2 naming it; --allow-mismatch goes on, labels every row of \
            trend.csv and draws no charts.

            Writes OUT/trend.csv (one row per metric, configuration and folder) and, with gnuplot, \
            OUT/charts/trend-<metric>.png and .svg (data in OUT/chart-data/; plot-trend.gnuplot). OUT is --out, \
            default DIR_N/trend (inside the newest folder, as compare writes into DIR_B).

            Exit status: 0 whatever the series shows (a report); with --fail-on-regression, 1 when the newest \
            folder's step is a change for the worse in a metric with a direction, else 2 when a row's newest step \
            cannot be decided; 2 for bad input (fewer than 2 folders, a folder that is not a results folder, a \
            metric no folder has, folders that measured different trials); 1 when the charts cannot be drawn.
            """ + CommandExamples.trend)

    @Argument(help: "Two or more results folders, oldest first.", completion: .directory)
    var directories: [String]

    @Option(help: ArgumentHelp(
        "Comma-separated trials.csv columns or phase figures (default: as compare: \(Comparison.baseMetrics.joined(separator: ",")) and the instruction and page-fault counts every folder has).",
        valueName: "metrics"))
    var metric: String?

    @Option(help: ArgumentHelp(
        "What names each folder: `commit` (the lab's git commit), `allocator_version` (each allocator's package version or library sha256) or `dir` (the folder's name).",
        valueName: "label"))
    var labelBy: String = TrendLabel.dir.rawValue

    @Option(help: ArgumentHelp(
        "The one identity allowed to differ between consecutive folders: `allocator`, `toolchain` or `none` (as compare's).",
        valueName: "subject"))
    var subject: String = TrialMatch.Subject.allocator.rawValue

    @Flag(help: "Go on when consecutive folders measured different trials; trend.csv says so and no chart is drawn.")
    var allowMismatch = false

    @Option(help: "Where trend.csv and the charts go (default: DIR_N/trend).", completion: .directory)
    var out: String?

    @Flag(help: "Exit 1 when the newest folder's step is a change for the worse (2 when a row's newest step cannot be decided).")
    var failOnRegression = false

    @Flag(help: "Write trend.csv only, without running gnuplot.")
    var noCharts = false

    @Option(help: "The gnuplot script (default: plot-trend.gnuplot of this lab's source tree).", completion: .file(extensions: ["gnuplot"]))
    var script: String?

    @OptionGroup var exporting: ExportOptions

    func validate() throws {
        let labels = TrendLabel.allCases.map(\.rawValue)
        if TrendLabel(rawValue: labelBy) == nil {
            throw ValidationError("--label-by takes \(labels.joined(separator: ", ")), got \(labelBy)\(Suggestion.hint(for: labelBy, among: labels))")
        }
        let subjects = TrialMatch.Subject.allCases.map(\.rawValue)
        if TrialMatch.Subject(rawValue: subject) == nil {
            throw ValidationError("--subject takes \(subjects.joined(separator: ", ")), got \(subject)\(Suggestion.hint(for: subject, among: subjects))")
        }
    }

    func run() throws {
        guard directories.count >= 2 else { throw TrendInputError.tooFewFolders(count: directories.count) }
        var tables: [TrialTable] = []
        for (index, directory) in directories.enumerated() {
            print("trend: reading \(index + 1) of \(directories.count): \(directory)")
            tables.append(try step(endingWith: .badInput) {
                try requireDirectory(directory)
                return try TrialTable(directory: URL(fileURLWithPath: directory))
            })
        }
        let metrics = try chosenMetrics(tables)
        let mismatches = try checkIdentity(tables)
        let trend = LayoutLabAnalysis.Trend(tables, metrics: metrics)
        guard !trend.series.isEmpty else { throw TrendInputError.nothingToTrend }

        let urls = directories.map { URL(fileURLWithPath: $0) }
        let label = TrendLabel(rawValue: labelBy) ?? .dir
        let folders = TrendReport.Folders(
            paths: directories, labels: label.labels(urls),
            allocatorVersions: urls.map { url in
                Dictionary((EnvironmentReader(directory: url).record?.allocators ?? []).map { ($0.name, TrendLabel.version(of: $0)) }) { first, _ in first }
            })
        print(TrendReport.render(trend, folders: folders))
        print(TrendReport.summary(trend), terminator: "")

        let destination = URL(fileURLWithPath: out ?? URL(fileURLWithPath: directories[directories.count - 1]).appendingPathComponent("trend").path)
        let mismatch = mismatches.isEmpty ? nil : mismatches.joined(separator: "; ")
        try step(endingWith: .failure) {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            let csv = destination.appendingPathComponent(TrendReport.fileName)
            try AtomicFile.write(TrendReport.csv(trend, folders: folders, mismatch: mismatch), to: csv)
            print("trend: \(csv.path)")
            try exporting.write(BenchmarkExport.entries(trend, labels: folders.labels), besides: csv)
        }
        if mismatch != nil {
            print("no charts drawn: consecutive folders measured different trials (--allow-mismatch)")
        } else if !noCharts {
            try step(endingWith: .failure) {
                let stems = try TrendChart.writeData(trend, folders: folders, subtitle: subtitle(tables, label: label), into: destination)
                guard let path = script.map({ URL(fileURLWithPath: $0) }) ?? TrendChart.defaultScript() else { throw ChartPlotError.noDefaultScript }
                for chart in try TrendChart.plot(into: destination, stems: stems, script: path) { print("chart: \(chart.path)") }
            }
        }
        if failOnRegression { try verdict(trend) }
    }

    /// `--metric`'s names (each must have numbers in at least one folder), or compare's defaults.
    private func chosenMetrics(_ tables: [TrialTable]) throws -> [String] {
        guard let metric else { return Comparison.defaultMetrics(in: tables) }
        let names = metric.split(separator: ",").map(String.init)
        for name in names where !tables.contains(where: { $0.metricColumns.contains(name) }) {
            throw TrendInputError.noFolderHasMetric(name: name, hint: tables[0].metricHint(for: name), listing: tables[0].metricListing)
        }
        return names
    }

    /// compare's identity checks between consecutive folders; the mismatches (with --allow-mismatch).
    private func checkIdentity(_ tables: [TrialTable]) throws -> [String] {
        let identities = tables.map { RunIdentity(directory: $0.directory) }
        var mismatches: [String] = []
        for index in 0..<(tables.count - 1) {
            let match = TrialMatch(
                a: identities[index], tableA: tables[index], b: identities[index + 1], tableB: tables[index + 1],
                subject: TrialMatch.Subject(rawValue: subject) ?? .allocator)
            let stepName = "folder \(index + 1) → \(index + 2)"
            if !match.mismatches.isEmpty {
                guard allowMismatch else {
                    throw TrendInputError.trialsDiffer(
                        step: index + 1, a: directories[index], b: directories[index + 1], mismatches: match.mismatches.map(\.description))
                }
                mismatches += match.mismatches.map { "\(stepName): \($0)" }
            }
            for difference in match.subjectDifferences { print("\(stepName), subject (--subject \(subject)): \(difference)") }
            for difference in match.context { print("\(stepName), note: \(difference)") }
        }
        if !mismatches.isEmpty {
            print("TRENDED DESPITE DIFFERENT TRIALS (--allow-mismatch): these steps compare unlike things.")
            for difference in mismatches { print("  \(difference)") }
        }
        return mismatches
    }

    /// The chart's lines under its title: experiment, repetitions, machine, what names the folders.
    private func subtitle(_ tables: [TrialTable], label: TrendLabel) -> String {
        let experiment = RunIdentity(directory: tables[tables.count - 1].directory).experiment
        let name = experiment.map { "\($0.name) · repetitions \($0.repetitions)" } ?? "experiment unknown"
        return "\(name) · folders labelled by \(label.rawValue) · \(EnvironmentReader(directory: tables[tables.count - 1].directory).machine)"
    }

    /// `--fail-on-regression`: the newest step's changes for the worse, else its undecidable rows.
    private func verdict(_ trend: LayoutLabAnalysis.Trend) throws {
        let last = trend.folders - 2
        let worse = trend.changes.filter { item in
            item.step.from == last && item.series.direction != .undirected
                && item.series.direction.word(bHigher: (item.step.comparison.ratio ?? 1) > 1) == "worse"
        }
        if !worse.isEmpty {
            fflush(nil)
            throw TrendRegression(text: "the newest folder is worse beyond noise in \(worse.count) row\(worse.count == 1 ? "" : "s"):\n" + worse.map { item in
                "  \(item.series.configuration.name) \(item.series.metric): ×\(item.step.comparison.ratio.map(ComparisonTable.format4) ?? "–"), adjusted p \(item.step.adjustedPValue.map { String(format: "%.3g", $0) } ?? "–")"
            }.joined(separator: "\n"))
        }
        let undecided = trend.undecidable.filter { $0.step.from == last }
        if !undecided.isEmpty {
            throw TrendInputError.lastStepUndecidable(rows: undecided.map { "\($0.series.configuration.name) \($0.series.metric): \($0.step.undecidable ?? "")" })
        }
        print("no regression in the newest folder (\(LayoutLabAnalysis.Trend.correctionName))")
    }
}
