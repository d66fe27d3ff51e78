// An independent witness of an allocator's usable sizes, for the replay tests: prints malloc_usable_size(malloc(n))
// for each size n on the command line, one a line. Run with the allocator preloaded; built at test time.
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        void *volatile block = malloc((size_t)strtoull(argv[i], NULL, 10));
        printf("%zu\n", malloc_usable_size(block));
    }
    return 0;
}
