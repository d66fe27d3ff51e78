import ArgumentParser
import Foundation
import LayoutLab

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare allocators within one run, or the same trials in two runs, with confidence intervals.",
        discussion: """
            layoutlab compare DIR --by allocator   compares every allocator of DIR against a baseline one.
            layoutlab compare DIR_A DIR_B          compares each configuration (shape, layout, nodes, allocator) \
            of A with the same one in B.
            For each metric: the median of each side, the ratio B ÷ A, and a 95 % percentile-bootstrap interval of \
            that ratio over the repetitions; the difference is beyond noise when the interval excludes 1. Writes \
            comparison.csv into DIR (or DIR_B). Exit status 1 with --fail-above when a metric regresses.
            """ + CommandExamples.compare)

    @Argument(help: "One results folder (with --by allocator) or two (A, then B).", completion: .directory)
    var directories: [String]

    @Option(help: "Compare within one folder: `allocator` (allocators against a baseline one) or `host` (machines of a merged folder, allocator by allocator).", completion: .list(Comparison.Grouping.allCases.map(\.rawValue)))
    var by: String?

    @Option(help: "With --by: the allocator or host the others are divided by (default: the first in trials.csv).")
    var baseline: String?

    @Option(help: ArgumentHelp("Comma-separated trials.csv columns (default: \(Comparison.defaultMetrics.joined(separator: ","))).", valueName: "metrics"))
    var metric: String = Comparison.defaultMetrics.joined(separator: ",")

    @Option(help: ArgumentHelp("Exit 1 when B is worse than A by more than this many percent, beyond noise.", valueName: "percent"))
    var failAbove: Double?

    @Option(help: "Where to write comparison.csv (default: inside DIR, or DIR_B).")
    var out: String?

    func validate() throws {
        switch (directories.count, by) {
        case (1, "allocator"), (1, "host"), (2, nil): break
        case (1, nil): throw ValidationError("one folder needs --by allocator or --by host; or give two folders to compare")
        case (_, .some(let value)) where Comparison.Grouping(rawValue: value) == nil:
            throw ValidationError("--by takes `allocator` or `host`, got \(value)\(Suggestion.hint(for: value, among: ["allocator", "host"]))")
        default: throw ValidationError("give one folder with --by, or two folders")
        }
        if let failAbove, failAbove < 0 { throw ValidationError("--fail-above must be a percentage ≥ 0, got \(failAbove)") }
    }

    func run() throws {
        let tables: [TrialTable]
        do {
            tables = try directories.map { try TrialTable(directory: URL(fileURLWithPath: $0)) }
        } catch {
            throw stop("\(error)", code: invalidInputExitCode)
        }
        let metrics = metric.split(separator: ",").map(String.init)
        for name in metrics where !tables[0].header.contains(name) {
            let hint = Suggestion.closest(to: name, among: tables[0].header).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw stop("\(name) is not a column of trials.csv\(hint)", code: invalidInputExitCode)
        }
        for name in metrics where !tables[0].rows.contains(where: { $0.value(name) != nil }) {
            throw stop("\(name) has no numbers in \(directories[0])/trials.csv: compare takes numeric columns such as \(Comparison.defaultMetrics.joined(separator: ", "))", code: invalidInputExitCode)
        }
        let grouping = by.flatMap(Comparison.Grouping.init(rawValue:)) ?? .allocator
        if let baseline, !tables[0].rows.contains(where: { (grouping == .host ? $0.cells["host"] : $0.allocator) == baseline }) {
            throw stop("no successful trial of \(grouping.rawValue) \(baseline) in \(directories[0])", code: invalidInputExitCode)
        }
        let comparisons = Comparison.pairs(
            tables[0], tables.count > 1 ? tables[1] : nil, metrics: metrics, baseline: baseline, by: grouping)
        guard !comparisons.isEmpty else {
            throw stop("nothing to compare: no configuration has successful trials on both sides")
        }
        print(ComparisonTable.render(comparisons))
        let destination = out.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: directories.last ?? ".").appendingPathComponent("comparison.csv")
        try AtomicFile.write(ComparisonTable.csv(comparisons).text, to: destination)
        print("comparison: \(destination.path)")
        if tables.count == 2, let folder = try? ResultsFolder.open(URL(fileURLWithPath: directories[1])) {
            // The two-run comparison chart's data, drawn by `layoutlab plot DIR_B` (comparison-runs-*).
            let data = folder.directory.appendingPathComponent(ChartDataWriter.directoryName)
            for set in ChartDataWriter.chartSets(of: folder.experiment) {
                let target = data.appendingPathComponent(set.subfolder).standardizedFileURL
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                for (name, metric) in [("runs-rss", "rss_bytes_per_node"), ("runs-ns", "allocate_ns_per_node")] {
                    let table = ChartData.comparison(comparisons, metric: metric, focus: set.focus)
                    try AtomicFile.write(table.text, to: target.appendingPathComponent("comparison-\(name).csv"))
                }
            }
            try RunComparisonFolders.write(a: URL(fileURLWithPath: directories[0]), b: folder)
            let sets = ChartDataWriter.chartSets(of: folder.experiment)
            let location = sets.count == 1 ? "\(data.path)/comparison-runs-*.csv" : "\(data.path)/<shape>/comparison-runs-*.csv"
            print("chart data for `layoutlab plot \(directories[1])`: \(location)")
        }
        if let failAbove {
            let regressions = comparisons.filter { $0.regresses(abovePercent: failAbove) }
            if !regressions.isEmpty {
                let lines = regressions.map {
                    "  \($0.shape) \($0.layout) \($0.nodes) \($0.metric): \($0.sideB) is \(ComparisonTable.format4($0.ratio ?? 0))× \($0.sideA)"
                }
                FileHandle.standardError.write(Data("regressions beyond \(failAbove) % and beyond noise:\n\(lines.joined(separator: "\n"))\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
