/* Mutator utilisation and the MMU curve: Go 1.27's MutatorUtilizationV2,
 * NewMMUCurve, MMUCurve.MMU and MMUCurve.Examples (internal/trace/gc.go).
 *
 * The results must equal Go's to the last bit where possible, so the float
 * arithmetic is done in Go's order, and Go's container/heap is reproduced
 * operation for operation (the worst-window set depends on heap order).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/decoded.h"
#include "analysis/intern.h"
#include "common/hash.h"
#include "event/table.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"

typedef struct series {
    gt_mutator_util *u;
    size_t n, cap;
    double *sums;      /* sums[j]: integral of u up to u[j].time */
    struct band *bands;
    size_t nbands;
    int64_t band_dur;
} series;

typedef struct band {
    double min_util;
    double cum_util;   /* integral from the series start to the band's left edge */
    size_t pos;        /* integrator position at the left edge */
} band;

typedef struct perp {
    int gc;     /* > 0: GC work runs on this P */
    int series;
} perp;

typedef struct procs_count {
    int64_t time;
    int n;
} procs_count;

struct gt_mmu {
    unsigned flags;
    series *out;
    size_t nout, capout;
    perp *ps;
    size_t nps, capps;
    procs_count *procs;
    size_t nprocs, capprocs;
    int stw;
    int64_t nsync;
    /* goroutine -> its gt_go_state (G_STATE bits), G_IN_ASSIST while in a
     * mark assist, G_BG_MARK once a background mark worker: one map, so
     * that a transition costs one lookup (absent reads as 0 for all three,
     * as Go's three maps do). */
    gt_u64map gs;
    int seen_event;
    /* Old-format traces (seed_procs): seeded from the initial GOMAXPROCS
     * until a GOMAXPROCS metric comes; no_seed once seeded or a metric came. */
    int seeded, no_seed;
    int64_t last_time;
    int finished;
    /* The window (gotrace/window.h), on the trace clock from the first event. */
    int has_window, past_window;
    gt_window window;
    int64_t win_from, win_to;
};

gt_mmu *gt_mmu_new(unsigned flags)
{
    gt_mmu *m = calloc(1, sizeof *m);
    if (m)
        m->flags = flags;
    return m;
}

void gt_mmu_free(gt_mmu *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nout; i++) {
        free(m->out[i].u);
        free(m->out[i].sums);
        free(m->out[i].bands);
    }
    free(m->out);
    free(m->ps);
    free(m->procs);
    gt_u64map_free(&m->gs);
    free(m);
}

/* Go's addUtil: drop no-changes, keep the lowest value at one time. */
static int add_util(series *s, int64_t time, double util)
{
    if (s->n > 0) {
        gt_mutator_util *last = &s->u[s->n - 1];
        if (util == last->util)
            return 0;
        if (time == last->time) {
            if (util < last->util)
                *last = (gt_mutator_util){time, util};
            return 0;
        }
    }
    void *arr = s->u;
    if (gt_grow_array(&arr, &s->cap, s->n + 1, sizeof *s->u))
        return -1;
    s->u = arr;
    s->u[s->n++] = (gt_mutator_util){time, util};
    return 0;
}

static int new_series(gt_mmu *m, int64_t time)
{
    void *arr = m->out;
    if (gt_grow_array(&arr, &m->capout, m->nout + 1, sizeof *m->out))
        return -1;
    m->out = arr;
    memset(&m->out[m->nout], 0, sizeof m->out[0]);
    if (add_util(&m->out[m->nout], time, 1))
        return -1;
    m->nout++;
    return 0;
}

static int starts_with(gt_str s, const char *p)
{
    size_t n = strlen(p);
    return s.len >= n && !memcmp(s.ptr, p, n);
}

static int contains(gt_str s, const char *p)
{
    size_t n = strlen(p);
    for (size_t i = 0; i + n <= s.len; i++)
        if (!memcmp(s.ptr + i, p, n))
            return 1;
    return 0;
}

static int is_gc_stw(gt_str name) { return starts_with(name, "stop-the-world") && contains(name, "GC"); }
static int is_gc_mark_assist(gt_str name) { return gt_str_eq_cstr(name, "GC mark assist"); }
static int is_gc_sweep(gt_str name) { return gt_str_eq_cstr(name, "GC incremental sweep"); }

static int executing(uint64_t state) { return state == GT_GO_RUNNING || state == GT_GO_SYSCALL; }

