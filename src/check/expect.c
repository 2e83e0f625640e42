/* Expectations of Go's trace test cases (testtrace/expectation.go) and the
 * small subset of Go regexps their FAILURE patterns use.
 *
 * The matcher compiles a pattern to a list of items (a literal byte, "any
 * rune but newline", or "any run of non-newline runes") and simulates it as
 * a set of positions over the subject, so matching is linear in the subject
 * and never backtracks. Go's MatchString is unanchored: a match may start
 * anywhere, which the simulation models by entering the first item at every
 * position. */
#include "gotrace/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/goquote.h"

enum item_kind { ITEM_BYTE, ITEM_ANY, ITEM_ANY_RUN };

typedef struct item {
    unsigned char kind;
    unsigned char byte;
} item;

struct gt_go_regexp {
    char *source;    /* NUL-terminated copy of the pattern */
    size_t source_len;
    size_t nitems;
    item *items;
    unsigned char *live, *next; /* simulation sets, nitems + 1 each */
};

/* Characters that are syntax in Go regexps and that this matcher does not
 * implement (outside the supported '.', ".*" and '\' escapes). */
static const char unsupported_syntax[] = "*+?()[]{}|^$";

void gt_go_regexp_free(gt_go_regexp *re)
{
    if (!re)
        return;
    free(re->source);
    free(re->items);
    free(re->live);
    free(re->next);
    free(re);
}

const char *gt_go_regexp_source(const gt_go_regexp *re)
{
    return re->source;
}

static gt_go_regexp *gt_go_regexp_compile_impl(const char *pattern, size_t len, gt_error *err)
{
    gt_go_regexp *re = calloc(1, sizeof *re);
    if (!re)
        goto nomem;
    re->source = malloc(len + 1);
    re->items = malloc((len + 1) * sizeof *re->items);
    if (!re->source || !re->items)
        goto nomem;
    memcpy(re->source, pattern, len);
    re->source[len] = '\0';
    re->source_len = len;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pattern[i];
        item it = {ITEM_BYTE, c};
        if (c == '\\') {
            /* Go: '\' before punctuation is that character; '\' before a
             * letter or digit is a class or an escape we do not implement. */
            unsigned char e = i + 1 < len ? (unsigned char)pattern[i + 1] : 0;
            if (!(e >= 0x21 && e <= 0x7e) || (e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') ||
                (e >= 'A' && e <= 'Z')) {
                gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                             "unsupported regexp syntax at offset %zu (only literals, '.', '.*' and "
                             "'\\' before punctuation are supported): `%s`", i, re->source);
                goto fail;
            }
            it.byte = e;
            i++;
        } else if (c == '.') {
            it.kind = ITEM_ANY;
            if (i + 1 < len && pattern[i + 1] == '*') {
                it.kind = ITEM_ANY_RUN;
                i++;
                /* ".*?" (lazy) and ".**" have other meanings or are errors. */
                if (i + 1 < len && strchr("*+?{", pattern[i + 1])) {
                    gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                                 "unsupported regexp syntax at offset %zu (only literals, '.', '.*' and "
                                 "'\\' before punctuation are supported): `%s`", i + 1, re->source);
                    goto fail;
                }
            }
        } else if (c && strchr(unsupported_syntax, c)) {
            gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                         "unsupported regexp syntax at offset %zu (only literals, '.', '.*' and "
                         "'\\' before punctuation are supported): `%s`", i, re->source);
            goto fail;
        }
        re->items[re->nitems++] = it;
    }
    re->live = malloc(re->nitems + 1);
    re->next = malloc(re->nitems + 1);
    if (!re->live || !re->next)
        goto nomem;
    return re;
nomem:
    gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
fail:
    gt_go_regexp_free(re);
    return NULL;
}

gt_go_regexp *gt_go_regexp_compile(const char *pattern, size_t len, gt_error *err)
{
    gt_error_init(err);
    gt_go_regexp *ret = gt_go_regexp_compile_impl(pattern, len, err);
    gt_error_publish(err);
    return ret;
}

/* Adds state k to set, following ANY_RUN items (which may match nothing). */
static void add_state(const gt_go_regexp *re, unsigned char *set, size_t k)
{
    for (;;) {
        set[k] = 1;
        if (k == re->nitems || re->items[k].kind != ITEM_ANY_RUN)
            return;
        k++;
    }
}

int gt_go_regexp_match(const gt_go_regexp *re, const char *s, size_t len)
{
    size_t n = re->nitems;
    unsigned char *live = re->live, *next = re->next;
    memset(live, 0, n + 1);
    size_t i = 0;
    for (;;) {
        add_state(re, live, 0); /* unanchored: a match may start here */
        if (live[n])
            return 1;
        if (i >= len)
            return 0;
        /* Step over one rune: Go's '.' consumes a whole UTF-8 sequence (an
         * invalid byte counts as one rune). Literal items compare bytes. */
        int32_t r;
        size_t w = gt_utf8_decode((const uint8_t *)s + i, len - i, &r);
        memset(next, 0, n + 1);
        for (size_t k = 0; k < n; k++) {
            if (!live[k])
                continue;
            const item *it = &re->items[k];
            switch (it->kind) {
            case ITEM_BYTE:
                /* A multi-byte rune is matched byte by byte: advance through
                 * the literal bytes of the pattern with the subject. */
                if (w == 1 && (unsigned char)s[i] == it->byte)
                    add_state(re, next, k + 1);
                else if (w > 1 && k + w <= n) {
                    size_t j = 0;
                    while (j < w && re->items[k + j].kind == ITEM_BYTE &&
                           re->items[k + j].byte == (unsigned char)s[i + j])
                        j++;
                    if (j == w)
                        add_state(re, next, k + w);
                }
                break;
            case ITEM_ANY:
                if (r != '\n')
                    add_state(re, next, k + 1);
                break;
            case ITEM_ANY_RUN:
                if (r != '\n')
                    add_state(re, next, k);
                break;
            }
        }
        unsigned char *t = live;
        live = next;
        next = t;
        i += w;
    }
}

