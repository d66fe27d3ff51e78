// LayoutLab's allocation tracer: preloaded (LD_PRELOAD) into the one process `layoutlab record` starts, it
// records every malloc, calloc, realloc, free, posix_memalign, aligned_alloc, memalign and malloc_usable_size
// call into a trace file, and passes each call on to the allocator below it (dlsym RTLD_NEXT).
//
// The file format (version 1, little-endian) is described once, in Swift: LayoutLabProtocol/TraceFormat.swift;
// the constants below must equal it (TraceFormatTests reads them from this file). In short: a 32-byte header,
// then chunks (a 24-byte chunk header and its events, each thread's buffer flushed as one chunk), then an end
// record. An event is a kind byte and LEB128 varints: the delta of its sequence number, then its arguments.
//
// What the tracer costs the program: a global mutex around a hash table from pointer to block (the sequence
// number of the event that made it), a 256 KiB buffer per thread, written out when full; `write` under a second
// mutex. Nothing of its own goes through malloc. Traced: the process whose environment names the trace file, and
// the programs it executes in its place (same pid); its children are not traced, and a forked child stops.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#define LLT_MAGIC "LLTRACE"          /* 8 bytes with its NUL */
#define LLT_VERSION 1
#define LLT_HEADER_BYTES 32
#define LLT_CHUNK_MAGIC 0x4B4E4843u  /* "CHNK" */
#define LLT_CHUNK_HEADER_BYTES 24
#define LLT_END_MAGIC 0x444E4554u    /* "TEND" */
#define LLT_END_BYTES 24
#define LLT_KIND_MALLOC 1
#define LLT_KIND_CALLOC 2
#define LLT_KIND_REALLOC 3
#define LLT_KIND_FREE 4
#define LLT_KIND_POSIX_MEMALIGN 5
#define LLT_KIND_ALIGNED_ALLOC 6
#define LLT_KIND_MEMALIGN 7
#define LLT_KIND_USABLE_SIZE 8
#define LLT_FLAG_FAILED 0x80         /* the call returned NULL (or an error): no block */
#define LLT_FLAG_UNKNOWN 0x40        /* the pointer passed in was not a traced block */

#define BUFFER_BYTES (256 * 1024)
#define EVENT_MAX_BYTES 64

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);
typedef void *(*memalign_fn)(size_t, size_t);
typedef size_t (*usable_fn)(void *);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc;
static memalign_fn real_memalign;
static usable_fn real_usable_size;

// --- start-up: the real functions, and a small arena for what dlsym allocates before they are known ---------

static _Atomic int resolving;
static _Atomic int resolved;
static char bootstrap[64 * 1024] __attribute__((aligned(16)));
static size_t bootstrap_used;

static int in_bootstrap(const void *p) { return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof bootstrap; }

static void *bootstrap_alloc(size_t size) {
    size_t aligned = (size + 15) & ~(size_t)15;
    if (bootstrap_used + aligned > sizeof bootstrap) return NULL;
    void *p = bootstrap + bootstrap_used;
    bootstrap_used += aligned;
    return p;  // static storage: already zero, as calloc needs
}

static void resolve(void) {
    if (atomic_load(&resolved)) return;
    atomic_store(&resolving, 1);
    real_malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
    real_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
    real_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
    real_free = (free_fn)dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (memalign_fn)dlsym(RTLD_NEXT, "memalign");
    real_usable_size = (usable_fn)dlsym(RTLD_NEXT, "malloc_usable_size");
    atomic_store(&resolving, 0);
    atomic_store(&resolved, 1);
}

// --- the trace file and the state shared by all threads -----------------------------------------------------

static int trace_fd = -1;
static _Atomic int tracing;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_sequence = 1;  // under table_lock; 0 means "no block"
static _Atomic uint32_t next_thread = 1;
static _Atomic uint64_t dropped_events;
// Traced calls between their check of `tracing` and their event in a buffer: the end waits for none to be left,
// so that no event is lost or torn at exit.
static _Atomic int in_flight;