enum { G_STATE = 0xff, G_IN_ASSIST = 1 << 8, G_BG_MARK = 1 << 9 };

static uint64_t g_bits(const gt_mmu *m, int64_t g)
{
    uint64_t *v = gt_u64map_get(&m->gs, (uint64_t)g);
    return v ? *v : 0;
}

/* g's bits, created as 0 when absent (as the map's upsert does); NULL when
 * memory runs out. */
static uint64_t *g_slot(gt_mmu *m, int64_t g) { return gt_u64map_upsert(&m->gs, (uint64_t)g, NULL); }

/* ps[ev.Proc()] — Go would crash on a P outside GOMAXPROCS; we skip it. */
static perp *proc_of(gt_mmu *m, const gt_event *ev)
{
    if (ev->proc < 0 || (uint64_t)ev->proc >= m->nps)
        return NULL;
    return &m->ps[ev->proc];
}

static int on_gomaxprocs(gt_mmu *m, int64_t time, int gomaxprocs)
{
    if (m->nps > (size_t)gomaxprocs) {
        if (m->flags & GT_UTIL_PER_PROC)
            for (size_t i = (size_t)gomaxprocs; i < m->nps; i++)
                if (add_util(&m->out[m->ps[i].series], time, 0))
                    return -1;
        m->nps = (size_t)gomaxprocs;
    }
    while (m->nps < (size_t)gomaxprocs) {
        int ser = 0;
        if ((m->flags & GT_UTIL_PER_PROC) || m->nout == 0) {
            ser = (int)m->nout;
            if (new_series(m, time))
                return -1;
        }
        void *arr = m->ps;
        if (gt_grow_array(&arr, &m->capps, m->nps + 1, sizeof *m->ps))
            return -1;
        m->ps = arr;
        m->ps[m->nps++] = (perp){0, ser};
    }
    if (m->nprocs == 0 || gomaxprocs != m->procs[m->nprocs - 1].n) {
        void *arr = m->procs;
        if (gt_grow_array(&arr, &m->capprocs, m->nprocs + 1, sizeof *m->procs))
            return -1;
        m->procs = arr;
        m->procs[m->nprocs++] = (procs_count){time, gomaxprocs};
    }
    return 0;
}

/* Old-format traces (Go 1.11-1.21) whose GOMAXPROCS never changes have no
 * GOMAXPROCS metric at all: Go 1.27's conversion drops their first
 * Gomaxprocs event, which ends the initial state, and adds a metric only for
 * the later ones (at the end of each stop-the-world). Go 1.27 then measures
 * nothing and its /mmu page fails; Go 1.21, which read the old events, began
 * its functions at that first Gomaxprocs. So do we, from the first event at
 * or after it, with the value it carried. A metric later in the trace undoes
 * the seed, whatever was measured (a full reset: Go 1.27 tracks no state
 * before its first metric), so that every trace Go 1.27 can measure keeps
 * Go 1.27's figures exactly. 0, or -1 when memory runs out. */
static int seed_procs(gt_mmu *m, const gt_event *ev)
{
    int64_t time;
    uint64_t procs;
    if (m->no_seed || !gt_event_initial_procs(ev, &time, &procs) || ev->time < time)
        return 0;
    m->no_seed = 1;
    if (procs == 0 || procs > INT32_MAX)
        return 0;
    m->seeded = 1;
    return on_gomaxprocs(m, time, (int)procs);
}

/* The first GOMAXPROCS metric of a seeded analysis: back to the state before
 * any event. */
static void unseed(gt_mmu *m)
{
    for (size_t i = 0; i < m->nout; i++)
        free(m->out[i].u);
    m->nout = m->nps = m->nprocs = 0;
    m->stw = 0;
    gt_u64map_free(&m->gs);
    m->seeded = 0;
}

/* A range found active at the trace start: take 1/GOMAXPROCS off everything
 * recorded so far (only the shared function needs fixing). */
static void fix_up_active_range(gt_mmu *m)
{
    if (m->flags & GT_UTIL_PER_PROC)
        return;
    series *s = &m->out[0];
    size_t mi = 0, pi = 0;
    while (mi < s->n) {
        if (pi + 1 < m->nprocs && m->procs[pi + 1].time < s->u[mi].time) {
            pi++;
            continue;
        }
        s->u[mi].util -= 1.0 / (double)m->procs[pi].n;
        if (s->u[mi].util < 0)
            s->u[mi].util = 0;
        mi++;
    }
}

