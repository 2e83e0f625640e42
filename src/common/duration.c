/* Go's time.ParseDuration and time.Duration.String, step for step, with
 * Go's error texts (time.quote included), so that a duration given to the
 * CLI means what it means to Go and prints as Go's web UI prints it. */
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/goquote.h"
#include "gotrace/duration.h"

static const uint64_t limit = (uint64_t)1 << 63;

/* Go's time.quote: printable ASCII as is (backslash before " and \), every
 * other byte of a rune as \xNN. A U+FFFD rune counts one byte unless its
 * three bytes are there with one more after them (Go's i+2 < len(s)). */
static void go_time_quote(gt_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    gt_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        int32_t c;
        size_t w = gt_utf8_decode((const uint8_t *)s + i, n - i, &c);
        if (c >= 0x80 || c < ' ') {
            size_t esc = w;
            if (c == 0xFFFD)
                esc = i + 2 < n && !memcmp(s + i, "\xef\xbf\xbd", 3) ? 3 : 1;
            for (size_t j = 0; j < esc; j++) {
                uint8_t x = (uint8_t)s[i + j];
                char e[4] = {'\\', 'x', hex[x >> 4], hex[x & 15]};
                gt_buf_append(b, e, 4);
            }
        } else {
            if (c == '"' || c == '\\')
                gt_buf_putc(b, '\\');
            gt_buf_putc(b, (char)c);
        }
        i += w;
    }
    gt_buf_putc(b, '"');
}

/* "time: MESSAGE QUOTED", where message may itself hold a quoted unit. */
static int duration_error(gt_error *err, const char *what, const char *unit, size_t unit_len, const char *orig)
{
    gt_buf b = GT_BUF_INIT;
    gt_buf_puts(&b, "time: ");
    gt_buf_puts(&b, what);
    if (unit) {
        go_time_quote(&b, unit, unit_len);
        gt_buf_puts(&b, " in duration");
    }
    gt_buf_putc(&b, ' ');
    go_time_quote(&b, orig, strlen(orig));
    int rc = gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "%.*s", (int)b.len, b.data ? b.data : "");
    gt_buf_free(&b);
    return rc;
}

static int invalid(gt_error *err, const char *orig) { return duration_error(err, "invalid duration", NULL, 0, orig); }

/* Go's unitMap: nanoseconds per unit, 0 when unknown. */
static uint64_t unit_ns(const char *u, size_t n)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
        {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60000000000ull},
        {"h", 3600000000000ull},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && !memcmp(units[i].name, u, n))
            return units[i].ns;
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int gt_parse_duration_impl(const char *orig, int64_t *ns, gt_error *err)
{
    const char *s = orig;
    uint64_t d = 0;
    int neg = 0;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (!strcmp(s, "0")) {
        *ns = 0;
        return 0;
    }
    if (!*s)
        return invalid(err, orig);
    while (*s) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!(*s == '.' || is_digit(*s)))
            return invalid(err, orig);
        /* leadingInt: [0-9]*, failing past 1<<63. */
        const char *start = s;
        for (; is_digit(*s); s++) {
            if (v > limit / 10)
                return invalid(err, orig);
            v = v * 10 + (uint64_t)(*s - '0');
            if (v > limit)
                return invalid(err, orig);
        }
        int pre = s != start, post = 0;
        if (*s == '.') {
            /* leadingFraction: stops gaining precision on overflow. */
            s++;
            const char *fstart = s;
            int overflow = 0;
            for (; is_digit(*s); s++) {
                if (overflow)
                    continue;
                if (f > (limit - 1) / 10) {
                    overflow = 1;
                    continue;
                }
                uint64_t y = f * 10 + (uint64_t)(*s - '0');
                if (y > limit) {
                    overflow = 1;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = s != fstart;
        }
        if (!pre && !post)
            return invalid(err, orig);
        size_t ulen = 0;
        while (s[ulen] && s[ulen] != '.' && !is_digit(s[ulen]))
            ulen++;
        if (ulen == 0)
            return duration_error(err, "missing unit in duration", NULL, 0, orig);
        uint64_t unit = unit_ns(s, ulen);
        if (!unit)
            return duration_error(err, "unknown unit ", s, ulen, orig);
        s += ulen;
        if (v > limit / unit)
            return invalid(err, orig);
        v *= unit;
        if (f > 0) {
            /* Go: v += uint64(float64(f) * (float64(unit) / scale)). */
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > limit)
                return invalid(err, orig);
        }
        d += v;
        if (d > limit)
            return invalid(err, orig);
    }
    if (neg) {
        *ns = (int64_t)(0 - d); /* -Duration(d): 1<<63 gives INT64_MIN */
        return 0;
    }
    if (d > limit - 1)
        return invalid(err, orig);
    *ns = (int64_t)d;
    return 0;
}

int gt_parse_duration(const char *orig, int64_t *ns, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_parse_duration_impl(orig, ns, err);
    gt_error_publish(err);
    return ret;
}

/* Go's fmtFrac: the prec low digits of v as a fraction without trailing
 * zeros (and without the point when all are zero), written backwards
 * ending at buf[w]. */
static size_t fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
    int print = 0;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);
        print = print || digit != 0;
        if (print)
            buf[--w] = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        buf[--w] = '.';
    return w;
}

static size_t fmt_int(char *buf, size_t w, uint64_t v)
{
    if (v == 0)
        buf[--w] = '0';
    for (; v > 0; v /= 10)
        buf[--w] = (char)('0' + v % 10);
    return w;
}

char *gt_format_duration(int64_t d, char out[GT_DURATION_BUF])
{
    char buf[32];
    size_t w = sizeof buf;
    uint64_t u = (uint64_t)d;
    int neg = d < 0;
    if (neg)
        u = 0 - u;
    if (u < 1000000000u) {
        int prec;
        buf[--w] = 's';
        w--;
        if (u == 0) {
            buf[w] = '0';
            goto done;
        } else if (u < 1000) {
            prec = 0;
            buf[w] = 'n';
        } else if (u < 1000000) {
            prec = 3;
            w--;
            memcpy(buf + w, "\xc2\xb5", 2); /* µ */
        } else {
            prec = 6;
            buf[w] = 'm';
        }
        w = fmt_frac(buf, w, &u, prec);
        w = fmt_int(buf, w, u);
    } else {
        buf[--w] = 's';
        w = fmt_frac(buf, w, &u, 9);
        w = fmt_int(buf, w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            w = fmt_int(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                w = fmt_int(buf, w, u);
            }
        }
    }
    if (neg)
        buf[--w] = '-';
done:
    memcpy(out, buf + w, sizeof buf - w);
    out[sizeof buf - w] = '\0';
    return out;
}
