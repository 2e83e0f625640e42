/* The timeline state tracker (gotrace/export.h): goroutine, P and thread
 * slices, regions, ranges, tasks, flows and counters from the event stream.
 *
 * The goroutine accounting is Go's goroutine summary's (src/analysis/
 * summary.c): a state slice begins at the transition into the state and ends
 * at the transition out of it; a goroutine first seen undetermined has been
 * in its new state since the last Sync. So the Running slices of a goroutine
 * add up to the summary's execution time and its Waiting slices of one
 * reason to the summary's block time of that reason (tests/scripts/
 * perfetto.sh checks both on every trace it converts).
 *
 * Records. Goroutines live in a slab (index + 1 in a map by ID, a free list
 * of ended ones); Ps and threads in maps of their own, kept to the end
 * (there are few). Open ranges are a short list, open tasks a map. */
#include <stdlib.h>
#include <string.h>

#include "analysis/intern.h"
#include "common/hash.h"
#include "gotrace/export.h"

enum { MAX_RANGE_NAMES = 64, MAX_METRICS = 64 };

typedef struct g_rec {
    int64_t id;
    int state;          /* gt_go_state of the open slice; NOT_EXIST: none */
    int64_t begin;      /* when the open slice began */
    gt_str reason;      /* WAITING: interned */
    int64_t proc;       /* the P whose PROC_RUNS slice is open, or -1 */
    int64_t thread;     /* the thread whose THREAD_SYSCALL slice is open, or -1 */
    int64_t proc_begin, thread_begin;
    uint64_t flow_in;   /* a flow to end at the next Running slice */
    gt_str name;        /* start function, interned; "" unknown */
    struct open_region { gt_str type; uint64_t task; int64_t begin; } *regions;
    size_t n_regions, cap_regions;
    int had_region;
    uint64_t range_tracks;  /* bit i: a range track of name i was used */
    uint32_t next_free;     /* free list, index + 1 */
} g_rec;

typedef struct p_rec {
    int64_t goroutine;  /* whose PROC_RUNS slice is open, or -1 */
    int64_t thread;     /* whose HOLDS_PROC slice is open (the holder), or -1 */
    int64_t runs_begin, holds_begin;
} p_rec;

typedef struct m_rec {
    int64_t proc;       /* the P it holds (slice open), or -1 */
} m_rec;

typedef struct open_range {
    gt_resource_kind scope;
    int64_t id;
    uint32_t name;
    int64_t begin;
} open_range;

typedef struct open_task {
    uint64_t id;
    uint64_t parent;
    gt_str type;
    int64_t begin;
} open_task;

/* A direct-mapped cache in front of a record map, by the ID's low bits: a
 * trace's events name the same few goroutines, Ps and threads again and
 * again, and a hit costs a compare instead of a hash and a probe. index1:
 * the record's index + 1, 0 for an empty entry. */
enum { ID_CACHE = 64 };
typedef struct id_cache {
    int64_t id;
    uint32_t index1;
} id_cache;

struct gt_tl {
    gt_tl_sink sink;
    gt_interner strings;
    g_rec *gs;
    size_t n_gs, cap_gs;
    uint32_t free_gs;
    gt_u64map g_index;    /* goroutine ID -> slab index + 1 */
    id_cache g_cache[ID_CACHE], p_cache[ID_CACHE], m_cache[ID_CACHE];  /* the same, cached */
    /* Wait reasons last interned, by the address of the event's text: a
     * hit (the same address and bytes) skips the interner's hash. */
    struct reason_memo { const char *src; gt_str interned; } reasons[16];
    gt_u64map p_index;    /* P -> index + 1 into ps */
    p_rec *ps;
    size_t n_ps, cap_ps;
    gt_u64map m_index;    /* thread -> index + 1 into ms */
    m_rec *ms;
    size_t n_ms, cap_ms;
    open_range *ranges;
    size_t n_ranges, cap_ranges;
    open_task *tasks;     /* open tasks, unordered */
    size_t n_tasks, cap_tasks;
    gt_u64map task_index; /* task ID -> index + 1 into tasks */
    gt_str range_names[MAX_RANGE_NAMES];
    uint32_t n_range_names;
    struct metric { gt_str name; int64_t value; int64_t reported; int set; } metrics[MAX_METRICS];
    uint32_t n_metrics;
    int64_t counts[5];    /* by gt_tl_counter_kind: goroutines by state, threads in syscall */
    int64_t reported[5];
    int64_t counts_reported_at;  /* 0: never */
    int any, closed;
    int64_t first_ts, last_ts, sync_ts;
    uint64_t next_flow;
};

static const gt_str empty_str = {"", 0};

/* ------------------------------------------------------------- records */

static g_rec *g_live(gt_tl *tl, int64_t id);

static id_cache *cache_slot(id_cache *cache, int64_t id) { return &cache[(uint64_t)id & (ID_CACHE - 1)]; }

