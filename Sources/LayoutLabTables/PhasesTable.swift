import LayoutLabModel
import LayoutLabProtocol

/// `phases.csv`: one row per trial and phase.
///
/// - `applicable`: `true` or `false` (like every flag the lab writes); a phase that cannot apply has empty
///   `nodes_processed` and `ns_per_node` cells and a `note`.
/// - `ns_per_event`: a trace replay's `replay` phase (its only one): its own time (sampling excluded) ÷ the trace's
///   events; empty for node phases.
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
/// - `rss_returned_bytes`: RSS at the phase's start − RSS at its end, for free-all, remote-free, purge and idle.
/// - `rss_half_returned_ns`: `idle` phases: the time from the phase's start until RSS had fallen by half of all it fell
///   during the phase (empty when it did not fall).
/// - `cpu_ns` … `dtlb_misses`: the phase's `PhaseCounters` (the stretches `elapsed_ns` covers; `steal_ns` and
///   `neighbour_cpu_ns` machine-wide over the whole phase); `instructions_source` says where `instructions` came from;
///   `interval_ns` is the wall time of the whole phase, sampling included (what `steal_ns` and `neighbour_cpu_ns` cover).
/// - `threads` … `allocator_thread_cache_bytes`: phases run on a pool of threads (`"threads"`): the thread count,
///   the slowest and the fastest thread's own wall time ÷ its own nodes, and the allocator's arenas (jemalloc
///   `arenas.narenas`; glibc: the heaps `malloc_info` lists, since `mallinfo2` sums every arena), the arenas holding
///   memory, and the bytes in thread caches (tcmalloc, jemalloc). `cpu_ns` and the fault and switch counts are then
///   the sums over the pool's threads (the main thread's reserve before and release after the pool's work are in the
///   wall time, not in them); `ns_per_node` is the whole phase's wall time ÷ its nodes (the main thread's
///   sampling runs beside the work and is not subtracted).
/// - `children` … `python_gc_freeze`: `fork` phases. `rss_bytes_start`/`rss_bytes_end` are the parent's RSS before
///   forking and after the last child exited; `child_private_dirty_bytes` is the median over the children of the
///   growth of their `Private_Dirty` during the work (÷ the nodes alive at the fork in `child_private_dirty_bytes_per_node`);
///   `child_shared_bytes_per_node` and `child_pss_bytes_per_node` are medians of `Shared_Clean + Shared_Dirty` and
///   `Pss` after the work ÷ nodes, read while every child is alive; `child_ns_per_node` the median work time ÷
///   nodes. `ns_per_node` is empty for fork rows (the parent only forks and waits).
/// - `checksum`: a traversal's wrapping 64-bit sum of every field it read, written as `0x` and 16 hex digits so
///   that no CSV reader turns it into a float (pandas reads the column as text: `int(cell, 16)`).
package enum PhasesTable {
    package static let schema = CSVSchema<PhaseRow>([
        CSVColumn("trial_id", \.trialID, .text),
        CSVColumn("phase_index", \.phaseIndex, .integer),
        CSVColumn("phase", \.phase, .text),
        CSVColumn("order", \.order, .rawValue),
        CSVColumn("seed", \.seed, .unsigned),
        CSVColumn("applicable", \.applicable, .flag),
        CSVColumn("elapsed_ns", \.elapsedNs, .integer),
        CSVColumn("nodes_processed", \.nodesProcessed, .integer),
        CSVColumn("ns_per_node", \.nsPerNode, .thousandths),
        CSVColumn("rss_bytes_start", \.rssBytesStart, .integer),
        CSVColumn("rss_bytes_end", \.rssBytesEnd, .integer),
        CSVColumn("live_nodes_end", \.liveNodesEnd, .integer),
        CSVColumn("live_bytes_end", \.liveBytesEnd, .thousandths),
        CSVColumn("fragmentation_ratio", \.fragmentationRatio, .thousandths),
        CSVColumn("rss_returned_bytes", \.rssReturnedBytes, .integer),
        CSVColumn("allocator_allocated_bytes_end", \.allocatorAllocatedBytesEnd, .integer),
        CSVColumn("allocator_active_bytes_end", \.allocatorActiveBytesEnd, .integer),
        CSVColumn("allocator_mapped_bytes_end", \.allocatorMappedBytesEnd, .integer),
        CSVColumn("allocator_retained_bytes_end", \.allocatorRetainedBytesEnd, .integer),
        CSVColumn("checksum", \.checksum, .hex64),
        CSVColumn("note", \.note, .text),
        CSVColumn("cpu_ns", \.counters.cpuNs, .integer),
        CSVColumn("minor_faults", \.counters.minorFaults, .integer),
        CSVColumn("major_faults", \.counters.majorFaults, .integer),
        CSVColumn("voluntary_switches", \.counters.voluntarySwitches, .integer),
        CSVColumn("involuntary_switches", \.counters.involuntarySwitches, .integer),
        CSVColumn("steal_ns", \.counters.stealNs, .integer),
        CSVColumn("neighbour_cpu_ns", \.counters.neighbourCPUNs, .integer),
        CSVColumn("instructions", \.counters.instructions, .integer),
        CSVColumn("cycles", \.counters.cycles, .integer),
        CSVColumn("cache_misses", \.counters.cacheMisses, .integer),
        CSVColumn("dtlb_misses", \.counters.dtlbMisses, .integer),
        CSVColumn("instructions_source", \.instructionsSource, .rawValue),
        CSVColumn("interval_ns", \.counters.intervalNs, .integer),
        CSVColumn("threads", \.threads, .integer),
        CSVColumn("slowest_thread_ns_per_node", \.slowestThreadNsPerNode, .thousandths),
        CSVColumn("fastest_thread_ns_per_node", \.fastestThreadNsPerNode, .thousandths),
        CSVColumn("allocator_arenas", \.allocatorArenas, .integer),
        CSVColumn("allocator_arenas_used", \.allocatorArenasUsed, .integer),
        CSVColumn("allocator_thread_cache_bytes", \.allocatorThreadCacheBytes, .integer),
        CSVColumn("children", \.children, .integer),
        CSVColumn("children_reported", \.childrenReported, .integer),
        CSVColumn("child_private_dirty_bytes", \.childPrivateDirtyBytes, .thousandths),
        CSVColumn("child_private_dirty_bytes_per_node", \.childPrivateDirtyBytesPerNode, .thousandths),
        CSVColumn("child_shared_bytes_per_node", \.childSharedBytesPerNode, .thousandths),
        CSVColumn("child_pss_bytes_per_node", \.childPssBytesPerNode, .thousandths),
        CSVColumn("child_ns_per_node", \.childNsPerNode, .thousandths),
        CSVColumn("python_gc_freeze", \.pythonGCFreeze, .flag),
        CSVColumn("rss_half_returned_ns", \.rssHalfReturnedNs, .integer),
        CSVColumn("ns_per_event", \.nsPerEvent, .thousandths),
    ])

    package static let header = schema.header

    /// A trial's rows as cells (see `PhaseRow.rows`).
    package static func rows(_ result: TrialResult, metrics: TrialMetrics, seed: UInt64) -> [[String?]] {
        PhaseRow.rows(of: result, metrics: metrics, seed: seed).map(schema.cells)
    }

    /// Reads cells in header order.
    package static func row(_ cells: [String]) -> PhaseRow { schema.row(cells, into: PhaseRow.blank) }

    /// `0x` and 16 hex digits of the checksum's 64 bits: text to every CSV reader, exact with `int(cell, 16)`.
    package static func checksumCell(_ checksum: Int) -> String {
        let digits = String(UInt64(bitPattern: Int64(checksum)), radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

}
