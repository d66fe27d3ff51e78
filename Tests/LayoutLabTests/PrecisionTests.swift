import Foundation
import Testing

@testable import LayoutLabModel
@testable import LayoutLabStatistics
@testable import LayoutLabProtocol
@testable import LayoutLabSampling

@Suite("Adaptive repetitions: the t quantile, the interval, the decision")
struct PrecisionTests {
    /// Quantiles from SciPy's `stats.t.ppf(p, df)`, 10 significant digits.
    @Test(arguments: [
        (0.975, 1.0, 12.70620474), (0.975, 2.0, 4.30265273), (0.975, 4.0, 2.776445105), (0.975, 5.0, 2.570581836),
        (0.975, 29.0, 2.045229642), (0.995, 10.0, 3.169272673), (0.9, 3.0, 1.637744354), (0.975, 1e6, 1.959966357),
    ])
    func studentQuantileMatchesTables(_ p: Double, _ df: Double, _ expected: Double) {
        let t = StudentT.quantile(p, degreesOfFreedom: df)
        #expect(abs(t - expected) / expected < 1e-8, "t(\(p), \(df)) = \(t), expected \(expected)")
        #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: df) + expected) / expected < 1e-8)
        #expect(abs(StudentT.cdf(expected, degreesOfFreedom: df) - p) < 1e-9)
    }

    @Test func meanIntervalOfKnownValues() throws {
        // mean 10, s = 1 (values 9, 10, 11), half-width t(0.975, 2) · 1 / √3.
        let interval = try #require(MeanInterval([9, 10, 11]))
        #expect(interval.mean == 10)
        #expect(abs(interval.halfWidth - 4.30265273 / 3.0.squareRoot()) < 1e-7)
        #expect(abs(interval.relativeHalfWidth - 4.30265273 / 3.0.squareRoot() / 10) < 1e-8)
        #expect(MeanInterval([5, 5])?.relativeHalfWidth == 0, "equal values: no width")
        #expect(MeanInterval([7]) == nil, "one value has no spread")
        #expect(MeanInterval([-1, 1])?.relativeHalfWidth == .infinity)
    }

    /// The t-interval's coverage, checked by simulation at the smallest n the runner decides on: normal
    /// samples of n = 2, 3, 5 (seeded, 5 000 each), the share of intervals holding the true mean within 1.5 points of 95 % (about five standard errors).
    @Test(arguments: [2, 3, 5])
    func meanIntervalCoversNinetyFivePercent(_ n: Int) {
        var generator = SplitMix64(seed: 42)
        func normal() -> Double {
            let u = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
            let v = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let trials = 5_000
        var covered = 0
        for _ in 0..<trials {
            let values = (0..<n).map { _ in 100 + 3 * normal() }
            if let interval = MeanInterval(values), abs(interval.mean - 100) <= interval.halfWidth { covered += 1 }
        }
        let coverage = Double(covered) / Double(trials)
        #expect(abs(coverage - 0.95) < 0.015, "n = \(n): coverage \(coverage)")
    }

    static let target = PrecisionTarget(metric: "rss_bytes_per_node", relativeHalfWidth: 0.02, maxRepetitions: 4)

    @Test func decisionFollowsTheRecordedTrials() {
        func state(_ repetitions: [Int], _ values: [Double?], planned: Int = 2) -> PrecisionState? {
            PrecisionState.evaluate(Self.target, plannedRepetitions: planned, repetitionsRun: repetitions, values: values)
        }
        #expect(state([1], [16]) == nil, "planned repetition 2 missing: undecided")
        #expect(state([1, 2], [16, 16]) == .reached(relativeHalfWidth: 0))
        #expect(state([1], [16], planned: 1) == .needsMore(repetition: 2), "one value has no interval")
        #expect(state([1, 2], [10, 20]) == .needsMore(repetition: 3))
        if case .cap(let width)? = state([1, 2, 3, 4], [10, 20, 10, 20]) {
            #expect(width.map { $0 > 0.02 } == true)
        } else {
            Issue.record("four repetitions of a cap of four must stop at the cap")
        }
        #expect(state([1, 2], [16, nil]) == .unmeasured, "an empty cell on a successful trial: no repetitions added")
        #expect(state([1, 2], []) == .unmeasured, "no successful trial")
        // Two zeros have no spread: they would "reach" any target at once; a mean at or below 0 has no relative width.
        #expect(state([1, 2], [0, 0]) == .notPositive(value: 0), "a metric that stays 0 is refused, not reached")
        #expect(state([1, 2], [16, -1]) == .notPositive(value: -1))
        #expect(state([1, 2], [0, 0])?.reached == false && state([1, 2], [0, 0])?.relativeHalfWidth == nil)
        #expect(state([1, 2], [16, 16])?.reached == true)
        #expect(state([1, 2, 3, 4], [10, 20, 10, 20])?.reached == false)
        #expect(state([1, 2], [10, 20])?.reached == nil)
    }

    /// `peak_rss_bytes` is the allocate phase's, like every other allocate figure; the trial's own peak (any
    /// later phase may go higher) is `trial_peak_rss_bytes`.
    @Test func peakRSSIsTheAllocatePhasesAndTheTrialsIsApart() {
        let shape = Shape(name: "p", fields: [Field(name: "x", type: .int64)])
        let trial = Trial(experiment: "e", shapeIndex: 0, shape: shape, layout: .finalClass, nodes: 10, allocator: .system, repetition: 1)
        let samples = [
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 0, elapsedNs: 0, rssBytes: 1000, vmHWMBytes: 1000)),
            PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 10, elapsedNs: 50, rssBytes: 2000, vmHWMBytes: 2000)),
            PhaseSample(phaseIndex: 1, sample: MemorySample(nodesAlive: 10, elapsedNs: 0, rssBytes: 2000, vmHWMBytes: 2000)),
            PhaseSample(phaseIndex: 1, sample: MemorySample(nodesAlive: 10, elapsedNs: 90, rssBytes: 2500, vmHWMBytes: 3000)),
        ]
        let metrics = TrialMetrics(result: TrialResult(trial: trial, status: .ok, phaseSamples: samples))
        #expect(metrics.peakRSSBytes == 2000)
        #expect(metrics.trialPeakRSSBytes == 3000)
        #expect(metrics.baselineRSSBytes == 1000)
    }
}
