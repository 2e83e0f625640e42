/* Merging the per-P batches into one stream (Go 1.27's tracev1/order.go and
 * parseEventBatches).
 *
 * Events of one P are in order; the merge repeatedly takes, among the next
 * events of all Ps that are "ready" (their goroutine is in the state, and at
 * the sequence number, the event starts from), the one with the smallest
 * timestamp. This yields a consistent stream even when CPUs' clocks disagree.
 *
 * Determinism. Go visits Ps in map order and breaks timestamp ties in its
 * heap arbitrarily, so events of different Ps with equal timestamps come out
 * in varying order. We visit Ps by ascending P ID (CPU samples last, as Go),
 * and break ties by that same position: among ready events with equal
 * timestamps, the one of the lower P comes first.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "v1/internal.h"

enum { G_DEAD = 0, G_RUNNABLE, G_RUNNING, G_WAITING };

#define UNORDERED UINT64_MAX
#define GARBAGE (UINT64_MAX - 1)
#define NOSEQ UINT64_MAX
#define SEQINC (UINT64_MAX - 1)

typedef struct gstate { uint64_t seq; int status; } gstate;

/* stateTransition: the goroutine an event orders on, the state it needs
 * (init) and the state it leaves (next). */
static uint64_t state_transition(const v1_trace *t, const v1_event *ev, gstate *init, gstate *next)
{
    switch (ev->type) {
    case V1_EV_GO_CREATE:
        *init = (gstate){0, G_DEAD};
        *next = (gstate){1, G_RUNNABLE};
        return ev->a0;
    case V1_EV_GO_WAITING: case V1_EV_GO_IN_SYSCALL:
        *init = (gstate){1, G_RUNNABLE};
        *next = (gstate){2, G_WAITING};
        return ev->g;
    case V1_EV_GO_START: case V1_EV_GO_START_LABEL:
        *init = (gstate){ev->a1, G_RUNNABLE};
        *next = (gstate){ev->a1 + 1, G_RUNNING};
        return ev->g;
    case V1_EV_GO_START_LOCAL:
        /* Emitted on the P of the GoCreate/GoUnblock it follows, which is
         * therefore already merged: ready whatever the sequence. */
        *init = (gstate){NOSEQ, G_RUNNABLE};
        *next = (gstate){SEQINC, G_RUNNING};
        return ev->g;
    case V1_EV_GO_BLOCK: case V1_EV_GO_BLOCK_SEND: case V1_EV_GO_BLOCK_RECV: case V1_EV_GO_BLOCK_SELECT:
    case V1_EV_GO_BLOCK_SYNC: case V1_EV_GO_BLOCK_COND: case V1_EV_GO_BLOCK_NET: case V1_EV_GO_SLEEP:
    case V1_EV_GO_SYSBLOCK: case V1_EV_GO_BLOCK_GC:
        *init = (gstate){NOSEQ, G_RUNNING};
        *next = (gstate){NOSEQ, G_WAITING};
        return ev->g;
    case V1_EV_GO_SCHED: case V1_EV_GO_PREEMPT:
        *init = (gstate){NOSEQ, G_RUNNING};
        *next = (gstate){NOSEQ, G_RUNNABLE};
        return ev->g;
    case V1_EV_GO_UNBLOCK: case V1_EV_GO_SYSEXIT:
        *init = (gstate){ev->a1, G_WAITING};
        *next = (gstate){ev->a1 + 1, G_RUNNABLE};
        return ev->a0;
    case V1_EV_GO_UNBLOCK_LOCAL: case V1_EV_GO_SYSEXIT_LOCAL:
        *init = (gstate){NOSEQ, G_WAITING};
        *next = (gstate){SEQINC, G_RUNNABLE};
        return ev->a0;
    case V1_EV_GC_START:
        /* GCs are ordered by their sequence number, as a pseudo goroutine. */
        *init = (gstate){ev->a0, G_DEAD};
        *next = (gstate){ev->a0 + 1, G_DEAD};
        return GARBAGE;
    default:
        (void)t;
        *init = *next = (gstate){0, G_DEAD};
        return UNORDERED;
    }
}

