// How LayoutLab reads each allocator's own statistics and maps them onto its common columns: the one C
// description of it, compiled into two programs. The worker gets it through CLayoutLabShims (layoutlab_shims.h
// includes the types, layoutlab_shims.c the implementation); the allocator agent (layoutlab_agent.c, compiled
// by the lab at run time) includes it beside itself. It lives here, in LayoutLabRunner's Agent folder, because
// only a target's own folder can ship a resource, and the agent needs the text at run time.
//
// Two sections, each with its own guard (the single-header pattern):
//   - the types, always: what each allocator's interface gives, and the common figures;
//   - with LL_ALLOCATOR_STATISTICS_IMPLEMENTATION defined: static functions that find the entry points with
//     dlsym(RTLD_DEFAULT, ...) once, read without allocating (jemalloc's MIBs are translated once, `epoch` is
//     written before each read), and map the figures. Absent entry points give ENOSYS; nothing prints.
//
// The mapping (LayoutLabProtocol/AllocatorStatistics.swift draws it as a table): a figure the allocator does
// not have is absent, never 0; a figure beyond INT64_MAX (mimalloc's summed per-thread commit wraps below 0
// after frees from other threads) is absent too.
//   jemalloc  (mallctl)            allocated active resident metadata mapped retained = stats.<same name>
//   glibc     (mallinfo2)          allocated = uordblks + hblkhd; mapped = arena + hblkhd
//   mimalloc  (mi_process_info)    mapped = current_commit (its "rss" is an estimate on Linux: not used)
//   tcmalloc  (numeric properties) allocated = generic.current_allocated_bytes;
//                                  active = heap_size − pageheap_free − pageheap_unmapped;
//                                  metadata = total_physical − heap_size + pageheap_unmapped (the "Bytes in
//                                  malloc metadata" line of MallocExtension::GetStats); mapped = heap_size;
//                                  retained = pageheap_unmapped. A property tcmalloc refused is UINT64_MAX.
#ifndef LL_ALLOCATOR_STATISTICS_TYPES
#define LL_ALLOCATOR_STATISTICS_TYPES

#include <stdint.h>

/// jemalloc's statistics in bytes, read through `mallctl` after an `epoch` refresh.
typedef struct {
    uint64_t allocated;
    uint64_t active;
    uint64_t resident;
    uint64_t metadata;
    uint64_t mapped;
    uint64_t retained;
} ll_jemalloc_stats;

/// mimalloc's `mi_process_info`, in bytes. On Linux mimalloc's own "rss" is an estimate (its commit), so the
/// lab takes only the commit figures from it.
typedef struct {
    uint64_t current_commit;
    uint64_t peak_commit;
} ll_mimalloc_info;

/// gperftools tcmalloc's numeric properties, in bytes; a property tcmalloc refused is UINT64_MAX.
typedef struct {
    uint64_t current_allocated;   // generic.current_allocated_bytes
    uint64_t heap_size;           // generic.heap_size
    uint64_t pageheap_free;       // tcmalloc.pageheap_free_bytes
    uint64_t pageheap_unmapped;   // tcmalloc.pageheap_unmapped_bytes
    uint64_t total_physical;      // generic.total_physical_bytes (heap_size - pageheap_unmapped + metadata)
} ll_tcmalloc_stats;

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

/// The lab's common allocator columns, in bytes, indexed by LL_FIGURE_*; `present` has bit (1 << index) set for
/// each figure the allocator gave. The order and the names are AllocatorStatistics' fields.
enum {
    LL_FIGURE_ALLOCATED = 0,
    LL_FIGURE_ACTIVE = 1,
    LL_FIGURE_RESIDENT = 2,
    LL_FIGURE_METADATA = 3,
    LL_FIGURE_MAPPED = 4,
    LL_FIGURE_RETAINED = 5,
    LL_FIGURE_COUNT = 6,
};

typedef struct {
    int64_t bytes[LL_FIGURE_COUNT];
    uint32_t present;
} ll_allocator_figures;

/// Where the figures come from: the raw values of AllocatorStatisticsSource, as numbers.
enum {
    LL_SOURCE_NONE = 0,
    LL_SOURCE_JEMALLOC = 1,
    LL_SOURCE_MALLINFO2 = 2,
    LL_SOURCE_MIMALLOC = 3,
    LL_SOURCE_TCMALLOC = 4,
};

