// The few things LayoutLab's Swift code cannot reach by itself: allocator entry points that exist only
// when a given allocator is loaded (found once with dlsym, never linked), malloc_usable_size and mallinfo2
// of whichever allocator serves malloc, and the Swift runtime's allocation hook (allocation_counter.c); and
// the per-phase cost counters (thread rusage, perf_event_open, callgrind's client requests: cost_counters.c).
// Every symbol is prefixed `ll_`; no function prints; absent entry points give ENOSYS.
#ifndef LAYOUTLAB_SHIMS_H
#define LAYOUTLAB_SHIMS_H

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>

// The statistics types (what each allocator's interface gives, and the common figures) are the allocator agent's
// too: one description, in LayoutLabRunner's Agent folder so that the lab can ship it to compile the agent.
#include "../../LayoutLabRunner/Agent/ll_allocator_statistics.h"

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

/// `memalign` of the allocator that serves malloc (declared in <malloc.h> only, which Swift's Glibc does not bring),
/// for the trace replay.
void *ll_memalign(size_t alignment, size_t size);

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

/// `mi_process_info`, found with dlsym. 0, or ENOSYS without mimalloc.
int ll_mimalloc_read(ll_mimalloc_info *out);
/// 1 if `mi_is_in_heap_region` claims the pointer, 0 if not, -ENOSYS without mimalloc.
int ll_mimalloc_owns(void *pointer);
/// `mi_version()` (e.g. 209 for 2.0.9), or -ENOSYS.
int ll_mimalloc_version(void);

/// `MallocExtension_GetNumericProperty` for the five properties. 0, or ENOSYS without tcmalloc.
int ll_tcmalloc_read(ll_tcmalloc_stats *out);
/// 1 if `MallocExtension_GetOwnership` says tcmalloc owns the pointer, 0 if not, -ENOSYS without tcmalloc.
int ll_tcmalloc_owns(void *pointer);
/// `tc_version` string. 0, or an errno.
int ll_tcmalloc_version(char *buffer, size_t capacity);

/// Asks the allocator to return free memory to the system: jemalloc `arena.<all>.purge`, glibc
/// `malloc_trim(0)`, mimalloc `mi_collect(true)`, tcmalloc `MallocExtension_ReleaseFreeMemory`.
/// `allocator`: 1 jemalloc, 2 glibc, 3 mimalloc, 4 tcmalloc. 0, or ENOSYS when the entry point is absent.
int ll_purge(int allocator);

/// glibc's `mallinfo2`, found with dlsym. 0, or ENOSYS when the C library has none.
int ll_mallinfo2(ll_mallinfo *out);

/// Each allocator's figures mapped onto the lab's common columns (ll_allocator_statistics.h says how): the
/// mapping the worker's samples and the allocator agent's reports share.
ll_allocator_figures ll_figures_from_jemalloc(const ll_jemalloc_stats *stats);
ll_allocator_figures ll_figures_from_mallinfo(const ll_mallinfo *info);
ll_allocator_figures ll_figures_from_mimalloc(const ll_mimalloc_info *info);
ll_allocator_figures ll_figures_from_tcmalloc(const ll_tcmalloc_stats *stats);

/// What the Swift runtime asked the allocator for while the counter was on, in allocations and bytes:
/// `requested` is the `requiredSize` passed to swift_allocObject, `usable` the malloc_usable_size of each object
/// returned. `object_*`: the allocations whose metadata was the node metadata given to start (the node's own
/// object); the rest are out-of-line (string, array, dictionary storage). `distinct_sizes`: the size table's
/// bins in use; `unbinned_allocations`: allocations of a new size met once the table was full (in the totals,
/// in no bin).
typedef struct {
    uint64_t allocations;
    uint64_t requested_bytes;
    uint64_t usable_bytes;
    uint64_t object_allocations;
    uint64_t object_requested_bytes;
    uint64_t object_usable_bytes;
    uint64_t distinct_sizes;
    uint64_t unbinned_allocations;
} ll_allocation_totals;

/// One bin of the size table: the allocations of one requested size, and the sum of their usable sizes, in
/// bytes. A bin with 0 allocations is free.
typedef struct {
    uint64_t requested_bytes;
    uint64_t allocations;
    uint64_t usable_bytes;
} ll_allocation_size_bin;

