import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabResults
import LayoutLabTables

/// Writes `chart-data/` for a results folder: the derived tables of `ChartData`, the comparison of every
/// allocator with the first one, and `subtitle.txt` (what every chart says about how it was measured).
/// One set of tables per shape at the largest node count: with one shape they are `chart-data/*.csv` (charts
/// in `charts/`), with several each shape has `chart-data/<shape>/` (charts in `charts/<shape>/`).
/// `chart-data/shapes.txt` lists those subfolders for `plot.gnuplot` (`.` for a single shape, `-` for none).
/// Sweeps add `chart-data/staircase-*` (`ChartDataWriter+Staircase`), shapes with length distributions
/// `size-classes-*.csv` in their set's folder (`ChartDataWriter+SizeClasses`), programs `chart-data/program-rss.*`
/// and `program-comparison-*` (`ChartDataWriter+Programs`), trace replays `replay-rss.csv` and `replay-comparison-*`
/// (`ChartDataWriter+Replay`; the comparisons of both by `ChartDataWriter+NamedComparisons`).
package enum ChartDataWriter {
    package static let directoryName = "chart-data"
    package static let shapesFile = "shapes.txt"

    /// One set of charts: what it shows, and its subfolder under `chart-data/` and `charts/`.
    package struct ChartSet: Sendable {
        package var focus: ChartData.Focus
        package var subfolder: String
    }

    /// Members of a sweep have none: their staircase (`staircase-<family>-<layout>`) shows them all, where
    /// 512 sets of per-shape charts would bury it.
    package static func chartSets(of experiment: Experiment) -> [ChartSet] {
        let foci = ChartData.foci(experiment).filter { $0.shape.sweep == nil }
        return foci.map { ChartSet(focus: $0, subfolder: foci.count == 1 ? "." : $0.shape.name) }
    }

    @discardableResult
    package static func write(for folder: ResultsFolder) throws -> URL {
        let directory = folder.directory.appendingPathComponent(directoryName)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = folder.run
        let samples = folder.sampleRows
        let comparisons = try comparisons(of: folder)
        let sizes = folder.allocationSizeRows
        let sets = chartSets(of: folder.experiment)
        for set in sets {
            let focus = set.focus
            let target = directory.appendingPathComponent(set.subfolder).standardizedFileURL
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let tables: [(String, CSVTable)] = [
                ("growth.csv", ChartData.growth(samples: samples, run: run, focus: focus)),
                ("breakdown.csv", ChartData.breakdown(run: run, focus: focus)),
                ("phase-times.csv", ChartData.phaseTimes(run: run, focus: focus)),
                ("phases.csv", ChartData.phaseLabels(run: run)),
                ("timeline.csv", ChartData.timeline(samples: samples, run: run, focus: focus)),
                ("comparison-rss.csv", ChartData.comparison(comparisons, metric: "rss_bytes_per_node", focus: focus)),
                ("comparison-ns.csv", ChartData.comparison(comparisons, metric: "allocate_ns_per_node", focus: focus)),
            ]
            // An experiment that sleeps has its timeline on a seconds axis and the idle-return chart; others have
            // neither file, so their chart data is as it always was.
            let idle: [(String, CSVTable)] = ChartData.hasIdlePhase(run.experiment) ? [
                ("timeline-seconds.csv", ChartData.timelineSeconds(samples: samples, run: run, focus: focus)),
                ("timeline-spans.csv", ChartData.timelineSpans(samples: samples, run: run, focus: focus)),
                ("idle-return.csv", ChartData.idleReturn(samples: samples, run: run, focus: focus)),
            ] : []
            for (name, table) in tables + idle { try AtomicFile.write(table.text, to: target.appendingPathComponent(name)) }
            try writeThreadsAndForks(folder, focus: focus, into: target)
            try AtomicFile.write(subtitle(folder, focus: focus) + "\n", to: target.appendingPathComponent("subtitle.txt"))
            try writeSizeClasses(sizes, run: run, focus: focus, into: target)
        }
        // `-`: no set (every shape is a sweep member), so that plot.gnuplot does not fall back to `.`.
        try AtomicFile.write((sets.isEmpty ? "-" : sets.map(\.subfolder).joined(separator: " ")) + "\n", to: directory.appendingPathComponent(shapesFile))
        try writeStaircases(folder, into: directory)
        try writePrograms(folder, samples: samples, comparisons: comparisons, into: directory)
        try writeReplay(folder, comparisons: comparisons, into: directory)
        return directory
    }

    /// Every allocator against the first one of the experiment, for the comparison chart and the report.
    /// From the folder's records in memory, not its `trials.csv` read back. (Kept `throws`: without it, the
    /// Swift 6.3.1 optimizer crashes on `ReportWriter.render`, "Found outside of lifetime use".)
    package static func comparisons(of folder: ResultsFolder) throws -> [Comparison] {
        guard folder.experiment.allocators.count > 1 else { return [] }
        let table = TrialTable(run: folder.run)
        // A trace replay's and a program's figures are their own (`Comparison.traceMetrics`, `programMetrics`); they have
        // no per-node charts to feed.
        let metrics = folder.experiment.traces != nil ? Comparison.traceMetrics + [TrialTable.rssGrowthAtPeak]
            : folder.experiment.programs != nil ? Comparison.programMetrics : ["rss_bytes_per_node", "allocate_ns_per_node"]
        return Comparison.pairs(table, nil, metrics: metrics, baseline: folder.experiment.allocators[0].name)
    }

    /// Experiment, shape, node count; the allocators with versions (wrapped at `lineLimit` characters); the
    /// machine: each on its own line, so that no line runs past the chart's width. `showsThreads`: a line saying
    /// which thread count a threaded experiment's charts show (not for the scaling charts, which show every T).
    static func subtitle(_ folder: ResultsFolder, focus: ChartData.Focus, showsThreads: Bool = true) -> String {
        let experiment = folder.experiment
        let first = "\(experiment.name) · shape \(focus.shape.name) (\(focus.shape.fieldSummary)) · \(focus.nodes) nodes · repetitions \(experiment.repetitions)"
        // A threaded experiment's charts show one thread count: said on a line of its own.
        let threads = experiment.threads.flatMap { counts -> [String]? in
            guard showsThreads, let shown = focus.threads else { return nil }
            let list = counts.sorted().map(String.init).joined(separator: ", ")
            return ["T = \(shown) thread\(shown == 1 ? "" : "s"), the smallest of \(list) (scaling-<allocator>: every T)"]
        } ?? []
        return ([first] + threads + measuredWith(folder)).joined(separator: "\n")
    }

    /// The allocators with versions (wrapped at `lineLimit` characters) and the machine, a line each.
    static func measuredWith(_ folder: ResultsFolder) -> [String] {
        let environment = EnvironmentReader(directory: folder.directory)
        let allocators = environment.allocatorLabels.isEmpty ? folder.experiment.allocators.map(\.name) : environment.allocatorLabels
        return wrapped(allocators, limit: lineLimit) + [environment.machine]
    }

    /// Characters of a title line at the charts' title font (16 points on 1600 pixels) that always fit.
    static let lineLimit = 110

    /// Items joined by ", " into lines of at most `limit` characters (an item longer than that is a line of its own).
    static func wrapped(_ items: [String], limit: Int) -> [String] {
        var lines: [String] = []
        for item in items {
            if let last = lines.last, last.count + 2 + item.count <= limit {
                lines[lines.count - 1] = last + ", " + item
            } else {
                if !lines.isEmpty { lines[lines.count - 1] += "," }
                lines.append(item)
            }
        }
        return lines
    }
}
