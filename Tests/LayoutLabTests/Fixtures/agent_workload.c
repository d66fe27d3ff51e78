// A program for the allocator agent's tests: it allocates 64 MiB in 1 KiB blocks, writes them and keeps them;
// then, by its argument, `_exit`s (no destructor runs), forks a child that allocates and ends (it must not
// write to the agent's descriptor), or sleeps 300 ms (timer ticks) and then frees
// every block. No stdio: its standard output may be the
// agent's pipe.
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCKS 65536
#define BLOCK_BYTES 1024

// volatile, and built with -O0: the compiler may not drop an allocation whose block nobody reads.
static void *volatile blocks[BLOCKS];

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(BLOCK_BYTES);
        memset(blocks[i], 1, BLOCK_BYTES);
    }
    if (strcmp(mode, "_exit") == 0) _exit(0);
    if (strcmp(mode, "fork") == 0) {
        for (int child = 0; child < 2; child++) {
            pid_t pid = fork();
            if (pid == 0) {
                void *volatile more = malloc(1 << 20);
                (void)more;
                if (child == 0) exit(0);  // the destructors run in the child
                _exit(0);                 // and here, the agent's _exit
            }
            waitpid(pid, NULL, 0);
        }
    }
    if (strcmp(mode, "sleep") == 0) {
        struct timespec pause = {0, 300 * 1000 * 1000};
        nanosleep(&pause, NULL);
        for (int i = 0; i < BLOCKS; i++) free(blocks[i]);
    }
    return 0;
}
