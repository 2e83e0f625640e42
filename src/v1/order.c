/* Merging the per-P batches into one stream (Go 1.27's tracev1/order.go and
 * parseEventBatches).
 *
 * Events of one P are in order; the merge repeatedly takes, among the next
 * events of all Ps that are "ready" (their goroutine is in the state, and at
 * the sequence number, the event starts from), the one with the smallest
 * timestamp. This yields a consistent stream even when CPUs' clocks disagree.
 *
 * Equal timestamps. Go's frontier compares times only, so among ready
 * events of equal time the heap's shape decides, and that shape follows
 * from the exact sequence of pushes and pops, which follows from the order
 * in which Go scans its list of Ps. All three are reproduced here (merge),
 * so ties come out as Go's do. Go's first list of Ps comes from iterating
 * a map keyed by P ID, inserted in the order of each P's first batch in
 * the file, followed by the CPU samples' pseudo P. For up to 8 Ps, Go's
 * map is one group whose slots hold the Ps in insertion order and whose
 * iteration starts at a random slot: the Ps come in file order rotated,
 * and unrotated whenever that start is slot 0 or past the last P, which
 * is the most likely outcome. (The shared corpus's old traces have at most
 * 3 Ps and every rotation gives them the same output, hence Go's constant
 * output there; Go's own stress traces, with 7 to 10 Ps, do vary.) With
 * more than 8 Ps Go's order is random at every run. The rule here: Ps in
 * the order of their first batch in the file, CPU samples last.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/gosort.h"
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
    v1_index index;   /* goroutine -> index into states */
    gstate *states;
    size_t n, cap;
} order_state;

/* g's state; *idx1 = index + 1 of its record, 0 when it has none. */
static gstate current(order_state *s, uint64_t g, size_t *idx1)
{
    size_t i;
    if (!v1_index_get(&s->index, g, &i)) {
        *idx1 = 0;
        return (gstate){0, G_DEAD};
    }
    *idx1 = i + 1;
    return s->states[i];
}

static int ready(uint64_t g, gstate curr, gstate init)
{
    return g == UNORDERED || ((init.seq == NOSEQ || init.seq == curr.seq) && init.status == curr.status);
}

/* 0, -1 (out of memory) or 1 (impossible transition). idx1 is g's
 * record index + 1 when known (records are never removed), else 0. */
static int transition(order_state *s, uint64_t g, gstate init, gstate next, size_t idx1)
{
    if (g == UNORDERED)
        return 0;
    size_t i = idx1 - 1;
    int found = idx1 != 0 || v1_index_get(&s->index, g, &i);
    gstate curr = found ? s->states[i] : (gstate){0, G_DEAD};
    if (!ready(g, curr, init))
        return 1;
    if (next.seq == NOSEQ)
        next.seq = curr.seq;
    else if (next.seq == SEQINC)
        next.seq = curr.seq + 1;
    if (found) {
        s->states[i] = next;
        return 0;
    }
    gstate *r = gt_v1_record(&s->index.map, (void **)&s->states, &s->n, &s->cap, sizeof *s->states, g);
    if (!r)
        return -1;
    *r = next;
    return 0;
}

/* The frontier: a binary min-heap on time alone, pushed to and popped
 * from exactly as Go's orderEventList is. Equal times are not broken by
 * anything else, so which of two equal-time events leaves first is decided
 * by the heap's shape, itself the product of the whole sequence of pushes
 * and pops: reproducing that sequence reproduces Go's order. */
typedef struct front { int64_t ts; size_t proc; } front;

/* Appends x (the heap has n entries) and sifts it up. Moving the parents
 * down into the hole and writing x once where it stops gives the array
 * Go's swaps give. */
static void heap_push(front *h, size_t n, front x)
{
    size_t j = n;
    while (j > 0) {
        size_t i = (j - 1) / 2;
        if (!(x.ts < h[i].ts))
            break;
        h[j] = h[i];
        j = i;
    }
    h[j] = x;
}

