/// Expands an experiment into its trials: layouts × shapes × nodes × allocators × repetitions.
///
/// Order: all configurations of repetition 1, then of repetition 2, and so on, each pass rotated by one
/// configuration, so slow drift of the machine (thermal, page cache, other tenants) spreads over every
/// configuration instead of piling onto the last repetitions or the last layout.
public enum TrialPlan {
    public static func trials(for experiment: Experiment) -> [Trial] {
        var configurations: [(Int, Shape, Int, LayoutKind, AllocatorSpec)] = []
        for (shapeIndex, shape) in experiment.shapes.enumerated() {
            for nodes in experiment.nodes {
                for layout in experiment.layouts {
                    for allocator in experiment.allocators {
                        configurations.append((shapeIndex, shape, nodes, layout, allocator))
                    }
                }
            }
        }
        var trials: [Trial] = []
        for repetition in 1...max(1, experiment.repetitions) {
            let shift = configurations.isEmpty ? 0 : (repetition - 1) % configurations.count
            for (shapeIndex, shape, nodes, layout, allocator) in configurations[shift...] + configurations[..<shift] {
                trials.append(Trial(
                    experiment: experiment.name, shapeIndex: shapeIndex, shape: shape, layout: layout,
                    nodes: nodes, allocator: allocator, repetition: repetition))
            }
        }
        return trials
    }
}
