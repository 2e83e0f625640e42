/* The pprof-like profiles of cmd/trace/pprof.go (makeComputePprofFunc,
 * pprofMatchingGoroutines, pprofMatchingRegions) and their encoding as
 * traceviewer.BuildProfile builds them.
 *
 * The profile needs each goroutine's whole lifetime (and regions) to clip
 * the episodes, so it runs as a second pass over the trace with the
 * finished summary of the first. Memory: the intervals (one per goroutine,
 * or per matching region), one tracking slot per goroutine in the profiled
 * state, and one record per distinct stack.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/decoded.h"
#include "analysis/intern.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/cursor.h"
#include "common/error.h"
#include "common/hash.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"

enum { PPROF_MAX_STACK = 128 };

typedef struct interval {
    int64_t start, end;
} interval;

typedef struct stack_rec {
    const gt_frame *frames;
    size_t n_frames;
    uint64_t hash;      /* of all n_frames PCs */
    uint64_t key_hash;  /* of the PCs without trailing zero PCs: the record key */
    uint32_t next;      /* next stack with the same hash, index + 1 */
    uint32_t record;    /* its record, index + 1; 0 until it gains time */
} stack_rec;

/* A profile record. Go keys records by the first 128 PCs padded with zeros
 * (so trailing zero PCs do not count) and shows the frames of the stack
 * that added time last. */
typedef struct record {
    gt_pprof_record pub;
    uint32_t key_stack;
    uint32_t next;  /* next record with the same key_hash, index + 1 */
} record;

typedef struct tracking {
    int64_t start;
    uint32_t stack;   /* index into stacks */
} tracking;

struct gt_pprof {
    gt_pprof_type type;
    gt_interner strings;
    gt_arena arena;
    int filtered;                 /* Go's gToIntervals != nil */
    gt_u64map g_intervals;        /* goroutine -> (offset << 32 | count) into ivs */
    interval *ivs;
    size_t nivs, capivs;
    gt_u64map tracked;            /* goroutine -> slot index + 1 (0 = free) */
    tracking *slots;
    size_t nslots, capslots;
    uint32_t *free_slots;
    size_t nfree, capfree;
    gt_u64map stack_index;        /* PC hash -> stack index + 1 (chain head) */
    stack_rec *stacks;
    size_t nstacks, capstacks;
    gt_u64map record_index;       /* key_hash -> record index + 1 (chain head) */
    record *records;              /* in first-gain order */
    size_t nrecords, caprecords;
    int64_t first;                /* the trace's first event */
    int64_t win_from, win_to;     /* the window on the trace clock */
};

void gt_pprof_free(gt_pprof *p)
{
    if (!p)
        return;
    gt_interner_free(&p->strings);
    gt_arena_free(&p->arena);
    gt_u64map_free(&p->g_intervals);
    free(p->ivs);
    gt_u64map_free(&p->tracked);
    free(p->slots);
    free(p->free_slots);
    gt_u64map_free(&p->stack_index);
    free(p->stacks);
    gt_u64map_free(&p->record_index);
    free(p->records);
    free(p);
}

static int push_interval(gt_pprof *p, interval iv)
{
    void *arr = p->ivs;
    if (gt_grow_array(&arr, &p->capivs, p->nivs + 1, sizeof *p->ivs))
        return -1;
    p->ivs = arr;
    p->ivs[p->nivs++] = iv;
    return 0;
}

