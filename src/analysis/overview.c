/* The overview behind `gotrace summary` (gotrace/analysis.h): one pass that
 * feeds a streaming goroutine summary and an MMU, and keeps only what those
 * two do not record itself: counts and stacks of state episodes, scheduling
 * latency, GC ranges, metrics and the trace's extent.
 *
 * Goroutine episodes. Each goroutine has a slot with the state it entered,
 * when, and (for Waiting and Syscall) the reason and stack of the event that
 * put it there. An episode counts only when its beginning was seen: a state
 * first reported from Undetermined began before the trace, so its length is
 * unknown. The times by reason do not come from these episodes but from the
 * summary, so that they equal the goroutine analysis exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/decoded.h"
#include "analysis/intern.h"
#include "common/arena.h"
#include "common/hash.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"

/* ------------------------------------------------------- distributions */

/* A distribution keeps its first HIST_EXACT_CAP values as they are (its
 * percentiles are then exact). Beyond, it counts values in logarithmic
 * buckets: values below HIST_LINEAR are their own bucket; above, each power
 * of two [2^e, 2^(e+1)) is split into HIST_SUB buckets. Only the span of
 * buckets between the lowest and the highest used is allocated, so a
 * distribution of few values costs a few bytes, and one of many at most
 * HIST_BUCKETS counters (15 KiB), usually far fewer. */
enum { HIST_EXACT_CAP = 64, HIST_SUB_BITS = 5, HIST_SUB = 1 << HIST_SUB_BITS, HIST_LINEAR = HIST_SUB,
       HIST_BUCKETS = HIST_LINEAR + (63 - HIST_SUB_BITS) * HIST_SUB, HIST_SLACK = 16 };

typedef struct histogram {
    gt_latency_stats st;
    int64_t *exact;     /* while st.count <= HIST_EXACT_CAP */
    size_t cap_exact;
    uint64_t *buckets;  /* afterwards: counts of buckets lo .. lo + n - 1 */
    size_t lo, n;
} histogram;

static int top_bit(uint64_t v)
{
    int e = 0;
    while (v >>= 1)
        e++;
    return e;
}

static size_t bucket_of(int64_t d)
{
    uint64_t v = d > 0 ? (uint64_t)d : 0;
    if (v < HIST_LINEAR)
        return (size_t)v;
    int e = top_bit(v);
    uint64_t sub = (v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return HIST_LINEAR + (size_t)(e - HIST_SUB_BITS) * HIST_SUB + (size_t)sub;
}

/* The largest value that falls into bucket b. */
static int64_t bucket_upper(size_t b)
{
    if (b < HIST_LINEAR)
        return (int64_t)b;
    size_t k = b - HIST_LINEAR;
    int shift = (int)(k / HIST_SUB);
    uint64_t mant = HIST_SUB + k % HIST_SUB;
    uint64_t hi = ((mant + 1) << shift) - 1;
    return hi > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)hi;
}

/* Counts d in its bucket, widening the allocated span to reach it. */
static int bucket_add(histogram *h, int64_t d)
{
    size_t b = bucket_of(d);
    if (h->n == 0 || b < h->lo || b >= h->lo + h->n) {
        size_t lo = h->n ? (b < h->lo ? b : h->lo) : b;
        size_t hi = h->n ? (b >= h->lo + h->n ? b + 1 : h->lo + h->n) : b + 1;
        /* Some slack on the side that grew, so that a drifting range does
         * not reallocate at every new bucket. */
        if (h->n && b < h->lo)
            lo = lo > HIST_SLACK ? lo - HIST_SLACK : 0;
        else
            hi = hi + HIST_SLACK < HIST_BUCKETS ? hi + HIST_SLACK : HIST_BUCKETS;
        uint64_t *nb = calloc(hi - lo, sizeof *nb);
        if (!nb)
            return -1;
        if (h->n)
            memcpy(nb + (h->lo - lo), h->buckets, h->n * sizeof *nb);
        free(h->buckets);
        h->buckets = nb;
        h->lo = lo;
        h->n = hi - lo;
    }
    h->buckets[b - h->lo]++;
    return 0;
}

static int hist_add(histogram *h, int64_t d)
{
    if (d < 0)
        d = 0;
    if (h->st.count < HIST_EXACT_CAP) {
        void *arr = h->exact;
        if (gt_grow_array(&arr, &h->cap_exact, (size_t)h->st.count + 1, sizeof *h->exact))
            return -1;
        h->exact = arr;
        h->exact[h->st.count] = d;
    } else {
        if (h->exact) {
            /* Too many to keep: move the exact values into buckets. */
            for (uint64_t i = 0; i < h->st.count; i++)
                if (bucket_add(h, h->exact[i]))
                    return -1;
            free(h->exact);
            h->exact = NULL;
        }
        if (bucket_add(h, d))
            return -1;
    }
    if (h->st.count == 0 || d < h->st.min)
        h->st.min = d;
    if (d > h->st.max)
        h->st.max = d;
    h->st.count++;
    h->st.total += d;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the value at rank ceil(p/100 * n); from the exact values
 * (sorted), or from its bucket, clamped to [min, max]. */
static int64_t hist_percentile(const histogram *h, int p)
{
    uint64_t n = h->st.count;
    uint64_t rank = (n * (uint64_t)p + 99) / 100;
    if (rank == 0)
        rank = 1;
    if (h->exact)
        return h->exact[rank - 1];
    uint64_t seen = 0;
    for (size_t i = 0; i < h->n; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            int64_t v = bucket_upper(h->lo + i);
            if (v > h->st.max)
                v = h->st.max;
            if (v < h->st.min)
                v = h->st.min;
            return v;
        }
    }
    return h->st.max;
}

