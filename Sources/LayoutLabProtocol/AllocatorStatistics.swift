/// The allocator's own view of the heap in bytes, mapped onto the lab's common `allocator_*` columns.
/// A figure the allocator does not have is nil (an empty CSV cell), never 0.
///
/// | column    | jemalloc (`mallctl`) | glibc (`mallinfo2`) | mimalloc (`mi_process_info`) | tcmalloc (numeric properties) |
/// |-----------|----------------------|---------------------|------------------------------|-------------------------------|
/// | allocated | `stats.allocated`    | `uordblks + hblkhd` | —                            | `generic.current_allocated_bytes` |
/// | active    | `stats.active`       | —                   | —                            | `heap_size − pageheap_free − pageheap_unmapped` |
/// | resident  | `stats.resident`     | —                   | —                            | —                             |
/// | metadata  | `stats.metadata`     | —                   | —                            | `total_physical_bytes − heap_size + pageheap_unmapped` |
/// | mapped    | `stats.mapped`       | `arena + hblkhd`    | `current_commit`             | `generic.heap_size`           |
/// | retained  | `stats.retained`     | —                   | —                            | `tcmalloc.pageheap_unmapped_bytes` |
package struct AllocatorStatistics: Equatable, Sendable {
    package var allocatedBytes: Int?
    package var activeBytes: Int?
    package var residentBytes: Int?
    package var metadataBytes: Int?
    package var mappedBytes: Int?
    package var retainedBytes: Int?

    package init(
        allocatedBytes: Int? = nil, activeBytes: Int? = nil, residentBytes: Int? = nil,
        metadataBytes: Int? = nil, mappedBytes: Int? = nil, retainedBytes: Int? = nil
    ) {
        self.allocatedBytes = allocatedBytes
        self.activeBytes = activeBytes
        self.residentBytes = residentBytes
        self.metadataBytes = metadataBytes
        self.mappedBytes = mappedBytes
        self.retainedBytes = retainedBytes
    }
}

/// Where the allocator statistics of a sample come from.
package enum AllocatorStatisticsSource: String, Sendable, CaseIterable {
    /// jemalloc's `mallctl`, after an `epoch` write.
    case jemalloc
    /// glibc's `mallinfo2`.
    case mallinfo2
    /// mimalloc's `mi_process_info` (its commit; its "rss" is an estimate on Linux and is not used).
    case mimalloc
    /// gperftools tcmalloc's `MallocExtension_GetNumericProperty`.
    case tcmalloc
    /// The allocator offers nothing the lab can read: every `allocator_*` cell stays empty.
    case none
}
