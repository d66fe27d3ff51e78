/// What a phase run on a pool of threads reports besides its samples and counters: how long the slowest and the
/// fastest thread took over its own part, and the allocator's own view of its threads at the phase's end.
/// Nil where not measured or where the allocator has no such figure: never a made-up 0.
package struct ThreadPhaseFigures: Equatable, Sendable {
    /// Threads that did the phase's work.
    package var threads: Int
    /// Wall time (`CLOCK_MONOTONIC`) from the thread's own start (its exit from the start barrier) to its last work
    /// item, of the slowest and the fastest thread, in ns.
    package var slowestThreadNs: Int?
    package var fastestThreadNs: Int?
    /// Work items of the slowest and the fastest thread (the parts are equal within one item).
    package var slowestThreadItems: Int?
    package var fastestThreadItems: Int?
    /// Arenas the allocator has at the phase's end: jemalloc `arenas.narenas`; glibc: the heaps `malloc_info`
    /// lists (the main arena and one per thread arena); nil for allocators without arenas.
    package var arenas: Int?
    /// Arenas that hold memory at the phase's end (jemalloc: arenas with threads bound or bytes allocated;
    /// glibc: heaps with a non-zero size in `malloc_info`).
    package var arenasUsed: Int?
    /// Bytes cached in the threads' caches at the phase's end: tcmalloc
    /// `tcmalloc.current_total_thread_cache_bytes`, jemalloc `stats.arenas.<all>.tcache_bytes`.
    package var threadCacheBytes: Int?

    package init(
        threads: Int, slowestThreadNs: Int? = nil, fastestThreadNs: Int? = nil, slowestThreadItems: Int? = nil,
        fastestThreadItems: Int? = nil, arenas: Int? = nil, arenasUsed: Int? = nil, threadCacheBytes: Int? = nil
    ) {
        self.threads = threads
        self.slowestThreadNs = slowestThreadNs
        self.fastestThreadNs = fastestThreadNs
        self.slowestThreadItems = slowestThreadItems
        self.fastestThreadItems = fastestThreadItems
        self.arenas = arenas
        self.arenasUsed = arenasUsed
        self.threadCacheBytes = threadCacheBytes
    }

    /// The fields in the order the worker protocol carries them (after `threads`).
    package var fields: [Int?] {
        [slowestThreadNs, fastestThreadNs, slowestThreadItems, fastestThreadItems, arenas, arenasUsed, threadCacheBytes]
    }

    /// Rebuilds figures from `threads` and `fields`; nil unless there are exactly 7 fields.
    package init?(threads: Int, fields: [Int?]) {
        guard fields.count == 7 else { return nil }
        self.init(
            threads: threads, slowestThreadNs: fields[0], fastestThreadNs: fields[1], slowestThreadItems: fields[2],
            fastestThreadItems: fields[3], arenas: fields[4], arenasUsed: fields[5], threadCacheBytes: fields[6])
    }
}
