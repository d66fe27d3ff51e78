// LayoutLab's allocator agent: preloaded (LD_PRELOAD, after the allocator's own library) into a measured
// program, it reports the allocator's own figures, the same ones the worker samples, read and mapped by the
// same C (ll_allocator_statistics.h), to an inherited descriptor. The report is text, a line per write(2) of
// less than 4096 bytes (atomic on a pipe); AgentReport (LayoutLabProtocol) reads it:
//
//   provider <path>                              at load: the file whose `malloc` the program calls (dladdr
//                                                of dlsym(RTLD_DEFAULT, "malloc"), the worker's proof)
//   unreadable <source> errno=<n>                once, if the allocator's statistics cannot be read
//   stats <elapsed_ns> sample_ns=<n> allocated=<n> active=<n> resident=<n> metadata=<n> mapped=<n> retained=<n>
//                                                bytes; a figure the allocator lacks is left out, never 0;
//                                                on each timer tick and once at exit; sample_ns: what reading
//                                                the figures took (elapsed_ns is when the read began)
//   end <elapsed_ns> vm_hwm_bytes=<n> vm_rss_bytes=<n> lines_lost=<n>
//                                                last, at exit (destructor, and _exit/_Exit: dash, os._exit);
//                                                lines_lost: lines a write refused (a full non-blocking
//                                                pipe: lost, never waited for), this image's and, through
//                                                LAYOUTLAB_AGENT_LOST, those of the images before it
//
// elapsed_ns: CLOCK_MONOTONIC since LAYOUTLAB_AGENT_EPOCH_NS (the monitor's clock when it started the program:
// every image of the process, and the monitor's samples, on one axis), or since this image loaded without it.
// Environment: LAYOUTLAB_AGENT_FD (the descriptor), LAYOUTLAB_AGENT_PIPE (<st_dev>:<st_ino> of that pipe: a
// descriptor the program reopened as something else is never written to; without it, any open descriptor),
// LAYOUTLAB_AGENT_STATISTICS (jemalloc|mallinfo2|mimalloc|tcmalloc|none), LAYOUTLAB_AGENT_INTERVAL_MS (optional
// timer; its ticks fall on the epoch's grid), LAYOUTLAB_AGENT_PID (claimed by the first image: an exec'd image of the same process reports
// again, any other process, forked or spawned, never writes). The agent writes to a close-on-exec copy of the
// descriptor of its own (a program that closes or reuses the inherited one does not cut the report off); an
// exec'd image finds the inherited one by its number, and reports only if it is still that pipe.
//
// What the agent costs the program: nothing of its own code calls malloc (stack buffers, its own number
// formatting; the pid is put into the environment by replacing the empty LAYOUTLAB_AGENT_PID entry the lab
// passes, without allocating; only when that entry is missing does setenv allocate once). With a timer, one
// thread (64 KiB stack, all signals blocked) made at load: glibc allocates its thread-local block, and each
// tick takes the allocator's statistics locks.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LL_ALLOCATOR_STATISTICS_IMPLEMENTATION
#include "ll_allocator_statistics.h"

#define LINE_BYTES 4000  /* below PIPE_BUF (4096): one write is one atomic line */
#define PID_VARIABLE "LAYOUTLAB_AGENT_PID"

static const char *const figure_names[LL_FIGURE_COUNT] = {
    "allocated", "active", "resident", "metadata", "mapped", "retained",
};
static const char *const source_names[] = {"none", "jemalloc", "mallinfo2", "mimalloc", "tcmalloc"};

static int report_fd = -1;
// Lines a write refused (the lab's pipe is non-blocking: a full pipe loses a line rather than stopping the
// program), by this image and the images before it in this process; said in `end`. The count crosses an exec in
// the 20 digits of the LAYOUTLAB_AGENT_LOST entry the lab passes, rewritten in place (nothing allocated).
static int64_t lines_lost;
static char *lost_digits;
#define LOST_DIGITS 20
static int pipe_known;  // LAYOUTLAB_AGENT_PIPE was given (the lab always gives it)
static dev_t pipe_device;
static ino_t pipe_inode;
static pid_t own_pid;
static int source = LL_SOURCE_NONE;
static struct timespec loaded;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int ended;             // under report_lock
static int said_unreadable;   // under report_lock
static char pid_entry[sizeof PID_VARIABLE "=" + 24];

extern char **environ;

// --- lines, on the stack ---------------------------------------------------------------------------------------

typedef struct {
    char text[LINE_BYTES];
    size_t used;
} line_t;

