// An independent witness of which thread frees what another allocated: every malloc of exactly $LL_CENSUS_SIZE
// bytes made by a thread other than the process's main thread is recorded (block → allocating thread) in a
// lock-free open-addressing table; every free of a recorded block counts as "same" when the freeing thread is
// the allocating one, "cross" otherwise. Blocks are served by glibc (__libc_malloc, __libc_free). At exit,
// "same S\ncross C\n" goes to $LL_THREAD_CENSUS.<pid>. Preloaded as a custom allocator in a test, it shows that
// remote-free frees no node on the thread that built it. Built at test time. A process that leaves through
// _exit (the Python worker's os._exit) writes it there: _exit runs no destructors.
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *pointer);

#define TABLE_SIZE (1u << 22)
#define TOMBSTONE ((uintptr_t)1)
static uintptr_t keys[TABLE_SIZE];
static int32_t owners[TABLE_SIZE];
static uint64_t same_thread, cross_thread;
static __thread int32_t thread_id;

static int32_t current_thread(void) {
    if (thread_id == 0) thread_id = (int32_t)syscall(SYS_gettid);
    return thread_id;
}

static size_t tracked_size(void) {
    static size_t size = (size_t)-1;
    if (size == (size_t)-1) {
        const char *text = getenv("LL_CENSUS_SIZE");
        size = text == NULL ? 0 : (size_t)strtoull(text, NULL, 10);
    }
    return size;
}

static size_t slot_of(uintptr_t key) { return (size_t)((key >> 4) * 0x9E3779B97F4A7C15ull >> 42) & (TABLE_SIZE - 1); }

void *malloc(size_t size) {
    void *block = __libc_malloc(size);
    if (block == NULL || size != tracked_size() || current_thread() == (int32_t)getpid()) return block;
    uintptr_t key = (uintptr_t)block;
    for (size_t probe = 0, slot = slot_of(key); probe < TABLE_SIZE; probe++, slot = (slot + 1) & (TABLE_SIZE - 1)) {
        uintptr_t expected = 0;
        if (__atomic_compare_exchange_n(&keys[slot], &expected, key, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&owners[slot], current_thread(), __ATOMIC_RELEASE);
            break;
        }
    }
    return block;
}

void free(void *block) {
    if (block != NULL) {
        uintptr_t key = (uintptr_t)block;
        for (size_t probe = 0, slot = slot_of(key); probe < TABLE_SIZE; probe++, slot = (slot + 1) & (TABLE_SIZE - 1)) {
            uintptr_t seen = __atomic_load_n(&keys[slot], __ATOMIC_ACQUIRE);
            if (seen == 0) break;
            if (seen == key) {
                int32_t owner = __atomic_load_n(&owners[slot], __ATOMIC_ACQUIRE);
                __atomic_fetch_add(owner == current_thread() ? &same_thread : &cross_thread, 1, __ATOMIC_RELAXED);
                __atomic_store_n(&keys[slot], TOMBSTONE, __ATOMIC_RELEASE);
                break;
            }
        }
    }
    __libc_free(block);
}

__attribute__((destructor)) static void write_census(void) {
    const char *path = getenv("LL_THREAD_CENSUS");
    if (path == NULL) return;
    char name[4096];
    snprintf(name, sizeof name, "%s.%d", path, (int)getpid());
    FILE *file = fopen(name, "w");
    if (file == NULL) return;
    fprintf(file, "same %llu\ncross %llu\n", (unsigned long long)same_thread, (unsigned long long)cross_thread);
    fclose(file);
}

// os._exit calls libc's _exit through the PLT: write the census, then leave as _exit does.
__attribute__((noreturn)) void _exit(int status) {
    write_census();
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}