typedef struct order_state {
    gt_u64map index;  /* goroutine -> index into states */
    gstate *states;
    size_t n, cap;
} order_state;

static gstate current(const order_state *s, uint64_t g)
{
    const uint64_t *i = gt_u64map_get(&s->index, g);
    return i ? s->states[*i] : (gstate){0, G_DEAD};
}

static int ready(uint64_t g, gstate curr, gstate init)
{
    return g == UNORDERED || ((init.seq == NOSEQ || init.seq == curr.seq) && init.status == curr.status);
}

/* 0, -1 (out of memory) or 1 (impossible transition). */
static int transition(order_state *s, uint64_t g, gstate init, gstate next)
{
    if (g == UNORDERED)
        return 0;
    gstate curr = current(s, g);
    if (!ready(g, curr, init))
        return 1;
    if (next.seq == NOSEQ)
        next.seq = curr.seq;
    else if (next.seq == SEQINC)
        next.seq = curr.seq + 1;
    gstate *r = v1_record(&s->index, (void **)&s->states, &s->n, &s->cap, sizeof *s->states, g);
    if (!r)
        return -1;
    *r = next;
    return 0;
}

/* The frontier: a binary min-heap on (timestamp, proc position). */
typedef struct front { v1_event ev; size_t proc; } front;

static int front_less(const front *a, const front *b)
{
    return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->proc < b->proc);
}

static void heap_push(front *h, size_t n, front x)
{
    size_t j = n;
    h[j] = x;
    while (j > 0) {
        size_t i = (j - 1) / 2;
        if (!front_less(&h[j], &h[i]))
            break;
        front tmp = h[i];
        h[i] = h[j];
        h[j] = tmp;
        j = i;
    }
}

static front heap_pop(front *h, size_t n)
{
    front top = h[0];
    h[0] = h[--n];
    size_t i = 0;
    for (;;) {
        size_t j = 2 * i + 1;
        if (j >= n)
            break;
        if (j + 1 < n && front_less(&h[j + 1], &h[j]))
            j++;
        if (!front_less(&h[j], &h[i]))
            break;
        front tmp = h[i];
        h[i] = h[j];
        h[j] = tmp;
        i = j;
    }
    return top;
}

static int cmp_pid(const void *a, const void *b)
{
    int32_t x = ((const v1_proc *)a)->pid, y = ((const v1_proc *)b)->pid;
    return (x > y) - (x < y);
}

/* Merges the streams into t->events. */
static int merge(v1_parser *p, v1_proc *procs, size_t nprocs, size_t *avail, front *heap)
{
    v1_trace *t = p->t;
    order_state st = {GT_U64MAP_INIT, NULL, 0, 0};
    size_t navail = nprocs, nheap = 0;
    int rc = 0;
    for (size_t i = 0; i < nprocs; i++)
        avail[i] = i;
    for (;;) {
        size_t i = 0;
        while (i < navail) {
            v1_proc *pr = &procs[avail[i]];
            int exhausted = 0;
            while (pr->pos == pr->n) {
                int r = v1_load_batch(p, pr);
                if (r < 0) {
                    rc = -1;
                    goto out;
                }
                if (r == 0) {
                    pr->done = 1;
                    avail[i] = avail[--navail];
                    exhausted = 1;
                    break;
                }
            }
            if (exhausted)
                continue;
            const v1_event *ev = &pr->evs[pr->pos];
            gstate init, next;
            uint64_t g = state_transition(t, ev, &init, &next);
            if (!ready(g, current(&st, g), init)) {
                i++;
                continue;
            }
            pr->pos++;
            heap_push(heap, nheap++, (front){*ev, avail[i]});
            avail[i] = avail[--navail];
        }
        if (nheap == 0) {
            for (size_t k = 0; k < nprocs; k++)
                if (!procs[k].done) {
                    rc = gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET,
                                      "no consistent ordering of events possible");
                    goto out;
                }
            break;
        }
        front f = heap_pop(heap, nheap--);
        gstate init, next;
        uint64_t g = state_transition(t, &f.ev, &init, &next);
        switch (f.ev.type) {
        case V1_EV_GO_START_LOCAL: f.ev.type = V1_EV_GO_START; break;
        case V1_EV_GO_UNBLOCK_LOCAL: f.ev.type = V1_EV_GO_UNBLOCK; break;
        case V1_EV_GO_SYSEXIT_LOCAL: f.ev.type = V1_EV_GO_SYSEXIT; break;
        default: break;
        }
        if (t->nevents >= t->capevents &&
            v1_grow((void **)&t->events, &t->capevents, t->nevents + 1, sizeof *t->events)) {
            rc = gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
            goto out;
        }
        t->events[t->nevents++] = f.ev;
        int tr = transition(&st, g, init, next);
        if (tr) {
            rc = tr < 0 ? gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory")
                        : gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET,
                                       "encountered impossible goroutine state transition");
            goto out;
        }
        avail[navail++] = f.proc;
    }