static int cmp_interval(const void *a, const void *b)
{
    const interval *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static int region_matches(const gt_pprof_filter *f, const gt_region_summary *r, interval iv)
{
    if (f->by_region_type && gt_str_cmp(r->name, f->region_type) != 0)
        return 0;
    if (f->by_pc && r->start_frame.pc != f->pc)
        return 0;
    if (f->has_latmin && iv.end - iv.start < f->latmin)
        return 0;
    if (f->has_latmax && iv.end - iv.start > f->latmax)
        return 0;
    return 1;
}

/* Intervals of one goroutine's matching regions, outermost only. */
static int add_region_intervals(gt_pprof *p, const gt_goroutine_summary *g, const gt_pprof_filter *f,
                                int64_t first, int64_t last)
{
    size_t off = p->nivs;
    for (size_t i = 0; i < g->n_regions; i++) {
        const gt_region_summary *r = g->regions[i];
        interval iv = {r->start_kind != GT_REGION_EDGE_NONE ? r->start : first,
                       r->end_kind != GT_REGION_EDGE_NONE ? r->end : last};
        if (region_matches(f, r, iv) && push_interval(p, iv))
            return -1;
    }
    size_t n = p->nivs - off;
    if (n == 0)
        return 0;
    qsort(p->ivs + off, n, sizeof *p->ivs, cmp_interval);
    int64_t last_ts = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        interval iv = p->ivs[off + i];
        if (last_ts <= iv.start) {
            p->ivs[off + k++] = iv;
            last_ts = iv.end;
        }
    }
    p->nivs = off + k;
    return gt_u64map_put(&p->g_intervals, (uint64_t)g->id, (uint64_t)off << 32 | k);
}

static gt_pprof *gt_pprof_new_impl(gt_pprof_type type, const gt_summary *summary, int64_t first, int64_t last,
                       const gt_pprof_filter *filter, gt_error *err)
{
    gt_pprof_filter none;
    memset(&none, 0, sizeof none);
    if (!filter)
        filter = &none;
    gt_pprof *p = calloc(1, sizeof *p);
    if (!p) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    p->type = type;
    p->filtered = 1;
    p->first = first;
    p->win_from = INT64_MIN;
    p->win_to = INT64_MAX;
    size_t n = gt_summary_goroutine_count(summary);
    for (size_t i = 0; i < n; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(summary, i);
        int rc = 0;
        if (filter->by_region) {
            rc = add_region_intervals(p, g, filter, first, last);
        } else {
            if (filter->by_name && gt_str_cmp(g->name, filter->name) != 0)
                continue;
            /* A goroutine still alive counts until the trace end. */
            interval iv = {g->start_time, g->end_time ? g->end_time : last};
            rc = push_interval(p, iv) ||
                 gt_u64map_put(&p->g_intervals, (uint64_t)g->id, (uint64_t)(p->nivs - 1) << 32 | 1);
        }
        if (rc) {
            gt_pprof_free(p);
            gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
            return NULL;
        }
    }
    if (!filter->by_region && p->g_intervals.len == 0) {
        gt_pprof_free(p);
        gt_str nm = filter->by_name ? filter->name : (gt_str){"", 0};
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "failed to find matching goroutines for name: %.*s",
                     (int)nm.len, nm.ptr ? nm.ptr : "");
        return NULL;
    }
    return p;
}

gt_pprof *gt_pprof_new(gt_pprof_type type, const gt_summary *summary, int64_t first, int64_t last,
                       const gt_pprof_filter *filter, gt_error *err)
{
    gt_error_init(err);
    gt_pprof *ret = gt_pprof_new_impl(type, summary, first, last, filter, err);
    gt_error_publish(err);
    return ret;
}

/* Which transitions start an episode of this profile. */
static int tracks(const gt_pprof *p, int new_state, gt_str reason)
{
    switch (p->type) {
    case GT_PPROF_NET:
        return new_state == GT_GO_WAITING && gt_str_eq_cstr(reason, "network");
    case GT_PPROF_SYNC: {
        if (new_state != GT_GO_WAITING)
            return 0;
        static const char *words[] = {"chan", "sync", "select"};
        for (size_t w = 0; w < 3; w++) {
            size_t n = strlen(words[w]);
            for (size_t i = 0; i + n <= reason.len; i++)
                if (!memcmp(reason.ptr + i, words[w], n))
                    return 1;
        }
        return 0;
    }
    case GT_PPROF_SYSCALL:
        return new_state == GT_GO_SYSCALL;
    case GT_PPROF_SCHED:
    default:
        return new_state == GT_GO_RUNNABLE;
    }
}

