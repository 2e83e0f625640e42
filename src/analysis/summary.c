/* Go 1.27's internal/trace Summarizer (summary.go), one event at a time.
 *
 * Faithfulness notes. The numbers must equal Go's, so this follows Go's
 * bookkeeping including its quirks: zero times mean "unset"; a map key exists
 * as soon as Go writes `m[k] += dt`, even with dt == 0; a goroutine that
 * reappears from NotExist or Undetermined gets a fresh summary that replaces
 * the old one; regions of system goroutines still open at their end are
 * dropped from the goroutine (but stay in their task with their start
 * snapshot); time in a syscall whose P was taken counts as scheduler wait
 * while the syscall is still open at a snapshot.
 *
 * Memory: one record per goroutine, task, region and log, interned strings;
 * name -> duration maps are small arrays keyed by interned pointers. In
 * streaming mode (gt_summary_stream_regions) a finished region goes to the
 * consumer and its record back to a free list, logs are only counted, so
 * region records are as many as were ever open at once.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/decoded.h"
#include "analysis/intern.h"
#include "common/arena.h"
#include "common/hash.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"

/* A name -> int64 map: interned keys compared by pointer. */
typedef struct durmap {
    gt_named_duration *e;
    size_t n, cap;
} durmap;

typedef struct stats {
    int64_t exec, sched_wait, syscall, syscall_block, total;
    durmap block, range;
} stats;

typedef struct regvec {
    gt_region_summary **v;
    size_t n, cap;
} regvec;

/* A region record of a streaming summary: reused after the region finished,
 * so its stats live in maps it owns (kept with their capacity) rather than
 * in the arena. */
typedef struct region_rec {
    gt_region_summary pub;  /* first: a region_rec is used as its pub */
    stats own;
    struct region_rec *next_free;
} region_rec;

typedef struct gsum {
    gt_goroutine_summary pub;
    size_t n_streamed;  /* regions of this summary handed to the consumer */
    stats st;
    /* Go's private goroutineSummary, zeroed by finalize. */
    int64_t last_start, last_runnable, last_block, last_syscall, last_syscall_block;
    gt_str last_block_reason;
    durmap last_range_time;
    regvec active;
    regvec regions;
} gsum;

typedef struct tsum {
    gt_task_summary pub;
    int has_parent_ptr;
    uint64_t *children;
    size_t cap_children;
    gt_task_log *logs;
    size_t cap_logs;
    regvec regions;
    gt_u64map goroutine_set;  /* goroutine ID -> 1 */
} tsum;

typedef struct rangep {
    int64_t proc;
    gt_str name;
    int64_t goroutine;
} rangep;

struct gt_summary {
    gt_interner strings;
    gt_arena arena;          /* records, frozen stats */
    gt_u64map gs;            /* goroutine ID -> gsum* (current summary) */
    gsum **all_g;            /* every gsum ever made, to free their maps */
    size_t n_all_g, cap_all_g;
    gt_u64map tasks;         /* task ID -> tsum* */
    tsum **all_t;
    size_t n_all_t, cap_all_t;
    gt_u64map syscalling_p;  /* proc -> goroutine; value NO_ENTRY = deleted */
    gt_u64map syscalling_g;  /* goroutine -> proc */
    rangep *ranges_p;
    size_t n_ranges_p, cap_ranges_p;
    int64_t last_ts, sync_ts, first_ts;
    int64_t last_sync_event_ts;  /* only Sync events; sync_ts starts at the first event */
    int seen_event;
    stats scratch, scratch2;  /* snapshot buffers, reused */
    int finalized;
    const gt_goroutine_summary **g_sorted;
    size_t n_g_sorted;
    const gt_task_summary **t_sorted;
    size_t n_t_sorted;
    /* Streaming mode (gt_summary_stream_regions). */
    int streaming;
    gt_region_fn sink;
    void *sink_ctx;
    region_rec *free_regions;
    region_rec **all_r;  /* every record made, to free their maps */
    size_t n_all_r, cap_all_r;
    uint64_t streamed_dropped;

    /* The window (gotrace/window.h), on the trace clock once the first
     * event came. Before it, events only track state: regions finishing and
     * logs are dropped; at its start open_window rebases what is open. */
    int has_window, before_window, past_window, past_sync;
    gt_window window;
    int64_t win_from, win_to;
};

/* Marks a deleted entry: no proc or goroutine ID is INT64_MIN (-1, NoProc,
 * is a real key and value here). */
#define NO_ENTRY ((uint64_t)INT64_MIN)

/* ------------------------------------------------------------- durmaps */

static gt_named_duration *durmap_find(const durmap *m, gt_str key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].name.ptr == key.ptr)
            return &m->e[i];
    return NULL;
}

static int64_t durmap_get(const durmap *m, gt_str key)
{
    const gt_named_duration *e = durmap_find(m, key);
    return e ? e->ns : 0;
}

/* Go's m[key] += dt (creates the key). */
static int durmap_add(durmap *m, gt_str key, int64_t dt)
{
    gt_named_duration *e = durmap_find(m, key);
    if (e) {
        e->ns += dt;
        return 0;
    }
    void *arr = m->e;
    if (gt_grow_array(&arr, &m->cap, m->n + 1, sizeof *m->e))
        return -1;
    m->e = arr;
    m->e[m->n++] = (gt_named_duration){key, dt};
    return 0;
}

static int durmap_set(durmap *m, gt_str key, int64_t v)
{
    gt_named_duration *e = durmap_find(m, key);
    if (e) {
        e->ns = v;
        return 0;
    }
    return durmap_add(m, key, v);
}

static void durmap_delete(durmap *m, gt_str key)
{
    gt_named_duration *e = durmap_find(m, key);
    if (e)
        *e = m->e[--m->n];
}

static int durmap_copy(durmap *dst, const durmap *src)
{
    void *arr = dst->e;
    if (gt_grow_array(&arr, &dst->cap, src->n, sizeof *dst->e))
        return -1;
    dst->e = arr;
    if (src->n)
        memcpy(dst->e, src->e, src->n * sizeof *src->e);
    dst->n = src->n;
    return 0;
}

