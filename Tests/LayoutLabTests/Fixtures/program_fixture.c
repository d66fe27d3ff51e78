// A program with a known memory behaviour, for the tests of programs as trials (ProgramTrialTests):
//   touch MIB MS          allocate MIB MiB, write every page, sleep MS ms, exit 0
//   fork PARENT CHILD MS  fork a child that touches CHILD MiB while the parent touches PARENT MiB; both sleep MS ms
//   segv                  write through a null pointer
//   exit CODE             exit with CODE at once
//   reuse3 FILE MIB MS    close descriptor 3 (the lab's agent pipe), open FILE for writing (it gets 3), write
//                         "mine\n" to it, then touch MIB MiB for MS ms
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(long mib, long ms) {
    size_t bytes = (size_t)mib << 20;
    char *block = malloc(bytes);
    if (!block) exit(100);
    memset(block, 1, bytes);
    usleep((useconds_t)(ms * 1000));
    if (block[bytes - 1] != 1) exit(101);
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "touch") == 0) {
        touch(atol(argv[2]), atol(argv[3]));
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "fork") == 0) {
        pid_t child = fork();
        if (child == 0) {
            touch(atol(argv[3]), atol(argv[4]));
            _exit(0);
        }
        touch(atol(argv[2]), atol(argv[4]));
        int status = 0;
        waitpid(child, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 102;
    }
    if (argc >= 2 && strcmp(argv[1], "segv") == 0) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    if (argc >= 5 && strcmp(argv[1], "reuse3") == 0) {
        close(3);
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd != 3 || write(fd, "mine\n", 5) != 5) return 103;
        touch(atol(argv[3]), atol(argv[4]));
        return 0;
    }
    return 64;
}