static int profiled_state(const gt_pprof *p)
{
    switch (p->type) {
    case GT_PPROF_NET:
    case GT_PPROF_SYNC:
        return GT_GO_WAITING;
    case GT_PPROF_SYSCALL:
        return GT_GO_SYSCALL;
    default:
        return GT_GO_RUNNABLE;
    }
}

/* Interns the event's stack by its PCs (Go's stackMap key: the first 128).
 * Returns the index, or -1 on no memory. */
static long intern_stack(gt_pprof *p, gt_stack st)
{
    size_t n = gt_stack_len(st);
    if (n > PPROF_MAX_STACK)
        n = PPROF_MAX_STACK;
    gt_frame frames[PPROF_MAX_STACK];
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    uint64_t key_hash = 0x9e3779b97f4a7c15ULL, key_hash_at_last_nonzero = key_hash;
    for (size_t i = 0; i < n; i++) {
        if (gt_stack_frame(st, i, &frames[i]))
            frames[i] = (gt_frame){0, {"", 0}, {"", 0}, 0};
        h = gt_hash_u64(h ^ frames[i].pc);
        key_hash = gt_hash_u64(key_hash ^ frames[i].pc);
        if (frames[i].pc != 0)
            key_hash_at_last_nonzero = key_hash;
    }
    uint64_t *head = gt_u64map_get(&p->stack_index, h);
    for (uint32_t i = head ? (uint32_t)*head : 0; i; i = p->stacks[i - 1].next) {
        const stack_rec *s = &p->stacks[i - 1];
        if (s->n_frames != n)
            continue;
        size_t k = 0;
        while (k < n && s->frames[k].pc == frames[k].pc)
            k++;
        if (k == n)
            return (long)(i - 1);
    }
    gt_frame *copy = gt_arena_alloc(&p->arena, (n ? n : 1) * sizeof *copy);
    if (!copy)
        return -1;
    for (size_t i = 0; i < n; i++) {
        copy[i] = frames[i];
        copy[i].func = gt_intern(&p->strings, frames[i].func);
        copy[i].file = gt_intern(&p->strings, frames[i].file);
        if (!copy[i].func.ptr || !copy[i].file.ptr)
            return -1;
    }
    void *arr = p->stacks;
    if (gt_grow_array(&arr, &p->capstacks, p->nstacks + 1, sizeof *p->stacks))
        return -1;
    p->stacks = arr;
    stack_rec *s = &p->stacks[p->nstacks];
    memset(s, 0, sizeof *s);
    s->frames = copy;
    s->n_frames = n;
    s->hash = h;
    s->key_hash = key_hash_at_last_nonzero;
    s->next = head ? (uint32_t)*head : 0;
    if (gt_u64map_put(&p->stack_index, h, p->nstacks + 1))
        return -1;
    return (long)p->nstacks++;
}

/* Go's pprofOverlappingDuration. */
static int64_t overlapping(const gt_pprof *p, int64_t goid, interval sample)
{
    uint64_t *v = gt_u64map_get(&p->g_intervals, (uint64_t)goid);
    if (!v)
        return 0;
    size_t off = (size_t)(*v >> 32), n = (size_t)(*v & 0xffffffffu);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        interval a = p->ivs[off + i], b = sample;
        if (a.end < b.start || b.end < a.start)
            continue;
        int64_t s = a.start < b.start ? b.start : a.start;
        int64_t e = a.end > b.end ? b.end : a.end;
        if (e - s > 0)
            total += e - s;
    }
    return total;
}

