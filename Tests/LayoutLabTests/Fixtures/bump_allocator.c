// A deliberately simple allocator for tests: every request of up to 64 bytes gets a 64-byte slot from a bump
// arena, larger ones a 64-byte-aligned block (a 64-byte header before it records the size); free only counts.
// Built at test time and preloaded as a custom allocator, it shows the lab measures an allocator as built.
// Built with -DBUMP_SPIN_ITERATIONS=N, every malloc first runs a loop of N iterations of exactly two
// instructions (decrement, branch): a build slower by a known 2N instructions per call, and otherwise the
// same machine code (the count is data, so the compiler cannot specialise malloc on it).
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define SLOT 64
#ifndef BUMP_ARENA_GIB
#define BUMP_ARENA_GIB 64  // two arenas; valgrind's address space holds 128 GiB in all, so build smaller for it
#endif
#define ARENA_BYTES ((size_t)BUMP_ARENA_GIB << 30)

static char *small_arena, *large_arena;
static size_t small_used, large_used;
static size_t allocations, frees;

#ifndef BUMP_SPIN_ITERATIONS
#define BUMP_SPIN_ITERATIONS 0
#endif
static volatile unsigned long spin_iterations = BUMP_SPIN_ITERATIONS;

static inline __attribute__((always_inline)) void spin(void) {
    unsigned long remaining = spin_iterations;
    if (remaining == 0) return;
#if defined(__x86_64__)
    __asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(remaining));
#elif defined(__aarch64__)
    __asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(remaining) : : "cc");
#else
#error "the spin loop is written for x86-64 and AArch64"
#endif
}

static int ready(void) {
    if (small_arena != NULL) return 1;
    void *small = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void *large = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (small == MAP_FAILED || large == MAP_FAILED) return 0;
    small_arena = small;
    large_arena = large;
    return 1;
}

static int is_small(const void *pointer) {
    return (const char *)pointer >= small_arena && (const char *)pointer < small_arena + ARENA_BYTES;
}

void *malloc(size_t size) {
    if (!ready()) return NULL;
    spin();
    allocations++;
    if (size <= SLOT) {
        void *slot = small_arena + __atomic_fetch_add(&small_used, SLOT, __ATOMIC_RELAXED);
        return slot;
    }
    size_t rounded = (size + SLOT - 1) / SLOT * SLOT;
    char *block = large_arena + __atomic_fetch_add(&large_used, rounded + SLOT, __ATOMIC_RELAXED) + SLOT;
    memcpy(block - sizeof(size_t), &rounded, sizeof(size_t));
    return block;
}

size_t malloc_usable_size(void *pointer) {
    if (pointer == NULL) return 0;
    if (is_small(pointer)) return SLOT;
    size_t size;
    memcpy(&size, (char *)pointer - sizeof(size_t), sizeof(size_t));
    return size;
}

void free(void *pointer) {
    if (pointer != NULL) frees++;
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return malloc(count * size);  // fresh arena memory is already zero
}

void *realloc(void *pointer, size_t size) {
    void *moved = malloc(size);
    if (moved != NULL && pointer != NULL) {
        size_t old = malloc_usable_size(pointer);
        memcpy(moved, pointer, old < size ? old : size);
    }
    return moved;
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment > SLOT) {
        char *block = malloc(size + alignment);
        if (block == NULL) return ENOMEM;
        *out = (void *)(((uintptr_t)block + alignment - 1) & ~(uintptr_t)(alignment - 1));
        return 0;
    }
    *out = malloc(size);
    return *out == NULL ? ENOMEM : 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    void *result = NULL;
    return posix_memalign(&result, alignment, size) == 0 ? result : NULL;
}

void *memalign(size_t alignment, size_t size) { return aligned_alloc(alignment, size); }

/// How many allocations and frees the arena has seen.
size_t bump_allocations(void) { return allocations; }
size_t bump_frees(void) { return frees; }
