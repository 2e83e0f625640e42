#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int check_failures;

int check(int cond, const char *name, const char *fmt, ...)
{
    if (cond) {
        printf("ok %s\n", name);
        return 1;
    }
    check_failures++;
    printf("not ok %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    return 0;
}

void check_skip(const char *name, const char *reason) { printf("skip %s: %s\n", name, reason); }

int check_done(void) { return check_failures ? 1 : 0; }

const char *check_shared_dir(void)
{
    const char *s = getenv("SHARED");
    struct stat st;
    if (s && *s && stat(s, &st) == 0 && S_ISDIR(st.st_mode))
        return s;
    if (stat("../shared/corpus", &st) == 0)
        return "../shared";
    return NULL;
}

char *check_read_file(const char *path, size_t *len)
{
    size_t pl = strlen(path);
    FILE *f;
    int piped = 0;
    if (pl > 3 && !strcmp(path + pl - 3, ".gz")) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
        f = popen(cmd, "r");
        piped = 1;
    } else {
        f = fopen(path, "rb");
    }
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    if (piped)
        pclose(f);
    else
        fclose(f);
    if (!buf)
        return NULL;
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}
