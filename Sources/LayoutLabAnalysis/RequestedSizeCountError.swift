import LayoutLabModel

/// Why `allocation-sizes.csv` could not be read: the file, and what in it is not what the lab writes.
package enum RequestedSizeCountError: LabError, Equatable {
    case missingColumns(file: String, columns: [String])
    /// Line `line` (1: the header) lacks a trial id, or its requested bytes or allocations are not whole numbers.
    case badRow(file: String, line: Int, cells: [String])

    package var exitStatus: LabExitStatus { .badInput }

    package var message: String {
        switch self {
        case .missingColumns(let file, let columns):
            "\(file) lacks the columns \(columns.joined(separator: ", ")) (expected trial_id, requested_bytes, allocations, usable_bytes)"
        case .badRow(let file, let line, let cells):
            "\(file) line \(line): expected a trial id and whole numbers of requested bytes and allocations, got \(cells.joined(separator: ","))"
        }
    }
}
