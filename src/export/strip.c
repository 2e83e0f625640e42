/* The strip (gotrace/export.h): a trace downsampled to a bounded number of
 * time buckets per track, and the distributions of the timeline's
 * durations, from the timeline tracker's slices.
 *
 * The tracker's end callbacks carry the end time only, so the strip keeps
 * the begin of what is open on the tracks it uses: per P, the goroutine
 * running; per goroutine, its state slice and a stack of its open regions
 * (the tracker ends regions innermost first); per task, its begin; per band,
 * a depth and the begin of the outermost range. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/intern.h"
#include "common/hash.h"
#include "gotrace/export.h"

enum { N_BANDS = 2, N_COUNTERS = 2 };

typedef struct open_at {
    int64_t begin;
    int retro;
} open_at;

typedef struct g_open {
    open_at state;
    int has_state;
    open_at *regions;   /* stack, innermost last */
    size_t n_regions, cap_regions;
    uint32_t next_free; /* free list, index + 1 */
} g_open;

typedef struct p_track {
    int64_t id;
    gt_strip_bucket *b;
    int64_t begin;      /* of the goroutine running, when group_open */
    uint32_t group;
    int open;
} p_track;

typedef struct band {
    gt_strip_bucket *b;
    int depth;
    int64_t begin;
} band;

typedef struct counter {
    int64_t *max;       /* per bucket, -1: no sample */
    int64_t *last;
    int any;
} counter;

struct gt_strip {
    gt_tl *tl;
    uint32_t cap;       /* buckets allocated per track */
    int64_t start, width;
    int any, finished, closing;
    int64_t last_time;
    p_track *ps;
    size_t n_ps, cap_ps;
    gt_u64map p_index;          /* P -> index + 1 */
    uint64_t procs_dropped;
    gt_u64map group_index;      /* interned name pointer -> group + 1 */
    gt_str *groups;
    size_t n_groups, cap_groups;
    band bands[N_BANDS];
    counter counters[N_COUNTERS];
    int64_t g_counts[3];        /* running, runnable, waiting */
    int64_t g_pending_time;     /* their sum at this time is not sampled yet */
    int g_pending;
    g_open *gs;
    size_t n_gs, cap_gs;
    uint32_t free_gs;
    gt_u64map g_index;          /* goroutine -> index + 1 */
    gt_u64map task_begin;       /* task -> begin time + 1 ... see task_open */
    gt_u64map task_retro;       /* task -> retro flag */
    gt_strip_durations *durs;
    size_t n_durs, cap_durs;
    gt_u64map dur_index[5];     /* by kind: name pointer -> index + 1 */
};

static const char syscall_name[] = "syscall", no_name[] = "";

/* ------------------------------------------------------------ buckets */

/* Merges bucket pairs of every track until t falls into a bucket. */
static void add_to(gt_strip_bucket *b, uint32_t group, int64_t ns);

static void merge_buckets(gt_strip_bucket *b, uint32_t cap)
{
    for (uint32_t i = 0; i < cap / 2; i++) {
        gt_strip_bucket x = b[2 * i], y = b[2 * i + 1];
        b[i] = x;
        b[i].busy += y.busy;
        /* The majority votes of two halves combine as one vote. */
        if (y.group == x.group) {
            b[i].lead += y.lead;
        } else if (y.lead > x.lead) {
            b[i].group = y.group;
            b[i].lead = y.lead - x.lead;
        } else {
            b[i].lead = x.lead - y.lead;
        }
    }
    memset(b + cap / 2, 0, (cap - cap / 2) * sizeof *b);
}

static void merge_counter(counter *c, uint32_t cap)
{
    for (uint32_t i = 0; i < cap / 2; i++) {
        int64_t m0 = c->max[2 * i], m1 = c->max[2 * i + 1];
        int64_t l0 = c->last[2 * i], l1 = c->last[2 * i + 1];
        c->max[i] = m0 > m1 ? m0 : m1;
        c->last[i] = l1 >= 0 ? l1 : l0;
    }
    for (uint32_t i = cap / 2; i < cap; i++)
        c->max[i] = c->last[i] = -1;
}

