import LayoutLabModel
import LayoutLabTables

/// The terminal summary of a run: for each shape and node count, layouts × allocators with the median over
/// the successful repetitions of RSS bytes per node (usable bytes per node, what the allocator's size classes
/// hand out, in parentheses), then allocate ns per node, then `n`: how many successful repetitions each median
/// is over (a stopped run, failed trials and precision targets make it differ from the planned count). With
/// `"threads"`, one table per thread count; with several interpreters, a row per Python layout and interpreter.
public enum PerNodeTable {
    public static func render(_ run: ExperimentRun) -> String {
        let experiment = run.experiment
        var text = ""
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                for threads in experiment.threadCounts {
                    let summaries = PerNodeSummary.summaries(of: run.restricted(toThreads: threads))
                    let planned = experiment.precision.map { "\(experiment.repetitions) planned, up to \($0.maxRepetitions) for precision" }
                        ?? "\(experiment.repetitions) planned"
                    text += "\n\(experiment.name) · \(shape.name) (\(shape.fieldSummary)\(swiftPayload(shape, layouts: experiment.layouts))) · \(nodes) nodes\(Experiment.threadsLabel(threads)) · median of n successful repetitions (\(planned))\n"
                    let allocators = experiment.allocators.map(\.name)
                    var rows = [["RSS B/node (usable)"] + allocators + ["", "allocate ns/node"] + allocators + ["", allocators.count > 1 ? "n (\(allocators.joined(separator: "/")))" : "n"]]
                    for layout in experiment.layouts {
                    for python in experiment.interpreters(for: layout) {
                        let name = layout.rawValue + experiment.pythonSuffix(python)
                        let cells = allocators.map { allocator in
                            summaries.first {
                                $0.shape.name == shape.name && $0.nodes == nodes && $0.layout == layout && $0.allocator == allocator
                                    && $0.python == python
                            }
                        }
                        let bytes = cells.map { summary in
                            "\(format(summary?.rssBytesPerNode?.median)) (\(format(summary?.usableBytesPerNode?.median)))"
                        }
                        let times = cells.map { format($0?.allocateNsPerNode?.median) }
                        // One number when every allocator's cell has the same n, else one per allocator.
                        let counts = cells.map { String($0?.repetitionsOK ?? 0) }
                        let n = Set(counts).count == 1 ? counts[0] : counts.joined(separator: "/")
                        rows.append([name] + bytes + ["", name] + times + ["", n])
                    }
                    }
                    text += TextTable.aligned(rows)
                }
            }
        }
        text += "\nRSS = (RSS at the last checkpoint − RSS before anything was allocated) ÷ nodes, reference array included;\nusable = malloc_usable_size of the node's allocations; ns = allocation loop time with sampling excluded ÷ nodes;\nn = successful repetitions each median is over (a configuration with none shows –).\n"
        if run.failedTrials > 0 { text += "\(run.failedTrials) trial(s) did not succeed; see trials.csv (status, message).\n" }
        return text
    }

    /// The payload's size and stride, which only the Swift layouts' records have: empty for a Python-only run,
    /// said to be Swift's when Python layouts run beside them.
    static func swiftPayload(_ shape: Shape, layouts: [LayoutKind]) -> String {
        guard layouts.contains(where: { !$0.isPython }) else { return "" }
        let payload = shape.payload
        let owner = layouts.contains(where: \.isPython) ? "Swift payload" : "payload"
        return "; \(owner) \(payload.sizeBytes) B, stride \(payload.strideBytes) B"
    }

    /// One decimal, or "–" for a missing figure.
    static func format(_ value: Double?) -> String { Rounded.text(value) }
}
