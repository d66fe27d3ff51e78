import CLayoutLabShims
import LayoutLabProtocol

/// Each allocator's figures onto the common columns. The mapping itself is C (`ll_allocator_statistics.h`, drawn
/// as a table in `AllocatorStatistics`), shared with the allocator agent, so that the worker's samples and the
/// agent's reports cannot disagree; here its figures only become optionals.
extension AllocatorStatistics {
    /// jemalloc's statistics as `mallctl` gives them.
    package init(jemalloc stats: ll_jemalloc_stats) {
        var stats = stats
        self.init(figures: ll_figures_from_jemalloc(&stats))
    }

    /// tcmalloc's properties; one it refused (reported as UINT64_MAX) stays nil. Metadata (page map, span
    /// objects, caches' bookkeeping) is `total_physical − heap_size + pageheap_unmapped`, the "Bytes in malloc
    /// metadata" line of `MallocExtension::GetStats`.
    package init(tcmalloc stats: ll_tcmalloc_stats) {
        var stats = stats
        self.init(figures: ll_figures_from_tcmalloc(&stats))
    }

    /// mimalloc's `mi_process_info`: only its committed bytes (release builds keep no allocation counters). It sums
    /// per-thread counters, and after frees from other threads the sum can wrap below 0 (a size_t near 2⁶⁴, seen with
    /// 4 threads releasing a 64 MB array): that is no figure, so an empty cell, never a trap.
    package init(mimalloc info: ll_mimalloc_info) {
        var info = info
        self.init(figures: ll_figures_from_mimalloc(&info))
    }

    /// glibc's `mallinfo2`: in-use chunk bytes (chunk headers included) plus mmapped chunks, and the bytes
    /// obtained from the system (arenas plus mmapped chunks). glibc has no active/resident/metadata/retained.
    package init(mallinfo info: ll_mallinfo) {
        var info = info
        self.init(figures: ll_figures_from_mallinfo(&info))
    }

    /// The C mapping's figures: one absent from `present` is nil. Read in place, without allocating (the worker
    /// takes samples between checkpoints that must allocate nothing).
    package init(figures: ll_allocator_figures) {
        func figure(_ index: Int) -> Int? {
            guard figures.present & (1 << UInt32(index)) != 0 else { return nil }
            return withUnsafeBytes(of: figures.bytes) { Int($0.load(fromByteOffset: index * MemoryLayout<Int64>.stride, as: Int64.self)) }
        }
        self.init(
            allocatedBytes: figure(LL_FIGURE_ALLOCATED), activeBytes: figure(LL_FIGURE_ACTIVE),
            residentBytes: figure(LL_FIGURE_RESIDENT), metadataBytes: figure(LL_FIGURE_METADATA),
            mappedBytes: figure(LL_FIGURE_MAPPED), retainedBytes: figure(LL_FIGURE_RETAINED))
    }
}
