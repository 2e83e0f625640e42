/* Binary raw reader: the wire events of a v2 trace in file order, as Go's
 * internal/trace/raw.Reader yields them (no ordering, no checks beyond the
 * encoding).
 *
 * Layout after the header "go 1.N trace\0\0\0":
 *
 *   event  := type:u8 arg:uvarint{spec.nargs} frames? data?
 *   frames := (pc func file line):uvarint{4 * nframes}   -- Stack: nframes = arg[1]
 *   data   := len:uvarint byte{len}                     -- String, ExperimentalBatch
 *
 * Input comes through a window: all of a memory buffer, or a buffer refilled
 * from a gt_source (a caller's, or a file descriptor's; consumed bytes are dropped on refill, so memory does
 * not depend on the file size; the window only grows to hold one event that
 * is larger than it, and only as far as input actually arrives). An event is
 * decoded from the window; when the window ends inside it and more input may
 * follow, the window is refilled and the event decoded again from its start.
 *
 * Truncation. Go's raw reader sees io.EOF, and so ends quietly, when the input
 * stops at the start of a varint or inside the data bytes; inside a varint it
 * fails with "unexpected EOF". We report both as GT_ERR_TRUNCATED and flag the
 * first kind (gt_raw_error_is_eof) so that `dump --wire` can behave as Go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cursor.h"
#include "common/error.h"
#include "common/goquote.h"
#include "wire/raw_internal.h"

enum { RAW_WINDOW = 1 << 20 };

static const char varint_overflow_msg[] = "binary: varint overflows a 64-bit integer";

const gt_spec *gt_raw_spec(int version, unsigned type)
{
    static const gt_spec unnamed = {.name = ""};
    if (!gt_version_is_v2(version))
        return NULL;
    const gt_spec *s = gt_spec_get(version, type);
    if (s)
        return s;
    if (version == GT_GO126 && type >= GT_EV_NUM && type <= GT_EV_MAX_EVENT)
        return &unnamed;
    return NULL;
}

int gt_raw_args_reserve(gt_raw_reader *r, size_t n)
{
    if (n <= r->args_cap)
        return 0;
    size_t cap = r->args_cap ? r->args_cap : 64;
    while (cap < n) {
        if (cap > SIZE_MAX / 2 / sizeof(uint64_t))
            return -1;
        cap *= 2;
    }
    uint64_t *a = realloc(r->args, cap * sizeof *a);
    if (!a)
        return -1;
    r->args = a;
    r->args_cap = cap;
    return 0;
}

gt_raw_reader *gt_raw_reader_alloc(enum gt_raw_source source)
{
    gt_raw_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->source = source;
    gt_error_clear(&r->err);
    return r;
}

int gt_raw_fail(gt_raw_reader *r, gt_errcode code, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gt_error_vset(&r->err, code, offset, fmt, ap);
    va_end(ap);
    r->state = -1;
    return -1;
}

/* ---------------------------------------------------------------- window */

static uint64_t offset_of(const gt_raw_reader *r, const uint8_t *p)
{
    return r->win_offset + (uint64_t)(p - r->win);
}

/* Moves the unread bytes to the front of the buffer, grows it when they fill
 * it, and reads until it is full or the input ends. 0, or -1 (error set). */
static int refill(gt_raw_reader *r)
{
    size_t keep = (size_t)(r->win_end - r->pos);
    r->win_offset += (uint64_t)(r->pos - r->win);
    if (keep == r->buf_cap) {
        size_t cap = r->buf_cap * 2;
        uint8_t *b = cap > r->buf_cap ? malloc(cap) : NULL;
        if (!b)
            return gt_raw_fail(r, GT_ERR_NOMEM, r->win_offset, "out of memory: window of %zu bytes", cap);
        memcpy(b, r->pos, keep);
        free(r->buf);
        r->buf = b;
        r->buf_cap = cap;
    } else if (keep) {
        memmove(r->buf, r->pos, keep);
    }
    size_t have = keep;
    while (have < r->buf_cap && !r->input_eof) {
        size_t room = r->buf_cap - have;
        int64_t n = r->src.read(r->src.ctx, r->buf + have, room);
        if (n < 0) {
            r->input_eof = 1; /* the source is not read again */
            return gt_raw_fail(r, GT_ERR_IO, r->win_offset + have, "read: %s", strerror(gt_source_errno(n)));
        }
        if (n == 0) {
            r->input_eof = 1;
            break;
        }
        have += (size_t)n > room ? room : (size_t)n;
    }
    r->win = r->pos = r->buf;
    r->win_end = r->buf + have;
    return 0;
}

