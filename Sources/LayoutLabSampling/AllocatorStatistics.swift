import CLayoutLabShims

/// The allocator's own view of the heap in bytes, mapped onto the lab's common `allocator_*` columns.
/// A figure the allocator does not have is nil (an empty CSV cell), never 0.
///
/// | column      | jemalloc (`mallctl`) | glibc (`mallinfo2`)        |
/// |-------------|----------------------|----------------------------|
/// | allocated   | `stats.allocated`    | `uordblks + hblkhd`        |
/// | active      | `stats.active`       | —                          |
/// | resident    | `stats.resident`     | —                          |
/// | metadata    | `stats.metadata`     | —                          |
/// | mapped      | `stats.mapped`       | `arena + hblkhd`           |
/// | retained    | `stats.retained`     | —                          |
public struct AllocatorStatistics: Equatable, Sendable {
    public var allocatedBytes: Int?
    public var activeBytes: Int?
    public var residentBytes: Int?
    public var metadataBytes: Int?
    public var mappedBytes: Int?
    public var retainedBytes: Int?

    public init(
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

    /// jemalloc's statistics as `mallctl` gives them.
    public init(jemalloc stats: ll_jemalloc_stats) {
        self.init(
            allocatedBytes: Int(stats.allocated), activeBytes: Int(stats.active),
            residentBytes: Int(stats.resident), metadataBytes: Int(stats.metadata),
            mappedBytes: Int(stats.mapped), retainedBytes: Int(stats.retained))
    }

    /// glibc's `mallinfo2`: in-use chunk bytes (chunk headers included) plus mmapped chunks, and the bytes
    /// obtained from the system (arenas plus mmapped chunks). glibc has no active/resident/metadata/retained.
    public init(mallinfo info: ll_mallinfo) {
        self.init(
            allocatedBytes: Int(info.uordblks + info.hblkhd),
            mappedBytes: Int(info.arena + info.hblkhd))
    }
}

/// Where the allocator statistics of a sample come from.
public enum AllocatorStatisticsSource: String, Sendable, CaseIterable {
    /// jemalloc's `mallctl`, after an `epoch` write.
    case jemalloc
    /// glibc's `mallinfo2`.
    case mallinfo2
    /// The allocator offers nothing the lab can read: every `allocator_*` cell stays empty.
    case none

    /// Reads the statistics now, without allocating. Throws the allocator's error code on failure.
    public func read() throws(AllocatorStatisticsError) -> AllocatorStatistics {
        switch self {
        case .jemalloc:
            var stats = ll_jemalloc_stats()
            let result = ll_jemalloc_read(&stats)
            guard result == 0 else { throw AllocatorStatisticsError(source: self, code: result) }
            return AllocatorStatistics(jemalloc: stats)
        case .mallinfo2:
            var info = ll_mallinfo()
            let result = ll_mallinfo2(&info)
            guard result == 0 else { throw AllocatorStatisticsError(source: self, code: result) }
            return AllocatorStatistics(mallinfo: info)
        case .none:
            return AllocatorStatistics()
        }
    }
}

/// The allocator's statistics interface failed; `code` is its errno-style result (ENOSYS: not loaded).
public struct AllocatorStatisticsError: Error, CustomStringConvertible {
    public let source: AllocatorStatisticsSource
    public let code: Int32
    public var description: String { "reading \(source.rawValue) statistics failed with error \(code)" }
}
