/// The terminal summary of a run: for each shape and node count, a table of layouts × allocators with the
/// median over repetitions of RSS bytes per node, usable bytes per node (allocator size classes) and
/// allocate ns per node.
public enum PerNodeTable {
    public static func render(_ run: ExperimentRun) -> String {
        let experiment = run.experiment
        let ok = run.results.filter { $0.status == .ok }
        var text = ""
        for shape in experiment.shapes {
            for nodes in experiment.nodes {
                text += "\n\(experiment.name) · shape \(shape.name) (\(shape.fieldSummary), payload \(shape.payload.sizeBytes) B, stride \(shape.payload.strideBytes) B) · \(nodes) nodes · median of \(experiment.repetitions)\n"
                var header = ["layout"]
                for allocator in experiment.allocators {
                    header += ["\(allocator.name) rss B/node", "usable B/node", "ns/node"]
                }
                var rows: [[String]] = [header]
                for layout in experiment.layouts {
                    var row = [layout.rawValue]
                    for allocator in experiment.allocators {
                        let metrics = ok.filter {
                            $0.trial.shape.name == shape.name && $0.trial.nodes == nodes && $0.trial.layout == layout
                                && $0.trial.allocator.name == allocator.name
                        }.map(TrialMetrics.init(result:))
                        row += [
                            format(median(metrics.compactMap(\.rssBytesPerNode)), decimals: 1),
                            format(median(metrics.compactMap(\.usableBytesPerNode)), decimals: 1),
                            format(median(metrics.compactMap(\.allocateNsPerNode)), decimals: 1),
                        ]
                    }
                    rows.append(row)
                }
                text += aligned(rows)
            }
        }
        if run.failedTrials > 0 { text += "\n\(run.failedTrials) trial(s) failed; see trials.csv (status, message).\n" }
        return text
    }

    /// The median, or nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func format(_ value: Double?, decimals: Int) -> String {
        guard let value else { return "–" }
        let scale = Double([1, 10, 100, 1000][min(decimals, 3)])
        let rounded = (value * scale).rounded() / scale
        return String(describing: rounded)
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
