// An independent witness of what a program asks malloc for: every malloc(size) is counted by size and forwarded
// to glibc (__libc_malloc), which serves it; at exit, one "size count" line per size seen goes to the file
// $LL_MALLOC_CENSUS.<pid>. Preloaded as a custom allocator in a test, it shows that the bytes the lab's probe reports as
// requested are the bytes the Swift runtime passed to malloc. Sizes of 64 KiB and more are counted together
// under 65536. Built at test time.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);

#define CENSUS_SIZES 65536
static uint64_t census[CENSUS_SIZES + 1];

void *malloc(size_t size) {
    __atomic_fetch_add(&census[size < CENSUS_SIZES ? size : CENSUS_SIZES], 1, __ATOMIC_RELAXED);
    return __libc_malloc(size);
}

__attribute__((destructor)) static void write_census(void) {
    const char *path = getenv("LL_MALLOC_CENSUS");
    if (path == NULL) return;
    char name[4096];
    snprintf(name, sizeof name, "%s.%d", path, (int)getpid());
    FILE *file = fopen(name, "w");
    if (file == NULL) return;
    for (size_t size = 0; size <= CENSUS_SIZES; size++) {
        if (census[size] != 0) fprintf(file, "%zu %llu\n", size, (unsigned long long)census[size]);
    }
    fclose(file);
}
