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
 * rules as gt_varint) and leaves *pp alone. */
static inline int gt_varint_unbounded(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t b = *p++, v = 0;
    unsigned shift = 0;
    while (b >= 0x80) {
        v |= (b & 0x7f) << shift;
        shift += 7;
        b = *p++;
        if (shift == 63) {
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
