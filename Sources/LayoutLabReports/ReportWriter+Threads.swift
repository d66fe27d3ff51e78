import Foundation
import LayoutLabAnalysis
import LayoutLabModel

/// The report's sections for issue 16: threads against T = 1, and what forked children cost.
extension ReportWriter {
    /// "## Threads: against T = 1" (`ThreadRatioTable`), or nothing for an experiment without `"threads"`.
    static func threadsSection(_ run: ExperimentRun) -> String {
        guard let threads = run.experiment.threads, let base = threads.min() else { return "" }
        var text = "\n## Threads: against T = \(base)\n\n"
        text += "Trials at T = \(threads.sorted().map(String.init).joined(separator: ", ")) threads; the tables and charts above "
        text += "show each configuration at T = \(base); the `scaling-<allocator>` charts show every T.\n"
        return text + ThreadRatioTable.markdown(run)
    }

    /// "## Forked children" with one row per fork phase × layout × allocator (`ForkCost`), or nothing
    /// without a fork phase.
    static func forkSection(_ run: ExperimentRun) -> String {
        let costs = ForkCost.costs(run)
        guard !costs.isEmpty else { return "" }
        var text = "\n## Forked children\n\n"
        text += "Medians over the successful repetitions of each fork phase's medians over its children. private dirty: the growth of "
        text += "a child's Private_Dirty during its work (`smaps_rollup`), what it un-shared; shared, PSS: after the work; parent RSS/node: "
        text += "the layout's bytes per node in the parent (`rss_bytes_per_node`). K workers: the parent's RSS before forking + K × "
        text += "a child's private dirty growth (what K forked workers add), against (K + 1) × the parent's RSS (each process loading "
        text += "everything). A child's private pages from before its work (its stack, the pages fork itself dirties) are in neither. "
        text += "gc.freeze: Python layouts only (— for Swift).\n\n"
        let header = [
            "shape", "nodes", "layout", "allocator", "work", "gc.freeze", "children (K)", "reps", "child private dirty B/node",
            "child shared B/node", "child PSS B/node", "child ns/node", "parent RSS B/node", "K workers forked MiB", "K workers naive MiB",
        ]
        text += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        func mebibytes(_ bytes: Double?) -> String { bytes.map { Rounded.text($0 / 1_048_576) } ?? "—" }
        for cost in costs {
            let cells = [
                cost.shape, String(cost.nodes), cost.layout.rawValue, cost.allocator, cost.work,
                cost.pythonGCFreeze.map { $0 ? "yes" : "no" } ?? "—", cost.children.map(String.init) ?? "—", String(cost.repetitions),
                figure(cost.childPrivateDirtyBytesPerNode), figure(cost.childSharedBytesPerNode), figure(cost.childPssBytesPerNode),
                figure(cost.childNsPerNode), figure(cost.parentRSSBytesPerNode), mebibytes(cost.forkedWorkersBytes),
                mebibytes(cost.naiveWorkersBytes),
            ]
            text += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return text
    }

    /// One decimal, "—" for a figure not measured.
    static func figure(_ value: Double?) -> String { value.map { Rounded.text($0) } ?? "—" }
}
