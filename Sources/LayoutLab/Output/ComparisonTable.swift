/// `comparison.csv` and the terminal table of `layoutlab compare`.
public enum ComparisonTable {
    public static let header = [
        "shape", "layout", "nodes", "metric", "side_a", "side_b", "median_a", "median_b", "repetitions_a",
        "repetitions_b", "ratio_b_over_a", "ci95_low", "ci95_high", "beyond_noise", "method",
    ]

    public static func csv(_ comparisons: [Comparison]) -> CSVTable {
        var table = CSVTable(header: header)
        for comparison in comparisons {
            let interval = comparison.interval
            table.append([
                comparison.shape, comparison.layout, String(comparison.nodes), comparison.metric, comparison.sideA,
                comparison.sideB, CSVNumber.cell(comparison.medianA), CSVNumber.cell(comparison.medianB),
                String(comparison.valuesA.count), String(comparison.valuesB.count),
                comparison.ratio.map(format4), interval.map { format4($0.low) },
                interval.map { format4($0.high) }, comparison.beyondNoise.map { $0 ? "yes" : "no" }, Comparison.method,
            ])
        }
        return table
    }

    /// One block per metric: configuration, both medians, the ratio with its interval, and a verdict.
    public static func render(_ comparisons: [Comparison]) -> String {
        var text = ""
        var metrics: [String] = []
        for comparison in comparisons where !metrics.contains(comparison.metric) { metrics.append(comparison.metric) }
        for metric in metrics {
            text += "\n\(metric) — ratio = B ÷ A of medians, 95 % bootstrap interval over repetitions\n"
            var rows = [["shape", "layout", "nodes", "A", "B", "median A", "median B", "ratio", "95 % interval", ""]]
            for comparison in comparisons where comparison.metric == metric {
                let interval = comparison.interval.map { "[\(format4($0.low)), \(format4($0.high))]" } ?? "(n < 2)"
                let verdict = switch comparison.beyondNoise {
                case .some(true): (comparison.ratio ?? 1) > 1 ? "B higher" : "B lower"
                case .some(false): "within noise"
                case .none: ""
                }
                rows.append([
                    comparison.shape, comparison.layout, String(comparison.nodes), comparison.sideA, comparison.sideB,
                    CSVNumber.cell(comparison.medianA) ?? "–", CSVNumber.cell(comparison.medianB) ?? "–",
                    comparison.ratio.map(format4) ?? "–", interval, verdict,
                ])
            }
            text += TextTable.aligned(rows)
        }
        return text
    }

    public static func format4(_ value: Double) -> String { Rounded.text(value, digits: 4) }
}
