import LayoutLabModel
import LayoutLabTables

extension ExperimentValidator {
    /// `"precision": {"metric": COLUMN, "relative_half_width": FRACTION, "max_repetitions": N}`: the metric is
    /// a per-node cost column of `trials.csv` (`*_per_node`), the half-width a fraction of the mean above 0 and
    /// at most 1, the cap (default 30, at least the planned repetitions) 2 … 1000.
    mutating func precisionTarget(_ value: JSONValue, repetitions: Int) -> PrecisionTarget? {
        let path = "$.precision"
        guard let fields = object(value, at: path, allowed: ["metric", "relative_half_width", "max_repetitions"],
                                  required: ["metric", "relative_half_width"])
        else { return nil }
        let columns = TrialsTable.precisionColumns
        var metric: String?
        if let text = fields["metric"].flatMap({ string($0, at: path + ".metric") }) {
            if columns.contains(text) {
                metric = text
            } else {
                let why = TrialsTable.header.contains(text)
                    ? " (a column of trials.csv, but not a per-node cost: it can be 0 or negative, and a half-width relative to its mean means nothing)"
                    : Suggestion.hint(for: text, among: columns)
                report(path + ".metric", "expected a positive cost metric, a *_per_node column of trials.csv, got \"\(text)\"\(why); the columns are \(columns.joined(separator: ", "))")
            }
        }
        var width: Double?
        if let given = fields["relative_half_width"] {
            let number: Double? = switch given {
            case .number(let value): value
            case .integer(let value): Double(value)
            default: nil
            }
            if let number, number > 0, number <= 1 {
                width = number
            } else {
                report(path + ".relative_half_width", "expected a fraction of the mean above 0 and at most 1 (0.02 for ±2 %), got \(given.summary)")
            }
        }
        var cap: Int? = max(PrecisionTarget.defaultMaxRepetitions, repetitions)
        if let given = fields["max_repetitions"] {
            cap = integer(given, at: path + ".max_repetitions", in: 2...1000, what: "a number of repetitions")
            if let value = cap, value < repetitions {
                report(path + ".max_repetitions", "expected at least the planned repetitions (\(repetitions)), got \(value)")
                cap = nil
            }
        }
        guard let metric, let width, let cap else { return nil }
        return PrecisionTarget(metric: metric, relativeHalfWidth: width, maxRepetitions: cap)
    }
}