static void hist_finish(histogram *h)
{
    if (h->st.count == 0)
        return;
    if (h->exact)
        qsort(h->exact, (size_t)h->st.count, sizeof *h->exact, cmp_i64);
    h->st.p50 = hist_percentile(h, 50);
    h->st.p90 = hist_percentile(h, 90);
    h->st.p99 = hist_percentile(h, 99);
}

static void hist_free(histogram *h)
{
    free(h->exact);
    free(h->buckets);
}

/* ---------------------------------------------------------------- state */

typedef struct gslot {
    int64_t since;      /* when the goroutine entered state */
    uint32_t reason;    /* Waiting / Syscall: index into reasons */
    uint32_t stack;     /* ... and into stacks, + 1 (0: none) */
    uint8_t state;      /* gt_go_state */
    uint8_t known;      /* the state's beginning was seen */
    uint8_t alive;
} gslot;

typedef struct stack_rec {
    uint32_t reason;
    uint32_t next;      /* next record with the same hash, index + 1 */
    uint64_t hash;
    gt_overview_stack pub;
} stack_rec;

typedef struct reason_rec {
    gt_str reason;      /* interned */
    uint64_t count;
    int64_t time;
} reason_rec;

typedef struct type_rec {
    gt_overview_type pub;
    histogram h;
} type_rec;

/* A list of type records looked up by interned name pointer. */
typedef struct type_list {
    type_rec *v;
    size_t n, cap;
    gt_u64map index;    /* interned pointer -> index + 1 */
} type_list;

/* An open GC range (stop-the-world or a mark phase) by scope and name. */
typedef struct open_range {
    gt_resource_kind kind;
    int64_t id;
    gt_str name;
    int64_t since;
} open_range;

struct gt_overview {
    gt_summary *summary;
    gt_mmu *mmu;
    gt_interner strings;
    gt_arena arena;
    int finished, failed;
    gt_overview_result res;

    int seen;
    int64_t last_sync;
    gt_str syscall_reason, forever_reason;

    gt_u64map slot_index;   /* goroutine -> slot index + 1 */
    gslot *slots;
    size_t nslots, capslots;
    uint64_t preexisting;                 /* first seen from Undetermined */
    int64_t net_created, net_created_max;  /* creations minus ends so far */
    gt_u64map threads, procs;
    int64_t last_thread, last_proc;  /* the IDs added last, to skip look-ups */

    reason_rec *reasons;
    size_t nreasons, capreasons;
    stack_rec *stacks;
    size_t nstacks, capstacks;
    gt_u64map stack_index;  /* hash -> index + 1 (chain head) */
    /* Look-ups by the current generation's IDs, skipping the hashing of
     * texts and PCs: valid while events come with the table cache_table
     * (its strings and stacks live at least that long). */
    const void *cache_table;
    gt_u64map reason_cache;  /* reason text pointer -> reason index + 1 */
    gt_u64map stack_cache;   /* stack ID << 16 | reason -> stack_index() */

    histogram sched;
    gt_overview_wait worst[GT_OVERVIEW_TOP];
    size_t nworst;

    gt_value_at gomaxprocs[GT_OVERVIEW_MAX_GOMAXPROCS];

    open_range *open;
    size_t nopen, capopen;

    type_list tasks, regions;
    int64_t region_end;     /* where regions without an end end */

    int64_t last_gomaxprocs;

    gt_overview_block *blocks;
    gt_overview_stack *top_stacks;
    gt_overview_group *groups;
    gt_overview_type *task_out, *region_out;

    /* The window (gotrace/window.h) on the trace clock from the first
     * event; before it, events only track state (open_window resets the
     * counts). */
    int has_window, before_window, past_window;
    gt_window window;
    int64_t win_from, win_to;
    uint64_t last_heap, last_heap_goal;
};

static int on_region(void *ctx, const gt_region_summary *r);

