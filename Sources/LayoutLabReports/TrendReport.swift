import Foundation
import LayoutLabAnalysis
import LayoutLabModel
import LayoutLabTables

/// `trend.csv` and the terminal tables of `layoutlab trend`: per metric a row per configuration and a column per
/// folder, each cell the geometric mean with its 95 % interval, and `◆` where the step into that folder is a
/// change beyond noise (`Trend`).
package enum TrendReport {
    /// The folders of a series: as named on the command line, and their labels (`TrendLabel`).
    package struct Folders: Sendable {
        package var paths: [String]
        package var labels: [String]
        /// Per folder, the allocator versions by allocator name (environment.json).
        package var allocatorVersions: [[String: String]]

        package init(paths: [String], labels: [String], allocatorVersions: [[String: String]]) {
            self.paths = paths
            self.labels = labels
            self.allocatorVersions = allocatorVersions
        }
    }

    /// The mark of a change in tables and charts.
    package static let mark = "◆"

    /// `trend.csv`.
    package static let fileName = TrendTable.fileName

    /// `trend.csv`'s text: `TrendTable`'s columns, a row per series and folder that has a number.
    package static func csv(_ trend: Trend, folders: Folders, mismatch: String? = nil) -> String {
        TrendTable.schema.table(rows(trend, folders: folders, mismatch: mismatch)).text
    }

    /// One row per series and folder that has a number.
    package static func rows(_ trend: Trend, folders: Folders, mismatch: String? = nil) -> [TrendRow] {
        var rows: [TrendRow] = []
        for series in trend.series {
            for (index, point) in series.points.enumerated() {
                guard let point else { continue }
                var row = TrendRow()
                let configuration = series.configuration
                row.metric = series.metric
                row.unit = MetricUnit.of(series.metric)
                row.direction = series.direction.rawValue
                (row.shape, row.layout, row.nodes, row.threads, row.allocator) =
                    (configuration.shape, configuration.layout, configuration.nodes, configuration.threads, configuration.allocator)
                row.folderIndex = index + 1
                row.folder = folders.paths[index]
                row.label = folders.labels[index]
                row.allocatorVersion = folders.allocatorVersions[index][configuration.allocator]
                row.repetitions = point.count
                row.geomean = point.geometricMean
                row.ci95Low = point.low
                row.ci95High = point.high
                row.method = point.methodLabel
                if let step = series.steps.first(where: { $0.from == index - 1 }) {
                    row.stepRatio = step.comparison.ratio
                    row.stepCI95Low = step.comparison.interval?.low
                    row.stepCI95High = step.comparison.interval?.high
                    row.stepPValue = step.pValue
                    row.stepHolmAdjustedP = step.adjustedPValue
                    row.change = step.undecidable == nil ? step.change : nil
                    row.stepVerdict = verdict(step, direction: series.direction)
                }
                row.mismatch = mismatch
                rows.append(row)
            }
        }
        return rows
    }

    /// "worse", "better" (a change), "identical", "within noise", or "cannot decide: why".
    package static func verdict(_ step: Trend.Step, direction: MetricDirection) -> String {
        if let reason = step.undecidable { return "cannot decide: \(reason)" }
        if step.comparison.identical { return "identical" }
        return step.change ? direction.word(bHigher: (step.comparison.ratio ?? 1) > 1) : "within noise"
    }

    /// One block per metric: what the cells are, the table, and the changes under it.
    package static func render(_ trend: Trend, folders: Folders) -> String {
        var text = ""
        for metric in trend.metrics {
            let all = trend.series.filter { $0.metric == metric }
            let unit = MetricUnit.of(metric).map { " in \($0)" } ?? ""
            text += "\n\(metric)\(unit) (\(MetricDirection(metric: metric).rawValue)) — geometric mean over repetitions [95 % Student-t interval on log values]; "
            text += "\(mark): the step from the previous folder is beyond noise (\(Trend.correctionName), \(trend.testedSteps) steps tested)\n"
            var rows = [["configuration"] + folders.labels.enumerated().map { "\($0.offset + 1): \($0.element)" }]
            for series in all {
                var row = [series.configuration.name]
                for (index, point) in series.points.enumerated() {
                    guard let point else { row.append("–"); continue }
                    var cell = cellText(point)
                    if let step = series.steps.first(where: { $0.from == index - 1 }) {
                        if step.change { cell += " \(mark)" } else if step.undecidable != nil { cell += " ?" }
                    }
                    row.append(cell)
                }
                rows.append(row)
            }
            text += TextTable.aligned(rows)
            for series in all {
                for step in series.steps where step.change {
                    let ratio = step.comparison.ratio.map(ComparisonTable.format4) ?? "–"
                    let interval = step.comparison.interval.map { $0.low == $0.high ? "exact" : "95 % [\(ComparisonTable.format4($0.low)), \(ComparisonTable.format4($0.high))]" } ?? ""
                    text += "\(mark) change at folder \(step.from + 2) (\(folders.labels[step.from + 1])): \(series.configuration.name) is \(ratio)× folder \(step.from + 1)'s, \(interval), adjusted p \(step.adjustedPValue.map { String(format: "%.3g", $0) } ?? "–"): \(verdict(step, direction: series.direction))\n"
                }
            }
        }
        return text
    }

    /// "40" (exact), "123.4 [120.1, 126.8]", or "12.5 (n < 2)".
    static func cellText(_ point: GeometricMeanInterval) -> String {
        guard let mean = point.geometricMean else { return "(\(point.missing ?? "no value"))" }
        let value = number(mean)
        if point.exact { return "\(value) exact" }
        guard let low = point.low, let high = point.high else { return "\(value) (n < 2)" }
        return "\(value) [\(number(low)), \(number(high))]"
    }

    /// Four significant digits (at least one decimal below 100).
    static func number(_ value: Double) -> String { String(format: "%.4g", value) }

    /// The summary printed after the tables: how many changes, which steps could not be decided.
    package static func summary(_ trend: Trend) -> String {
        let changes = trend.changes
        var lines = ["\(changes.count) change\(changes.count == 1 ? "" : "s") beyond noise over \(trend.series.count) series of \(trend.folders) folders (\(trend.testedSteps) steps tested; identical steps are no change)"]
        for (step, shifts) in trend.shifts.enumerated() {
            for shift in shifts where shift.exceedsWithinRunNoise {
                lines.append("note: folder \(step + 2) ÷ folder \(step + 1): the whole run moved \(ComparisonTable.format4(shift.ratio))× in \(shift.metric) over \(shift.configurations) configurations, more than the typical within-run 95 % half-width ×/÷ \(ComparisonTable.format4(shift.typicalHalfWidth ?? 1)): machine drift or a global change (the intervals hold no drift between runs)")
            }
        }
        let undecidable = trend.undecidable
        if !undecidable.isEmpty {
            lines.append("cannot decide \(undecidable.count) step\(undecidable.count == 1 ? "" : "s"):")
            for (series, step) in undecidable {
                lines.append("  \(series.configuration.name) \(series.metric), folder \(step.from + 1) → \(step.from + 2): \(step.undecidable ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
