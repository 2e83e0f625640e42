/* Public reader (first step: opens and checks the header). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "wire/spec.h"

struct gt_reader {
    int version;
    gt_error err;
    int failed;
};

static gt_reader *open_header(const uint8_t *p, size_t n, gt_error *err)
{
    if (n < 16 || memcmp(p, "go 1.", 5) != 0) {
        gt_error_set(err, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
        return NULL;
    }
    int v = 0;
    for (size_t i = 5; i < 16 && p[i] >= '0' && p[i] <= '9'; i++)
        v = v * 10 + (p[i] - '0');
    if (!gt_version_valid(v)) {
        gt_error_set(err, GT_ERR_FORMAT, 0, "unknown or unsupported trace version go 1.%d", v);
        return NULL;
    }
    gt_reader *r = calloc(1, sizeof *r);
    if (!r) {
        gt_error_set(err, GT_ERR_NOMEM, 0, "out of memory");
        return NULL;
    }
    r->version = v;
    gt_error_set(&r->err, GT_ERR_UNSUPPORTED, GT_NO_OFFSET, "reader not implemented yet");
    return r;
}

gt_reader *gt_reader_open_memory(const void *data, size_t len, gt_error *err) { return open_header(data, len, err); }

gt_reader *gt_reader_open_stream(FILE *f, gt_error *err)
{
    uint8_t hdr[16];
    size_t n = fread(hdr, 1, sizeof hdr, f);
    return open_header(hdr, n, err);
}

gt_reader *gt_reader_open_fd(int fd, gt_error *err)
{
    (void)fd;
    gt_error_set(err, GT_ERR_UNSUPPORTED, 0, "not implemented yet");
    return NULL;
}

gt_reader *gt_reader_open_path(const char *path, gt_error *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        gt_error_set(err, GT_ERR_IO, 0, "open %s: %s", path, strerror(errno));
        return NULL;
    }
    gt_reader *r = gt_reader_open_stream(f, err);
    if (f != stdin)
        fclose(f);
    return r;
}

void gt_reader_free(gt_reader *r) { free(r); }
int gt_reader_version(const gt_reader *r) { return r->version; }
int gt_reader_next(gt_reader *r, gt_event *ev)
{
    (void)ev;
    r->failed = 1;
    return -1;
}
size_t gt_reader_next_batch(gt_reader *r, gt_event *evs, size_t cap)
{
    size_t n = 0;
    while (n < cap && gt_reader_next(r, &evs[n]) == 1)
        n++;
    return n;
}
const gt_error *gt_reader_error(const gt_reader *r) { return r->failed ? &r->err : NULL; }
uint64_t gt_reader_bytes_read(const gt_reader *r) { return 0; }
uint64_t gt_reader_bytes_total(const gt_reader *r) { return 0; }
