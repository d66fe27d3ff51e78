import LayoutLabModel
import LayoutLabTables

/// What an experiment's `precision` target came to, configuration by configuration, from the `precision_reached`
/// cells of its trials: which reached it and after how many repetitions, which stopped at the cap (with the
/// relative half-width they got to), and which could not be measured or were refused (a value ≤ 0).
/// Stopping as soon as the interval is narrow enough is a sequential rule: the interval a configuration stops
/// with is computed as if n had been fixed in advance, so it covers the true mean less often than 95 %; the
/// summary says so rather than presenting it as a 95 % claim.
public enum PrecisionSummary {
    public struct Outcome: Equatable, Sendable {
        public var configuration: String
        /// Trials run, failed ones included.
        public var repetitions: Int
        /// Nil while undecided (the run stopped first).
        public var reached: Bool?
        public var relativeHalfWidth: Double?
    }

    /// One outcome per configuration that has trials, in the order of the trials.
    public static func outcomes(of run: ExperimentRun) -> [Outcome] {
        var order: [String] = []
        var byConfiguration: [String: Outcome] = [:]
        for record in run.records {
            let key = record.trial.configuration
            if byConfiguration[key] == nil {
                order.append(key)
                byConfiguration[key] = Outcome(configuration: key, repetitions: 0)
            }
            byConfiguration[key]?.repetitions += 1
            byConfiguration[key]?.reached = record.precisionReached
            byConfiguration[key]?.relativeHalfWidth = record.precisionRelativeHalfWidth
        }
        return order.compactMap { byConfiguration[$0] }
    }

    /// The summary as lines of text, or nil when the experiment has no precision target.
    public static func render(_ run: ExperimentRun) -> String? {
        guard let target = run.experiment.precision else { return nil }
        let outcomes = outcomes(of: run)
        func percent(_ value: Double?) -> String { value.map { "±\(Rounded.text($0 * 100, digits: 2)) %" } ?? "no interval" }
        var text = "precision: repetitions added until \(target.metric) is within ±\(Rounded.text(target.relativeHalfWidth * 100, digits: 2)) % "
        text += "of its mean (Student-t interval over the successful repetitions, 95 % at a fixed n), at most \(target.maxRepetitions) repetitions; "
        text += "a stopping rule: the interval a configuration stopped with covers less than 95 %\n"
        let reached = outcomes.filter { $0.reached == true }
        if !reached.isEmpty {
            let counts = reached.map(\.repetitions)
            let range = counts.min() == counts.max() ? "\(counts.min() ?? 0)" : "\(counts.min() ?? 0)–\(counts.max() ?? 0)"
            text += "  reached by \(reached.count) configuration(s), after \(range) repetitions\n"
        }
        let capped = outcomes.filter { $0.reached == false && $0.repetitions >= target.maxRepetitions }
        for outcome in capped {
            text += "  stopped at the cap, not reached: \(outcome.configuration) (\(outcome.repetitions) repetitions, \(percent(outcome.relativeHalfWidth)))\n"
        }
        // The metric as its trials.csv cell holds it, like the decision (`ResultsFolder.precisionState`).
        let column = TrialsTable.schema.column(target.metric)
        for outcome in outcomes where outcome.reached == false && outcome.repetitions < target.maxRepetitions {
            let values = run.records.filter { $0.trial.configuration == outcome.configuration && $0.status == .ok }
                .compactMap { record in column?.render(record).flatMap { Double($0) } }
            if let smallest = values.min(), !(smallest > 0) {
                text += "  refused: \(outcome.configuration) (\(target.metric) \(Rounded.text(smallest, digits: 3)) ≤ 0: no interval relative to its mean; no repetitions added)\n"
            } else {
                text += "  not measured: \(outcome.configuration) (no successful trial, or \(target.metric) empty; no repetitions added)\n"
            }
        }
        let open = outcomes.filter { $0.reached == nil }
        if !open.isEmpty { text += "  undecided (the run stopped first): \(open.map(\.configuration).joined(separator: ", "))\n" }
        return text
    }
}