/* g_get's other path: a new record for id, with no open slice. */
static g_rec *g_new(gt_tl *tl, int64_t id, int *created)
{
    uint32_t idx;
    if (tl->free_gs) {
        idx = tl->free_gs - 1;
        tl->free_gs = tl->gs[idx].next_free;
    } else {
        void *arr = tl->gs;
        if (gt_grow_array(&arr, &tl->cap_gs, tl->n_gs + 1, sizeof *tl->gs))
            return NULL;
        tl->gs = arr;
        idx = (uint32_t)tl->n_gs++;
        tl->gs[idx].regions = NULL;
        tl->gs[idx].cap_regions = 0;
    }
    g_rec *g = &tl->gs[idx];
    struct open_region *regions = g->regions;
    size_t cap_regions = g->cap_regions;
    memset(g, 0, sizeof *g);
    g->regions = regions;  /* kept with its capacity */
    g->cap_regions = cap_regions;
    g->id = id;
    g->state = GT_GO_NOT_EXIST;
    g->proc = g->thread = -1;
    g->name = empty_str;
    g->reason = empty_str;
    if (gt_u64map_put(&tl->g_index, (uint64_t)id, idx + 1))
        return NULL;
    *cache_slot(tl->g_cache, id) = (id_cache){id, idx + 1};
    *created = 1;
    return g;
}

/* The record of id, made (with no open slice) when absent. Pointers into the
 * slab last until the next g_get. */
static inline g_rec *g_get(gt_tl *tl, int64_t id, int *created)
{
    *created = 0;
    g_rec *g = g_live(tl, id);
    return g ? g : g_new(tl, id, created);
}

static void g_release(gt_tl *tl, g_rec *g)
{
    uint64_t *p = gt_u64map_get(&tl->g_index, (uint64_t)g->id);
    if (!p)
        return;
    uint32_t idx = (uint32_t)(*p - 1);
    gt_u64map_remove(&tl->g_index, (uint64_t)g->id);  /* the map holds live goroutines only */
    id_cache *c = cache_slot(tl->g_cache, g->id);
    if (c->index1 && c->id == g->id)
        c->index1 = 0;
    g->next_free = tl->free_gs;
    tl->free_gs = idx + 1;
}

/* g_live's miss, out of line: the record of goroutine id from the map of
 * live goroutines, put in the cache; NULL when id is not live. */
static g_rec *g_live_slow(gt_tl *tl, int64_t id)
{
    uint64_t *p = gt_u64map_get(&tl->g_index, (uint64_t)id);
    if (!p || !*p)
        return NULL;
    *cache_slot(tl->g_cache, id) = (id_cache){id, (uint32_t)*p};
    return &tl->gs[*p - 1];
}

/* The record of goroutine id, NULL when it is not live. Inline: the
 * cache's hit is a few instructions, the call more. */
static inline g_rec *g_live(gt_tl *tl, int64_t id)
{
    const id_cache *c = cache_slot(tl->g_cache, id);
    if (c->index1 && c->id == id)
        return &tl->gs[c->index1 - 1];
    return g_live_slow(tl, id);
}

/* P and thread records, which live to the end. */
static void *rec_get(gt_u64map *index, id_cache *cache, void **arr, size_t *n, size_t *cap, size_t elem, int64_t id,
                     int *created)
{
    *created = 0;
    id_cache *c = cache_slot(cache, id);
    if (c->index1 && c->id == id)
        return (char *)*arr + (c->index1 - 1) * elem;
    uint64_t *p = gt_u64map_get(index, (uint64_t)id);
    if (p) {
        *c = (id_cache){id, (uint32_t)*p};
        return (char *)*arr + (*p - 1) * elem;
    }
    if (*n >= UINT32_MAX || gt_grow_array(arr, cap, *n + 1, elem) || gt_u64map_put(index, (uint64_t)id, *n + 1))
        return NULL;
    *c = (id_cache){id, (uint32_t)(*n + 1)};
    *created = 1;
    return (char *)*arr + (*n)++ * elem;
}

static p_rec *p_get_slow(gt_tl *tl, int64_t id)
{
    int created;
    void *arr = tl->ps;
    p_rec *p = rec_get(&tl->p_index, tl->p_cache, &arr, &tl->n_ps, &tl->cap_ps, sizeof *p, id, &created);
    tl->ps = arr;
    if (p && created)
        *p = (p_rec){-1, -1, 0, 0};
    return p;
}

static inline p_rec *p_get(gt_tl *tl, int64_t id)
{
    const id_cache *c = cache_slot(tl->p_cache, id);
    if (c->index1 && c->id == id)
        return &tl->ps[c->index1 - 1];
    return p_get_slow(tl, id);
}

static m_rec *m_get(gt_tl *tl, int64_t id)
{
    int created;
    void *arr = tl->ms;
    m_rec *m = rec_get(&tl->m_index, tl->m_cache, &arr, &tl->n_ms, &tl->cap_ms, sizeof *m, id, &created);
    tl->ms = arr;
    if (m && created)
        m->proc = -1;
    return m;
}

/* --------------------------------------------------------------- output */

static gt_tl_track track_of(gt_tl_track_kind kind, int64_t id)
{
    gt_tl_track t = {kind, id, GT_RESOURCE_NONE, 0};
    return t;
}

static gt_tl_slice slice_of(gt_tl_track_kind track, int64_t id, gt_tl_slice_kind kind, int64_t time)
{
    gt_tl_slice s = {.track = track_of(track, id),
                     .kind = kind,
                     .time = time,
                     .goroutine = GT_NO_GOROUTINE,
                     .proc = GT_NO_PROC,
                     .name = empty_str,
                     .parent = GT_NO_TASK};
    return s;
}

static int emit_begin(gt_tl *tl, const gt_tl_slice *s)
{
    return tl->sink.begin ? tl->sink.begin(tl->sink.ctx, s) : 0;
}