gt_overview *gt_overview_new(void)
{
    gt_overview *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->summary = gt_summary_new();
    o->mmu = gt_mmu_new(GT_OVERVIEW_MMU_FLAGS);
    o->syscall_reason = gt_intern_cstr(&o->strings, "syscall");
    o->forever_reason = gt_intern_cstr(&o->strings, "forever");
    if (!o->summary || !o->mmu || !o->syscall_reason.ptr || !o->forever_reason.ptr) {
        gt_overview_free(o);
        return NULL;
    }
    gt_summary_stream_regions(o->summary, on_region, o);
    o->last_thread = o->last_proc = INT64_MIN;
    return o;
}

static void types_free(type_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        hist_free(&l->v[i].h);
    free(l->v);
    gt_u64map_free(&l->index);
}

void gt_overview_free(gt_overview *o)
{
    if (!o)
        return;
    gt_summary_free(o->summary);
    gt_mmu_free(o->mmu);
    gt_interner_free(&o->strings);
    gt_arena_free(&o->arena);
    gt_u64map_free(&o->slot_index);
    free(o->slots);
    gt_u64map_free(&o->threads);
    gt_u64map_free(&o->procs);
    free(o->reasons);
    free(o->stacks);
    gt_u64map_free(&o->stack_index);
    gt_u64map_free(&o->reason_cache);
    gt_u64map_free(&o->stack_cache);
    hist_free(&o->sched);
    free(o->open);
    types_free(&o->tasks);
    types_free(&o->regions);
    free(o->blocks);
    free(o->top_stacks);
    free(o->groups);
    free(o->task_out);
    free(o->region_out);
    free(o);
}

/* The record of an interned type name, made on first use. */
static type_rec *type_get(type_list *l, gt_str name)
{
    int inserted;
    uint64_t *slot = gt_u64map_upsert(&l->index, (uint64_t)(uintptr_t)name.ptr, &inserted);
    if (!slot)
        return NULL;
    if (!inserted)
        return &l->v[*slot - 1];
    void *arr = l->v;
    if (gt_grow_array(&arr, &l->cap, l->n + 1, sizeof *l->v))
        return NULL;
    l->v = arr;
    type_rec *t = &l->v[l->n++];
    memset(t, 0, sizeof *t);
    t->pub.type = name;
    *slot = l->n;
    return t;
}

/* The reason's record (interned text), made on first use. */
static long reason_index(gt_overview *o, gt_str reason)
{
    for (size_t i = 0; i < o->nreasons; i++)
        if (o->reasons[i].reason.ptr == reason.ptr)
            return (long)i;
    void *arr = o->reasons;
    if (gt_grow_array(&arr, &o->capreasons, o->nreasons + 1, sizeof *o->reasons))
        return -1;
    o->reasons = arr;
    o->reasons[o->nreasons] = (reason_rec){reason, 0, 0};
    return (long)o->nreasons++;
}

/* The record of (reason, stack), found by the stack's PCs. Returns index + 1,
 * 0 for an empty stack, -1 on no memory. */
static long stack_index(gt_overview *o, uint32_t reason, gt_stack st)
{
    const gt_frame *frames;
    size_t n = gt_stack_frames(st, &frames);
    if (n == 0 || !frames)
        return 0;
    if (n > 128)
        n = 128;
    uint64_t h = gt_hash_u64(0x9e3779b97f4a7c15ULL ^ reason ^ (uint64_t)n << 32);
    for (size_t i = 0; i < n; i++)
        h = gt_hash_u64(h ^ frames[i].pc);
    uint64_t *head = gt_u64map_get(&o->stack_index, h);
    for (uint32_t i = head ? (uint32_t)*head : 0; i; i = o->stacks[i - 1].next) {
        const stack_rec *s = &o->stacks[i - 1];
        if (s->reason != reason || s->pub.n_frames != n)
            continue;
        size_t k = 0;
        while (k < n && s->pub.frames[k].pc == frames[k].pc)
            k++;
        if (k == n)
            return (long)i;
    }
    gt_frame *copy = gt_arena_alloc(&o->arena, n * sizeof *copy);
    if (!copy)
        return -1;
    for (size_t i = 0; i < n; i++) {
        copy[i] = frames[i];
        copy[i].func = gt_intern(&o->strings, frames[i].func);
        copy[i].file = gt_intern(&o->strings, frames[i].file);
        if (!copy[i].func.ptr || !copy[i].file.ptr)
            return -1;
    }
    void *arr = o->stacks;
    if (gt_grow_array(&arr, &o->capstacks, o->nstacks + 1, sizeof *o->stacks))
        return -1;
    o->stacks = arr;
    stack_rec *s = &o->stacks[o->nstacks++];
    memset(s, 0, sizeof *s);
    s->reason = reason;
    s->hash = h;
    s->next = head ? (uint32_t)*head : 0;
    s->pub.frames = copy;
    s->pub.n_frames = n;
    if (gt_u64map_put(&o->stack_index, h, o->nstacks))
        return -1;
    return (long)o->nstacks;
}

/* Forgets the look-ups by ID when events come with another table. */
static void cache_check(gt_overview *o, const void *table)
{
    if (table == o->cache_table)
        return;
    gt_u64map_clear(&o->reason_cache);
    gt_u64map_clear(&o->stack_cache);
    o->cache_table = table;
}

