import LayoutLabModel
import LayoutLabTables

/// `fork.csv`: what a forked child un-shares per node against what a node costs the parent.
extension ChartData {
    /// The columns of `fork.csv`: one point per fork phase × layout × allocator (`ForkCost`, medians over
    /// repetitions): x the layout's bytes per node in the parent (`rss_bytes_per_node`), y a child's Private_Dirty
    /// growth during its work ÷ nodes. `point_label` names the layouts of every point drawn within 4 B of this one
    /// in both coordinates (`class/final-class`), on the first such row only (`-` on the others), so coincident
    /// points get one label instead of overprinted ones. `series` (1-based) is the work × gc.freeze combination, named in
    /// `series_label` (what the legend says); `gc_freeze` is `yes`, `no` or empty (a Swift layout: no such thing).
    package static let forkHeader = [
        "allocator", "allocator_index", "layout", "phase_index", "work", "gc_freeze", "series", "series_label", "children",
        "repetitions", "rss_bytes_per_node", "child_private_dirty_bytes_per_node", "child_shared_bytes_per_node",
        "child_pss_bytes_per_node", "child_ns_per_node", "point_label",
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
        let costs = ForkCost.costs(run).filter { cost in
            cost.shape == focus.shape.name && cost.nodes == focus.nodes && cost.parentRSSBytesPerNode != nil
                && cost.childPrivateDirtyBytesPerNode != nil
        }
        // Points within 4 B of each other in both coordinates share one label, on the first of them.
        func spot(_ cost: ForkCost) -> [Int] {
            [allocators.firstIndex(of: cost.allocator) ?? -1, Int(((cost.parentRSSBytesPerNode ?? 0) / 4).rounded()),
             Int(((cost.childPrivateDirtyBytesPerNode ?? 0) / 4).rounded())]
        }
        var labelled = Set<[Int]>()
        for cost in costs {
            guard let series = forkSeries.firstIndex(where: { $0.work == cost.work && $0.freeze == cost.pythonGCFreeze }) else { continue }
            let here = spot(cost)
            var label = "-"  // not empty: gnuplot reads an empty CSV cell as missing and takes another column's text
            if labelled.insert(here).inserted {
                var names: [String] = []
                for other in costs where spot(other) == here && !names.contains(other.layout.rawValue) { names.append(other.layout.rawValue) }
                label = names.joined(separator: "/")
            }
            table.append([
                cost.allocator, (allocators.firstIndex(of: cost.allocator)).map { String($0 + 1) }, cost.layout.rawValue,
                String(cost.phaseIndex), cost.work, cost.pythonGCFreeze.map { $0 ? "yes" : "no" }, String(series + 1),
                forkSeriesLabel(work: cost.work, freeze: cost.pythonGCFreeze), cost.children.map(String.init), String(cost.repetitions),
                CSVNumber.cell(cost.parentRSSBytesPerNode), CSVNumber.cell(cost.childPrivateDirtyBytesPerNode),
                CSVNumber.cell(cost.childSharedBytesPerNode), CSVNumber.cell(cost.childPssBytesPerNode), CSVNumber.cell(cost.childNsPerNode),
                label,
            ])
        }
        return table
    }
}