#endif  // LL_ALLOCATOR_STATISTICS_TYPES

#if defined(LL_ALLOCATOR_STATISTICS_IMPLEMENTATION) && !defined(LL_ALLOCATOR_STATISTICS_IMPLEMENTED)
#define LL_ALLOCATOR_STATISTICS_IMPLEMENTED

// Every function is static (one copy per program that includes this), and unused ones are no warning.
#define LLR_STATIC static __attribute__((unused))

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

// MARK: mapping

LLR_STATIC void llr_set(ll_allocator_figures *out, int index, int64_t value) {
    out->bytes[index] = value;
    out->present |= 1u << index;
}

/// A raw unsigned figure, absent beyond INT64_MAX (or when it is `refused`, tcmalloc's UINT64_MAX).
LLR_STATIC bool llr_fits(uint64_t raw, int64_t *value) {
    if (raw > (uint64_t)INT64_MAX) return false;
    *value = (int64_t)raw;
    return true;
}

LLR_STATIC ll_allocator_figures llr_figures_from_jemalloc(const ll_jemalloc_stats *stats) {
    ll_allocator_figures out = {{0}, 0};
    const uint64_t raw[LL_FIGURE_COUNT] = {
        stats->allocated, stats->active, stats->resident, stats->metadata, stats->mapped, stats->retained,
    };
    for (int i = 0; i < LL_FIGURE_COUNT; i++) {
        int64_t value;
        if (llr_fits(raw[i], &value)) llr_set(&out, i, value);
    }
    return out;
}

LLR_STATIC ll_allocator_figures llr_figures_from_mallinfo(const ll_mallinfo *info) {
    ll_allocator_figures out = {{0}, 0};
    int64_t value;
    if (info->uordblks <= UINT64_MAX - info->hblkhd && llr_fits(info->uordblks + info->hblkhd, &value))
        llr_set(&out, LL_FIGURE_ALLOCATED, value);
    if (info->arena <= UINT64_MAX - info->hblkhd && llr_fits(info->arena + info->hblkhd, &value))
        llr_set(&out, LL_FIGURE_MAPPED, value);
    return out;
}

LLR_STATIC ll_allocator_figures llr_figures_from_mimalloc(const ll_mimalloc_info *info) {
    ll_allocator_figures out = {{0}, 0};
    int64_t value;
    if (llr_fits(info->current_commit, &value)) llr_set(&out, LL_FIGURE_MAPPED, value);
    return out;
}

LLR_STATIC ll_allocator_figures llr_figures_from_tcmalloc(const ll_tcmalloc_stats *stats) {
    ll_allocator_figures out = {{0}, 0};
    int64_t allocated = 0, heap = 0, free_bytes = 0, unmapped = 0, physical = 0;
    bool has_heap = llr_fits(stats->heap_size, &heap);
    bool has_free = llr_fits(stats->pageheap_free, &free_bytes);
    bool has_unmapped = llr_fits(stats->pageheap_unmapped, &unmapped);
    bool has_physical = llr_fits(stats->total_physical, &physical);
    if (llr_fits(stats->current_allocated, &allocated)) llr_set(&out, LL_FIGURE_ALLOCATED, allocated);
    if (has_heap && has_free && has_unmapped) llr_set(&out, LL_FIGURE_ACTIVE, heap - free_bytes - unmapped);
    if (has_heap && has_unmapped && has_physical) llr_set(&out, LL_FIGURE_METADATA, physical - heap + unmapped);
    if (has_heap) llr_set(&out, LL_FIGURE_MAPPED, heap);
    if (has_unmapped) llr_set(&out, LL_FIGURE_RETAINED, unmapped);
    return out;
}

// MARK: jemalloc

typedef int (*llr_mallctl_fn)(const char *, void *, size_t *, void *, size_t);
typedef int (*llr_mallctlnametomib_fn)(const char *, size_t *, size_t *);
typedef int (*llr_mallctlbymib_fn)(const size_t *, size_t, void *, size_t *, void *, size_t);

enum { LLR_MIB_DEPTH = 4 };
static const char *const llr_jemalloc_names[LL_FIGURE_COUNT] = {
    "stats.allocated", "stats.active", "stats.resident", "stats.metadata", "stats.mapped", "stats.retained",
};

