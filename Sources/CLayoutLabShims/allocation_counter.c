// Why C: the Swift runtime's allocation hook is a C function-pointer variable, found with dlsym at run time
// (it exists only in runtimes built with it), and the hook itself must run without allocating or calling back
// into Swift: it is called from inside swift_allocObject.
#define _GNU_SOURCE
#include "layoutlab_shims.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <string.h>

typedef void *(*ll_swift_alloc_fn)(const void *metadata, size_t size, size_t align_mask);

static struct {
    ll_swift_alloc_fn *hook;      // the runtime's `_swift_allocObject` variable
    bool *swizzling;              // the runtime's switch that makes it consult the hook
    ll_swift_alloc_fn original;
    const void *node_metadata;    // allocations with this metadata are the node's own object
    ll_allocation_size_bin *bins; // the caller's open-addressing table of requested sizes, or NULL
    size_t bin_capacity;          // a power of two
    size_t bin_limit;             // at most this many distinct sizes (half the capacity: probes stay short)
    ll_allocation_totals totals;
} ll_counter;

// Fibonacci hashing of the requested size into the table; linear probing. No allocation, no call out.
static ll_allocation_size_bin *ll_size_bin(size_t size) {
    size_t mask = ll_counter.bin_capacity - 1;
    size_t slot = (size_t)(((uint64_t)size * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    for (;;) {
        ll_allocation_size_bin *bin = &ll_counter.bins[slot];
        if (bin->allocations != 0 && bin->requested_bytes == size) return bin;
        if (bin->allocations == 0) {
            if (ll_counter.totals.distinct_sizes >= ll_counter.bin_limit) return NULL;
            bin->requested_bytes = size;
            ll_counter.totals.distinct_sizes += 1;
            return bin;
        }
        slot = (slot + 1) & mask;
    }
}

void ll_allocation_counter_record(const void *metadata, size_t size, size_t usable) {
    ll_allocation_totals *totals = &ll_counter.totals;
    totals->allocations += 1;
    totals->requested_bytes += size;
    totals->usable_bytes += usable;
    if (metadata != NULL && metadata == ll_counter.node_metadata) {
        totals->object_allocations += 1;
        totals->object_requested_bytes += size;
        totals->object_usable_bytes += usable;
    }
    if (ll_counter.bins == NULL) return;
    ll_allocation_size_bin *bin = ll_size_bin(size);
    if (bin == NULL) {
        totals->unbinned_allocations += 1;
        return;
    }
    bin->allocations += 1;
    bin->usable_bytes += usable;
}

static void *ll_counting_alloc(const void *metadata, size_t size, size_t align_mask) {
    void *object = ll_counter.original(metadata, size, align_mask);
    ll_allocation_counter_record(metadata, size, malloc_usable_size(object));
    return object;
}

int ll_allocation_counter_reset(const void *node_metadata, ll_allocation_size_bin *bins, size_t capacity) {
    if (bins != NULL && (capacity < 2 || (capacity & (capacity - 1)) != 0)) return EINVAL;
    memset(&ll_counter.totals, 0, sizeof(ll_counter.totals));
    ll_counter.node_metadata = node_metadata;
    ll_counter.bins = bins;
    ll_counter.bin_capacity = bins == NULL ? 0 : capacity;
    ll_counter.bin_limit = bins == NULL ? 0 : capacity / 2;
    if (bins != NULL) memset(bins, 0, capacity * sizeof(*bins));
    return 0;
}

int ll_swift_allocation_counter_start(const void *node_metadata, ll_allocation_size_bin *bins, size_t capacity) {
    if (ll_counter.hook == NULL) {
        ll_counter.hook = (ll_swift_alloc_fn *)dlsym(RTLD_DEFAULT, "_swift_allocObject");
        ll_counter.swizzling =
            (bool *)dlsym(RTLD_DEFAULT, "_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly");
        if (ll_counter.hook == NULL || ll_counter.swizzling == NULL) {
            ll_counter.hook = NULL;
            return ENOSYS;
        }
        ll_counter.original = *ll_counter.hook;
    }
    int result = ll_allocation_counter_reset(node_metadata, bins, capacity);
    if (result != 0) return result;
    *ll_counter.hook = ll_counting_alloc;
    *ll_counter.swizzling = true;
    return 0;
}

void ll_swift_allocation_counter_stop(ll_allocation_totals *out) {
    if (ll_counter.hook != NULL) {
        *ll_counter.swizzling = false;
        *ll_counter.hook = ll_counter.original;
    }
    *out = ll_counter.totals;
    ll_counter.bins = NULL;
    ll_counter.bin_capacity = 0;
    ll_counter.bin_limit = 0;
}