static void reach(gt_strip *s, int64_t t)
{
    if (t < s->start)
        return;
    while ((t - s->start) / s->width >= (int64_t)s->cap) {
        for (size_t i = 0; i < s->n_ps; i++)
            merge_buckets(s->ps[i].b, s->cap);
        for (int i = 0; i < N_BANDS; i++)
            merge_buckets(s->bands[i].b, s->cap);
        for (int i = 0; i < N_COUNTERS; i++)
            merge_counter(&s->counters[i], s->cap);
        s->width *= 2;
    }
}

static void add_to(gt_strip_bucket *b, uint32_t group, int64_t ns)
{
    b->busy += ns;
    if (!group)
        return;
    if (b->group == group) {
        b->lead += ns;
    } else if (b->lead >= ns) {
        b->lead -= ns;
    } else {
        b->group = group;
        b->lead = ns - b->lead;
    }
}

/* Adds [from, to) to the buckets it covers. */
static void add_interval(gt_strip *s, gt_strip_bucket *b, uint32_t group, int64_t from, int64_t to)
{
    if (from < s->start)
        from = s->start;
    if (to <= from)
        return;
    reach(s, to - 1);
    int64_t i = (from - s->start) / s->width, last = (to - 1 - s->start) / s->width;
    for (; i <= last; i++) {
        int64_t lo = s->start + i * s->width, hi = lo + s->width;
        int64_t a = from > lo ? from : lo, e = to < hi ? to : hi;
        add_to(&b[i], group, e - a);
    }
}

/* ------------------------------------------------------------ records */

/* The track of P id, made when absent and make is set. NULL for a P beyond
 * GT_STRIP_MAX_PROCS (remembered with index 0, counted once) and, with
 * *nomem set, when memory runs out. */
static p_track *p_find(gt_strip *s, int64_t id, int make, int *nomem)
{
    uint64_t *v = gt_u64map_get(&s->p_index, (uint64_t)id);
    if (v)
        return *v ? &s->ps[*v - 1] : NULL;
    if (!make)
        return NULL;
    if (s->n_ps == GT_STRIP_MAX_PROCS) {
        s->procs_dropped++;
        *nomem = gt_u64map_put(&s->p_index, (uint64_t)id, 0) != 0;
        return NULL;
    }
    void *arr = s->ps;
    gt_strip_bucket *b = NULL;
    if (gt_grow_array(&arr, &s->cap_ps, s->n_ps + 1, sizeof *s->ps) || !(b = calloc(s->cap, sizeof *b)) ||
        gt_u64map_put(&s->p_index, (uint64_t)id, s->n_ps + 1)) {
        s->ps = arr;
        free(b);
        *nomem = 1;
        return NULL;
    }
    s->ps = arr;
    p_track *p = &s->ps[s->n_ps++];
    memset(p, 0, sizeof *p);
    p->id = id;
    p->b = b;
    return p;
}

static uint32_t group_of(gt_strip *s, int64_t goroutine, int *nomem)
{
    gt_str name = gt_tl_goroutine_name(s->tl, goroutine);
    int inserted;
    uint64_t *v = gt_u64map_upsert(&s->group_index, (uint64_t)(uintptr_t)name.ptr, &inserted);
    if (!v) {
        *nomem = 1;
        return 0;
    }
    if (inserted) {
        void *arr = s->groups;
        if (gt_grow_array(&arr, &s->cap_groups, s->n_groups + 1, sizeof *s->groups)) {
            gt_u64map_remove(&s->group_index, (uint64_t)(uintptr_t)name.ptr);
            *nomem = 1;
            return 0;
        }
        s->groups = arr;
        s->groups[s->n_groups++] = name;
        *v = s->n_groups;
    }
    return (uint32_t)*v;
}

