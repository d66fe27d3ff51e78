import LayoutLabModel

/// Why `layoutlab bisect` cannot start, or cannot go on: bad input (exit 2) before any trial ran, or a probe
/// that cannot be decided (exit 2), each naming what to fix.
public enum BisectError: LabError, Equatable {
    case tooFewBuilds(count: Int)
    /// Each problem names the build (its position and path) and what is wrong with it.
    case badBuilds([String])
    /// The experiment has several allocators and `--allocator` names none of them, or names one it lacks.
    case allocatorNotChosen(file: String, names: [String])
    case unknownAllocator(file: String, name: String, hint: String, names: [String])
    case notAMetric(name: String, hint: String)
    case metricHasNoDirection(name: String)
    case badPercent(Double)
    /// The bisection's folder already holds something.
    case folderNotEmpty(path: String)
    /// A probe ran and cannot say whether the build is bad (`reason`); `folder` keeps its trials.
    case undecidable(build: Int, path: String, reason: String, folder: String)

    public var exitStatus: LabExitStatus { .badInput }

    public var message: String {
        switch self {
        case .tooFewBuilds(let count):
            "--builds needs the known good build and at least one more, got \(count)"
        case .badBuilds(let problems):
            "--builds: \(problems.count == 1 ? problems[0] : "\n" + problems.map { "  " + $0 }.joined(separator: "\n"))\nnothing ran"
        case .allocatorNotChosen(let file, let names):
            "\(file) has \(names.count) allocators (\(names.joined(separator: ", "))): name the one the builds replace with --allocator NAME"
        case .unknownAllocator(let file, let name, let hint, let names):
            "--allocator \(name): \(file) has no such allocator\(hint); its allocators: \(names.joined(separator: ", "))"
        case .notAMetric(let name, let hint):
            "--metric \(name) is not a measured column of trials.csv\(hint); phase figures are PHASE.FIGURE (traverse-rnd.ns_per_node)"
        case .metricHasNoDirection(let name):
            "--metric \(name) has no direction (neither a cost nor a gain), so no build can be worse in it: choose a *_bytes_per_node, *_ns_per_node or count per node"
        case .badPercent(let value):
            "--fail-above must be a percentage ≥ 0, got \(value)"
        case .folderNotEmpty(let path):
            "\(path) is not empty: a bisection writes its probes' folders into a folder of its own (choose another --out)"
        case .undecidable(let build, let path, let reason, let folder):
            "cannot decide build \(build) (\(path)): \(reason). Its trials are in \(folder); more repetitions (\"repetitions\" ≥ 2, or \"precision\") or a look at workers/*.log may help"
        }
    }
}
