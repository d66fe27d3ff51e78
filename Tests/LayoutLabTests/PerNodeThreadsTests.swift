import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabResults
@testable import LayoutLabTables

/// per-node.csv of a threaded experiment: one row per thread count, each the median of its own repetitions only.
@Suite("per-node.csv by thread count")
struct PerNodeThreadsTests {
    @Test func eachThreadCountIsAConfigurationOfItsOwn() throws {
        let run = try ResultsFolder.open(try ThreadForkFixtures.threadsFolder()).run
        let text = PerNodeCSV.table(PerNodeSummary.summaries(of: run)).text
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        #expect(header.suffix(3) == ["threads", "interpreter", "python_version"])
        let column = { (name: String) in try #require(header.firstIndex(of: name)) }
        let (layout, allocator, threads, rss) = (try column("layout"), try column("allocator"), try column("threads"), try column("rss_bytes_per_node_median"))
        let rows = lines.dropFirst()
        // 3 layouts × 3 thread counts × 2 allocators; the failed struct-array/jemalloc/T=2 has no figures but a row.
        #expect(rows.count == 3 * 3 * 2)
        for row in rows where !(row[layout] == "struct-array" && row[allocator] == "jemalloc" && row[threads] == "2") {
            let expected = ThreadForkFixtures.rssBytesPerNode(
                layout: LayoutKind(rawValue: row[layout])!, allocator: row[allocator], phase: 0, threads: Int(row[threads])!, repetition: 1) + 0.5
            #expect(Double(row[rss]) == expected, "\(row[layout]) \(row[allocator]) T=\(row[threads]): the median of its own two repetitions")
        }
    }
}
