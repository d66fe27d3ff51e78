import LayoutLabModel

/// `trend.csv`: one row per metric, configuration and folder of a `layoutlab trend` series (`TrendRow`).
///
/// - `geomean`, `ci95_low`, `ci95_high`: in `unit`; the geometric mean over the folder's repetitions and its 95 %
///   Student-t interval on log values (`method` says how, or why there is none). Empty: no number.
/// - `step_ratio`, `step_ci95_low`, `step_ci95_high`: this folder ÷ the previous one, Welch t-interval on logs
///   (as `compare A B`); empty in the first folder and where either folder has no number.
/// - `step_p_value`, `step_holm_adjusted_p`: the step's two-sided test of ratio = 1 and its Holm–Bonferroni
///   adjustment over every tested step; `change` is true when the adjusted p is ≤ 0.05.
package enum TrendTable {
    package static let fileName = "trend.csv"

    package static let schema = CSVSchema<TrendRow>([
        CSVColumn("metric", \.metric, .text),
        CSVColumn("unit", \.unit, .text),
        CSVColumn("direction", \.direction, .text),
        CSVColumn("shape", \.shape, .text),
        CSVColumn("layout", \.layout, .text),
        CSVColumn("nodes", \.nodes, .integer),
        CSVColumn("threads", \.threads, .integer),
        CSVColumn("allocator", \.allocator, .text),
        CSVColumn("folder_index", \.folderIndex, .integer),
        CSVColumn("folder", \.folder, .text),
        CSVColumn("label", \.label, .text),
        CSVColumn("allocator_version", \.allocatorVersion, .text),
        CSVColumn("repetitions", \.repetitions, .integer),
        CSVColumn("geomean", \.geomean, .sixDigits),
        CSVColumn("ci95_low", \.ci95Low, .sixDigits),
        CSVColumn("ci95_high", \.ci95High, .sixDigits),
        CSVColumn("method", \.method, .text),
        CSVColumn("step_ratio", \.stepRatio, .sixDigits),
        CSVColumn("step_ci95_low", \.stepCI95Low, .sixDigits),
        CSVColumn("step_ci95_high", \.stepCI95High, .sixDigits),
        CSVColumn("step_p_value", \.stepPValue, .sixDigits),
        CSVColumn("step_holm_adjusted_p", \.stepHolmAdjustedP, .sixDigits),
        CSVColumn("change", \.change, .flag),
        CSVColumn("step_verdict", \.stepVerdict, .text),
        CSVColumn("mismatch", \.mismatch, .text),
    ])

    package static let header = schema.header

    /// Reads cells in header order.
    package static func row(_ cells: [String]) -> TrendRow { schema.row(cells, into: TrendRow()) }
}
