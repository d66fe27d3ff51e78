#define _GNU_SOURCE
#include "child_wait.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int ll_child_signal_descriptor(void) {
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    return signalfd(-1, &child, SFD_NONBLOCK | SFD_CLOEXEC);
}

int ll_wait_child_or_input(int child_descriptor, int input, int64_t timeout_ns) {
    struct pollfd watched[2] = {
        {.fd = child_descriptor, .events = POLLIN, .revents = 0},
        {.fd = input, .events = POLLIN, .revents = 0},  // a negative fd is ignored by poll
    };
    if (timeout_ns < 0) timeout_ns = 0;
    struct timespec timeout = {.tv_sec = (time_t)(timeout_ns / 1000000000), .tv_nsec = (long)(timeout_ns % 1000000000)};
    int ready = ppoll(watched, 2, &timeout, NULL);
    if (ready <= 0) return ready;
    int mask = 0;
    if (watched[0].revents) {
        mask |= 1;
        struct signalfd_siginfo info[8];
        while (read(child_descriptor, info, sizeof info) > 0) {}
    }
    if (watched[1].revents) mask |= 2;
    return mask;
}
