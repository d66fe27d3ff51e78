// A program with a known allocation pattern, for the trace tests: 100 000 blocks of 100 bytes, the even ones
// freed, then 50 000 blocks of 3 000 bytes; with `threads`, two threads each make 1 000 blocks of 64 bytes and
// the other thread frees them; with `handoff`, four threads each make 1 000 blocks of 64 + 16 t bytes, then
// each resizes the next thread's blocks to 200 bytes and asks their usable size, then each frees the blocks the
// thread after that resized (every block made, resized and freed by three different threads); with `fork`, a child makes 777-byte blocks that no trace may hold. No stdio:
// nothing else of the program allocates.
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// volatile, and built with -O0: the compiler may not drop an allocation whose block nobody reads.
static void *volatile small[100000];
static void *volatile large[50000];
static void *volatile shared[2][1000];

static void *make(void *argument) {
    long t = (long)argument;
    for (int i = 0; i < 1000; i++) shared[t][i] = malloc(64);
    return NULL;
}

static void *release(void *argument) {
    long t = (long)argument;
    for (int i = 0; i < 1000; i++) free(shared[1 - t][i]);
    return NULL;
}

static void *volatile handed[4][1000];

static void *hand_make(void *argument) {
    long t = (long)argument;
    for (int i = 0; i < 1000; i++) handed[t][i] = malloc(64 + 16 * t);
    return NULL;
}

static void *hand_resize(void *argument) {
    long t = (long)argument;
    for (int i = 0; i < 1000; i++) {
        handed[(t + 1) % 4][i] = realloc(handed[(t + 1) % 4][i], 200);
        (void)malloc_usable_size(handed[(t + 1) % 4][i]);
    }
    return NULL;
}

static void *hand_free(void *argument) {
    long t = (long)argument;
    for (int i = 0; i < 1000; i++) free(handed[(t + 2) % 4][i]);
    return NULL;
}

static void *churn(void *argument) {
    (void)argument;
    for (;;) { void *volatile p = malloc(48); free(p); }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exit-while-busy") == 0) {
        // Four threads allocate without pause while main leaves: the tracer's end must wait for calls in flight.
        pthread_t threads[4];
        for (int t = 0; t < 4; t++) pthread_create(&threads[t], NULL, churn, NULL);
        usleep(50000);
        exit(0);
    }
    if (argc > 1 && strcmp(argv[1], "threads") == 0) {
        pthread_t threads[2];
        for (long t = 0; t < 2; t++) pthread_create(&threads[t], NULL, make, (void *)t);
        for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
        for (long t = 0; t < 2; t++) pthread_create(&threads[t], NULL, release, (void *)t);
        for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "handoff") == 0) {
        void *(*steps[3])(void *) = {hand_make, hand_resize, hand_free};
        for (int step = 0; step < 3; step++) {
            pthread_t threads[4];
            for (long t = 0; t < 4; t++) pthread_create(&threads[t], NULL, steps[step], (void *)t);
            for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
        }
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "fork") == 0) {
        pid_t child = fork();
        if (child == 0) {
            for (int i = 0; i < 10; i++) { void *volatile p = malloc(777); free(p); }
            exit(0);  // destructors run: a child that still traced would write a second end record
        }
        int status;
        waitpid(child, &status, 0);
        void *volatile p = malloc(555);
        free(p);
        return 0;
    }
    for (int i = 0; i < 100000; i++) small[i] = malloc(100);
    for (int i = 0; i < 100000; i += 2) free(small[i]);
    for (int i = 0; i < 50000; i++) large[i] = malloc(3000);
    return argc > 1 && strcmp(argv[1], "fail") == 0 ? 3 : 0;
}