static int emit_end(gt_tl *tl, const gt_tl_slice *s)
{
    return tl->sink.end ? tl->sink.end(tl->sink.ctx, s) : 0;
}

static int emit_retire(gt_tl *tl, gt_tl_track t)
{
    return tl->sink.retire ? tl->sink.retire(tl->sink.ctx, &t) : 0;
}

static int state_slice_kind(int state)
{
    switch (state) {
    case GT_GO_RUNNING:
        return GT_TL_RUNNING;
    case GT_GO_RUNNABLE:
        return GT_TL_RUNNABLE;
    case GT_GO_WAITING:
        return GT_TL_WAITING;
    case GT_GO_SYSCALL:
        return GT_TL_SYSCALL;
    default:
        return 0;
    }
}

static int counter_of_state(int state)
{
    switch (state) {
    case GT_GO_RUNNING:
        return GT_TL_GOROUTINES_RUNNING;
    case GT_GO_RUNNABLE:
        return GT_TL_GOROUTINES_RUNNABLE;
    case GT_GO_WAITING:
        return GT_TL_GOROUTINES_WAITING;
    case GT_GO_SYSCALL:
        return GT_TL_THREADS_IN_SYSCALL;
    default:
        return 0;
    }
}

/* The slices describing g's open state (state, P, syscall), begun at `at`
 * (reopen) or at their own begin times. */
static gt_tl_slice g_state_slice(const g_rec *g, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_GOROUTINE, g->id, (gt_tl_slice_kind)state_slice_kind(g->state), time);
    s.goroutine = g->id;
    if (g->state == GT_GO_WAITING)
        s.name = g->reason;
    return s;
}

static gt_tl_slice g_proc_slice(const g_rec *g, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_PROC, g->proc, GT_TL_PROC_RUNS, time);
    s.goroutine = g->id;
    return s;
}

static gt_tl_slice g_syscall_slice(const g_rec *g, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_SYSCALLS, g->thread, GT_TL_THREAD_SYSCALL, time);
    s.goroutine = g->id;
    return s;
}

static gt_tl_slice g_region_slice(const g_rec *g, size_t i, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_REGIONS, g->id, GT_TL_REGION, time);
    s.goroutine = g->id;
    s.name = g->regions[i].type;
    s.task = g->regions[i].task;
    return s;
}

static gt_tl_slice range_slice(const gt_tl *tl, const open_range *r, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_RANGE, r->id, GT_TL_RANGE, time);
    s.track.scope = r->scope;
    s.track.range_index = r->name;
    s.name = tl->range_names[r->name];
    if (r->scope == GT_RESOURCE_GOROUTINE)
        s.goroutine = r->id;
    return s;
}

static gt_tl_slice task_slice(const open_task *t, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_TASK, (int64_t)t->id, GT_TL_TASK, time);
    s.name = t->type;
    s.task = t->id;
    s.parent = t->parent;
    return s;
}

static gt_tl_slice holds_slice(int64_t thread, int64_t proc, int64_t time)
{
    gt_tl_slice s = slice_of(GT_TL_TRACK_THREAD, thread, GT_TL_HOLDS_PROC, time);
    s.proc = proc;
    return s;
}

/* Ends g's P slice and syscall slice, if open. */
static inline int g_end_side_slices(gt_tl *tl, g_rec *g, int64_t t)
{
    int rc;
    if (g->proc >= 0) {
        gt_tl_slice s = g_proc_slice(g, t);
        if ((rc = emit_end(tl, &s)))
            return rc;
        p_rec *p = p_get(tl, g->proc);
        if (!p)
            return -1;
        if (p->goroutine == g->id)
            p->goroutine = -1;
        g->proc = -1;
    }
    if (g->thread >= 0) {
        gt_tl_slice s = g_syscall_slice(g, t);
        if ((rc = emit_end(tl, &s)))
            return rc;
        g->thread = -1;
    }
    return 0;
}

/* Ends g's open state slice (and its P and syscall slices) at t. */
static int g_end_state(gt_tl *tl, g_rec *g, int64_t t)
{
    int rc = g_end_side_slices(tl, g, t);
    if (rc)
        return rc;
    if (!state_slice_kind(g->state))
        return 0;
    gt_tl_slice s = g_state_slice(g, t);
    if ((rc = emit_end(tl, &s)))
        return rc;
    int c = counter_of_state(g->state);
    if (c)
        tl->counts[c - GT_TL_GOROUTINES_RUNNING]--;
    g->state = GT_GO_NOT_EXIST;
    return 0;
}

/* Ends g's regions above depth keep, innermost first. */
static int g_close_regions(gt_tl *tl, g_rec *g, size_t keep, int64_t t)
{
    while (g->n_regions > keep) {
        gt_tl_slice s = g_region_slice(g, g->n_regions - 1, t);
        int rc = emit_end(tl, &s);
        if (rc)
            return rc;
        g->n_regions--;
    }
    return 0;
}

static int g_set_name(gt_tl *tl, g_rec *g, gt_stack st)
{
    if (g->name.len)
        return 0;
    size_t n = gt_stack_len(st);
    gt_frame f;
    if (n == 0 || gt_stack_frame(st, n - 1, &f))
        return 0;
    g->name = gt_intern(&tl->strings, f.func);
    return g->name.ptr ? 0 : -1;
}

/* ------------------------------------------------------------- events */