static void put_text(line_t *line, const char *text) {
    size_t length = strlen(text);
    if (length > sizeof line->text - 1 - line->used) length = sizeof line->text - 1 - line->used;
    memcpy(line->text + line->used, text, length);
    line->used += length;
}

static void put_int(line_t *line, int64_t value) {
    char digits[24];
    int count = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do { digits[count++] = (char)('0' + magnitude % 10); magnitude /= 10; } while (magnitude);
    if (value < 0) digits[count++] = '-';
    char text[24];
    for (int i = 0; i < count; i++) text[i] = digits[count - 1 - i];
    text[count] = 0;
    put_text(line, text);
}

// Whether `fd` is the lab's pipe (its device and inode those LAYOUTLAB_AGENT_PIPE named); without that variable
// (the agent run by hand, or by its tests), any open descriptor.
static int is_report_pipe(int fd) {
    if (!pipe_known) return fcntl(fd, F_GETFD) >= 0;
    struct stat info;
    return fstat(fd, &info) == 0 && S_ISFIFO(info.st_mode) && info.st_dev == pipe_device && info.st_ino == pipe_inode;
}

// One write(2) of the whole line and its newline; a line the pipe refuses (full, closed) is lost and counted, never
// split (the lab's pipe is non-blocking; a blocking descriptor would make the program wait for its reader);
// nothing is written to a descriptor that is no longer the pipe (the program closed all it had, and opened a file).
static void emit(line_t *line) {
    if (!is_report_pipe(report_fd)) return;
    line->text[line->used++] = '\n';
    ssize_t written;
    do { written = write(report_fd, line->text, line->used); } while (written < 0 && errno == EINTR);
    if (written < 0) {
        lines_lost++;
        if (lost_digits) {
            int64_t rest = lines_lost;
            for (int i = LOST_DIGITS - 1; i >= 0; i--) { lost_digits[i] = (char)('0' + rest % 10); rest /= 10; }
        }
    }
}

static int64_t elapsed_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - loaded.tv_sec) * 1000000000 + (now.tv_nsec - loaded.tv_nsec);
}

// Whether this process reports: the agent started, and this is not a forked child of the process it started in.
static int reporting(void) { return report_fd >= 0 && getpid() == own_pid; }

// --- the report --------------------------------------------------------------------------------------------------

// One `stats` line (and, the first time a read fails, `unreadable`). Caller holds report_lock.
static void write_statistics_locked(void) {
    ll_allocator_figures figures;
    int64_t began = elapsed_ns();
    int result = llr_read_figures(source, &figures);
    int64_t took = elapsed_ns() - began;
    line_t line = {.used = 0};
    if (result != 0 && !said_unreadable) {
        said_unreadable = 1;
        put_text(&line, "unreadable ");
        put_text(&line, source_names[source]);
        put_text(&line, " errno=");
        put_int(&line, result);
        emit(&line);
        line.used = 0;
    }
    put_text(&line, "stats ");
    put_int(&line, began);
    put_text(&line, " sample_ns=");
    put_int(&line, took);
    for (int i = 0; i < LL_FIGURE_COUNT; i++) {
        if (!(figures.present & (1u << i))) continue;
        put_text(&line, " ");
        put_text(&line, figure_names[i]);
        put_text(&line, "=");
        put_int(&line, figures.bytes[i]);
    }
    emit(&line);
}

// The kB figure after `name` ("VmHWM:") at the start of a line of /proc/self/status, in bytes; -1 if absent.
static int64_t status_bytes(const char *status, const char *name) {
    size_t length = strlen(name);
    for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, length) != 0) continue;
        p += length;
        while (*p == ' ' || *p == '\t') p++;
        if (*p < '0' || *p > '9') return -1;
        int64_t kib = 0;
        while (*p >= '0' && *p <= '9') kib = kib * 10 + (*p++ - '0');
        return kib * 1024;
    }
    return -1;
}

