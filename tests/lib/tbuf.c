#include "tbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"

void put(tbuf *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    memcpy(t->p + t->len, p, n);
    t->len += n;
}

void put_byte(tbuf *t, uint8_t b) { put(t, &b, 1); }

void put_uv(tbuf *t, uint64_t v)
{
    uint8_t b[10];
    put(t, b, gt_varint_put(b, v));
}

tbuf header(int version)
{
    tbuf t = {NULL, 0, 0};
    char h[32];
    int n = snprintf(h, sizeof h, "go 1.%d trace", version);
    put(&t, h, (size_t)n);
    put(&t, "\0\0\0\0\0\0\0\0", 16 - (size_t)n);
    return t;
}