static int emit_flow_instant(gt_tl *tl, gt_tl_instant_kind kind, const gt_event *ev, int64_t target, uint64_t *flow)
{
    *flow = 0;
    if (ev->goroutine == GT_NO_GOROUTINE || ev->goroutine == target)
        return 0;
    int created;
    if (!g_get(tl, ev->goroutine, &created))
        return -1;
    gt_tl_instant in;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    in.track = track_of(GT_TL_TRACK_GOROUTINE, ev->goroutine);
    in.time = ev->time;
    in.target = target;
    in.flow_out = *flow = ++tl->next_flow;
    in.category = in.message = empty_str;
    in.stack = gt_event_stack(ev);
    return tl->sink.instant ? tl->sink.instant(tl->sink.ctx, &in) : 0;
}

static int on_goroutine(gt_tl *tl, const gt_event *ev, const gt_state_transition *st)
{
    int64_t id = st->resource.id, t = ev->time;
    int old = st->old_state, nw = st->new_state, rc;
    if (old == nw)
        return 0;
    int created;
    g_rec *g = g_get(tl, id, &created);
    if (!g)
        return -1;
    uint64_t flow = 0;
    if (old == GT_GO_NOT_EXIST || (old == GT_GO_UNDETERMINED && !created)) {
        /* A new goroutine on an ID seen before (or seen undetermined twice):
         * what the old one left open ends here. */
        if ((rc = g_end_state(tl, g, t)) || (rc = g_close_regions(tl, g, 0, t)))
            return rc;
        if (!created)
            g->name = empty_str;
    }
    if (g_set_name(tl, g, st->stack))
        return -1;
    if (old == GT_GO_NOT_EXIST && nw != GT_GO_NOT_EXIST) {
        if ((rc = emit_flow_instant(tl, GT_TL_CREATE, ev, id, &flow)))
            return rc;
        g = g_live(tl, id);  /* the instant may have made a record */
    } else if (old == GT_GO_WAITING && nw == GT_GO_RUNNABLE) {
        uint64_t f;
        if ((rc = emit_flow_instant(tl, GT_TL_UNBLOCK, ev, id, &f)))
            return rc;
        g = g_live(tl, id);
        if (f)
            g->flow_in = f;
    }
    if ((rc = g_end_state(tl, g, t)))
        return rc;
    if (nw == GT_GO_NOT_EXIST) {
        if ((rc = g_close_regions(tl, g, 0, t)))
            return rc;
        if ((rc = emit_retire(tl, track_of(GT_TL_TRACK_GOROUTINE, id))) ||
            (rc = emit_retire(tl, track_of(GT_TL_TRACK_REGIONS, id))))
            return rc;
        for (uint32_t i = 0; i < tl->n_range_names; i++) {
            if (!(g->range_tracks >> i & 1))
                continue;
            gt_tl_track rt = {GT_TL_TRACK_RANGE, id, GT_RESOURCE_GOROUTINE, i};
            if ((rc = emit_retire(tl, rt)))
                return rc;
        }
        g_release(tl, g);
        return 0;
    }
    if (!state_slice_kind(nw))
        return 0;
    g->state = nw;
    g->begin = t;
    int retro = old == GT_GO_UNDETERMINED && created && tl->sync_ts < t;
    if (nw == GT_GO_WAITING) {
        struct reason_memo *m = &tl->reasons[((uintptr_t)st->reason.ptr >> 4) & 15];
        if (m->src && m->src == st->reason.ptr && m->interned.len == st->reason.len &&
            !memcmp(m->interned.ptr, m->src, m->interned.len)) {
            g->reason = m->interned;
        } else {
            g->reason = gt_intern(&tl->strings, st->reason);
            if (!g->reason.ptr)
                return -1;
            *m = (struct reason_memo){st->reason.ptr, g->reason};
        }
    }
    gt_tl_slice s = g_state_slice(g, retro ? tl->sync_ts : t);
    s.retro = retro;
    s.stack = st->stack;
    if (flow) {
        s.flow_in = flow;
    } else if (nw == GT_GO_RUNNING && g->flow_in) {
        s.flow_in = g->flow_in;
        g->flow_in = 0;
    }
    if (retro)
        g->begin = tl->sync_ts;
    if ((rc = emit_begin(tl, &s)))
        return rc;
    tl->counts[counter_of_state(nw) - GT_TL_GOROUTINES_RUNNING]++;
    if (nw == GT_GO_RUNNING && ev->proc != GT_NO_PROC) {
        p_rec *p = p_get(tl, ev->proc);
        if (!p)
            return -1;
        if (p->goroutine >= 0 && p->goroutine != id) {
            /* Not in a consistent trace: the P's slice ends before the next. */
            g_rec *other = g_live(tl, p->goroutine);
            if (other && (rc = g_end_side_slices(tl, other, t)))
                return rc;
            g = g_live(tl, id);
        }
        g->proc = ev->proc;
        g->proc_begin = t;
        p->goroutine = id;
        gt_tl_slice ps = g_proc_slice(g, t);
        if ((rc = emit_begin(tl, &ps)))
            return rc;
    } else if (nw == GT_GO_SYSCALL && ev->thread != GT_NO_THREAD) {
        g->thread = ev->thread;
        g->thread_begin = t;
        gt_tl_slice ss = g_syscall_slice(g, t);
        ss.stack = st->stack;
        if ((rc = emit_begin(tl, &ss)))
            return rc;
    }
    return 0;
}