// Pointer -> block (the sequence number of the event that returned it): open addressing, linear probing,
// backward-shift deletion, in mmap-ed memory, doubled at half full. Under table_lock.
typedef struct { uintptr_t key; uint64_t block; } slot_t;
static slot_t *slots;
static size_t slot_count;
static size_t slots_used;

static size_t slot_of(uintptr_t key) { return (size_t)((key >> 4) * 0x9E3779B97F4A7C15ull) & (slot_count - 1); }

static slot_t *map_slots(size_t count) {
    void *p = mmap(NULL, count * sizeof(slot_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : (slot_t *)p;
}

static void table_insert_raw(uintptr_t key, uint64_t block) {
    size_t i = slot_of(key);
    while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & (slot_count - 1);
    if (slots[i].key == 0) slots_used++;
    slots[i].key = key;
    slots[i].block = block;
}

static int table_grow(void) {
    size_t old_count = slot_count;
    slot_t *old = slots;
    slot_t *fresh = map_slots(old_count ? old_count * 2 : (size_t)1 << 16);
    if (!fresh) return 0;
    slots = fresh;
    slot_count = old_count ? old_count * 2 : (size_t)1 << 16;
    slots_used = 0;
    for (size_t i = 0; i < old_count; i++) if (old[i].key) table_insert_raw(old[i].key, old[i].block);
    if (old) munmap(old, old_count * sizeof(slot_t));
    return 1;
}

// Returns 0 when the table cannot grow (the event is then recorded, its block unknown to later events).
static int table_insert(uintptr_t key, uint64_t block) {
    if ((slots_used + 1) * 2 > slot_count && !table_grow()) return 0;
    table_insert_raw(key, block);
    return 1;
}

// The block of `key`, removed from the table; 0 when it is not there.
static uint64_t table_remove(uintptr_t key) {
    if (!slot_count) return 0;
    size_t i = slot_of(key);
    while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & (slot_count - 1);
    if (slots[i].key == 0) return 0;
    uint64_t block = slots[i].block;
    // Backward-shift deletion: move later members of the cluster into the hole when their home allows it.
    size_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & (slot_count - 1);
        if (slots[j].key == 0) break;
        size_t home = slot_of(slots[j].key);
        if ((hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j)) {
            slots[hole] = slots[j];
            hole = j;
        }
    }
    slots[hole].key = 0;
    slots[hole].block = 0;
    slots_used--;
    return block;
}

static uint64_t table_find(uintptr_t key) {
    if (!slot_count) return 0;
    size_t i = slot_of(key);
    while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & (slot_count - 1);
    return slots[i].key == key ? slots[i].block : 0;
}

// --- per-thread buffers ---------------------------------------------------------------------------------------

typedef struct buffer {
    struct buffer *next;      // every buffer ever made, for the flush at exit
    struct buffer *next_free; // buffers of threads that have ended, for the next new thread
    uint32_t thread;
    uint32_t events;
    uint64_t first_sequence;
    uint64_t last_sequence;
    size_t used;
    unsigned char bytes[BUFFER_BYTES];
} buffer_t;

static __thread buffer_t *own_buffer __attribute__((tls_model("initial-exec")));
static __thread int inside __attribute__((tls_model("initial-exec")));
// This thread's number in the trace, taken at its first traced call and kept for its life (0: none yet): a buffer
// taken again after the thread's exit destructor carries the same number.
static __thread uint32_t own_thread __attribute__((tls_model("initial-exec")));
static buffer_t *all_buffers;  // under write_lock
static buffer_t *free_buffers; // under write_lock
static pthread_key_t exit_key;

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static void write_all(const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(trace_fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

// Writes a buffer's events as one chunk and empties it. Caller holds write_lock.
static void flush_locked(buffer_t *b) {
    if (b->events == 0) return;
    if (trace_fd < 0) {  // the trace has ended: the buffer's events are dropped, and counted
        atomic_fetch_add(&dropped_events, b->events);
        b->events = 0;
        b->used = 0;
        return;
    }
    unsigned char header[LLT_CHUNK_HEADER_BYTES];
    put32(header, LLT_CHUNK_MAGIC);
    put32(header + 4, b->thread);
    put64(header + 8, b->first_sequence);
    put32(header + 16, b->events);
    put32(header + 20, (uint32_t)b->used);
    write_all(header, sizeof header);
    write_all(b->bytes, b->used);
    b->events = 0;
    b->used = 0;
}

// A thread ends: its events are written and its buffer goes to the next new thread (a program that starts
// many short threads would otherwise keep 256 KiB per thread it ever ran). A later allocation of this thread
// (another key's destructor, glibc's own thread teardown) takes a buffer again; its next chunk carries the same
// thread number (own_thread), so a thread is one thread of the trace however often it takes a buffer.
static void thread_exit(void *value) {
    buffer_t *b = (buffer_t *)value;
    inside = 1;
    pthread_mutex_lock(&write_lock);
    flush_locked(b);
    b->next_free = free_buffers;
    free_buffers = b;
    pthread_mutex_unlock(&write_lock);
    own_buffer = NULL;
    inside = 0;
}

static buffer_t *thread_buffer(void) {
    buffer_t *b = own_buffer;
    if (b) return b;
    pthread_mutex_lock(&write_lock);
    b = free_buffers;
    if (b) free_buffers = b->next_free;
    pthread_mutex_unlock(&write_lock);
    if (!b) {
        void *p = mmap(NULL, sizeof(buffer_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
        b = (buffer_t *)p;
        pthread_mutex_lock(&write_lock);
        b->next = all_buffers;
        all_buffers = b;
        pthread_mutex_unlock(&write_lock);
    }
    if (own_thread == 0) own_thread = atomic_fetch_add(&next_thread, 1);
    b->thread = own_thread;
    b->events = 0;
    b->used = 0;
    own_buffer = b;
    pthread_setspecific(exit_key, b);
    return b;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v) {
    while (v >= 0x80) { *p++ = (unsigned char)(v | 0x80); v >>= 7; }
    *p++ = (unsigned char)v;
    return p;
}

// Appends one event (sequence number `sequence`, kind byte, up to three arguments) to this thread's buffer.
static void record(uint64_t sequence, unsigned char kind, int arguments, uint64_t a, uint64_t b2, uint64_t c) {
    buffer_t *b = thread_buffer();
    if (!b) { atomic_fetch_add(&dropped_events, 1); return; }
    if (b->used + EVENT_MAX_BYTES > BUFFER_BYTES) {
        pthread_mutex_lock(&write_lock);
        flush_locked(b);
        pthread_mutex_unlock(&write_lock);
    }
    unsigned char *p = b->bytes + b->used;
    // Sequence numbers rise within a thread; the first event of a chunk has delta 0 from first_sequence.
    if (b->events == 0) { b->first_sequence = sequence; b->last_sequence = sequence; }
    *p++ = kind;
    p = put_varint(p, sequence - b->last_sequence);
    if (arguments > 0) p = put_varint(p, a);
    if (arguments > 1) p = put_varint(p, b2);
    if (arguments > 2) p = put_varint(p, c);
    b->last_sequence = sequence;
    b->used = (size_t)(p - b->bytes);
    b->events++;
}

// --- start and end --------------------------------------------------------------------------------------------

static void stop_in_child(void) { atomic_store(&tracing, 0); trace_fd = -1; }

static void write_end(void) {
    if (!atomic_exchange(&tracing, 0)) return;
    // Calls that saw tracing on finish their event first (each holds `in_flight` from its check to its event).
    while (atomic_load(&in_flight) > 0) sched_yield();
    pthread_mutex_lock(&table_lock);
    uint64_t events = next_sequence - 1;
    pthread_mutex_unlock(&table_lock);
    pthread_mutex_lock(&write_lock);
    for (buffer_t *b = all_buffers; b; b = b->next) flush_locked(b);
    unsigned char end[LLT_END_BYTES];
    memset(end, 0, sizeof end);
    put32(end, LLT_END_MAGIC);
    put32(end + 4, atomic_load(&next_thread) - 1);
    put64(end + 8, events);
    put64(end + 16, atomic_load(&dropped_events));
    write_all(end, sizeof end);
    close(trace_fd);
    trace_fd = -1;
    pthread_mutex_unlock(&write_lock);
}

__attribute__((constructor)) static void start(void) {
    resolve();
    const char *path = getenv("LAYOUTLAB_TRACE_FILE");
    if (!path || !*path) return;
    inside = 1;
    // The process `record` started is traced, whatever program it runs last: a wrapper that executes the real
    // program (pyenv's shims) is followed, since exec keeps the pid; the trace starts again with the new program.
    // Any other process (a child, forked or spawned) finds another pid and is not traced.
    char pid_text[24];
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    const char *traced_pid = getenv("LAYOUTLAB_TRACE_PID");
    if (traced_pid && strcmp(traced_pid, pid_text) != 0) { inside = 0; return; }
    if (!traced_pid) setenv("LAYOUTLAB_TRACE_PID", pid_text, 1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { inside = 0; return; }
    trace_fd = fd;
    pthread_key_create(&exit_key, thread_exit);
    pthread_atfork(NULL, NULL, stop_in_child);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    unsigned char header[LLT_HEADER_BYTES];
    memset(header, 0, sizeof header);
    memcpy(header, LLT_MAGIC, 8);
    put32(header + 8, LLT_VERSION);
    put32(header + 12, LLT_HEADER_BYTES);
    put64(header + 16, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec);
    put32(header + 24, (uint32_t)getpid());
    write_all(header, sizeof header);
    atomic_store(&tracing, 1);
    inside = 0;
}

__attribute__((destructor)) static void finish(void) { write_end(); }

// A program that ends with _exit (dash does, after every command; Python's os._exit) runs no destructor: the end
// is written here. glibc's exit() calls its own _exit internally, not this one, after the destructors.
void _exit(int status) {
    write_end();
    for (;;) syscall(SYS_exit_group, status);
}

void _Exit(int status) { _exit(status); }

// --- the interposed functions ----------------------------------------------------------------------------------

// Whether this call is traced: tracing is on and the call is not the tracer's own (or dlsym's). A call it
// admits is in flight until `leave()`, after its event is buffered.
static int traced(void) {
    if (inside || !atomic_load_explicit(&tracing, memory_order_relaxed)) return 0;
    atomic_fetch_add(&in_flight, 1);
    if (atomic_load(&tracing)) return 1;
    atomic_fetch_sub(&in_flight, 1);
    return 0;
}

static void leave(void) { atomic_fetch_sub(&in_flight, 1); }

// Records an allocation that returned `p` (NULL: failed) as a new block.
static void record_allocation(void *p, unsigned char kind, int arguments, uint64_t a, uint64_t b) {
    inside = 1;
    pthread_mutex_lock(&table_lock);
    uint64_t sequence = next_sequence++;
    if (p) table_insert((uintptr_t)p, sequence);
    pthread_mutex_unlock(&table_lock);
    record(sequence, p ? kind : (unsigned char)(kind | LLT_FLAG_FAILED), arguments, a, b, 0);
    inside = 0;
    leave();
}

void *malloc(size_t size) {
    if (!atomic_load(&resolved)) { if (atomic_load(&resolving)) return bootstrap_alloc(size); resolve(); }
    void *p = real_malloc(size);
    if (traced()) record_allocation(p, LLT_KIND_MALLOC, 1, size, 0);
    return p;
}

void *calloc(size_t count, size_t size) {
    if (!atomic_load(&resolved)) {
        if (atomic_load(&resolving)) return count && size > SIZE_MAX / count ? NULL : bootstrap_alloc(count * size);
        resolve();
    }
    void *p = real_calloc(count, size);
    if (traced()) record_allocation(p, LLT_KIND_CALLOC, 2, count, size);
    return p;
}

void free(void *p) {
    if (!p || in_bootstrap(p)) {
        if (p == NULL && traced()) {
            inside = 1;
            pthread_mutex_lock(&table_lock);
            uint64_t sequence = next_sequence++;
            pthread_mutex_unlock(&table_lock);
            record(sequence, LLT_KIND_FREE, 1, 0, 0, 0);
            inside = 0;
            leave();
        }
        return;
    }
    if (!atomic_load(&resolved)) resolve();
    if (traced()) {
        inside = 1;
        // The block leaves the table before the allocator can hand its address out again, so the free's
        // sequence number is below that of any allocation that returns the same address.
        pthread_mutex_lock(&table_lock);
        uint64_t sequence = next_sequence++;
        uint64_t block = table_remove((uintptr_t)p);
        pthread_mutex_unlock(&table_lock);
        record(sequence, block ? LLT_KIND_FREE : (LLT_KIND_FREE | LLT_FLAG_UNKNOWN), 1, block, 0, 0);
        inside = 0;
        leave();
    }
    real_free(p);
}

void *realloc(void *old, size_t size) {
    if (old && in_bootstrap(old)) {
        void *p = malloc(size);
        if (p) memcpy(p, old, size < (size_t)(bootstrap + sizeof bootstrap - (char *)old) ? size : (size_t)(bootstrap + sizeof bootstrap - (char *)old));
        return p;
    }
    if (!atomic_load(&resolved)) { if (atomic_load(&resolving)) return bootstrap_alloc(size); resolve(); }
    if (!traced()) return real_realloc(old, size);
    inside = 1;
    pthread_mutex_lock(&table_lock);
    uint64_t block = old ? table_remove((uintptr_t)old) : 0;
    pthread_mutex_unlock(&table_lock);
    inside = 0;
    void *p = real_realloc(old, size);
    inside = 1;
    pthread_mutex_lock(&table_lock);
    uint64_t sequence = next_sequence++;
    if (p) table_insert((uintptr_t)p, sequence);
    else if (old && size != 0 && block) table_insert((uintptr_t)old, block);  // failed: the old block lives on
    pthread_mutex_unlock(&table_lock);
    unsigned char kind = LLT_KIND_REALLOC;
    if (!p) kind |= LLT_FLAG_FAILED;
    if (old && !block) kind |= LLT_FLAG_UNKNOWN;
    record(sequence, kind, 2, block, size, 0);
    inside = 0;
    leave();
    return p;
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!atomic_load(&resolved)) resolve();
    int result = real_posix_memalign(out, alignment, size);
    if (traced()) record_allocation(result == 0 ? *out : NULL, LLT_KIND_POSIX_MEMALIGN, 2, alignment, size);
    return result;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!atomic_load(&resolved)) resolve();
    void *p = real_aligned_alloc(alignment, size);
    if (traced()) record_allocation(p, LLT_KIND_ALIGNED_ALLOC, 2, alignment, size);
    return p;
}

void *memalign(size_t alignment, size_t size) {
    if (!atomic_load(&resolved)) resolve();
    void *p = real_memalign(alignment, size);
    if (traced()) record_allocation(p, LLT_KIND_MEMALIGN, 2, alignment, size);
    return p;
}

size_t malloc_usable_size(void *p) {
    if (p && in_bootstrap(p)) return 0;
    if (!atomic_load(&resolved)) resolve();
    size_t usable = real_usable_size(p);
    if (traced()) {
        inside = 1;
        pthread_mutex_lock(&table_lock);
        uint64_t sequence = next_sequence++;
        uint64_t block = p ? table_find((uintptr_t)p) : 0;
        pthread_mutex_unlock(&table_lock);
        record(sequence, (p && !block) ? (LLT_KIND_USABLE_SIZE | LLT_FLAG_UNKNOWN) : LLT_KIND_USABLE_SIZE, 2, block, usable, 0);
        inside = 0;
        leave();
    }
    return usable;
}
