/*
 * malloc-reference: an independent check of LayoutLab's per-node figures, with nothing of the lab in it.
 *
 * It holds N blocks of malloc(R) bytes, as a final-class trial holds N nodes whose swift_allocObject asked
 * malloc for R bytes, and prints one line:
 *
 *   request_bytes=R nodes=N usable_bytes_min=.. usable_bytes_max=.. usable_bytes_mean=..
 *   baseline_rss_bytes=.. end_rss_bytes=.. rss_bytes_per_node=.. rss_anon_bytes_per_node=.. rss_file_growth_bytes=..
 *   tcmalloc_metadata_growth_bytes=..   (gperftools tcmalloc's metadata growth over the same window; -1 elsewhere)
 *
 *   malloc-reference R N [CHECKPOINTS] [--container-before-baseline] [--warm-bytes B] [--pause]
 *
 * What it measures is what the lab measures (see LayoutLabModel/TrialMetrics.swift and the generated allocate
 * entry point in LayoutLabCodegen/LayoutSourceGenerator.swift), step by step:
 *   1. the baseline: resident pages from /proc/self/statm (field 2 x page size), read through a file
 *      descriptor opened and read once before, with no allocation (the lab's checkpoint 0);
 *   2. the container: ONE malloc of N pointers + 32 bytes (a ContiguousArray's header), after the baseline
 *      and not touched, as `all.reserveCapacity(nodes)` runs after checkpoint 0; its pages are faulted in as
 *      the pointers are stored, so rss_bytes_per_node includes 8 bytes of pointer per node, as the lab's does;
 *   3. N blocks of malloc(R), each written once (a Swift object's header is written on allocation; the lab's
 *      nodes initialise every field, so every byte of the request is written) and kept in the container;
 *   4. statm read again at CHECKPOINTS evenly spaced counts (default 100, as the lab's default), the last at
 *      N; rss_bytes_per_node = (last - baseline) / N; rss_anon_bytes_per_node the same of the anonymous part
 *      (statm resident - shared = RssAnon, the lab's rss_anon_bytes), and rss_file_growth_bytes the growth of
 *      the file-backed part (code and read-only data of the program and its libraries faulted in).
 * usable_bytes_* is malloc_usable_size of every block (min, max, mean), which the lab's probe sums per node.
 *
 * Variations, for the investigation in bench/FINDINGS-tcmalloc.md:
 *   --container-before-baseline  reserve (not touch) the container before the baseline instead of after;
 *   --warm-bytes B               before the baseline, malloc and free one block of B bytes;
 *   --container-via-swift PATH   dlopen the Swift runtime PATH (libswiftCore.so) before the baseline and reserve
 *                                the container with its swift_slowAlloc(bytes, 15), as swift_allocObject does:
 *                                malloc is then called with Swift runtime frames on the stack;
 *   --pause                      after the last checkpoint, print the line and wait for a line on stdin (so
 *                                /proc/PID/smaps can be read at the end).
 *
 * Build: gcc -O2 -o malloc-reference bench/malloc-reference.c -ldl (bench/size-sweep-check.sh does it). Run under
 * an allocator with LD_PRELOAD=/lib/x86_64-linux-gnu/libjemalloc.so.2 (glibc: no LD_PRELOAD).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int statm_fd = -1;
static long page_bytes;

/* Resident bytes from /proc/self/statm, read into a stack buffer: no allocation. `shared` (statm field 3:
 * file-backed and shmem resident pages, RssFile + RssShmem) is stored in *file_bytes when it is not NULL;
 * resident - shared is the anonymous resident memory (RssAnon), where every malloc'd block lives. */
static long resident_bytes_split(long *file_bytes) {
    char buffer[256];
    ssize_t length = pread(statm_fd, buffer, sizeof buffer - 1, 0);
    if (length <= 0) { perror("malloc-reference: /proc/self/statm"); exit(2); }
    buffer[length] = 0;
    long size_pages = 0, resident_pages = 0, shared_pages = 0;
    if (sscanf(buffer, "%ld %ld %ld", &size_pages, &resident_pages, &shared_pages) != 3) {
        fprintf(stderr, "malloc-reference: cannot parse /proc/self/statm\n");
        exit(2);
    }
    if (file_bytes != NULL) *file_bytes = shared_pages * page_bytes;
    return resident_pages * page_bytes;
}

static long resident_bytes(void) { return resident_bytes_split(NULL); }

/* gperftools tcmalloc's metadata bytes (page map, spans, caches' bookkeeping): total_physical - heap_size +
 * pageheap_unmapped, from MallocExtension_GetNumericProperty; -1 under another allocator. Allocates nothing. */
static long tcmalloc_metadata_bytes(void) {
    int (*property)(const char *, size_t *) =
        (int (*)(const char *, size_t *))dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
    size_t physical = 0, heap = 0, unmapped = 0;
    if (property == NULL || !property("generic.total_physical_bytes", &physical) || !property("generic.heap_size", &heap)
        || !property("tcmalloc.pageheap_unmapped_bytes", &unmapped)) return -1;
    return (long)(physical - heap + unmapped);
}