/* P transitions: which thread holds the P. */
static int on_proc(gt_tl *tl, const gt_event *ev, const gt_state_transition *st)
{
    int64_t id = st->resource.id, t = ev->time;
    int rc;
    p_rec *p = p_get(tl, id);
    if (!p)
        return -1;
    if (p->thread >= 0 && (st->new_state != GT_PROC_RUNNING || p->thread != ev->thread)) {
        m_rec *m = m_get(tl, p->thread);
        if (!m)
            return -1;
        gt_tl_slice s = holds_slice(p->thread, id, t);
        if ((rc = emit_end(tl, &s)))
            return rc;
        m->proc = -1;
        p = p_get(tl, id);
        p->thread = -1;
    }
    if (st->new_state == GT_PROC_RUNNING && p->thread < 0 && ev->thread != GT_NO_THREAD) {
        m_rec *m = m_get(tl, ev->thread);
        if (!m)
            return -1;
        if (m->proc >= 0 && m->proc != id) {
            /* The thread held another P: that one is not its any more. */
            gt_tl_slice s = holds_slice(ev->thread, m->proc, t);
            if ((rc = emit_end(tl, &s)))
                return rc;
            p_rec *q = p_get(tl, m->proc);
            if (!q)
                return -1;
            q->thread = -1;
        }
        p = p_get(tl, id);
        p->thread = ev->thread;
        p->holds_begin = t;
        m->proc = id;
        gt_tl_slice s = holds_slice(ev->thread, id, t);
        if ((rc = emit_begin(tl, &s)))
            return rc;
    }
    return 0;
}

static int on_region(gt_tl *tl, const gt_event *ev)
{
    gt_region r;
    if (ev->goroutine == GT_NO_GOROUTINE || gt_event_region(ev, &r))
        return 0;
    int created, rc;
    g_rec *g = g_get(tl, ev->goroutine, &created);
    if (!g)
        return -1;
    gt_str type = gt_intern(&tl->strings, r.type);
    if (!type.ptr)
        return -1;
    if (ev->kind == GT_EVENT_REGION_BEGIN) {
        void *arr = g->regions;
        if (gt_grow_array(&arr, &g->cap_regions, g->n_regions + 1, sizeof *g->regions))
            return -1;
        g->regions = arr;
        g->regions[g->n_regions++] = (struct open_region){type, r.task, ev->time};
        g->had_region = 1;
        gt_tl_slice s = g_region_slice(g, g->n_regions - 1, ev->time);
        s.stack = gt_event_stack(ev);
        return emit_begin(tl, &s);
    }
    size_t k = g->n_regions;
    while (k > 0 && g->regions[k - 1].type.ptr != type.ptr)
        k--;
    if (k > 0)  /* also ends the regions begun inside it and not ended */
        return g_close_regions(tl, g, k - 1, ev->time);
    if (g->had_region)
        return 0;  /* an end that would not nest with what was drawn: dropped */
    /* Began before the goroutine's first region event: drawn from the Sync. */
    g->had_region = 1;
    void *arr = g->regions;
    if (gt_grow_array(&arr, &g->cap_regions, 1, sizeof *g->regions))
        return -1;
    g->regions = arr;
    g->regions[0] = (struct open_region){type, r.task, tl->sync_ts};
    gt_tl_slice s = g_region_slice(g, 0, tl->sync_ts);
    s.retro = tl->sync_ts < ev->time;
    if ((rc = emit_begin(tl, &s)))
        return rc;
    s.time = ev->time;
    return emit_end(tl, &s);
}

static open_task *task_find(gt_tl *tl, uint64_t id)
{
    uint64_t *p = gt_u64map_get(&tl->task_index, id);
    return p && *p ? &tl->tasks[*p - 1] : NULL;
}

static void task_remove(gt_tl *tl, open_task *o)
{
    size_t i = (size_t)(o - tl->tasks);
    gt_u64map_remove(&tl->task_index, o->id);
    if (i + 1 < tl->n_tasks) {
        tl->tasks[i] = tl->tasks[tl->n_tasks - 1];
        *gt_u64map_get(&tl->task_index, tl->tasks[i].id) = i + 1;
    }
    tl->n_tasks--;
}

static int on_task(gt_tl *tl, const gt_event *ev)
{
    gt_task tk;
    if (gt_event_task(ev, &tk))
        return 0;
    int rc;
    gt_str type = gt_intern(&tl->strings, tk.type);
    if (!type.ptr)
        return -1;
    open_task *o = task_find(tl, tk.id);
    if (ev->kind == GT_EVENT_TASK_BEGIN) {
        if (o) {  /* begun again: the first one ends */
            gt_tl_slice s = task_slice(o, ev->time);
            if ((rc = emit_end(tl, &s)))
                return rc;
            task_remove(tl, o);
        }
        void *arr = tl->tasks;
        if (gt_grow_array(&arr, &tl->cap_tasks, tl->n_tasks + 1, sizeof *tl->tasks) ||
            gt_u64map_put(&tl->task_index, tk.id, tl->n_tasks + 1))
            return -1;
        tl->tasks = arr;
        o = &tl->tasks[tl->n_tasks++];
        *o = (open_task){tk.id, tk.parent, type, ev->time};
        gt_tl_slice s = task_slice(o, ev->time);
        s.stack = gt_event_stack(ev);
        return emit_begin(tl, &s);
    }
    if (o) {
        gt_tl_slice s = task_slice(o, ev->time);
        task_remove(tl, o);
        if ((rc = emit_end(tl, &s)))
            return rc;
    } else {  /* began before the trace: drawn from the Sync */
        open_task before = {tk.id, tk.parent, type, tl->sync_ts};
        gt_tl_slice s = task_slice(&before, tl->sync_ts);
        s.retro = tl->sync_ts < ev->time;
        if ((rc = emit_begin(tl, &s)))
            return rc;
        s.time = ev->time;
        if ((rc = emit_end(tl, &s)))
            return rc;
    }
    return emit_retire(tl, track_of(GT_TL_TRACK_TASK, (int64_t)tk.id));
}