/* ------------------------------------------------------------ expectations */

struct gt_expectation {
    int failure;
    gt_go_regexp *matcher; /* set when failure */
};

void gt_expectation_free(gt_expectation *e)
{
    if (!e)
        return;
    gt_go_regexp_free(e->matcher);
    free(e);
}

int gt_expectation_wants_failure(const gt_expectation *e)
{
    return e->failure;
}

/* Sets *err to "PREFIX" followed by Go's %q of s. */
static void error_quoted(gt_error *err, const char *prefix, const char *s, size_t n)
{
    gt_buf b = GT_BUF_INIT;
    if (gt_buf_puts(&b, prefix) || gt_go_quote(&b, s, n) || gt_buf_putc(&b, '\0'))
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    else
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "%s", b.data);
    gt_buf_free(&b);
}

/* Go's strconv.Unquote for the two literal forms a pattern can take:
 * "interpreted" and `raw` (raw literals lose their '\r' bytes, as in Go).
 * Go's 'c' rune literals are refused: they cannot hold a useful pattern. */
static int unquote(const char *s, size_t n, gt_buf *out)
{
    if (n >= 2 && s[0] == '`' && s[n - 1] == '`') {
        if (memchr(s + 1, '`', n - 2))
            return -1;
        for (size_t i = 1; i + 1 < n; i++)
            if (s[i] != '\r' && gt_buf_putc(out, s[i]))
                return -1;
        return 0;
    }
    return gt_go_unquote(s, n, out);
}

static gt_expectation *gt_expectation_parse_impl(const void *data, size_t len, gt_error *err)
{
    gt_expectation *e = calloc(1, sizeof *e);
    if (!e) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    if (!len)
        return e; /* no line at all: success expected */

    /* The first line, as bufio.Scanner's ScanLines gives it: without the
     * '\n' and without one '\r' before it. */
    const char *p = data;
    const char *nl = memchr(p, '\n', len);
    size_t n = nl ? (size_t)(nl - p) : len;
    if (n && p[n - 1] == '\r')
        n--;
    const char *sp = memchr(p, ' ', n);
    size_t head = sp ? (size_t)(sp - p) : n;

    if (head == 7 && !memcmp(p, "SUCCESS", 7))
        return e;
    if (!(head == 7 && !memcmp(p, "FAILURE", 7))) {
        error_quoted(err, "bad header line: ", p, n);
        goto fail;
    }
    e->failure = 1;
    if (!sp) {
        error_quoted(err, "bad header line for FAILURE: ", p, n);
        goto fail;
    }
    const char *quoted = sp + 1;
    size_t qlen = n - head - 1;
    gt_buf pattern = GT_BUF_INIT;
    if (unquote(quoted, qlen, &pattern)) {
        gt_buf_free(&pattern);
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                     "malformed pattern: not correctly quoted: %.*s: invalid syntax", (int)qlen, quoted);
        goto fail;
    }
    gt_error inner = GT_ERROR_INIT;
    e->matcher = gt_go_regexp_compile(pattern.data ? pattern.data : "", pattern.len, &inner);
    if (!e->matcher) {
        gt_error_set(err, inner.code, GT_NO_OFFSET, "malformed pattern: not a valid regexp: %.*s: %s",
                     (int)pattern.len, pattern.data ? pattern.data : "", inner.message);
        gt_buf_free(&pattern);
        goto fail;
    }
    gt_buf_free(&pattern);
    return e;
fail:
    gt_expectation_free(e);
    return NULL;
}

gt_expectation *gt_expectation_parse(const void *data, size_t len, gt_error *err)
{
    gt_error_init(err);
    gt_expectation *ret = gt_expectation_parse_impl(data, len, err);
    gt_error_publish(err);
    return ret;
}

/* Go's %q of a *regexp.Regexp: its source, quoted. */
static int quote_source(gt_buf *b, const gt_go_regexp *re)
{
    return gt_go_quote(b, re->source, re->source_len);
}

int gt_expectation_check(const gt_expectation *e, const char *read_error, char **why)
{
    *why = NULL;
    gt_buf b = GT_BUF_INIT;
    int failed = 0;
    if (!e->failure && read_error) {
        failed = gt_buf_printf(&b, "unexpected error while reading the trace: %s", read_error);
    } else if (e->failure && !read_error) {
        failed = gt_buf_puts(&b, "expected error while reading the trace: want something matching ") ||
                 quote_source(&b, e->matcher) || gt_buf_puts(&b, ", got none");
    } else if (e->failure && !gt_go_regexp_match(e->matcher, read_error, strlen(read_error))) {
        failed = gt_buf_puts(&b, "unexpected error while reading the trace: want something matching ") ||
                 quote_source(&b, e->matcher) || gt_buf_printf(&b, ", got %s", read_error);
    } else {
        return 0;
    }
    if (failed || gt_buf_putc(&b, '\0')) {
        gt_buf_free(&b);
        return -1;
    }
    *why = b.data;
    return 1;
}