/* ---------------------------------------------------------------- header */

/* Go reads the header with fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v),
 * rune by rune. This scanner follows Fscanf's rules for that format: a space
 * in the format needs at least one space rune (or the end of input) and eats
 * the run, a newline there is an error; %d skips spaces (not newlines) and
 * takes decimal digits that must fit 32 bits; everything else must match
 * literally. The window end counts as the end of input: a header does not
 * come near the window size. */
typedef struct header_scan {
    const uint8_t *p, *end;
} header_scan;

enum { RUNE_EOF = -1 };

static int32_t peek_rune(const header_scan *s, size_t *width)
{
    if (s->p >= s->end) {
        *width = 0;
        return RUNE_EOF;
    }
    int32_t r;
    *width = gt_utf8_decode(s->p, (size_t)(s->end - s->p), &r);
    return r;
}

/* A format space that does not follow a newline. */
static int scan_format_space(header_scan *s)
{
    size_t w;
    int32_t c = peek_rune(s, &w);
    if (c == RUNE_EOF)
        return 0;
    if (!gt_go_is_space(c) || c == '\n')
        return -1;
    while (c != RUNE_EOF && gt_go_is_space(c) && c != '\n') {
        s->p += w;
        c = peek_rune(s, &w);
    }
    return 0;
}

static int scan_literal(header_scan *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t w;
        int32_t c = peek_rune(s, &w);
        if (c != (unsigned char)lit[i])
            return -1;
        s->p += w;
    }
    return 0;
}

/* fmt's SkipSpace outside Scanln: spaces go, a newline is an error. */
static int scan_skip_space(header_scan *s)
{
    for (;;) {
        size_t w;
        int32_t c = peek_rune(s, &w);
        if (c == RUNE_EOF)
            return 0;
        if (c == '\n')
            return -1;
        if (!gt_go_is_space(c))
            return 0;
        s->p += w;
    }
}

static int scan_u32(header_scan *s, uint64_t *out)
{
    if (scan_skip_space(s) || scan_skip_space(s) || s->p >= s->end)
        return -1;
    uint64_t v = 0;
    int digits = 0, overflow = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        unsigned d = (unsigned)(*s->p++ - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = 1;
        v = v * 10 + d;
        digits++;
    }
    if (!digits || overflow || v > UINT32_MAX)
        return -1;
    *out = v;
    return 0;
}

/* Parses the header at the start of the window. Returns its length, or -1
 * with the error set. */