/* The index of a reason, by its text's address in the current table. */
static long cached_reason(gt_overview *o, const gt_event *ev, gt_str reason)
{
    cache_check(o, ev->priv_table);
    int inserted;
    uint64_t *slot = gt_u64map_upsert(&o->reason_cache, (uint64_t)(uintptr_t)reason.ptr ^ reason.len << 48, &inserted);
    if (!slot)
        return -1;
    if (!inserted)
        return (long)*slot - 1;
    gt_str in = gt_intern(&o->strings, reason);
    long r = in.ptr ? reason_index(o, in) : -1;
    *slot = (uint64_t)(r + 1);
    return r;
}

/* stack_index, by stack ID in the current table. */
static long cached_stack(gt_overview *o, uint32_t reason, gt_stack st)
{
    if (st.id >= (uint64_t)1 << 47 || reason >= 1 << 16 || st.priv_table != o->cache_table)
        return stack_index(o, reason, st);
    int inserted;
    uint64_t *slot = gt_u64map_upsert(&o->stack_cache, st.id << 16 | reason, &inserted);
    if (!slot)
        return -1;
    if (!inserted)
        return (long)*slot;
    long s = stack_index(o, reason, st);
    *slot = (uint64_t)(s < 0 ? 0 : s);
    return s;
}

static gslot *slot_get(gt_overview *o, int64_t id)
{
    int inserted;
    uint64_t *p = gt_u64map_upsert(&o->slot_index, (uint64_t)id, &inserted);
    if (!p)
        return NULL;
    if (!inserted)
        return &o->slots[*p - 1];
    void *arr = o->slots;
    if (gt_grow_array(&arr, &o->capslots, o->nslots + 1, sizeof *o->slots))
        return NULL;
    o->slots = arr;
    gslot *g = &o->slots[o->nslots++];
    memset(g, 0, sizeof *g);
    g->state = GT_GO_UNDETERMINED;
    *p = o->nslots;
    return g;
}

/* Keeps the GT_OVERVIEW_TOP goroutines with the longest single wait. */
static void note_wait(gt_overview *o, int64_t id, int64_t since, int64_t latency)
{
    size_t k = 0;
    while (k < o->nworst && o->worst[k].goroutine != id)
        k++;
    if (k == o->nworst) {
        if (o->nworst < GT_OVERVIEW_TOP) {
            o->nworst++;
        } else {
            k = 0;  /* replace the shortest, if this one is longer */
            for (size_t i = 1; i < o->nworst; i++)
                if (o->worst[i].latency < o->worst[k].latency)
                    k = i;
            if (o->worst[k].latency >= latency)
                return;
        }
    } else if (o->worst[k].latency >= latency) {
        return;
    }
    o->worst[k] = (gt_overview_wait){id, {"", 0}, since, latency};
}

static int on_goroutine(gt_overview *o, const gt_event *ev, const gt_state_transition *st)
{
    int old = st->old_state, nw = st->new_state;
    if (old == nw)
        return 0;
    gslot *g = slot_get(o, st->resource.id);
    if (!g)
        return -1;
    int64_t t = ev->time;

    /* The episode that ends here. */
    if (g->known && g->state == (uint8_t)old) {
        int64_t d = t - g->since;
        if (old == GT_GO_RUNNABLE) {
            if (hist_add(&o->sched, d))
                return -1;
            note_wait(o, st->resource.id, g->since, d);
        } else if ((old == GT_GO_WAITING || old == GT_GO_SYSCALL) && g->stack) {
            gt_overview_stack *s = &o->stacks[g->stack - 1].pub;
            s->count++;
            s->time += d;
        }
    }

    /* Alive goroutines. One that was first seen in a state other than
     * NotExist existed from the trace's start, even if its first event comes
     * later: the peak is those plus the highest excess of creations over
     * ends at any time, which needs no look-ahead. */
    if (nw == GT_GO_NOT_EXIST) {
        if (g->alive) {
            g->alive = 0;
            o->res.goroutines_ended++;
            o->net_created--;
        }
    } else if (!g->alive && (old == GT_GO_NOT_EXIST || old == GT_GO_UNDETERMINED)) {
        g->alive = 1;
        if (old == GT_GO_UNDETERMINED) {
            o->preexisting++;
        } else {
            o->res.goroutines_created++;
            if (++o->net_created > o->net_created_max) {
                o->net_created_max = o->net_created;
                o->res.goroutines_peak_time = t;
            }
        }
    }

    /* The episode that begins here. */
    g->state = (uint8_t)nw;
    g->since = t;
    g->known = old != GT_GO_UNDETERMINED;
    g->stack = 0;
    if (nw == GT_GO_WAITING || nw == GT_GO_SYSCALL) {
        long r = cached_reason(o, ev, nw == GT_GO_WAITING ? st->reason : o->syscall_reason);
        if (r < 0)
            return -1;
        g->reason = (uint32_t)r;
        if (g->known) {
            o->reasons[r].count++;
            long s = cached_stack(o, (uint32_t)r, gt_event_stack(ev));
            if (s < 0)
                return -1;
            g->stack = (uint32_t)s;
        }
    }
    return 0;
}