static int on_range(gt_mmu *m, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return 0;
    int stw = (m->flags & GT_UTIL_STW) && is_gc_stw(r.name);
    int sweep = (m->flags & GT_UTIL_SWEEP) && is_gc_sweep(r.name);
    int assist = (m->flags & GT_UTIL_ASSIST) && is_gc_mark_assist(r.name);
    if (ev->kind == GT_EVENT_RANGE_ACTIVE) {
        /* After a full generation, active ranges only repeat what we know. */
        if (m->nsync > 1)
            return 0;
        /* Before it, an active range ran since the trace start: account for
         * the time missed, then treat it as a begin. */
        if (assist && executing(g_bits(m, ev->goroutine) & G_STATE))
            fix_up_active_range(m);
        else if (!assist && sweep)
            fix_up_active_range(m);
    }
    perp *p;
    if (ev->kind == GT_EVENT_RANGE_END) {
        if (stw)
            m->stw--;
        else if (sweep) {
            if ((p = proc_of(m, ev)))
                p->gc--;
        } else if (assist) {
            if ((p = proc_of(m, ev)))
                p->gc--;
            if (r.scope.kind == GT_RESOURCE_GOROUTINE && r.scope.id != GT_NO_GOROUTINE) {
                uint64_t *v = gt_u64map_get(&m->gs, (uint64_t)r.scope.id);
                if (v)
                    *v &= ~(uint64_t)G_IN_ASSIST;
            }
        }
        return 0;
    }
    if (stw)
        m->stw++;
    else if (sweep) {
        if ((p = proc_of(m, ev)))
            p->gc++;
    } else if (assist) {
        if ((p = proc_of(m, ev)))
            p->gc++;
        /* Go reads Scope.Goroutine() unchecked; a non-goroutine scope gives
         * NoGoroutine there. */
        if (r.scope.kind == GT_RESOURCE_GOROUTINE && r.scope.id != GT_NO_GOROUTINE) {
            uint64_t *v = g_slot(m, r.scope.id);
            if (!v)
                return -1;
            *v |= G_IN_ASSIST;
        }
    }
    return 0;
}

void gt_mmu_set_window(gt_mmu *m, const gt_window *w)
{
    if (w->from <= 0 && w->to == INT64_MAX)
        return;
    m->has_window = 1;
    m->window = *w;
}

int gt_mmu_event(gt_mmu *m, const gt_event *ev)
{
    gt_state_transition own;
    return gt_mmu_event_decoded(m, ev, gt_decode_transition(ev, &own));
}

