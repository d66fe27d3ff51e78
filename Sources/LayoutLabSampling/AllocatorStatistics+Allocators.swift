import CLayoutLabShims
import LayoutLabProtocol

extension AllocatorStatistics {
    /// jemalloc's statistics as `mallctl` gives them.
    package init(jemalloc stats: ll_jemalloc_stats) {
        self.init(
            allocatedBytes: Int(stats.allocated), activeBytes: Int(stats.active),
            residentBytes: Int(stats.resident), metadataBytes: Int(stats.metadata),
            mappedBytes: Int(stats.mapped), retainedBytes: Int(stats.retained))
    }

    /// tcmalloc's properties; one it refused (reported as UINT64_MAX) stays nil. Metadata (page map, span
    /// objects, caches' bookkeeping) is `total_physical − heap_size + pageheap_unmapped`, the "Bytes in malloc
    /// metadata" line of `MallocExtension::GetStats`.
    package init(tcmalloc stats: ll_tcmalloc_stats) {
        func value(_ raw: UInt64) -> Int? { raw == UInt64.max ? nil : Int(raw) }
        let heap = value(stats.heap_size), free = value(stats.pageheap_free), unmapped = value(stats.pageheap_unmapped)
        var active: Int?
        if let heap, let free, let unmapped { active = heap - free - unmapped }
        var metadata: Int?
        if let heap, let unmapped, let physical = value(stats.total_physical) { metadata = physical - heap + unmapped }
        self.init(
            allocatedBytes: value(stats.current_allocated), activeBytes: active, metadataBytes: metadata, mappedBytes: heap,
            retainedBytes: unmapped)
    }

    /// glibc's `mallinfo2`: in-use chunk bytes (chunk headers included) plus mmapped chunks, and the bytes
    /// obtained from the system (arenas plus mmapped chunks). glibc has no active/resident/metadata/retained.
    package init(mallinfo info: ll_mallinfo) {
        self.init(
            allocatedBytes: Int(info.uordblks + info.hblkhd),
            mappedBytes: Int(info.arena + info.hblkhd))
    }
}
