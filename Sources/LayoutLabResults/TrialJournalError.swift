import LayoutLabModel

/// A trial journal (`trials.journal`) that cannot be read or appended to: the file, and what to do.
public enum TrialJournalError: LabError, Equatable {
    /// The file's first line is not the journal's.
    case notAJournal(file: String, expectedFirstLine: String)
    /// A whole entry (its checksum matched) whose rows disagree with its own line.
    case entryRowCount(file: String, offset: Int, rows: Int, expected: Int)
    /// The journal's rows have other columns than this version of the lab writes.
    case otherColumns(file: String, journalFile: String)
    /// Opening, cutting, appending to or syncing the journal failed (`reason` is the system's).
    case writeFailed(what: String, reason: String)

    public var exitStatus: LabExitStatus {
        switch self {
        case .writeFailed: .failure
        default: .badInput
        }
    }

    public var message: String {
        switch self {
        case .notAJournal(let file, let first): "\(file) is not a trial journal of this lab (its first line is not \(first))"
        case .entryRowCount(let file, let offset, let rows, let expected):
            "\(file): the entry at byte \(offset) holds \(rows) rows, not the \(expected) its line says"
        case .otherColumns(let file, let journalFile):
            "\(file) was written by a version of the lab with other columns; its CSV files hold the trials last assembled from it: remove \(journalFile) to read them instead"
        case .writeFailed(let what, let reason): "\(what): \(reason)"
        }
    }
}