/* Removes the least entry of the n: the last one takes the root's place
 * and sifts down, the right child winning only when strictly less (as
 * heap_push, through a hole). */
static front heap_pop(front *h, size_t n)
{
    front top = h[0], x = h[--n];
    size_t i = 0;
    for (;;) {
        size_t j = 2 * i + 1;
        if (j >= n)
            break;
        if (j + 1 < n && h[j + 1].ts < h[j].ts)
            j++;
        if (!(h[j].ts < x.ts))
            break;
        h[i] = h[j];
        i = j;
    }
    h[i] = x;
    return top;
}

/* Makes pr->cur the P's next event: 1, 0 when the P has no events left, -1
 * on error. The CPU samples' stream has its samples first, then whatever
 * batches its pseudo P has (none in a sane trace). */
static int next_of(v1_parser *p, v1_proc *pr)
{
    if (pr->has_cur)
        return 1;
    if (pr->spos < pr->nsamples) {
        const v1_sample *s = &pr->samples[pr->spos++];
        memset(&pr->cur, 0, sizeof pr->cur);
        pr->cur.type = V1_EV_CPU_SAMPLE;
        pr->cur.ts = s->ts;
        pr->cur.p = (int32_t)s->p;
        pr->cur.g = s->g;
        pr->cur.a1 = s->p;
        pr->cur.a2 = s->g;
        pr->cur.stk = s->stk;
        pr->has_cur = 1;
        return 1;
    }
    for (;;) {
        if (pr->in_batch) {
            int r = gt_v1_batch_next(p, pr, &pr->cur);
            if (r < 0)
                return -1;
            if (r > 0) {
                pr->has_cur = 1;
                return 1;
            }
            pr->in_batch = 0;
        }
        int r = gt_v1_load_batch(p, pr);
        if (r <= 0)
            return r;
    }
}

/* Where merged events go: the stream, with tracev1's checks on the merged
 * order. Go checks the whole merged order for time stamps going backwards
 * before it moves syscall exits, and the merge's own errors come first of
 * all; so these failures are only noted here and reported after the merge,
 * in that precedence. */
typedef struct sink {
    v1_coder enc;
    int64_t last_ts;
    int ts_backwards;          /* "time stamps out of order" in merge order */
    const char *exit_err;      /* first syscall exit failure */
    gt_u64map last_block;      /* g -> ticks of its last GoSysBlock/GoInSyscall */
} sink;

static int store(v1_parser *p, sink *k, const v1_event *ev)
{
    v1_trace *t = p->t;
    if (t->nevents > 0 && ev->ts < k->last_ts)
        k->ts_backwards = 1;
    k->last_ts = ev->ts;
    t->nevents++;
    if (k->ts_backwards || k->exit_err)
        return 0; /* the parse fails: nothing more to keep */
    if (ev->type == V1_EV_GO_SYSBLOCK || ev->type == V1_EV_GO_IN_SYSCALL) {
        if (gt_u64map_put(&k->last_block, ev->g, (uint64_t)ev->ts))
            return -1;
    } else if (ev->type == V1_EV_GO_SYSEXIT && ev->a2 != 0) {
        /* The exit's real time is its last argument (GoSysExitLocal's is
         * in a1 and stays unused, as in Go). */
        int64_t ts = (int64_t)ev->a2;
        const uint64_t *b = gt_u64map_get(&k->last_block, ev->g);
        int64_t block = b ? (int64_t)*b : 0;
        if (block == 0) {
            k->exit_err = "stray syscall exit";
            return 0;
        }
        if (ts < block) {
            k->exit_err = "time stamps out of order";
            return 0;
        }
        if (ts != ev->ts) {
            if (gt_v1_grow((void **)&t->moved, &t->capmoved, t->nmoved + 1, sizeof *t->moved))
                return -1;
            uint64_t rank = t->nevents - 1 - t->nmoved; /* stream entries so far */
            t->moved[t->nmoved] = (v1_moved){ts, rank, ev->g, ev->a1, ev->p};
            t->nmoved++;
            return 0;
        }
    }
    if (t->capstream - t->nstream < V1_MAX_ENTRY &&
        gt_v1_grow((void **)&t->stream, &t->capstream, t->nstream + V1_MAX_ENTRY, 1))
        return -1;
    t->nstream = (size_t)(gt_v1_encode(t->stream + t->nstream, ev, &k->enc) - t->stream);
    return 0;
}

