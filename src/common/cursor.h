/* Bounded byte cursor and unsigned LEB128 varints.
 *
 * Contract: no function here ever reads outside [p, end). On failure the
 * cursor is left where the bad item starts, so callers can report its offset
 * as (cur.p - base).
 *
 * Varint layout (Go's encoding/binary Uvarint): 7 value bits per byte, low
 * group first, high bit set on every byte but the last. At most 10 bytes; the
 * 10th byte may only be 0 or 1 (anything larger overflows 64 bits).
 */
#ifndef GT_COMMON_CURSOR_H
#define GT_COMMON_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct gt_cursor {
    const uint8_t *p;
    const uint8_t *end;
} gt_cursor;

/* Result of a varint read. */
enum gt_varint_status {
    GT_VARINT_OK = 0,
    GT_VARINT_TRUNCATED = 1, /* input ended inside the varint */
    GT_VARINT_OVERFLOW = 2   /* more than 10 bytes, or more than 64 bits */
};

static inline size_t gt_cursor_left(const gt_cursor *c) { return (size_t)(c->end - c->p); }

int gt_varint_slow(gt_cursor *c, uint64_t *out);

/* Reads one varint. Returns GT_VARINT_OK and advances, or a failure status and
 * leaves the cursor unmoved. The one-byte case is inline: it is most values. */
static inline int gt_varint(gt_cursor *c, uint64_t *out)
{
    if (c->p < c->end && *c->p < 0x80) {
        *out = *c->p++;
        return GT_VARINT_OK;
    }
    return gt_varint_slow(c, out);
}

/* Reads one varint at *pp, for callers that have checked that at least 10
 * bytes are readable there (a varint's longest form): no bound test per
 * byte. Returns GT_VARINT_OK and advances *pp, or GT_VARINT_OVERFLOW (same
 * rules as gt_varint) and leaves *pp alone.
 *
 * The one- and two-byte forms (most arguments and many timestamp deltas)
 * are decoded with one test each and no loop; longer ones take the byte
 * loop. (A branch-free form for up to 8 bytes, one 8-byte load and fixed
 * shifts, measured slower on the 100 MB trace: the loop's branches predict
 * well.) */
static inline int gt_varint_unbounded(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t b0 = p[0];
    if (b0 < 0x80) {
        *out = b0;
        *pp = p + 1;
        return GT_VARINT_OK;
    }
    uint64_t b1 = p[1];
    if (b1 < 0x80) {
        *out = (b0 & 0x7f) | b1 << 7;
        *pp = p + 2;
        return GT_VARINT_OK;
    }
    uint64_t v = (b0 & 0x7f) | (b1 & 0x7f) << 7, b;
    unsigned shift = 14;
    p += 2;
    while ((b = *p++) >= 0x80) {
        v |= (b & 0x7f) << shift;
        shift += 7;
        if (shift == 63) {
            b = *p++;
            if (b > 1)
                return GT_VARINT_OVERFLOW;
            break;
        }
    }
    *out = v | b << shift;
    *pp = p;
    return GT_VARINT_OK;
}

/* Writes v as a varint into buf (at least 10 bytes); returns the length. */
size_t gt_varint_put(uint8_t *buf, uint64_t v);

/* Length v would have as a varint. */
size_t gt_varint_len(uint64_t v);

#endif
