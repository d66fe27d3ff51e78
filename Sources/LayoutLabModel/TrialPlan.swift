/// Expands an experiment into its trials: layouts × shapes × nodes × allocators × repetitions (× threads, × the
/// interpreters of a Python layout), or for a trace experiment (`Experiment.traces`) traces × allocators × repetitions,
/// or for a program experiment (`Experiment.programs`) programs × allocators × repetitions.
///
/// Order: all configurations of repetition 1, then of repetition 2, and so on, each pass rotated by one
/// configuration, so slow drift of the machine (thermal, page cache, other tenants) spreads over every
/// configuration instead of piling onto the last repetitions or the last layout.
public enum TrialPlan {
    /// The planned trials: every configuration × repetitions 1 … `repetitions`.
    public static func trials(for experiment: Experiment) -> [Trial] {
        let configurations = configurations(of: experiment)
        var trials: [Trial] = []
        for repetition in 1...max(1, experiment.repetitions) {
            trials += pass(configurations, repetition: repetition)
        }
        return trials
    }

    /// Every trial a run of the experiment may record: the planned ones, and with a `precision` target the
    /// extra repetitions up to its cap (ids `…rN` beyond the planned N).
    public static func possibleTrials(for experiment: Experiment) -> [Trial] {
        var trials = trials(for: experiment)
        if let cap = experiment.precision?.maxRepetitions, cap > experiment.repetitions {
            let configurations = configurations(of: experiment)
            for repetition in (experiment.repetitions + 1)...cap { trials += pass(configurations, repetition: repetition) }
        }
        return trials
    }

    /// One trial per configuration, repetition 1, in the experiment's order (shapes, nodes, layouts, interpreters of a Python layout, threads,
    /// allocators); a Python layout an interpreter cannot build has no trials on it.
    public static func configurations(of experiment: Experiment) -> [Trial] {
        var configurations: [Trial] = []
        // A trace experiment: traces × allocators, each trial named after its trace (`TraceSource`).
        for trace in experiment.traces ?? [] {
            for allocator in experiment.allocators {
                var trial = Trial(
                    experiment: experiment.name, shapeIndex: 0, shape: Shape(name: trace.name, fields: []), layout: .finalClass,
                    nodes: trace.events ?? 0, allocator: allocator, repetition: 1)
                trial.trace = trace
                configurations.append(trial)
            }
        }
        // A program experiment: programs × allocators, each trial named after its program (`ProgramSource`).
        for program in experiment.programs ?? [] {
            for allocator in experiment.allocators {
                var trial = Trial(
                    experiment: experiment.name, shapeIndex: 0, shape: Shape(name: program.name, fields: []), layout: .finalClass,
                    nodes: 0, allocator: allocator, repetition: 1)
                trial.program = program
                configurations.append(trial)
            }
        }
        for (shapeIndex, shape) in experiment.shapes.enumerated() {
            for nodes in experiment.nodes {
                for layout in experiment.layouts {
                    for python in experiment.interpreters(for: layout) {
                        for threads in experiment.threadCounts {
                            for allocator in experiment.allocators {
                                var trial = Trial(
                                    experiment: experiment.name, shapeIndex: shapeIndex, shape: shape, layout: layout,
                                    nodes: nodes, allocator: allocator, repetition: 1, threads: threads)
                                trial.python = python
                                trial.pythonLabel = experiment.pythonLabel(python)
                                configurations.append(trial)
                            }
                        }
                    }
                }
            }
        }
        return configurations
    }

    /// `configurations` as repetition `repetition`, rotated by `repetition − 1` places.
    static func pass(_ configurations: [Trial], repetition: Int) -> [Trial] {
        let shift = configurations.isEmpty ? 0 : (repetition - 1) % configurations.count
        return (configurations[shift...] + configurations[..<shift]).map { trial in
            var trial = trial
            trial.repetition = repetition
            return trial
        }
    }
}
