// The few things LayoutLab's Swift code cannot reach by itself: allocator entry points that exist only
// when a given allocator is loaded (found once with dlsym, never linked), malloc_usable_size and mallinfo2
// of whichever allocator serves malloc, and the Swift runtime's allocation hook. Every symbol is prefixed
// `ll_`; no function prints; absent entry points give ENOSYS.
#ifndef LAYOUTLAB_SHIMS_H
#define LAYOUTLAB_SHIMS_H

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>

/// Writes the path of the shared object whose `malloc` this process calls. 0, or ENOENT.
int ll_malloc_provider(char *path, size_t capacity);

/// Writes the path of the C library itself (whatever serves malloc). 0, or ENOENT.
int ll_c_library_path(char *path, size_t capacity);

/// glibc's version string (`gnu_get_libc_version`).
const char *ll_glibc_version(void);

/// Asks the kernel to SIGKILL this process when its parent dies (`prctl(PR_SET_PDEATHSIG)`), so that a
/// worker never outlives a killed runner and disturbs the next run. `expected_parent` is the runner's pid: if
/// the parent is already another process (the runner died before the request), the worker kills itself.
/// 0, or an errno.
int ll_die_with_parent(int expected_parent);

/// `malloc_usable_size` of the allocator that serves malloc, in bytes.
size_t ll_malloc_usable_size(void *pointer);

/// jemalloc's statistics in bytes, read through `mallctl` after an `epoch` refresh.
typedef struct {
    uint64_t allocated;
    uint64_t active;
    uint64_t resident;
    uint64_t metadata;
    uint64_t mapped;
    uint64_t retained;
} ll_jemalloc_stats;

/// Finds `mallctl` with dlsym and translates the statistic names to MIBs, once. 0, ENOSYS when jemalloc
/// is not loaded, or the error `mallctlnametomib` returned.
int ll_jemalloc_open(void);
/// Refreshes `epoch` and reads the six statistics by MIB, without allocating. 0 or an errno.
int ll_jemalloc_read(ll_jemalloc_stats *out);
/// jemalloc's `thread.allocated`: bytes this thread has allocated so far. 0, or an errno.
int ll_jemalloc_thread_allocated(uint64_t *out);
/// 1 if jemalloc's `arenas.lookup` knows the allocation, 0 if not, -ENOSYS without jemalloc.
int ll_jemalloc_owns(void *pointer);
/// jemalloc's `version` string. 0, or an errno.
int ll_jemalloc_version(char *buffer, size_t capacity);

/// mimalloc's `mi_process_info`, in bytes. On Linux mimalloc's own "rss" is an estimate (its commit), so the
/// lab takes only the commit figures from it.
typedef struct {
    uint64_t current_commit;
    uint64_t peak_commit;
} ll_mimalloc_info;

/// `mi_process_info`, found with dlsym. 0, or ENOSYS without mimalloc.
int ll_mimalloc_read(ll_mimalloc_info *out);
/// 1 if `mi_is_in_heap_region` claims the pointer, 0 if not, -ENOSYS without mimalloc.
int ll_mimalloc_owns(void *pointer);
/// `mi_version()` (e.g. 209 for 2.0.9), or -ENOSYS.
int ll_mimalloc_version(void);

/// gperftools tcmalloc's numeric properties, in bytes; a property tcmalloc refused is UINT64_MAX.
typedef struct {
    uint64_t current_allocated;   // generic.current_allocated_bytes
    uint64_t heap_size;           // generic.heap_size
    uint64_t pageheap_free;       // tcmalloc.pageheap_free_bytes
    uint64_t pageheap_unmapped;   // tcmalloc.pageheap_unmapped_bytes
} ll_tcmalloc_stats;

/// `MallocExtension_GetNumericProperty` for the four properties. 0, or ENOSYS without tcmalloc.
int ll_tcmalloc_read(ll_tcmalloc_stats *out);
/// 1 if `MallocExtension_GetOwnership` says tcmalloc owns the pointer, 0 if not, -ENOSYS without tcmalloc.
int ll_tcmalloc_owns(void *pointer);
/// `tc_version` string. 0, or an errno.
int ll_tcmalloc_version(char *buffer, size_t capacity);

/// Asks the allocator to return free memory to the system: jemalloc `arena.<all>.purge`, glibc
/// `malloc_trim(0)`, mimalloc `mi_collect(true)`, tcmalloc `MallocExtension_ReleaseFreeMemory`.
/// `allocator`: 1 jemalloc, 2 glibc, 3 mimalloc, 4 tcmalloc. 0, or ENOSYS when the entry point is absent.
int ll_purge(int allocator);

/// glibc's `mallinfo2` fields, in bytes (counts for `ordblks`, `smblks`, `hblks`).
typedef struct {
    uint64_t arena;
    uint64_t ordblks;
    uint64_t smblks;
    uint64_t hblks;
    uint64_t hblkhd;
    uint64_t usmblks;
    uint64_t fsmblks;
    uint64_t uordblks;
    uint64_t fordblks;
    uint64_t keepcost;
} ll_mallinfo;

/// glibc's `mallinfo2`, found with dlsym. 0, or ENOSYS when the C library has none.
int ll_mallinfo2(ll_mallinfo *out);

/// What the Swift runtime asked the allocator for while the counter was on.
typedef struct {
    uint64_t allocations;
    uint64_t requested_bytes;  // the `requiredSize` passed to swift_allocObject
    uint64_t usable_bytes;     // malloc_usable_size of each object returned
} ll_allocation_totals;

/// Routes swift_allocObject through a counting hook (the runtime's instrumentation entry point) and
/// resets the totals. 0, or ENOSYS when the runtime has no such hook. Costs time: never on while timing.
int ll_swift_allocation_counter_start(void);
/// Restores the runtime's own allocation path and writes the totals since start.
void ll_swift_allocation_counter_stop(ll_allocation_totals *out);

/// glibc's posix_spawn file actions that its header declares only under _GNU_SOURCE, which Swift's Glibc
/// module does not see: close every descriptor from `lowest` up in the child, and change its directory.
/// 0, or an errno.
int ll_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);
int ll_spawn_change_directory(posix_spawn_file_actions_t *actions, const char *path);
/// pipe2(O_CLOEXEC), also _GNU_SOURCE only: both ends closed on exec from the start. 0, or an errno.
int ll_pipe_close_on_exec(int ends[2]);

#endif
