// A small, complete malloc for `layoutlab bisect` tests, compiled at test time into a series of builds with
// -DLAB_BUILD=k (k = 1, 2, ...). Every build is the same allocator, except that from build LAB_REGRESSION_BUILD
// on (default 6) each small size class is 16 bytes larger: a request of n bytes gets 16·⌈n/16⌉ usable bytes
// before that build and 16·⌈n/16⌉ + 16 from it on. So from that build every small block costs exactly 16 bytes
// more, in usable bytes and in resident memory (a final class of two int64: usable 32 → 48, block 48 → 64).
//
// Design (it need not be fast): one 64 GiB reservation (MAP_NORESERVE), carved by a bump pointer; each block
// is a 16-byte header (its usable size and kind) and the payload, 16-byte aligned. Freed small blocks go on a
// free list per size class; freed large blocks (over SMALL_MAX) give their pages back (MADV_DONTNEED) and
// go on one first-fit list. Aligned requests above 16 bytes are carved out of a larger block, with a header
// of their own that points back. One mutex guards everything (the Swift runtime and the lab may use
// threads), held across fork by pthread_atfork handlers. Pointers from outside the reservation (the dynamic
// loader's own early allocations) are never touched by free; realloc of one aborts rather than guess.
//
// It offers no statistics interface: the lab reads it with `"statistics": "none"` (its allocator_* cells
// are empty), and it defines malloc_usable_size, which the lab's probe and the Swift runtime call.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef LAB_BUILD
#error "build with -DLAB_BUILD=k"
#endif
#ifndef LAB_REGRESSION_BUILD
#define LAB_REGRESSION_BUILD 6
#endif

#define HEADER 16
#define ALIGNMENT 16
#define SMALL_MAX 4096
#define CLASSES (SMALL_MAX / ALIGNMENT + 2)
#define ARENA_BYTES ((size_t)64 << 30)
#define MAGIC 0x4C41424Du  // "LABM"

enum kind { SMALL = 1, LARGE = 2, ALIGNED = 3 };

// Before every payload. `usable` is the payload's size; for ALIGNED, `offset` is how far the payload lies past
// the payload of the block it was carved from.
struct header {
    uint32_t usable;
    uint16_t kind;
    uint16_t class_index;
    uint32_t offset;
    uint32_t magic;
};
_Static_assert(sizeof(struct header) == HEADER, "the header is 16 bytes");

struct free_block { struct free_block *next; };
struct free_large { struct free_large *next; size_t usable; };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *arena;
static size_t arena_used;
static struct free_block *free_lists[CLASSES];
static struct free_large *free_large;
static size_t page_bytes = 4096;

/// Which build this is (it makes every build's bytes differ, as real builds do).
int lab_allocator_build(void) { return LAB_BUILD; }

static void fail(const char *message) {
    ssize_t ignored = write(2, message, strlen(message));
    (void)ignored;
    abort();
}

static void prepare(void) { pthread_mutex_lock(&lock); }
static void release(void) { pthread_mutex_unlock(&lock); }

__attribute__((constructor)) static void install_fork_handlers(void) { pthread_atfork(prepare, release, release); }

