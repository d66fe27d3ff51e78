import LayoutLabModel
import LayoutLabTables

/// "Bytes per object by CPython version", for an experiment with several interpreters: a row per Python layout,
/// a column per interpreter, each cell `getsizeof / tracemalloc / RSS` bytes per node (medians over the successful
/// repetitions, first allocator), empty where the layout did not run on that version. Also says, once, which
/// layouts an interpreter could not build (skipped for it only).
public enum PythonVersionTable {
    /// The markdown table for each shape and node count, or nil with fewer than two interpreters.
    public static func markdown(_ run: ExperimentRun) -> String? {
        let experiment = run.experiment
        guard experiment.hasSeveralPythons, let allocator = experiment.allocators.first?.name else { return nil }
        let summaries = PerNodeSummary.summaries(of: run.restricted(toThreads: experiment.chartThreads))
        var text = ""
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                text += "\n### Bytes per object by CPython version · \(shape.name) (\(shape.fieldSummary)) · \(nodes) nodes · \(allocator)\n\n"
                text += "getsizeof / tracemalloc / RSS bytes per node, medians of the successful repetitions; empty: not run.\n\n"
                text += "| layout | " + experiment.pythons.map { "\($0.version)" }.joined(separator: " | ") + " |\n"
                text += "|---|" + experiment.pythons.map { _ in "---|" }.joined() + "\n"
                for layout in experiment.layouts where layout.isPython {
                    let cells = experiment.pythons.map { python -> String in
                        guard let row = summaries.first(where: {
                            $0.shape.name == shape.name && $0.nodes == nodes && $0.layout == layout && $0.allocator == allocator
                                && $0.python == python && $0.repetitionsOK > 0
                        }) else { return "" }
                        return [row.getsizeofBytesPerNode, row.tracemallocBytesPerNode, row.rssBytesPerNode]
                            .map { Rounded.text($0?.median) }.joined(separator: " / ")
                    }
                    text += "| \(layout.rawValue) | " + cells.joined(separator: " | ") + " |\n"
                }
            }
        }
        if let skipped = skippedNote(experiment) { text += "\n" + skipped + "\n" }
        return text
    }

    /// "python-dataclass-slots skipped on Python 3.8.18 (it needs 3.10 or later)"; nil when every interpreter ran every layout.
    public static func skippedNote(_ experiment: Experiment) -> String? {
        let lines = experiment.skippedPythonLayouts.map { layout, interpreters in
            "\(layout.rawValue) skipped on Python \(interpreters.map(\.version).joined(separator: ", ")) (it needs 3.10 or later); its cells are empty"
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}
