import Testing

@testable import LayoutLabModel
@testable import LayoutLabProtocol
@testable import LayoutLabSampling

/// `TrialDisturbance.judge` on constructed counters: each bound on each side, the tick slack that keeps short
/// phases from being marked by `/proc/stat`'s resolution, the floor on preemptions, and missing counters.
@Suite("Disturbed trials: the bounds")
struct DisturbanceTests {
    /// The documented bounds with a 10 ms tick (USER_HZ 100): steal 2 % (slack 10 ms), neighbours 0.5 CPU
    /// (slack 30 ms), 100 involuntary switches/s (at least 3).
    static let bounds = DisturbanceBounds.documented(tickNs: 10_000_000)
    static let second = 1_000_000_000
    static let millisecond = 1_000_000

    /// One allocate phase of `intervalNs` (its own time the same) with these counters.
    static func judge(
        intervalNs: Int = second, elapsedNs: Int? = nil, steal: Int? = 0, neighbour: Int? = 0, switches: Int? = 0
    ) -> TrialDisturbance {
        let counters = PhaseCounters(involuntarySwitches: switches, stealNs: steal, neighbourCPUNs: neighbour, intervalNs: intervalNs)
        return TrialDisturbance.judge(
            [TrialDisturbance.Phase(name: "allocate", elapsedNs: elapsedNs ?? intervalNs, counters: counters)], bounds: bounds)
    }

    @Test func aQuietPhaseIsClean() {
        #expect(Self.judge() == TrialDisturbance(disturbed: false, reason: nil))
    }

    @Test func stealOnEachSideOfItsBound() {
        // 2 % of one second is 20 ms, plus one tick of slack.
        #expect(Self.judge(steal: 29 * Self.millisecond).disturbed == false)
        let beyond = Self.judge(steal: 31 * Self.millisecond)
        #expect(beyond.disturbed == true)
        #expect(beyond.reason == "allocate: steal 3.1 % of the phase > 2.0 %")
    }

    @Test func neighboursOnEachSideOfTheirBound() {
        // Half a CPU over one second is 500 ms, plus three ticks of slack.
        #expect(Self.judge(neighbour: 529 * Self.millisecond).disturbed == false)
        let beyond = Self.judge(neighbour: 531 * Self.millisecond)
        #expect(beyond.disturbed == true)
        #expect(beyond.reason == "allocate: neighbours 0.53 CPUs > 0.5")
    }

    @Test func preemptionsOnEachSideOfTheirBound() {
        #expect(Self.judge(switches: 100).disturbed == false, "100/s is the bound itself")
        let beyond = Self.judge(switches: 101)
        #expect(beyond.disturbed == true)
        #expect(beyond.reason == "allocate: 101 involuntary switches/s > 100 (101 in 1000.0 ms)")
        // The rate is over the phase's own time, not its interval (sampling included).
        #expect(Self.judge(intervalNs: Self.second, elapsedNs: Self.second / 2, switches: 60).disturbed == true)
    }

    @Test func fewPreemptionsNeverMarkAShortPhase() {
        // Two in 10 ms are 200/s, but two preemptions say nothing of a rate.
        #expect(Self.judge(intervalNs: 10 * Self.millisecond, switches: 2).disturbed == false)
        #expect(Self.judge(intervalNs: 10 * Self.millisecond, switches: 3).disturbed == true)
    }

    @Test func ticksCannotMarkAFiveMillisecondPhase() {
        let short = 5 * Self.millisecond
        // One tick of steal is 200 % of a 5 ms phase; three ticks of busy time are six CPUs.
        #expect(Self.judge(intervalNs: short, steal: 10 * Self.millisecond).disturbed == false)
        #expect(Self.judge(intervalNs: short, neighbour: 30 * Self.millisecond).disturbed == false)
        // Tick resolution also gives negative neighbour time on short phases: not a disturbance either.
        #expect(Self.judge(intervalNs: short, neighbour: -4 * Self.millisecond).disturbed == false)
        // Beyond the slack, a short phase is judged like any other.
        #expect(Self.judge(intervalNs: short, steal: 20 * Self.millisecond).disturbed == true)
        #expect(Self.judge(intervalNs: short, neighbour: 33 * Self.millisecond).disturbed == true)
    }

    @Test func missingCountersAreNotMeasuredNeverClean() {
        let none = TrialDisturbance.judge(
            [TrialDisturbance.Phase(name: "allocate", elapsedNs: Self.second, counters: nil)], bounds: Self.bounds)
        #expect(none.disturbed == nil)
        #expect(none.reason == "not measured: allocate interval_ns, allocate involuntary_switches")
        let noSteal = Self.judge(steal: nil)
        #expect(noSteal.disturbed == nil)
        #expect(noSteal.reason == "not measured: allocate steal_ns")
        // An older worker sent no interval: its steal and neighbour time cannot be made shares.
        let counters = PhaseCounters(involuntarySwitches: 0, stealNs: 0, neighbourCPUNs: 0)
        let old = TrialDisturbance.judge([TrialDisturbance.Phase(name: "allocate", elapsedNs: Self.second, counters: counters)], bounds: Self.bounds)
        #expect(old.disturbed == nil)
        #expect(old.reason == "not measured: allocate interval_ns")
        // What was measured and beyond a bound still marks the trial.
        #expect(Self.judge(steal: nil, switches: 400).disturbed == true)
        #expect(TrialDisturbance.judge([], bounds: Self.bounds).disturbed == nil)
    }