/// Routes swift_allocObject through a counting hook (the runtime's instrumentation entry point) and
/// resets the totals. `node_metadata`: the node class's metadata (NULL: no allocation is a node object).
/// `bins`: a caller-owned table of `capacity` bins (a power of two), zeroed here, that counts allocations by
/// requested size, at most `capacity / 2` distinct sizes; NULL for none. The hook itself never allocates.
/// 0, ENOSYS when the runtime has no such hook, EINVAL for a capacity that is not a power of two.
/// Costs time: never on while timing.
int ll_swift_allocation_counter_start(const void *node_metadata, ll_allocation_size_bin *bins, size_t capacity);
/// Restores the runtime's own allocation path and writes the totals since start.
void ll_swift_allocation_counter_stop(ll_allocation_totals *out);

/// The counter's bookkeeping without the runtime hook, for tests: `reset` is start's reset (same arguments
/// and results, 0 or EINVAL), `record` what the hook does with one allocation of `size` bytes whose usable
/// size is `usable`. Read the totals with ll_swift_allocation_counter_stop (it restores nothing that is not on).
int ll_allocation_counter_reset(const void *node_metadata, ll_allocation_size_bin *bins, size_t capacity);
void ll_allocation_counter_record(const void *metadata, size_t size, size_t usable);

/// This thread's resource usage (`getrusage(RUSAGE_THREAD)`, which Swift's Glibc module does not declare):
/// page faults served without and with I/O, and context switches it made (waiting) or suffered (preempted).
typedef struct {
    int64_t minor_faults;
    int64_t major_faults;
    int64_t voluntary_switches;
    int64_t involuntary_switches;
} ll_thread_usage;

/// 0, or an errno.
int ll_thread_usage_read(ll_thread_usage *out);

/// The hardware counters of this thread, user space only, counted by one `perf_event_open` group whose
/// leader counts instructions. `slot[k]` is event k's position in the group's read, -1 where it did not open.
typedef struct {
    int leader;
    int descriptors[4];
    int slot[4];
    int members;
} ll_hardware_counters;

/// What one group read returns: instructions, cycles, cache misses (last level), data-TLB read misses, in
/// events (UINT64_MAX where the event did not open), and the ns the group was enabled and was counting (they
/// differ when the kernel multiplexed the counters).
typedef struct {
    uint64_t events[4];
    uint64_t enabled_ns;
    uint64_t running_ns;
} ll_hardware_counts;

/// Opens the group, counting from now on. 0, or the errno of the leader (ENOENT, EOPNOTSUPP: no PMU, as in
/// most VMs; EACCES: perf_event_paranoid). Without the leader nothing is open.
int ll_hardware_counters_open(ll_hardware_counters *counters);
/// Reads the whole group with one `read(2)` into `out`, without allocating. 0, or an errno.
int ll_hardware_counters_read(const ll_hardware_counters *counters, ll_hardware_counts *out);
void ll_hardware_counters_close(ll_hardware_counters *counters);

/// Callgrind's client requests (valgrind/callgrind.h), which do nothing outside valgrind. `ll_callgrind_present`
/// is 1 when the worker runs under valgrind and was built with callgrind.h, 0 when not under valgrind, -ENOSYS
/// when built without the header.
int ll_callgrind_present(void);
/// Turns callgrind's event collection on or off (it starts off with `--collect-atstart=no`).
void ll_callgrind_toggle_collect(void);
/// Zeroes the counts collected so far.
void ll_callgrind_zero_stats(void);
/// Writes the counts since the last dump into a new dump file described `layoutlab-phase-<index>`, then
/// zeroes them (the description is formatted on the stack: nothing is allocated).
void ll_callgrind_dump_phase(int phase_index);

/// glibc's posix_spawn file actions that its header declares only under _GNU_SOURCE, which Swift's Glibc
/// module does not see: close every descriptor from `lowest` up in the child, and change its directory.
/// 0, or an errno.
int ll_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);
int ll_spawn_change_directory(posix_spawn_file_actions_t *actions, const char *path);
/// Spawn attributes for a child that starts clean in a process group of its own (so that a timeout can kill its
/// descendants with it, and a terminal's Ctrl-C reaches the parent only): no signal blocked, every signal's
/// disposition reset to its default. 0, or an errno.
int ll_spawn_fresh_process_group(posix_spawnattr_t *attributes);
/// pipe2(O_CLOEXEC), also _GNU_SOURCE only: both ends closed on exec from the start. 0, or an errno.
int ll_pipe_close_on_exec(int ends[2]);
/// A pipe's capacity in bytes after asking for `bytes` (F_SETPIPE_SZ, Linux; 0: ask nothing), -1 on error. An
/// unprivileged process is held to /proc/sys/fs/pipe-max-size (1 MiB by default); the capacity returned is the truth.
int ll_pipe_capacity(int fd, int bytes);

#include "thread_shims.h"
#include "program_start.h"
#include "child_wait.h"

#endif