static int starts_with(gt_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && !memcmp(s.ptr, prefix, n);
}

static open_range *find_open(gt_overview *o, gt_resource scope, gt_str name)
{
    for (size_t i = 0; i < o->nopen; i++)
        if (o->open[i].kind == scope.kind && o->open[i].id == scope.id && o->open[i].name.ptr == name.ptr)
            return &o->open[i];
    return NULL;
}

/* GC ranges: mark phases (cycles), stop-the-world pauses, mark assists. A
 * range active at a generation's start continues the one already open. */
static int on_range(gt_overview *o, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return 0;
    int mark = gt_str_eq_cstr(r.name, "GC concurrent mark phase");
    int stw = starts_with(r.name, "stop-the-world");
    if (gt_str_eq_cstr(r.name, "GC mark assist")) {
        if (ev->kind == GT_EVENT_RANGE_BEGIN)
            o->res.mark_assists++;
        return 0;
    }
    if (!mark && !stw)
        return 0;
    gt_str name = gt_intern(&o->strings, r.name);
    if (!name.ptr)
        return -1;
    open_range *open = find_open(o, r.scope, name);
    if (ev->kind == GT_EVENT_RANGE_END) {
        if (!open)
            return 0;
        if (stw) {
            int64_t d = ev->time - open->since;
            o->res.stw_count++;
            o->res.stw_total += d;
            if (d > o->res.stw_max)
                o->res.stw_max = d;
        }
        *open = o->open[--o->nopen];
        return 0;
    }
    if (open)
        return 0;  /* active again at a new generation */
    if (mark)
        o->res.gc_cycles++;
    void *arr = o->open;
    if (gt_grow_array(&arr, &o->capopen, o->nopen + 1, sizeof *o->open))
        return -1;
    o->open = arr;
    o->open[o->nopen++] = (open_range){r.scope.kind, r.scope.id, name, ev->time};
    return 0;
}

static void min_max(uint64_t v, int *has, uint64_t *lo, uint64_t *hi)
{
    if (!*has || v < *lo)
        *lo = v;
    if (!*has || v > *hi)
        *hi = v;
    *has = 1;
}

static void on_metric(gt_overview *o, const gt_event *ev)
{
    gt_metric m;
    if (gt_event_metric(ev, &m) || m.value.kind != GT_VALUE_UINT64)
        return;
    gt_overview_result *res = &o->res;
    if (gt_str_eq_cstr(m.name, "/sched/gomaxprocs:threads")) {
        int64_t v = (int64_t)m.value.u64;
        if (res->has_gomaxprocs && v == o->last_gomaxprocs)
            return;  /* the same value, reported again at each generation */
        o->last_gomaxprocs = v;
        if (res->has_gomaxprocs && res->gomaxprocs_changes++ >= GT_OVERVIEW_MAX_GOMAXPROCS - 1) {
            /* Only counted; keep min and max exact. */
        } else {
            o->gomaxprocs[res->n_gomaxprocs++] = (gt_value_at){ev->time, v};
            res->gomaxprocs = o->gomaxprocs;
        }
        if (!res->has_gomaxprocs || v < res->gomaxprocs_min)
            res->gomaxprocs_min = v;
        if (!res->has_gomaxprocs || v > res->gomaxprocs_max)
            res->gomaxprocs_max = v;
        res->has_gomaxprocs = 1;
    } else if (gt_str_eq_cstr(m.name, "/memory/classes/heap/objects:bytes")) {
        o->last_heap = m.value.u64;
        min_max(m.value.u64, &res->has_heap, &res->heap_min, &res->heap_max);
    } else if (gt_str_eq_cstr(m.name, "/gc/heap/goal:bytes")) {
        o->last_heap_goal = m.value.u64;
        min_max(m.value.u64, &res->has_heap_goal, &res->heap_goal_min, &res->heap_goal_max);
    }
}

static int on_sync(gt_overview *o, const gt_event *ev)
{
    gt_sync s;
    o->res.syncs++;
    o->last_sync = ev->time;
    if (o->res.has_wall_clock || gt_event_sync(ev, &s) || !s.has_clock_snapshot)
        return 0;
    /* Wall clock at the trace's first event: the snapshot's, moved back by
     * the trace time between them. */
    int64_t back = s.clock.trace - o->res.start;
    int64_t sec = s.clock.wall_sec - back / 1000000000;
    int64_t nsec = (int64_t)s.clock.wall_nsec - back % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec--;
    } else if (nsec >= 1000000000) {
        nsec -= 1000000000;
        sec++;
    }
    o->res.has_wall_clock = 1;
    o->res.wall_start_sec = sec;
    o->res.wall_start_nsec = (int32_t)nsec;
    return 0;
}