static g_open *g_find(gt_strip *s, int64_t id, int make)
{
    uint64_t *v = gt_u64map_get(&s->g_index, (uint64_t)id);
    if (v)
        return &s->gs[*v - 1];
    if (!make)
        return NULL;
    uint32_t idx;
    if (s->free_gs) {
        idx = s->free_gs - 1;
        s->free_gs = s->gs[idx].next_free;
    } else {
        void *arr = s->gs;
        if (gt_grow_array(&arr, &s->cap_gs, s->n_gs + 1, sizeof *s->gs))
            return NULL;
        s->gs = arr;
        idx = (uint32_t)s->n_gs++;
        s->gs[idx].regions = NULL;
        s->gs[idx].cap_regions = 0;
    }
    if (gt_u64map_put(&s->g_index, (uint64_t)id, idx + 1)) {
        s->gs[idx].next_free = s->free_gs;
        s->free_gs = idx + 1;
        return NULL;
    }
    g_open *g = &s->gs[idx];
    g->has_state = 0;
    g->n_regions = 0;
    g->next_free = 0;
    return g;
}

static void g_forget(gt_strip *s, int64_t id)
{
    uint64_t *v = gt_u64map_get(&s->g_index, (uint64_t)id);
    if (!v)
        return;
    uint32_t idx = (uint32_t)(*v - 1);
    gt_u64map_remove(&s->g_index, (uint64_t)id);
    s->gs[idx].next_free = s->free_gs;
    s->free_gs = idx + 1;
}

/* ----------------------------------------------------------- durations */

int gt_strip_hist_bucket(int64_t d)
{
    if (d <= 0)
        return 0;
    int b = (int)(log((double)d) / log(pow(10, 1.0 / 5)));
    return b < GT_STRIP_HIST_BUCKETS ? b : GT_STRIP_HIST_BUCKETS - 1;
}

int64_t gt_strip_hist_bucket_min(int i)
{
    if (i <= 0)
        return 0;
    double v = exp((double)i * log(pow(10, 1.0 / 5)));
    return v >= 9.2e18 ? INT64_MAX : (int64_t)v;
}

static int add_duration(gt_strip *s, gt_strip_dur_kind kind, gt_str name, int64_t start, int64_t d,
                        int64_t goroutine, uint64_t task)
{
    int inserted;
    uint64_t *v = gt_u64map_upsert(&s->dur_index[kind], (uint64_t)(uintptr_t)name.ptr, &inserted);
    if (!v)
        return -1;
    if (inserted) {
        void *arr = s->durs;
        if (gt_grow_array(&arr, &s->cap_durs, s->n_durs + 1, sizeof *s->durs)) {
            gt_u64map_remove(&s->dur_index[kind], (uint64_t)(uintptr_t)name.ptr);
            return -1;
        }
        s->durs = arr;
        gt_strip_durations *n = &s->durs[s->n_durs++];
        memset(n, 0, sizeof *n);
        n->kind = kind;
        n->name = name;
        *v = s->n_durs;
    }
    gt_strip_durations *h = &s->durs[*v - 1];
    if (d < 0)
        d = 0;
    h->count++;
    h->total += d;
    if (d > h->max)
        h->max = d;
    h->buckets[gt_strip_hist_bucket(d)]++;
    /* The longest few, longest first; the earlier of equal ones first. */
    size_t k = h->n_slowest;
    if (k == GT_STRIP_SLOWEST && h->slowest[k - 1].duration >= d)
        return 0;
    if (k < GT_STRIP_SLOWEST)
        h->n_slowest++;
    else
        k--;
    while (k > 0 && h->slowest[k - 1].duration < d) {
        h->slowest[k] = h->slowest[k - 1];
        k--;
    }
    h->slowest[k] = (gt_strip_instance){start, d, goroutine, task};
    return 0;
}

/* -------------------------------------------------------------- sink */

