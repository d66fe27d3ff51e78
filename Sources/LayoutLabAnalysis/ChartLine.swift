import LayoutLabModel

/// One line (or bar group) of a chart: a layout, under one interpreter for a Python layout of an experiment that
/// lists several (`"python": ["3.8", "3.13"]`), then named `python-tuple-3.13`. Names have no spaces: gnuplot
/// splits words on them.
package struct ChartLine: Sendable, Equatable {
    package var layout: LayoutKind
    /// The trial id's interpreter part (`3.13`); nil for a Swift layout or a single interpreter.
    package var pythonLabel: String?

    package var name: String { layout.rawValue + (pythonLabel.map { "-\($0)" } ?? "") }

    /// The lines of an experiment, in its layout order, each Python layout once per interpreter that runs it.
    package static func lines(of experiment: Experiment) -> [ChartLine] {
        experiment.layouts.flatMap { layout in
            experiment.interpreters(for: layout).map { ChartLine(layout: layout, pythonLabel: experiment.pythonLabel($0)) }
        }
    }

    /// The configuration of this line's trials in one chart set.
    package func configuration(shape: String, nodes: Int, allocator: String, threads: Int?) -> TrialID.Configuration {
        TrialID.Configuration(shape: shape, layout: layout, nodes: nodes, allocator: allocator, threads: threads, python: pythonLabel)
    }
}
