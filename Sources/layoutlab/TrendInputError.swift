import LayoutLabModel

/// `layoutlab trend` was given a series it cannot draw; nothing was written.
enum TrendInputError: LabError {
    case tooFewFolders(count: Int)
    /// `--metric` names something no folder has numbers for.
    case noFolderHasMetric(name: String, hint: String, listing: String)
    /// Two consecutive folders measured different trials.
    case trialsDiffer(step: Int, a: String, b: String, mismatches: [String])
    case nothingToTrend
    /// `--fail-on-regression`: the last step could not be decided for a row, and none regressed.
    case lastStepUndecidable(rows: [String])

    var exitStatus: LabExitStatus { .badInput }

    var message: String {
        switch self {
        case .tooFewFolders(let count):
            "trend needs at least 2 results folders in order, got \(count): layoutlab trend DIR_1 DIR_2 [DIR_3 ...]"
        case .noFolderHasMetric(let name, let hint, let listing):
            "no folder has numbers for the metric \(name)\(hint); \(listing)"
        case .trialsDiffer(let step, let a, let b, let mismatches):
            """
            folders \(step) and \(step + 1) (\(a) and \(b)) did not measure the same trials, so a step between them would mean nothing:
            \(mismatches.map { "  \($0)" }.joined(separator: "\n"))
            Nothing was written. --allow-mismatch draws the series anyway (labelled, without charts); --subject says which identity may differ.
            """
        case .nothingToTrend:
            "nothing to trend: no configuration (shape, layout, nodes, allocator) has a number for the metrics in any folder"
        case .lastStepUndecidable(let rows):
            "cannot decide the last step of \(rows.count) row\(rows.count == 1 ? "" : "s") (none regressed):\n" + rows.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
