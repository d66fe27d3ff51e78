import LayoutLabProtocol

/// One row of `phases.csv`: what one phase of one trial did and cost (the columns are described in
/// `PhasesTable`). A figure that cannot apply or was not measured is nil.
public struct PhaseRow: Equatable, Sendable {
    public var trialID: String
    public var phaseIndex: Int
    /// The phase's kind (`PhaseSpec.Kind` raw value).
    public var phase: String
    /// Traverse and mutate only.
    package var order: PhaseSpec.Order?
    /// The permutation's seed, for phases that need one.
    public var seed: UInt64?
    public var applicable: Bool
    public var elapsedNs: Int?
    public var nodesProcessed: Int?
    public var nsPerNode: Double?
    public var rssBytesStart: Int?
    public var rssBytesEnd: Int?
    public var liveNodesEnd: Int?
    public var liveBytesEnd: Double?
    public var fragmentationRatio: Double?
    public var rssReturnedBytes: Int?
    public var allocatorAllocatedBytesEnd: Int?
    public var allocatorActiveBytesEnd: Int?
    public var allocatorMappedBytesEnd: Int?
    public var allocatorRetainedBytesEnd: Int?
    /// A traversal's wrapping 64-bit sum of the fields it read.
    public var checksum: Int?
    public var note: String?
    /// The phase's counters; every field nil where the worker sent none.
    package var counters = PhaseCounters()
    /// Where `counters.instructions` came from; nil without an instruction count.
    package var instructionsSource: InstructionSource?
    /// Threads that did the phase's work (nil: the classic one-thread trial).
    public var threads: Int?
    /// The slowest and the fastest thread's own wall time ÷ its own work items, in ns.
    public var slowestThreadNsPerNode: Double?
    public var fastestThreadNsPerNode: Double?
    /// The allocator's threads at the phase's end (`ThreadPhaseFigures`).
    public var allocatorArenas: Int?
    public var allocatorArenasUsed: Int?
    public var allocatorThreadCacheBytes: Int?
    /// `fork`: children forked, and how many reported.
    public var children: Int?
    public var childrenReported: Int?
    /// `fork`: medians over the children: the growth of Private_Dirty during the work (bytes, and ÷ nodes), the
    /// shared and proportional bytes after it ÷ nodes, and the work's wall time ÷ nodes (ns).
    public var childPrivateDirtyBytes: Double?
    public var childPrivateDirtyBytesPerNode: Double?
    public var childSharedBytesPerNode: Double?
    public var childPssBytesPerNode: Double?
    public var childNsPerNode: Double?
    /// A trace replay's one phase (`phase` is `replay`): its own time (sampling excluded) ÷ the trace's events, in ns.
    public var nsPerEvent: Double?
    /// `idle`: the time from the phase's start until its RSS had fallen by half of all it fell during the phase, in
    /// ns; nil when it did not fall.
    public var rssHalfReturnedNs: Int?
    /// `fork` in a Python worker: whether `gc.freeze()` was called before forking.
    public var pythonGCFreeze: Bool?

    public init(trialID: String, phaseIndex: Int, phase: String, applicable: Bool = true) {
        self.trialID = trialID
        self.phaseIndex = phaseIndex
        self.phase = phase
        self.applicable = applicable
    }

    /// What a reader fills in: every figure nil.
    package static let blank = PhaseRow(trialID: "", phaseIndex: 0, phase: "")

    /// The phase's kind, if this version knows it.
    package var kind: PhaseSpec.Kind? { PhaseSpec.Kind(rawValue: phase) }

    /// A trial's phases; `metrics` are the trial's (`requested_bytes_per_node` gives the live bytes, the allocate
    /// phase's RSS per node the fragmentation), `seed` the experiment's.
    public static func rows(of result: TrialResult, metrics: TrialMetrics, seed: UInt64) -> [PhaseRow] {
        let trial = result.trial
        let baseline = result.phaseSamples.first?.sample.rssBytes
        return result.outcomes.map { outcome in
            let samples = result.phaseSamples.filter { $0.phaseIndex == outcome.index }.map(\.sample)
            let first = samples.first, last = samples.last
            let kind = outcome.spec.kind
            let processed = outcome.spec.nodesProcessed(of: trial.nodes)
            var row = PhaseRow(trialID: trial.id, phaseIndex: outcome.index, phase: kind.rawValue, applicable: outcome.applicable)
            row.order = kind == .traverse || kind == .mutate ? outcome.spec.order : nil
            row.seed = outcome.spec.needsPermutation ? seed : nil
            row.elapsedNs = last?.elapsedNs
            row.nodesProcessed = outcome.applicable ? processed : nil
            row.nsPerNode = outcome.applicable && processed > 0 ? last.map { Double($0.elapsedNs) / Double(processed) } : nil
            if trial.trace != nil {
                // A trace replay has one phase, which replays the trace (the worker's phase 0); its nodes are events.
                row.phase = "replay"
                row.nsPerEvent = row.nsPerNode
            }
            if trial.program != nil {
                // A program has one phase, its run (the worker's phase 0): no nodes, its time is the program's wall time.
                row.phase = "run"
                row.nodesProcessed = nil
                row.nsPerNode = nil
            }
            row.rssBytesStart = first?.rssBytes
            row.rssBytesEnd = last?.rssBytes
            // A program has no nodes: its live nodes are not measured (never 0).
            row.liveNodesEnd = trial.program == nil ? outcome.liveNodes : nil
            row.liveBytesEnd = metrics.requestedBytesPerNode.map { Double(outcome.liveNodes) * $0 }
            row.fragmentationRatio = PhaseRow.fragmentationRatio(
                rssAboveBaselineBytes: last?.rssBytes.flatMap { end in baseline.map { end - $0 } }, liveNodes: outcome.liveNodes,
                allocateRSSBytesPerNode: metrics.rssBytesPerNode)
            if kind == .freeAll || kind == .remoteFree || kind == .purge || kind == .idle, let start = first?.rssBytes, let end = last?.rssBytes {
                row.rssReturnedBytes = start - end
            }
            if kind == .idle { row.rssHalfReturnedNs = PhaseRow.halfReturnedNs(samples) }
            row.allocatorAllocatedBytesEnd = last?.allocator.allocatedBytes
            row.allocatorActiveBytesEnd = last?.allocator.activeBytes
            row.allocatorMappedBytesEnd = last?.allocator.mappedBytes
            row.allocatorRetainedBytesEnd = last?.allocator.retainedBytes
            row.checksum = kind == .traverse ? outcome.checksum : nil
            row.note = PhaseRow.note(outcome, trial: trial)
            if let counters = result.phaseCounters[outcome.index] {
                row.counters = counters
                row.instructionsSource = counters.instructions == nil ? nil : result.instructionsSource
            }
            if let figures = result.threadFigures[outcome.index] { row.apply(figures) }
            if kind == .fork {
                // The parent's own time covers forking and waiting: the children's time is the phase's figure.
                row.nsPerNode = nil
                row.children = outcome.spec.children
                row.pythonGCFreeze = trial.layout.isPython ? result.pythonGCFreeze : nil
                // Per node alive at the fork (after a free-half, half of them), as the children's work covers.
                row.apply(children: result.forkChildren[outcome.index] ?? [], nodes: outcome.liveNodes, work: outcome.spec.work)
            }
            return row
        }
    }
}

