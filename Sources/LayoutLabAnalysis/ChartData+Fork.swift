import LayoutLabModel
import LayoutLabTables

/// `fork.csv`: what a forked child un-shares per node against what a node costs the parent.
extension ChartData {
    /// The columns of `fork.csv`: one point per fork phase × layout × allocator (`ForkCost`, medians over
    /// repetitions): x the layout's bytes per node in the parent (`rss_bytes_per_node`), y a child's Private_Dirty
    /// growth during its work ÷ nodes. `series` (1-based) is the work × gc.freeze combination, named in
    /// `series_label` (what the legend says); `gc_freeze` is `yes`, `no` or empty (a Swift layout: no such thing).
    package static let forkHeader = [
        "allocator", "allocator_index", "layout", "phase_index", "work", "gc_freeze", "series", "series_label", "children",
        "repetitions", "rss_bytes_per_node", "child_private_dirty_bytes_per_node", "child_shared_bytes_per_node",
        "child_pss_bytes_per_node", "child_ns_per_node",
    ]

    /// The works and gc.freeze settings in the order their series are numbered.
    static let forkSeries: [(work: String, freeze: Bool?)] = ["traverse", "mutate", "none"].flatMap { work in
        [(work, Bool?.none), (work, false), (work, true)]
    }

    /// "children traverse", "children traverse · no gc.freeze()", "children traverse · gc.freeze()": a series' legend entry (no comma: gnuplot reads it with awk).
    static func forkSeriesLabel(work: String, freeze: Bool?) -> String {
        "children \(work)" + (freeze.map { $0 ? " · gc.freeze()" : " · no gc.freeze()" } ?? "")
    }

    /// The points of `focus` (shape and node count). A point without both coordinates is left out (there is
    /// nothing to place); the table keeps every figure it has.
    package static func fork(run: ExperimentRun, focus: Focus) -> CSVTable {
        var table = CSVTable(header: forkHeader)
        let allocators = run.experiment.allocators.map(\.name)
        for cost in ForkCost.costs(run) where cost.shape == focus.shape.name && cost.nodes == focus.nodes {
            guard cost.parentRSSBytesPerNode != nil, cost.childPrivateDirtyBytesPerNode != nil,
                let series = forkSeries.firstIndex(where: { $0.work == cost.work && $0.freeze == cost.pythonGCFreeze })
            else { continue }
            table.append([
                cost.allocator, (allocators.firstIndex(of: cost.allocator)).map { String($0 + 1) }, cost.layout.rawValue,
                String(cost.phaseIndex), cost.work, cost.pythonGCFreeze.map { $0 ? "yes" : "no" }, String(series + 1),
                forkSeriesLabel(work: cost.work, freeze: cost.pythonGCFreeze), cost.children.map(String.init), String(cost.repetitions),
                CSVNumber.cell(cost.parentRSSBytesPerNode), CSVNumber.cell(cost.childPrivateDirtyBytesPerNode),
                CSVNumber.cell(cost.childSharedBytesPerNode), CSVNumber.cell(cost.childPssBytesPerNode), CSVNumber.cell(cost.childNsPerNode),
            ])
        }
        return table
    }
}