/* Whether two stacks have the same PCs once padded with zeros to 128. */
static int same_padded_pcs(const stack_rec *a, const stack_rec *b)
{
    size_t n = a->n_frames > b->n_frames ? a->n_frames : b->n_frames;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = i < a->n_frames ? a->frames[i].pc : 0, y = i < b->n_frames ? b->frames[i].pc : 0;
        if (x != y)
            return 0;
    }
    return 1;
}

/* The record of a stack, made on its first time gain: stacks whose PCs are
 * equal once padded with zeros share one (found through key_hash, so a new
 * stack costs one hash look-up, not a scan of the records). */
static record *find_record(gt_pprof *p, uint32_t stack)
{
    stack_rec *s = &p->stacks[stack];
    if (s->record)
        return &p->records[s->record - 1];
    int inserted;
    uint64_t *head = gt_u64map_upsert(&p->record_index, s->key_hash, &inserted);
    if (!head)
        return NULL;
    for (uint32_t i = (uint32_t)*head; i; i = p->records[i - 1].next)
        if (same_padded_pcs(&p->stacks[p->records[i - 1].key_stack], s)) {
            s->record = i;
            return &p->records[i - 1];
        }
    uint32_t chain = (uint32_t)*head;
    void *arr = p->records;
    if (gt_grow_array(&arr, &p->caprecords, p->nrecords + 1, sizeof *p->records))
        return NULL;
    p->records = arr;
    record *r = &p->records[p->nrecords++];
    memset(r, 0, sizeof *r);
    r->key_stack = stack;
    r->next = chain;
    s->record = (uint32_t)p->nrecords;
    *head = p->nrecords;
    return r;
}

void gt_pprof_set_window(gt_pprof *p, const gt_window *w)
{
    p->win_from = gt_window_at(p->first, w->from);
    p->win_to = gt_window_at(p->first, w->to);
}

int gt_pprof_event(gt_pprof *p, const gt_event *ev)
{
    if (ev->time > p->win_to)
        return 0;  /* after the window: its episodes end outside it */
    gt_state_transition own;
    return gt_pprof_event_decoded(p, ev, gt_decode_transition(ev, &own));
}

int gt_pprof_event_decoded(gt_pprof *p, const gt_event *ev, const gt_state_transition *st)
{
    if (ev->time > p->win_to)
        return 0;
    if (!st || st->resource.kind != GT_RESOURCE_GOROUTINE)
        return 0;
    int64_t id = st->resource.id;
    int state = profiled_state(p);
    uint64_t *slotp = gt_u64map_get(&p->tracked, (uint64_t)id);
    if (!slotp || *slotp == 0) {
        if (st->new_state != state || !tracks(p, st->new_state, st->reason))
            return 0;
        /* Start an episode: remember its time and the event's own stack. */
        long stack = intern_stack(p, gt_event_stack(ev));
        if (stack < 0)
            return -1;
        size_t slot;
        if (p->nfree > 0) {
            slot = p->free_slots[--p->nfree];
        } else {
            void *arr = p->slots;
            if (gt_grow_array(&arr, &p->capslots, p->nslots + 1, sizeof *p->slots))
                return -1;
            p->slots = arr;
            slot = p->nslots++;
        }
        p->slots[slot] = (tracking){ev->time, (uint32_t)stack};
        return gt_u64map_put(&p->tracked, (uint64_t)id, slot + 1);
    }
    if (st->new_state == state)
        return 0;  /* still in the state */
    size_t slot = (size_t)*slotp - 1;
    *slotp = 0;
    void *arr = p->free_slots;
    if (gt_grow_array(&arr, &p->capfree, p->nfree + 1, sizeof *p->free_slots))
        return -1;
    p->free_slots = arr;
    p->free_slots[p->nfree++] = (uint32_t)slot;
    tracking t = p->slots[slot];
    /* Only the episode's time inside the window counts. */
    interval sample = {t.start < p->win_from ? p->win_from : t.start, ev->time};
    if (sample.end < sample.start)
        return 0;
    int64_t d = p->filtered ? overlapping(p, id, sample) : sample.end - sample.start;
    if (d <= 0)
        return 0;
    record *rec = find_record(p, t.stack);
    if (!rec)
        return -1;
    /* The record shows the frames of the stack that added time last-> */
    rec->pub.frames = p->stacks[t.stack].frames;
    rec->pub.n_frames = p->stacks[t.stack].n_frames;
    rec->pub.count++;
    rec->pub.time += d;
    return 0;
}