/* Adds a thread or proc ID to a set. Old-format traces run GC, network and
 * syscall events on pseudo-Ps numbered from 1000000: those are not Ps. */
static int mark_seen(gt_u64map *set, int64_t id)
{
    if (id < 0 || id >= 1000000)
        return 0;
    int inserted;
    return gt_u64map_upsert(set, (uint64_t)id, &inserted) ? 0 : -1;
}

void gt_overview_set_window(gt_overview *o, const gt_window *w)
{
    gt_summary_set_window(o->summary, w);
    gt_mmu_set_window(o->mmu, w);
    if (w->from <= 0 && w->to == INT64_MAX)
        return;
    o->has_window = 1;
    o->window = *w;
}

/* The window starts: the counts start over, with what is open carried in
 * as at a trace's start (gotrace/window.h). */
static void open_window(gt_overview *o)
{
    gt_overview_result *res = &o->res;
    int64_t from = o->win_from;
    o->before_window = 0;
    if (res->has_wall_clock) {
        int64_t nsec = res->wall_start_nsec + (from - res->start) % 1000000000;
        res->wall_start_sec += (from - res->start) / 1000000000 + nsec / 1000000000;
        res->wall_start_nsec = (int32_t)(nsec % 1000000000);
    }
    res->start = from;
    res->events = 0;
    res->syncs = 0;
    if (res->has_gomaxprocs) {
        o->gomaxprocs[0] = (gt_value_at){from, o->last_gomaxprocs};
        res->n_gomaxprocs = 1;
        res->gomaxprocs_changes = 0;
        res->gomaxprocs_min = res->gomaxprocs_max = o->last_gomaxprocs;
    }
    if (res->has_heap)
        res->heap_min = res->heap_max = o->last_heap;
    if (res->has_heap_goal)
        res->heap_goal_min = res->heap_goal_max = o->last_heap_goal;
    res->goroutines_created = res->goroutines_ended = 0;
    o->net_created = o->net_created_max = 0;
    res->goroutines_peak_time = from;
    o->preexisting = 0;
    for (size_t i = 0; i < o->nslots; i++) {
        o->slots[i].known = 0;  /* begun before the window: length unknown */
        o->slots[i].stack = 0;
        o->preexisting += o->slots[i].alive;
    }
    gt_u64map_free(&o->threads);
    gt_u64map_free(&o->procs);
    o->last_thread = o->last_proc = INT64_MIN;
    for (size_t i = 0; i < o->nreasons; i++)
        o->reasons[i].count = 0;
    for (size_t i = 0; i < o->nstacks; i++)
        o->stacks[i].pub.count = 0, o->stacks[i].pub.time = 0;
    hist_free(&o->sched);
    memset(&o->sched, 0, sizeof o->sched);
    o->nworst = 0;
    res->gc_cycles = 0;
    for (size_t i = 0; i < o->nopen; i++) {
        if (o->open[i].since < from)
            o->open[i].since = from;
        if (gt_str_eq_cstr(o->open[i].name, "GC concurrent mark phase"))
            res->gc_cycles++;  /* active at the window's start */
    }
    res->stw_count = 0;
    res->stw_total = res->stw_max = 0;
    res->mark_assists = 0;
}