static void write_end(void) {
    if (!reporting()) return;
    pthread_mutex_lock(&report_lock);
    if (ended) { pthread_mutex_unlock(&report_lock); return; }
    ended = 1;
    write_statistics_locked();
    char status[8192];
    ssize_t total = 0;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        for (;;) {
            ssize_t got = read(fd, status + total, sizeof status - 1 - (size_t)total);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            total += got;
        }
        close(fd);
    }
    status[total] = 0;
    line_t line = {.used = 0};
    put_text(&line, "end ");
    put_int(&line, elapsed_ns());
    int64_t hwm = status_bytes(status, "VmHWM:"), rss = status_bytes(status, "VmRSS:");
    if (hwm >= 0) { put_text(&line, " vm_hwm_bytes="); put_int(&line, hwm); }
    if (rss >= 0) { put_text(&line, " vm_rss_bytes="); put_int(&line, rss); }
    put_text(&line, " lines_lost=");
    put_int(&line, lines_lost);
    // The last line is worth a short wait (the program is ending anyway): up to 200 ms for room in a full pipe, so
    // that a trial the monitor fell behind on says it lost lines rather than that it never ended.
    struct pollfd room = {.fd = report_fd, .events = POLLOUT, .revents = 0};
    if (poll(&room, 1, 0) == 0) poll(&room, 1, 200);
    emit(&line);
    pthread_mutex_unlock(&report_lock);
}

// --- the timer ---------------------------------------------------------------------------------------------------

static int64_t interval_ns;

static void *tick(void *unused) {
    (void)unused;
    // The first tick is the epoch's first grid point after now: an image exec'd late does not catch up on the
    // ticks before it existed.
    int64_t tick_ns = (elapsed_ns() / interval_ns + 1) * interval_ns;
    for (;;) {
        int64_t at_ns = (int64_t)loaded.tv_nsec + tick_ns;
        struct timespec next = {.tv_sec = loaded.tv_sec + (time_t)(at_ns / 1000000000), .tv_nsec = (long)(at_ns % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
        if (!reporting()) return NULL;
        pthread_mutex_lock(&report_lock);
        int stop = ended;
        if (!stop) write_statistics_locked();
        pthread_mutex_unlock(&report_lock);
        if (stop) return NULL;
        // The next tick is the first grid point after now: ticks missed while the program was stopped or starved
        // are skipped, never caught up.
        tick_ns = (elapsed_ns() / interval_ns + 1) * interval_ns;
    }
}

static void start_timer(void) {
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) return;
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);  // the thread inherits the mask: the program's signals are not its
    pthread_t thread;
    if (pthread_create(&thread, &attributes, tick, NULL) == 0) pthread_setname_np(thread, "layoutlab-agent");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attributes);
}

// --- start and end -----------------------------------------------------------------------------------------------

static int parse_int(const char *text, int64_t *value) {
    if (!text || !*text) return 0;
    int64_t result = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || result > (INT64_MAX - 9) / 10) return 0;
        result = result * 10 + (*p - '0');
    }
    *value = result;
    return 1;
}

// Puts LAYOUTLAB_AGENT_PID=<pid> into the environment: in place of the (empty) entry the lab passed, from static
// storage, so nothing is allocated; setenv only when there is no entry to take.
static void claim_pid(pid_t pid) {
    line_t digits = {.used = 0};
    put_int(&digits, pid);
    digits.text[digits.used] = 0;
    memcpy(pid_entry, PID_VARIABLE "=", sizeof PID_VARIABLE);
    memcpy(pid_entry + sizeof PID_VARIABLE, digits.text, digits.used + 1);
    for (char **entry = environ; entry && *entry; entry++) {
        if (strncmp(*entry, PID_VARIABLE "=", sizeof PID_VARIABLE) == 0) { *entry = pid_entry; return; }
    }
    setenv(PID_VARIABLE, digits.text, 1);
}

/// For a non-PIE executable that calls malloc, `dlsym(RTLD_DEFAULT, "malloc")` is the executable's canonical PLT
/// entry, an undefined symbol of the executable: the object that serves it is the first loaded after the executable
/// that defines malloc (the dynamic loader's search order). Its path, or NULL. (dlopen with RTLD_NOLOAD opens nothing;
/// it runs once, at load.)
static const char *provider_behind_plt(struct link_map *executable) {
    for (struct link_map *object = executable->l_next; object; object = object->l_next) {
        if (!object->l_name || !*object->l_name) continue;
        void *handle = dlopen(object->l_name, RTLD_LAZY | RTLD_NOLOAD);
        if (!handle) continue;
        void *defined = dlsym(handle, "malloc");
        Dl_info info;
        struct link_map *owner = NULL;
        int found = defined && dladdr1(defined, &info, (void **)&owner, RTLD_DL_LINKMAP) && owner == object;
        dlclose(handle);
        if (found) return object->l_name;
    }
    return NULL;
}