/// The usable size of a small class for a request of `size` bytes (this build's size classes).
static size_t small_usable(size_t size) {
    size_t rounded = size == 0 ? ALIGNMENT : (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    return LAB_BUILD >= LAB_REGRESSION_BUILD ? rounded + ALIGNMENT : rounded;
}

static int in_arena(const void *pointer) {
    return arena != NULL && (const char *)pointer >= arena + HEADER && (const char *)pointer < arena + ARENA_BYTES;
}

static struct header *header_of(void *payload) { return (struct header *)((char *)payload - HEADER); }

/// Bump-allocates header + `usable` bytes; the caller holds the lock.
static void *carve(size_t usable) {
    if (arena == NULL) {
        long page = sysconf(_SC_PAGESIZE);
        if (page > 0) page_bytes = (size_t)page;
        void *reserved = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (reserved == MAP_FAILED) return NULL;
        arena = reserved;
    }
    if (usable > ARENA_BYTES || arena_used + HEADER + usable > ARENA_BYTES) return NULL;
    char *block = arena + arena_used;
    arena_used += HEADER + usable;
    return block + HEADER;
}

static void *allocate_locked(size_t size) {
    if (size > ((size_t)1 << 31)) return NULL;
    void *payload;
    struct header *header;
    if (size <= SMALL_MAX) {
        size_t usable = small_usable(size);
        size_t index = usable / ALIGNMENT;
        if (free_lists[index] != NULL) {
            payload = free_lists[index];
            free_lists[index] = free_lists[index]->next;
        } else if ((payload = carve(usable)) == NULL) {
            return NULL;
        }
        header = header_of(payload);
        header->kind = SMALL;
        header->class_index = (uint16_t)index;
        header->usable = (uint32_t)usable;
    } else {
        // Whole pages, header included, so that a freed block's pages after its first can be given back.
        size_t usable = ((size + HEADER + page_bytes - 1) / page_bytes) * page_bytes - HEADER;
        struct free_large **link = &free_large;
        while (*link != NULL && (*link)->usable < usable) link = &(*link)->next;
        if (*link != NULL) {
            payload = *link;
            usable = (*link)->usable;
            *link = (*link)->next;
        } else {
            // Page-align the block's start: pad the bump pointer with a header-sized step at a time.
            while ((((uintptr_t)(arena == NULL ? 0 : arena_used)) % page_bytes) != 0) {
                if (carve(0) == NULL) return NULL;
            }
            if ((payload = carve(usable)) == NULL) return NULL;
        }
        header = header_of(payload);
        header->kind = LARGE;
        header->class_index = 0;
        header->usable = (uint32_t)usable;
    }
    header->offset = 0;
    header->magic = MAGIC;
    return payload;
}

static void release_locked(void *payload) {
    struct header *header = header_of(payload);
    if (header->magic != MAGIC) fail("bisect_allocator: free of a pointer it did not allocate\n");
    if (header->kind == ALIGNED) {
        release_locked((char *)payload - header->offset);
        return;
    }
    if (header->kind == SMALL) {
        struct free_block *block = payload;
        block->next = free_lists[header->class_index];
        free_lists[header->class_index] = block;
        return;
    }
    // LARGE: the pages after the one holding the header go back to the system.
    char *start = (char *)header;
    size_t total = HEADER + header->usable;
    if (total > page_bytes) madvise(start + page_bytes, total - page_bytes, MADV_DONTNEED);
    struct free_large *block = payload;
    block->usable = header->usable;
    block->next = free_large;
    free_large = block;
}

static size_t usable_locked(void *payload) {
    struct header *header = header_of(payload);
    return header->usable;
}

void *malloc(size_t size) {
    pthread_mutex_lock(&lock);
    void *payload = allocate_locked(size);
    pthread_mutex_unlock(&lock);
    if (payload == NULL) errno = ENOMEM;
    return payload;
}

void free(void *payload) {
    if (payload == NULL || !in_arena(payload)) return;
    pthread_mutex_lock(&lock);
    release_locked(payload);
    pthread_mutex_unlock(&lock);
}

size_t malloc_usable_size(void *payload) {
    if (payload == NULL || !in_arena(payload)) return 0;
    return usable_locked(payload);
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    // Not malloc + memset: the compiler would turn that pair into a call of calloc, this very function.
    pthread_mutex_lock(&lock);
    void *payload = allocate_locked(count * size);
    pthread_mutex_unlock(&lock);
    if (payload == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memset(payload, 0, count * size);  // a recycled block is not zero
    return payload;
}

void *realloc(void *payload, size_t size) {
    if (payload == NULL) return malloc(size);
    if (!in_arena(payload)) fail("bisect_allocator: realloc of a pointer it did not allocate\n");
    if (size == 0) {
        free(payload);
        return NULL;
    }
    size_t old = malloc_usable_size(payload);
    if (size <= old && header_of(payload)->kind != ALIGNED) return payload;
    void *moved = malloc(size);
    if (moved == NULL) return NULL;
    memcpy(moved, payload, old < size ? old : size);
    free(payload);
    return moved;
}

void *reallocarray(void *payload, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(payload, count * size);
}

/// A payload aligned to `alignment` (a power of two): carved out of a block large enough to hold it and a
/// header of its own in front, which points back to the block.
static void *aligned(size_t alignment, size_t size) {
    if (alignment <= ALIGNMENT) return malloc(size);
    if (size > ((size_t)1 << 31)) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&lock);
    char *outer = allocate_locked(size + alignment + HEADER);
    void *payload = NULL;
    if (outer != NULL) {
        char *inner = (char *)(((uintptr_t)outer + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1));
        struct header *header = header_of(inner);
        header->kind = ALIGNED;
        header->class_index = 0;
        header->offset = (uint32_t)(inner - outer);
        header->usable = (uint32_t)(usable_locked(outer) - header->offset);
        header->magic = MAGIC;
        payload = inner;
    }
    pthread_mutex_unlock(&lock);
    if (payload == NULL) errno = ENOMEM;
    return payload;
}

static int power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!power_of_two(alignment) || alignment % sizeof(void *) != 0) return EINVAL;
    void *payload = aligned(alignment, size);
    if (payload == NULL) return ENOMEM;
    *out = payload;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    if (!power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(alignment, size);
}

void *valloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size); }

void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned(page, (size + page - 1) / page * page);
}