/* The merge's view of a P's next event: its transition (computed once,
 * stateTransition being a pure function of the event). */
typedef struct pending { uint64_t g; gstate init, next; size_t idx1; } pending;

/* Whether pr's next event (decoded) can be ordered now; its transition
 * goes to *tr, with where g's state record was (see current). */
static int proc_ready(const v1_trace *t, order_state *st, const v1_proc *pr, pending *tr)
{
    tr->g = state_transition(t, &pr->cur, &tr->init, &tr->next);
    tr->idx1 = 0;
    return tr->g == UNORDERED || ready(tr->g, current(st, tr->g, &tr->idx1), tr->init);
}

/* Merges the streams into the sink by Go's loop: every round scans the Ps
 * not in the frontier (avail, in Go's order), pushing each whose next
 * event is ready and removing it from avail by moving avail's last entry
 * into its place, which is then looked at next; Ps with nothing left go
 * the same way, unpushed. The frontier's least event is then taken and its
 * P appended to avail. avail's order decides the order of pushes, hence
 * ties, so it is kept exactly as Go keeps it.
 *
 * One equivalence keeps a round cheap: after the first round every P of
 * avail but the one just taken was found waiting, and a waiting P's event
 * can only become ready when its goroutine's state changes; so only the
 * Ps waiting on the goroutine just ordered, and the P just taken (the only
 * one that may need a batch loaded), are looked at again. When the taken
 * event ordered no goroutine, that P, last in avail, is the only one. */
static int merge(v1_parser *p, v1_proc *procs, size_t nprocs, size_t *avail, front *heap, sink *k)
{
    static const order_state empty_state;
    order_state st = empty_state;
    pending *trs = calloc(nprocs, sizeof *trs);
    size_t navail = nprocs, nheap = 0;
    size_t taken = SIZE_MAX;   /* the P of the last event taken */
    uint64_t changed = 0;      /* the goroutine it ordered */
    int rc = 0;
    if (!trs) {
        rc = gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nprocs; i++)
        avail[i] = i;
    for (;;) {
        size_t i = taken != SIZE_MAX && changed == UNORDERED ? navail - 1 : 0;
        while (i < navail) {
            size_t q = avail[i];
            v1_proc *pr = &procs[q];
            if (taken != SIZE_MAX && q != taken && trs[q].g != changed) {
                i++;
                continue;
            }
            int r = next_of(p, pr);
            if (r < 0) {
                rc = -1;
                goto out;
            }
            if (r == 0) {
                pr->done = 1;
            } else if (proc_ready(p->t, &st, pr, &trs[q])) {
                heap_push(heap, nheap++, (front){pr->cur.ts, q});
            } else {
                i++;
                continue;
            }
            avail[i] = avail[--navail];
        }
        if (nheap == 0)
            break;
        taken = heap_pop(heap, nheap--).proc;
        v1_proc *pr = &procs[taken];
        v1_event *fev = &pr->cur;
        pending tr = trs[taken];
        switch (fev->type) {
        case V1_EV_GO_START_LOCAL: fev->type = V1_EV_GO_START; break;
        case V1_EV_GO_UNBLOCK_LOCAL: fev->type = V1_EV_GO_UNBLOCK; break;
        case V1_EV_GO_SYSEXIT_LOCAL: fev->type = V1_EV_GO_SYSEXIT; break;
        default: break;
        }
        if (store(p, k, fev)) {
            rc = gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
            goto out;
        }
        int bad = transition(&st, tr.g, tr.init, tr.next, tr.idx1);
        if (bad) {
            rc = bad < 0 ? gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory")
                         : gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET,
                                        "encountered impossible goroutine state transition");
            goto out;
        }
        pr->has_cur = 0;
        avail[navail++] = taken;
        changed = tr.g;
    }
    if (navail > 0)
        rc = gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "no consistent ordering of events possible");
