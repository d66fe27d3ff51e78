import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabTables

/// `comparison.csv` and the terminal table of `layoutlab compare`.
package enum ComparisonTable {
    package static let header = [
        "shape", "layout", "nodes", "metric", "direction", "side_a", "side_b", "repetitions_a", "repetitions_b",
        "median_a", "median_b", "geomean_a", "geomean_b", "ratio_b_over_a", "ci95_low", "ci95_high", "beyond_noise",
        "verdict", "decided_by", "method", "fail_above_percent", "p_value", "holm_adjusted_p", "regression", "mismatch",
        "time_unexplained", "run_shift_b_over_a", "control",
    ]

    /// One row per comparison. `check` (with `--fail-above`) fills the test's columns (`time_unexplained`:
    /// true for a time row decided by counts whose whole interval lies beyond the bound while no count
    /// regresses); `mismatch` labels every row of a comparison made despite differing trials
    /// (`--allow-mismatch`); `shifts` (two runs) gives each time row its metric's run-level shift.
    package static func csv(
        _ comparisons: [Comparison], check: RegressionCheck? = nil, mismatch: String? = nil, shifts: [RunShift] = []
    ) -> CSVTable {
        // A `threads` column after `nodes` only where a configuration has threads: a classic folder's file is unchanged.
        let threaded = hasThreads(comparisons)
        var table = CSVTable(header: threaded ? withThreads(header, after: "nodes") : header)
        let deciders = check ?? RegressionCheck(comparisons, abovePercent: 0)
        for comparison in comparisons {
            let interval = comparison.interval
            let tested = check?.tested.first { same($0.comparison, comparison) }
            let decider = deciders.decider(of: comparison)
            var cells: [String?] = [
                comparison.shape, comparison.layoutName, String(comparison.nodes), comparison.metric,
                comparison.direction.rawValue, comparison.sideA, comparison.sideB,
                String(comparison.valuesA.count), String(comparison.valuesB.count),
                CSVNumber.cell(comparison.medianA), CSVNumber.cell(comparison.medianB),
                CSVNumber.cell(comparison.geometricMeanA), CSVNumber.cell(comparison.geometricMeanB),
                comparison.ratio.map(format4), interval.map { format4($0.low) }, interval.map { format4($0.high) },
                comparison.beyondNoise.map { $0 ? "true" : "false" }, comparison.verdict,
                decider?.label, comparison.methodLabel,
                check.map { Rounded.text($0.percent, digits: 3) }, tested.map { probability($0.pValue) },
                tested.map { probability($0.adjustedPValue) }, check.map { _ in tested?.regression == true ? "true" : "false" },
                mismatch, decider.flatMap { _ in check.map { $0.isUnexplained(comparison) ? "true" : "false" } },
                shifts.first { $0.metric == comparison.metric }.map { format4($0.ratio) }, comparison.control?.allocator,
            ]
            if threaded { cells.insert(comparison.threads.map(String.init), at: 3) }
            table.append(cells)
        }
        return table
    }

    /// One block per metric: configuration, both geometric means, the ratio with its interval, and a verdict.
    /// A time row decided by counts says so (see `RegressionCheck`). `acrossRuns` (two folders) says in each
    /// header that the interval holds the spread within each run, not the drift between the runs.
    package static func render(_ comparisons: [Comparison], acrossRuns: Bool = false) -> String {
        var text = ""
        var metrics: [String] = []
        for comparison in comparisons where !metrics.contains(comparison.metric) { metrics.append(comparison.metric) }
        let deciders = RegressionCheck(comparisons, abovePercent: 0)
        for metric in metrics {
            let direction = MetricDirection(metric: metric)
            text += "\n\(metric) (\(direction.rawValue)) — "
            if let control = comparisons.first(where: { $0.metric == metric })?.control?.allocator {
                text += "ratio = (B ÷ A) ÷ (\(control)'s B ÷ A) of geometric means, so a shift of a whole run cancels; "
                text += "95 % Welch t-interval on log values over the repetitions of both allocators in both runs\n"
            } else {
                text += "ratio = B ÷ A of geometric means, 95 % Welch t-interval on log values over repetitions"
                text += acrossRuns ? " within each run (drift between the two runs is not in it)\n" : "\n"
            }
            let threaded = hasThreads(comparisons)
            // Programs and traces have a name, no layout and no node count: one column, headed by what they are.
            let kinds = Set(comparisons.filter { $0.metric == metric }.map { $0.isProgramOrTrace ? $0.layout : "" })
            let named = kinds.count == 1 && kinds.first != ""
            let configuration = named ? [kinds.first ?? ""] : ["shape", "layout", "nodes"]
            var rows = [withThreads(configuration + ["A", "B", "n A", "n B", "median A", "median B", "ratio", "95 % interval", "verdict"], after: threaded ? "nodes" : nil)]
            var decidedBy: Set<String> = []
            for comparison in comparisons where comparison.metric == metric {
                let interval: String
                switch comparison.estimate {
                case .success(let estimate) where estimate.method == .exact: interval = "exact"
                case .success(let estimate): interval = "[\(format4(estimate.low)), \(format4(estimate.high))]"
                case .failure(.tooFewRepetitions): interval = "(n < 2)"
                case .failure(.nonPositive): interval = "(value ≤ 0)"
                case .failure(.notFinite): interval = "(not a number)"
                case .failure(.control): interval = "(no control)"
                }
                var verdict = comparison.verdict
                if let decider = deciders.decider(of: comparison) {
                    verdict += verdict.isEmpty ? "*" : " *"
                    decidedBy.insert(decider.label)
                }
                var row = (named ? [comparison.shape] : [comparison.shape, comparison.layoutName, String(comparison.nodes)]) + [
                    comparison.sideA, comparison.sideB,
                    String(comparison.valuesA.count), String(comparison.valuesB.count),
                    Self.median(comparison.medianA, metric: metric), Self.median(comparison.medianB, metric: metric),
                    comparison.ratio.map(format4) ?? "–", interval, verdict,
                ]
                if threaded, !named { row.insert(comparison.threads.map(String.init) ?? "–", at: 3) }
                rows.append(row)
            }
            text += TextTable.aligned(rows)
            for decider in decidedBy.sorted() {
                text += "* time verdict decided by \(decider): this row is shown, not tested by --fail-above\n"
            }
        }
        return text
    }

    /// A median for the terminal: a metric in whole units (a trial's bytes or ns, a count of faults or events) to the
    /// unit, since its values are whole numbers and a median of an even count only adds a half; per-node and other
    /// figures as the CSV has them (`comparison.csv` keeps every median exact).
    static func median(_ value: Double?, metric: String) -> String {
        guard let value else { return "–" }
        let unit = MetricUnit.of(metric)
        let whole = unit == "bytes" || unit == "ns" || metric.hasSuffix("_faults") || metric == "events"
        if whole, value.isFinite, abs(value) < 1e15 { return String(Int(value.rounded())) }
        return CSVNumber.cell(value) ?? "–"
    }

    /// The `--fail-above` verdict: regressions with their intervals and adjusted p-values, rows that could not
    /// be decided, and which counts decided time rows. Printed after the tables.
    package static func verdict(_ check: RegressionCheck) -> String {
        let bound = Rounded.text(1 + check.percent / 100, digits: 4)
        var lines: [String] = []
        let regressions = check.regressions
        if regressions.isEmpty, !check.undecidable.isEmpty {
            lines.append("cannot decide whether B is worse than A by more than \(Rounded.text(check.percent, digits: 3)) %: \(check.undecidable.count) row\(check.undecidable.count == 1 ? " has" : "s have") no interval (of \(check.tested.count) rows tested, none has its whole 95 % interval above \(bound))")
        } else if regressions.isEmpty {
            lines.append("no regression beyond \(Rounded.text(check.percent, digits: 3)) %: no tested row has its whole 95 % interval above \(bound) (\(check.tested.count) rows tested, \(RegressionCheck.correctionName))")
        } else {
            lines.append("regressions beyond \(Rounded.text(check.percent, digits: 3)) % (whole 95 % interval above \(bound); \(RegressionCheck.correctionName) over \(check.tested.count) rows):")
            for row in regressions {
                let comparison = row.comparison
                let decided = check.decidedByCount.first { $0.counts.contains { same($0.comparison, comparison) } }
                    .map { " — time decided by \($0.label)" } ?? ""
                lines.append("  \(comparison.configurationName) \(comparison.metric): \(comparison.sideB) is \(format4(row.estimate.ratio))× \(comparison.sideA), 95 % [\(format4(row.estimate.low)), \(format4(row.estimate.high))], adjusted p \(probability(row.adjustedPValue))\(decided)")
            }
        }
        let decidedMetrics = Set(check.decidedByCount.map { "\($0.time.metric) by \($0.label)" })
        for text in decidedMetrics.sorted() {
            let rows = check.decidedByCount.filter { "\($0.time.metric) by \($0.label)" == text }.count
            lines.append("time: \(rows) row\(rows == 1 ? "" : "s") of \(text.replacingOccurrences(of: " by ", with: " decided by "))")
        }
        if !check.undecidable.isEmpty {
            lines.append("cannot decide \(check.undecidable.count) row\(check.undecidable.count == 1 ? "" : "s"):")
            for row in check.undecidable { lines.append("  \(row.comparison.rowName): \(row.reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func same(_ a: Comparison, _ b: Comparison) -> Bool {
        a.metric == b.metric && a.shape == b.shape && a.layout == b.layout && a.nodes == b.nodes && a.threads == b.threads && a.python == b.python
            && a.sideA == b.sideA && a.sideB == b.sideB
    }

    /// Whether any comparison is of a threaded configuration (then the tables have a `threads` column).
    package static func hasThreads(_ comparisons: [Comparison]) -> Bool { comparisons.contains { $0.threads != nil } }

    /// `columns` with `threads` inserted after `column`; unchanged for nil.
    static func withThreads(_ columns: [String], after column: String?) -> [String] {
        guard let column, let index = columns.firstIndex(of: column) else { return columns }
        var columns = columns
        columns.insert("threads", at: index + 1)
        return columns
    }

    /// A probability with four significant digits ("0.0123", "3.2e-07").
    static func probability(_ value: Double) -> String { String(format: "%.4g", value) }

    package static func format4(_ value: Double) -> String { Rounded.text(value, digits: 4) }
}