size_t gt_pprof_record_count(const gt_pprof *p) { return p->nrecords; }

const gt_pprof_record *gt_pprof_record_at(const gt_pprof *p, size_t i)
{
    return i < p->nrecords ? &p->records[i].pub : NULL;
}

/* ------------------------------------------------------------ encoding */

static int pb_varint(gt_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    return gt_buf_append(b, tmp, gt_varint_put(tmp, v));
}

static int pb_tag(gt_buf *b, unsigned field, unsigned wire) { return pb_varint(b, (uint64_t)field << 3 | wire); }

static int pb_uint(gt_buf *b, unsigned field, uint64_t v)
{
    if (v == 0)
        return 0;  /* proto3 default: omitted, as Go's encoder does */
    return pb_tag(b, field, 0) || pb_varint(b, v);
}

static int pb_bytes(gt_buf *b, unsigned field, const void *p, size_t n)
{
    return pb_tag(b, field, 2) || pb_varint(b, n) || gt_buf_append(b, p, n);
}

/* String table: interned pointer -> index. */
typedef struct strtab {
    gt_u64map idx;
    gt_str *v;
    size_t n, cap;
} strtab;

static int64_t str_index(strtab *t, gt_str s)
{
    uint64_t key = (uint64_t)(uintptr_t)s.ptr;
    int inserted;
    uint64_t *slot = gt_u64map_upsert(&t->idx, key, &inserted);
    if (!slot)
        return -1;
    if (!inserted)
        return (int64_t)*slot;
    void *arr = t->v;
    if (gt_grow_array(&arr, &t->cap, t->n + 1, sizeof *t->v))
        return -1;
    t->v = arr;
    t->v[t->n] = s;
    *slot = t->n;
    return (int64_t)t->n++;
}

static int value_type(gt_buf *out, unsigned field, strtab *t, gt_interner *in, const char *type, const char *unit)
{
    gt_buf m = GT_BUF_INIT;
    int64_t ti = str_index(t, gt_intern_cstr(in, type)), ui = str_index(t, gt_intern_cstr(in, unit));
    int rc = ti < 0 || ui < 0 || pb_uint(&m, 1, (uint64_t)ti) || pb_uint(&m, 2, (uint64_t)ui) ||
             pb_bytes(out, field, m.data, m.len);
    gt_buf_free(&m);
    return rc ? -1 : 0;
}

