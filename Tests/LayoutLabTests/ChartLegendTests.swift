import Foundation
import Testing

@testable import LayoutLabResults

/// The bytes-per-node chart names its segments by position: `plot.gnuplot` lists the segment keys (space-separated)
/// and their legend names (semicolon-separated) side by side, so a name with a `;` in it shifts every later name onto
/// the wrong colour (it happened once). The two lists must have the same length, and match ChartData's segments.
@Suite("Bytes-per-node legend")
struct ChartLegendTests {
    @Test func everySegmentKeyHasExactlyOneName() throws {
        let root = try #require(EnvironmentProbe.packageRoot())
        let script = try String(contentsOf: root.appendingPathComponent("plot.gnuplot"), encoding: .utf8)
        func quoted(after prefix: String) throws -> String {
            let line = try #require(script.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) })
            let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
            try #require(parts.count >= 3, "\(line)")
            return String(parts[1])
        }
        let keys = try quoted(after: "keys = \"").split(separator: " ")
        let names = try quoted(after: "names = \"").split(separator: ";", omittingEmptySubsequences: false)
        #expect(keys.count == names.count, "\(keys.count) keys, \(names.count) names: \(names)")
        #expect(keys.contains("out_of_line") && keys.contains("dictionary_storage"))
    }
}
