import LayoutLabModel

/// The repetitions of one configuration (shape × nodes × layout × interpreter × threads ×
/// allocator) reduced to median, minimum
/// and maximum of each per-node figure. Written as `per-node.csv`; the terminal table and the charts read it.
package struct PerNodeSummary: Sendable {
    /// Median, minimum and maximum of one figure over the successful repetitions.
    package struct Spread: Sendable, Equatable {
        package var median: Double
        package var minimum: Double
        package var maximum: Double

        init?(_ values: [Double]) {
            guard let median = PerNodeSummary.median(values), let minimum = values.min(), let maximum = values.max() else {
                return nil
            }
            self.median = median
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    package var shape: Shape
    package var nodes: Int
    package var layout: LayoutKind
    package var allocator: String
    /// Threads the trials ran on; nil for the classic one-thread trial.
    package var threads: Int? = nil
    /// The interpreter of a Python layout's trials; nil for a Swift layout.
    package var python: PythonInterpreter? = nil
    /// `sys.getsizeof` and tracemalloc's traced bytes per node (Python layouts' probe); nil for Swift layouts.
    package var getsizeofBytesPerNode: Spread? = nil
    package var tracemallocBytesPerNode: Spread? = nil
    package var layoutIndex: Int
    package var allocatorIndex: Int
    package var repetitionsOK: Int
    package var rssBytesPerNode: Spread?
    package var usableBytesPerNode: Spread?
    package var requestedBytesPerNode: Spread?
    package var containerBytesPerNode: Spread?
    package var allocatorAllocatedBytesPerNode: Spread?
    package var allocatorActiveBytesPerNode: Spread?
    package var allocateNsPerNode: Spread?
    package var allocateCPUNsPerNode: Spread?
    package var allocateMinorFaultsPerNode: Spread?
    package var allocateInstructionsPerNode: Spread?
    /// The probe's split (`TrialMetrics`): heap blocks per node, and the requested bytes of the node's own object
    /// and of its out-of-line storage, per node.
    package var heapAllocationsPerNode: Spread?
    package var objectRequestedBytesPerNode: Spread?
    package var outOfLineRequestedBytesPerNode: Spread?

    /// One summary per configuration of the experiment, in the experiment's order. A threaded experiment's thread
    /// counts are configurations of their own, each summarised apart, those without any record left out (a run
    /// restricted to one thread count summarises that count only).
    package static func summaries(of run: ExperimentRun) -> [PerNodeSummary] {
        let experiment = run.experiment
        let recorded = Set(run.records.map(\.trial.threads))
        let threadCounts = experiment.threads == nil ? [nil] : experiment.threadCounts.filter { recorded.contains($0) }
        var summaries: [PerNodeSummary] = []
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for (layoutIndex, layout) in experiment.layouts.enumerated() {
                    for python in experiment.interpreters(for: layout) {
                    for threads in threadCounts {
                    for (allocatorIndex, allocator) in experiment.allocators.enumerated() {
                        let metrics = run.records.filter {
                            $0.status == .ok && $0.trial.shape.name == shape.name && $0.trial.nodes == nodes
                                && $0.trial.layout == layout && $0.trial.allocator.name == allocator.name && $0.trial.threads == threads
                                && $0.trial.python == python
                        }.map(\.metrics)
                        summaries.append(PerNodeSummary(
                            shape: shape, nodes: nodes, layout: layout, allocator: allocator.name,
                            layoutIndex: layoutIndex + 1, allocatorIndex: allocatorIndex + 1, repetitionsOK: metrics.count,
                            rssBytesPerNode: Spread(metrics.compactMap(\.rssBytesPerNode)),
                            usableBytesPerNode: Spread(metrics.compactMap(\.usableBytesPerNode)),
                            requestedBytesPerNode: Spread(metrics.compactMap(\.requestedBytesPerNode)),
                            containerBytesPerNode: Spread(metrics.compactMap(\.containerBytesPerNode)),
                            allocatorAllocatedBytesPerNode: Spread(metrics.compactMap(\.allocatorAllocatedBytesPerNode)),
                            allocatorActiveBytesPerNode: Spread(metrics.compactMap(\.allocatorActiveBytesPerNode)),
                            allocateNsPerNode: Spread(metrics.compactMap(\.allocateNsPerNode)),
                            allocateCPUNsPerNode: Spread(metrics.compactMap(\.allocateCPUNsPerNode)),
                            allocateMinorFaultsPerNode: Spread(metrics.compactMap(\.allocateMinorFaultsPerNode)),
                            allocateInstructionsPerNode: Spread(metrics.compactMap(\.allocateInstructionsPerNode)),
                            heapAllocationsPerNode: Spread(metrics.compactMap(\.heapAllocationsPerNode)),
                            objectRequestedBytesPerNode: Spread(metrics.compactMap(\.objectRequestedBytesPerNode)),
                            outOfLineRequestedBytesPerNode: Spread(metrics.compactMap(\.outOfLineRequestedBytesPerNode))))
                        summaries[summaries.count - 1].threads = threads
                        summaries[summaries.count - 1].python = python
                        summaries[summaries.count - 1].getsizeofBytesPerNode = Spread(metrics.compactMap(\.getsizeofBytesPerNode))
                        summaries[summaries.count - 1].tracemallocBytesPerNode = Spread(metrics.compactMap(\.tracemallocBytesPerNode))
                    }
                    }
                    }
                }
            }
        }
        return summaries
    }

    /// The median, or nil for no values.
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