static int encode(gt_pprof *p, gt_buf *out, strtab *t)
{
    gt_interner *in = &p->strings;
    gt_str empty = gt_intern_cstr(in, "");
    if (!empty.ptr || str_index(t, empty) != 0)
        return -1;
    if (value_type(out, 1, t, in, "contentions", "count") || value_type(out, 1, t, in, "delay", "nanoseconds"))
        return -1;
    gt_u64map locs = GT_U64MAP_INIT, funcs = GT_U64MAP_INIT;
    gt_buf locbuf = GT_BUF_INIT, funcbuf = GT_BUF_INIT, m = GT_BUF_INIT, packed = GT_BUF_INIT;
    uint64_t nlocs = 0, nfuncs = 0;
    int rc = 0;
    for (size_t r = 0; r < p->nrecords && !rc; r++) {
        const gt_pprof_record *rec = &p->records[r].pub;
        gt_buf_reset(&packed);
        for (size_t i = 0; i < rec->n_frames && !rc; i++) {
            const gt_frame *f = &rec->frames[i];
            int inserted;
            uint64_t *loc = gt_u64map_upsert(&locs, f->pc, &inserted);
            if (!loc) {
                rc = -1;
                break;
            }
            if (inserted) {
                /* Functions are keyed by File+Func, as BuildProfile does. */
                char *key = malloc(f->file.len + f->func.len + 1);
                if (!key) {
                    rc = -1;
                    break;
                }
                if (f->file.len)
                    memcpy(key, f->file.ptr, f->file.len);
                if (f->func.len)
                    memcpy(key + f->file.len, f->func.ptr, f->func.len);
                gt_str k = gt_intern(in, (gt_str){key, f->file.len + f->func.len});
                free(key);
                uint64_t *fn = k.ptr ? gt_u64map_upsert(&funcs, (uint64_t)(uintptr_t)k.ptr, &inserted) : NULL;
                if (!fn) {
                    rc = -1;
                    break;
                }
                if (inserted) {
                    *fn = ++nfuncs;
                    int64_t name = str_index(t, f->func), file = str_index(t, f->file);
                    gt_buf_reset(&m);
                    rc = name < 0 || file < 0 || pb_uint(&m, 1, *fn) || pb_uint(&m, 2, (uint64_t)name) ||
                         pb_uint(&m, 3, (uint64_t)name) || pb_uint(&m, 4, (uint64_t)file) ||
                         pb_bytes(&funcbuf, 5, m.data, m.len);
                }
                *loc = ++nlocs;
                gt_buf line = GT_BUF_INIT;
                rc = rc || pb_uint(&line, 1, *fn) || pb_uint(&line, 2, f->line);
                gt_buf_reset(&m);
                rc = rc || pb_uint(&m, 1, *loc) || pb_uint(&m, 3, f->pc) || pb_bytes(&m, 4, line.data, line.len) ||
                     pb_bytes(&locbuf, 4, m.data, m.len);
                gt_buf_free(&line);
            }
            rc = rc || pb_varint(&packed, *loc);
        }
        if (rc)
            break;
        gt_buf_reset(&m);
        gt_buf vals = GT_BUF_INIT;
        rc = pb_varint(&vals, rec->count) || pb_varint(&vals, (uint64_t)rec->time) ||
             (packed.len && pb_bytes(&m, 1, packed.data, packed.len)) || pb_bytes(&m, 2, vals.data, vals.len) ||
             pb_bytes(out, 2, m.data, m.len);
        gt_buf_free(&vals);
    }
    rc = rc || gt_buf_append(out, locbuf.data, locbuf.len) || gt_buf_append(out, funcbuf.data, funcbuf.len);
    if (!rc) {
        /* The period type's strings go into the table before it is written. */
        gt_buf pt = GT_BUF_INIT;
        rc = value_type(&pt, 11, t, in, "trace", "count");
        for (size_t i = 0; i < t->n && !rc; i++)
            rc = pb_bytes(out, 6, t->v[i].ptr, t->v[i].len);
        rc = rc || gt_buf_append(out, pt.data, pt.len) || pb_uint(out, 12, 1);
        gt_buf_free(&pt);
    }
    gt_u64map_free(&locs);
    gt_u64map_free(&funcs);
    gt_buf_free(&locbuf);
    gt_buf_free(&funcbuf);
    gt_buf_free(&m);
    gt_buf_free(&packed);
    return rc ? -1 : 0;
}

unsigned char *gt_pprof_encode(const gt_pprof *cp, size_t *len)
{
    gt_pprof *p = (gt_pprof *)cp;  /* only the interner grows */
    gt_buf out = GT_BUF_INIT;
    strtab t = {GT_U64MAP_INIT, NULL, 0, 0};
    int rc = encode(p, &out, &t);
    gt_u64map_free(&t.idx);
    free(t.v);
    if (rc) {
        gt_buf_free(&out);
        return NULL;
    }
    *len = out.len;
    if (!out.data)
        out.data = malloc(1);
    return (unsigned char *)out.data;
}