    @Test func everyApplicablePhaseOfAResultCountsAndRepeatedKindsAreNumbered() {
        let shape = Shape(name: "s", fields: [Field(name: "x", type: .int64)])
        let trial = Trial(experiment: "e", shapeIndex: 0, shape: shape, layout: .finalClass, nodes: 10, allocator: .system, repetition: 1)
        let kinds: [PhaseSpec.Kind] = [.allocate, .freeAll, .allocateWarm, .freeAll, .purge]
        var result = TrialResult(
            trial: trial, status: .ok,
            phaseSamples: kinds.indices.map { PhaseSample(phaseIndex: $0, sample: MemorySample(nodesAlive: 10, elapsedNs: Self.second)) },
            outcomes: kinds.enumerated().map { PhaseOutcome(index: $0.offset, spec: PhaseSpec($0.element), checksum: 0, liveNodes: 0, applicable: $0.element != .purge) })
        for index in kinds.indices {
            result.phaseCounters[index] = PhaseCounters(involuntarySwitches: index == 3 ? 400 : 0, stealNs: 0, neighbourCPUNs: 0, intervalNs: Self.second)
        }
        let judged = TrialDisturbance.judge(result, bounds: Self.bounds)
        #expect(judged.disturbed == true)
        #expect(judged.reason == "free-all[3]: 400 involuntary switches/s > 100 (400 in 1000.0 ms)")
        // The purge phase cannot apply here and has no counters: not judged, so not "not measured" either.
        result.phaseCounters[3]?.involuntarySwitches = 0
        #expect(TrialDisturbance.judge(result, bounds: Self.bounds) == TrialDisturbance(disturbed: false, reason: nil))
        result.status = .crashed(signal: 11)
        #expect(TrialDisturbance.judge(result, bounds: Self.bounds) == TrialDisturbance(disturbed: nil, reason: nil))
    }
}

/// A pool's preemptions: summed over its threads, judged per thread; a pool that leaves no core to the sampling main
/// thread (threads ≥ cores) is not judged by them at all.
@Suite("Disturbance of threaded trials")
struct ThreadedDisturbanceTests {
    static let second = 1_000_000_000
    static let bounds = DisturbanceBounds.documented(tickNs: 10_000_000)

    static func phase(switches: Int, threads: Int?, oversubscribed: Bool = false) -> TrialDisturbance.Phase {
        TrialDisturbance.Phase(
            name: "allocate", elapsedNs: second,
            counters: PhaseCounters(involuntarySwitches: switches, stealNs: 0, neighbourCPUNs: 0, intervalNs: second),
            threads: threads, oversubscribed: oversubscribed)
    }

    @Test func switchesAreJudgedPerThread() {
        // 150 switches in a second: beyond 100/s for one thread, within it for two threads together.
        #expect(TrialDisturbance.judge([Self.phase(switches: 150, threads: nil)], bounds: Self.bounds).disturbed == true)
        #expect(TrialDisturbance.judge([Self.phase(switches: 150, threads: 1)], bounds: Self.bounds).disturbed == true)
        #expect(TrialDisturbance.judge([Self.phase(switches: 150, threads: 2)], bounds: Self.bounds).disturbed == false)
        let four = TrialDisturbance.judge([Self.phase(switches: 900, threads: 4)], bounds: Self.bounds)
        #expect(four.disturbed == true && four.reason?.contains("225 involuntary switches/s per thread") == true, "\(four)")
    }

    @Test func anOversubscribedPoolIsNotJudgedByItsSwitches() {
        let judged = TrialDisturbance.judge([Self.phase(switches: 90_000, threads: 4, oversubscribed: true)], bounds: Self.bounds)
        #expect(judged.disturbed == false && judged.reason == nil)
        var busy = Self.phase(switches: 90_000, threads: 4, oversubscribed: true)
        busy.counters?.neighbourCPUNs = Self.second
        #expect(TrialDisturbance.judge([busy], bounds: Self.bounds).disturbed == true, "other programs' CPU time still counts")
        let trial = Trial(
            experiment: "e", shapeIndex: 0, shape: Shape(name: "s", fields: [Field(name: "a", type: .int64)]), layout: .finalClass,
            nodes: 10, allocator: .system, repetition: 1, threads: 4)
        var result = TrialResult(
            trial: trial, status: .ok,
            phaseSamples: [PhaseSample(phaseIndex: 0, sample: MemorySample(nodesAlive: 10, elapsedNs: Self.second, rssBytes: 1, sampleNs: 1))],
            outcomes: [PhaseOutcome(index: 0, spec: PhaseSpec(.allocate), checksum: 0, liveNodes: 10, applicable: true)])
        result.phaseCounters[0] = PhaseCounters(involuntarySwitches: 90_000, stealNs: 0, neighbourCPUNs: 0, intervalNs: Self.second)
        #expect(TrialDisturbance.judge(result, bounds: Self.bounds, cores: 4).disturbed == false, "4 threads leave no core to the sampler")
        #expect(TrialDisturbance.judge(result, bounds: Self.bounds, cores: 5).disturbed == true)
    }
}
