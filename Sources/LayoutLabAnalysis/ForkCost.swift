import LayoutLabModel
import LayoutLabTables

/// What forked children cost, per fork phase × layout × allocator (medians over the successful repetitions):
/// the children's figures of `phases.csv`, the parent's bytes per node (the trial's `rss_bytes_per_node`) and
/// RSS before forking, and what K workers cost: the parent's RSS + K × a child's Private_Dirty growth (what
/// the children really add), against (K + 1) × the parent's RSS (what "each process loads everything" says).
package struct ForkCost: Sendable, Equatable {
    package var shape: String
    package var nodes: Int
    package var layout: LayoutKind
    package var allocator: String
    package var phaseIndex: Int
    /// The children's work (`traverse`, `mutate`, `none`).
    package var work: String
    /// Python layouts: whether `gc.freeze()` ran before forking; nil for Swift layouts (it does not apply).
    package var pythonGCFreeze: Bool?
    /// K: children forked (the phase's `children`).
    package var children: Int?
    package var repetitions: Int
    /// Medians over repetitions of the phase's medians over children, bytes (ns) ÷ nodes.
    package var childPrivateDirtyBytesPerNode: Double?
    package var childSharedBytesPerNode: Double?
    package var childPssBytesPerNode: Double?
    package var childNsPerNode: Double?
    /// The trial's RSS growth during allocate ÷ nodes (the layout's bytes per node, what the chart's x is).
    package var parentRSSBytesPerNode: Double?
    /// The parent's RSS just before forking, bytes.
    package var parentRSSBytes: Double?
    /// Parent RSS + K × child Private_Dirty growth (bytes), and (K + 1) × parent RSS (bytes).
    package var forkedWorkersBytes: Double?
    package var naiveWorkersBytes: Double?

    /// One per fork phase × layout × allocator with a successful trial, in the experiment's order (shapes,
    /// nodes, phases, layouts, allocators); none without a fork phase.
    package static func costs(_ run: ExperimentRun) -> [ForkCost] {
        let experiment = run.experiment
        let forks = experiment.phases.indices.filter { experiment.phases[$0].kind == .fork }
        guard !forks.isEmpty else { return [] }
        let ok = run.records.filter { $0.status == .ok }
        var rowsByTrial: [String: [Int: PhaseRow]] = [:]
        for row in run.phaseRows { rowsByTrial[row.trialID, default: [:]][row.phaseIndex] = row }
        var costs: [ForkCost] = []
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for phaseIndex in forks {
                    for layout in experiment.layouts {
                        for allocator in experiment.allocators {
                            let records = ok.filter {
                                $0.trial.shape.name == shape.name && $0.trial.nodes == nodes && $0.trial.layout == layout
                                    && $0.trial.allocator.name == allocator.name && $0.trial.threads == experiment.chartThreads
                            }
                            let measured = records.compactMap { record in rowsByTrial[record.trial.id]?[phaseIndex].map { (record, $0) } }
                            guard !measured.isEmpty else { continue }
                            let rows = measured.map(\.1)
                            func median(_ values: [Double?]) -> Double? { PerNodeSummary.median(values.compactMap { $0 }) }
                            let children: Int? = rows.compactMap(\.children).first ?? experiment.phases[phaseIndex].children
                            let freeze = rows.compactMap(\.pythonGCFreeze).first
                                ?? (layout.isPython ? experiment.pythonGCFreeze : nil)
                            costs.append(ForkCost(
                                shape: shape.name, nodes: nodes, layout: layout, allocator: allocator.name, phaseIndex: phaseIndex,
                                work: experiment.phases[phaseIndex].work.rawValue, pythonGCFreeze: freeze, children: children,
                                repetitions: measured.count,
                                childPrivateDirtyBytesPerNode: median(rows.map(\.childPrivateDirtyBytesPerNode)),
                                childSharedBytesPerNode: median(rows.map(\.childSharedBytesPerNode)),
                                childPssBytesPerNode: median(rows.map(\.childPssBytesPerNode)),
                                childNsPerNode: median(rows.map(\.childNsPerNode)),
                                parentRSSBytesPerNode: median(measured.map(\.0.metrics.rssBytesPerNode)),
                                parentRSSBytes: median(rows.map { $0.rssBytesStart.map(Double.init) }),
                                forkedWorkersBytes: median(rows.map { row in
                                    row.rssBytesStart.flatMap { parent in
                                        row.childPrivateDirtyBytes.flatMap { child in children.map { Double(parent) + Double($0) * child } }
                                    }
                                }),
                                naiveWorkersBytes: median(rows.map { row in
                                    row.rssBytesStart.flatMap { parent in children.map { Double(($0 + 1) * parent) } }
                                })))
                        }
                    }
                }
            }
        }
        return costs
    }
}
