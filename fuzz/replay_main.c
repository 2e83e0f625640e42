/* Plain replay driver: runs a fuzz target over saved inputs without
 * libFuzzer, so the corpora and crash inputs run in `make test`.
 *
 *   replay-TARGET FILE_OR_DIR...
 *
 * Prints "ok replay-TARGET/NAME" per input (a crash fails the whole run,
 * which tests/run.sh reports). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *target_name = "replay";

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %s/%s: cannot open\n", target_name, path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        printf("not ok %s/%s: out of memory\n", target_name, path);
        return 1;
    }
    /* Hand libFuzzer-like exact-size copies so ASan sees overreads. */
    uint8_t *exact = malloc(n ? n : 1);
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    const char *base = strrchr(path, '/');
    printf("ok %s/%s\n", target_name, base ? base + 1 : path);
    fflush(stdout);
    return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;  /* absent corpora are fine */
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int fails = 0;
    for (size_t i = 0; i < n; i++) {
        fails += run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return fails;
}

int main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    target_name = slash ? slash + 1 : argv[0];
    int fails = 0;
    for (int i = 1; i < argc; i++)
        fails += run_path(argv[i]);
    return fails ? 1 : 0;
}
