import LayoutLabModel

/// `layoutlab compare` was asked something its folders cannot answer; nothing was written.
enum ComparisonInputError: LabError {
    /// The two folders measured different trials; `mismatches` names each difference.
    case trialsDiffer(a: String, b: String, mismatches: [String], subjectIsAllocator: Bool)
    /// `--control`'s allocator is itself one of the differences between the runs.
    case controlChanged(control: String, change: String)
    case nothingToCompare
    /// `--metric` names something that is not a column, or a column without numbers, of `directory`.
    case notAMetric(name: String, isColumn: Bool, directory: String, hint: String, listing: String)
    case controlNotInFolder(control: String, directory: String, hint: String, allocators: [String])
    case controlIsAlone(control: String, directory: String)
    /// `--by host` on a folder of one host.
    case oneHost(name: String, directory: String)
    /// `--baseline` names no allocator (or host, with `grouping` "host") of the folder.
    case unknownBaseline(grouping: String, baseline: String, directory: String, hint: String, names: [String])

    var exitStatus: LabExitStatus { .badInput }

    var message: String {
        switch self {
        case .trialsDiffer(let a, let b, let mismatches, let subjectIsAllocator):
            """
            \(a) and \(b) did not measure the same trials, so their ratios would mean nothing:
            \(mismatches.map { "  \($0)" }.joined(separator: "\n"))
            Nothing was written. --allow-mismatch compares them anyway\(subjectIsAllocator ? "" : "; --subject says which identity may differ").
            """
        case .controlChanged(let control, let change):
            "--control \(control) must be the same allocator in both runs, and it changed: \(change). Nothing was written."
        case .nothingToCompare:
            "nothing to compare: no configuration (shape, layout, nodes, allocator) has successful trials on both sides"
        case .notAMetric(let name, let isColumn, let directory, let hint, let listing):
            "\(name) \(isColumn ? "is not a measured figure with numbers in" : "is not a column of") \(directory)/trials.csv or its phases.csv\(hint); \(listing)"
        case .controlNotInFolder(let control, let directory, let hint, let allocators):
            "--control \(control): no successful trial of that allocator in \(directory)\(hint); allocators there: \(allocators.joined(separator: ", "))"
        case .controlIsAlone(let control, let directory):
            "--control \(control) is the only allocator in \(directory): there is nothing for it to control"
        case .oneHost(let name, let directory):
            "only one host (\(name)) in \(directory): --by host compares the machines of a folder merged from several (layoutlab merge)"
        case .unknownBaseline(let grouping, let baseline, let directory, let hint, let names):
            "no successful trial of \(grouping) \(baseline) in \(directory)\(hint); \(grouping)s there: \(names.joined(separator: ", "))"
        }
    }
}
