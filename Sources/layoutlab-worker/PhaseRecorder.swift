#if canImport(Glibc)
import Glibc
#endif
import LayoutLabProtocol
import LayoutLabSampling

/// The generated code calls the checkpoint callback with this node count once the container is reserved.
let containerReadyMarker = GeneratedCodeABI.containerReady

/// Records the samples and cost counters of every phase into storage allocated before the first phase
/// starts. Called back by the generated layout code at each checkpoint; keeps the time spent sampling out of
/// `elapsedNs`, and out of the counters: a phase's stretches run from `begin` to its first checkpoint, then
/// between checkpoints, and end at its last checkpoint.
final class PhaseRecorder {
    private let sampler: MemorySampler
    private let counters: CostCounters
    private let phaseCounters: UnsafeMutableBufferPointer<PhaseCounters>
    private var stretchOpen = false
    private let smaps: SamplingSchedule
    private let allocatorSchedule: SamplingSchedule
    private let samplesPerPhase: Int
    /// Samples the current phase takes: its checkpoints (never more than its work items) plus the baseline.
    private var samplesThisPhase: Int
    private let samples: UnsafeMutableBufferPointer<MemorySample>
    private let phaseOfSample: UnsafeMutableBufferPointer<Int>
    private(set) var count = 0
    private var phase = 0
    private var countInPhase = 0
    private var workNs = 0
    private var resumedAt = 0
    private(set) var failure: SamplingError?
    private let fault: FaultInjection?

    /// Room for the baseline plus `checkpoints` samples in each of `phases` phases.
    init(
        sampler: MemorySampler, counters: CostCounters, smaps: SamplingSchedule, allocatorSchedule: SamplingSchedule,
        checkpoints: Int, phases: Int, fault: FaultInjection?
    ) {
        self.sampler = sampler
        self.counters = counters
        phaseCounters = .allocate(capacity: max(phases, 1))
        phaseCounters.initialize(repeating: PhaseCounters())
        self.smaps = smaps
        self.allocatorSchedule = allocatorSchedule
        self.fault = fault
        samplesPerPhase = checkpoints + 1
        samplesThisPhase = checkpoints + 1
        samples = .allocate(capacity: samplesPerPhase * phases)
        samples.initialize(repeating: MemorySample(nodesAlive: 0, elapsedNs: 0))
        phaseOfSample = .allocate(capacity: samplesPerPhase * phases)
        phaseOfSample.initialize(repeating: 0)
    }

    deinit {
        samples.deallocate()
        phaseOfSample.deallocate()
        phaseCounters.deallocate()
    }

    /// Starts phase `index`, which will call back at `checkpoints` points after its baseline, and its clock.
    func begin(phase index: Int, checkpoints: Int) {
        phase = index
        samplesThisPhase = min(checkpoints + 1, samplesPerPhase)
        countInPhase = 0
        workNs = 0
        counters.beginPhase()
        counters.resume()
        stretchOpen = true
        resumedAt = MonotonicClock.nowNanoseconds()
    }

    /// Ends the current phase once its entry point has returned, and keeps its counters.
    func end() {
        if stretchOpen {
            // A phase that stopped before its last checkpoint: the rest is not counted, as it is not timed.
            counters.pause(counted: false)
            stretchOpen = false
        }
        if phase < phaseCounters.count { phaseCounters[phase] = counters.endPhase(index: phase) }
    }

    /// Takes a sample; `last` marks a phase's final sample where the generated code does not call back
    /// `checkpoints` times (purge), so that boundary samplers still run.
    func checkpoint(nodesAlive: Int, last: Bool = false) {
        let enteredAt = MonotonicClock.nowNanoseconds()
        guard nodesAlive != containerReadyMarker else { return }
        if stretchOpen { counters.pause() }
        stretchOpen = false
        workNs += enteredAt - resumedAt
        if phase == 0, let fault, fault.checkpoint == countInPhase { fault.commit() }
        if countInPhase < samplesThisPhase, count < samples.count, failure == nil {
            record(nodesAlive: nodesAlive, elapsedNs: workNs, last: last)
        }
        // After the phase's last sample its work is over: what follows is not counted (nor timed).
        if !last, countInPhase < samplesThisPhase {
            counters.resume()
            stretchOpen = true
        }
        resumedAt = MonotonicClock.nowNanoseconds()
    }

    /// Starts phase `index` of a pool trial (threads), which takes `checkpoints` samples after its baseline through
    /// `samplePooled`; the cost counters are the pool threads' own, stored by `endPooled`.
    func beginPooled(phase index: Int, checkpoints: Int) {
        phase = index
        samplesThisPhase = min(checkpoints + 1, samplesPerPhase)
        countInPhase = 0
    }

    /// A sample of a pool phase, taken by the sampling thread while the pool works: `nodesAlive` is the global
    /// live count it read, `elapsedNs` the phase's wall time so far (the pool never stops for sampling).
    func samplePooled(nodesAlive: Int, elapsedNs: Int) {
        if phase == 0, let fault, fault.checkpoint == countInPhase { fault.commit() }
        guard countInPhase < samplesThisPhase, count < samples.count, failure == nil else { return }
        record(nodesAlive: nodesAlive, elapsedNs: elapsedNs, last: countInPhase == samplesThisPhase - 1)
    }

