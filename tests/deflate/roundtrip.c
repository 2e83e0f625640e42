/* cli/fast_deflate.c against zlib's inflate: every input below must come
 * back byte for byte from uncompress(), within fast_deflate_bound(), with
 * the bytes past the stream left alone. Cases: the empty input and the
 * sizes around the encoder's 12-byte tail; one byte repeated (distance 1,
 * 258-byte matches); random bytes (every literal code, 8 and 9 bits, no
 * match); a random block repeated at distances 32768 (the window's edge:
 * matched) and 32769 (past it: literals); every length 3-300 and distance
 * code; and a 256 KiB chunk of Perfetto-like records. Prints one line per
 * failure; exit 1 on any. Used by tests/scripts/perfetto.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fast_deflate.h"

static int failures;

static uint64_t rng = 88172645463325252u;
static uint8_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint8_t)(rng >> 24);
}

static void check(fast_deflate *z, const char *name, const uint8_t *in, size_t n)
{
    size_t bound = fast_deflate_bound(n);
    uint8_t *out = malloc(bound + 16), *back = malloc(n + 1);
    memset(out, 0xa5, bound + 16);
    size_t k = fast_deflate_zlib(z, in, n, out);
    uLongf got = n + 1;
    int rc = uncompress(back, &got, out, k);
    if (k + 8 > bound) {
        printf("%s: %zu bytes out of %zu in, bound %zu\n", name, k, n, bound);
        failures++;
    } else if (rc != Z_OK || got != n || memcmp(back, in, n)) {
        printf("%s: inflate rc %d, %lu bytes of %zu, %s\n", name, rc, (unsigned long)got, n,
               rc == Z_OK && got == n ? "differ" : "");
        failures++;
    }
    for (size_t i = bound; i < bound + 16; i++)
        if (out[i] != 0xa5) {
            printf("%s: wrote past the bound\n", name);
            failures++;
            break;
        }
    free(out);
    free(back);
}

int main(void)
{
    fast_deflate *z = fast_deflate_new();
    if (!z)
        return 1;
    enum { N = 256 << 10 };
    uint8_t *buf = malloc(N);
    char name[64];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(i % 3 ? 'a' : rnd());
        snprintf(name, sizeof name, "short %zu", n);
        check(z, name, buf, n);
    }
    memset(buf, 7, N);
    check(z, "one byte repeated", buf, N);
    for (size_t i = 0; i < N; i++)
        buf[i] = rnd();
    check(z, "random", buf, N);
    for (size_t period = 32767; period <= 32770; period++) {
        for (size_t i = period; i < N; i++)
            buf[i] = buf[i - period];
        snprintf(name, sizeof name, "period %zu", period);
        check(z, name, buf, N);
        for (size_t i = 0; i < N; i++)
            buf[i] = rnd();
    }
    /* Runs of every length from 3 to 300 copied from every distance
     * class, between random bytes. */
    size_t n = 0;
    for (size_t len = 3; len <= 300 && n < N - 40000; len++) {
        size_t dist = (size_t)1 << (len % 16);
        if (dist > n)
            dist = n ? n : 1;
        for (size_t i = 0; i < 8 && n < N; i++)
            buf[n++] = rnd();
        for (size_t i = 0; i < len && n < N && n >= dist; i++, n++)
            buf[n] = buf[n - dist];
    }
    check(z, "lengths and distances", buf, n);
    /* Records like Perfetto's packets: a few fixed bytes, small varying
     * numbers. */
    n = 0;
    while (n + 16 <= N) {
        static const uint8_t head[] = {0x0a, 0x0c, 0x40, 0x50, 0x01, 0x5a, 0x06, 0x48};
        memcpy(buf + n, head, sizeof head);
        n += sizeof head;
        buf[n++] = (uint8_t)(1 + rnd() % 2);
        buf[n++] = 0x58;
        buf[n++] = (uint8_t)(0x80 | rnd());
        buf[n++] = (uint8_t)(rnd() & 0x7f);
    }
    check(z, "records", buf, n);
    free(buf);
    fast_deflate_free(z);
    if (!failures)
        printf("ok\n");
    return failures != 0;
}