static int band_of(const gt_tl_slice *sl)
{
    if (sl->kind != GT_TL_RANGE)
        return -1;
    if (sl->name.len == 24 && !memcmp(sl->name.ptr, "GC concurrent mark phase", 24))
        return GT_STRIP_GC;
    if (sl->name.len >= 14 && !memcmp(sl->name.ptr, "stop-the-world", 14))
        return GT_STRIP_STW;
    return -1;
}

static int on_begin(void *ctx, const gt_tl_slice *sl)
{
    gt_strip *s = ctx;
    reach(s, sl->time);
    open_at at = {sl->time, sl->retro};
    int nomem = 0;
    switch (sl->kind) {
    case GT_TL_PROC_RUNS: {
        p_track *p = p_find(s, sl->track.id, 1, &nomem);
        if (p) {
            p->open = 1;
            p->begin = sl->time;
            p->group = group_of(s, sl->goroutine, &nomem);
        }
        break;
    }
    case GT_TL_RUNNING:
    case GT_TL_RUNNABLE:
    case GT_TL_WAITING:
    case GT_TL_SYSCALL: {
        g_open *g = g_find(s, sl->track.id, 1);
        if (!g)
            return -1;
        g->state = at;
        g->has_state = 1;
        break;
    }
    case GT_TL_REGION: {
        g_open *g = g_find(s, sl->track.id, 1);
        if (!g)
            return -1;
        void *arr = g->regions;
        if (gt_grow_array(&arr, &g->cap_regions, g->n_regions + 1, sizeof *g->regions))
            return -1;
        g->regions = arr;
        g->regions[g->n_regions++] = at;
        break;
    }
    case GT_TL_TASK:
        if (gt_u64map_put(&s->task_begin, (uint64_t)sl->track.id, (uint64_t)sl->time) ||
            gt_u64map_put(&s->task_retro, (uint64_t)sl->track.id, (uint64_t)sl->retro))
            return -1;
        break;
    case GT_TL_RANGE: {
        int b = band_of(sl);
        if (b >= 0 && s->bands[b].depth++ == 0)
            s->bands[b].begin = sl->time;
        break;
    }
    default:
        break;
    }
    return nomem ? -1 : 0;
}

static int on_end(void *ctx, const gt_tl_slice *sl)
{
    gt_strip *s = ctx;
    reach(s, sl->time);
    switch (sl->kind) {
    case GT_TL_PROC_RUNS: {
        int nomem = 0;
        p_track *p = p_find(s, sl->track.id, 0, &nomem);
        if (p && p->open) {
            add_interval(s, p->b, p->group, p->begin, sl->time);
            p->open = 0;
        }
        break;
    }
    case GT_TL_RUNNING:
    case GT_TL_RUNNABLE:
    case GT_TL_WAITING:
    case GT_TL_SYSCALL: {
        g_open *g = g_find(s, sl->track.id, 0);
        if (!g || !g->has_state)
            break;
        g->has_state = 0;
        if (g->state.retro || s->closing || sl->kind == GT_TL_RUNNING)
            break;
        gt_str name = sl->name;
        gt_strip_dur_kind kind = GT_STRIP_BLOCK;
        if (sl->kind == GT_TL_RUNNABLE)
            kind = GT_STRIP_SCHED, name = (gt_str){no_name, 0};
        else if (sl->kind == GT_TL_SYSCALL)
            name = (gt_str){syscall_name, sizeof syscall_name - 1};
        return add_duration(s, kind, name, g->state.begin, sl->time - g->state.begin, sl->track.id, 0);
    }
    case GT_TL_REGION: {
        g_open *g = g_find(s, sl->track.id, 0);
        if (!g || !g->n_regions)
            break;
        open_at at = g->regions[--g->n_regions];
        if (at.retro || s->closing)
            break;
        return add_duration(s, GT_STRIP_REGION, sl->name, at.begin, sl->time - at.begin, sl->track.id, sl->task);
    }
    case GT_TL_TASK: {
        uint64_t *b = gt_u64map_get(&s->task_begin, (uint64_t)sl->track.id);
        uint64_t *r = gt_u64map_get(&s->task_retro, (uint64_t)sl->track.id);
        if (!b || !r)
            break;
        int64_t begin = (int64_t)*b;
        int retro = (int)*r;
        gt_u64map_remove(&s->task_begin, (uint64_t)sl->track.id);
        gt_u64map_remove(&s->task_retro, (uint64_t)sl->track.id);
        if (retro || s->closing)
            break;
        return add_duration(s, GT_STRIP_TASK, sl->name, begin, sl->time - begin, GT_NO_GOROUTINE,
                            (uint64_t)sl->track.id);
    }
    case GT_TL_RANGE: {
        int b = band_of(sl);
        if (b >= 0 && s->bands[b].depth > 0 && --s->bands[b].depth == 0)
            add_interval(s, s->bands[b].b, 0, s->bands[b].begin, sl->time);
        break;
    }
    default:
        break;
    }
    return 0;
}