static long parse_count(const char *text, const char *what) {
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != 0 || value < 0) {
        fprintf(stderr, "malloc-reference: %s must be a non-negative integer, got '%s'\n", what, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: malloc-reference REQUEST_BYTES NODES [CHECKPOINTS] "
                        "[--container-before-baseline] [--warm-bytes B] [--pause]\n");
        return 2;
    }
    size_t request = (size_t)parse_count(argv[1], "REQUEST_BYTES");
    long nodes = parse_count(argv[2], "NODES");
    long checkpoints = 100;
    int container_first = 0, pause_at_end = 0;
    long warm_bytes = 0;
    const char *swift_runtime = NULL;
    for (int index = 3; index < argc; index++) {
        if (strcmp(argv[index], "--container-before-baseline") == 0) container_first = 1;
        else if (strcmp(argv[index], "--pause") == 0) pause_at_end = 1;
        else if (strcmp(argv[index], "--warm-bytes") == 0 && index + 1 < argc) warm_bytes = parse_count(argv[++index], "B");
        else if (strcmp(argv[index], "--container-via-swift") == 0 && index + 1 < argc) swift_runtime = argv[++index];
        else if (index == 3) checkpoints = parse_count(argv[index], "CHECKPOINTS");
        else { fprintf(stderr, "malloc-reference: unknown argument '%s'\n", argv[index]); return 2; }
    }
    if (request == 0 || nodes == 0 || checkpoints == 0) {
        fprintf(stderr, "malloc-reference: REQUEST_BYTES, NODES and CHECKPOINTS must be positive\n");
        return 2;
    }
    if (checkpoints > nodes) checkpoints = nodes;

    page_bytes = sysconf(_SC_PAGESIZE);
    statm_fd = open("/proc/self/statm", O_RDONLY);
    if (statm_fd < 0) { perror("malloc-reference: open /proc/self/statm"); return 2; }
    (void)resident_bytes(); /* warm the reading code and stack, as the lab warms its sampler */
    if (warm_bytes > 0) free(malloc((size_t)warm_bytes));

    void *(*reserve)(size_t) = malloc;
    void *(*swift_slow_alloc)(size_t, size_t) = NULL;
    if (swift_runtime != NULL) {
        void *runtime = dlopen(swift_runtime, RTLD_NOW | RTLD_GLOBAL);
        swift_slow_alloc = runtime ? (void *(*)(size_t, size_t))dlsym(runtime, "swift_slowAlloc") : NULL;
        if (swift_slow_alloc == NULL) { fprintf(stderr, "malloc-reference: no swift_slowAlloc in %s\n", swift_runtime); return 2; }
    }
    size_t container_bytes = (size_t)nodes * sizeof(void *) + 32;
    void **container = NULL;
#define RESERVE() (swift_slow_alloc ? swift_slow_alloc(container_bytes, 15) : reserve(container_bytes))
    if (container_first) container = RESERVE();
    long baseline_file = 0;
    long baseline_metadata = tcmalloc_metadata_bytes();
    long baseline = resident_bytes_split(&baseline_file);
    if (!container_first) container = RESERVE();
    if (container == NULL) { fprintf(stderr, "malloc-reference: cannot reserve the container\n"); return 1; }
    void **slots = (void **)((char *)container + 32);

    long end_rss = baseline, end_file = baseline_file;
    long done = 0;
    for (long k = 1; k <= checkpoints; k++) {
        long until = (long)((double)nodes * (double)k / (double)checkpoints + 0.5);
        if (k == checkpoints) until = nodes;
        for (; done < until; done++) {
            unsigned char *block = malloc(request);
            if (block == NULL) { fprintf(stderr, "malloc-reference: out of memory at %ld\n", done); return 1; }
            memset(block, (int)(done & 0x7F) | 1, request);
            slots[done] = block;
        }
        end_rss = resident_bytes_split(&end_file);
    }

    long end_metadata = tcmalloc_metadata_bytes();
    size_t usable_min = (size_t)-1, usable_max = 0;
    double usable_sum = 0;
    for (long index = 0; index < nodes; index++) {
        size_t usable = malloc_usable_size(slots[index]);
        if (usable < usable_min) usable_min = usable;
        if (usable > usable_max) usable_max = usable;
        usable_sum += (double)usable;
    }
    printf("request_bytes=%zu nodes=%ld usable_bytes_min=%zu usable_bytes_max=%zu usable_bytes_mean=%.4f "
           "baseline_rss_bytes=%ld end_rss_bytes=%ld rss_bytes_per_node=%.4f rss_anon_bytes_per_node=%.4f "
           "rss_file_growth_bytes=%ld tcmalloc_metadata_growth_bytes=%ld\n",
           request, nodes, usable_min, usable_max, usable_sum / (double)nodes, baseline, end_rss,
           (double)(end_rss - baseline) / (double)nodes,
           (double)((end_rss - end_file) - (baseline - baseline_file)) / (double)nodes, end_file - baseline_file,
           baseline_metadata < 0 || end_metadata < 0 ? -1 : end_metadata - baseline_metadata);
    fflush(stdout);
    if (pause_at_end) {
        char line[16];
        if (fgets(line, sizeof line, stdin) == NULL) { /* end of input ends the pause too */ }
    }
    return 0;
}