static void durmap_free(durmap *m)
{
    free(m->e);
    m->e = NULL;
    m->n = m->cap = 0;
}

static int cmp_named(const void *a, const void *b)
{
    return gt_str_cmp(((const gt_named_duration *)a)->name, ((const gt_named_duration *)b)->name);
}

static void durmap_sort(durmap *m)
{
    if (m->n > 1)
        qsort(m->e, m->n, sizeof *m->e, cmp_named);
}

/* -------------------------------------------------------------- stats */

static int stats_copy(stats *dst, const stats *src)
{
    durmap b = dst->block, r = dst->range;
    *dst = *src;
    dst->block = b;
    dst->range = r;
    if (durmap_copy(&dst->block, &src->block) || durmap_copy(&dst->range, &src->range))
        return -1;
    return 0;
}

static void stats_free(stats *s)
{
    durmap_free(&s->block);
    durmap_free(&s->range);
}

/* Reads a frozen public stats record back as a (borrowed) stats value. */
static stats stats_view(const gt_exec_stats *p)
{
    stats s = {p->exec_time, p->sched_wait_time, p->syscall_time, p->syscall_block_time, p->total_time,
               {(gt_named_duration *)p->block, p->n_block, p->n_block},
               {(gt_named_duration *)p->range, p->n_range, p->n_range}};
    return s;
}

/* Copies s into the arena as a public record, maps sorted by name. */
static int stats_freeze(gt_arena *a, stats *s, gt_exec_stats *out)
{
    durmap_sort(&s->block);
    durmap_sort(&s->range);
    gt_named_duration *b = gt_arena_dup(a, s->block.e, s->block.n * sizeof *b);
    gt_named_duration *r = gt_arena_dup(a, s->range.e, s->range.n * sizeof *r);
    if ((s->block.n && !b) || (s->range.n && !r))
        return -1;
    *out = (gt_exec_stats){s->exec, s->sched_wait, s->syscall, s->syscall_block, s->total,
                           s->block.n, b, s->range.n, r};
    return 0;
}

/* GoroutineExecStats.sub: r = s - v over the keys of s (in place on r). */
static void stats_sub_inplace(stats *r, const stats *v)
{
    r->exec -= v->exec;
    r->sched_wait -= v->sched_wait;
    for (size_t i = 0; i < r->block.n; i++)
        r->block.e[i].ns -= durmap_get(&v->block, r->block.e[i].name);
    r->syscall -= v->syscall;
    r->syscall_block -= v->syscall_block;
    r->total -= v->total;
    for (size_t i = 0; i < r->range.n; i++)
        r->range.e[i].ns -= durmap_get(&v->range, r->range.e[i].name);
}

int64_t gt_exec_stats_unknown_time(const gt_exec_stats *s)
{
    int64_t sum = s->exec_time + s->sched_wait_time + s->syscall_time + s->syscall_block_time;
    for (size_t i = 0; i < s->n_block; i++)
        sum += s->block[i].ns;
    return sum < s->total_time ? s->total_time - sum : 0;
}

int gt_is_system_goroutine(gt_str fn)
{
    static const char prefix[] = "runtime.";
    if (fn.len == 0)
        return 1;
    if (gt_str_eq_cstr(fn, "runtime.main"))
        return 0;
    return fn.len >= sizeof prefix - 1 && !memcmp(fn.ptr, prefix, sizeof prefix - 1);
}

/* ------------------------------------------------------------ records */

static int regvec_push(regvec *v, gt_region_summary *r)
{
    void *arr = v->v;
    if (gt_grow_array(&arr, &v->cap, v->n + 1, sizeof *v->v))
        return -1;
    v->v = arr;
    v->v[v->n++] = r;
    return 0;
}

static gsum *find_g(const gt_summary *s, int64_t id)
{
    uint64_t *p = gt_u64map_get(&s->gs, (uint64_t)id);
    return p ? (gsum *)(uintptr_t)*p : NULL;
}

static gsum *new_g(gt_summary *s, int64_t id)
{
    gsum *old = find_g(s, id);
    if (old)
        s->streamed_dropped += old->n_streamed;  /* Go forgets old's regions */
    gsum *g = gt_arena_alloc(&s->arena, sizeof *g);
    if (!g)
        return NULL;
    memset(g, 0, sizeof *g);
    g->pub.id = id;
    g->pub.name = (gt_str){"", 0};
    void *arr = s->all_g;
    if (gt_grow_array(&arr, &s->cap_all_g, s->n_all_g + 1, sizeof *s->all_g))
        return NULL;
    s->all_g = arr;
    s->all_g[s->n_all_g++] = g;
    if (gt_u64map_put(&s->gs, (uint64_t)id, (uint64_t)(uintptr_t)g))
        return NULL;
    return g;
}

static tsum *get_or_add_task(gt_summary *s, uint64_t id)
{
    uint64_t *p = gt_u64map_get(&s->tasks, id);
    if (p)
        return (tsum *)(uintptr_t)*p;
    tsum *t = gt_arena_alloc(&s->arena, sizeof *t);
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    t->pub.id = id;
    t->pub.name = (gt_str){"", 0};
    t->pub.parent = GT_NO_TASK;
    void *arr = s->all_t;
    if (gt_grow_array(&arr, &s->cap_all_t, s->n_all_t + 1, sizeof *s->all_t))
        return NULL;
    s->all_t = arr;
    s->all_t[s->n_all_t++] = t;
    if (gt_u64map_put(&s->tasks, id, (uint64_t)(uintptr_t)t))
        return NULL;
    return t;
}

/* task.Regions = append(task.Regions, r); only counted when streaming. */
static int task_add_region(gt_summary *s, tsum *t, gt_region_summary *r)
{
    if (s->streaming) {
        t->regions.n++;
        return 0;
    }
    return regvec_push(&t->regions, r);
}