static void sample(gt_strip *s, counter *c, int64_t t, int64_t v)
{
    if (t < s->start)
        t = s->start;
    reach(s, t);
    size_t i = (size_t)((t - s->start) / s->width);
    if (v > c->max[i])
        c->max[i] = v;
    c->last[i] = v;
    c->any = 1;
}

static void goroutines_sample(gt_strip *s)
{
    sample(s, &s->counters[GT_STRIP_GOROUTINES], s->g_pending_time, s->g_counts[0] + s->g_counts[1] + s->g_counts[2]);
    s->g_pending = 0;
}

static int on_counter(void *ctx, const gt_tl_counter *c)
{
    gt_strip *s = ctx;
    static const char heap[] = "/memory/classes/heap/objects:bytes";
    switch (c->kind) {
    case GT_TL_METRIC:
        if (c->name.len == sizeof heap - 1 && !memcmp(c->name.ptr, heap, sizeof heap - 1))
            sample(s, &s->counters[GT_STRIP_HEAP], c->time, c->value);
        return 0;
    case GT_TL_GOROUTINES_RUNNING:
    case GT_TL_GOROUTINES_RUNNABLE:
    case GT_TL_GOROUTINES_WAITING:
        /* The tracker reports the counts that changed one after another at
         * one time: their sum is sampled once all of that time's are in. */
        if (s->g_pending && c->time != s->g_pending_time)
            goroutines_sample(s);
        s->g_counts[c->kind - GT_TL_GOROUTINES_RUNNING] = c->value;
        s->g_pending = 1;
        s->g_pending_time = c->time;
        return 0;
    default:
        return 0;
    }
}

static int on_retire(void *ctx, const gt_tl_track *t)
{
    gt_strip *s = ctx;
    if (t->kind == GT_TL_TRACK_GOROUTINE)
        g_forget(s, t->id);
    return 0;
}

/* ---------------------------------------------------------------- API */

gt_strip *gt_strip_new(uint32_t buckets)
{
    if (buckets < 2)
        buckets = 2;
    if (buckets > 65536)
        buckets = 65536;
    buckets &= ~1u;  /* merged in pairs */
    gt_strip *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = buckets;
    s->width = 1;
    gt_tl_sink sink = {s, on_begin, on_end, NULL, on_counter, on_retire};
    s->tl = gt_tl_new(&sink);
    int bad = !s->tl;
    for (int i = 0; i < N_BANDS && !bad; i++)
        bad = !(s->bands[i].b = calloc(buckets, sizeof *s->bands[i].b));
    for (int i = 0; i < N_COUNTERS && !bad; i++) {
        counter *c = &s->counters[i];
        bad = !(c->max = malloc(buckets * sizeof *c->max)) || !(c->last = malloc(buckets * sizeof *c->last));
        for (uint32_t k = 0; !bad && k < buckets; k++)
            c->max[k] = c->last[k] = -1;
    }
    if (bad) {
        gt_strip_free(s);
        return NULL;
    }
    return s;
}

