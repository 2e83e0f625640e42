#include "common/cursor.h"

int gt_varint_slow(gt_cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    const uint8_t *p = c->p;
    for (int i = 0; i < 10; i++) {
        if (p >= c->end)
            return GT_VARINT_TRUNCATED;
        uint8_t b = *p++;
        if (b < 0x80) {
            if (i == 9 && b > 1)
                return GT_VARINT_OVERFLOW;
            *out = v | (uint64_t)b << shift;
            c->p = p;
            return GT_VARINT_OK;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    return GT_VARINT_OVERFLOW;
}

size_t gt_varint_put(uint8_t *buf, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    return n;
}

size_t gt_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}