out:
    gt_u64map_free(&st.index);
    free(st.states);
    return rc;
}

/* A moved GoSysExit: its new time and its position before the move. */
typedef struct moved { int64_t ts; size_t orig, rank; v1_event ev; } moved;

static int cmp_moved(const void *a, const void *b)
{
    const moved *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return (x->orig > y->orig) - (x->orig < y->orig);
}

/* Gives GoSysExit events their real exit time (the last argument) and
 * re-sorts stably by time, as Go's sort.Stable does. Only the moved events
 * are out of place: they are taken out, sorted, and merged back in, which
 * needs memory for them only. */
static int fix_syscall_exits(v1_parser *p)
{
    v1_trace *t = p->t;
    gt_u64map last_block = GT_U64MAP_INIT;
    moved *mv = NULL;
    size_t nmv = 0, capmv = 0;
    int rc = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        v1_event *ev = &t->events[i];
        if (ev->type == V1_EV_GO_SYSBLOCK || ev->type == V1_EV_GO_IN_SYSCALL) {
            if (gt_u64map_put(&last_block, ev->g, (uint64_t)ev->ts))
                goto nomem;
        } else if (ev->type == V1_EV_GO_SYSEXIT) {
            int64_t ts = (int64_t)v1_a2(t, ev);
            if (ts == 0)
                continue;
            const uint64_t *b = gt_u64map_get(&last_block, ev->g);
            int64_t block = b ? (int64_t)*b : 0;
            if (block == 0) {
                rc = gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "stray syscall exit");
                goto out;
            }
            if (ts < block) {
                rc = gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "time stamps out of order");
                goto out;
            }
            if (ts == ev->ts)
                continue;
            if (v1_grow((void **)&mv, &capmv, nmv + 1, sizeof *mv))
                goto nomem;
            ev->ts = ts;
            mv[nmv++] = (moved){ts, i, 0, *ev};
            ev->type = V1_EV_NONE; /* mark: removed below */
        }
    }
    if (nmv == 0)
        goto out;
    /* Compact the unmoved events (still sorted), remembering for each moved
     * event how many unmoved ones preceded it: that is its tie-break rank. */
    size_t w = 0, k = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        if (k < nmv && mv[k].orig == i) {
            mv[k++].rank = w;
            continue;
        }
        t->events[w++] = t->events[i];
    }
    qsort(mv, nmv, sizeof *mv, cmp_moved);
    /* Merge from the back. Stable order: at equal times, an unmoved event at
     * compacted position q precedes a moved one of rank r iff q < r. */
    size_t a = w, m = nmv, out = t->nevents;
    while (m > 0) {
        const moved *x = &mv[m - 1];
        if (a > 0 && (t->events[a - 1].ts > x->ts || (t->events[a - 1].ts == x->ts && a - 1 >= x->rank))) {
            t->events[--out] = t->events[--a];
        } else {
            t->events[--out] = x->ev;
            m--;
        }
    }
    goto out;
