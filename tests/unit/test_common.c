/* Unit tests of the common layer: varints, buffers, hash map, arena. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/cursor.h"
#include "common/hash.h"

static void test_varint(void)
{
    const uint64_t vals[] = {0, 1, 127, 128, 300, UINT64_MAX >> 1, UINT64_MAX};
    int good = 1;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t b[10];
        size_t n = gt_varint_put(b, vals[i]);
        gt_cursor c = {b, b + n};
        uint64_t v = 0;
        if (n != gt_varint_len(vals[i]) || gt_varint(&c, &v) != GT_VARINT_OK || v != vals[i] || c.p != b + n)
            good = 0;
    }
    check(good, "varint_roundtrip", "round trip mismatch");

    const uint8_t trunc[] = {0x80, 0x80};
    gt_cursor c = {trunc, trunc + 2};
    uint64_t v;
    check(gt_varint(&c, &v) == GT_VARINT_TRUNCATED && c.p == trunc, "varint_truncated", "want truncated, cursor unmoved");

    const uint8_t eleven[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    c = (gt_cursor){eleven, eleven + sizeof eleven};
    check(gt_varint(&c, &v) == GT_VARINT_OVERFLOW, "varint_too_long", "want overflow for 11 bytes");

    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    c = (gt_cursor){over, over + sizeof over};
    check(gt_varint(&c, &v) == GT_VARINT_OVERFLOW, "varint_overflow_64", "want overflow past 64 bits");
}

static void test_buf(void)
{
    gt_buf b = GT_BUF_INIT;
    gt_buf_puts(&b, "x=");
    gt_buf_put_i64(&b, -42);
    gt_buf_printf(&b, " %s", "y");
    gt_buf_put_u64(&b, UINT64_MAX);
    check(b.len == strlen("x=-42 y18446744073709551615") && !memcmp(b.data, "x=-42 y18446744073709551615", b.len),
          "buf_format", "got %.*s", (int)b.len, b.data);
    gt_buf_free(&b);
}

static void test_hash(void)
{
    gt_u64map m = GT_U64MAP_INIT;
    int good = 1;
    for (uint64_t i = 0; i < 10000; i++)
        if (gt_u64map_put(&m, i * 7919 + (i == 9999 ? UINT64_MAX - 9999 * 7919 : 0), i))
            good = 0;
    for (uint64_t i = 0; i < 9999; i++) {
        uint64_t *v = gt_u64map_get(&m, i * 7919);
        if (!v || *v != i)
            good = 0;
    }
    uint64_t *top = gt_u64map_get(&m, UINT64_MAX);
    check(good && top && *top == 9999 && m.len == 10000 && !gt_u64map_get(&m, 5), "hash_map", "lookup mismatch");
    gt_u64map_free(&m);

    /* Removal: keys that collide in runs (small table, dense keys), removed
     * in a scrambled order interleaved with inserts; every other key must
     * stay reachable with its value, removed ones gone. */
    uint8_t present[4096] = {0};
    good = 1;
    uint64_t x = 88172645463325252ULL;  /* xorshift */
    for (int round = 0; round < 200000 && good; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t k = x % 4096;
        if (present[k]) {
            good = gt_u64map_remove(&m, k) == 1;
            present[k] = 0;
        } else {
            good = gt_u64map_put(&m, k, k * 3) == 0;
            present[k] = 1;
        }
    }
    size_t n = 0;
    for (uint64_t k = 0; k < 4096 && good; k++) {
        uint64_t *v = gt_u64map_get(&m, k);
        good = present[k] ? v && *v == k * 3 : !v;
        n += present[k];
    }
    check(good && m.len == n && gt_u64map_remove(&m, 5000) == 0, "hash_map_remove", "mismatch after removals");
    gt_u64map_free(&m);
}

/* gt_hash_bytes: a function of the bytes only (not of their address), and
 * changing any one byte of a string up to 40 long, or its length, changes
 * it (the interners resolve collisions, but a hash that ignored a byte
 * would chain every string differing there). */
static void test_hash_bytes(void)
{
    unsigned char src[48], moved[64];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 37 + 11);
    int good = gt_hash_bytes(NULL, 0) == gt_hash_bytes(src, 0);
    for (size_t n = 0; n <= 40 && good; n++) {
        uint64_t h = gt_hash_bytes(src, n);
        for (size_t shift = 1; shift < 8; shift++) {
            memcpy(moved + shift, src, n);
            good &= gt_hash_bytes(moved + shift, n) == h;
        }
        if (n < 40)
            good &= gt_hash_bytes(src, n + 1) != h;
        for (size_t at = 0; at < n; at++) {
            memcpy(moved, src, n);
            moved[at] ^= 1;
            good &= gt_hash_bytes(moved, n) != h;
        }
    }
    check(good, "hash_bytes", "address-dependent, or blind to a byte or the length");
}

static void test_arena(void)
{
    gt_arena a = GT_ARENA_INIT;
    int good = 1;
    for (int i = 0; i < 1000; i++) {
        char *p = gt_arena_alloc(&a, (size_t)i * 37);
        if (!p || ((uintptr_t)p & 15))
            good = 0;
        else
            memset(p, 1, (size_t)i * 37);
    }
    char *big = gt_arena_alloc(&a, 1 << 20);
    check(good && big, "arena_alloc", "allocation failed or misaligned");
    gt_arena_free(&a);
}

int main(void)
{
    test_varint();
    test_buf();
    test_hash();
    test_hash_bytes();
    test_arena();
    return check_done();
}
