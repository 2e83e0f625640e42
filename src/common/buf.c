#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gt_buf_grow(gt_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < extra)
        cap *= 2;
    char *d = b->borrowed ? malloc(cap) : realloc(b->data, cap);
    if (!d)
        return -1;
    if (b->borrowed && b->len)
        memcpy(d, b->data, b->len);
    b->data = d;
    b->cap = cap;
    b->borrowed = 0;
    return 0;
}

int gt_buf_vprintf(gt_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return -1;
    }
    if ((size_t)n < sizeof tmp) {
        va_end(ap2);
        return gt_buf_append(b, tmp, (size_t)n);
    }
    if (gt_buf_reserve(b, (size_t)n + 1)) {
        va_end(ap2);
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return 0;
}

int gt_buf_printf(gt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = gt_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

int gt_buf_put_u64(gt_buf *b, uint64_t v)
{
    /* Two digits per division: times have 10 to 19 of them. */
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";
    char tmp[20];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = pairs[k + 1];
        *--p = pairs[k];
    }
    if (v >= 10) {
        unsigned k = (unsigned)v * 2;
        *--p = pairs[k + 1];
        *--p = pairs[k];
    } else {
        *--p = (char)('0' + v);
    }
    return gt_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

int gt_buf_put_i64(gt_buf *b, int64_t v)
{
    if (v < 0) {
        if (gt_buf_putc(b, '-'))
            return -1;
        return gt_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    }
    return gt_buf_put_u64(b, (uint64_t)v);
}

void gt_buf_reset(gt_buf *b) { b->len = 0; }

void gt_buf_free(gt_buf *b)
{
    if (!b->borrowed)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->borrowed = 0;
}

void gt_buf_copy_out(const gt_buf *b, char *buf, size_t cap)
{
    if (!cap)
        return;
    size_t n = b->len < cap - 1 ? b->len : cap - 1;
    if (n)
        memcpy(buf, b->data, n);
    buf[n] = '\0';
}