/* task.Goroutines[goid] = ... */
static int task_add_goroutine(tsum *t, int64_t goid)
{
    return gt_u64map_upsert(&t->goroutine_set, (uint64_t)goid, NULL) ? 0 : -1;
}

/* A zeroed region record: from the free list or the arena when streaming,
 * from the arena (kept to the end) otherwise. */
static gt_region_summary *new_region(gt_summary *s)
{
    if (!s->streaming) {
        gt_region_summary *r = gt_arena_alloc(&s->arena, sizeof *r);
        if (r)
            memset(r, 0, sizeof *r);
        return r;
    }
    region_rec *rec = s->free_regions;
    if (rec) {
        s->free_regions = rec->next_free;
    } else {
        rec = gt_arena_alloc(&s->arena, sizeof *rec);
        if (!rec)
            return NULL;
        memset(rec, 0, sizeof *rec);
        void *arr = s->all_r;
        if (gt_grow_array(&arr, &s->cap_all_r, s->n_all_r + 1, sizeof *s->all_r))
            return NULL;
        s->all_r = arr;
        s->all_r[s->n_all_r++] = rec;
    }
    stats own = rec->own;  /* keep the maps' capacity */
    own.block.n = own.range.n = 0;
    memset(&rec->pub, 0, sizeof rec->pub);
    rec->own = own;
    rec->next_free = NULL;
    return &rec->pub;
}

/* A streaming summary's record goes back to the free list; nothing else
 * refers to it (tasks keep no region lists when streaming). */
static void recycle_region(gt_summary *s, gt_region_summary *r)
{
    if (!s->streaming)
        return;
    region_rec *rec = (region_rec *)r;
    rec->next_free = s->free_regions;
    s->free_regions = rec;
}

/* Sets r's public stats to a copy of st (maps sorted by name): in the arena,
 * or in the record's own maps when streaming. */
static int set_region_stats(gt_summary *s, gt_region_summary *r, stats *st)
{
    if (!s->streaming)
        return stats_freeze(&s->arena, st, &r->stats);
    region_rec *rec = (region_rec *)r;
    if (stats_copy(&rec->own, st))
        return -1;
    durmap_sort(&rec->own.block);
    durmap_sort(&rec->own.range);
    const stats *o = &rec->own;
    r->stats = (gt_exec_stats){o->exec, o->sched_wait, o->syscall, o->syscall_block, o->total,
                               o->block.n, o->block.e, o->range.n, o->range.e};
    return 0;
}

/* A finished region of g: kept in g's list, or handed to the consumer. */
static int finish_region(gt_summary *s, gsum *g, gt_region_summary *r)
{
    if (s->before_window) {  /* ended before the window */
        recycle_region(s, r);
        return 0;
    }
    if (!s->streaming)
        return regvec_push(&g->regions, r);
    g->n_streamed++;
    int rc = s->sink ? s->sink(s->sink_ctx, r) : 0;
    recycle_region(s, r);
    return rc ? -1 : 0;
}

/* GoroutineSummary.snapshotStat into *out. */
static int snapshot(gsum *g, int64_t last_ts, stats *out)
{
    if (stats_copy(out, &g->st))
        return -1;
    if (g->st.total == 0)
        out->total = last_ts - g->pub.creation_time;
    if (g->last_start != 0)
        out->exec += last_ts - g->last_start;
    if (g->last_runnable != 0)
        out->sched_wait += last_ts - g->last_runnable;
    if (g->last_block != 0 && durmap_add(&out->block, g->last_block_reason, last_ts - g->last_block))
        return -1;
    if (g->last_syscall != 0)
        out->syscall += last_ts - g->last_syscall;
    if (g->last_syscall_block != 0)
        out->sched_wait += last_ts - g->last_syscall_block;
    for (size_t i = 0; i < g->last_range_time.n; i++)
        if (durmap_add(&out->range, g->last_range_time.e[i].name, last_ts - g->last_range_time.e[i].ns))
            return -1;
    return 0;
}

/* Region stats = snapshot now - snapshot at its start; frozen into the arena. */
static int close_region(gt_summary *s, gt_region_summary *r, const stats *now)
{
    stats *d = &s->scratch2;
    if (stats_copy(d, now))
        return -1;
    stats begin = stats_view(&r->stats);
    stats_sub_inplace(d, &begin);
    return set_region_stats(s, r, d);
}

/* GoroutineSummary.finalize; trigger_time < 0 means no trigger event. */
static int finalize_g(gt_summary *s, gsum *g, int64_t last_ts, int has_trigger, int64_t trigger_time)
{
    if (has_trigger)
        g->pub.end_time = trigger_time;
    stats *fin = &s->scratch;
    if (snapshot(g, last_ts, fin) || stats_copy(&g->st, fin))
        return -1;
    if (!gt_is_system_goroutine(g->pub.name)) {
        for (size_t i = 0; i < g->active.n; i++) {
            gt_region_summary *r = g->active.v[i];
            r->end_kind = has_trigger ? GT_REGION_EDGE_TRANSITION : GT_REGION_EDGE_NONE;
            r->end = has_trigger ? trigger_time : 0;
            if (close_region(s, r, fin) || finish_region(s, g, r))
                return -1;
        }
    } else {
        /* Dropped from the goroutine; a full summary keeps them in their
         * tasks, a streaming one has no further use for them. */
        for (size_t i = 0; i < g->active.n; i++)
            recycle_region(s, g->active.v[i]);
    }
    g->last_start = g->last_runnable = g->last_block = g->last_syscall = g->last_syscall_block = 0;
    g->last_block_reason = (gt_str){"", 0};
    g->last_range_time.n = 0;
    g->active.n = 0;
    return 0;
}

/* Records the outermost frame of the region's start event, copied into the
 * summary's strings (the reader's frames do not outlive their generation). */
