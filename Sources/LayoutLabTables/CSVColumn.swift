import LayoutLabModel

/// One column of a CSV table the lab writes: its name (the header cell), its unit, how a row's value becomes
/// the cell and how the cell is read back into a row. A missing value (nil) is an empty cell, and an empty cell
/// leaves the row's value as it was (nil for an optional), never 0. A column without `parse` is derived from
/// other fields (a trial's layout from its id) and is only written.
package struct CSVColumn<Row>: Sendable {
    package let name: String
    /// The unit of the column's values (`bytes`, `ns`, `bytes/node`), read from its name's suffix; nil for
    /// labels, counts and ratios.
    package let unit: String?
    package let render: @Sendable (Row) -> String?
    /// Reads a non-empty cell into the row.
    package let parse: (@Sendable (inout Row, String) -> Void)?

    package init(
        _ name: String, render: @escaping @Sendable (Row) -> String?, parse: (@Sendable (inout Row, String) -> Void)? = nil
    ) {
        self.name = name
        self.unit = Self.unit(of: name)
        self.render = render
        self.parse = parse
    }

    /// An optional field: nil is an empty cell and an empty cell is nil.
    package init<Value>(_ name: String, _ field: any WritableKeyPath<Row, Value?> & Sendable, _ format: CSVCellFormat<Value>) {
        self.init(
            name, render: { row in row[keyPath: field].flatMap(format.render) },
            parse: { row, text in row[keyPath: field] = format.parse(text) })
    }

    /// A field that always has a value: an empty cell (a column an older version did not write) leaves the
    /// row's default.
    package init<Value>(_ name: String, _ field: any WritableKeyPath<Row, Value> & Sendable, _ format: CSVCellFormat<Value>) {
        self.init(
            name, render: { row in format.render(row[keyPath: field]) },
            parse: { row, text in if let value = format.parse(text) { row[keyPath: field] = value } })
    }

    /// A column written from other fields of the row and not read back.
    package static func derived<Value>(
        _ name: String, _ format: CSVCellFormat<Value>, _ value: @escaping @Sendable (Row) -> Value?
    ) -> Self {
        Self(name, render: { row in value(row).flatMap(format.render) })
    }

    /// The same column on a row that holds this one at `path` (a sample inside a samples.csv row).
    package func lifted<Outer>(_ path: any WritableKeyPath<Outer, Row> & Sendable) -> CSVColumn<Outer> {
        let render = self.render
        var liftedParse: (@Sendable (inout Outer, String) -> Void)?
        if let parse {
            liftedParse = { outer, text in parse(&outer[keyPath: path], text) }
        }
        return CSVColumn<Outer>(name, render: { outer in render(outer[keyPath: path]) }, parse: liftedParse)
    }

    /// `bytes/node`, `ns/node`, `per node`, `bytes`, `ns` by the name's suffix (the lab's names carry their unit).
    static func unit(of name: String) -> String? {
        let suffixes: [(String, String)] = [
            ("_bytes_per_node", "bytes/node"), ("_ns_per_node", "ns/node"), ("_per_node", "per node"),
            ("_bytes", "bytes"), ("_ns", "ns"), ("_bytes_start", "bytes"), ("_bytes_end", "bytes"),
        ]
        // A per-node.csv spread (`rss_bytes_per_node_median`) has its figure's unit.
        let figure = ["_median", "_min", "_max"].first { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) } ?? name
        for (suffix, unit) in suffixes where figure.hasSuffix(suffix) || figure == String(suffix.dropFirst()) { return unit }
        return nil
    }
}
