import LayoutLabSampling

/// The generated code calls the checkpoint callback with this node count once the container is reserved.
let containerReadyMarker = -1

/// Records the samples of one phase into storage allocated before the phase starts. Called back by the
/// generated layout code at each checkpoint; keeps the time spent sampling out of `elapsedNs`.
final class PhaseRecorder {
    private let sampler: MemorySampler
    private let smaps: SmapsPolicy
    private let samples: UnsafeMutableBufferPointer<MemorySample>
    private(set) var count = 0
    private var workNs = 0
    private var resumedAt = 0
    private(set) var failure: SamplingError?
    private let fault: FaultInjection?

    /// Room for the baseline plus `checkpoints` samples.
    init(sampler: MemorySampler, smaps: SmapsPolicy, checkpoints: Int, fault: FaultInjection?) {
        self.sampler = sampler
        self.smaps = smaps
        self.fault = fault
        samples = .allocate(capacity: checkpoints + 1)
        samples.initialize(repeating: MemorySample(nodesAlive: 0, elapsedNs: 0))
    }

    deinit { samples.deallocate() }

    /// Starts the phase clock; the first checkpoint call (0 nodes) is the baseline.
    func start() {
        workNs = 0
        resumedAt = MonotonicClock.nowNanoseconds()
    }

    func checkpoint(nodesAlive: Int) {
        let enteredAt = MonotonicClock.nowNanoseconds()
        guard nodesAlive != containerReadyMarker else { return }
        workNs += enteredAt - resumedAt
        if let fault, fault.checkpoint == count { fault.commit() }
        if count < samples.count, failure == nil {
            do throws(SamplingError) {
                samples[count] = try sampler.take(
                    nodesAlive: nodesAlive, elapsedNs: workNs,
                    includeSmaps: smaps.includes(checkpoint: count, of: samples.count))
                count += 1
            } catch {
                failure = error
            }
        }
        resumedAt = MonotonicClock.nowNanoseconds()
    }

    /// The samples taken, in order.
    var recorded: UnsafeBufferPointer<MemorySample> { UnsafeBufferPointer(rebasing: samples[..<count]) }
}

/// Counts what the Swift runtime allocates for the container and for the nodes while the probe builds
/// its nodes; it runs after the measured phase, since the counting hook slows every allocation.
final class ProbeRecorder {
    private var containerTotals: SwiftAllocationTotals?
    private var nodeTotals: SwiftAllocationTotals?
    private(set) var counterAvailable = true
    private var counting = false

    func checkpoint(nodesAlive: Int) {
        if nodesAlive == 0, !counting {
            counting = SwiftAllocationCounter.start()
            counterAvailable = counting
        } else if nodesAlive == containerReadyMarker, counting {
            containerTotals = SwiftAllocationCounter.stop()
            counting = SwiftAllocationCounter.start()
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
            nodeUsableBytes: nodeTotals.usableBytes)
    }
}
