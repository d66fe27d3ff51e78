// Why C: these entry points exist only when a particular allocator or runtime is loaded, so they are found
// with dlsym(RTLD_DEFAULT, ...) at run time and cached; Swift cannot declare a weak import, and the Swift
// runtime's hook is a C function-pointer variable.
#define _GNU_SOURCE
#include "layoutlab_shims.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int ll_path_of(void *symbol, char *path, size_t capacity) {
    Dl_info info;
    if (symbol == NULL || dladdr(symbol, &info) == 0 || info.dli_fname == NULL) return ENOENT;
    size_t length = strlen(info.dli_fname);
    if (length + 1 > capacity) return ERANGE;
    memcpy(path, info.dli_fname, length + 1);
    return 0;
}

int ll_malloc_provider(char *path, size_t capacity) {
    return ll_path_of(dlsym(RTLD_DEFAULT, "malloc"), path, capacity);
}

int ll_c_library_path(char *path, size_t capacity) {
    return ll_path_of((void *)&gnu_get_libc_version, path, capacity);
}

const char *ll_glibc_version(void) { return gnu_get_libc_version(); }

int ll_die_with_parent(int expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
    // The runner may have died before the request took effect; then the worker is already an orphan.
    if (expected_parent > 0 && getppid() != (pid_t)expected_parent) raise(SIGKILL);
    return 0;
}

size_t ll_malloc_usable_size(void *pointer) { return malloc_usable_size(pointer); }

void *ll_memalign(size_t alignment, size_t size) { return memalign(alignment, size); }

// MARK: jemalloc

typedef int (*ll_mallctl_fn)(const char *, void *, size_t *, void *, size_t);
typedef int (*ll_mallctlnametomib_fn)(const char *, size_t *, size_t *);
typedef int (*ll_mallctlbymib_fn)(const size_t *, size_t, void *, size_t *, void *, size_t);

enum { LL_STAT_COUNT = 6, LL_MIB_DEPTH = 4 };
static const char *const ll_stat_names[LL_STAT_COUNT] = {
    "stats.allocated", "stats.active", "stats.resident", "stats.metadata", "stats.mapped", "stats.retained",
};

static struct {
    bool opened;
    int open_result;
    ll_mallctl_fn mallctl;
    ll_mallctlbymib_fn bymib;
    size_t epoch_mib[LL_MIB_DEPTH];
    size_t epoch_length;
    size_t stat_mib[LL_STAT_COUNT][LL_MIB_DEPTH];
    size_t stat_length[LL_STAT_COUNT];
} ll_je;

