import LayoutLabModel

/// The one description of a CSV table the lab writes: its columns in order. The header, every row's cells and
/// the reader all come from this list, so they cannot disagree by position.
package struct CSVSchema<Row>: Sendable {
    package let columns: [CSVColumn<Row>]

    package init(_ columns: [CSVColumn<Row>]) {
        precondition(Set(columns.map(\.name)).count == columns.count, "a CSV table names a column twice")
        self.columns = columns
    }

    package var header: [String] { columns.map(\.name) }

    /// The column named `name`, if the table has it.
    package func column(_ name: String) -> CSVColumn<Row>? { columns.first { $0.name == name } }

    /// One row's cells in header order (nil: an empty cell).
    package func cells(_ row: Row) -> [String?] { columns.map { $0.render(row) } }

    /// Rows as CSV lines, without a header.
    package func lines(_ rows: [Row]) -> String { CSVTable.lines(rows.map(cells)) }

    /// The whole table, header and rows.
    package func table(_ rows: [Row]) -> CSVTable {
        var table = CSVTable(header: header)
        table.append(contentsOf: rows.map(cells))
        return table
    }

    /// Reads cells in header order (`ResultsFolder.rows(of:header:)` aligns a file's columns to it) into
    /// `blank`: each non-empty cell of a column that is read back sets its field; an empty one leaves it.
    package func row(_ cells: [String], into blank: Row) -> Row {
        var row = blank
        for (column, cell) in zip(columns, cells) where !cell.isEmpty { column.parse?(&row, cell) }
        return row
    }

    /// A row as its file holds it: rendered and read back, so figures carry the precision of their cells and a
    /// run analysed in memory gives what a later reading of its folder gives.
    package func asWritten(_ row: Row, blank: Row) -> Row { self.row(cells(row).map { $0 ?? "" }, into: blank) }
}
