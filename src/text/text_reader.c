/* Text format reader: Go's raw.TextReader (internal/trace/raw), the format of
 * the `.test` files. One event per line, "Name arg=value ...", Stack frames
 * and data on the following lines; blank lines and lines whose first token
 * starts with '#' are skipped. Errors carry Go's texts, the line number in
 * gt_error.line and the line's byte offset.
 *
 * Lines are cut as Go's bufio.Scanner cuts them (a trailing "\r" dropped, at
 * most 65535 bytes before the newline: longer lines fail as in Go).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/goquote.h"
#include "wire/raw_internal.h"

enum { SCANNER_MAX_TOKEN = 64 * 1024 };

typedef struct text_line {
    const char *p;
    size_t n;
    uint64_t offset;  /* byte offset of the line start */
    uint64_t number;  /* 1-based */
} text_line;

static int fail_line(gt_raw_reader *r, gt_errcode code, const text_line *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_line(gt_raw_reader *r, gt_errcode code, const text_line *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gt_error_vset(&r->err, code, at ? at->offset : r->text_pos, fmt, ap);
    va_end(ap);
    r->err.line = at ? at->number : r->line;
    r->state = -1;
    return -1;
}

/* ---------------------------------------------------------------- tokens */

static int32_t rune_at(const char *p, size_t n, size_t *width)
{
    int32_t r;
    *width = gt_utf8_decode((const uint8_t *)p, n, &r);
    return r;
}

/* Go's readToken: skips spaces; a '#' before the token means no token (a
 * comment); the token ends at a space or '#'. Returns the token length (0 =
 * none) and sets *tok and *rest. */
static size_t read_token(const char *s, size_t n, const char **tok, const char **rest, size_t *rest_n)
{
    size_t i = 0, w;
    *tok = s;
    *rest = s + n;
    *rest_n = 0;
    while (i < n) {
        int32_t c = rune_at(s + i, n - i, &w);
        if (c == '#')
            return 0;
        if (!gt_go_is_space(c))
            break;
        i += w;
    }
    if (i == n)
        return 0;
    size_t start = i;
    while (i < n) {
        int32_t c = rune_at(s + i, n - i, &w);
        if (c == '#' || gt_go_is_space(c))
            break;
        i += w;
    }
    *tok = s + start;
    *rest = s + i;
    *rest_n = n - i;
    return i - start;
}

static int all_space(const char *s, size_t n)
{
    size_t i = 0, w;
    while (i < n) {
        if (!gt_go_is_space(rune_at(s + i, n - i, &w)))
            return 0;
        i += w;
    }
    return 1;
}

/* Go's strings.TrimSpace: advances *s past leading spaces and returns the
 * length up to the end of the last non-space rune. */
static size_t trim_space(const char **s, size_t n)
{
    size_t i = 0, w, end = 0, start = n;
    while (i < n) {
        int32_t c = rune_at(*s + i, n - i, &w);
        if (!gt_go_is_space(c)) {
            if (start == n)
                start = i;
            end = i + w;
        }
        i += w;
    }
    if (start == n)
        return 0;
    *s += start;
    return end - start;
}

/* Go's strconv.ParseUint(s, 10, 64): 0, or 1 (invalid syntax), 2 (out of
 * range), decided at the first offending byte as Go does. */
static int parse_uint(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return 1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - d)
            return 2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Quoted copy of s for messages (Go's %q), in r's scratch buffer. Returns a
 * NUL-terminated string, or "" when memory runs out. */
static const char *quoted(gt_buf *scratch, const char *s, size_t n)
{
    gt_buf_reset(scratch);
    if (gt_go_quote(scratch, s, n) || gt_buf_putc(scratch, '\0'))
        return "";
    return scratch->data;
}

/* ---------------------------------------------------------------- lines */

/* Next non-blank, non-comment line. 1 = *line set, 0 = end of input, -1 =
 * error (a line too long for Go's scanner). */
static int next_line(gt_raw_reader *r, text_line *line)
{
    while (r->text_pos < r->text_len) {
        const char *start = r->text + r->text_pos;
        size_t left = r->text_len - r->text_pos;
        const char *nl = memchr(start, '\n', left < SCANNER_MAX_TOKEN ? left : SCANNER_MAX_TOKEN);
        size_t len = nl ? (size_t)(nl - start) : left;
        r->line++;
        text_line here = {start, len, r->text_pos, r->line};
        if (!nl && len >= SCANNER_MAX_TOKEN)
            return fail_line(r, GT_ERR_MALFORMED, &here, "bufio.Scanner: token too long");
        r->text_pos += len + (nl ? 1 : 0);
        if (len && start[len - 1] == '\r')
            here.n--;
        const char *tok, *rest;
        size_t rest_n;
        if (read_token(here.p, here.n, &tok, &rest, &rest_n) == 0)
            continue;
        *line = here;
        return 1;
    }
    return 0;
}

/* Go's "%v" of a []uint64: "[1 2 3]". */
static const char *format_args(gt_buf *scratch, const uint64_t *args, size_t n)
{
    gt_buf_reset(scratch);
    int bad = gt_buf_putc(scratch, '[');
    for (size_t i = 0; i < n && !bad; i++)
        bad = (i && gt_buf_putc(scratch, ' ')) || gt_buf_put_u64(scratch, args[i]);
    if (bad || gt_buf_append(scratch, "]", 2))
        return "[]";
    return scratch->data;
}

/* Go's readArgs: the named arguments in order, then only spaces. Fills
 * out[0..nnames). Returns 0, or -1 with the message (unwrapped) in msg
 * (not NUL-terminated; whole unless memory ran out). */
static int read_args(const char *s, size_t n, const char *const *names, size_t nnames, uint64_t *out,
                     gt_buf *scratch, gt_buf *msg)
{
    gt_buf_reset(msg);
    for (size_t i = 0; i < nnames; i++) {
        const char *tok, *rest;
        size_t rest_n;
        size_t tn = read_token(s, n, &tok, &rest, &rest_n);
        if (tn == 0) {
            gt_buf_printf(msg, "no argument");
            return -1;
        }
        const char *eq = memchr(tok, '=', tn);
        if (!eq) {
            gt_buf_printf(msg, "malformed argument: %s", quoted(scratch, tok, tn));
            return -1;
        }
        size_t name_n = (size_t)(eq - tok), val_n = tn - name_n - 1;
        if (parse_uint(eq + 1, val_n, &out[i])) {
            /* Two quotes in one message: keep the first in msg. */
            gt_buf_printf(msg, "failed to parse argument value %s", quoted(scratch, eq + 1, val_n));
            gt_buf_printf(msg, " for arg %s", quoted(scratch, tok, name_n));
            return -1;
        }
        if (name_n != strlen(names[i]) || memcmp(tok, names[i], name_n)) {
            gt_buf_printf(msg, "expected argument %s", quoted(scratch, names[i], strlen(names[i])));
            gt_buf_printf(msg, ", but got %s", quoted(scratch, tok, name_n));
            return -1;
        }
        s = rest;
        n = rest_n;
    }
    if (!all_space(s, n)) {
        gt_buf_printf(msg, "encountered unexpected non-space at the end of an event: %s", quoted(scratch, s, n));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- header */

static int text_next(gt_raw_reader *r, gt_raw_event *ev);
static uint64_t text_bytes_read(const gt_raw_reader *r) { return r->text_pos; }

static gt_raw_reader *gt_raw_open_text_impl(const void *data, size_t len, gt_error *err)
{
    gt_raw_reader *r = gt_raw_reader_alloc(GT_RAW_SRC_TEXT);
    if (!r) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    r->text = data;
    r->text_len = len;
    r->next = text_next;
    r->bytes_read = text_bytes_read;
    text_line line;
    gt_buf scratch = GT_BUF_INIT;
    int st = next_line(r, &line);
    if (st == 0) {
        fail_line(r, GT_ERR_TRUNCATED, NULL, "EOF");
    } else if (st > 0) {
        const char *tok, *rest;
        size_t rest_n, tn = read_token(line.p, line.n, &tok, &rest, &rest_n);
        const char *ver;
        size_t ver_rest_n, vn = read_token(rest, rest_n, &ver, &rest, &ver_rest_n);
        uint64_t raw = 0;
        int perr;
        if (tn != 5 || memcmp(tok, "Trace", 5)) {
            fail_line(r, GT_ERR_FORMAT, &line, "failed to parse header");
        } else if (vn < 4 || memcmp(ver, "Go1.", 4)) {
            fail_line(r, GT_ERR_FORMAT, &line, "failed to parse header Go version");
        } else if ((perr = parse_uint(ver + 4, vn - 4, &raw)) != 0) {
            fail_line(r, GT_ERR_FORMAT, &line, "failed to parse header Go version: strconv.ParseUint: parsing %s: %s",
                      quoted(&scratch, ver + 4, vn - 4), perr == 1 ? "invalid syntax" : "value out of range");
        } else if (!gt_version_valid((int)(uint32_t)raw)) {
            /* Go stores the number in a uint32 Version before checking it. */
            fail_line(r, GT_ERR_FORMAT, &line, "unknown or unsupported Go version 1.%u", (unsigned)(uint32_t)raw);
        } else if (!all_space(rest, ver_rest_n)) {
            fail_line(r, GT_ERR_FORMAT, &line, "encountered unexpected non-space at the end of the header: %s",
                      quoted(&scratch, rest, ver_rest_n));
        } else {
            r->version = (int)(uint32_t)raw;
        }
    }
    gt_buf_free(&scratch);
    if (r->state < 0) {
        if (err)
            gt_error_move(err, &r->err);
        gt_raw_free(r);
        return NULL;
    }
    if (err)
        gt_error_clear(err);
    return r;
}

gt_raw_reader *gt_raw_open_text(const void *data, size_t len, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_text_impl(data, len, err);
    gt_error_publish(err);
    return ret;
}

static gt_raw_reader *gt_raw_open_text_source_impl(const gt_source *src, gt_error *err)
{
    if (!src || !src->read) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL source or read callback");
        return NULL;
    }
    gt_source s = *src;
    size_t len = 0, cap = 64 * 1024;
    char *text = malloc(cap);
    int64_t got = 0;
    while (text) {
        if (len == cap) {
            char *t = cap * 2 > cap ? realloc(text, cap * 2) : NULL;
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
            cap *= 2;
        }
        got = s.read(s.ctx, text + len, cap - len);
        if (got <= 0)
            break;
        len += (size_t)got > cap - len ? cap - len : (size_t)got;
    }
    gt_source_close(&s);
    if (!text) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    if (got < 0) {
        free(text);
        gt_error_set(err, GT_ERR_IO, len, "read error: %s", strerror(gt_source_errno(got)));
        return NULL;
    }
    gt_raw_reader *r = gt_raw_open_text(text, len, err);
    if (!r) {
        free(text);
        return NULL;
    }
    r->owned = text;
    return r;
}

gt_raw_reader *gt_raw_open_text_source(const gt_source *src, gt_error *err)
{
    gt_error_init(err);
    gt_raw_reader *ret = gt_raw_open_text_source_impl(src, err);
    gt_error_publish(err);
    return ret;
}

/* ---------------------------------------------------------------- events */

static const char *const frame_fields[4] = {"pc", "func", "file", "line"};

/* The type whose name is tok in r's version, or -1. */
static int lookup_type(const gt_raw_reader *r, const char *tok, size_t n)
{
    for (unsigned t = 1; t < 256; t++) {
        const gt_spec *s = gt_raw_spec(r->version, t);
        if (s && s->name[0] && strlen(s->name) == n && !memcmp(s->name, tok, n))
            return (int)t;
    }
    return -1;
}

static int text_next(gt_raw_reader *r, gt_raw_event *ev)
{
    text_line line;
    int st = next_line(r, &line);
    if (st <= 0) {
        if (st == 0)
            r->state = 1;
        return st;
    }
    gt_buf scratch = GT_BUF_INIT, msg = GT_BUF_INIT;
    const char *tok, *rest;
    size_t rest_n, tn = read_token(line.p, line.n, &tok, &rest, &rest_n);
    int type = lookup_type(r, tok, tn);
    const gt_spec *spec = type > 0 ? gt_raw_spec(r->version, (unsigned)type) : NULL;
    size_t nargs = 0;
    int rc = -1;
    if (!spec) {
        fail_line(r, GT_ERR_MALFORMED, &line, "unidentified event: %.*s", (int)tn, tok);
        goto out;
    }
    nargs = spec->nargs;
    if (gt_raw_args_reserve(r, nargs + 4)) {
        fail_line(r, GT_ERR_NOMEM, &line, "out of memory");
        goto out;
    }
    if (read_args(rest, rest_n, spec->args, spec->nargs, r->args, &scratch, &msg)) {
        fail_line(r, GT_ERR_MALFORMED, &line, "reading args for %.*s: %.*s", (int)tn, tok, (int)msg.len,
                  msg.data ? msg.data : "");
        goto out;
    }
    if (spec->is_stack) {
        /* As in Go, a count past INT64_MAX means no frames; frames are only
         * stored as their lines are read. */
        uint64_t nframes = r->args[1] > (uint64_t)INT64_MAX ? 0 : r->args[1];
        for (uint64_t f = 0; f < nframes; f++) {
            text_line fl;
            int fst = next_line(r, &fl);
            if (fst < 0)
                goto out;
            if (fst == 0) {
                fail_line(r, GT_ERR_TRUNCATED, &line, "unexpected EOF while reading stack: args=%s",
                          format_args(&scratch, r->args, nargs));
                goto out;
            }
            if (gt_raw_args_reserve(r, nargs + 4)) {
                fail_line(r, GT_ERR_NOMEM, &fl, "out of memory");
                goto out;
            }
            if (read_args(fl.p, fl.n, frame_fields, 4, r->args + nargs, &scratch, &msg)) {
                fail_line(r, GT_ERR_MALFORMED, &fl, "%.*s", (int)msg.len, msg.data ? msg.data : "");
                goto out;
            }
            nargs += 4;
        }
    }
    ev->data = NULL;
    ev->data_len = 0;
    if (spec->has_data) {
        text_line dl;
        int dst = next_line(r, &dl);
        if (dst < 0)
            goto out;
        if (dst == 0) {
            fail_line(r, GT_ERR_TRUNCATED, &line, "unexpected EOF while reading data for %.*s: args=%s", (int)tn, tok,
                      format_args(&scratch, r->args, nargs));
            goto out;
        }
        const char *eq = memchr(dl.p, '=', dl.n);
        const char *key, *key_rest, *val;
        size_t kr_n;
        size_t kn = eq ? read_token(dl.p, (size_t)(eq - dl.p), &key, &key_rest, &kr_n) : 0;
        /* Go: TrimSpace(key) must be "data"; the value is TrimSpace'd and
         * unquoted. */
        if (!eq || kn != 4 || memcmp(key, "data", 4) || !all_space(key_rest, kr_n)) {
            fail_line(r, GT_ERR_MALFORMED, &dl, "malformed data: %s", quoted(&scratch, dl.p, dl.n));
            goto out;
        }
        val = eq + 1;
        size_t vn = trim_space(&val, dl.n - (size_t)(val - dl.p));
        gt_buf_reset(&r->data);
        if (gt_go_unquote(val, vn, &r->data)) {
            fail_line(r, GT_ERR_MALFORMED, &dl, "failed to parse data: %s: invalid syntax",
                      quoted(&scratch, dl.p, dl.n));
            goto out;
        }
        /* Go's data is never nil here, even when empty. */
        ev->data = r->data.len ? (const uint8_t *)r->data.data : (const uint8_t *)"";
        ev->data_len = r->data.len;
    }
    ev->type = (uint8_t)type;
    ev->nargs = nargs;
    ev->args = r->args;
    ev->offset = line.number;
    rc = 1;
out:
    gt_buf_free(&scratch);
    gt_buf_free(&msg);
    return rc;
}