static void write_provider(void) {
    line_t line = {.used = 0};
    put_text(&line, "provider ");
    Dl_info info;
    struct link_map *map = NULL;
    const ElfW(Sym) *entry = NULL;
    void *symbol = dlsym(RTLD_DEFAULT, "malloc");
    if (symbol && dladdr1(symbol, &info, (void **)&map, RTLD_DL_LINKMAP) && map && !map->l_prev
        && dladdr1(symbol, &info, (void **)&entry, RTLD_DL_SYMENT) && (!entry || entry->st_shndx == SHN_UNDEF)) {
        // The executable's PLT entry, not its own malloc.
        const char *behind = provider_behind_plt(map);
        if (!behind) return;
        put_text(&line, behind);
    } else if (symbol && dladdr(symbol, &info) && info.dli_fname && *info.dli_fname) {
        put_text(&line, info.dli_fname);
    } else if (symbol) {  // the main program's own malloc: dladdr names it ""
        char path[1024];
        ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
        if (length <= 0) return;
        path[length] = 0;
        put_text(&line, path);
    } else {
        return;
    }
    emit(&line);
}

// LAYOUTLAB_AGENT_PIPE: "<st_dev>:<st_ino>" of the pipe, into pipe_device and pipe_inode; absent: 1, nothing
// known; malformed: 0 (the agent stays silent).
static int parse_pipe(const char *text) {
    if (!text) return 1;
    const char *colon = strchr(text, ':');
    if (!colon || colon - text > 20) return 0;
    char device[24];
    memcpy(device, text, (size_t)(colon - text));
    device[colon - text] = 0;
    int64_t device_number, inode_number;
    if (!parse_int(device, &device_number) || !parse_int(colon + 1, &inode_number)) return 0;
    pipe_device = (dev_t)device_number;
    pipe_inode = (ino_t)inode_number;
    pipe_known = 1;
    return 1;
}

__attribute__((constructor)) static void start(void) {
    clock_gettime(CLOCK_MONOTONIC, &loaded);
    int64_t epoch_ns;
    if (parse_int(getenv("LAYOUTLAB_AGENT_EPOCH_NS"), &epoch_ns)) {
        loaded.tv_sec = (time_t)(epoch_ns / 1000000000);
        loaded.tv_nsec = (long)(epoch_ns % 1000000000);
    }
    int64_t fd;
    if (!parse_int(getenv("LAYOUTLAB_AGENT_FD"), &fd) || fd > INT32_MAX || !parse_pipe(getenv("LAYOUTLAB_AGENT_PIPE"))
        || !is_report_pipe((int)fd)) return;
    pid_t pid = getpid();
    int64_t claimed;
    const char *claimed_text = getenv(PID_VARIABLE);
    if (claimed_text && *claimed_text) {
        if (!parse_int(claimed_text, &claimed) || claimed != pid) return;  // another process's agent: silent
    } else {
        // Unclaimed: only the process the monitor started may claim it (its parent is the monitor), so that a child of
        // a program the preload did not reach (a static binary) never reports as the program.
        int64_t parent;
        const char *parent_text = getenv("LAYOUTLAB_AGENT_PARENT");
        if (parent_text && *parent_text && (!parse_int(parent_text, &parent) || parent != getppid())) return;
        claim_pid(pid);
    }
    const char *statistics = getenv("LAYOUTLAB_AGENT_STATISTICS");
    for (int i = 0; statistics && i < (int)(sizeof source_names / sizeof *source_names); i++) {
        if (strcmp(statistics, source_names[i]) == 0) source = i;
    }
    own_pid = pid;
    char *lost = getenv("LAYOUTLAB_AGENT_LOST");
    if (lost && strlen(lost) == LOST_DIGITS && strspn(lost, "0123456789") == LOST_DIGITS) {
        lost_digits = lost;
        int64_t before;
        if (parse_int(lost, &before)) lines_lost = before;
    }
    report_fd = fcntl((int)fd, F_DUPFD_CLOEXEC, 64);
    if (report_fd < 0) return;
    write_provider();
    int64_t interval_ms;
    if (parse_int(getenv("LAYOUTLAB_AGENT_INTERVAL_MS"), &interval_ms) && interval_ms > 0 && interval_ms < INT64_MAX / 1000000) {
        interval_ns = interval_ms * 1000000;
        start_timer();
    }
}

__attribute__((destructor)) static void finish(void) { write_end(); }

// A program that ends with _exit (dash does, after every command; Python's os._exit) runs no destructor: the end
// is written here. glibc's exit() calls its own _exit internally, not this one, after the destructors.
__attribute__((visibility("default"))) void _exit(int status) {
    write_end();
    for (;;) syscall(SYS_exit_group, status);
}

__attribute__((visibility("default"))) void _Exit(int status) { _exit(status); }
