#define _GNU_SOURCE
#include "thread_shims.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MARK: jemalloc

typedef int (*ll_thread_mallctl_fn)(const char *, void *, size_t *, void *, size_t);

static ll_thread_mallctl_fn ll_thread_mallctl(void) {
    static bool resolved = false;
    static ll_thread_mallctl_fn function = NULL;
    if (!resolved) {
        function = (ll_thread_mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
        resolved = true;
    }
    return function;
}

int ll_jemalloc_thread_figures(uint64_t *arenas, uint64_t *arenas_used, uint64_t *tcache_bytes) {
    ll_thread_mallctl_fn mallctl = ll_thread_mallctl();
    if (mallctl == NULL) return ENOSYS;
    uint64_t epoch = 1;
    size_t epoch_size = sizeof(epoch);
    int result = mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
    if (result != 0) return result;
    unsigned count = 0;
    size_t size = sizeof(count);
    result = mallctl("arenas.narenas", &count, &size, NULL, 0);
    if (result != 0) return result;
    uint64_t used = 0;
    char name[64];
    for (unsigned index = 0; index < count; index++) {
        bool initialized = false;
        size = sizeof(initialized);
        snprintf(name, sizeof(name), "arena.%u.initialized", index);
        if (mallctl(name, &initialized, &size, NULL, 0) != 0 || !initialized) continue;
        unsigned threads = 0;
        size = sizeof(threads);
        snprintf(name, sizeof(name), "stats.arenas.%u.nthreads", index);
        if (mallctl(name, &threads, &size, NULL, 0) != 0) threads = 0;
        size_t pages = 0;
        size = sizeof(pages);
        snprintf(name, sizeof(name), "stats.arenas.%u.pactive", index);
        if (mallctl(name, &pages, &size, NULL, 0) != 0) pages = 0;
        if (threads > 0 || pages > 0) used++;
    }
    size_t cached = 0;
    size = sizeof(cached);
    // 4096 is MALLCTL_ARENAS_ALL: the statistics merged over every arena.
    *tcache_bytes = mallctl("stats.arenas.4096.tcache_bytes", &cached, &size, NULL, 0) == 0 ? (uint64_t)cached : UINT64_MAX;
    *arenas = count;
    *arenas_used = used;
    return 0;
}

// MARK: tcmalloc

int ll_tcmalloc_thread_cache_bytes(uint64_t *out) {
    static bool resolved = false;
    static int (*numeric)(const char *, size_t *) = NULL;
    if (!resolved) {
        numeric = (int (*)(const char *, size_t *))dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
        resolved = true;
    }
    if (numeric == NULL) return ENOSYS;
    size_t value = 0;
    if (!numeric("tcmalloc.current_total_thread_cache_bytes", &value)) return ENOENT;
    *out = (uint64_t)value;
    return 0;
}

// MARK: glibc

static struct {
    FILE *file;
    char *buffer;
    size_t capacity;
    int (*malloc_info)(int, FILE *);
} ll_heaps;

int ll_glibc_heaps_open(char *buffer, size_t capacity) {
    if (ll_heaps.file != NULL) return 0;
    ll_heaps.malloc_info = (int (*)(int, FILE *))dlsym(RTLD_DEFAULT, "malloc_info");
    if (ll_heaps.malloc_info == NULL || capacity < 2) return ENOSYS;
    ll_heaps.file = fmemopen(buffer, capacity, "w");
    if (ll_heaps.file == NULL) return errno;
    ll_heaps.buffer = buffer;
    ll_heaps.capacity = capacity;
    // The FILE's own buffer is allocated by its first write: done here, before any phase.
    fputc(' ', ll_heaps.file);
    fflush(ll_heaps.file);
    return 0;
}

int ll_glibc_heaps(uint64_t *heaps, uint64_t *heaps_used) {
    if (ll_heaps.file == NULL) return ENOSYS;
    rewind(ll_heaps.file);
    memset(ll_heaps.buffer, 0, ll_heaps.capacity);
    if (ll_heaps.malloc_info(0, ll_heaps.file) != 0) return errno != 0 ? errno : EIO;
    fflush(ll_heaps.file);
    long written = ftell(ll_heaps.file);
    if (written <= 0 || (size_t)written >= ll_heaps.capacity - 1) return ENOSPC;
    ll_heaps.buffer[written] = 0;
    if (strstr(ll_heaps.buffer, "</malloc>") == NULL) return ENOSPC;
    uint64_t count = 0, used = 0;
    const char *heap = strstr(ll_heaps.buffer, "<heap nr=");
    while (heap != NULL) {
        const char *next = strstr(heap + 1, "<heap nr=");
        const char *end = strstr(heap, "</heap>");
        const char *current = strstr(heap, "<system type=\"current\" size=\"");
        count++;
        if (current != NULL && end != NULL && current < end) {
            if (strtoull(current + strlen("<system type=\"current\" size=\""), NULL, 10) > 0) used++;
        }
        heap = next;
    }
    *heaps = count;
    *heaps_used = used;
    return 0;
}