int gt_mmu_event_decoded(gt_mmu *m, const gt_event *ev, const gt_state_transition *st)
{
    if (m->has_window) {
        if (!m->seen_event) {
            m->win_from = gt_window_at(ev->time, m->window.from);
            m->win_to = gt_window_at(ev->time, m->window.to);
        }
        if (ev->time > m->win_to) {
            if (!m->past_window)
                m->last_time = m->win_to;
            m->past_window = m->seen_event = 1;
            return 0;
        }
    }
    m->seen_event = 1;
    m->last_time = ev->time;
    if (ev->kind == GT_EVENT_SYNC) {
        gt_sync sy;
        if (!gt_event_sync(ev, &sy))
            m->nsync = sy.n;
    } else if (ev->kind == GT_EVENT_METRIC) {
        gt_metric mt;
        if (!gt_event_metric(ev, &mt) && gt_str_eq_cstr(mt.name, "/sched/gomaxprocs:threads")) {
            if (m->seeded)
                unseed(m);
            m->no_seed = 1;
            if (on_gomaxprocs(m, ev->time, (int)mt.value.u64))
                return -1;
        }
    }
    if (m->nps == 0 && seed_procs(m, ev))
        return -1;
    if (m->nps == 0)
        return 0;  /* nothing to measure before GOMAXPROCS is known */

    switch (ev->kind) {
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_END:
        if (on_range(m, ev))
            return -1;
        break;
    case GT_EVENT_STATE_TRANSITION: {
        if (!st || st->resource.kind != GT_RESOURCE_GOROUTINE)
            break;
        uint64_t *v = g_slot(m, st->resource.id);
        if (!v)
            return -1;
        if (*v & (G_IN_ASSIST | G_BG_MARK)) {
            perp *p = proc_of(m, ev);
            if (p && !executing((uint64_t)st->old_state) && executing((uint64_t)st->new_state))
                p->gc++;
            else if (p && executing((uint64_t)st->old_state) && !executing((uint64_t)st->new_state))
                p->gc--;
        }
        *v = (*v & ~(uint64_t)G_STATE) | ((uint64_t)st->new_state & G_STATE);
        break;
    }
    case GT_EVENT_LABEL: {
        gt_label l;
        if (gt_event_label(ev, &l) || !(m->flags & GT_UTIL_BACKGROUND))
            break;
        if (starts_with(l.label, "GC ") && !gt_str_eq_cstr(l.label, "GC (idle)")) {
            /* Dedicated workers empty their P: per P, they add no latency. */
            if (!((m->flags & GT_UTIL_PER_PROC) && gt_str_eq_cstr(l.label, "GC (dedicated)"))) {
                uint64_t *v = g_slot(m, ev->goroutine);
                if (!v)
                    return -1;
                *v |= G_BG_MARK;
                perp *p = proc_of(m, ev);
                if (p)
                    p->gc++;
            }
        }
        break;
    }
    default:
        break;
    }

    if (!(m->flags & GT_UTIL_PER_PROC)) {
        size_t gc_ps = 0;
        if (m->stw > 0)
            gc_ps = m->nps;
        else
            for (size_t i = 0; i < m->nps; i++)
                if (m->ps[i].gc > 0)
                    gc_ps++;
        return add_util(&m->out[0], ev->time, 1 - (double)gc_ps / (double)m->nps);
    }
    for (size_t i = 0; i < m->nps; i++) {
        double util = (m->stw > 0 || m->ps[i].gc > 0) ? 0.0 : 1.0;
        if (add_util(&m->out[m->ps[i].series], ev->time, util))
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- the curve */

typedef struct integrator {
    const series *u;
    size_t pos;  /* index of the current time's non-strict predecessor */
} integrator;

/* Integral of the utilisation from the series start to time; time must not
 * decrease between calls. */
static double advance(integrator *in, int64_t time)
{
    const gt_mutator_util *u = in->u->u;
    size_t n = in->u->n, pos = in->pos;
    enum { MAX_SEQ = 8 };
    if (pos + MAX_SEQ < n && u[pos + MAX_SEQ].time > time) {
        while (pos + 1 < n && u[pos + 1].time <= time)
            pos++;
    } else {
        size_t l = pos, r = n;
        while (l < r) {
            size_t h = (l + r) >> 1;
            if (u[h].time <= time)
                l = h + 1;
            else
                r = h;
        }
        pos = l - 1;
    }
    in->pos = pos;
    double partial = 0;
    if (time != u[pos].time)
        partial = u[pos].util * (double)(time - u[pos].time);
    return in->u->sums[pos] + partial;
}

static int64_t next_change(const integrator *in, int64_t time)
{
    for (size_t i = in->pos; i < in->u->n; i++)
        if (in->u->u[i].time > time)
            return in->u->u[i].time;
    return INT64_MAX;
}

static void band_time(const series *s, size_t i, int64_t *start, int64_t *end)
{
    *start = (int64_t)i * s->band_dur + s->u[0].time;
    *end = *start + s->band_dur;
}

enum { BANDS_PER_SERIES = 1000 };

static int build_series(series *s)
{
    s->sums = malloc(s->n * sizeof *s->sums);
    if (!s->sums)
        return -1;
    gt_mutator_util prev = {0, 0};
    double sum = 0;
    for (size_t j = 0; j < s->n; j++) {
        sum += prev.util * (double)(s->u[j].time - prev.time);
        s->sums[j] = sum;
        prev = s->u[j];
    }
    size_t nb = BANDS_PER_SERIES;
    if (nb > s->n)
        nb = s->n;
    int64_t dur = s->u[s->n - 1].time - s->u[0].time;
    s->band_dur = (dur + (int64_t)nb - 1) / (int64_t)nb;
    if (s->band_dur < 1)
        s->band_dur = 1;
    s->nbands = nb + 1;
    s->bands = malloc(s->nbands * sizeof *s->bands);
    if (!s->bands)
        return -1;
    integrator left = {s, 0};
    for (size_t i = 0; i < s->nbands; i++) {
        int64_t start, end;
        band_time(s, i, &start, &end);
        double cum = advance(&left, start);
        double min_util = 1.0;
        for (size_t k = left.pos; k < s->n && s->u[k].time < end; k++)
            min_util = fmin(min_util, s->u[k].util);
        s->bands[i] = (band){min_util, cum, left.pos};
    }
    return 0;
}

/* Restricts every function to the window: the value in effect at its
 * start begins there; a function that lasts (the shared one, or that of a P
 * still there) ends at the window's end, with a final 0 as Go ends one,
 * even where Go's would end at its last change (addUtil adds no final 0
 * after a 0); one that ended before the window (a P taken away) goes. */
static int clip_series(gt_mmu *m)
{
    unsigned char *live = calloc(m->nout ? m->nout : 1, 1);
    if (!live)
        return -1;
    for (size_t i = 0; i < m->nps; i++)
        live[m->ps[i].series] = 1;
    if (!(m->flags & GT_UTIL_PER_PROC) && m->nout)
        live[0] = 1;
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; i < m->nout; i++) {
        series *s = &m->out[i];
        if (s->n == 0 || (!live[i] && s->u[s->n - 1].time <= m->win_from)) {
            free(s->u);
            continue;
        }
        size_t k = 0;
        while (k + 1 < s->n && s->u[k + 1].time <= m->win_from)
            k++;
        if (s->u[k].time < m->win_from)
            s->u[k].time = m->win_from;
        if (k > 0) {
            memmove(s->u, s->u + k, (s->n - k) * sizeof *s->u);
            s->n -= k;
        }
        if (live[i] && s->u[s->n - 1].time < m->last_time) {
            void *arr = s->u;
            if (gt_grow_array(&arr, &s->cap, s->n + 1, sizeof *s->u))
                rc = -1;
            else
                s->u = arr, s->u[s->n++] = (gt_mutator_util){m->last_time, 0};
        }
        m->out[kept++] = *s;
    }
    m->nout = kept;
    free(live);
    return rc;
}

int gt_mmu_finish(gt_mmu *m)
{
    if (m->finished)
        return 0;
    m->finished = 1;
    if (!m->seen_event)
        return 0;
    for (size_t i = 0; i < m->nps; i++)
        if (add_util(&m->out[m->ps[i].series], m->last_time, 0))
            return -1;
    if (m->has_window && clip_series(m))
        return -1;
    for (size_t i = 0; i < m->nout; i++)
        if (build_series(&m->out[i]))
            return -1;
    return 0;
}

size_t gt_mmu_series_count(const gt_mmu *m) { return m->seen_event ? m->nout : 0; }

const gt_mutator_util *gt_mmu_series(const gt_mmu *m, size_t i, size_t *n)
{
    if (i >= gt_mmu_series_count(m)) {
        *n = 0;
        return NULL;
    }
    *n = m->out[i].n;
    return m->out[i].u;
}

void gt_mmu_bounds(const gt_mmu *m, int64_t *lo, int64_t *hi)
{
    *lo = *hi = 0;
    for (size_t i = 0; i < gt_mmu_series_count(m); i++) {
        const series *s = &m->out[i];
        if (i == 0 || s->u[0].time < *lo)
            *lo = s->u[0].time;
        if (i == 0 || s->u[s->n - 1].time > *hi)
            *hi = s->u[s->n - 1].time;
    }
}

/* Go's container/heap over a caller's array, with a less function. */
typedef struct heap {
    void *base;
    size_t elem, n;
    int (*less)(const void *a, const void *b);
} heap;

static void *heap_at(const heap *h, size_t i) { return (char *)h->base + i * h->elem; }

static void heap_swap(heap *h, size_t i, size_t j)
{
    unsigned char tmp[64];
    memcpy(tmp, heap_at(h, i), h->elem);
    memcpy(heap_at(h, i), heap_at(h, j), h->elem);
    memcpy(heap_at(h, j), tmp, h->elem);
}

static int heap_less(const heap *h, size_t i, size_t j) { return h->less(heap_at(h, i), heap_at(h, j)); }

static void heap_up(heap *h, size_t j)
{
    for (;;) {
        size_t i = j == 0 ? 0 : (j - 1) / 2;
        if (i == j || !heap_less(h, j, i))
            break;
        heap_swap(h, i, j);
        j = i;
    }
}

static int heap_down(heap *h, size_t i0, size_t n)
{
    size_t i = i0;
    for (;;) {
        size_t j1 = 2 * i + 1;
        if (j1 >= n)
            break;
        size_t j = j1;
        if (j1 + 1 < n && heap_less(h, j1 + 1, j1))
            j = j1 + 1;
        if (!heap_less(h, j, i))
            break;
        heap_swap(h, i, j);
        i = j;
    }
    return i > i0;
}

static void heap_init(heap *h)
{
    for (size_t i = h->n / 2; i-- > 0;)
        heap_down(h, i, h->n);
}

/* heap.Pop: moves the top to the end and shrinks; the element stays at
 * index h->n (the new length). */
static void heap_pop(heap *h)
{
    size_t n = h->n - 1;
    heap_swap(h, 0, n);
    heap_down(h, 0, n);
    h->n = n;
}

/* heap.Push of an element already stored at index h->n. */
static void heap_push(heap *h)
{
    h->n++;
    heap_up(h, h->n - 1);
}

static void heap_remove(heap *h, size_t i)
{
    size_t n = h->n - 1;
    if (n != i) {
        heap_swap(h, i, n);
        if (!heap_down(h, i, n))
            heap_up(h, i);
    }
    h->n = n;
}

typedef struct band_util {
    size_t series;
    size_t i;
    double bound;  /* lowest utilisation of any window starting in the band */
} band_util;

static int band_util_less(const void *a, const void *b)
{
    return ((const band_util *)a)->bound < ((const band_util *)b)->bound;
}

/* utilHeap: the root is the least bad of the kept windows. */
static int util_window_less(const void *a, const void *b)
{
    const gt_util_window *x = a, *y = b;
    if (x->util != y->util)
        return x->util > y->util;
    return x->time > y->time;
}

typedef struct accumulator {
    double mmu;
    double bound;
    size_t n_worst;
    gt_util_window *w;  /* n_worst + 1 slots */
    heap wheap;
} accumulator;

/* Go's accumulator.addMU without the distribution part; returns 1 when
 * further points cannot change the result. */
static int add_mu(accumulator *acc, int64_t time, double mu, int64_t window)
{
    if (mu < acc->mmu)
        acc->mmu = mu;
    acc->bound = acc->mmu;
    if (acc->n_worst == 0)
        return mu == 0;
    heap *h = &acc->wheap;
    if (h->n < acc->n_worst || mu < acc->w[0].util) {
        int keep = 0;
        for (size_t i = 0; i < h->n; i++) {
            gt_util_window ui = acc->w[i];
            if (time + window > ui.time && ui.time + window > time) {
                if (ui.util <= mu) {
                    keep = 1;  /* the overlapping window already kept is as bad */
                } else {
                    heap_remove(h, i);
                }
                break;
            }
        }
        if (!keep) {
            acc->w[h->n] = (gt_util_window){time, mu};
            heap_push(h);
            if (h->n > acc->n_worst)
                heap_pop(h);
        }
    }
    if (h->n < acc->n_worst)
        acc->bound = 1.0;
    else
        acc->bound = fmax(acc->bound, acc->w[0].util);
    return h->n == acc->n_worst && acc->w[0].util == 0;
}

static double mean(double total, int64_t dur) { return total / (double)dur; }

static band_util *mk_band_util(const series *c, size_t ser, int64_t window, band_util *out)
{
    int64_t min_bands = (window + c->band_dur - 1) / c->band_dur;
    int64_t max_bands = (window + 2 * (c->band_dur - 1)) / c->band_dur;
    int64_t tail_dur = window % c->band_dur;
    int64_t n_util = (int64_t)c->nbands - max_bands + 1;
    if (n_util < 0)
        n_util = 0;
    if (min_bands < 1 || max_bands < 1)
        n_util = 0;  /* Go would index out of range here (window 0) */
    for (int64_t i = 0; i < n_util; i++) {
        double util = 0;
        double l = c->bands[i].min_util;
        double r1 = c->bands[i + min_bands - 1].min_util;
        double r2 = c->bands[i + max_bands - 1].min_util;
        double min_band = fmin(l, fmin(r1, r2));
        if (min_bands == 1) {
            util += min_band * (double)window;
        } else {
            util += min_band * (double)c->band_dur;
            double mid_band = 0;
            if (min_band == l)
                mid_band = fmin(r1, r2);
            else if (min_band == r1)
                mid_band = fmin(l, r2);
            else if (min_band == r2)
                mid_band = fmin(l, r1);
            util += mid_band * (double)tail_dur;
        }
        if (min_bands > 2)
            util += c->bands[i + min_bands - 1].cum_util - c->bands[i + 1].cum_util;
        *out++ = (band_util){ser, (size_t)i, mean(util, window)};
    }
    return out;
}

static void band_mmu(const series *c, size_t band_idx, int64_t window, accumulator *acc)
{
    integrator left = {c, c->bands[band_idx].pos};
    integrator right = left;
    int64_t time, end_time;
    band_time(c, band_idx, &time, &end_time);
    int64_t util_end = c->u[c->n - 1].time - window;
    if (util_end < end_time)
        end_time = util_end;
    for (;;) {
        double mu = mean(advance(&right, time + window) - advance(&left, time), window);
        if (add_mu(acc, time, mu, window))
            break;
        if (time == end_time)
            break;
        /* The windowed function's slope is at most 1/window. */
        int64_t min_time = time + (int64_t)((mu - acc->bound) * (double)window);
        int64_t t1 = next_change(&left, time), t2 = next_change(&right, time + window);
        if (t2 != INT64_MAX)
            t2 -= window;
        else
            t2 = INT64_MAX - window;
        time = t1 < t2 ? t1 : t2;
        if (time < min_time)
            time = min_time;
        if (time >= end_time)
            time = end_time;
    }
}

static int run_mmu(gt_mmu *m, int64_t window, accumulator *acc)
{
    if (window <= 0) {
        acc->mmu = 0;
        return 0;
    }
    size_t ns = gt_mmu_series_count(m), total = 0;
    int64_t *windows = malloc((ns ? ns : 1) * sizeof *windows);
    if (!windows)
        return -1;
    for (size_t i = 0; i < ns; i++)
        total += m->out[i].nbands;
    band_util *bu = malloc((total ? total : 1) * sizeof *bu), *end = bu;
    if (!bu) {
        free(windows);
        return -1;
    }
    for (size_t i = 0; i < ns; i++) {
        const series *s = &m->out[i];
        int64_t max = s->u[s->n - 1].time - s->u[0].time;
        windows[i] = window > max ? max : window;
        end = mk_band_util(s, i, windows[i], end);
    }
    heap h = {bu, sizeof *bu, (size_t)(end - bu), band_util_less};
    heap_init(&h);
    while (h.n > 0 && bu[0].bound < acc->bound) {
        size_t i = bu[0].series;
        band_mmu(&m->out[i], bu[0].i, windows[i], acc);
        heap_pop(&h);
    }
    free(bu);
    free(windows);
    return 0;
}

double gt_mmu_at(gt_mmu *m, int64_t window)
{
    accumulator acc = {1.0, 1.0, 0, NULL, {NULL, sizeof(gt_util_window), 0, util_window_less}};
    if (run_mmu(m, window, &acc))
        return NAN;
    return acc.mmu;
}

int gt_mmu_mud(gt_mmu *m, int64_t window, const double *quantiles, size_t n, double *out)
{
    (void)quantiles;
    if (n == 0)
        return 0;
    /* Go's MUD runs the MMU search with a distribution attached, but its
     * addMU returns before the distribution part when no worst windows are
     * tracked, so the distribution stays empty and every quantile falls back
     * to the accumulator's MMU. Reproduced, not fixed: results must be Go's. */
    double mmu = gt_mmu_at(m, window);
    if (isnan(mmu))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = mmu;
    return 0;
}

static int cmp_worst(const void *a, const void *b)
{
    /* sort.Reverse(utilHeap): lowest utilisation first, then earliest. */
    if (util_window_less(a, b))
        return 1;
    if (util_window_less(b, a))
        return -1;
    return 0;
}

int64_t gt_mmu_worst(gt_mmu *m, int64_t window, size_t n, gt_util_window *out)
{
    if (n == 0)
        return 0;
    gt_util_window *w = malloc((n + 1) * sizeof *w);
    if (!w)
        return -1;
    accumulator acc = {1.0, 1.0, n, w, {w, sizeof *w, 0, util_window_less}};
    if (run_mmu(m, window, &acc)) {
        free(w);
        return -1;
    }
    size_t k = acc.wheap.n;
    qsort(w, k, sizeof *w, cmp_worst);
    memcpy(out, w, k * sizeof *w);
    free(w);
    return (int64_t)k;
}
