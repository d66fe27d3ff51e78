import CLayoutLabShims
import LayoutLabProtocol

extension AllocatorStatisticsSource {
    /// Reads the statistics now, without allocating. Throws the allocator's error code on failure.
    package func read() throws(AllocatorStatisticsError) -> AllocatorStatistics {
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
            return AllocatorStatistics(mimalloc: info)
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
    package func purge() -> Bool {
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
    package func owns(_ pointer: UnsafeMutableRawPointer?) -> Bool? {
        let answer: Int32 = switch self {
        case .jemalloc: ll_jemalloc_owns(pointer)
        case .mimalloc: ll_mimalloc_owns(pointer)
        case .tcmalloc: ll_tcmalloc_owns(pointer)
        case .mallinfo2, .none: -1
        }
        return answer < 0 ? nil : answer == 1
    }

    /// The allocator's own version string, where it reports one.
    package func version() -> String? {
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
package struct AllocatorStatisticsError: Error, CustomStringConvertible {
    package let source: AllocatorStatisticsSource
    package let code: Int32
    package var description: String { "reading \(source.rawValue) statistics failed with error \(code)" }
}
