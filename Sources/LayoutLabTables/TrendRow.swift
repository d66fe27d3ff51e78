/// One row of `trend.csv`: one configuration's metric in one folder of a `layoutlab trend` series, and the step
/// from the previous folder. Figures are in the metric's unit (`unit`); ratios and p-values have none.
package struct TrendRow: Sendable, Equatable {
    package var metric = ""
    /// The metric's unit (`bytes/node`, `ns/node`, `instructions/node`, ...); nil for a count without one.
    package var unit: String?
    package var direction = ""
    package var shape = ""
    package var layout = ""
    package var nodes = 0
    package var threads: Int?
    package var allocator = ""
    /// 1-based place of the folder in the series.
    package var folderIndex = 0
    package var folder = ""
    /// The folder's label (`--label-by`).
    package var label = ""
    /// This row's allocator's version in this folder (package version, else sha256 prefix).
    package var allocatorVersion: String?
    package var repetitions = 0
    package var geomean: Double?
    package var ci95Low: Double?
    package var ci95High: Double?
    package var method = ""
    /// This folder ÷ the previous one (geometric means), with the step's 95 % Welch interval on logs.
    package var stepRatio: Double?
    package var stepCI95Low: Double?
    package var stepCI95High: Double?
    package var stepPValue: Double?
    package var stepHolmAdjustedP: Double?
    /// True: the step is beyond noise after Holm–Bonferroni; false: it is not (or is identical); nil: no step.
    package var change: Bool?
    /// "worse", "better" (or "higher"/"lower" for a metric without direction) for a change, "identical",
    /// "within noise", or why the step cannot be decided.
    package var stepVerdict: String?
    /// What differs between the folders when they were compared despite that (`--allow-mismatch`).
    package var mismatch: String?

    package init() {}
}
