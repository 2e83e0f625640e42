#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gotrace %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'gotrace %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_trace_error(const char *path, const gt_error *err)
{
    if (err->line)
        fprintf(stderr, "gotrace: %s:%llu: %s\n", path, (unsigned long long)err->line, err->message);
    else if (err->offset != GT_NO_OFFSET)
        fprintf(stderr, "gotrace: %s: %s (offset %llu)\n", path, err->message,
                (unsigned long long)err->offset);
    else
        fprintf(stderr, "gotrace: %s: %s\n", path, err->message);
    return CLI_EXIT_TRACE;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    }
    return 0;
}

FILE *cli_open_output(const char *cmd, const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "gotrace %s: cannot create %s: %s\n", cmd, path, strerror(errno));
    return f;
}

int cli_read_all(const char *cmd, const char *path, unsigned char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "gotrace %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "gotrace %s: out of memory reading %s\n", cmd, path);
            if (f != stdin)
                fclose(f);
            return -1;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                fprintf(stderr, "gotrace %s: cannot read %s: %s\n", cmd, path, strerror(errno));
                free(buf);
                if (f != stdin)
                    fclose(f);
                return -1;
            }
            break;
        }
        cap *= 2;
        unsigned char *nb = realloc(buf, cap);
        if (!nb)
            free(buf);
        buf = nb;
    }
    if (f != stdin)
        fclose(f);
    *data = buf;
    *len = n;
    return 0;
}
