/* replay.c -- run a fuzz target without libFuzzer (STYLE.md 7.3): a plain
 * main that reads each file named on the command line and hands its bytes to
 * LLVMFuzzerTestOneInput, so make check replays every seed and every past
 * finding under gcc (and under ASan/UBSan when the build has them). A file
 * that cannot be read fails the run; the target itself signals trouble by
 * aborting (assert) or through the sanitizers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whole file into a heap block of exactly its size (NULL on error). */
static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            uint8_t *nb = realloc(b, ncap);
            if (nb == NULL) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
            cap = ncap;
        }
        size_t k = fread(b + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(b);
        return NULL;
    }
    /* Exact size, so a one-byte over-read is caught by ASan here too. */
    uint8_t *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        exact[i] = b[i];
    free(b);
    *n = len;
    return exact;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        size_t n = 0;
        uint8_t *b = read_file(argv[i], &n);
        if (b == NULL) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            rc = 1;
            continue;
        }
        LLVMFuzzerTestOneInput(b, n);
        free(b);
    }
    return rc;
}
