#include "gen/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a fill asks for: GT_IN_CHUNK reading front to back; once batches
 * are skipped (positional), only GT_IN_POS_CHUNK, about a batch header and
 * the byte after it, so that the skipped data is not read after all. */
enum { GT_IN_CHUNK = 256 * 1024, GT_IN_POS_CHUNK = 4096 };

void gt_in_init_memory(gt_input *in, const void *p, size_t n)
{
    memset(in, 0, sizeof *in);
    in->kind = GT_IN_MEMORY;
    in->win = p;
    in->len = n;
    in->total = n;
    in->at_eof = 1;
}

void gt_in_init_source(gt_input *in, const gt_source *src)
{
    memset(in, 0, sizeof *in);
    in->kind = GT_IN_SOURCE;
    in->src = *src;
    in->total = src->size;
}

void gt_in_init_fd(gt_input *in, int fd)
{
    gt_source s;
    memset(in, 0, sizeof *in);
    gt_source_from_fd(&s, &in->fd_state, fd, 0);
    gt_fd_source state = in->fd_state;
    gt_in_init_source(in, &s);
    in->fd_state = state;
}

void gt_in_init_stream(gt_input *in, FILE *fp)
{
    gt_source s;
    gt_source_from_stream(&s, fp);
    gt_in_init_source(in, &s);
}

void gt_in_free(gt_input *in)
{
    free(in->buf);
    in->buf = NULL;
    in->win = NULL;
    if (in->kind == GT_IN_SOURCE)
        gt_source_close(&in->src);
}

int gt_in_read_at(const gt_input *in, void *buf, size_t n, uint64_t offset, size_t *got, int *err_no)
{
    *got = 0;
    *err_no = 0;
    while (*got < n) {
        int64_t k = in->src.read_at(in->src.ctx, (uint8_t *)buf + *got, n - *got, offset + *got);
        if (k < 0)
            *err_no = gt_source_errno(k);
        if (k <= 0)
            return -1;
        *got += (size_t)k > n - *got ? n - *got : (size_t)k;
    }
    return 0;
}

/* Makes at least want bytes available in the window when the input has
 * them. Consumed bytes are dropped first. Returns bytes available. */
static size_t fill(gt_input *in, size_t want)
{
    size_t avail = in->len - in->pos;
    if (avail >= want || in->at_eof || in->kind == GT_IN_MEMORY)
        return avail;
    if (in->pos) {
        memmove(in->buf, in->buf + in->pos, avail);
        in->base += in->pos;
        in->len = avail;
        in->pos = 0;
    }
    size_t chunk = in->positional ? GT_IN_POS_CHUNK : GT_IN_CHUNK;
    size_t need = want > chunk ? want : chunk;
    if (need > in->cap) {
        uint8_t *nb = realloc(in->buf, need);
        if (!nb) {
            in->err_no = ENOMEM;
            return avail;
        }
        in->buf = nb;
        in->cap = need;
    }
    in->win = in->buf;
    while (in->len < want && !in->at_eof) {
        size_t room = in->cap - in->len;
        if (in->positional && room > need - in->len)
            room = need - in->len;
        int64_t got = in->positional ? in->src.read_at(in->src.ctx, in->buf + in->len, room, in->base + in->len)
                                     : in->src.read(in->src.ctx, in->buf + in->len, room);
        if (got < 0) {
            in->err_no = gt_source_errno(got);
            in->at_eof = 1; /* read is not called again after a failure */
            break;
        }
        if (got == 0)
            in->at_eof = 1;
        /* A callback that claims more than it was given is cut to the room. */
        in->len += (size_t)got > room ? room : (size_t)got;
    }
    return in->len - in->pos;
}

const uint8_t *gt_in_peek(gt_input *in)
{
    if (in->pos == in->len && fill(in, 1) == 0)
        return NULL;
    return in->win + in->pos;
}

int gt_in_byte(gt_input *in, uint8_t *out)
{
    const uint8_t *p = gt_in_peek(in);
    if (!p)
        return in->err_no ? GT_IN_IOERR : GT_IN_EOF;
    *out = *p;
    in->pos++;
    return GT_IN_OK;
}

int gt_in_uvarint(gt_input *in, uint64_t *out)
{
    uint64_t x = 0;
    unsigned s = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t b;
        int st = gt_in_byte(in, &b);
        if (st != GT_IN_OK)
            return st == GT_IN_EOF && i > 0 ? GT_IN_UNEXPECTED_EOF : st;
        if (b < 0x80) {
            if (i == 9 && b > 1)
                return GT_IN_OVERFLOW;
            *out = x | (uint64_t)b << s;
            return GT_IN_OK;
        }
        x |= (uint64_t)(b & 0x7f) << s;
        s += 7;
    }
    return GT_IN_OVERFLOW;
}

void gt_in_skip(gt_input *in, uint64_t n)
{
    size_t avail = in->len - in->pos;
    if (n <= avail) {
        in->pos += (size_t)n;
        return;
    }
    in->base += in->len + (n - avail);
    in->pos = in->len = 0;
    in->positional = 1;
}

size_t gt_in_take(gt_input *in, size_t n, gt_arena *arena, const uint8_t **out)
{
    *out = NULL;
    size_t avail = fill(in, n);
    if (avail < n) {
        in->pos += avail;
        return avail;
    }
    const uint8_t *p = in->win + in->pos;
    if (in->kind != GT_IN_MEMORY && arena) {
        uint8_t *copy = gt_arena_dup(arena, p, n);
        if (!copy && n)
            return (size_t)-1;
        p = copy;
    }
    in->pos += n;
    *out = p;
    return n;
}

int gt_in_slurp(gt_input *in, const uint8_t *prefix, size_t npre, uint8_t **data, size_t *len,
                int (*stop)(void *arg, const uint8_t *data, size_t len), void *arg)
{
    size_t cap = npre + GT_IN_CHUNK, n = npre;
    uint8_t *d = malloc(cap);
    if (!d)
        return -1;
    memcpy(d, prefix, npre);
    for (;;) {
        size_t avail = fill(in, 1);
        if (avail == 0)
            break;
        if (n + avail > cap) {
            while (n + avail > cap)
                cap *= 2;
            uint8_t *nd = realloc(d, cap);
            if (!nd) {
                free(d);
                return -1;
            }
            d = nd;
        }
        memcpy(d + n, in->win + in->pos, avail);
        n += avail;
        in->pos += avail;
        if (stop && stop(arg, d, n))
            break;
    }
    if (in->err_no) {
        free(d);
        return -1;
    }
    *data = d;
    *len = n;
    return 0;
}
