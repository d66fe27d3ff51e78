/// A CSV table (RFC 4180): a header row and rows of cells; a nil cell is written empty, and cells with
/// commas, quotes or line breaks are quoted.
package struct CSVTable: Sendable {
    package var header: [String]
    package private(set) var rows: [[String?]] = []

    package init(header: [String]) { self.header = header }

    package mutating func append(_ row: [String?]) {
        precondition(row.count == header.count, "a CSV row has \(row.count) cells for \(header.count) columns")
        rows.append(row)
    }

    package mutating func append(contentsOf other: [[String?]]) { for row in other { append(row) } }

    /// Replaces one cell of row `row` (0-based, header not counted).
    package mutating func set(_ value: String?, row: Int, column: Int) { rows[row][column] = value }

    package var text: String { Self.line(header) + Self.lines(rows) }

    /// The header line alone, with its line break.
    package var headerLine: String { Self.line(header) }

    /// Rows as CSV lines, without a header (what is appended to a file that has one).
    package static func lines(_ rows: [[String?]]) -> String {
        var text = ""
        for row in rows { text += line(row) }
        return text
    }

    private static func line(_ cells: [String?]) -> String {
        cells.map { quoted($0 ?? "") }.joined(separator: ",") + "\n"
    }

    static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacing("\"", with: "\"\"") + "\""
    }
}

/// How numbers are written into CSV cells: integers as they are, fractions with three decimals.
package enum CSVNumber {
    package static func cell(_ value: Int?) -> String? { value.map(String.init) }

    package static func cell(_ value: Double?) -> String? {
        guard let value, value.isFinite else { return nil }
        let thousandths = (value * 1000).rounded()
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = Int(abs(thousandths))
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
