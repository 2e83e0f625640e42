/* The consistency pass over the merged old trace: Go 1.27's
 * tracev1 postProcessTrace, with its messages. It also attributes GC starts
 * to the GC pseudo-P and network unblocks to the netpoll pseudo-P, and drops
 * references to stacks that do not exist.
 *
 * Goroutine and P states live in maps whose "present" bit matters: Go only
 * stores a state back on some paths, and "g N already exists" asks whether a
 * goroutine was ever stored. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "v1/internal.h"

enum { G_DEAD = 0, G_RUNNABLE, G_RUNNING, G_WAITING };

/* Go's gdesc, with the event pointers it consults reduced to what is read. */
typedef struct gdesc {
    uint8_t state;
    uint8_t ev_type;       /* type of g.ev (the last wakeup/block), 0 = none */
    uint8_t has_create;    /* evCreate set: the next start takes its stack */
    uint8_t in_assist;     /* evMarkAssist set */
    uint32_t create_stack;
    uint64_t syscall_pos1; /* stream offset + 1 of its GoSysCall while that is
                            * its last event (0: none) */
} gdesc;

typedef struct pdesc {
    uint8_t running;
    uint8_t sweeping;
    uint64_t g;
} pdesc;

/* Region stacks per goroutine, as linked entries in one array; each keeps
 * a copy of its start event (for the comparison and Go's message). */
typedef struct region { v1_event ev; size_t below; } region;

typedef struct checker {
    v1_trace *t;
    gt_error *err;
    v1_index g_index;   /* goroutine -> index into gs */
    gdesc *gs;
    size_t ngs, capgs;
    v1_index p_index;   /* (uint32)P -> index into ps */
    pdesc *ps;
    size_t nps, capps;
    gt_u64map tasks;    /* task id -> index into task_evs + 1 (0: ended) */
    size_t live_tasks;
    v1_event *task_evs; /* the live tasks' create events; ended ones reused */
    size_t ntask_evs, captask_evs;
    size_t *free_task_evs;
    size_t nfree_task_evs, capfree_task_evs;
    size_t npending;    /* goroutines with syscall_pos1 set */
    gt_u64map regions;  /* goroutine -> top region index + 1 (0: none) */
    region *rs;         /* entries; popped ones are reused */
    size_t nrs, caprs;
    size_t free_rs;     /* first reusable entry + 1, chained by below */
} checker;

static inline gdesc get_g(checker *c, uint64_t g)
{
    size_t i;
    return v1_index_get(&c->g_index, g, &i) ? c->gs[i] : (gdesc){0};
}

static int has_g(checker *c, uint64_t g)
{
    size_t i;
    return v1_index_get(&c->g_index, g, &i);
}

static inline int put_g(checker *c, uint64_t g, gdesc d)
{
    gdesc *r = v1_index_record(&c->g_index, (void **)&c->gs, &c->ngs, &c->capgs, sizeof *c->gs, g);
    if (!r)
        return -1;
    *r = d;
    return 0;
}

static inline pdesc get_p(checker *c, int32_t p)
{
    size_t i;
    return v1_index_get(&c->p_index, (uint32_t)p, &i) ? c->ps[i] : (pdesc){0};
}

static inline int put_p(checker *c, int32_t p, pdesc d)
{
    pdesc *r = v1_index_record(&c->p_index, (void **)&c->ps, &c->nps, &c->capps, sizeof *c->ps, (uint32_t)p);
    if (!r)
        return -1;
    *r = d;
    return 0;
}

/* The pass reads times in ticks (it compares none); messages show them in
 * nanoseconds, as Go's do. */
static int64_t ns(const checker *c, const v1_event *ev) { return gt_v1_ticks_to_ns(c->t, ev->ts); }

/* ev with its time in nanoseconds, for Event.String(). */
static v1_event in_ns(const checker *c, const v1_event *ev)
{
    v1_event e = *ev;
    e.ts = ns(c, ev);
    return e;
}

