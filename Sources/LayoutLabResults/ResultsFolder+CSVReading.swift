import CSV
import Foundation

/// Reading the CSV files of a folder written before the journal existed, or by an earlier version of the lab.
extension ResultsFolder {
    /// The rows of a samples, phases or allocation-sizes file whose trial (first column) is finished.
    static func finishedRows(of url: URL, header: [String], finished: Set<String>) throws -> [[String]] {
        var rows = try Self.rows(of: url, header: header)
        // A last line without its line break was cut short (not by this lab, whose writes are atomic).
        if Self.endsMidLine(url), !rows.isEmpty { rows.removeLast() }
        return rows.filter { finished.contains($0[0]) }
    }

    /// Whether a file's last byte is not a line break.
    static func endsMidLine(_ url: URL) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > 0 else { return false }
        try? handle.seek(toOffset: end - 1)
        return (try? handle.read(upToCount: 1)) != Data("\n".utf8)
    }

    /// Columns an earlier version of the lab wrote under another name: old name → current name.
    public static let formerColumnNames = ["sampling_share": "sampling_fraction"]

    /// The rows of a CSV file written by the lab (CSV.swift reads it), in the columns of `expected`; an absent
    /// file has none. A file from an earlier version of the lab may lack columns added since: they read empty;
    /// a column renamed since (`formerColumnNames`) reads under its new name.
    static func rows(of url: URL, header expected: [String]) throws -> [[String]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        // Empty, or cut off inside its header line: no rows.
        guard text.contains("\n") else { return [] }
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        let header = (reader.headerRow ?? []).map { formerColumnNames[$0] ?? $0 }
        let unknown = header.filter { !expected.contains($0) }
        guard unknown.isEmpty, header.first == expected.first else {
            throw ResultsFolderError.unknownColumns(file: url.path, columns: unknown)
        }
        let positions = expected.map { header.firstIndex(of: $0) }
        var rows: [[String]] = []
        while let row = reader.next() {
            rows.append(positions.map { position in position.flatMap { $0 < row.count ? row[$0] : nil } ?? "" })
        }
        return rows
    }
}
