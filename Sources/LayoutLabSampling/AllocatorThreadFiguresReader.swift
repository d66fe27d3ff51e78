import CLayoutLabShims
import LayoutLabProtocol

/// Reads what the allocator says about its threads at a phase's end (after the pool's join, on the sampling
/// thread): jemalloc `arenas.narenas`, the arenas in use and `stats.arenas.<all>.tcache_bytes`; tcmalloc
/// `tcmalloc.current_total_thread_cache_bytes`; glibc the heaps `malloc_info` lists, written into a buffer
/// allocated here, before any phase; mimalloc has no such figures (nil). A figure that cannot be read is nil.
package final class AllocatorThreadFiguresReader {
    private let source: AllocatorStatisticsSource
    private let buffer: UnsafeMutablePointer<CChar>?
    private var glibcOpen = false
    /// Room for `malloc_info`'s XML: about 2 KiB per heap; 1 MiB holds hundreds of arenas.
    package static let glibcBufferBytes = 1 << 20

    package init(source: AllocatorStatisticsSource) {
        self.source = source
        if source == .mallinfo2 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.glibcBufferBytes)
            buffer.initialize(repeating: 0, count: Self.glibcBufferBytes)
            self.buffer = buffer
            glibcOpen = ll_glibc_heaps_open(buffer, Self.glibcBufferBytes) == 0
        } else {
            buffer = nil
        }
    }

    deinit { buffer?.deallocate() }

    /// The allocator's figures now, into `figures` (arenas, arenasUsed, threadCacheBytes).
    package func read(into figures: inout ThreadPhaseFigures) {
        switch source {
        case .jemalloc:
            var arenas: UInt64 = 0, used: UInt64 = 0, cached: UInt64 = 0
            guard ll_jemalloc_thread_figures(&arenas, &used, &cached) == 0 else { return }
            figures.arenas = Int(arenas)
            figures.arenasUsed = Int(used)
            figures.threadCacheBytes = cached == UInt64.max ? nil : Int(cached)
        case .tcmalloc:
            var cached: UInt64 = 0
            if ll_tcmalloc_thread_cache_bytes(&cached) == 0 { figures.threadCacheBytes = Int(cached) }
        case .mallinfo2:
            var heaps: UInt64 = 0, used: UInt64 = 0
            guard glibcOpen, ll_glibc_heaps(&heaps, &used) == 0 else { return }
            figures.arenas = Int(heaps)
            figures.arenasUsed = Int(used)
        case .mimalloc, .none:
            return
        }
    }
}
