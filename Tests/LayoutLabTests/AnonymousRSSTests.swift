import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabTables

@Suite("rss_anon_bytes_per_node: the anonymous part of the allocate phase's RSS growth")
struct AnonymousRSSTests {
    static let trial = Trial(
        experiment: "e", shapeIndex: 0, shape: Shape(name: "p", fields: [Field(name: "x", type: .int64)]),
        layout: .finalClass, nodes: 100, allocator: .tcmalloc, repetition: 1)

    /// File-backed pages faulted in during the phase (here 4 096 bytes: code or unwind tables) count in
    /// `rss_bytes_per_node` and not in `rss_anon_bytes_per_node`; later phases do not enter either.
    @Test func fileBackedGrowthIsLeftOut() throws {
        let samples = [
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: 10_000, rssAnonBytes: 6_000)),
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 100, elapsedNs: 9, rssBytes: 17_296, rssAnonBytes: 9_200)),
            PhaseSample(phaseIndex: 1, sample: MemorySample(nodesAlive: 100, elapsedNs: 0, rssBytes: 90_000, rssAnonBytes: 90_000)),
        ]
        let metrics = TrialMetrics(result: TrialResult(trial: Self.trial, status: .ok, phaseSamples: samples))
        #expect(metrics.rssBytesPerNode == 72.96)
        #expect(metrics.rssAnonBytesPerNode == 32)
        let column = try #require(TrialsTable.schema.column("rss_anon_bytes_per_node"))
        #expect(column.unit == "bytes/node")
    }

    /// A worker that could not read `RssAnon` leaves the cell empty, never 0 or the total's value.
    @Test func missingRssAnonIsEmpty() {
        let samples = [
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: 10_000)),
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 100, elapsedNs: 9, rssBytes: 17_296)),
        ]
        let metrics = TrialMetrics(result: TrialResult(trial: Self.trial, status: .ok, phaseSamples: samples))
        #expect(metrics.rssBytesPerNode == 72.96)
        #expect(metrics.rssAnonBytesPerNode == nil)
    }
}
