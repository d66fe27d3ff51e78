import LayoutLabModel

/// How one kind of value is written into a CSV cell and read back: `render` gives the cell's text (nil: an empty
/// cell), `parse` reads a non-empty cell (nil: the text is not such a value). For every format,
/// render → parse → render gives the same text, so a folder read back writes the same bytes.
package struct CSVCellFormat<Value>: Sendable {
    package let render: @Sendable (Value) -> String?
    package let parse: @Sendable (String) -> Value?

    package init(render: @escaping @Sendable (Value) -> String?, parse: @escaping @Sendable (String) -> Value?) {
        self.render = render
        self.parse = parse
    }
}

extension CSVCellFormat where Value == Int {
    /// A whole number as it is (`CSVNumber`).
    package static var integer: Self { Self(render: { String($0) }, parse: { Int($0) }) }

    /// `0x` and 16 hex digits of the value's 64 bits (`PhasesTable.checksumCell`): text to every CSV reader.
    /// A decimal cell (what earlier versions wrote) reads too.
    package static var hex64: Self {
        Self(
            render: { PhasesTable.checksumCell($0) },
            parse: { text in
                guard text.hasPrefix("0x") else { return Int(text) }
                return UInt64(text.dropFirst(2), radix: 16).map { Int(Int64(bitPattern: $0)) }
            })
    }
}

extension CSVCellFormat where Value == UInt64 {
    package static var unsigned: Self { Self(render: { String($0) }, parse: { UInt64($0) }) }
}

extension CSVCellFormat where Value == Double {
    /// Three decimals (`CSVNumber`); a non-finite value is an empty cell.
    package static var thousandths: Self { Self(render: { CSVNumber.cell($0) }, parse: { Double($0) }) }

    /// Six significant digits (`%.6g`): a relative half-width of 0.00001 must not print as 0.000.
    package static var sixDigits: Self { Self(render: { TrialsTable.precisionCell($0) }, parse: { Double($0) }) }
}

extension CSVCellFormat where Value == Bool {
    /// `true` or `false`, like every flag the lab writes; `yes` and `no` (what earlier versions wrote) read too.
    package static var flag: Self {
        Self(render: { $0 ? "true" : "false" }, parse: { ["true": true, "yes": true, "false": false, "no": false][$0] })
    }
}

extension CSVCellFormat where Value == String {
    /// Text as it is; an empty cell reads as nil.
    package static var text: Self { Self(render: { $0 }, parse: { $0 }) }
}

extension CSVCellFormat where Value: RawRepresentable & SendableMetatype, Value.RawValue == String {
    /// An enumeration by its raw value; a value this version does not know reads as nil.
    package static var rawValue: Self { Self(render: { $0.rawValue }, parse: { Value(rawValue: $0) }) }
}

extension CSVCellFormat where Value == TrialStatus {
    /// `ok`, `failed:exit 3`, `crashed:SIGSEGV` … (`TrialStatus.description`).
    package static var status: Self { Self(render: { $0.description }, parse: { TrialStatus($0) }) }
}
