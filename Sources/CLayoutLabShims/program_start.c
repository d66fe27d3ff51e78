#define _GNU_SOURCE
#include "program_start.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

// What the child reports on failure: which step, and its errno (one write, well under PIPE_BUF).
typedef struct {
    int step;
    int code;
} ll_start_failure;

static const char *const step_names[] = {"open /dev/null", "dup2", "chdir", "execve", "setpgid"};

// The child's side: never returns.
static void run_child(
    int report, const char *path, char *const argv[], char *const envp[], const char *directory, int agent_fd, int agent_target) {
    ll_start_failure failure = {0, 0};
    // Keep the report pipe clear of the descriptors about to be set (0, 1, 3).
    if (report <= agent_target || report <= 2) {
        int moved = fcntl(report, F_DUPFD_CLOEXEC, (agent_target > 2 ? agent_target : 2) + 1);
        if (moved >= 0) report = moved;
    }
    if (setpgid(0, 0) != 0) { failure.step = 4; goto fail; }
    struct sigaction standard = {.sa_handler = SIG_DFL};
    sigemptyset(&standard.sa_mask);
    for (int number = 1; number < NSIG; number++) {
        if (number != SIGKILL && number != SIGSTOP) sigaction(number, &standard, NULL);  // EINVAL for glibc's own: fine
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int input = open("/dev/null", O_RDONLY);
    if (input < 0) { failure.step = 0; goto fail; }
    if (input != 0) {
        if (dup2(input, 0) < 0) { failure.step = 1; goto fail; }
        close(input);
    }
    if (dup2(2, 1) < 0) { failure.step = 1; goto fail; }
    int lowest = 3;
    if (agent_fd >= 0) {
        if (agent_fd == agent_target) {
            // dup2 onto itself would keep close-on-exec.
            if (fcntl(agent_fd, F_SETFD, 0) < 0) { failure.step = 1; goto fail; }
        } else if (dup2(agent_fd, agent_target) < 0) { failure.step = 1; goto fail; }
        lowest = agent_target + 1;
    }
    // Everything else goes, but the report pipe (close-on-exec: it closes at the exec itself).
    if (report > lowest) close_range((unsigned)lowest, (unsigned)report - 1, 0);
    close_range((unsigned)(report >= lowest ? report + 1 : lowest), ~0U, 0);
    if (chdir(directory) != 0) { failure.step = 2; goto fail; }
    execve(path, argv, envp);
    failure.step = 3;
fail:
    failure.code = errno;
    (void)!write(report, &failure, sizeof failure);
    _exit(127);
}

int ll_start_program(
    pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *directory, int agent_fd,
    int agent_target, const char **failed_step) {
    *failed_step = "";
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *failed_step = "pipe2";
        return errno;
    }
    pid_t child = fork();
    if (child < 0) {
        int code = errno;
        close(report[0]);
        close(report[1]);
        *failed_step = "fork";
        return code;
    }
    if (child == 0) {
        close(report[0]);
        run_child(report[1], path, argv, envp, directory, agent_fd, agent_target);
    }
    close(report[1]);
    // The parent sets the group too, so that a kill(-pid) right after this returns cannot miss the child.
    setpgid(child, child);
    ll_start_failure failure;
    ssize_t got;
    do { got = read(report[0], &failure, sizeof failure); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof failure) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = failure.step >= 0 && failure.step < 5 ? step_names[failure.step] : "start";
        return failure.code;
    }
    *pid = child;
    return 0;
}
