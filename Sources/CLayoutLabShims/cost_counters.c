// Why C: `getrusage(RUSAGE_THREAD)` and `perf_event_open` are declared only under _GNU_SOURCE or in Linux
// headers Swift's Glibc module does not import, and callgrind's client requests are inline-assembly macros.
// Nothing here allocates or prints: these run at every checkpoint, between the timed stretches.
#define _GNU_SOURCE
#include "layoutlab_shims.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define LL_HAVE_CALLGRIND 1
#else
#define LL_HAVE_CALLGRIND 0
#endif

int ll_thread_usage_read(ll_thread_usage *out) {
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) return errno;
    out->minor_faults = usage.ru_minflt;
    out->major_faults = usage.ru_majflt;
    out->voluntary_switches = usage.ru_nvcsw;
    out->involuntary_switches = usage.ru_nivcsw;
    return 0;
}

// MARK: hardware counters

static int ll_perf_open(uint32_t type, uint64_t config, int group) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = type;
    attr.config = config;
    attr.exclude_kernel = 1;  // user space only: the layout's code and the allocator's, not the page faults
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    attr.disabled = group == -1;  // the leader starts disabled and enables the whole group once complete
    // pid 0, cpu -1: this thread on any CPU. The worker measures on its main thread only.
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group, PERF_FLAG_FD_CLOEXEC);
}

int ll_hardware_counters_open(ll_hardware_counters *counters) {
    static const uint64_t dtlb_read_miss = PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8)
        | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
    const uint32_t types[4] = { PERF_TYPE_HARDWARE, PERF_TYPE_HARDWARE, PERF_TYPE_HARDWARE, PERF_TYPE_HW_CACHE };
    const uint64_t configs[4] = {
        PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_HW_CPU_CYCLES, PERF_COUNT_HW_CACHE_MISSES, dtlb_read_miss,
    };
    counters->members = 0;
    for (int k = 0; k < 4; k++) {
        counters->descriptors[k] = -1;
        counters->slot[k] = -1;
    }
    int leader = ll_perf_open(types[0], configs[0], -1);
    if (leader < 0) return errno;
    counters->leader = leader;
    for (int k = 0; k < 4; k++) {
        int descriptor = k == 0 ? leader : ll_perf_open(types[k], configs[k], leader);
        if (descriptor < 0) continue;  // this event is missing; the others still count
        counters->descriptors[k] = descriptor;
        counters->slot[k] = counters->members++;
    }
    if (ioctl(leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) != 0) {
        int error = errno;
        ll_hardware_counters_close(counters);
        return error;
    }
    return 0;
}

int ll_hardware_counters_read(const ll_hardware_counters *counters, ll_hardware_counts *out) {
    // PERF_FORMAT_GROUP with both times: nr, time_enabled, time_running, then one value per member.
    uint64_t buffer[3 + 4];
    ssize_t expected = (ssize_t)((3 + counters->members) * sizeof(uint64_t));
    ssize_t count;
    do {
        count = read(counters->leader, buffer, sizeof(buffer));
    } while (count < 0 && errno == EINTR);
    if (count < 0) return errno;
    if (count != expected || buffer[0] != (uint64_t)counters->members) return EIO;
    out->enabled_ns = buffer[1];
    out->running_ns = buffer[2];
    for (int k = 0; k < 4; k++) {
        out->events[k] = counters->slot[k] < 0 ? UINT64_MAX : buffer[3 + counters->slot[k]];
    }
    return 0;
}

void ll_hardware_counters_close(ll_hardware_counters *counters) {
    for (int k = 0; k < 4; k++) {
        if (counters->descriptors[k] >= 0) close(counters->descriptors[k]);
        counters->descriptors[k] = -1;
        counters->slot[k] = -1;
    }
    counters->members = 0;
    counters->leader = -1;
}

// MARK: callgrind

int ll_callgrind_present(void) {
#if LL_HAVE_CALLGRIND
    return RUNNING_ON_VALGRIND ? 1 : 0;
#else
    return -ENOSYS;
#endif
}

void ll_callgrind_toggle_collect(void) {
#if LL_HAVE_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
}

void ll_callgrind_zero_stats(void) {
#if LL_HAVE_CALLGRIND
    CALLGRIND_ZERO_STATS;
#endif
}

void ll_callgrind_dump_phase(int phase_index) {
#if LL_HAVE_CALLGRIND
    char description[40];
    snprintf(description, sizeof(description), "layoutlab-phase-%d", phase_index);
    CALLGRIND_DUMP_STATS_AT(description);
#else
    (void)phase_index;
#endif
}