int gt_overview_event(gt_overview *o, const gt_event *ev)
{
    if (o->failed || o->finished)
        return -1;
    gt_state_transition own;
    const gt_state_transition *st = gt_decode_transition(ev, &own);
    if (!o->seen) {
        o->seen = 1;
        o->res.start = ev->time;
        if (o->has_window) {
            o->win_from = gt_window_at(ev->time, o->window.from);
            o->win_to = gt_window_at(ev->time, o->window.to);
            o->before_window = o->win_from > ev->time;
        }
    }
    if (o->has_window) {
        if (ev->time > o->win_to) {
            if (o->before_window)
                open_window(o);  /* a window without events of its own */
            if (!o->past_window)
                o->res.end = o->win_to;
            o->past_window = 1;
            /* The summary still reads up to the next Sync; the MMU learns
             * where the window ends. */
            if (gt_summary_event_decoded(o->summary, ev, st) || gt_mmu_event_decoded(o->mmu, ev, st))
                o->failed = 1;
            return o->failed ? -1 : 0;
        }
        if (o->before_window && ev->time >= o->win_from)
            open_window(o);
    }
    o->res.end = ev->time;
    o->res.events++;
    int rc = gt_summary_event_decoded(o->summary, ev, st) || gt_mmu_event_decoded(o->mmu, ev, st);
    if (!rc && ev->thread != o->last_thread) {
        o->last_thread = ev->thread;
        rc = mark_seen(&o->threads, ev->thread);
    }
    if (!rc && ev->proc != o->last_proc) {
        o->last_proc = ev->proc;
        rc = mark_seen(&o->procs, ev->proc);
    }
    if (!rc) {
        switch (ev->kind) {
        case GT_EVENT_SYNC:
            rc = on_sync(o, ev);
            break;
        case GT_EVENT_METRIC:
            on_metric(o, ev);
            break;
        case GT_EVENT_RANGE_BEGIN:
        case GT_EVENT_RANGE_ACTIVE:
        case GT_EVENT_RANGE_END:
            rc = on_range(o, ev);
            break;
        case GT_EVENT_STATE_TRANSITION:
            if (st && st->resource.kind == GT_RESOURCE_GOROUTINE)
                rc = on_goroutine(o, ev, st);
            break;
        default:
            break;
        }
    }
    if (rc)
        o->failed = 1;
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------ finishing */

/* Regions finished by the streaming summary, by type. */
static int on_region(void *ctx, const gt_region_summary *r)
{
    gt_overview *o = ctx;
    gt_str name = gt_intern(&o->strings, r->name);
    type_rec *t = name.ptr ? type_get(&o->regions, name) : NULL;
    if (!t)
        return -1;
    int64_t start = r->start_kind != GT_REGION_EDGE_NONE ? r->start : o->res.start;
    int64_t end = r->end_kind != GT_REGION_EDGE_NONE ? r->end : o->region_end;
    t->pub.count++;
    if (r->start_kind != GT_REGION_EDGE_NONE && r->end_kind != GT_REGION_EDGE_NONE)
        t->pub.complete++;
    return hist_add(&t->h, end - start);
}

static int add_reason_time(gt_overview *o, gt_str reason, int64_t ns)
{
    gt_str in = gt_intern(&o->strings, reason);
    long r = in.ptr ? reason_index(o, in) : -1;
    if (r < 0)
        return -1;
    o->reasons[r].time += ns;
    return 0;
}

static int cmp_block(const void *a, const void *b)
{
    const gt_overview_block *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return gt_str_cmp(x->reason, y->reason);
}

static int cmp_stack_time(const void *a, const void *b)
{
    const gt_overview_stack *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    /* Then by PCs, so the order does not depend on the hash table. */
    size_t n = x->n_frames < y->n_frames ? x->n_frames : y->n_frames;
    for (size_t i = 0; i < n; i++)
        if (x->frames[i].pc != y->frames[i].pc)
            return x->frames[i].pc < y->frames[i].pc ? -1 : 1;
    return (x->n_frames > y->n_frames) - (x->n_frames < y->n_frames);
}

/* Blocking rows: times from the goroutine summaries, counts and stacks
 * from the episodes; the top stacks of each reason. */
static int finish_blocking(gt_overview *o)
{
    const gt_summary *s = o->summary;
    gt_str syscall = {"syscall", 7};
    for (size_t i = 0; i < gt_summary_goroutine_count(s); i++) {
        const gt_exec_stats *st = &gt_summary_goroutine(s, i)->stats;
        for (size_t k = 0; k < st->n_block; k++)
            if (add_reason_time(o, st->block[k].name, st->block[k].ns))
                return -1;
        if ((st->syscall_time || st->syscall_block_time) &&
            add_reason_time(o, syscall, st->syscall_time + st->syscall_block_time))
            return -1;
    }
    size_t nr = o->nreasons;
    o->blocks = calloc(nr ? nr : 1, sizeof *o->blocks);
    gt_overview_stack *all = malloc((o->nstacks ? o->nstacks : 1) * sizeof *all);
    o->top_stacks = malloc((nr * GT_OVERVIEW_TOP + 1) * sizeof *o->top_stacks);
    if (!o->blocks || !all || !o->top_stacks) {
        free(all);
        return -1;
    }
    size_t ntop = 0;
    for (size_t r = 0; r < nr; r++) {
        size_t n = 0;
        for (size_t i = 0; i < o->nstacks; i++)
            if (o->stacks[i].reason == r && o->stacks[i].pub.count)
                all[n++] = o->stacks[i].pub;
        qsort(all, n, sizeof *all, cmp_stack_time);
        if (n > GT_OVERVIEW_TOP)
            n = GT_OVERVIEW_TOP;
        memcpy(o->top_stacks + ntop, all, n * sizeof *all);
        o->blocks[r] = (gt_overview_block){o->reasons[r].reason, o->reasons[r].count, o->reasons[r].time, n,
                                           o->top_stacks + ntop};
        ntop += n;
    }
    free(all);
    qsort(o->blocks, nr, sizeof *o->blocks, cmp_block);
    o->res.n_block = nr;
    o->res.block = o->blocks;
    return 0;
}

/* Goroutine figures from the summaries: groups, scheduler wait, assists. */
static int finish_goroutines(gt_overview *o)
{
    const gt_summary *s = o->summary;
    size_t ng = gt_summary_goroutine_count(s), ngroups = 0;
    o->groups = gt_summary_groups(s, &ngroups);
    if (!o->groups)
        return -1;
    for (size_t i = 0; i < ng; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(s, i);
        o->res.sched_wait_time += g->stats.sched_wait_time;
        for (size_t k = 0; k < g->stats.n_range; k++)
            if (gt_str_eq_cstr(g->stats.range[k].name, "GC mark assist"))
                o->res.mark_assist_time += g->stats.range[k].ns;
    }
    o->res.goroutines = ng;
    o->res.n_groups = ngroups;
    o->res.groups = o->groups;
    for (size_t k = 0; k < o->nworst; k++) {
        const gt_goroutine_summary *g = gt_summary_find_goroutine(s, o->worst[k].goroutine);
        if (g)
            o->worst[k].name = g->name;
    }
    return 0;
}

static int cmp_wait(const void *a, const void *b)
{
    const gt_overview_wait *x = a, *y = b;
    if (x->latency != y->latency)
        return x->latency < y->latency ? 1 : -1;
    return (x->goroutine > y->goroutine) - (x->goroutine < y->goroutine);
}

static int cmp_type(const void *a, const void *b)
{
    return gt_str_cmp(((const type_rec *)a)->pub.type, ((const type_rec *)b)->pub.type);
}

/* Sorts a type list by name and lays it out as public records. */
static gt_overview_type *finish_types(type_list *l, size_t *n)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_type);
    gt_u64map_free(&l->index);  /* its indices are stale now */
    for (size_t i = 0; i < l->n; i++) {
        hist_finish(&l->v[i].h);
        l->v[i].pub.duration = l->v[i].h.st;
    }
    *n = l->n;
    /* type_rec starts with its public record, but the array's stride is
     * type_rec's: copy the public records out. */
    gt_overview_type *out = malloc((l->n ? l->n : 1) * sizeof *out);
    if (out)
        for (size_t i = 0; i < l->n; i++)
            out[i] = l->v[i].pub;
    return out;
}

