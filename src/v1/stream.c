/* The compact coding old events are held in (layout in internal.h), and
 * reading the merged trace in its final order.
 *
 * The stream is written by this library only, so decoding trusts it: every
 * entry was produced by gt_v1_encode and is complete. */
#include <string.h>

#include "v1/internal.h"

static inline uint8_t *put_uvarint(uint8_t *d, uint64_t v)
{
    while (v >= 0x80) {
        *d++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *d++ = (uint8_t)v;
    return d;
}

static inline uint64_t zigzag(uint64_t delta) { return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63); }
static inline uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1); }

enum { F_A0 = V1_FIELD_A0, F_A1 = V1_FIELD_A1, F_A2 = V1_FIELD_A2, F_A3 = V1_FIELD_A3, F_STK = V1_FIELD_STK,
       F_G = V1_FIELD_G };

static inline unsigned mask_of(unsigned type) { return gt_v1_descs[type].fields; }

uint8_t *gt_v1_encode(uint8_t *dst, const v1_event *ev, v1_coder *prev)
{
    unsigned m = mask_of(ev->type);
    uint8_t b = (uint8_t)ev->type;
    if (ev->flags & V1_F_SYSCALL_BLOCKS)
        b |= V1_SF_SPECIAL;
    int same = ev->p == prev->p && (!(m & F_G) || ev->g == prev->g);
    if (same)
        b |= V1_SF_SAME_PG;
    *dst++ = b;
    dst = put_uvarint(dst, (uint64_t)ev->ts - (uint64_t)prev->ts);
    if (!same) {
        dst = put_uvarint(dst, zigzag((uint64_t)(int64_t)ev->p - (uint64_t)(int64_t)prev->p));
        if (m & F_G)
            dst = put_uvarint(dst, zigzag(ev->g - prev->g));
    }
    if (m & F_A0)
        dst = put_uvarint(dst, ev->a0);
    if (m & F_A1)
        dst = put_uvarint(dst, ev->a1);
    if (m & F_A2)
        dst = put_uvarint(dst, ev->a2);
    if (m & F_A3)
        dst = put_uvarint(dst, ev->a3);
    if (m & F_STK)
        dst = put_uvarint(dst, ev->stk);
    prev->ts = ev->ts;
    prev->p = ev->p;
    prev->g = ev->g;
    return dst;
}

/* Decodes the entry at src into *ev (flags from the SPECIAL bit as
 * V1_F_SYSCALL_BLOCKS for GoSysCall; p as stored); returns its end. */
static inline const uint8_t *decode_entry(const uint8_t *src, v1_event *ev, v1_coder *prev)
{
    uint8_t b = *src++;
    unsigned type = b & V1_SF_TYPE;
    unsigned m = mask_of(type);
    uint64_t v;
    ev->type = (uint8_t)type;
    ev->flags = (b & V1_SF_SPECIAL) && type == V1_EV_GO_SYSCALL ? V1_F_SYSCALL_BLOCKS : 0;
    src = v1_get_uvarint(src, &v);
    ev->ts = (int64_t)((uint64_t)prev->ts + v);
    ev->a0 = ev->a1 = ev->a2 = ev->a3 = 0;
    ev->stk = 0;
    if (b & V1_SF_SAME_PG) {
        ev->p = prev->p;
        ev->g = prev->g;
    } else {
        src = v1_get_uvarint(src, &v);
        ev->p = (int32_t)(uint32_t)((uint64_t)(int64_t)prev->p + unzigzag(v));
        if (m & F_G) {
            src = v1_get_uvarint(src, &v);
            ev->g = prev->g + unzigzag(v);
        }
    }
    if (m & F_A0)
        src = v1_get_uvarint(src, &ev->a0);
    if (m & F_A1)
        src = v1_get_uvarint(src, &ev->a1);
    if (m & F_A2)
        src = v1_get_uvarint(src, &ev->a2);
    if (m & F_A3)
        src = v1_get_uvarint(src, &ev->a3);
    if (m & F_STK) {
        src = v1_get_uvarint(src, &v);
        ev->stk = (uint32_t)v;
    }
    if (!(m & F_G))
        ev->g = ev->a0;
    prev->ts = ev->ts;
    prev->p = ev->p;
    prev->g = ev->g;
    return src;
}

/* Go's float64 -> int64 conversion as amd64 does it: out of range and NaN
 * give the minimum (C leaves that undefined). */
static int64_t float_to_ts(double d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)d;
}

int64_t gt_v1_ticks_to_ns(const v1_trace *t, int64_t ticks)
{
    /* In floating point as Go does (no integer overflow). */
    return float_to_ts((double)(int64_t)((uint64_t)ticks - (uint64_t)t->min_ts) * t->ns_per_tick);
}

/* Whether the moved exit m comes before the stream entry e, the it->index-th. */
static inline int moved_first(const v1_moved *m, const v1_event *e, size_t index)
{
    return m->ts < e->ts || (m->ts == e->ts && index >= m->rank);
}

static void moved_event(const v1_moved *m, v1_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->type = V1_EV_GO_SYSEXIT;
    ev->ts = m->ts;
    ev->g = ev->a0 = m->g;
    ev->a1 = m->seq;
    ev->a2 = (uint64_t)m->ts;
    ev->p = m->p;
}

int gt_v1_iter_next(const v1_trace *t, v1_iter *it, v1_event *ev, size_t *type_pos)
{
    int have_moved = it->moved < t->nmoved;
    if (it->has_next) {
        /* A stream entry waits behind moved exits. */
        if (have_moved && moved_first(&t->moved[it->moved], &it->next, it->index)) {
            moved_event(&t->moved[it->moved++], ev);
            *type_pos = SIZE_MAX;
        } else {
            *ev = it->next;
            *type_pos = it->next_pos;
            it->has_next = 0;
            it->index++;
        }
    } else if (it->pos < t->nstream) {
        /* The common case: decode straight into *ev. */
        size_t at = it->pos;
        it->pos = (size_t)(decode_entry(t->stream + at, ev, &it->prev) - t->stream);
        if (have_moved && moved_first(&t->moved[it->moved], ev, it->index)) {
            it->next = *ev;
            it->next_pos = at;
            it->has_next = 1;
            moved_event(&t->moved[it->moved++], ev);
            *type_pos = SIZE_MAX;
        } else {
            *type_pos = at;
            it->index++;
        }
    } else if (have_moved) {
        moved_event(&t->moved[it->moved++], ev);
        *type_pos = SIZE_MAX;
    } else {
        return 0;
    }
    if (t->ns_ready) {
        if (!it->ticks)
            ev->ts = gt_v1_ticks_to_ns(t, ev->ts);
        switch (ev->type) {
        case V1_EV_GO_UNBLOCK:
            if (*type_pos != SIZE_MAX && (t->stream[*type_pos] & V1_SF_SPECIAL))
                ev->p = V1_NETPOLL_P;
            else if (t->timer_goids.len && gt_u64map_get(&t->timer_goids, ev->g))
                ev->p = V1_TIMER_P;
            break;
        case V1_EV_GO_SYSEXIT:
            ev->p = V1_SYSCALL_P;
            break;
        case V1_EV_GC_START:
            ev->p = V1_GC_P;
            break;
        default:
            break;
        }
    }
    return 1;
}