static struct {
    bool opened;
    int open_result;
    llr_mallctl_fn mallctl;
    llr_mallctlbymib_fn bymib;
    size_t epoch_mib[LLR_MIB_DEPTH];
    size_t epoch_length;
    size_t stat_mib[LL_FIGURE_COUNT][LLR_MIB_DEPTH];
    size_t stat_length[LL_FIGURE_COUNT];
} llr_je;

/// Finds `mallctl` with dlsym and translates the statistic names to MIBs, once. 0, ENOSYS when jemalloc is not
/// loaded, or the error `mallctlnametomib` returned.
LLR_STATIC int llr_jemalloc_open(void) {
    if (llr_je.opened) return llr_je.open_result;
    llr_je.opened = true;
    llr_je.mallctl = (llr_mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    llr_mallctlnametomib_fn nametomib = (llr_mallctlnametomib_fn)dlsym(RTLD_DEFAULT, "mallctlnametomib");
    llr_je.bymib = (llr_mallctlbymib_fn)dlsym(RTLD_DEFAULT, "mallctlbymib");
    if (llr_je.mallctl == NULL || nametomib == NULL || llr_je.bymib == NULL) {
        llr_je.open_result = ENOSYS;
        return ENOSYS;
    }
    llr_je.epoch_length = LLR_MIB_DEPTH;
    int result = nametomib("epoch", llr_je.epoch_mib, &llr_je.epoch_length);
    for (int i = 0; result == 0 && i < LL_FIGURE_COUNT; i++) {
        llr_je.stat_length[i] = LLR_MIB_DEPTH;
        result = nametomib(llr_jemalloc_names[i], llr_je.stat_mib[i], &llr_je.stat_length[i]);
    }
    llr_je.open_result = result;
    return result;
}

/// Refreshes `epoch` and reads the six statistics by MIB, without allocating. 0 or an errno.
LLR_STATIC int llr_jemalloc_read(ll_jemalloc_stats *out) {
    int result = llr_jemalloc_open();
    if (result != 0) return result;
    uint64_t epoch = 1;
    size_t epoch_size = sizeof(epoch);
    result = llr_je.bymib(llr_je.epoch_mib, llr_je.epoch_length, &epoch, &epoch_size, &epoch, epoch_size);
    if (result != 0) return result;
    uint64_t *fields[LL_FIGURE_COUNT] = {
        &out->allocated, &out->active, &out->resident, &out->metadata, &out->mapped, &out->retained,
    };
    for (int i = 0; i < LL_FIGURE_COUNT; i++) {
        size_t value = 0;
        size_t size = sizeof(value);
        result = llr_je.bymib(llr_je.stat_mib[i], llr_je.stat_length[i], &value, &size, NULL, 0);
        if (result != 0) return result;
        *fields[i] = (uint64_t)value;
    }
    return 0;
}

// MARK: mimalloc

typedef void (*llr_mi_process_info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);
typedef bool (*llr_mi_is_in_heap_region_fn)(const void *);
typedef int (*llr_mi_version_fn)(void);

static struct {
    bool resolved;
    llr_mi_process_info_fn process_info;
    llr_mi_is_in_heap_region_fn in_heap;
    llr_mi_version_fn version;
} llr_mi;

LLR_STATIC bool llr_mimalloc_open(void) {
    if (!llr_mi.resolved) {
        llr_mi.process_info = (llr_mi_process_info_fn)dlsym(RTLD_DEFAULT, "mi_process_info");
        llr_mi.in_heap = (llr_mi_is_in_heap_region_fn)dlsym(RTLD_DEFAULT, "mi_is_in_heap_region");
        llr_mi.version = (llr_mi_version_fn)dlsym(RTLD_DEFAULT, "mi_version");
        llr_mi.resolved = true;
    }
    return llr_mi.process_info != NULL && llr_mi.in_heap != NULL && llr_mi.version != NULL;
}

/// `mi_process_info`. 0, or ENOSYS without mimalloc.
LLR_STATIC int llr_mimalloc_read(ll_mimalloc_info *out) {
    if (!llr_mimalloc_open()) return ENOSYS;
    size_t elapsed = 0, user = 0, system = 0, rss = 0, peak_rss = 0, commit = 0, peak_commit = 0, faults = 0;
    llr_mi.process_info(&elapsed, &user, &system, &rss, &peak_rss, &commit, &peak_commit, &faults);
    out->current_commit = commit;
    out->peak_commit = peak_commit;
    return 0;
}

// MARK: tcmalloc (gperftools)

typedef int (*llr_tc_numeric_fn)(const char *, size_t *);
typedef int (*llr_tc_ownership_fn)(const void *);
typedef const char *(*llr_tc_version_fn)(int *, int *, const char **);

static struct {
    bool resolved;
    llr_tc_numeric_fn numeric;
    llr_tc_ownership_fn ownership;
    llr_tc_version_fn version;
} llr_tc;

LLR_STATIC bool llr_tcmalloc_open(void) {
    if (!llr_tc.resolved) {
        llr_tc.numeric = (llr_tc_numeric_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
        llr_tc.ownership = (llr_tc_ownership_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetOwnership");
        llr_tc.version = (llr_tc_version_fn)dlsym(RTLD_DEFAULT, "tc_version");
        llr_tc.resolved = true;
    }
    return llr_tc.numeric != NULL && llr_tc.ownership != NULL;
}

static uint64_t llr_tc_property(const char *name) {
    size_t value = 0;
    return llr_tc.numeric(name, &value) ? (uint64_t)value : UINT64_MAX;
}

/// `MallocExtension_GetNumericProperty` for the five properties. 0, or ENOSYS without tcmalloc.
LLR_STATIC int llr_tcmalloc_read(ll_tcmalloc_stats *out) {
    if (!llr_tcmalloc_open()) return ENOSYS;
    out->current_allocated = llr_tc_property("generic.current_allocated_bytes");
    out->heap_size = llr_tc_property("generic.heap_size");
    out->pageheap_free = llr_tc_property("tcmalloc.pageheap_free_bytes");
    out->pageheap_unmapped = llr_tc_property("tcmalloc.pageheap_unmapped_bytes");
    out->total_physical = llr_tc_property("generic.total_physical_bytes");
    return 0;
}

// MARK: glibc

struct llr_glibc_mallinfo2 {
    size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
typedef struct llr_glibc_mallinfo2 (*llr_mallinfo2_fn)(void);

/// glibc's `mallinfo2`, found with dlsym. 0, or ENOSYS when the C library has none.
LLR_STATIC int llr_mallinfo2(ll_mallinfo *out) {
    static llr_mallinfo2_fn function = NULL;
    static bool resolved = false;
    if (!resolved) {
        function = (llr_mallinfo2_fn)dlsym(RTLD_DEFAULT, "mallinfo2");
        resolved = true;
    }
    if (function == NULL) return ENOSYS;
    struct llr_glibc_mallinfo2 info = function();
    out->arena = info.arena;
    out->ordblks = info.ordblks;
    out->smblks = info.smblks;
    out->hblks = info.hblks;
    out->hblkhd = info.hblkhd;
    out->usmblks = info.usmblks;
    out->fsmblks = info.fsmblks;
    out->uordblks = info.uordblks;
    out->fordblks = info.fordblks;
    out->keepcost = info.keepcost;
    return 0;
}

// MARK: one read, any allocator

/// Reads `source` (LL_SOURCE_*) now and maps it onto the common figures. 0 (LL_SOURCE_NONE: no figure present),
/// or the allocator's errno-style result (ENOSYS: its interface is not loaded).
LLR_STATIC int llr_read_figures(int source, ll_allocator_figures *out) {
    ll_allocator_figures none = {{0}, 0};
    *out = none;
    switch (source) {
    case LL_SOURCE_JEMALLOC: {
        ll_jemalloc_stats stats;
        int result = llr_jemalloc_read(&stats);
        if (result == 0) *out = llr_figures_from_jemalloc(&stats);
        return result;
    }
    case LL_SOURCE_MALLINFO2: {
        ll_mallinfo info;
        int result = llr_mallinfo2(&info);
        if (result == 0) *out = llr_figures_from_mallinfo(&info);
        return result;
    }
    case LL_SOURCE_MIMALLOC: {
        ll_mimalloc_info info;
        int result = llr_mimalloc_read(&info);
        if (result == 0) *out = llr_figures_from_mimalloc(&info);
        return result;
    }
    case LL_SOURCE_TCMALLOC: {
        ll_tcmalloc_stats stats;
        int result = llr_tcmalloc_read(&stats);
        if (result == 0) *out = llr_figures_from_tcmalloc(&stats);
        return result;
    }
    default:
        return 0;
    }
}

#endif  // LL_ALLOCATOR_STATISTICS_IMPLEMENTATION
