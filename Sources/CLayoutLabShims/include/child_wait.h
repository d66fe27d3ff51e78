#ifndef LAYOUTLAB_CHILD_WAIT_H
#define LAYOUTLAB_CHILD_WAIT_H

#include <stdint.h>

/// What the program monitor waits on between samples, which Swift's Glibc module does not declare (signalfd, ppoll).
///
/// A descriptor that becomes readable when SIGCHLD is pending (signalfd, non-blocking, close-on-exec); the caller
/// keeps SIGCHLD blocked. -1 and errno on failure.
int ll_child_signal_descriptor(void);

/// Waits at most `timeout_ns` (≥ 0) for the child signal descriptor or `input` (-1: none) to become readable, with
/// ns resolution (ppoll), and empties the signal descriptor. Returns a bit mask: 1 a child changed state, 2 `input`
/// is readable or closed; 0 on timeout; -1 and errno on error (EINTR included).
int ll_wait_child_or_input(int child_descriptor, int input, int64_t timeout_ns);

#endif