    /// Takes and stores the current phase's next sample (smaps and allocator statistics on their schedules, and at
    /// its `last`); a failed read is kept in `failure` and ends the sampling.
    private func record(nodesAlive: Int, elapsedNs: Int, last: Bool) {
        do throws(SamplingError) {
            samples[count] = try sampler.take(
                nodesAlive: nodesAlive, elapsedNs: elapsedNs,
                includeSmaps: smaps != .off && (last || smaps.includes(checkpoint: countInPhase, of: samplesThisPhase)),
                includeAllocator: allocatorSchedule != .off
                    && (phase == 0 || last || allocatorSchedule.includes(checkpoint: countInPhase, of: samplesThisPhase)))
            phaseOfSample[count] = phase
            count += 1
            countInPhase += 1
        } catch {
            failure = error
        }
    }

    /// Lowers the elapsed time of phase `index`'s samples to at most `elapsedNs` (called after the phase).
    func clampElapsed(ofPhase index: Int, toAtMost elapsedNs: Int) {
        for sample in 0..<count where phaseOfSample[sample] == index && samples[sample].elapsedNs > elapsedNs {
            samples[sample].elapsedNs = elapsedNs
        }
    }

    /// Ends a pool phase with the counters summed over its threads.
    func endPooled(counters: PhaseCounters) {
        if phase < phaseCounters.count { phaseCounters[phase] = counters }
    }

    /// Runs phase `index` as a `purge`: a sample before and after asking the allocator to return free memory, with
    /// `live` nodes alive throughout (the classic and the pooled trial both run it on the main thread).
    func purge(phase index: Int, spec: PhaseSpec, live: Int, allocator: AllocatorStatisticsSource) -> PhaseOutcome {
        begin(phase: index, checkpoints: 1)
        checkpoint(nodesAlive: live)
        let purged = allocator.purge()
        checkpoint(nodesAlive: live, last: true)
        end()
        return PhaseOutcome(index: index, spec: spec, checksum: 0, liveNodes: live, applicable: purged)
    }

    /// Runs phase `index` as an `idle`: sleeps `seconds` with `checkpoints` samples spread evenly over the time
    /// (`clock_nanosleep` to absolute deadlines, so sampling does not stretch the schedule), `live` nodes alive
    /// throughout. Its elapsed time is the time slept so far.
    func idle(phase index: Int, spec: PhaseSpec, live: Int, checkpoints: Int) -> PhaseOutcome {
        let count = max(1, checkpoints)
        begin(phase: index, checkpoints: count)
        checkpoint(nodesAlive: live)
        let start = MonotonicClock.nowNanoseconds()
        let totalNs = Int(spec.seconds * 1e9)
        for k in 1...count {
            let deadline = start + totalNs * k / count
            var until = timespec(tv_sec: deadline / 1_000_000_000, tv_nsec: deadline % 1_000_000_000)
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nil) == EINTR {}
            checkpoint(nodesAlive: live, last: k == count)
        }
        end()
        return PhaseOutcome(index: index, spec: spec, checksum: 0, liveNodes: live, applicable: true)
    }

    /// The live node count of the last sample taken.
    var lastNodesAlive: Int { count > 0 ? samples[count - 1].nodesAlive : 0 }

    /// The counters of phase `index`, once it has ended.
    func counters(ofPhase index: Int) -> PhaseCounters { index < phaseCounters.count ? phaseCounters[index] : PhaseCounters() }

    /// The samples taken, in order, each with its phase index.
    var recorded: [(phase: Int, sample: MemorySample)] { (0..<count).map { (phaseOfSample[$0], samples[$0]) } }
}

/// Counts what the Swift runtime allocates for the container and for the nodes while the probe builds
/// its nodes; it runs after the measured phase, since the counting hook slows every allocation. The node
/// allocations are split by metadata (`nodeMetadata`: the layout's node class, nil for value layouts) into the
/// nodes' own objects and their out-of-line storage, and counted by requested size in a table allocated here,
/// before counting starts.
final class ProbeRecorder {
    private let nodeMetadata: UnsafeRawPointer?
    private let table = AllocationSizeTable()
    private var containerTotals: SwiftAllocationTotals?
    private var nodeTotals: SwiftAllocationTotals?
    private(set) var counterAvailable = true
    private var counting = false

    init(nodeMetadata: UnsafeRawPointer?) { self.nodeMetadata = nodeMetadata }

    func checkpoint(nodesAlive: Int) {
        if nodesAlive == 0, !counting {
            counting = SwiftAllocationCounter.start()
            counterAvailable = counting
        } else if nodesAlive == containerReadyMarker, counting {
            containerTotals = SwiftAllocationCounter.stop()
            counting = SwiftAllocationCounter.start(nodeMetadata: nodeMetadata, table: table)
        } else if counting {
            nodeTotals = SwiftAllocationCounter.stop()
            counting = false
        }
    }

    /// The probe's totals, or nil where the runtime has no allocation hook.
    func probe(nodes: Int) -> AllocationProbe? {
        guard counterAvailable, let containerTotals, let nodeTotals else { return nil }
        return AllocationProbe(
            probeNodes: nodes, containerAllocations: containerTotals.allocations,
            containerRequestedBytes: containerTotals.requestedBytes, containerUsableBytes: containerTotals.usableBytes,
            nodeAllocations: nodeTotals.allocations, nodeRequestedBytes: nodeTotals.requestedBytes,
            nodeUsableBytes: nodeTotals.usableBytes, nodeObjectAllocations: nodeTotals.objectAllocations,
            nodeObjectRequestedBytes: nodeTotals.objectRequestedBytes, nodeObjectUsableBytes: nodeTotals.objectUsableBytes,
            unbinnedAllocations: nodeTotals.unbinnedAllocations, sizes: table.sizes)
    }
}