static int range_index(gt_tl *tl, gt_str name, uint32_t *index)
{
    for (uint32_t i = 0; i < tl->n_range_names; i++)
        if (tl->range_names[i].len == name.len && !memcmp(tl->range_names[i].ptr, name.ptr, name.len)) {
            *index = i;
            return 0;
        }
    if (tl->n_range_names == MAX_RANGE_NAMES) {
        *index = MAX_RANGE_NAMES;  /* more distinct names than tracks: not shown */
        return 0;
    }
    gt_str s = gt_intern(&tl->strings, name);
    if (!s.ptr)
        return -1;
    tl->range_names[tl->n_range_names] = s;
    *index = tl->n_range_names++;
    return 0;
}

static int on_range(gt_tl *tl, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return 0;
    open_range key = {GT_RESOURCE_NONE, 0, 0, ev->time};
    if (r.scope.kind == GT_RESOURCE_GOROUTINE || r.scope.kind == GT_RESOURCE_PROC) {
        key.scope = r.scope.kind;
        key.id = r.scope.id;
    }
    if (range_index(tl, r.name, &key.name))
        return -1;
    if (key.name == MAX_RANGE_NAMES)
        return 0;
    if (key.scope == GT_RESOURCE_GOROUTINE) {
        int created;
        g_rec *g = g_get(tl, key.id, &created);
        if (!g)
            return -1;
        g->range_tracks |= (uint64_t)1 << key.name;
    }
    size_t i = 0;
    while (i < tl->n_ranges &&
           !(tl->ranges[i].scope == key.scope && tl->ranges[i].id == key.id && tl->ranges[i].name == key.name))
        i++;
    int open = i < tl->n_ranges, rc;
    if (ev->kind == GT_EVENT_RANGE_END) {
        if (open) {
            gt_tl_slice s = range_slice(tl, &tl->ranges[i], ev->time);
            tl->ranges[i] = tl->ranges[--tl->n_ranges];
            return emit_end(tl, &s);
        }
        /* Began before the trace: drawn from the Sync. */
        key.begin = tl->sync_ts;
        gt_tl_slice s = range_slice(tl, &key, tl->sync_ts);
        s.retro = tl->sync_ts < ev->time;
        if ((rc = emit_begin(tl, &s)))
            return rc;
        s.time = ev->time;
        return emit_end(tl, &s);
    }
    if (open)
        return 0;  /* RangeActive of a range already drawn */
    void *arr = tl->ranges;
    if (gt_grow_array(&arr, &tl->cap_ranges, tl->n_ranges + 1, sizeof *tl->ranges))
        return -1;
    tl->ranges = arr;
    /* RangeActive: in progress since before this generation's Sync. */
    int retro = ev->kind == GT_EVENT_RANGE_ACTIVE && tl->sync_ts < ev->time;
    if (retro)
        key.begin = tl->sync_ts;
    tl->ranges[tl->n_ranges++] = key;
    gt_tl_slice s = range_slice(tl, &key, key.begin);
    s.retro = retro;
    s.stack = gt_event_stack(ev);
    return emit_begin(tl, &s);
}

static int on_log(gt_tl *tl, const gt_event *ev)
{
    gt_log lg;
    if (gt_event_log(ev, &lg))
        return 0;
    gt_tl_instant in;
    memset(&in, 0, sizeof in);
    in.kind = GT_TL_LOG;
    in.track = track_of(GT_TL_TRACK_GOROUTINE, -1);
    if (ev->goroutine != GT_NO_GOROUTINE) {
        int created;
        if (!g_get(tl, ev->goroutine, &created))
            return -1;
        in.track.id = ev->goroutine;
    }
    in.time = ev->time;
    in.target = GT_NO_GOROUTINE;
    in.category = lg.category;
    in.message = lg.message;
    in.task = lg.task;
    in.stack = gt_event_stack(ev);
    return tl->sink.instant ? tl->sink.instant(tl->sink.ctx, &in) : 0;
}

static int emit_instant(gt_tl *tl, gt_tl_instant_kind kind, gt_tl_track track, const gt_event *ev, gt_str message)
{
    gt_tl_instant in;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    in.track = track;
    in.time = ev->time;
    in.target = GT_NO_GOROUTINE;
    in.category = empty_str;
    in.message = message;
    in.stack = gt_event_stack(ev);
    return tl->sink.instant ? tl->sink.instant(tl->sink.ctx, &in) : 0;
}

static int on_sample(gt_tl *tl, const gt_event *ev)
{
    if (ev->goroutine != GT_NO_GOROUTINE) {
        int created;
        if (!g_get(tl, ev->goroutine, &created))
            return -1;
        return emit_instant(tl, GT_TL_SAMPLE, track_of(GT_TL_TRACK_GOROUTINE, ev->goroutine), ev, empty_str);
    }
    if (ev->thread == GT_NO_THREAD)
        return 0;
    return emit_instant(tl, GT_TL_SAMPLE, track_of(GT_TL_TRACK_THREAD, ev->thread), ev, empty_str);
}

