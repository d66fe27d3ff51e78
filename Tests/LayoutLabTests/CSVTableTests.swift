import Testing

@testable import LayoutLabModel
@testable import LayoutLabTables

@Suite("CSV output")
struct CSVTableTests {
    @Test func quotingAndEmptyCells() {
        var table = CSVTable(header: ["a", "b", "c"])
        table.append(["plain", nil, "with,comma"])
        table.append(["say \"hi\"", "line\nbreak", ""])
        #expect(table.text == "a,b,c\nplain,,\"with,comma\"\n\"say \"\"hi\"\"\",\"line\nbreak\",\n")
    }

    @Test func numbers() {
        #expect(CSVNumber.cell(56.0) == "56.000")
        #expect(CSVNumber.cell(41.1204) == "41.120")
        #expect(CSVNumber.cell(-0.5) == "-0.500")
        #expect(CSVNumber.cell(0.0004) == "0.000")
        #expect(CSVNumber.cell(Double?.none) == nil)
        #expect(CSVNumber.cell(Double.nan) == nil)
        #expect(CSVNumber.cell(Int?.none) == nil)
        #expect(CSVNumber.cell(-0.0004) == "0.000")
        // People's numbers: one decimal, a dash for missing, and no "-0.0" for a tiny negative.
        #expect(Rounded.text(56.04) == "56.0" && Rounded.text(-0.5) == "-0.5")
        #expect(Rounded.text(-0.02) == "0.0" && Rounded.text(nil) == "–" && Rounded.text(.infinity) == "–")
    }
}
