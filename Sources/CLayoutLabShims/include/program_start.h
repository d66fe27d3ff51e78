#ifndef LAYOUTLAB_PROGRAM_START_H
#define LAYOUTLAB_PROGRAM_START_H

#include <sys/types.h>

/// Starts a measured program as the program monitor needs it, by fork and exec rather than posix_spawn.
///
/// Why not posix_spawn: glibc runs its child on the parent's memory (CLONE_VM) until the exec, and exec carries the
/// replaced image's resident high-water mark into the process's `ru_maxrss`, so a spawned program's peak could never
/// read below the monitor's whole RSS (~9 MB, mostly the Swift runtime's mapped libraries). A forked child has its
/// own copy of only the pages the kernel copies on fork (anonymous and written private ones, ~1 MB here: what
/// `/usr/bin/time`, which forks too, also starts from); read-only file mappings are not copied.
///
/// The child: a process group of its own (`setpgid(0, 0)`), every signal's disposition default and none blocked,
/// stdin `/dev/null`, stdout onto the caller's stderr, `agent_fd` (when ≥ 0) as descriptor `agent_target`, every other
/// descriptor from 3 up (or from `agent_target` + 1) closed, directory `directory`, then `execve(path, argv, envp)`.
/// Between fork and exec it calls only async-signal-safe functions and allocates nothing. An error of the child's
/// before the exec comes back to the caller through a close-on-exec pipe, and the child is reaped.
///
/// Returns 0 and the child's pid in `*pid`, or an errno (of `pipe2`, `fork`, or of the child's `open`, `dup2`,
/// `chdir` or `execve`: `*failed_step` then names it, a static string).
int ll_start_program(
    pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *directory, int agent_fd,
    int agent_target, const char **failed_step);

#endif
