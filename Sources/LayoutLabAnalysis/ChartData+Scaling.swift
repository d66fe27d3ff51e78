import LayoutLabModel
import LayoutLabTables

/// `scaling.csv`: ns per node and RSS per node against the thread count, for an experiment with `"threads"`.
extension ChartData {
    /// The columns of `scaling.csv`. `panel` numbers the phases drawn (1-based; one panel of time and one of RSS
    /// each); `*_median` is the median over the successful repetitions, `*_min`/`*_max` their range (empty with
    /// fewer than two repetitions: no whisker). A range, not an interval of the mean: with 3 repetitions a
    /// t-interval of noisy times reaches below 0, which a log axis cannot draw.
    package static let scalingHeader = [
        "allocator", "allocator_index", "phase_index", "phase_label", "panel", "layout", "layout_index", "threads", "repetitions",
        "ns_per_node_median", "ns_per_node_min", "ns_per_node_max",
        "rss_bytes_per_node_median", "rss_bytes_per_node_min", "rss_bytes_per_node_max",
        "slowest_thread_ns_per_node_median", "fastest_thread_ns_per_node_median",
    ]

    /// One row per allocator × phase drawn × layout × thread count (rows of a line are contiguous, by thread
    /// count), for `focus` (its shape and node count; its `threads` is ignored: every count is drawn). A cell
    /// without a successful trial is a row of empty figures: a gap in its line, never a 0. Empty (the header
    /// only) for an experiment without `"threads"`.
    package static func scaling(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: scalingHeader)
        let scaling = ThreadScaling(run: run)
        guard !scaling.threadCounts.isEmpty else { return table }
        let experiment = run.experiment
        let phases = scaling.phaseIndices(of: experiment)
        for (allocatorIndex, allocator) in experiment.allocators.enumerated() {
            for (panel, phaseIndex) in phases.enumerated() {
                for (layoutIndex, layout) in experiment.layouts.enumerated() {
                    for threads in scaling.threadCounts {
                        let key = ThreadScaling.Key(
                            shape: focus.shape.name, nodes: focus.nodes, layout: layout, allocator: allocator.name, threads: threads,
                            phaseIndex: phaseIndex)
                        let cell = scaling[key] ?? ThreadScaling.Figures()
                        func range(_ values: [Double]) -> (min: Double, max: Double)? {
                            guard values.count >= 2, let low = values.min(), let high = values.max() else { return nil }
                            return (low, high)
                        }
                        let ns = range(cell.nsPerNode), rss = range(cell.rssBytesPerNode)
                        table.append([
                            allocator.name, String(allocatorIndex + 1), String(phaseIndex), label(experiment.phases[phaseIndex]),
                            String(panel + 1), layout.rawValue, String(layoutIndex + 1), String(threads), String(cell.repetitions),
                            CSVNumber.cell(PerNodeSummary.median(cell.nsPerNode)),
                            CSVNumber.cell(ns?.min), CSVNumber.cell(ns?.max),
                            CSVNumber.cell(PerNodeSummary.median(cell.rssBytesPerNode)),
                            CSVNumber.cell(rss?.min), CSVNumber.cell(rss?.max),
                            CSVNumber.cell(PerNodeSummary.median(cell.slowestThreadNsPerNode)),
                            CSVNumber.cell(PerNodeSummary.median(cell.fastestThreadNsPerNode)),
                        ])
                    }
                }
            }
        }
        return table
    }

    /// The scaling chart's headline after "Scaling with threads — <allocator>": what is drawn, and which
    /// thread counts oversubscribe the machine (`cores`: its online cores from `environment.json`, nil unknown).
    package static func scalingTitle(threads: [Int], cores: Int?, repetitions: Int) -> String {
        let statistic = repetitions > 1 ? "median of \(repetitions) repetitions, whiskers: their range (min to max)" : "1 repetition"
        let above = threads.filter { count in cores.map { count > $0 } ?? false }
        let oversubscribed: String
        if let cores {
            oversubscribed = above.isEmpty
                ? "no T above the machine's \(cores) cores"
                : "T above the machine's \(cores) cores (\(above.map { "T = \($0)" }.joined(separator: ", "))) is oversubscribed, shaded"
        } else {
            oversubscribed = "the machine's cores are unknown (no environment.json)"
        }
        return "\(statistic); \(oversubscribed); a gap: no successful trial"
    }
}
