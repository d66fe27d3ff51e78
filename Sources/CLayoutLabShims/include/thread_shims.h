#ifndef LAYOUTLAB_THREAD_SHIMS_H
#define LAYOUTLAB_THREAD_SHIMS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stddef.h>

// What the worker's thread pool needs from C: atomic loads and stores on plain `long` slots (each pool thread's
// progress lives in its own cache line), and the allocators' per-thread figures, read at a phase's end by the
// sampling thread after the join. Entry points are found with dlsym once; absent ones report ENOSYS.

/// Stores `value` into `slot` with release order.
static inline void ll_atomic_store(long *slot, long value) { atomic_store_explicit((_Atomic long *)slot, value, memory_order_release); }
/// Loads `slot` with acquire order.
static inline long ll_atomic_load(const long *slot) { return atomic_load_explicit((_Atomic long *)slot, memory_order_acquire); }
/// A full (sequentially consistent) fence: a pool thread's store of its progress must be visible before it loads
/// the others' (two threads publishing their last items at once would otherwise each miss the other's: the
/// store-buffer pattern, which x86 allows, and no one would post the crossing).
static inline void ll_atomic_full_fence(void) { atomic_thread_fence(memory_order_seq_cst); }
/// Replaces `expected` by `desired` in `slot` if it holds `expected`; 1 if it did.
static inline int ll_atomic_compare_exchange(long *slot, long expected, long desired) {
    return atomic_compare_exchange_strong_explicit((_Atomic long *)slot, &expected, desired, memory_order_acq_rel, memory_order_acquire) ? 1 : 0;
}

/// jemalloc: `arenas.narenas`; arenas in use (initialized, with threads bound or active pages:
/// `stats.arenas.<i>.nthreads` > 0 or `stats.arenas.<i>.pactive` > 0, after an `epoch` refresh); and
/// `stats.arenas.<MALLCTL_ARENAS_ALL>.tcache_bytes` (UINT64_MAX where this jemalloc has no such statistic).
/// 0, or an errno (ENOSYS without jemalloc).
int ll_jemalloc_thread_figures(uint64_t *arenas, uint64_t *arenas_used, uint64_t *tcache_bytes);

/// gperftools tcmalloc: `tcmalloc.current_total_thread_cache_bytes`. 0, or ENOSYS without tcmalloc, ENOENT
/// when it refuses the property.
int ll_tcmalloc_thread_cache_bytes(uint64_t *out);

/// glibc: opens a FILE over `buffer` (`fmemopen`, once, before any phase) that `ll_glibc_heaps` writes
/// `malloc_info` into. 0, or an errno (ENOSYS without malloc_info).
int ll_glibc_heaps_open(char *buffer, size_t capacity);

/// glibc: `malloc_info(0, …)` into the buffer, then the `<heap nr=` elements counted (`heaps`) and those whose
/// `<system type="current" size=` is non-zero (`heaps_used`). 0, or an errno (ENOSPC when the XML did not fit).
int ll_glibc_heaps(uint64_t *heaps, uint64_t *heaps_used);

#endif