out:
    gt_u64map_free(&st.index.map);
    free(st.states);
    free(trs);
    return rc;
}

static int moved_before(const v1_moved *x, const v1_moved *y)
{
    return x->ts < y->ts || (x->ts == y->ts && x->rank < y->rank);
}

/* Sorts the moved exits by (time, rank), stably (Go's sort.Stable over
 * the whole trace keeps equal ones in merge order, which is append order
 * here). A bottom-up merge sort; 0 or -1 (memory). */
static int sort_moved(v1_trace *t)
{
    size_t n = t->nmoved;
    if (n < 2)
        return 0;
    v1_moved *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    v1_moved *src = t->moved, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                dst[o++] = moved_before(&src[b], &src[a]) ? src[b++] : src[a++];
            while (a < mid)
                dst[o++] = src[a++];
            while (b < hi)
                dst[o++] = src[b++];
        }
        v1_moved *x = src;
        src = dst;
        dst = x;
    }
    if (src != t->moved)
        memcpy(t->moved, src, n * sizeof *src);
    free(tmp);
    return 0;
}

/* The CPU samples are re-sorted by the time taken in the signal handler,
 * with Go's own (unstable) sort, so that samples of equal time keep Go's
 * order too. */
static int cmp_sample_ts(const void *a, const void *b)
{
    int64_t x = ((const v1_sample *)a)->ts, y = ((const v1_sample *)b)->ts;
    return (x > y) - (x < y);
}

int gt_v1_order(v1_parser *p)
{
    v1_trace *t = p->t;
    gt_go_sort(p->cpu_samples, p->ncpu, sizeof *p->cpu_samples, cmp_sample_ts);
    size_t nprocs = p->npids + 1;
    v1_proc *procs = calloc(nprocs, sizeof *procs);
    size_t *avail = calloc(nprocs, sizeof *avail);
    front *heap = calloc(nprocs, sizeof *heap);
    sink k = {{0, 0, 0}, 0, 0, NULL, GT_U64MAP_INIT};
    int rc = -1;
    if (!procs || !avail || !heap) {
        gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->npids; i++)
        procs[i].pid = p->pids[i].pid;
    procs[p->npids] = (v1_proc){.pid = V1_PROFILE_P, .samples = p->cpu_samples, .nsamples = p->ncpu};
    /* Entries take about what the events took in the file: start there,
     * bounded by the input whatever the first pass counted. */
    size_t guess = t->len < (size_t)64 << 20 ? t->len : (size_t)64 << 20;
    if (guess && gt_v1_grow((void **)&t->stream, &t->capstream, guess, 1)) {
        gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    if (merge(p, procs, nprocs, avail, heap, &k))
        goto out;
    if (k.ts_backwards || k.exit_err) {
        gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "%s",
                     k.ts_backwards ? "time stamps out of order" : k.exit_err);
        goto out;
    }
    if (sort_moved(t)) {
        gt_error_set(p->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto out;
    }
    if (t->ticks_per_sec == 0) {
        gt_error_set(p->err, GT_ERR_INVALID, GT_NO_OFFSET, "no EvFrequency event");
        goto out;
    }
    if (t->nevents > 0) {
        /* Times become nanoseconds since the first event of the final
         * order, computed while reading (stream.c). */
        v1_iter it = V1_ITER_INIT;
        v1_event first;
        size_t pos;
        if (gt_v1_iter_next(t, &it, &first, &pos))
            t->min_ts = first.ts;
        t->ns_per_tick = 1e9 / (double)t->ticks_per_sec;
        t->ns_ready = 1;
    }
    rc = 0;
out:
    free(procs);
    free(avail);
    free(heap);
    gt_u64map_free(&k.last_block);
    return rc;
}
