import LayoutLabModel
import LayoutLabTables

/// One figure of `layoutlab calibrate`: what was measured and how, its goal, and whether it met it.
package struct CalibrationFigure: Sendable, Equatable {
    /// The verdict on a figure.
    package enum Result: String, Sendable {
        /// Within its goal.
        case pass
        /// Outside its goal, on either side.
        case fail = "FAIL"
        /// No goal: shown for what it says.
        case reported = "info"
        /// An input the figure needs is missing (an empty cell, no reading, no tool): a goal that cannot be
        /// checked is not met.
        case notMeasurable = "not measurable"
    }

    package var name: String
    package var method: String
    package var goal: String
    package var measured: String
    package var result: Result
    /// By how much, and on which side, a missed goal was missed; or what was missing.
    package var shortfall: String?

    package init(name: String, method: String, goal: String, measured: String, result: Result, shortfall: String? = nil) {
        self.name = name
        self.method = method
        self.goal = goal
        self.measured = measured
        self.result = result
        self.shortfall = shortfall
    }

    /// A figure whose inputs are missing: `missing` says which.
    static func notMeasurable(name: String, method: String, goal: String, missing: String) -> CalibrationFigure {
        CalibrationFigure(name: name, method: method, goal: goal, measured: "not measurable: \(missing)", result: .notMeasurable, shortfall: missing)
    }

    /// Whether calibrate fails because of this figure.
    package var missesGoal: Bool { result == .fail || result == .notMeasurable }
}

/// The acceptable values of a figure: a closed range, either end open (nil). A goal on a signed error
/// (`within 1 %` is −1 % … +1 %) or on a ratio (`0.99 … 1.01`) is two-sided, so that a lab that
/// under-reports fails as surely as one that over-reports.
struct CalibrationGoal: Sendable {
    var lower: Double?
    var upper: Double?
    /// How the goal reads, e.g. "within ±1 %".
    var text: String

    /// pass or fail for `value`, and the shortfall (`describe` renders a distance from the goal); not
    /// measurable when the value is missing or not a number.
    func judge(_ value: Double?, describe: (Double) -> String) -> (result: CalibrationFigure.Result, shortfall: String?) {
        guard let value, value.isFinite else { return (.notMeasurable, "the figure could not be computed") }
        if let lower, value < lower { return (.fail, "\(describe(lower - value)) under") }
        if let upper, value > upper { return (.fail, "\(describe(value - upper)) over") }
        return (.pass, nil)
    }
}

/// The number formats of calibration figures.
enum CalibrationFormat {
    /// `value` rounded, "–" when missing or not a number.
    static func number(_ value: Double?, digits: Int = 2) -> String { Rounded.text(value, digits: digits) }

    static func percent(_ fraction: Double, digits: Int = 2) -> String { "\(number(fraction * 100, digits: digits)) %" }

    static func signedPercent(_ fraction: Double, digits: Int = 2) -> String {
        (fraction >= 0 ? "+" : "−") + percent(abs(fraction), digits: digits)
    }

    static func microseconds(_ ns: Double) -> String { "\(number(ns / 1000, digits: 1)) µs" }

    /// "median [min–max]" of `values`, "–" when there are none.
    static func spread(_ values: [Double], digits: Int = 2) -> String {
        guard let median = PerNodeSummary.median(values), let low = values.min(), let high = values.max() else { return "–" }
        return "\(number(median, digits: digits)) [\(number(low, digits: digits))–\(number(high, digits: digits))]"
    }
}
