import LayoutLabModel
import LayoutLabTables

/// The phase figures of an experiment with `"threads"`, gathered per configuration × thread count × phase
/// over the successful repetitions: what the scaling charts (`ChartData.scaling`) and the table against
/// T = 1 (`ThreadRatioTable`) are drawn from. A figure no repetition measured is an empty list, never a 0.
package struct ThreadScaling: Sendable {
    /// One cell: a configuration at one thread count, one phase (0-based, as in `phases.csv`).
    package struct Key: Hashable, Sendable {
        package var shape: String
        package var nodes: Int
        package var layout: LayoutKind
        package var allocator: String
        package var threads: Int
        package var phaseIndex: Int
    }

    /// The successful repetitions' figures of one cell, one value per repetition that has it.
    package struct Figures: Sendable {
        /// Wall ns of the phase ÷ nodes (`ns_per_node`).
        package var nsPerNode: [Double] = []
        /// (RSS at the phase's end − RSS at the start of the trial's first phase) ÷ nodes, bytes.
        package var rssBytesPerNode: [Double] = []
        /// The slowest and the fastest pool thread's own ns ÷ its items.
        package var slowestThreadNsPerNode: [Double] = []
        package var fastestThreadNsPerNode: [Double] = []
        /// The allocator's arenas (and those in use) and its thread caches' bytes at the phase's end.
        package var allocatorArenas: [Double] = []
        package var allocatorArenasUsed: [Double] = []
        package var allocatorThreadCacheBytes: [Double] = []
        /// Successful repetitions with a row for this phase.
        package var repetitions = 0
    }

    package var figures: [Key: Figures]

    /// The thread counts of the experiment, ascending; empty without `"threads"`.
    package var threadCounts: [Int]

    package init(run: ExperimentRun) {
        threadCounts = (run.experiment.threads ?? []).sorted()
        figures = [:]
        guard !threadCounts.isEmpty else { return }
        let ok = Set(run.records.filter { $0.status == .ok }.map(\.trial.id))
        let trials = TrialIDIndex(experiment: run.experiment)
        var baselines: [String: Int] = [:]
        for row in run.phaseRows where row.phaseIndex == 0 { baselines[row.trialID] = row.rssBytesStart }
        for row in run.phaseRows where ok.contains(row.trialID) {
            guard let id = trials[row.trialID], let threads = id.configuration.threads else { continue }
            let configuration = id.configuration
            let key = Key(
                shape: configuration.shape, nodes: configuration.nodes, layout: configuration.layout,
                allocator: configuration.allocator, threads: threads, phaseIndex: row.phaseIndex)
            var cell = figures[key] ?? Figures()
            cell.repetitions += 1
            if row.applicable {
                let nodes = Double(max(configuration.nodes, 1))
                if let ns = row.nsPerNode { cell.nsPerNode.append(ns) }
                if let end = row.rssBytesEnd, let start = baselines[row.trialID] { cell.rssBytesPerNode.append(Double(end - start) / nodes) }
                if let ns = row.slowestThreadNsPerNode { cell.slowestThreadNsPerNode.append(ns) }
                if let ns = row.fastestThreadNsPerNode { cell.fastestThreadNsPerNode.append(ns) }
            }
            if let arenas = row.allocatorArenas { cell.allocatorArenas.append(Double(arenas)) }
            if let used = row.allocatorArenasUsed { cell.allocatorArenasUsed.append(Double(used)) }
            if let bytes = row.allocatorThreadCacheBytes { cell.allocatorThreadCacheBytes.append(Double(bytes)) }
            figures[key] = cell
        }
    }

    package subscript(key: Key) -> Figures? { figures[key] }

    /// The phases that have a time or an RSS figure in some cell, in the experiment's order.
    package func phaseIndices(of experiment: Experiment) -> [Int] {
        experiment.phases.indices.filter { index in
            figures.contains { $0.key.phaseIndex == index && (!$0.value.nsPerNode.isEmpty || !$0.value.rssBytesPerNode.isEmpty) }
        }
    }
}