int ll_jemalloc_open(void) {
    if (ll_je.opened) return ll_je.open_result;
    ll_je.opened = true;
    ll_je.mallctl = (ll_mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    ll_mallctlnametomib_fn nametomib = (ll_mallctlnametomib_fn)dlsym(RTLD_DEFAULT, "mallctlnametomib");
    ll_je.bymib = (ll_mallctlbymib_fn)dlsym(RTLD_DEFAULT, "mallctlbymib");
    if (ll_je.mallctl == NULL || nametomib == NULL || ll_je.bymib == NULL) {
        ll_je.open_result = ENOSYS;
        return ENOSYS;
    }
    ll_je.epoch_length = LL_MIB_DEPTH;
    int result = nametomib("epoch", ll_je.epoch_mib, &ll_je.epoch_length);
    for (int i = 0; result == 0 && i < LL_STAT_COUNT; i++) {
        ll_je.stat_length[i] = LL_MIB_DEPTH;
        result = nametomib(ll_stat_names[i], ll_je.stat_mib[i], &ll_je.stat_length[i]);
    }
    ll_je.open_result = result;
    return result;
}

int ll_jemalloc_read(ll_jemalloc_stats *out) {
    int result = ll_jemalloc_open();
    if (result != 0) return result;
    uint64_t epoch = 1;
    size_t epoch_size = sizeof(epoch);
    result = ll_je.bymib(ll_je.epoch_mib, ll_je.epoch_length, &epoch, &epoch_size, &epoch, epoch_size);
    if (result != 0) return result;
    uint64_t *fields[LL_STAT_COUNT] = {
        &out->allocated, &out->active, &out->resident, &out->metadata, &out->mapped, &out->retained,
    };
    for (int i = 0; i < LL_STAT_COUNT; i++) {
        size_t value = 0;
        size_t size = sizeof(value);
        result = ll_je.bymib(ll_je.stat_mib[i], ll_je.stat_length[i], &value, &size, NULL, 0);
        if (result != 0) return result;
        *fields[i] = (uint64_t)value;
    }
    return 0;
}

int ll_jemalloc_thread_allocated(uint64_t *out) {
    if (ll_jemalloc_open() != 0) return ENOSYS;
    uint64_t value = 0;
    size_t size = sizeof(value);
    int result = ll_je.mallctl("thread.allocated", &value, &size, NULL, 0);
    if (result == 0) *out = value;
    return result;
}

int ll_jemalloc_owns(void *pointer) {
    if (ll_jemalloc_open() != 0) return -ENOSYS;
    unsigned arena = 0;
    size_t size = sizeof(arena);
    return ll_je.mallctl("arenas.lookup", &arena, &size, &pointer, sizeof(pointer)) == 0 ? 1 : 0;
}

int ll_jemalloc_version(char *buffer, size_t capacity) {
    if (ll_jemalloc_open() != 0) return ENOSYS;
    const char *version = NULL;
    size_t size = sizeof(version);
    int result = ll_je.mallctl("version", &version, &size, NULL, 0);
    if (result != 0) return result;
    size_t length = strlen(version);
    if (length + 1 > capacity) return ERANGE;
    memcpy(buffer, version, length + 1);
    return 0;
}

// MARK: mimalloc

typedef void (*ll_mi_process_info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);
typedef bool (*ll_mi_is_in_heap_region_fn)(const void *);
typedef int (*ll_mi_version_fn)(void);

static struct {
    bool resolved;
    ll_mi_process_info_fn process_info;
    ll_mi_is_in_heap_region_fn in_heap;
    ll_mi_version_fn version;
} ll_mi;

static bool ll_mimalloc_open(void) {
    if (!ll_mi.resolved) {
        ll_mi.process_info = (ll_mi_process_info_fn)dlsym(RTLD_DEFAULT, "mi_process_info");
        ll_mi.in_heap = (ll_mi_is_in_heap_region_fn)dlsym(RTLD_DEFAULT, "mi_is_in_heap_region");
        ll_mi.version = (ll_mi_version_fn)dlsym(RTLD_DEFAULT, "mi_version");
        ll_mi.resolved = true;
    }
    return ll_mi.process_info != NULL && ll_mi.in_heap != NULL && ll_mi.version != NULL;
}

int ll_mimalloc_read(ll_mimalloc_info *out) {
    if (!ll_mimalloc_open()) return ENOSYS;
    size_t elapsed = 0, user = 0, system = 0, rss = 0, peak_rss = 0, commit = 0, peak_commit = 0, faults = 0;
    ll_mi.process_info(&elapsed, &user, &system, &rss, &peak_rss, &commit, &peak_commit, &faults);
    out->current_commit = commit;
    out->peak_commit = peak_commit;
    return 0;
}

int ll_mimalloc_owns(void *pointer) {
    if (!ll_mimalloc_open()) return -ENOSYS;
    return ll_mi.in_heap(pointer) ? 1 : 0;
}

int ll_mimalloc_version(void) {
    if (!ll_mimalloc_open()) return -ENOSYS;
    return ll_mi.version();
}

// MARK: tcmalloc (gperftools)

typedef int (*ll_tc_numeric_fn)(const char *, size_t *);
typedef int (*ll_tc_ownership_fn)(const void *);
typedef const char *(*ll_tc_version_fn)(int *, int *, const char **);

static struct {
    bool resolved;
    ll_tc_numeric_fn numeric;
    ll_tc_ownership_fn ownership;
    ll_tc_version_fn version;
} ll_tc;

static bool ll_tcmalloc_open(void) {
    if (!ll_tc.resolved) {
        ll_tc.numeric = (ll_tc_numeric_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
        ll_tc.ownership = (ll_tc_ownership_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetOwnership");
        ll_tc.version = (ll_tc_version_fn)dlsym(RTLD_DEFAULT, "tc_version");
        ll_tc.resolved = true;
    }
    return ll_tc.numeric != NULL && ll_tc.ownership != NULL;
}

static uint64_t ll_tc_property(const char *name) {
    size_t value = 0;
    return ll_tc.numeric(name, &value) ? (uint64_t)value : UINT64_MAX;
}

int ll_tcmalloc_read(ll_tcmalloc_stats *out) {
    if (!ll_tcmalloc_open()) return ENOSYS;
    out->current_allocated = ll_tc_property("generic.current_allocated_bytes");
    out->heap_size = ll_tc_property("generic.heap_size");
    out->pageheap_free = ll_tc_property("tcmalloc.pageheap_free_bytes");
    out->pageheap_unmapped = ll_tc_property("tcmalloc.pageheap_unmapped_bytes");
    out->total_physical = ll_tc_property("generic.total_physical_bytes");
    return 0;
}

int ll_tcmalloc_owns(void *pointer) {
    if (!ll_tcmalloc_open()) return -ENOSYS;
    return ll_tc.ownership(pointer) == 1 ? 1 : 0;  // kOwned == 1
}

int ll_tcmalloc_version(char *buffer, size_t capacity) {
    if (!ll_tcmalloc_open() || ll_tc.version == NULL) return ENOSYS;
    const char *text = ll_tc.version(NULL, NULL, NULL);
    if (text == NULL) return ENOENT;
    size_t length = strlen(text);
    if (length + 1 > capacity) return ERANGE;
    memcpy(buffer, text, length + 1);
    return 0;
}

// MARK: glibc

struct ll_glibc_mallinfo2 {
    size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
typedef struct ll_glibc_mallinfo2 (*ll_mallinfo2_fn)(void);

int ll_mallinfo2(ll_mallinfo *out) {
    static ll_mallinfo2_fn function = NULL;
    static bool resolved = false;
    if (!resolved) {
        function = (ll_mallinfo2_fn)dlsym(RTLD_DEFAULT, "mallinfo2");
        resolved = true;
    }
    if (function == NULL) return ENOSYS;
    struct ll_glibc_mallinfo2 info = function();
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

// MARK: purge

int ll_purge(int allocator) {
    switch (allocator) {
    case 1: {
        if (ll_jemalloc_open() != 0) return ENOSYS;
        return ll_je.mallctl("arena.4096.purge", NULL, NULL, NULL, 0);  // 4096: MALLCTL_ARENAS_ALL
    }
    case 2:
        malloc_trim(0);
        return 0;
    case 3: {
        void (*collect)(bool) = (void (*)(bool))dlsym(RTLD_DEFAULT, "mi_collect");
        if (collect == NULL) return ENOSYS;
        collect(true);
        return 0;
    }
    case 4: {
        void (*release)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory");
        if (release == NULL) return ENOSYS;
        release();
        return 0;
    }
    default:
        return ENOSYS;
    }
}

// MARK: process start

int ll_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int ll_spawn_change_directory(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int ll_pipe_close_on_exec(int ends[2]) {
    return pipe2(ends, O_CLOEXEC) == 0 ? 0 : errno;
}
