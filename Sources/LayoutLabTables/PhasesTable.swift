import LayoutLabModel
import LayoutLabProtocol

/// `phases.csv`: one row per trial and phase.
///
/// - `applicable`: `true` or `false` (like every flag the lab writes); a phase that cannot apply has empty
///   `nodes_processed` and `ns_per_node` cells and a `note`.
/// - `ns_per_node`: the phase's own time (sampling excluded) ÷ the nodes it processed (traverse, mutate,
///   free-all, purge: all N; free-half, reallocate: N/2; churn: rounds × fraction × N); empty where the phase
///   cannot apply.
/// - `live_nodes_end`, `live_bytes_end`: nodes alive at the end (counted by the nodes' deinitialisers for heap
///   layouts), times the bytes requested per node (`requested_bytes_per_node`); value layouts hold their
///   arrays whole until free-all, so their live bytes stay the array bytes.
/// - `fragmentation_ratio`: (RSS at the end − RSS at the trial's baseline) ÷ (live nodes at the end ×
///   `rss_bytes_per_node` of allocate): the RSS held per live node against what a node cost when freshly
///   allocated. 1 right after allocate by construction; 2 after free-half when nothing was given back; above 1
///   is memory kept for nodes that are gone. Empty without live nodes or an allocate RSS figure.
/// - `rss_returned_bytes`: RSS at the phase's start − RSS at its end, for free-all and purge.
/// - `cpu_ns` … `dtlb_misses`: the phase's `PhaseCounters` (the stretches `elapsed_ns` covers; `steal_ns` and
///   `neighbour_cpu_ns` machine-wide over the whole phase); `instructions_source` says where `instructions` came from;
///   `interval_ns` is the wall time of the whole phase, sampling included (what `steal_ns` and `neighbour_cpu_ns` cover).
/// - `checksum`: a traversal's wrapping 64-bit sum of every field it read, written as `0x` and 16 hex digits so
///   that no CSV reader turns it into a float (pandas reads the column as text: `int(cell, 16)`).
public enum PhasesTable {
    public static let header = [
        "trial_id", "phase_index", "phase", "order", "seed", "applicable", "elapsed_ns", "nodes_processed",
        "ns_per_node", "rss_bytes_start", "rss_bytes_end", "live_nodes_end", "live_bytes_end", "fragmentation_ratio",
        "rss_returned_bytes", "allocator_allocated_bytes_end", "allocator_active_bytes_end",
        "allocator_mapped_bytes_end", "allocator_retained_bytes_end", "checksum", "note", "cpu_ns", "minor_faults",
        "major_faults", "voluntary_switches", "involuntary_switches", "steal_ns", "neighbour_cpu_ns", "instructions",
        "cycles", "cache_misses", "dtlb_misses", "instructions_source", "interval_ns",
    ]

    public static func rows(_ result: TrialResult, seed: UInt64) -> [[String?]] {
        let trial = result.trial
        let baseline = result.phaseSamples.first?.sample.rssBytes
        let metrics = TrialMetrics(result: result)
        let requestedPerNode = metrics.requestedBytesPerNode
        return result.outcomes.map { outcome in
            let samples = result.phaseSamples.filter { $0.phaseIndex == outcome.index }.map(\.sample)
            let first = samples.first, last = samples.last
            let processed = outcome.spec.nodesProcessed(of: trial.nodes)
            let nsPerNode = outcome.applicable && processed > 0 ? last.map { Double($0.elapsedNs) / Double(processed) } : nil
            let liveBytes = requestedPerNode.map { Double(outcome.liveNodes) * $0 }
            let fragmentation = fragmentationRatio(
                rssAboveBaselineBytes: last?.rssBytes.flatMap { end in baseline.map { end - $0 } }, liveNodes: outcome.liveNodes,
                allocateRSSBytesPerNode: metrics.rssBytesPerNode)
            var returned: Int?
            if outcome.spec.kind == .freeAll || outcome.spec.kind == .purge, let start = first?.rssBytes, let end = last?.rssBytes {
                returned = start - end
            }
            let random = outcome.spec.needsPermutation
            return [
                trial.id, String(outcome.index), outcome.spec.kind.rawValue,
                outcome.spec.kind == .traverse || outcome.spec.kind == .mutate ? outcome.spec.order.rawValue : nil,
                random ? String(seed) : nil, String(outcome.applicable), last.map { String($0.elapsedNs) },
                outcome.applicable ? String(processed) : nil, CSVNumber.cell(nsPerNode), CSVNumber.cell(first?.rssBytes), CSVNumber.cell(last?.rssBytes),
                String(outcome.liveNodes), CSVNumber.cell(liveBytes), CSVNumber.cell(fragmentation), CSVNumber.cell(returned),
                CSVNumber.cell(last?.allocator.allocatedBytes), CSVNumber.cell(last?.allocator.activeBytes),
                CSVNumber.cell(last?.allocator.mappedBytes), CSVNumber.cell(last?.allocator.retainedBytes),
                outcome.spec.kind == .traverse ? checksumCell(outcome.checksum) : nil, note(outcome, trial: trial),
            ] + counterCells(result.phaseCounters[outcome.index], source: result.instructionsSource)
        }
    }

    /// The counters' cells in header order (`cpu_ns` … `dtlb_misses`, `instructions_source`, `interval_ns`); all
    /// empty where the worker sent none (an older worker, a failure).
    static func counterCells(_ counters: PhaseCounters?, source: InstructionSource?) -> [String?] {
        guard let counters else { return Array(repeating: nil, count: PhaseCounters().fields.count + 1) }
        let events: [Int?] = [
            counters.cpuNs, counters.minorFaults, counters.majorFaults, counters.voluntarySwitches,
            counters.involuntarySwitches, counters.stealNs, counters.neighbourCPUNs, counters.instructions,
            counters.cycles, counters.cacheMisses, counters.dtlbMisses,
        ]
        return events.map { CSVNumber.cell($0) } + [counters.instructions == nil ? nil : source?.rawValue, CSVNumber.cell(counters.intervalNs)]
    }

    /// `0x` and 16 hex digits of the checksum's 64 bits: text to every CSV reader, exact with `int(cell, 16)`.
    public static func checksumCell(_ checksum: Int) -> String {
        let digits = String(UInt64(bitPattern: Int64(checksum)), radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// RSS above the trial's baseline per live node, ÷ what a node cost right after allocate; nil where a
    /// figure is missing or no node is alive.
    public static func fragmentationRatio(rssAboveBaselineBytes: Int?, liveNodes: Int, allocateRSSBytesPerNode: Double?) -> Double? {
        guard let rss = rssAboveBaselineBytes, liveNodes > 0, let perNode = allocateRSSBytesPerNode, perNode > 0 else { return nil }
        return Double(rss) / (Double(liveNodes) * perNode)
    }

    /// Says what a phase meant for this layout where it is not the obvious.
    static func note(_ outcome: PhaseOutcome, trial: Trial) -> String? {
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
        default: nil
        }
    }
}