static int finish_tasks(gt_overview *o)
{
    const gt_summary *s = o->summary;
    for (size_t i = 0; i < gt_summary_task_count(s); i++) {
        const gt_task_summary *t = gt_summary_task(s, i);
        gt_str name = gt_intern(&o->strings, t->name);
        type_rec *r = name.ptr ? type_get(&o->tasks, name) : NULL;
        if (!r)
            return -1;
        r->pub.count++;
        if (t->has_start && t->has_end) {
            r->pub.complete++;
            if (hist_add(&r->h, t->end - t->start))
                return -1;
        }
    }
    return 0;
}

static const int64_t mmu_windows[3] = {1000000, 10000000, 100000000};

int gt_overview_finish(gt_overview *o, int broken)
{
    if (o->failed || o->finished)
        return -1;
    o->finished = 1;
    gt_overview_result *res = &o->res;
    if (broken && o->last_sync)
        res->end = o->last_sync;
    o->region_end = res->end;
    /* Regions still open finish in gt_summary_finalize; streaming was set up
     * before the first event. */
    if (gt_summary_finalize(o->summary) || gt_mmu_finish(o->mmu))
        goto fail;
    res->regions_dropped = gt_summary_streamed_dropped(o->summary);
    if (finish_goroutines(o) || finish_blocking(o) || finish_tasks(o))
        goto fail;
    hist_finish(&o->sched);
    res->sched_latency = o->sched.st;
    qsort(o->worst, o->nworst, sizeof *o->worst, cmp_wait);
    res->n_worst = o->nworst;
    res->worst = o->worst;
    res->goroutines_peak = o->preexisting + (uint64_t)o->net_created_max;
    if (o->net_created_max == 0)
        res->goroutines_peak_time = res->start;
    res->threads = o->threads.len;
    res->procs = o->procs.len;
    int64_t lo, hi;
    gt_mmu_bounds(o->mmu, &lo, &hi);
    for (int i = 0; i < 3; i++) {
        res->mmu[i].window = mmu_windows[i];
        res->mmu[i].valid = mmu_windows[i] <= hi - lo;
        res->mmu[i].mmu = res->mmu[i].valid ? gt_mmu_at(o->mmu, mmu_windows[i]) : NAN;
    }
    res->task_types = o->task_out = finish_types(&o->tasks, &res->n_task_types);
    res->region_types = o->region_out = finish_types(&o->regions, &res->n_region_types);
    if (!o->task_out || !o->region_out)
        goto fail;
    return 0;
fail:
    o->failed = 1;
    return -1;
}

const gt_overview_result *gt_overview_get(const gt_overview *o)
{
    return o->finished && !o->failed ? &o->res : NULL;
}

void gt_overview_replace_mmu(gt_overview *o, gt_mmu *m)
{
    gt_mmu_free(o->mmu);
    o->mmu = m;
}

const gt_summary *gt_overview_summary(const gt_overview *o) { return o->summary; }
gt_mmu *gt_overview_mmu(const gt_overview *o) { return o->mmu; }