static int bad(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gt_error_vset(c->err, GT_ERR_INVALID, GT_NO_OFFSET, fmt, ap);
    va_end(ap);
    return -1;
}

static int check_running(checker *c, pdesc p, gdesc g, const v1_event *ev, int allow_g0)
{
    const char *name = gt_v1_descs[ev->type].name;
    if (g.state != G_RUNNING)
        return bad(c, "g %" PRIu64 " is not running while %s (time %" PRId64 ")", ev->g, name, ns(c, ev));
    if (p.g != ev->g)
        return bad(c, "p %" PRId32 " is not running g %" PRIu64 " while %s (time %" PRId64 ")", ev->p, ev->g, name,
                   ns(c, ev));
    if (!allow_g0 && ev->g == 0)
        return bad(c, "g 0 did %s (time %" PRId64 ")", name, ns(c, ev));
    return 0;
}

/* Go's %q of an old event (its String(), quoted: plain ASCII). */
static int bad_events(checker *c, const char *fmt, uint64_t id, const v1_event *a, const v1_event *b)
{
    char sa[256], sb[256];
    v1_event e = in_ns(c, a);
    gt_v1_event_string(c->t, &e, sa, sizeof sa);
    if (b) {
        e = in_ns(c, b);
        gt_v1_event_string(c->t, &e, sb, sizeof sb);
    }
    return bad(c, fmt, id, sa, b ? sb : "");
}

/* Returns region entries from top + 1 down to the stack's bottom to the
 * free list. */
static void free_regions(checker *c, size_t top)
{
    while (top) {
        size_t below = c->rs[top - 1].below;
        c->rs[top - 1].below = c->free_rs;
        c->free_rs = top;
        top = below;
    }
}

/* ev as the trace keeps it once checked: without a missing stack. */
static v1_event checked_copy(const checker *c, const v1_event *ev)
{
    v1_event e = *ev;
    if (e.stk != 0 && !gt_v1_stack_exists(c->t, e.stk))
        e.stk = 0;
    return e;
}

static int push_region(checker *c, uint64_t g, const v1_event *ev, size_t below)
{
    size_t i;
    if (c->free_rs) {
        i = c->free_rs - 1;
        c->free_rs = c->rs[i].below;
    } else {
        if (gt_v1_grow((void **)&c->rs, &c->caprs, c->nrs + 1, sizeof *c->rs))
            return -1;
        i = c->nrs++;
    }
    c->rs[i] = (region){checked_copy(c, ev), below};
    return gt_u64map_put(&c->regions, g, i + 1);
}

