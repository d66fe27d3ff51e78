import CSV
import Foundation

/// The successful trials of a results folder as read back from its `trials.csv` (with CSV.swift): what
/// `compare` works from, so it can compare any two folders, from any run or machine.
public struct TrialTable: Sendable {
    public struct Row: Sendable {
        public var shape: String
        public var layout: String
        public var nodes: Int
        public var allocator: String
        public var repetition: Int
        public var cells: [String: String]

        /// A metric column as a number; nil for an empty cell.
        public func value(_ metric: String) -> Double? { cells[metric].flatMap { Double($0) } }
    }

    public var directory: URL
    public var header: [String]
    /// Rows whose status is `ok`.
    public var rows: [Row]

    public init(directory: URL) throws {
        self.directory = directory
        let file = directory.appendingPathComponent(ResultsFolder.trialsFile)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw RunError("\(directory.path) is not a results folder: it has no readable \(ResultsFolder.trialsFile)")
        }
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        header = (reader.headerRow ?? []).map { ResultsFolder.formerColumnNames[$0] ?? $0 }
        var rows: [Row] = []
        while let cells = reader.next() {
            let named = Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })
            guard named["status"] == "ok", let shape = named["shape"], let layout = named["layout"],
                let nodes = named["nodes"].flatMap({ Int($0) }), let allocator = named["allocator"],
                let repetition = named["repetition"].flatMap({ Int($0) })
            else { continue }
            rows.append(Row(shape: shape, layout: layout, nodes: nodes, allocator: allocator, repetition: repetition, cells: named))
        }
        self.rows = rows
    }
}
