import CLayoutLabShims

/// The allocator's own view of the heap in bytes, mapped onto the lab's common `allocator_*` columns.
/// A figure the allocator does not have is nil (an empty CSV cell), never 0.
///
/// | column    | jemalloc (`mallctl`) | glibc (`mallinfo2`) | mimalloc (`mi_process_info`) | tcmalloc (numeric properties) |
/// |-----------|----------------------|---------------------|------------------------------|-------------------------------|
/// | allocated | `stats.allocated`    | `uordblks + hblkhd` | —                            | `generic.current_allocated_bytes` |
/// | active    | `stats.active`       | —                   | —                            | `heap_size − pageheap_free − pageheap_unmapped` |
/// | resident  | `stats.resident`     | —                   | —                            | —                             |
/// | metadata  | `stats.metadata`     | —                   | —                            | —                             |
/// | mapped    | `stats.mapped`       | `arena + hblkhd`    | `current_commit`             | `generic.heap_size`           |
/// | retained  | `stats.retained`     | —                   | —                            | `tcmalloc.pageheap_unmapped_bytes` |
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

    /// tcmalloc's properties; one it refused (reported as UINT64_MAX) stays nil.
    public init(tcmalloc stats: ll_tcmalloc_stats) {
        func value(_ raw: UInt64) -> Int? { raw == UInt64.max ? nil : Int(raw) }
        let heap = value(stats.heap_size), free = value(stats.pageheap_free), unmapped = value(stats.pageheap_unmapped)
        var active: Int?
        if let heap, let free, let unmapped { active = heap - free - unmapped }
        self.init(
            allocatedBytes: value(stats.current_allocated), activeBytes: active, mappedBytes: heap, retainedBytes: unmapped)
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
    /// mimalloc's `mi_process_info` (its commit; its "rss" is an estimate on Linux and is not used).
    case mimalloc
    /// gperftools tcmalloc's `MallocExtension_GetNumericProperty`.
    case tcmalloc
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
        case .mimalloc:
            var info = ll_mimalloc_info()
            let result = ll_mimalloc_read(&info)
            guard result == 0 else { throw AllocatorStatisticsError(source: self, code: result) }
            return AllocatorStatistics(mappedBytes: Int(info.current_commit))
        case .tcmalloc:
            var stats = ll_tcmalloc_stats()
            let result = ll_tcmalloc_read(&stats)
            guard result == 0 else { throw AllocatorStatisticsError(source: self, code: result) }
            return AllocatorStatistics(tcmalloc: stats)
        case .none:
            return AllocatorStatistics()
        }
    }

    /// Asks the allocator to return free memory to the system; false where it offers no way to.
    public func purge() -> Bool {
        let code: Int32 = switch self {
        case .jemalloc: 1
        case .mallinfo2: 2
        case .mimalloc: 3
        case .tcmalloc: 4
        case .none: 0
        }
        return ll_purge(code) == 0
    }

    /// Whether the allocator claims a pointer as its own: nil where it has no way to say.
    public func owns(_ pointer: UnsafeMutableRawPointer?) -> Bool? {
        let answer: Int32 = switch self {
        case .jemalloc: ll_jemalloc_owns(pointer)
        case .mimalloc: ll_mimalloc_owns(pointer)
        case .tcmalloc: ll_tcmalloc_owns(pointer)
        case .mallinfo2, .none: -1
        }
        return answer < 0 ? nil : answer == 1
    }

    /// The allocator's own version string, where it reports one.
    public func version() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        switch self {
        case .jemalloc:
            return ll_jemalloc_version(&buffer, buffer.count) == 0 ? String(nulTerminated: buffer) : nil
        case .tcmalloc:
            return ll_tcmalloc_version(&buffer, buffer.count) == 0 ? String(nulTerminated: buffer) : nil
        case .mimalloc:
            let version = ll_mimalloc_version()
            return version < 0 ? nil : "\(version / 100).\(version / 10 % 10).\(version % 10)"
        case .mallinfo2:
            return String(validatingCString: ll_glibc_version())
        case .none:
            return nil
        }
    }
}

/// The allocator's statistics interface failed; `code` is its errno-style result (ENOSYS: not loaded).
public struct AllocatorStatisticsError: Error, CustomStringConvertible {
    public let source: AllocatorStatisticsSource
    public let code: Int32
    public var description: String { "reading \(source.rawValue) statistics failed with error \(code)" }
}