static int set_start_frame(gt_summary *s, gt_region_summary *r, const gt_event *ev)
{
    gt_stack st = gt_event_stack(ev);
    size_t n = gt_stack_len(st);
    gt_frame f;
    if (n == 0 || gt_stack_frame(st, n - 1, &f) != 0)
        return 0;
    f.func = gt_intern(&s->strings, f.func);
    f.file = gt_intern(&s->strings, f.file);
    if (!f.func.ptr || !f.file.ptr)
        return -1;
    r->start_frame = f;
    return 0;
}

/* ------------------------------------------------------------- windows */

void gt_summary_set_window(gt_summary *s, const gt_window *w)
{
    if (w->from <= 0 && w->to == INT64_MAX)
        return;
    s->has_window = 1;
    s->window = *w;
}

static int64_t clip_from(int64_t t, int64_t from) { return t != 0 && t < from ? from : t; }

static tsum *live_task(const gt_summary *s, uint64_t id)
{
    uint64_t *p = gt_u64map_get(&s->tasks, id);
    return p ? (tsum *)(uintptr_t)*p : NULL;
}

/* The window starts: what ended before it is dropped, what is open is
 * rebased as if the trace began at win_from (gotrace/window.h). */
static int open_window(gt_summary *s)
{
    int64_t from = s->win_from;
    s->before_window = 0;
    /* Tasks: those ended before the window go; the others lose what
     * happened before it. */
    for (size_t i = 0; i < s->n_all_t; i++) {
        tsum *t = s->all_t[i];
        if (live_task(s, t->pub.id) != t)
            continue;
        if (t->pub.has_end) {
            gt_u64map_remove(&s->tasks, t->pub.id);
            continue;
        }
        t->pub.has_start = 0;
        t->pub.start = 0;
        t->pub.start_goroutine = 0;
        t->pub.n_logs = 0;
        t->regions.n = 0;
        gt_u64map_free(&t->goroutine_set);
    }
    for (size_t i = 0; i < s->n_all_t; i++) {
        tsum *t = s->all_t[i];
        if (live_task(s, t->pub.id) != t)
            continue;
        size_t k = 0;
        for (size_t j = 0; j < t->pub.n_children; j++)
            if (live_task(s, t->children[j]))
                t->children[k++] = t->children[j];
        t->pub.n_children = k;
    }
    /* Goroutines: those ended before the window go; the others count from
     * its start. */
    stats zero;
    memset(&zero, 0, sizeof zero);
    for (size_t i = 0; i < s->n_all_g; i++) {
        gsum *g = s->all_g[i];
        if (find_g(s, g->pub.id) != g)
            continue;
        if (g->pub.end_time != 0) {
            gt_u64map_remove(&s->gs, (uint64_t)g->pub.id);
            continue;
        }
        g->st.exec = g->st.sched_wait = g->st.syscall = g->st.syscall_block = g->st.total = 0;
        g->st.block.n = g->st.range.n = 0;
        g->pub.creation_time = from;
        g->pub.start_time = g->last_start ? from : 0;
        g->last_start = clip_from(g->last_start, from);
        g->last_runnable = clip_from(g->last_runnable, from);
        g->last_block = clip_from(g->last_block, from);
        g->last_syscall = clip_from(g->last_syscall, from);
        g->last_syscall_block = clip_from(g->last_syscall_block, from);
        for (size_t k = 0; k < g->last_range_time.n; k++)
            g->last_range_time.e[k].ns = clip_from(g->last_range_time.e[k].ns, from);
        g->regions.n = 0;
        g->n_streamed = 0;
        for (size_t k = 0; k < g->active.n; k++) {
            gt_region_summary *r = g->active.v[k];
            r->start_kind = GT_REGION_EDGE_NONE;
            r->start = 0;
            r->start_goroutine = GT_NO_GOROUTINE;
            memset(&r->start_frame, 0, sizeof r->start_frame);
            if (set_region_stats(s, r, &zero))
                return -1;
            tsum *t = get_or_add_task(s, r->task);
            if (!t || task_add_region(s, t, r) || task_add_goroutine(t, g->pub.id))
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- events */

/* Where what was open at the last Sync counts from: the Sync, or the
 * window's start when that is later. */
static int64_t edge_ts(const gt_summary *s)
{
    return s->has_window && s->win_from > s->sync_ts ? s->win_from : s->sync_ts;
}

gt_summary *gt_summary_new(void)
{
    gt_summary *s = calloc(1, sizeof *s);
    return s;
}

/* A goroutine first reported in state nw spent d in it before (since the
 * last Sync, or the window's start). */
static int credit_state(gsum *g, const gt_event *ev, int nw, gt_str reason, int64_t d)
{
    switch (nw) {
    case GT_GO_RUNNING:
        g->st.exec += d;
        break;
    case GT_GO_WAITING:
        return durmap_add(&g->st.block, reason, d);
    case GT_GO_RUNNABLE:
        g->st.sched_wait += d;
        break;
    case GT_GO_SYSCALL:
        if (ev->proc == GT_NO_PROC)
            g->st.syscall_block += d;
        else
            g->st.syscall += d;
        break;
    }
    return 0;
}

/* An event after the window, before the next Sync. Go counts a goroutine
 * first reported in a generation (from Undetermined) as in that state since
 * the generation's Sync, and a range first reported active likewise: those
 * times reach back into the window, up to its end. */
static int after_window(gt_summary *s, const gt_event *ev)
{
    int64_t since = edge_ts(s), d = s->win_to - since;
    if (d <= 0)
        return 0;
    if (ev->kind == GT_EVENT_STATE_TRANSITION) {
        gt_state_transition st;
        if (gt_event_state_transition(ev, &st) || st.resource.kind != GT_RESOURCE_GOROUTINE ||
            st.old_state != GT_GO_UNDETERMINED || st.new_state == GT_GO_UNDETERMINED ||
            st.new_state == GT_GO_NOT_EXIST || find_g(s, st.resource.id))
            return 0;
        gt_str reason = gt_intern(&s->strings, st.reason);
        gsum *g = reason.ptr ? new_g(s, st.resource.id) : NULL;
        if (!g)
            return -1;
        g->pub.creation_time = since;
        if (st.new_state == GT_GO_RUNNING)
            g->pub.start_time = since;
        return credit_state(g, ev, st.new_state, reason, d);
    }
    if (ev->kind == GT_EVENT_RANGE_ACTIVE) {
        gt_range r;
        if (gt_event_range(ev, &r) || r.scope.kind != GT_RESOURCE_GOROUTINE)
            return 0;
        gsum *g = find_g(s, r.scope.id);
        gt_str name = gt_intern(&s->strings, r.name);
        if (!name.ptr)
            return -1;
        if (g && durmap_get(&g->last_range_time, name) == 0)
            return durmap_add(&g->st.range, name, d);
    }
    return 0;
}

static int on_goroutine_transition(gt_summary *s, const gt_event *ev, const gt_state_transition *st)
{
    int64_t id = st->resource.id;
    int old = st->old_state, nw = st->new_state;
    int64_t t = ev->time;
    if (old == nw)
        return 0;
    gsum *g = find_g(s, id);
    gt_str reason = gt_intern(&s->strings, st->reason);
    if (!reason.ptr)
        return -1;
    switch (old) {
    case GT_GO_UNDETERMINED: {
        g = new_g(s, id);
        if (!g)
            return -1;
        /* First mention: the goroutine existed since the last Sync, in the
         * state it is leaving now. */
        g->pub.creation_time = edge_ts(s);
        if (credit_state(g, ev, nw, reason, t - edge_ts(s)))
            return -1;
        break;
    }
    case GT_GO_NOT_EXIST: {
        gsum *creator = find_g(s, ev->goroutine);
        g = new_g(s, id);
        if (!g)
            return -1;
        g->pub.creation_time = t;
        /* A new goroutine inherits the task of its creator's innermost
         * active region, as a synthetic region without a name. */
        if (creator && creator->active.n > 0) {
            gt_region_summary *top = creator->active.v[creator->active.n - 1];
            gt_region_summary *r = new_region(s);
            if (!r)
                return -1;
            r->task = top->task;
            r->name = (gt_str){"", 0};
            r->goroutine = id;
            r->start_kind = GT_REGION_EDGE_TRANSITION;
            r->start = t;
            r->start_goroutine = ev->goroutine;
            if (set_start_frame(s, r, ev) || regvec_push(&g->active, r))
                return -1;
        }
        break;
    }
    case GT_GO_RUNNING:
        if (!g)
            return 0;
        g->st.exec += t - g->last_start;
        g->last_start = 0;
        break;
    case GT_GO_WAITING:
        if (!g)
            return 0;
        if (g->last_block != 0) {
            if (durmap_add(&g->st.block, g->last_block_reason, t - g->last_block))
                return -1;
            g->last_block = 0;
        }
        break;
    case GT_GO_RUNNABLE:
        if (!g)
            return 0;
        if (g->last_runnable != 0) {
            g->st.sched_wait += t - g->last_runnable;
            g->last_runnable = 0;
        }
        break;
    case GT_GO_SYSCALL:
        if (!g)
            return 0;
        if (g->last_syscall != 0) {
            if (g->last_syscall_block != 0) {
                g->st.syscall_block += t - g->last_syscall_block;
                g->st.syscall += g->last_syscall_block - g->last_syscall;
            } else {
                g->st.syscall += t - g->last_syscall;
            }
            g->last_syscall = 0;
            g->last_syscall_block = 0;
            /* delete(syscallingP, syscallingG[id]) — 0 when absent, as in Go. */
            uint64_t *pg = gt_u64map_get(&s->syscalling_g, (uint64_t)id);
            uint64_t proc = pg && *pg != NO_ENTRY ? *pg : 0;
            uint64_t *pp = gt_u64map_get(&s->syscalling_p, proc);
            if (pp)
                *pp = NO_ENTRY;
            if (pg)
                *pg = NO_ENTRY;
        }
        break;
    default:
        if (!g)
            return 0;
        break;
    }

    /* Name the goroutine by the root frame of a transition stack: a
     * goroutine's outermost frame never changes. */
    if (g->pub.name.len == 0) {
        size_t n = gt_stack_len(st->stack);
        gt_frame f;
        if (n > 0 && gt_stack_frame(st->stack, n - 1, &f) == 0) {
            g->pub.pc = f.pc;
            g->pub.name = gt_intern(&s->strings, f.func);
            if (!g->pub.name.ptr)
                return -1;
        }
    }

    switch (nw) {
    case GT_GO_RUNNING:
        g->last_start = t;
        if (g->pub.start_time == 0)
            g->pub.start_time = t;
        break;
    case GT_GO_RUNNABLE:
        g->last_runnable = t;
        break;
    case GT_GO_WAITING:
        if (!gt_str_eq_cstr(reason, "forever")) {
            g->last_block = t;
            g->last_block_reason = reason;
            break;
        }
        /* Blocked forever is like death. */
        return finalize_g(s, g, t, 1, t);
    case GT_GO_NOT_EXIST:
        return finalize_g(s, g, t, 1, t);
    case GT_GO_SYSCALL:
        if (gt_u64map_put(&s->syscalling_p, (uint64_t)ev->proc, (uint64_t)id) ||
            gt_u64map_put(&s->syscalling_g, (uint64_t)id, (uint64_t)ev->proc))
            return -1;
        g->last_syscall = t;
        break;
    }
    return 0;
}

static int on_proc_transition(gt_summary *s, const gt_event *ev, const gt_state_transition *st)
{
    /* A P going idle while its goroutine is in a syscall: the syscall blocks. */
    if (st->old_state == st->new_state || st->new_state != GT_PROC_IDLE)
        return 0;
    uint64_t *pp = gt_u64map_get(&s->syscalling_p, (uint64_t)st->resource.id);
    if (!pp || *pp == NO_ENTRY)
        return 0;
    gsum *g = find_g(s, (int64_t)*pp);
    if (g)
        g->last_syscall_block = ev->time;
    *pp = NO_ENTRY;
    return 0;
}

static rangep *find_rangep(gt_summary *s, int64_t proc, gt_str name)
{
    for (size_t i = 0; i < s->n_ranges_p; i++)
        if (s->ranges_p[i].proc == proc && s->ranges_p[i].name.ptr == name.ptr)
            return &s->ranges_p[i];
    return NULL;
}

static int on_range(gt_summary *s, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return 0;
    gt_str name = gt_intern(&s->strings, r.name);
    if (!name.ptr)
        return -1;
    gsum *g = NULL;
    if (ev->kind == GT_EVENT_RANGE_END) {
        if (r.scope.kind == GT_RESOURCE_GOROUTINE) {
            g = find_g(s, r.scope.id);
        } else if (r.scope.kind == GT_RESOURCE_PROC) {
            rangep *rp = find_rangep(s, r.scope.id, name);
            if (rp) {
                /* Only if the range ends on the goroutine it began on. */
                if (rp->goroutine == ev->goroutine)
                    g = find_g(s, rp->goroutine);
                *rp = s->ranges_p[--s->n_ranges_p];
            }
        }
        if (!g)
            return 0;
        int64_t ts = durmap_get(&g->last_range_time, name);
        if (ts == 0)
            return 0;
        if (durmap_add(&g->st.range, name, ev->time - ts))
            return -1;
        durmap_delete(&g->last_range_time, name);
        return 0;
    }
    if (r.scope.kind == GT_RESOURCE_GOROUTINE) {
        g = find_g(s, r.scope.id);
    } else if (r.scope.kind == GT_RESOURCE_PROC) {
        /* P ranges (sweeps) count for the goroutine on the P, if it stays. */
        g = find_g(s, ev->goroutine);
        if (g) {
            rangep *rp = find_rangep(s, r.scope.id, name);
            if (!rp) {
                void *arr = s->ranges_p;
                if (gt_grow_array(&arr, &s->cap_ranges_p, s->n_ranges_p + 1, sizeof *s->ranges_p))
                    return -1;
                s->ranges_p = arr;
                rp = &s->ranges_p[s->n_ranges_p++];
                rp->proc = r.scope.id;
                rp->name = name;
            }
            rp->goroutine = ev->goroutine;
        }
    }
    if (!g)
        return 0;
    if (ev->kind == GT_EVENT_RANGE_ACTIVE) {
        int64_t ts = durmap_get(&g->last_range_time, name);
        if (ts != 0 && durmap_add(&g->st.range, name, edge_ts(s) - ts))
            return -1;
        return durmap_set(&g->last_range_time, name, edge_ts(s));
    }
    return durmap_set(&g->last_range_time, name, ev->time);
}

static int on_region(gt_summary *s, const gt_event *ev)
{
    gt_region reg;
    if (gt_event_region(ev, &reg))
        return 0;
    gsum *g = find_g(s, ev->goroutine);
    if (!g)
        return 0;  /* Go would crash; a valid trace never does this */
    gt_str name = gt_intern(&s->strings, reg.type);
    if (!name.ptr)
        return -1;
    stats *now = &s->scratch;
    if (snapshot(g, ev->time, now))
        return -1;
    if (ev->kind == GT_EVENT_REGION_BEGIN) {
        gt_region_summary *r = new_region(s);
        if (!r)
            return -1;
        r->task = reg.task;
        r->name = name;
        r->goroutine = g->pub.id;
        r->start_kind = GT_REGION_EDGE_REGION;
        r->start = ev->time;
        r->start_goroutine = ev->goroutine;
        if (set_start_frame(s, r, ev) || set_region_stats(s, r, now) || regvec_push(&g->active, r))
            return -1;
        tsum *t = get_or_add_task(s, reg.task);
        if (!t || task_add_region(s, t, r) || task_add_goroutine(t, g->pub.id))
            return -1;
        return 0;
    }
    gt_region_summary *r;
    if (g->active.n > 0) {
        r = g->active.v[--g->active.n];
    } else {
        /* An end without a start: the region began before the trace. */
        r = new_region(s);
        if (!r)
            return -1;
        r->task = reg.task;
        r->name = name;
        r->goroutine = g->pub.id;
        r->start_kind = GT_REGION_EDGE_NONE;
        r->start_goroutine = GT_NO_GOROUTINE;
        tsum *t = get_or_add_task(s, reg.task);
        if (!t || task_add_goroutine(t, g->pub.id) || task_add_region(s, t, r))
            return -1;
    }
    r->end_kind = GT_REGION_EDGE_REGION;
    r->end = ev->time;
    if (close_region(s, r, now))
        return -1;
    return finish_region(s, g, r);
}

static int on_task(gt_summary *s, const gt_event *ev)
{
    gt_task tk;
    if (gt_event_task(ev, &tk))
        return 0;
    tsum *t = get_or_add_task(s, tk.id);
    if (!t)
        return -1;
    t->pub.name = gt_intern(&s->strings, tk.type);
    if (!t->pub.name.ptr || task_add_goroutine(t, ev->goroutine))
        return -1;
    if (ev->kind == GT_EVENT_TASK_BEGIN) {
        t->pub.has_start = 1;
        t->pub.start = ev->time;
        t->pub.start_goroutine = ev->goroutine;
    } else {
        t->pub.has_end = 1;
        t->pub.end = ev->time;
        t->pub.end_goroutine = ev->goroutine;
    }
    /* Link the parent once, so a task is never twice in its children. */
    if (tk.parent != GT_NO_TASK && !t->has_parent_ptr) {
        tsum *p = get_or_add_task(s, tk.parent);
        if (!p)
            return -1;
        t->has_parent_ptr = 1;
        t->pub.parent = tk.parent;
        void *arr = p->children;
        if (gt_grow_array(&arr, &p->cap_children, p->pub.n_children + 1, sizeof *p->children))
            return -1;
        p->children = arr;
        p->children[p->pub.n_children++] = t->pub.id;
    }
    return 0;
}

static int on_log(gt_summary *s, const gt_event *ev)
{
    gt_log lg;
    if (gt_event_log(ev, &lg))
        return 0;
    tsum *t = get_or_add_task(s, lg.task);
    if (!t || task_add_goroutine(t, ev->goroutine))
        return -1;
    if (s->before_window)
        return 0;
    if (s->streaming) {
        t->pub.n_logs++;  /* counted, not kept (nor their text interned) */
        return 0;
    }
    gt_task_log rec = {ev->time, ev->goroutine, gt_intern(&s->strings, lg.category),
                       gt_intern(&s->strings, lg.message)};
    if (!rec.category.ptr || !rec.message.ptr)
        return -1;
    void *arr = t->logs;
    if (gt_grow_array(&arr, &t->cap_logs, t->pub.n_logs + 1, sizeof *t->logs))
        return -1;
    t->logs = arr;
    t->logs[t->pub.n_logs++] = rec;
    return 0;
}

int gt_summary_event(gt_summary *s, const gt_event *ev)
{
    gt_state_transition own;
    return gt_summary_event_decoded(s, ev, gt_decode_transition(ev, &own));
}

int gt_summary_event_decoded(gt_summary *s, const gt_event *ev, const gt_state_transition *st)
{
    if (!s->seen_event) {
        s->seen_event = 1;
        s->first_ts = ev->time;
        if (s->has_window) {
            s->win_from = gt_window_at(ev->time, s->window.from);
            s->win_to = gt_window_at(ev->time, s->window.to);
            s->before_window = s->win_from > ev->time;
        }
    }
    if (s->has_window) {
        if (ev->time > s->win_to) {
            /* A window without events of its own opens when it ends. */
            if (s->before_window && open_window(s))
                return -1;
            if (!s->past_window)
                s->last_ts = s->win_to;
            if (ev->kind == GT_EVENT_SYNC)
                s->past_sync = 1;
            s->past_window = 1;
            return s->past_sync ? 0 : after_window(s, ev);
        }
        if (s->before_window && ev->time >= s->win_from && open_window(s))
            return -1;
    }
    if (s->sync_ts == 0)
        s->sync_ts = ev->time;
    s->last_ts = ev->time;
    switch (ev->kind) {
    case GT_EVENT_SYNC:
        s->sync_ts = s->last_sync_event_ts = ev->time;
        return 0;
    case GT_EVENT_STATE_TRANSITION:
        if (!st)
            return 0;
        if (st->resource.kind == GT_RESOURCE_GOROUTINE)
            return on_goroutine_transition(s, ev, st);
        if (st->resource.kind == GT_RESOURCE_PROC)
            return on_proc_transition(s, ev, st);
        return 0;
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        return on_range(s, ev);
    case GT_EVENT_REGION_BEGIN:
    case GT_EVENT_REGION_END:
        return on_region(s, ev);
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END:
        return on_task(s, ev);
    case GT_EVENT_LOG:
        return on_log(s, ev);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ results */

static int cmp_region_start(const void *a, const void *b)
{
    const gt_region_summary *x = *(gt_region_summary *const *)a, *y = *(gt_region_summary *const *)b;
    int xn = x->start_kind == GT_REGION_EDGE_NONE, yn = y->start_kind == GT_REGION_EDGE_NONE;
    if (xn || yn)
        return yn - xn;
    return (x->start > y->start) - (x->start < y->start);
}

static int cmp_g_id(const void *a, const void *b)
{
    int64_t x = (*(const gt_goroutine_summary *const *)a)->id, y = (*(const gt_goroutine_summary *const *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_t_id(const void *a, const void *b)
{
    uint64_t x = (*(const gt_task_summary *const *)a)->id, y = (*(const gt_task_summary *const *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int gt_summary_finalize(gt_summary *s)
{
    if (s->finalized)
        return 0;
    s->finalized = 1;
    s->g_sorted = malloc((s->gs.len ? s->gs.len : 1) * sizeof *s->g_sorted);
    if (!s->g_sorted)
        return -1;
    for (size_t i = 0; i < s->n_all_g; i++) {
        gsum *g = s->all_g[i];
        if (find_g(s, g->pub.id) != g || s->before_window)
            continue;  /* replaced by a later goroutine with the same ID, or
                        * the window starts after the last event */
        /* At a window's end before the trace's, an open syscall counts as
         * it would when it ends (Go's snapshot counts the time since its P
         * was taken as scheduler wait too, at the trace's end): the times
         * of adjacent windows add up. */
        if (s->past_window && g->last_syscall != 0) {
            if (g->last_syscall_block != 0) {
                g->st.syscall_block += s->last_ts - g->last_syscall_block;
                g->st.syscall += g->last_syscall_block - g->last_syscall;
            } else {
                g->st.syscall += s->last_ts - g->last_syscall;
            }
            g->last_syscall = g->last_syscall_block = 0;
        }
        if (finalize_g(s, g, s->last_ts, 0, 0))
            return -1;
        /* Go's sort is not stable; regions starting at the same time come in
         * an order of its choosing. */
        if (g->regions.n > 1)
            qsort(g->regions.v, g->regions.n, sizeof *g->regions.v, cmp_region_start);
        durmap_sort(&g->st.block);
        durmap_sort(&g->st.range);
        g->pub.stats = (gt_exec_stats){g->st.exec, g->st.sched_wait, g->st.syscall, g->st.syscall_block,
                                       g->st.total, g->st.block.n, g->st.block.e, g->st.range.n, g->st.range.e};
        g->pub.n_regions = s->streaming ? g->n_streamed : g->regions.n;
        g->pub.regions = (const gt_region_summary *const *)g->regions.v;
        s->g_sorted[s->n_g_sorted++] = &g->pub;
    }
    qsort(s->g_sorted, s->n_g_sorted, sizeof *s->g_sorted, cmp_g_id);

    s->t_sorted = malloc((s->n_all_t ? s->n_all_t : 1) * sizeof *s->t_sorted);
    if (!s->t_sorted)
        return -1;
    for (size_t i = 0; i < s->n_all_t; i++) {
        tsum *t = s->all_t[i];
        if (live_task(s, t->pub.id) != t || s->before_window)
            continue;  /* replaced, or ended before the window */
        int64_t *ids = gt_arena_alloc(&s->arena, (t->goroutine_set.len + 1) * sizeof *ids);
        if (!ids)
            return -1;
        size_t n = 0;
        for (size_t j = 0; j < t->goroutine_set.cap; j++)
            if (t->goroutine_set.used[j])
                ids[n++] = (int64_t)t->goroutine_set.keys[j];
        qsort(ids, n, sizeof *ids, cmp_i64);
        t->pub.goroutines = ids;
        t->pub.n_goroutines = n;
        t->pub.children = t->children;
        t->pub.logs = t->logs;
        t->pub.n_regions = t->regions.n;
        t->pub.regions = (const gt_region_summary *const *)t->regions.v;
        s->t_sorted[s->n_t_sorted++] = &t->pub;
    }
    qsort(s->t_sorted, s->n_t_sorted, sizeof *s->t_sorted, cmp_t_id);
    return 0;
}

void gt_summary_free(gt_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_all_g; i++) {
        gsum *g = s->all_g[i];
        stats_free(&g->st);
        durmap_free(&g->last_range_time);
        free(g->active.v);
        free(g->regions.v);
    }
    for (size_t i = 0; i < s->n_all_t; i++) {
        tsum *t = s->all_t[i];
        free(t->children);
        free(t->logs);
        free(t->regions.v);
        gt_u64map_free(&t->goroutine_set);
    }
    for (size_t i = 0; i < s->n_all_r; i++)
        stats_free(&s->all_r[i]->own);
    free(s->all_r);
    free(s->all_g);
    free(s->all_t);
    gt_u64map_free(&s->gs);
    gt_u64map_free(&s->tasks);
    gt_u64map_free(&s->syscalling_p);
    gt_u64map_free(&s->syscalling_g);
    free(s->ranges_p);
    stats_free(&s->scratch);
    stats_free(&s->scratch2);
    free(s->g_sorted);
    free(s->t_sorted);
    gt_arena_free(&s->arena);
    gt_interner_free(&s->strings);
    free(s);
}

void gt_summary_stream_regions(gt_summary *s, gt_region_fn fn, void *ctx)
{
    s->streaming = 1;
    s->sink = fn;
    s->sink_ctx = ctx;
}

uint64_t gt_summary_streamed_dropped(const gt_summary *s) { return s->streamed_dropped; }

int64_t gt_summary_first_time(const gt_summary *s) { return s->first_ts; }
int64_t gt_summary_last_time(const gt_summary *s) { return s->last_ts; }
void gt_summary_span(const gt_summary *s, int64_t *start, int64_t *end)
{
    *start = s->has_window && s->win_from > s->first_ts ? s->win_from : s->first_ts;
    *end = s->last_ts;
}

int64_t gt_summary_last_sync_time(const gt_summary *s) { return s->last_sync_event_ts; }

size_t gt_summary_goroutine_count(const gt_summary *s) { return s->n_g_sorted; }

const gt_goroutine_summary *gt_summary_goroutine(const gt_summary *s, size_t i)
{
    return i < s->n_g_sorted ? s->g_sorted[i] : NULL;
}

const gt_goroutine_summary *gt_summary_find_goroutine(const gt_summary *s, int64_t id)
{
    if (!s->finalized)
        return NULL;
    gsum *g = find_g(s, id);
    return g ? &g->pub : NULL;
}

size_t gt_summary_task_count(const gt_summary *s) { return s->n_t_sorted; }

const gt_task_summary *gt_summary_task(const gt_summary *s, size_t i)
{
    return i < s->n_t_sorted ? s->t_sorted[i] : NULL;
}

const gt_task_summary *gt_summary_find_task(const gt_summary *s, uint64_t id)
{
    if (!s->finalized)
        return NULL;
    uint64_t *p = gt_u64map_get(&s->tasks, id);
    return p ? &((tsum *)(uintptr_t)*p)->pub : NULL;
}

int gt_summary_goroutine_times(const gt_summary *s, int64_t id, int64_t *start, int64_t *end)
{
    gsum *g = find_g(s, id);
    if (!g)
        return -1;
    *start = g->pub.start_time;
    *end = g->pub.end_time;
    return 0;
}

static int cmp_group(const void *a, const void *b)
{
    const gt_overview_group *x = a, *y = b;
    if (x->exec_time != y->exec_time)
        return x->exec_time < y->exec_time ? 1 : -1;
    return gt_str_cmp(x->name, y->name);
}

gt_overview_group *gt_summary_groups(const gt_summary *s, size_t *n)
{
    /* Names are interned in the summary's strings: equal names, equal
     * pointers. */
    gt_u64map index = GT_U64MAP_INIT;  /* name pointer -> group index + 1 */
    gt_overview_group *groups = calloc(s->n_g_sorted ? s->n_g_sorted : 1, sizeof *groups);
    size_t ng = 0;
    if (!groups)
        return NULL;
    for (size_t i = 0; i < s->n_g_sorted; i++) {
        const gt_goroutine_summary *g = s->g_sorted[i];
        int inserted;
        uint64_t *slot = gt_u64map_upsert(&index, (uint64_t)(uintptr_t)g->name.ptr, &inserted);
        if (!slot) {
            gt_u64map_free(&index);
            free(groups);
            return NULL;
        }
        if (inserted) {
            groups[ng] = (gt_overview_group){g->name, 0, 0};
            *slot = ++ng;
        }
        groups[*slot - 1].count++;
        groups[*slot - 1].exec_time += g->stats.exec_time;
    }
    gt_u64map_free(&index);
    qsort(groups, ng, sizeof *groups, cmp_group);
    *n = ng;
    return groups;
}