static long parse_header(gt_raw_reader *r)
{
    header_scan s = {r->pos, r->win_end};
    uint64_t v = 0;
    if (scan_literal(&s, "go", 2) || scan_format_space(&s) || scan_literal(&s, "1.", 2) || scan_u32(&s, &v) ||
        scan_format_space(&s) || scan_literal(&s, "trace\0\0\0", 8))
        return gt_raw_fail(r, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
    if (!gt_version_valid((int)v))
        return gt_raw_fail(r, GT_ERR_FORMAT, 0, "unknown or unsupported trace version go 1.%u", (unsigned)v);
    r->version = (int)v;
    for (unsigned t = 0; t < 256; t++)
        r->specs[t] = gt_raw_spec(r->version, t);
    return (long)(s.p - r->pos);
}

static gt_raw_reader *finish_open(gt_raw_reader *r, gt_error *err)
{
    long n = r->source == GT_RAW_SRC_SOURCE && refill(r) ? -1 : parse_header(r);
    if (n >= 0 && gt_raw_args_reserve(r, GT_MAX_SPEC_ARGS + 4))
        n = gt_raw_fail(r, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    if (n < 0) {
        if (err)
            gt_error_move(err, &r->err);
        gt_raw_free(r);
        return NULL;
    }
    r->pos += n;
    if (err)
        gt_error_clear(err);
    return r;
}

static gt_raw_reader *gt_raw_open_memory_impl(const void *data, size_t len, gt_error *err)
{
    gt_raw_reader *r = gt_raw_reader_alloc(GT_RAW_SRC_MEMORY);
    if (!r) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    r->win = r->pos = data;
    r->win_end = r->win + len;
    r->input_eof = 1;
    return finish_open(r, err);
}

gt_raw_reader *gt_raw_open_memory(const void *data, size_t len, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_memory_impl(data, len, err);
    gt_error_publish(err);
    return ret;
}

/* Every binary input but memory is a source: the caller's, or the library's
 * own for a descriptor (common/source.h), held in r->fd_state. fd_own: fd
 * to make the source over (closed on failure and free when own), or -1. */
static gt_raw_reader *open_source(const gt_source *src, int fd, int own, gt_error *err)
{
    gt_raw_reader *r = gt_raw_reader_alloc(GT_RAW_SRC_SOURCE);
    uint8_t *buf = r ? malloc(RAW_WINDOW) : NULL;
    if (!buf) {
        free(r);
        gt_source copy = *src;
        if (fd >= 0 && own)
            close(fd);
        else if (fd < 0)
            gt_source_close(&copy);
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    if (fd >= 0)
        gt_source_from_fd(&r->src, &r->fd_state, fd, own);
    else
        r->src = *src;
    r->buf = buf;
    r->buf_cap = RAW_WINDOW;
    r->win = r->pos = r->win_end = buf;
    return finish_open(r, err);
}

static gt_raw_reader *gt_raw_open_source_impl(const gt_source *src, gt_error *err)
{
    if (!src || !src->read) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL source or read callback");
        return NULL;
    }
    return open_source(src, -1, 0, err);
}

gt_raw_reader *gt_raw_open_source(const gt_source *src, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_source_impl(src, err);
    gt_error_publish(err);
    return ret;
}

static gt_raw_reader *gt_raw_open_fd_impl(int fd, gt_error *err)
{
    static const gt_source none = {0};
    return open_source(&none, fd, 0, err);
}

gt_raw_reader *gt_raw_open_fd(int fd, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_fd_impl(fd, err);
    gt_error_publish(err);
    return ret;
}

static gt_raw_reader *gt_raw_open_path_impl(const char *path, gt_error *err)
{
    static const gt_source none = {0};
    if (!strcmp(path, "-"))
        return open_source(&none, STDIN_FILENO, 0, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "open %s: %s", path, strerror(errno));
        return NULL;
    }
    return open_source(&none, fd, 1, err);
}

gt_raw_reader *gt_raw_open_path(const char *path, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_path_impl(path, err);
    gt_error_publish(err);
    return ret;
}

/* ---------------------------------------------------------------- events */

enum decode_status { DECODE_OK, DECODE_NEED_MORE, DECODE_FAILED };

/* Reads one varint for the event being decoded. On a short window returns
 * DECODE_NEED_MORE when more input may come, else fails as Go does. */
static int read_varint(gt_raw_reader *r, gt_cursor *c, uint64_t *v)
{
    switch (gt_varint(c, v)) {
    case GT_VARINT_OK:
        return DECODE_OK;
    case GT_VARINT_OVERFLOW:
        gt_raw_fail(r, GT_ERR_MALFORMED, offset_of(r, c->p), "%s", varint_overflow_msg);
        return DECODE_FAILED;
    }
    if (!r->input_eof)
        return DECODE_NEED_MORE;
    if (c->p == c->end) {
        /* Nothing of this varint is there: Go sees a plain io.EOF. */
        r->go_eof = 1;
        gt_raw_fail(r, GT_ERR_TRUNCATED, offset_of(r, c->p), "truncated event: input ends before an argument");
    } else {
        gt_raw_fail(r, GT_ERR_TRUNCATED, offset_of(r, c->p), "unexpected EOF");
    }
    return DECODE_FAILED;
}

#define READ_VARINT(r, c, v)                    \
    do {                                        \
        int st_ = read_varint((r), (c), (v));   \
        if (st_ != DECODE_OK)                   \
            return st_;                         \
    } while (0)

static int decode_event(gt_raw_reader *r, gt_raw_event *ev)
{
    gt_cursor c = {r->pos, r->win_end};
    uint64_t ev_offset = offset_of(r, c.p);
    unsigned type = *c.p++;
    const gt_spec *spec = r->specs[type];
    if (!spec) {
        gt_raw_fail(r, gt_version_is_v2(r->version) ? GT_ERR_MALFORMED : GT_ERR_UNSUPPORTED, ev_offset,
                    "invalid event type: %u", type);
        return DECODE_FAILED;
    }
    size_t nargs = spec->nargs;
    /* args has room for GT_MAX_SPEC_ARGS + 4 values from open on: any
     * spec's arguments plus one frame. */
    for (size_t i = 0; i < spec->nargs; i++)
        READ_VARINT(r, &c, &r->args[i]);
    if (spec->is_stack) {
        /* Go converts the frame count to int: counts past INT64_MAX read no
         * frames. Each frame takes at least 4 input bytes, so args only
         * grows with input that is really there. */
        uint64_t nframes = r->args[1] > (uint64_t)INT64_MAX ? 0 : r->args[1];
        for (uint64_t f = 0; f < nframes; f++) {
            if (gt_raw_args_reserve(r, nargs + 4)) {
                gt_raw_fail(r, GT_ERR_NOMEM, ev_offset, "out of memory");
                return DECODE_FAILED;
            }
            for (int k = 0; k < 4; k++)
                READ_VARINT(r, &c, &r->args[nargs++]);
        }
    }
    const uint8_t *data = NULL;
    uint64_t data_len = 0;
    if (spec->has_data) {
        READ_VARINT(r, &c, &data_len);
        if (data_len > (uint64_t)INT64_MAX)
            data_len = 0; /* Go's int(len) is negative: no bytes read */
        if (data_len > gt_cursor_left(&c)) {
            if (!r->input_eof)
                return DECODE_NEED_MORE;
            r->go_eof = 1;
            gt_raw_fail(r, GT_ERR_TRUNCATED, offset_of(r, c.p),
                        "truncated event: data of %llu bytes, %zu left in the input", (unsigned long long)data_len,
                        gt_cursor_left(&c));
            return DECODE_FAILED;
        }
        /* Go keeps a nil slice for empty data: no data line is printed. */
        if (data_len)
            data = c.p;
        c.p += data_len;
    }
    ev->type = (uint8_t)type;
    ev->nargs = nargs;
    ev->args = r->args;
    ev->data = data;
    ev->data_len = (size_t)data_len;
    ev->offset = ev_offset;
    r->pos = c.p;
    return DECODE_OK;
}

int gt_raw_next(gt_raw_reader *r, gt_raw_event *ev)
{
    if (r->state)
        return r->state > 0 ? 0 : -1;
    if (r->next)
        return r->next(r, ev);
    for (;;) {
        if (r->pos == r->win_end) {
            if (r->input_eof) {
                r->state = 1;
                return 0;
            }
            if (refill(r))
                return -1;
            continue;
        }
        int st = decode_event(r, ev);
        if (st == DECODE_OK)
            return 1;
        if (st == DECODE_FAILED)
            return -1;
        if (refill(r))
            return -1;
    }
}

int gt_raw_version(const gt_raw_reader *r) { return r->version; }

const gt_error *gt_raw_error(const gt_raw_reader *r) { return r->state < 0 ? &r->err : NULL; }

int gt_raw_error_is_eof(const gt_raw_reader *r) { return r->state < 0 && r->go_eof; }

uint64_t gt_raw_bytes_read(const gt_raw_reader *r)
{
    if (r->bytes_read)
        return r->bytes_read(r);
    return offset_of(r, r->pos);
}

void gt_raw_free(gt_raw_reader *r)
{
    if (!r)
        return;
    if (r->source == GT_RAW_SRC_SOURCE)
        gt_source_close(&r->src);
    free(r->buf);
    free(r->args);
    gt_buf_free(&r->data);
    free(r->owned);
    gt_error_clear(&r->err);
    free(r);
}