void gt_strip_free(gt_strip *s)
{
    if (!s)
        return;
    gt_tl_free(s->tl);
    for (size_t i = 0; i < s->n_ps; i++)
        free(s->ps[i].b);
    free(s->ps);
    gt_u64map_free(&s->p_index);
    gt_u64map_free(&s->group_index);
    free(s->groups);
    for (int i = 0; i < N_BANDS; i++)
        free(s->bands[i].b);
    for (int i = 0; i < N_COUNTERS; i++) {
        free(s->counters[i].max);
        free(s->counters[i].last);
    }
    for (size_t i = 0; i < s->n_gs; i++)
        free(s->gs[i].regions);
    free(s->gs);
    gt_u64map_free(&s->g_index);
    gt_u64map_free(&s->task_begin);
    gt_u64map_free(&s->task_retro);
    free(s->durs);
    for (int i = 0; i < 5; i++)
        gt_u64map_free(&s->dur_index[i]);
    free(s);
}

int gt_strip_event(gt_strip *s, const gt_event *ev)
{
    if (!s->any) {
        s->any = 1;
        s->start = ev->time;
    }
    s->last_time = ev->time;
    reach(s, ev->time);
    return gt_tl_event(s->tl, ev) ? -1 : 0;
}

int gt_strip_finish(gt_strip *s)
{
    if (s->finished)
        return 0;
    s->finished = 1;
    s->closing = 1;
    if (s->any && gt_tl_close(s->tl, s->last_time))
        return -1;
    if (s->g_pending)
        goroutines_sample(s);
    /* Counters: the value in force entering a bucket counts in it. */
    uint32_t n = gt_strip_bucket_count(s);
    for (int i = 0; i < N_COUNTERS; i++) {
        counter *c = &s->counters[i];
        int64_t carry = -1;
        for (uint32_t k = 0; k < n; k++) {
            int64_t last = c->last[k];
            if (carry > c->max[k])
                c->max[k] = carry;
            if (last >= 0)
                carry = last;
        }
    }
    /* P tracks by ID. */
    for (size_t i = 1; i < s->n_ps; i++)
        for (size_t k = i; k > 0 && s->ps[k - 1].id > s->ps[k].id; k--) {
            p_track t = s->ps[k];
            s->ps[k] = s->ps[k - 1];
            s->ps[k - 1] = t;
        }
    return 0;
}

int64_t gt_strip_start(const gt_strip *s) { return s->start; }
int64_t gt_strip_bucket_ns(const gt_strip *s) { return s->width; }

uint32_t gt_strip_bucket_count(const gt_strip *s)
{
    if (!s->any)
        return 0;
    return (uint32_t)((s->last_time - s->start) / s->width + 1);
}

size_t gt_strip_proc_count(const gt_strip *s) { return s->n_ps; }

const gt_strip_bucket *gt_strip_proc(const gt_strip *s, size_t i, int64_t *proc)
{
    if (i >= s->n_ps)
        return NULL;
    if (proc)
        *proc = s->ps[i].id;
    return s->ps[i].b;
}

uint64_t gt_strip_procs_dropped(const gt_strip *s) { return s->procs_dropped; }
size_t gt_strip_group_count(const gt_strip *s) { return s->n_groups; }

gt_str gt_strip_group_name(const gt_strip *s, size_t i)
{
    return i < s->n_groups ? s->groups[i] : (gt_str){"", 0};
}

const gt_strip_bucket *gt_strip_band(const gt_strip *s, gt_strip_band_kind b)
{
    return (int)b >= 0 && (int)b < N_BANDS ? s->bands[b].b : NULL;
}

const int64_t *gt_strip_counter(const gt_strip *s, gt_strip_counter_kind c)
{
    return (int)c >= 0 && (int)c < N_COUNTERS && s->counters[c].any ? s->counters[c].max : NULL;
}

size_t gt_strip_durations_count(const gt_strip *s) { return s->n_durs; }

const gt_strip_durations *gt_strip_durations_at(const gt_strip *s, size_t i)
{
    return i < s->n_durs ? &s->durs[i] : NULL;
}
