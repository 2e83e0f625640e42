/* gt_varint_unbounded (the 8-byte-load fast path of cursor.h) against the
 * bounded byte loop gt_varint: every length 1-10 with every value boundary,
 * random values, varints padded with continuation bytes (non-minimal forms,
 * which Go accepts), and the overflow cases, each followed by other bytes so
 * that the 8-byte load sees more than the varint. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "common/cursor.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Compares both decoders on buf (16 readable bytes). 1 when they agree. */
static int agree(const uint8_t *buf)
{
    gt_cursor c = {buf, buf + 16};
    uint64_t a = 0, b = 0;
    int sa = gt_varint(&c, &a);
    const uint8_t *p = buf;
    int sb = gt_varint_unbounded(&p, &b);
    if (sa != sb)
        return 0;
    if (sa != GT_VARINT_OK)
        return p == buf;
    return a == b && c.p == p;
}

int main(void)
{
    uint8_t buf[16];
    int bad = 0;
    long cases = 0;
    for (unsigned bits = 0; bits <= 64; bits++)
        for (int d = -2; d <= 2; d++) {
            uint64_t v = bits == 64 ? UINT64_MAX : (bits ? (1ull << bits) : 0);
            v += (uint64_t)(int64_t)d;
            for (unsigned fill = 0; fill < 3; fill++) {
                memset(buf, fill == 0 ? 0 : fill == 1 ? 0xff : 0x80, sizeof buf);
                gt_varint_put(buf, v);
                bad += !agree(buf);
                cases++;
            }
        }
    for (int i = 0; i < 200000; i++) {
        uint64_t v = next_rand() >> (next_rand() % 64);
        for (size_t k = 0; k < sizeof buf; k++)
            buf[k] = (uint8_t)next_rand();
        size_t n = gt_varint_put(buf, v);
        /* Sometimes a non-minimal form: the last byte gets a continuation
         * bit and a zero group follows. */
        if (n < 10 && (next_rand() & 3) == 0) {
            buf[n - 1] |= 0x80;
            buf[n] = 0;
        }
        bad += !agree(buf);
        cases++;
    }
    /* Over-long and overflowing forms. */
    for (unsigned len = 9; len <= 12; len++)
        for (unsigned last = 0; last < 4; last++) {
            memset(buf, 0, sizeof buf);
            memset(buf, 0xff, len - 1);
            buf[len - 1] = (uint8_t)last;
            bad += !agree(buf);
            cases++;
        }
    check(bad == 0, "varint_unbounded_matches_bounded", "%d of %ld cases differ", bad, cases);
    return check_done();
}
