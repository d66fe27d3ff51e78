/// The terminal summary of a run: for each shape and node count, a table of layouts × allocators with the
/// median over repetitions of RSS bytes per node, usable bytes per node (what the allocator's size classes
/// hand out) and allocate ns per node.
public enum PerNodeTable {
    public static func render(_ run: ExperimentRun) -> String {
        let experiment = run.experiment
        let summaries = PerNodeSummary.summaries(of: run)
        var text = ""
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                let payload = shape.payload
                text += "\n\(experiment.name) · \(shape.name) (\(shape.fieldSummary); payload \(payload.sizeBytes) B, stride \(payload.strideBytes) B) · \(nodes) nodes · median of \(experiment.repetitions)\n"
                var header = ["layout"]
                for allocator in experiment.allocators {
                    header += ["\(allocator.name): rss B/node", "usable B/node", "ns/node"]
                }
                var rows: [[String]] = [header]
                for layout in experiment.layouts {
                    var row = [layout.rawValue]
                    for allocator in experiment.allocators {
                        let summary = summaries.first {
                            $0.shape.name == shape.name && $0.nodes == nodes && $0.layout == layout && $0.allocator == allocator.name
                        }
                        row += [
                            format(summary?.rssBytesPerNode?.median),
                            format(summary?.usableBytesPerNode?.median),
                            format(summary?.allocateNsPerNode?.median),
                        ]
                    }
                    rows.append(row)
                }
                text += aligned(rows)
            }
        }
        text += "\nrss = (RSS at the last checkpoint − RSS before anything was allocated) ÷ nodes, reference array included; usable = malloc_usable_size per node (probe).\n"
        if run.failedTrials > 0 { text += "\(run.failedTrials) trial(s) failed; see trials.csv (status, message).\n" }
        return text
    }

    /// One decimal, or "–" for a missing figure.
    static func format(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String((value * 10).rounded() / 10)
    }

    private static func aligned(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