static int step(checker *c, v1_event *ev, size_t type_pos, int *in_gc, int *in_stw)
{
    v1_trace *t = c->t;
    gdesc g;
    pdesc p;
    switch (ev->type) {
    case V1_EV_PROC_START:
        p = get_p(c, ev->p);
        if (p.running)
            return bad(c, "p %" PRId32 " is running before start (time %" PRId64 ")", ev->p, ns(c, ev));
        p.running = 1;
        return put_p(c, ev->p, p);
    case V1_EV_PROC_STOP:
        p = get_p(c, ev->p);
        if (!p.running)
            return bad(c, "p %" PRId32 " is not running before stop (time %" PRId64 ")", ev->p, ns(c, ev));
        if (p.g != 0)
            return bad(c, "p %" PRId32 " is running a goroutine %" PRIu64 " during stop (time %" PRId64 ")", ev->p,
                       p.g, ns(c, ev));
        p.running = 0;
        return put_p(c, ev->p, p);
    case V1_EV_GC_START:
        if (*in_gc)
            return bad(c, "previous GC is not ended before a new one (time %" PRId64 ")", ns(c, ev));
        *in_gc = 1;
        ev->p = V1_GC_P;
        return 0;
    case V1_EV_GC_DONE:
        if (!*in_gc)
            return bad(c, "bogus GC end (time %" PRId64 ")", ns(c, ev));
        *in_gc = 0;
        return 0;
    case V1_EV_STW_START:
        if (*in_stw)
            return bad(c, "previous STW is not ended before a new one (time %" PRId64 ")", ns(c, ev));
        *in_stw = 1;
        return 0;
    case V1_EV_STW_DONE:
        if (!*in_stw)
            return bad(c, "bogus STW end (time %" PRId64 ")", ns(c, ev));
        *in_stw = 0;
        return 0;
    case V1_EV_GC_SWEEP_START:
        p = get_p(c, ev->p);
        if (p.sweeping)
            return bad(c, "previous sweeping is not ended before a new one (time %" PRId64 ")", ns(c, ev));
        p.sweeping = 1;
        return put_p(c, ev->p, p);
    case V1_EV_GC_MARK_ASSIST_START:
        g = get_g(c, ev->g);
        if (g.in_assist)
            return bad(c, "previous mark assist is not ended before a new one (time %" PRId64 ")", ns(c, ev));
        g.in_assist = 1;
        return put_g(c, ev->g, g);
    case V1_EV_GC_MARK_ASSIST_DONE:
        /* An assist may be in progress when tracing starts: no error. */
        g = get_g(c, ev->g);
        g.in_assist = 0;
        return put_g(c, ev->g, g);
    case V1_EV_GC_SWEEP_DONE:
        p = get_p(c, ev->p);
        if (!p.sweeping)
            return bad(c, "bogus sweeping end (time %" PRId64 ")", ns(c, ev));
        p.sweeping = 0;
        return put_p(c, ev->p, p);
    case V1_EV_GO_WAITING:
    case V1_EV_GO_IN_SYSCALL:
        g = get_g(c, ev->g);
        if (g.state != G_RUNNABLE)
            return bad(c, "g %" PRIu64 " is not runnable before %s (time %" PRId64 ")", ev->g,
                       ev->type == V1_EV_GO_WAITING ? "EvGoWaiting" : "EvGoInSyscall", ns(c, ev));
        g.state = G_WAITING;
        g.ev_type = ev->type;
        return put_g(c, ev->g, g);
    case V1_EV_GO_CREATE:
        if (check_running(c, get_p(c, ev->p), get_g(c, ev->g), ev, 1))
            return -1;
        if (has_g(c, ev->a0))
            return bad(c, "g %" PRIu64 " already exists (time %" PRId64 ")", ev->a0, ns(c, ev));
        return put_g(c, ev->a0, (gdesc){G_RUNNABLE, V1_EV_GO_CREATE, 1, 0, (uint32_t)ev->a1, 0});
    case V1_EV_GO_START:
    case V1_EV_GO_START_LABEL:
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (g.state != G_RUNNABLE)
            return bad(c, "g %" PRIu64 " is not runnable before start (time %" PRId64 ")", ev->g, ns(c, ev));
        if (p.g != 0)
            return bad(c, "p %" PRId32 " is already running g %" PRIu64 " while start g %" PRIu64 " (time %" PRId64 ")",
                       ev->p, p.g, ev->g, ns(c, ev));
        g.state = G_RUNNING;
        p.g = ev->g;
        if (g.has_create) {
            ev->stk = g.create_stack;
            g.has_create = 0;
        }
        g.ev_type = 0;
        return put_g(c, ev->g, g) || put_p(c, ev->p, p) ? -1 : 0;
    case V1_EV_GO_END:
    case V1_EV_GO_STOP:
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (check_running(c, p, g, ev, 0))
            return -1;
        g.state = G_DEAD;
        p.g = 0;
        if (ev->type == V1_EV_GO_END) { /* its open regions end with it */
            uint64_t *top = gt_u64map_get(&c->regions, ev->g);
            if (top) {
                free_regions(c, (size_t)*top);
                *top = 0;
            }
        }
        return put_g(c, ev->g, g) || put_p(c, ev->p, p) ? -1 : 0;
    case V1_EV_GO_SCHED:
    case V1_EV_GO_PREEMPT:
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (check_running(c, p, g, ev, 0))
            return -1;
        g.state = G_RUNNABLE;
        p.g = 0;
        g.ev_type = ev->type;
        return put_g(c, ev->g, g) || put_p(c, ev->p, p) ? -1 : 0;
    case V1_EV_GO_UNBLOCK: {
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (g.state != G_RUNNING)
            return bad(c, "g %" PRIu64 " is not running while unpark (time %" PRId64 ")", ev->g, ns(c, ev));
        if (ev->p != V1_TIMER_P && p.g != ev->g)
            return bad(c, "p %" PRId32 " is not running g %" PRIu64 " while unpark (time %" PRId64 ")", ev->p, ev->g,
                       ns(c, ev));
        gdesc g1 = get_g(c, ev->a0);
        if (g1.state != G_WAITING)
            return bad(c, "g %" PRIu64 " is not waiting before unpark (time %" PRId64 ")", ev->a0, ns(c, ev));
        if (g1.ev_type == V1_EV_GO_BLOCK_NET) {
            ev->p = V1_NETPOLL_P;
            t->stream[type_pos] |= V1_SF_SPECIAL; /* unblocks are never moved */
        }
        g1.state = G_RUNNABLE;
        g1.ev_type = ev->type;
        return put_g(c, ev->a0, g1);
    }
    case V1_EV_GO_SYSCALL:
        g = get_g(c, ev->g);
        if (check_running(c, get_p(c, ev->p), g, ev, 0))
            return -1;
        g.ev_type = ev->type;
        return put_g(c, ev->g, g);
    case V1_EV_GO_SYSBLOCK:
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (check_running(c, p, g, ev, 0))
            return -1;
        g.state = G_WAITING;
        p.g = 0;
        return put_g(c, ev->g, g) || put_p(c, ev->p, p) ? -1 : 0;
    case V1_EV_GO_SYSEXIT:
        g = get_g(c, ev->g);
        if (g.state != G_WAITING)
            return bad(c, "g %" PRIu64 " is not waiting during syscall exit (time %" PRId64 ")", ev->g, ns(c, ev));
        g.state = G_RUNNABLE;
        g.ev_type = ev->type;
        return put_g(c, ev->g, g);
    case V1_EV_GO_SLEEP: case V1_EV_GO_BLOCK: case V1_EV_GO_BLOCK_SEND: case V1_EV_GO_BLOCK_RECV:
    case V1_EV_GO_BLOCK_SELECT: case V1_EV_GO_BLOCK_SYNC: case V1_EV_GO_BLOCK_COND: case V1_EV_GO_BLOCK_NET:
    case V1_EV_GO_BLOCK_GC:
        g = get_g(c, ev->g);
        p = get_p(c, ev->p);
        if (check_running(c, p, g, ev, 0))
            return -1;
        g.state = G_WAITING;
        g.ev_type = ev->type;
        p.g = 0;
        return put_g(c, ev->g, g) || put_p(c, ev->p, p) ? -1 : 0;
    case V1_EV_USER_TASK_CREATE: {
        int inserted = 0;
        uint64_t *slot = gt_u64map_upsert(&c->tasks, ev->a0, &inserted);
        if (!slot)
            return -1;
        if (*slot)
            return bad_events(c, "task id conflicts (id:%" PRIu64 "), \"%s\" vs \"%s\"", ev->a0, ev,
                              &c->task_evs[*slot - 1]);
        size_t i;
        if (c->nfree_task_evs) {
            i = c->free_task_evs[--c->nfree_task_evs];
        } else {
            if (gt_v1_grow((void **)&c->task_evs, &c->captask_evs, c->ntask_evs + 1, sizeof *c->task_evs))
                return -1;
            i = c->ntask_evs++;
        }
        c->task_evs[i] = checked_copy(c, ev);
        *slot = i + 1;
        c->live_tasks++;
        return gt_v1_map_compact(&c->tasks, c->live_tasks);
    }
    case V1_EV_USER_TASK_END: {
        uint64_t *slot = gt_u64map_get(&c->tasks, ev->a0);
        if (slot && *slot) {
            if (gt_v1_grow((void **)&c->free_task_evs, &c->capfree_task_evs, c->nfree_task_evs + 1,
                        sizeof *c->free_task_evs))
                return -1;
            c->free_task_evs[c->nfree_task_evs++] = (size_t)*slot - 1;
            *slot = 0;
            c->live_tasks--;
        }
        return 0;
    }
    case V1_EV_USER_REGION: {
        const uint64_t *top = gt_u64map_get(&c->regions, ev->g);
        size_t ntop = top ? (size_t)*top : 0;
        if (ev->a1 == 0) /* start: push */
            return push_region(c, ev->g, ev, ntop);
        if (ev->a1 == 1) { /* end: pop when the start is in the trace */
            if (ntop == 0)
                return 0;
            const region *r = &c->rs[ntop - 1];
            const v1_event *s = &r->ev;
            if (s->a0 != ev->a0 || v1_a2(t, s) != v1_a2(t, ev))
                return bad_events(c,
                                  "misuse of region in goroutine %" PRIu64
                                  ": span end \"%s\" when the inner-most active span start event is \"%s\"",
                                  ev->g, ev, s);
            size_t below = r->below;
            c->rs[ntop - 1].below = c->free_rs;
            c->free_rs = ntop;
            return gt_u64map_put(&c->regions, ev->g, below);
        }
        char se[256];
        v1_event e = in_ns(c, ev);
        gt_v1_event_string(t, &e, se, sizeof se);
        return bad(c, "invalid user region mode: \"%s\"", se);
    }
    default:
        return 0;
    }
}

