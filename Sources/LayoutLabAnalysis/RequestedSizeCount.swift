import CSV
import Foundation
import LayoutLabResults
import LayoutLabTables

/// One row of `allocation-sizes.csv`: in the probe of trial `trialID`, `allocations` heap blocks of
/// `requestedBytes` bytes each, whose usable size (`malloc_usable_size`, the allocator's size class for that
/// request) is `usableBytes` bytes (the mean over those blocks; nil when the allocator does not report one).
package struct RequestedSizeCount: Equatable, Sendable {
    package var trialID: String
    package var requestedBytes: Int
    package var allocations: Int
    package var usableBytes: Double?

    package init(trialID: String, requestedBytes: Int, allocations: Int, usableBytes: Double?) {
        self.trialID = trialID
        self.requestedBytes = requestedBytes
        self.allocations = allocations
        self.usableBytes = usableBytes
    }

    /// The file's name in a results folder.
    package static let fileName = "allocation-sizes.csv"

    /// The table's columns, each with how it is written and read back.
    package static let schema = CSVSchema<RequestedSizeCount>([
        CSVColumn("trial_id", \.trialID, .text),
        CSVColumn("requested_bytes", \.requestedBytes, .integer),
        CSVColumn("allocations", \.allocations, .integer),
        CSVColumn("usable_bytes", \.usableBytes, .sixDigits),
    ])

    static let blank = RequestedSizeCount(trialID: "", requestedBytes: 0, allocations: 0, usableBytes: nil)

    /// The rows of `allocation-sizes.csv` in `directory`; none when the folder has no such file. A file without
    /// one of the columns, or a row whose trial id, size or count is not a number, is an error naming the file.
    package static func read(from directory: URL) throws -> [RequestedSizeCount] {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        guard text.contains("\n") else { return [] }
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        let header = reader.headerRow ?? []
        let missing = schema.header.filter { !header.contains($0) }
        guard missing.isEmpty else { throw RequestedSizeCountError.missingColumns(file: url.path, columns: missing) }
        let positions = schema.header.map { header.firstIndex(of: $0) }
        var rows: [RequestedSizeCount] = []
        var line = 1
        while let cells = reader.next() {
            line += 1
            let aligned = positions.map { position in position.flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
            guard !aligned[0].isEmpty, Int(aligned[1]) != nil, Int(aligned[2]) != nil else {
                throw RequestedSizeCountError.badRow(file: url.path, line: line, cells: cells)
            }
            rows.append(schema.row(aligned, into: blank))
        }
        return rows
    }
}