extension PhaseRow {
    /// Fills the per-thread and allocator-thread columns.
    mutating func apply(_ figures: ThreadPhaseFigures) {
        threads = figures.threads
        func perItem(_ ns: Int?, _ items: Int?) -> Double? {
            guard let ns, let items, items > 0 else { return nil }
            return Double(ns) / Double(items)
        }
        slowestThreadNsPerNode = perItem(figures.slowestThreadNs, figures.slowestThreadItems)
        fastestThreadNsPerNode = perItem(figures.fastestThreadNs, figures.fastestThreadItems)
        allocatorArenas = figures.arenas
        allocatorArenasUsed = figures.arenasUsed
        allocatorThreadCacheBytes = figures.threadCacheBytes
    }

    /// Fills the fork columns from the children's reports: medians over the children that reported each figure.
    mutating func apply(children reports: [ForkChildReport], nodes: Int, work: PhaseSpec.ForkWork) {
        childrenReported = reports.count
        let perNode = { (value: Double?) in value.map { $0 / Double(max(nodes, 1)) } }
        childPrivateDirtyBytes = PhaseRow.median(reports.compactMap(\.privateDirtyGrowthBytes))
        childPrivateDirtyBytesPerNode = perNode(childPrivateDirtyBytes)
        childSharedBytesPerNode = perNode(PhaseRow.median(reports.compactMap(\.sharedBytesAfter)))
        childPssBytesPerNode = perNode(PhaseRow.median(reports.compactMap(\.pssBytesAfter)))
        childNsPerNode = work == .none ? nil : perNode(PhaseRow.median(reports.compactMap(\.workNs)))
    }

    /// When RSS had fallen by half of all it fell over `samples` (the first sample's elapsed time at or below
    /// first − fall ÷ 2), in ns; nil when it never fell below the first sample.
    static func halfReturnedNs(_ samples: [MemorySample]) -> Int? {
        guard let start = samples.first?.rssBytes, let lowest = samples.compactMap(\.rssBytes).min(), lowest < start else { return nil }
        let target = start - (start - lowest) / 2
        return samples.first { ($0.rssBytes ?? Int.max) <= target }?.elapsedNs
    }

    /// The median of `values` (the mean of the middle two for an even count); nil for none.
    static func median(_ values: [Int]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }

    /// RSS above the trial's baseline per live node, ÷ what a node cost right after allocate; nil where a
    /// figure is missing or no node is alive.
    public static func fragmentationRatio(rssAboveBaselineBytes: Int?, liveNodes: Int, allocateRSSBytesPerNode: Double?) -> Double? {
        guard let rss = rssAboveBaselineBytes, liveNodes > 0, let perNode = allocateRSSBytesPerNode, perNode > 0 else { return nil }
        return Double(rss) / (Double(liveNodes) * perNode)
    }

    /// Says what a phase meant for this layout where it is not the obvious.
    package static func note(_ outcome: PhaseOutcome, trial: Trial) -> String? {
        switch (outcome.spec.kind, trial.layout.isHeapObject) {
        case (.freeHalf, false), (.reallocate, false):
            "value layout: single nodes cannot be freed; the arrays hold all memory until free-all"
        case (.churn, false): "value layout: a replaced node is overwritten in place; nothing is allocated"
        case (.mutate, _) where trial.layout.isPython && !outcome.applicable:
            "a tuple cannot be written"
        case (.churn, _) where trial.layout.isPython && !outcome.applicable:
            "Python: a replaced node that another refers to outlives its slot, and its end cannot be counted"
        case (.mutate, _) where outcome.applicable && trial.shape.fields.contains(where: { $0.type == .reference }):
            "references are not rewritten"
        case (.purge, _) where !outcome.applicable: "this allocator offers no purge entry point"
        case (.remoteFree, false): "value layout: the arrays are single allocations the main thread made; one pool thread releases them (no per-node free)"
        case (.remoteFree, true) where trial.threads == 1: "one thread: every node is freed by the thread that built it"
        default: nil
        }
    }
}
