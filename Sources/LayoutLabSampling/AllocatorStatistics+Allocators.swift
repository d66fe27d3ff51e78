import CLayoutLabShims
import LayoutLabProtocol

extension AllocatorStatistics {
    /// jemalloc's statistics as `mallctl` gives them.
    package init(jemalloc stats: ll_jemalloc_stats) {
        self.init(
            allocatedBytes: Int(exactly: stats.allocated), activeBytes: Int(exactly: stats.active),
            residentBytes: Int(exactly: stats.resident), metadataBytes: Int(exactly: stats.metadata),
            mappedBytes: Int(exactly: stats.mapped), retainedBytes: Int(exactly: stats.retained))
    }

    /// tcmalloc's properties; one it refused (reported as UINT64_MAX) stays nil. Metadata (page map, span
    /// objects, caches' bookkeeping) is `total_physical − heap_size + pageheap_unmapped`, the "Bytes in malloc
    /// metadata" line of `MallocExtension::GetStats`.
    package init(tcmalloc stats: ll_tcmalloc_stats) {
        func value(_ raw: UInt64) -> Int? { raw == UInt64.max ? nil : Int(exactly: raw) }
        let heap = value(stats.heap_size), free = value(stats.pageheap_free), unmapped = value(stats.pageheap_unmapped)
        var active: Int?
        if let heap, let free, let unmapped { active = heap - free - unmapped }
        var metadata: Int?
        if let heap, let unmapped, let physical = value(stats.total_physical) { metadata = physical - heap + unmapped }
        self.init(
            allocatedBytes: value(stats.current_allocated), activeBytes: active, metadataBytes: metadata, mappedBytes: heap,
            retainedBytes: unmapped)
    }

    /// mimalloc's `mi_process_info`: only its committed bytes (release builds keep no allocation counters). It sums
    /// per-thread counters, and after frees from other threads the sum can wrap below 0 (a size_t near 2⁶⁴, seen with
    /// 4 threads releasing a 64 MB array): that is no figure, so an empty cell, never a trap.
    package init(mimalloc info: ll_mimalloc_info) {
        self.init(mappedBytes: Int(exactly: info.current_commit))
    }

    /// glibc's `mallinfo2`: in-use chunk bytes (chunk headers included) plus mmapped chunks, and the bytes
    /// obtained from the system (arenas plus mmapped chunks). glibc has no active/resident/metadata/retained.
    package init(mallinfo info: ll_mallinfo) {
        self.init(
            allocatedBytes: Int(info.uordblks + info.hblkhd),
            mappedBytes: Int(info.arena + info.hblkhd))
    }
}
