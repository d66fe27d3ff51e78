import Foundation
import Testing

@testable import LayoutLabAnalysis

/// A probe's verdict from its trials: bad only when a configuration's whole interval lies beyond the bound, good
/// only when every configuration's whole interval lies within it; a noisy probe in between decides nothing.
@Suite("Bisect: what one probe says")
struct BisectVerdictTests {
    static let header = ["trial_id", "status", "shape", "layout", "nodes", "allocator", "repetition", "allocate_ns_per_node"]

    /// A probe table: build 1 (`lab-b1`) and the candidate (`lab-b2`), one configuration, these values per repetition.
    static func verdict(good: [Double], candidate: [Double], percent: Double = 5) -> BisectVerdict {
        func rows(_ allocator: String, _ values: [Double]) -> [[String]] {
            values.enumerated().map { index, value in
                ["p.final-class.1000.\(allocator).r\(index + 1)", "ok", "p", "final-class", "1000", allocator, String(index + 1), String(value)]
            }
        }
        let table = TrialTable(
            directory: URL(fileURLWithPath: "/tmp"), header: header, trialRows: rows("lab-b1", good) + rows("lab-b2", candidate), phases: ([], []))
        return BisectVerdict(table: table, good: "lab-b1", candidate: "lab-b2", metric: "allocate_ns_per_node", failAbovePercent: percent)
    }

    @Test func aNoisyProbeNeitherWorseNorWithinTheBoundIsUndecidable() {
        // Ratio about 1.5 with a wide interval: not shown worse than 5 %, and not shown within it either.
        let noisy = Self.verdict(good: [40, 60, 50], candidate: [45, 110, 70])
        guard case .undecidable(let reason) = noisy.outcome else {
            Issue.record("a noisy probe was called \(noisy.outcome)")
            return
        }
        #expect(reason.contains("nor within it"), "\(reason)")
    }

    @Test func tightProbesAreGoodOrBad() {
        #expect(Self.verdict(good: [50, 50.1, 49.9], candidate: [50.05, 49.95, 50]).outcome == .good)
        #expect(Self.verdict(good: [50, 50.1, 49.9], candidate: [60, 60.1, 59.9]).outcome == .bad)
        #expect(Self.verdict(good: [50, 50, 50], candidate: [50, 50, 50]).outcome == .good, "identical repetitions")
    }
}
