/* Deflate with fixed Huffman codes (gotrace perfetto; see fast_deflate.h).
 *
 * Matches: at each position the 4 bytes there are hashed into a table of
 * the last position (+1; 0 is empty) each hash was seen at; a candidate
 * within the 32 KiB window whose 4 bytes agree is extended (8 bytes at a
 * time) up to 258 bytes and taken; otherwise the byte is a literal. Inside
 * a match only the position before its end is hashed again. Symbols go out
 * at once through a 64-bit bit buffer: a literal is 8 or 9 bits, a match
 * (its length code and extra bits, then the distance's) at most 31, never
 * more than the 32 bits of the 4 bytes it covers, hence the bound. */
#include "fast_deflate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

enum { HASH_BITS = 14, WINDOW = 32768, MIN_MATCH = 4, MAX_MATCH = 258 };

struct fast_deflate {
    uint32_t table[1 << HASH_BITS];  /* hash -> position + 1 */
    uint16_t lit_code[256];          /* bit-reversed fixed code and its length */
    uint8_t lit_bits[256];
    uint32_t len_code[MAX_MATCH + 1];  /* length code and extra bits, together */
    uint8_t len_bits[MAX_MATCH + 1];
    uint8_t dist_code[30];           /* 5-bit distance codes, bit-reversed */
};

/* Huffman codes are defined most significant bit first, deflate's stream
 * is filled from the least significant bit: codes go in reversed. */
static unsigned reverse_bits(unsigned v, int n)
{
    unsigned r = 0;
    for (int i = 0; i < n; i++)
        r |= ((v >> i) & 1u) << (n - 1 - i);
    return r;
}

fast_deflate *fast_deflate_new(void)
{
    fast_deflate *z = malloc(sizeof *z);
    if (!z)
        return NULL;
    /* RFC 1951 3.2.6: literals 0-143 are 8 bits from 0x30, 144-255 are 9
     * bits from 0x190; symbols 256-279 are 7 bits from 0, 280-287 are 8
     * bits from 0xc0. */
    for (unsigned v = 0; v < 256; v++) {
        int n = v < 144 ? 8 : 9;
        z->lit_code[v] = (uint16_t)reverse_bits(v < 144 ? 0x30 + v : 0x190 + v - 144, n);
        z->lit_bits[v] = (uint8_t)n;
    }
    static const uint16_t base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    for (int c = 0; c < 29; c++) {
        unsigned sym = 257u + (unsigned)c;
        int n = sym < 280 ? 7 : 8;
        unsigned code = reverse_bits(sym < 280 ? sym - 256 : 0xc0 + sym - 280, n);
        int last = c == 28 ? MAX_MATCH : c == 27 ? MAX_MATCH - 1 : base[c + 1] - 1;
        for (int len = base[c]; len <= last; len++) {
            z->len_code[len] = code | (uint32_t)(len - base[c]) << n;
            z->len_bits[len] = (uint8_t)(n + extra[c]);
        }
    }
    for (unsigned d = 0; d < 30; d++)
        z->dist_code[d] = (uint8_t)reverse_bits(d, 5);
    return z;
}

void fast_deflate_free(fast_deflate *z) { free(z); }

size_t fast_deflate_bound(size_t n) { return n + n / 8 + 32; }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_HOST 1
#else
#define LITTLE_ENDIAN_HOST 0
#endif

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
    if (LITTLE_ENDIAN_HOST) {
        memcpy(p, &v, 8);
    } else {
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - HASH_BITS); }

/* The length of the common prefix of a and b, at most lim - a. */
static inline size_t match_length(const uint8_t *a, const uint8_t *b, const uint8_t *lim)
{
    const uint8_t *start = a;
    if (LITTLE_ENDIAN_HOST) {
        while (a + 8 <= lim) {
            uint64_t x, y;
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y)
                return (size_t)(a - start) + ((unsigned)__builtin_ctzll(x ^ y) >> 3);
            a += 8;
            b += 8;
        }
    }
    while (a < lim && *a == *b) {
        a++;
        b++;
    }
    return (size_t)(a - start);
}

size_t fast_deflate_zlib(fast_deflate *z, const void *in_, size_t n, void *out_)
{
    const uint8_t *in = in_;
    uint8_t *o = out_;
    *o++ = 0x78;  /* deflate, 32 KiB window */
    *o++ = 0x01;  /* fastest; the header's check (0x7801 % 31 == 0) */
    uint64_t acc = 3;  /* BFINAL = 1, BTYPE = 01: fixed Huffman codes */
    unsigned nb = 3;
    /* Writes the whole bytes of the bit buffer (at most 38 bits are in it). */
#define FLUSH()                  \
    do {                         \
        store_le64(o, acc);      \
        o += nb >> 3;            \
        acc >>= nb & ~7u;        \
        nb &= 7;                 \
    } while (0)
    memset(z->table, 0, sizeof z->table);
    size_t i = 0;
    if (n >= 12) {
        size_t last = n - 12;  /* the last position that is hashed */
        while (i <= last) {
            uint32_t cur = load32(in + i);
            uint32_t *slot = &z->table[hash4(cur)];
            size_t cand = *slot;  /* a position + 1, or 0 */
            *slot = (uint32_t)i + 1;
            if (cand && i + 1 - cand <= WINDOW && load32(in + cand - 1) == cur) {
                size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
                size_t len = MIN_MATCH + match_length(in + i + MIN_MATCH, in + cand - 1 + MIN_MATCH, in + i + max);
                uint32_t x = (uint32_t)(i + 1 - cand) - 1;  /* distance - 1 */
                unsigned dcode, dextra = 0, dn = 0;
                if (x < 4) {
                    dcode = x;
                } else {
                    unsigned top = 31u - (unsigned)__builtin_clz(x);
                    dn = top - 1;
                    dcode = 2 * top + ((x >> dn) & 1u);
                    dextra = x & ((1u << dn) - 1);
                }
                acc |= (uint64_t)z->len_code[len] << nb;
                nb += z->len_bits[len];
                acc |= (uint64_t)(z->dist_code[dcode] | dextra << 5) << nb;
                nb += 5 + dn;
                FLUSH();
                i += len;
                if (i - 1 <= last)
                    z->table[hash4(load32(in + i - 1))] = (uint32_t)i;
            } else {
                acc |= (uint64_t)z->lit_code[in[i]] << nb;
                nb += z->lit_bits[in[i]];
                FLUSH();
                i++;
            }
        }
    }
    for (; i < n; i++) {
        acc |= (uint64_t)z->lit_code[in[i]] << nb;
        nb += z->lit_bits[in[i]];
        FLUSH();
    }
    nb += 7;  /* end of block: symbol 256, seven 0 bits */
    FLUSH();
    if (nb)
        *o++ = (uint8_t)acc;
#undef FLUSH
    uint32_t adler = libdeflate_adler32(1, in, n);
    for (int k = 3; k >= 0; k--)
        *o++ = (uint8_t)(adler >> (8 * k));
    return (size_t)(o - (uint8_t *)out_);
}
