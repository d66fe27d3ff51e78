import LayoutLabModel

/// A results folder that cannot be read or written as asked: the folder or file, and what to do.
public enum ResultsFolderError: LabError, Equatable {
    /// The path named as a results folder does not exist.
    case doesNotExist(path: String)
    /// The path names a file where a results folder was expected.
    case notADirectory(path: String)
    /// The folder lacks a file every results folder of this lab has (`experiment.json`, `trials.csv`, ...).
    case notAResultsFolder(directory: String, lacking: String)
    /// `--out` names a folder that already holds a run.
    case holdsARun(directory: String, complete: Bool)
    /// A row of `file` whose trial id is not one of the folder's experiment (nil: of the experiment at hand).
    case foreignRow(file: String, experiment: String?, trialID: String)
    /// `file` has columns this version of the lab does not write.
    case unknownColumns(file: String, columns: [String])
    /// The folder's own copy of the experiment changed since its run started.
    case experimentChanged(file: String, sha256: String, recorded: String)

    public var exitStatus: LabExitStatus { .badInput }

    public var message: String {
        switch self {
        case .doesNotExist(let path): "\(path) does not exist"
        case .notADirectory(let path): "\(path) is a file, not a results folder"
        case .notAResultsFolder(let directory, let lacking): "\(directory) is not a results folder of this lab: it has no readable \(lacking)"
        case .holdsARun(let directory, true): "\(directory) already holds a complete run; choose another --out"
        case .holdsARun(let directory, false): "\(directory) already holds a run; finish it with --resume, or choose another --out"
        case .foreignRow(let file, let experiment, let trialID):
            "\(file): a row does not belong to \(experiment.map { "experiment \($0)" } ?? "this experiment"): \(trialID)"
        case .unknownColumns(let file, let columns):
            "\(file) does not have the columns this version of the lab writes (unknown: \(columns.joined(separator: ", ")))"
        case .experimentChanged(let file, let sha256, let recorded):
            "\(file) changed since the run started (sha256 \(sha256), recorded \(recorded)); refusing to mix results"
        }
    }
}