static int on_label(gt_tl *tl, const gt_event *ev)
{
    gt_label lb;
    if (gt_event_label(ev, &lb))
        return 0;
    gt_tl_track t;
    switch (lb.resource.kind) {
    case GT_RESOURCE_GOROUTINE: {
        int created;
        if (!g_get(tl, lb.resource.id, &created))
            return -1;
        t = track_of(GT_TL_TRACK_GOROUTINE, lb.resource.id);
        break;
    }
    case GT_RESOURCE_PROC:
        t = track_of(GT_TL_TRACK_PROC, lb.resource.id);
        break;
    case GT_RESOURCE_THREAD:
        t = track_of(GT_TL_TRACK_THREAD, lb.resource.id);
        break;
    default:
        return 0;
    }
    return emit_instant(tl, GT_TL_LABEL, t, ev, lb.label);
}

static int on_metric(gt_tl *tl, const gt_event *ev)
{
    gt_metric m;
    if (gt_event_metric(ev, &m) || m.value.kind != GT_VALUE_UINT64)
        return 0;
    uint32_t i = 0;
    while (i < tl->n_metrics && !(tl->metrics[i].name.len == m.name.len &&
                                  !memcmp(tl->metrics[i].name.ptr, m.name.ptr, m.name.len)))
        i++;
    if (i == tl->n_metrics) {
        if (i == MAX_METRICS)
            return 0;
        tl->metrics[i].name = gt_intern(&tl->strings, m.name);
        if (!tl->metrics[i].name.ptr)
            return -1;
        tl->n_metrics++;
    }
    tl->metrics[i].value = m.value.u64 > INT64_MAX ? INT64_MAX : (int64_t)m.value.u64;
    tl->metrics[i].set = 1;
    gt_tl_counter c = {GT_TL_METRIC, i, tl->metrics[i].name, ev->time, tl->metrics[i].value};
    return tl->sink.counter ? tl->sink.counter(tl->sink.ctx, &c) : 0;
}

/* Reports the goroutine and thread counts that changed (all with force),
 * at most once per GT_TL_COUNTER_RESOLUTION: a count changes at nearly every
 * transition, and a sample per change would be most of an output. */
