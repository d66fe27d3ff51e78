import LayoutLabExperiments
import LayoutLabTables

/// The metrics a results folder offers `compare`, and help for a name that is not one of them.
extension TrialTable {
    /// Columns of `trials.csv` that say what a trial is (or which run of it a row is), not what it measured:
    /// the table's own descriptive columns, and the probe's node count.
    public static let identityColumns: Set<String> = TrialsTable.descriptiveColumns.union(["probe_nodes"])

    /// The columns `compare` can take: measured figures with a number in at least one row.
    public var metricColumns: [String] {
        header.filter { column in !Self.identityColumns.contains(column) && rows.contains { $0.value(column) != nil } }
    }

    /// ` (did you mean "x"?)`: the nearest metric; for `traverse.ns_per_node`, the phase as the charts name
    /// it (`traverse-rnd.ns_per_node`); or nothing.
    public func metricHint(for name: String) -> String {
        let metrics = metricColumns
        if let closest = Suggestion.closest(to: name, among: metrics) { return " (did you mean \"\(closest)\"?)" }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "" }
        let matches = metrics.filter { $0.hasPrefix(parts[0] + "-") && $0.hasSuffix("." + parts[1]) }
        return matches.isEmpty ? "" : " (did you mean \(matches.map { "\"\($0)\"" }.joined(separator: " or "))?)"
    }

    /// "metrics there: a, b; and phase figures PHASE.FIGURE, PHASE one of …, FIGURE one of …".
    public var metricListing: String {
        let metrics = metricColumns
        let trialMetrics = metrics.filter { !$0.contains(".") }
        var phases: [String] = [], figures: [String] = []
        for metric in metrics where metric.contains(".") {
            let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
            if !phases.contains(parts[0]) { phases.append(parts[0]) }
            if !figures.contains(parts[1]) { figures.append(parts[1]) }
        }
        var text = "metrics there: \(trialMetrics.joined(separator: ", "))"
        if !phases.isEmpty {
            text += "; and phase figures PHASE.FIGURE, PHASE one of \(phases.joined(separator: ", ")), FIGURE one of \(figures.joined(separator: ", "))"
        }
        return text
    }
}