/* tracev1's look-ahead for GoSysCall (did the goroutine's next event
 * block in the syscall?) done forwards: a goroutine whose last event was a
 * GoSysCall is pending until its next event, which flags the syscall when
 * it is a GoSysBlock. 0 or -1 (memory). */
static int track_syscalls(checker *c, const v1_event *ev, size_t type_pos)
{
    size_t i;
    if (c->npending && v1_index_get(&c->g_index, ev->g, &i) && c->gs[i].syscall_pos1) {
        if (ev->type == V1_EV_GO_SYSBLOCK)
            c->t->stream[c->gs[i].syscall_pos1 - 1] |= V1_SF_SPECIAL;
        c->gs[i].syscall_pos1 = 0;
        c->npending--;
    }
    if (ev->type == V1_EV_GO_SYSCALL) {
        gdesc *r = v1_index_record(&c->g_index, (void **)&c->gs, &c->ngs, &c->capgs, sizeof *c->gs, ev->g);
        if (!r)
            return -1;
        r->syscall_pos1 = type_pos + 1;
        c->npending++;
    }
    return 0;
}

int gt_v1_check(v1_trace *t, gt_error *err)
{
    checker c = {0};
    c.t = t;
    c.err = err;
    c.err->code = GT_ERR_NONE;
    int in_gc = 0, in_stw = 0, rc = 0;
    if (put_g(&c, 0, (gdesc){G_RUNNING, 0, 0, 0, 0, 0}))
        rc = -1;
    v1_iter it = V1_ITER_INIT;
    it.ticks = 1;
    v1_event ev;
    size_t pos;
    while (rc == 0 && gt_v1_iter_next(t, &it, &ev, &pos)) {
        if (step(&c, &ev, pos, &in_gc, &in_stw) || track_syscalls(&c, &ev, pos))
            rc = -1;
    }
    if (rc && err->code == GT_ERR_NONE)
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    gt_u64map_free(&c.g_index.map);
    gt_u64map_free(&c.p_index.map);
    gt_u64map_free(&c.tasks);
    gt_u64map_free(&c.regions);
    free(c.gs);
    free(c.ps);
    free(c.rs);
    free(c.task_evs);
    free(c.free_task_evs);
    return rc;
}
