/* The txtar container of Go's `.test` files, split exactly as Go's
 * internal/txtar Parse does:
 *
 *   comment text...
 *   -- expect --
 *   SUCCESS
 *   -- trace --
 *   Trace Go1.22
 *   ...
 *
 * A marker is a whole line starting "-- " and ending " --" whose name (what
 * lies between, trimmed of spaces) is not empty; everything up to the next
 * marker belongs to the current section. */
#include "gotrace/check.h"

#include <stdlib.h>
#include <string.h>

/* Go's strings.TrimSpace for ASCII input (markers are ASCII in practice;
 * Unicode spaces are not trimmed here). */
static gt_str trim_space(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r' ||
                 p[n - 1] == '\v' || p[n - 1] == '\f'))
        n--;
    gt_str s = {p, n};
    return s;
}

/* Whether the line at p (of the n bytes left) is a marker. On yes, sets *name
 * and *after (the offset just past the line's '\n', or n at the end). */
static int is_marker(const char *p, size_t n, gt_str *name, size_t *after)
{
    if (n < 3 || memcmp(p, "-- ", 3))
        return 0;
    const char *nl = memchr(p, '\n', n);
    size_t line = nl ? (size_t)(nl - p) : n;
    *after = nl ? line + 1 : n;
    if (line < 6 || memcmp(p + line - 3, " --", 3))
        return 0;
    *name = trim_space(p + 3, line - 6);
    return name->len != 0;
}

/* Finds the next marker at or after p: *before is the text up to it, and
 * the return value is the offset after the marker line, with *name set; or,
 * when there is none, *before is everything and name->len is 0. */
static size_t find_marker(const char *p, size_t n, gt_str *before, gt_str *name)
{
    size_t i = 0;
    for (;;) {
        size_t after;
        if (is_marker(p + i, n - i, name, &after)) {
            before->ptr = p;
            before->len = i;
            return i + after;
        }
        const char *nl = memchr(p + i, '\n', n - i);
        if (!nl || (size_t)(nl - p) + 1 >= n) {
            before->ptr = p;
            before->len = n;
            name->ptr = NULL;
            name->len = 0;
            return n;
        }
        i = (size_t)(nl - p) + 1;
    }
}

int gt_txtar_parse(const void *data, size_t len, gt_txtar *out)
{
    memset(out, 0, sizeof *out);
    const char *p = data;
    size_t cap = 0;
    gt_str name, before;
    size_t pos = find_marker(p, len, &before, &name);
    out->comment = before;
    while (name.len) {
        if (out->nfiles == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            gt_txtar_file *f = realloc(out->files, ncap * sizeof *f);
            if (!f) {
                gt_txtar_free(out);
                return -1;
            }
            out->files = f;
            cap = ncap;
        }
        gt_txtar_file *f = &out->files[out->nfiles++];
        f->name = name;
        pos += find_marker(p + pos, len - pos, &f->data, &name);
    }

    /* Only the last piece can lack its final newline: Go adds one. */
    gt_str *last = out->nfiles ? &out->files[out->nfiles - 1].data : &out->comment;
    if (last->len && last->ptr[last->len - 1] != '\n') {
        out->priv_owned = malloc(last->len + 1);
        if (!out->priv_owned) {
            gt_txtar_free(out);
            return -1;
        }
        memcpy(out->priv_owned, last->ptr, last->len);
        out->priv_owned[last->len] = '\n';
        last->ptr = out->priv_owned;
        last->len++;
    }
    return 0;
}

void gt_txtar_free(gt_txtar *a)
{
    if (!a)
        return;
    free(a->files);
    free(a->priv_owned);
    memset(a, 0, sizeof *a);
}