nomem:
    rc = gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
out:
    gt_u64map_free(&last_block);
    free(mv);
    return rc;
}

/* The CPU samples are re-sorted by the time taken in the signal handler.
 * Go's sort is not stable; ties keep file order here. */
typedef struct sample_key { int64_t ts; size_t pos; } sample_key;

static int cmp_sample_key(const void *a, const void *b)
{
    const sample_key *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int sort_samples(v1_parser *p)
{
    if (p->ncpu < 2)
        return 0;
    v1_event *tmp = malloc(p->ncpu * sizeof *tmp);
    sample_key *keys = malloc(p->ncpu * sizeof *keys);
    if (!tmp || !keys) {
        free(tmp);
        free(keys);
        return gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    }
    for (size_t i = 0; i < p->ncpu; i++)
        keys[i] = (sample_key){p->cpu_samples[i].ts, i};
    qsort(keys, p->ncpu, sizeof *keys, cmp_sample_key);
    for (size_t i = 0; i < p->ncpu; i++)
        tmp[i] = p->cpu_samples[keys[i].pos];
    memcpy(p->cpu_samples, tmp, p->ncpu * sizeof *tmp);
    free(tmp);
    free(keys);
    return 0;
}

/* Go's float64 -> int64 conversion as amd64 does it: out of range and NaN
 * give the minimum (C leaves that undefined). */
static int64_t float_to_ts(double d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)d;
}

int v1_order(v1_parser *p)
{
    v1_trace *t = p->t;
    if (sort_samples(p))
        return -1;
    size_t nprocs = p->npids + 1;
    v1_proc *procs = calloc(nprocs, sizeof *procs);
    size_t *avail = calloc(nprocs, sizeof *avail);
    front *heap = calloc(nprocs, sizeof *heap);
    int rc = -1;
    if (!procs || !avail || !heap) {
        gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->npids; i++)
        procs[i].pid = p->pids[i].pid;
    qsort(procs, p->npids, sizeof *procs, cmp_pid);
    procs[p->npids] = (v1_proc){.pid = V1_PROFILE_P, .evs = p->cpu_samples, .n = p->ncpu};
    if (p->max_events && v1_grow((void **)&t->events, &t->capevents, p->max_events, sizeof *t->events)) {
        gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    if (merge(p, procs, nprocs, avail, heap))
        goto out;
    for (size_t i = 1; i < t->nevents; i++)
        if (t->events[i].ts < t->events[i - 1].ts) {
            gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "time stamps out of order");
            goto out;
        }
    if (fix_syscall_exits(p))
        goto out;
    if (t->ticks_per_sec == 0) {
        gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "no EvFrequency event");
        goto out;
    }
    if (t->nevents > 0) {
        /* Ticks to nanoseconds since the first event, in floating point as
         * Go does (no integer overflow); timers and syscall exits move to
         * their pseudo Ps. */
        uint64_t min_ts = (uint64_t)t->events[0].ts;
        double freq = 1e9 / (double)t->ticks_per_sec;
        for (size_t i = 0; i < t->nevents; i++) {
            v1_event *ev = &t->events[i];
            ev->ts = float_to_ts((double)(int64_t)((uint64_t)ev->ts - min_ts) * freq);
            if (ev->type == V1_EV_GO_UNBLOCK && gt_u64map_get(&t->timer_goids, ev->g))
                ev->p = V1_TIMER_P;
            if (ev->type == V1_EV_GO_SYSEXIT)
                ev->p = V1_SYSCALL_P;
        }
    }
    rc = 0;
out:
    if (procs)
        for (size_t i = 0; i < nprocs; i++)
            free(procs[i].buf);
    free(procs);
    free(avail);
    free(heap);
    return rc;
}