static int report_counts(gt_tl *tl, int64_t t, int force)
{
    if (!force && tl->counts_reported_at && t - tl->counts_reported_at < GT_TL_COUNTER_RESOLUTION)
        return 0;
    for (int k = 0; k < 4; k++) {
        if (!force && tl->counts[k] == tl->reported[k])
            continue;
        tl->reported[k] = tl->counts[k];
        tl->counts_reported_at = t;
        gt_tl_counter c = {(gt_tl_counter_kind)(GT_TL_GOROUTINES_RUNNING + k), 0, empty_str, t, tl->counts[k]};
        int rc = tl->sink.counter ? tl->sink.counter(tl->sink.ctx, &c) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

int gt_tl_event(gt_tl *tl, const gt_event *ev)
{
    if (!tl->any) {
        tl->any = 1;
        tl->first_ts = tl->sync_ts = ev->time;
    }
    tl->last_ts = ev->time;
    int rc = 0;
    switch (ev->kind) {
    case GT_EVENT_SYNC:
        tl->sync_ts = ev->time;
        break;
    case GT_EVENT_STATE_TRANSITION: {
        gt_state_transition st;
        if (gt_event_state_transition(ev, &st))
            break;
        if (st.resource.kind == GT_RESOURCE_GOROUTINE)
            rc = on_goroutine(tl, ev, &st);
        else if (st.resource.kind == GT_RESOURCE_PROC)
            rc = on_proc(tl, ev, &st);
        break;
    }
    case GT_EVENT_REGION_BEGIN:
    case GT_EVENT_REGION_END:
        rc = on_region(tl, ev);
        break;
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END:
        rc = on_task(tl, ev);
        break;
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        rc = on_range(tl, ev);
        break;
    case GT_EVENT_LOG:
        rc = on_log(tl, ev);
        break;
    case GT_EVENT_METRIC:
        rc = on_metric(tl, ev);
        break;
    case GT_EVENT_STACK_SAMPLE:
        rc = on_sample(tl, ev);
        break;
    case GT_EVENT_LABEL:
        rc = on_label(tl, ev);
        break;
    default:
        break;
    }
    if (rc)
        return rc;
    if (tl->counts_reported_at && ev->time - tl->counts_reported_at < GT_TL_COUNTER_RESOLUTION)
        return 0;  /* report_counts' first test, without the call */
    return report_counts(tl, ev->time, 0);
}

/* ------------------------------------------------------- close / reopen */

int gt_tl_close(gt_tl *tl, int64_t at)
{
    int rc;
    for (size_t i = 0; i < tl->n_gs; i++) {
        g_rec *g = &tl->gs[i];
        if (!g_live(tl, g->id) || g_live(tl, g->id) != g)
            continue;
        /* Ended without changing the record (innermost region first):
         * gt_tl_reopen begins it all again. */
        for (size_t r = g->n_regions; r-- > 0;) {
            gt_tl_slice s = g_region_slice(g, r, at);
            if ((rc = emit_end(tl, &s)))
                return rc;
        }
        if (g->proc >= 0) {
            gt_tl_slice s = g_proc_slice(g, at);
            if ((rc = emit_end(tl, &s)))
                return rc;
        }
        if (g->thread >= 0) {
            gt_tl_slice s = g_syscall_slice(g, at);
            if ((rc = emit_end(tl, &s)))
                return rc;
        }
        if (state_slice_kind(g->state)) {
            gt_tl_slice s = g_state_slice(g, at);
            if ((rc = emit_end(tl, &s)))
                return rc;
        }
    }
    for (size_t i = 0; i < tl->n_ps; i++) {
        if (tl->ps[i].thread < 0)
            continue;
        /* The P's ID is the key whose index is i. */
        for (size_t k = 0; k < tl->p_index.cap; k++) {
            if (tl->p_index.used[k] && tl->p_index.vals[k] == i + 1) {
                gt_tl_slice s = holds_slice(tl->ps[i].thread, (int64_t)tl->p_index.keys[k], at);
                if ((rc = emit_end(tl, &s)))
                    return rc;
            }
        }
    }
    for (size_t i = tl->n_ranges; i-- > 0;) {
        gt_tl_slice s = range_slice(tl, &tl->ranges[i], at);
        if ((rc = emit_end(tl, &s)))
            return rc;
    }
    for (size_t i = 0; i < tl->n_tasks; i++) {
        gt_tl_slice s = task_slice(&tl->tasks[i], at);
        if ((rc = emit_end(tl, &s)))
            return rc;
    }
    tl->closed = 1;
    return report_counts(tl, at, 1);
}

int gt_tl_reopen(gt_tl *tl, int64_t at)
{
    int rc;
    for (size_t i = 0; i < tl->n_tasks; i++) {
        gt_tl_slice s = task_slice(&tl->tasks[i], at);
        if ((rc = emit_begin(tl, &s)))
            return rc;
    }
    for (size_t i = 0; i < tl->n_ranges; i++) {
        gt_tl_slice s = range_slice(tl, &tl->ranges[i], at);
        if ((rc = emit_begin(tl, &s)))
            return rc;
    }
    for (size_t k = 0; k < tl->p_index.cap; k++) {
        if (!tl->p_index.used[k])
            continue;
        const p_rec *p = &tl->ps[tl->p_index.vals[k] - 1];
        if (p->thread >= 0) {
            gt_tl_slice s = holds_slice(p->thread, (int64_t)tl->p_index.keys[k], at);
            if ((rc = emit_begin(tl, &s)))
                return rc;
        }
    }
    for (size_t i = 0; i < tl->n_gs; i++) {
        g_rec *g = &tl->gs[i];
        if (g_live(tl, g->id) != g)
            continue;
        if (state_slice_kind(g->state)) {
            gt_tl_slice s = g_state_slice(g, at);
            if ((rc = emit_begin(tl, &s)))
                return rc;
        }
        if (g->proc >= 0) {
            gt_tl_slice s = g_proc_slice(g, at);
            if ((rc = emit_begin(tl, &s)))
                return rc;
        }
        if (g->thread >= 0) {
            gt_tl_slice s = g_syscall_slice(g, at);
            if ((rc = emit_begin(tl, &s)))
                return rc;
        }
        for (size_t r = 0; r < g->n_regions; r++) {
            gt_tl_slice s = g_region_slice(g, r, at);
            if ((rc = emit_begin(tl, &s)))
                return rc;
        }
    }
    for (uint32_t i = 0; i < tl->n_metrics; i++) {
        if (!tl->metrics[i].set)
            continue;
        gt_tl_counter c = {GT_TL_METRIC, i, tl->metrics[i].name, at, tl->metrics[i].value};
        if (tl->sink.counter && (rc = tl->sink.counter(tl->sink.ctx, &c)))
            return rc;
    }
    tl->closed = 0;
    return report_counts(tl, at, 1);
}

/* ------------------------------------------------------------- the rest */

gt_tl *gt_tl_new(const gt_tl_sink *sink)
{
    gt_tl *tl = calloc(1, sizeof *tl);
    if (!tl)
        return NULL;
    tl->sink = *sink;
    return tl;
}

void gt_tl_free(gt_tl *tl)
{
    if (!tl)
        return;
    for (size_t i = 0; i < tl->n_gs; i++)
        free(tl->gs[i].regions);
    free(tl->gs);
    free(tl->ps);
    free(tl->ms);
    free(tl->ranges);
    free(tl->tasks);
    gt_u64map_free(&tl->g_index);
    gt_u64map_free(&tl->p_index);
    gt_u64map_free(&tl->m_index);
    gt_u64map_free(&tl->task_index);
    gt_interner_free(&tl->strings);
    free(tl);
}

gt_str gt_tl_goroutine_name(const gt_tl *tl, int64_t goroutine)
{
    g_rec *g = g_live((gt_tl *)tl, goroutine);
    return g ? g->name : empty_str;
}

gt_str gt_tl_range_name(const gt_tl *tl, uint32_t i) { return i < tl->n_range_names ? tl->range_names[i] : empty_str; }

int64_t gt_tl_first_time(const gt_tl *tl) { return tl->first_ts; }
int64_t gt_tl_last_time(const gt_tl *tl) { return tl->last_ts; }
uint64_t gt_tl_next_flow(const gt_tl *tl) { return tl->next_flow + 1; }
