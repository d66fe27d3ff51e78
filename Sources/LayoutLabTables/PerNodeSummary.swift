import LayoutLabModel

/// The repetitions of one configuration (shape × nodes × layout × allocator) reduced to median, minimum
/// and maximum of each per-node figure. Written as `per-node.csv`; the terminal table and the charts read it.
public struct PerNodeSummary: Sendable {
    /// Median, minimum and maximum of one figure over the successful repetitions.
    public struct Spread: Sendable, Equatable {
        public var median: Double
        public var minimum: Double
        public var maximum: Double

        init?(_ values: [Double]) {
            guard let median = PerNodeSummary.median(values), let minimum = values.min(), let maximum = values.max() else {
                return nil
            }
            self.median = median
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    public var shape: Shape
    public var nodes: Int
    public var layout: LayoutKind
    public var allocator: String
    public var layoutIndex: Int
    public var allocatorIndex: Int
    public var repetitionsOK: Int
    public var rssBytesPerNode: Spread?
    public var usableBytesPerNode: Spread?
    public var requestedBytesPerNode: Spread?
    public var containerBytesPerNode: Spread?
    public var allocatorAllocatedBytesPerNode: Spread?
    public var allocatorActiveBytesPerNode: Spread?
    public var allocateNsPerNode: Spread?
    public var allocateCPUNsPerNode: Spread?
    public var allocateMinorFaultsPerNode: Spread?
    public var allocateInstructionsPerNode: Spread?

    /// One summary per configuration of the experiment, in the experiment's order.
    public static func summaries(of run: ExperimentRun) -> [PerNodeSummary] {
        let experiment = run.experiment
        var summaries: [PerNodeSummary] = []
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for (layoutIndex, layout) in experiment.layouts.enumerated() {
                    for (allocatorIndex, allocator) in experiment.allocators.enumerated() {
                        let metrics = run.records.filter {
                            $0.status == .ok && $0.trial.shape.name == shape.name && $0.trial.nodes == nodes
                                && $0.trial.layout == layout && $0.trial.allocator.name == allocator.name
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
                            allocateInstructionsPerNode: Spread(metrics.compactMap(\.allocateInstructionsPerNode))))
                    }
                }
            }
        }
        return summaries
    }

    /// The median, or nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
