// Why C: these entry points exist only when a particular allocator or runtime is loaded, so they are found
// with dlsym(RTLD_DEFAULT, ...) at run time and cached; Swift cannot declare a weak import, and the Swift
// runtime's hook is a C function-pointer variable.
#define _GNU_SOURCE
#include "layoutlab_shims.h"
#define LL_ALLOCATOR_STATISTICS_IMPLEMENTATION
#include "../LayoutLabRunner/Agent/ll_allocator_statistics.h"

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

// MARK: allocator statistics (the reading and the mapping: ll_allocator_statistics.h, shared with the agent)

int ll_jemalloc_open(void) { return llr_jemalloc_open(); }

int ll_jemalloc_read(ll_jemalloc_stats *out) { return llr_jemalloc_read(out); }

int ll_jemalloc_thread_allocated(uint64_t *out) {
    if (llr_jemalloc_open() != 0) return ENOSYS;
    uint64_t value = 0;
    size_t size = sizeof(value);
    int result = llr_je.mallctl("thread.allocated", &value, &size, NULL, 0);
    if (result == 0) *out = value;
    return result;
}

int ll_jemalloc_owns(void *pointer) {
    if (llr_jemalloc_open() != 0) return -ENOSYS;
    unsigned arena = 0;
    size_t size = sizeof(arena);
    return llr_je.mallctl("arenas.lookup", &arena, &size, &pointer, sizeof(pointer)) == 0 ? 1 : 0;
}

int ll_jemalloc_version(char *buffer, size_t capacity) {
    if (llr_jemalloc_open() != 0) return ENOSYS;
    const char *version = NULL;
    size_t size = sizeof(version);
    int result = llr_je.mallctl("version", &version, &size, NULL, 0);
    if (result != 0) return result;
    size_t length = strlen(version);
    if (length + 1 > capacity) return ERANGE;
    memcpy(buffer, version, length + 1);
    return 0;
}

int ll_mimalloc_read(ll_mimalloc_info *out) { return llr_mimalloc_read(out); }

int ll_mimalloc_owns(void *pointer) {
    if (!llr_mimalloc_open()) return -ENOSYS;
    return llr_mi.in_heap(pointer) ? 1 : 0;
}

int ll_mimalloc_version(void) {
    if (!llr_mimalloc_open()) return -ENOSYS;
    return llr_mi.version();
}

int ll_tcmalloc_read(ll_tcmalloc_stats *out) { return llr_tcmalloc_read(out); }

int ll_tcmalloc_owns(void *pointer) {
    if (!llr_tcmalloc_open()) return -ENOSYS;
    return llr_tc.ownership(pointer) == 1 ? 1 : 0;  // kOwned == 1
}

int ll_tcmalloc_version(char *buffer, size_t capacity) {
    if (!llr_tcmalloc_open() || llr_tc.version == NULL) return ENOSYS;
    const char *text = llr_tc.version(NULL, NULL, NULL);
    if (text == NULL) return ENOENT;
    size_t length = strlen(text);
    if (length + 1 > capacity) return ERANGE;
    memcpy(buffer, text, length + 1);
    return 0;
}

int ll_mallinfo2(ll_mallinfo *out) { return llr_mallinfo2(out); }

ll_allocator_figures ll_figures_from_jemalloc(const ll_jemalloc_stats *stats) { return llr_figures_from_jemalloc(stats); }
ll_allocator_figures ll_figures_from_mallinfo(const ll_mallinfo *info) { return llr_figures_from_mallinfo(info); }
ll_allocator_figures ll_figures_from_mimalloc(const ll_mimalloc_info *info) { return llr_figures_from_mimalloc(info); }
ll_allocator_figures ll_figures_from_tcmalloc(const ll_tcmalloc_stats *stats) { return llr_figures_from_tcmalloc(stats); }

// MARK: purge

int ll_purge(int allocator) {
    switch (allocator) {
    case 1: {
        if (llr_jemalloc_open() != 0) return ENOSYS;
        return llr_je.mallctl("arena.4096.purge", NULL, NULL, NULL, 0);  // 4096: MALLCTL_ARENAS_ALL
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

int ll_spawn_fresh_process_group(posix_spawnattr_t *attributes) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int code = posix_spawnattr_setsigmask(attributes, &none);
    if (code == 0) code = posix_spawnattr_setsigdefault(attributes, &all);
    if (code == 0) code = posix_spawnattr_setpgroup(attributes, 0);
    if (code == 0) code = posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    return code;
}

int ll_pipe_close_on_exec(int ends[2]) {
    return pipe2(ends, O_CLOEXEC) == 0 ? 0 : errno;
}

int ll_pipe_capacity(int fd, int bytes) {
    if (bytes > 0) (void)fcntl(fd, F_SETPIPE_SZ, bytes);
    return fcntl(fd, F_GETPIPE_SZ);
}
