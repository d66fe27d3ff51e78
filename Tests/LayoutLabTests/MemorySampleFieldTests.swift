@testable import LayoutLabProtocol
@testable import LayoutLabTables
@testable import LayoutLabAnalysis
import Testing

/// `MemorySample.Field`, the one list of sample figures, against the promises made from it.
@Suite("Sample fields, written once")
struct MemorySampleFieldTests {
    // samples.csv's published column order is pinned once, with the other tables', in
    // `CSVSchemaTests.theHeadersAreTheColumnsOfBefore`.

    @Test func everyColumnNameEndsInItsUnit() {
        for field in MemorySample.Field.allCases {
            switch field.unit {
            case .bytes: #expect(field.column.hasSuffix("_bytes"), "\(field.column)")
            case .nanoseconds: #expect(field.column.hasSuffix("_ns"), "\(field.column)")
            case .nodes: #expect(field.column.hasPrefix("nodes_"), "\(field.column)")
            }
        }
    }

    /// Each figure reaches its own field: distinct values in, the same values out by name.
    @Test func valuesRoundTripFieldByField() throws {
        let values: [Int?] = MemorySample.Field.allCases.map { 100 + $0.rawValue }
        let sample = try #require(MemorySample(values: values))
        for field in MemorySample.Field.allCases { #expect(sample[field] == 100 + field.rawValue, "\(field.column)") }
        #expect(sample.values == values)
        #expect(sample.vmHWMBytes == 100 + MemorySample.Field.vmHWMBytes.rawValue)
        #expect(sample.allocator.retainedBytes == 100 + MemorySample.Field.allocatorRetainedBytes.rawValue)
        var missing = values
        missing[MemorySample.Field.sampleNs.rawValue] = nil
        #expect(MemorySample(values: missing) == nil, "a sample without its cost is refused")
        #expect(MemorySample(values: Array(values.dropLast())) == nil)
    }
}
