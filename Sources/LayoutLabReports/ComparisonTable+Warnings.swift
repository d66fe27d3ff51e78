import Foundation
import LayoutLabAnalysis
import LayoutLabModel

extension ComparisonTable {
    /// One line per time metric of a two-run comparison: how far the whole run moved (see `RunShift`).
    /// Printed after the tables.
    package static func shiftSummary(_ shifts: [RunShift]) -> String {
        shifts.map { shift in
            let allocators = shift.byAllocator.map { "\($0.allocator) \(format4($0.ratio))×" }.joined(separator: ", ")
            let halfWidth = shift.typicalHalfWidth.map { "; typical within-run 95 % half-width ×/÷ \(format4($0))" } ?? ""
            return "run shift of \(shift.metric): B ÷ A \(format4(shift.ratio))× (geometric mean of \(shift.configurations) configurations, range \(format4(shift.lowest))–\(format4(shift.highest)); \(allocators))\(halfWidth) — the intervals above hold no drift between runs\n"
        }.joined()
    }

    /// Warnings printed after the verdict (stderr): time rows beyond the `--fail-above` bound that no count
    /// explains, and run shifts larger than the typical within-run half-width. Neither changes the exit status.
    /// `control`: the `--control` allocator, whose ratios already divide the time rows.
    package static func warnings(_ check: RegressionCheck?, shifts: [RunShift], control: String? = nil) -> [String] {
        var warnings: [String] = []
        if let check, !check.unexplainedTime.isEmpty {
            let bound = format4(1 + check.percent / 100)
            var metrics: [String] = []
            for row in check.unexplainedTime where !metrics.contains(row.decided.time.metric) { metrics.append(row.decided.time.metric) }
            var lines = ["time beyond \(Rounded.text(check.percent, digits: 3)) % not explained by instructions or faults: \(check.unexplainedTime.count) of \(check.decidedByCount.count) time rows decided by counts have their whole 95 % interval above \(bound) while no count of theirs regresses:"]
            for row in check.unexplainedTime {
                let time = row.decided.time
                let counts = row.decided.counts.map { count in
                    "\(count.comparison.metric) \(count.comparison.ratio.map { format4($0) + "×" } ?? "no ratio")"
                }.joined(separator: ", ")
                lines.append("  \(time.configurationName) \(time.metric): \(time.sideB) is \(format4(row.estimate.ratio))× \(time.sideA), 95 % [\(format4(row.estimate.low)), \(format4(row.estimate.high))] (\(counts))")
            }
            lines.append("— run again, or compare with --metric \(metrics.joined(separator: ",")) (best in one run that interleaves both sides: README, Guarding an allocator build). The exit status stays the counts' decision: by chance alone about 2.5 % of time rows lie beyond the bound, and drift between two runs adds more.")
            warnings.append(lines.joined(separator: "\n"))
        }
        for shift in shifts where shift.exceedsWithinRunNoise {
            let direction = shift.ratio > 1 ? "slower" : "faster"
            let factor = shift.ratio > 1 ? shift.ratio : 1 / shift.ratio
            let across = shift.everyConfiguration ? "across every configuration" : "on average across \(shift.configurations) configurations"
            let remedy = control.map { "the \(shift.metric) rows above are divided by \($0)'s own ratio (--control), which cancels a shift common to every allocator" }
                ?? "an interleaved comparison decides it (one run listing both builds as two allocators, then compare DIR --by allocator --baseline OLD), or --control with an allocator that did not change"
            warnings.append("run B is \(format4(factor))× \(direction) \(across) in \(shift.metric) (range \(format4(shift.lowest))–\(format4(shift.highest)) over \(shift.configurations)), more than the typical within-run 95 % half-width ×/÷ \(format4(shift.typicalHalfWidth ?? 1)): machine drift or a global change, which two runs cannot tell apart; \(remedy)")
        }
        return warnings
    }
}
