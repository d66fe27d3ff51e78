import LayoutLabModel
import LayoutLabTables

/// The comparison-chart table of an experiment whose trials are named entries, programs or traces, rather than
/// shapes × layouts × node counts.
extension ChartData {
    /// Each entry (`names`, in the experiment's order) under each allocator ÷ the same entry under the baseline (the
    /// experiment's first allocator), `metric` a program's or a trace's (`Comparison.programMetrics`,
    /// `traceMetrics`): ratio of geometric means and its 95 % Welch interval over repetitions (empty cells without
    /// one: no whisker), as the node experiments' comparison charts have them. x in entry order, then the
    /// experiment's allocator order; a pair without a successful trial on a side keeps its place with an empty
    /// ratio and "(no ok trial)" in its label. `column` names the entry's column (`program`, `trace`).
    package static func namedComparison(
        _ comparisons: [Comparison], metric: String, names: [String], column: String, run: ExperimentRun
    ) -> CSVTable {
        var table = CSVTable(header: ["x", "label", "ratio", "ci_low", "ci_high", "side_a", "side_b", column])
        guard let baseline = run.experiment.allocators.first?.name else { return table }
        var x = 0
        for name in names {
            for allocator in run.experiment.allocators.dropFirst().map(\.name) {
                let comparison = comparisons.first {
                    $0.metric == metric && $0.isProgramOrTrace && $0.shape == name && $0.sideB == allocator && $0.sideA == baseline
                }
                x += 1
                guard let comparison, let ratio = comparison.ratio else {
                    table.append([String(x), "\(name) \(allocator) (no ok trial)", nil, nil, nil, baseline, allocator, name])
                    continue
                }
                let interval = comparison.interval
                table.append([
                    String(x), "\(name) \(allocator)", CSVNumber.cell(ratio), CSVNumber.cell(interval?.low),
                    CSVNumber.cell(interval?.high), baseline, allocator, name,
                ])
            }
        }
        return table
    }
}
