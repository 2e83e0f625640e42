/* The ordering state machine (Go's order.go): decides whether the next event
 * of an M's batch can happen now, given what every goroutine, proc and
 * thread is doing, and turns accepted wire events into gt_events (sometimes
 * several: GoSwitch, GoDestroySyscall).
 *
 * One handler per event type; handlers live in files named for what they
 * order (proc.c, goroutine.c, syscall.c, gc.c, annotation.c,
 * experimental.c). Each returns 1 when the event was accepted (and queued),
 * 0 when it cannot happen yet (another M must advance first), or -1 with
 * *err filled with Go's message.
 *
 * State lives for the reader's lifetime, across generations: sequence
 * numbers carry the generation they belong to. Goroutine, proc, thread and
 * task records are allocated once per ID (never per event) and reused.
 */
#ifndef GT_ORDER_ORDER_H
#define GT_ORDER_ORDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/hash.h"
#include "event/table.h"
#include "gotrace.h"
#include "wire/spec.h"

/* A wire event ready for ordering: type, time in ns, arguments without the
 * timestamp (the slots after the spec's arguments are Go's "extra" slots). */
typedef struct gt_base_event {
    uint8_t type;
    int64_t time;
    uint64_t args[4];
} gt_base_event;

typedef struct gt_sched_ctx {
    int64_t g, p, m;
} gt_sched_ctx;

typedef struct gt_seq {
    uint64_t gen, seq;
} gt_seq;

/* A range (STW, sweep, mark assist) in flight on a goroutine or proc: the
 * type of its begin event and, for STW, the kind string ID. */
typedef struct gt_range_type {
    uint8_t type;
    uint64_t desc;
} gt_range_type;

typedef struct gt_range_state {
    gt_range_type *in_flight;
    size_t n, cap;
} gt_range_state;

/* A user region open on a goroutine: task and interned name. */
typedef struct gt_user_region {
    uint64_t task;
    gt_str name;
} gt_user_region;

typedef struct gt_gstate {
    int64_t id;
    int exists;                /* Go deletes the record; we clear this */
    uint8_t status;            /* enum gt_wire_go_status */
    gt_seq seq;
    gt_user_region *regions;
    size_t nregions, capregions;
    gt_range_state ranges;
} gt_gstate;

typedef struct gt_pstate {
    int64_t id;
    uint8_t status;            /* enum gt_wire_proc_status */
    gt_seq seq;
    gt_range_state ranges;
} gt_pstate;

typedef struct gt_mstate {
    int64_t id;
    int64_t g, p;
} gt_mstate;

typedef struct gt_task_state {
    uint64_t id;
    int active;
    gt_str name;               /* interned */
    uint64_t parent;
} gt_task_state;

enum gt_gc_state { GT_GC_UNDETERMINED = 0, GT_GC_NOT_RUNNING, GT_GC_RUNNING };

/* A direct-mapped cache slot in front of a record table's hash map: most
 * events touch the few goroutines, procs and threads seen just before. */
typedef struct gt_record_cache {
    uint64_t id;
    void *rec;                 /* NULL: empty slot */
} gt_record_cache;

enum { GT_RECORD_CACHE = 256 };  /* slots; a power of two */

/* A table of records by 64-bit ID with stable addresses. */
typedef struct gt_records {
    gt_u64map index;           /* id -> pointer */
    gt_record_cache cache[GT_RECORD_CACHE];
    void **all;                /* every record, in creation order */
    size_t n, cap;
    size_t size;               /* record size */
} gt_records;

typedef struct gt_ordering {
    int version;
    gt_records gs, ps, ms, tasks;
    uint64_t gc_seq;
    int gc_state;
    uint64_t initial_gen;

    uint8_t kind_of[256];      /* gt_event_kind_of_type, by wire type */

    /* Ready events, in order (Go's queue). */
    gt_event *queue;
    size_t qstart, qlen, qcap;
    /* When set, the next event pushed onto an empty queue is written here
     * instead (the caller's own event slot: one copy fewer) and direct is
     * cleared; gt_ordering_advance's caller sets it and checks it. */
    gt_event *direct;

    /* Interned task and region names: they outlive generations. */
    gt_arena names;
    gt_u64map name_index;      /* hash -> index into name_list */
    gt_str *name_list;
    size_t nnames, capnames;
} gt_ordering;

void gt_ordering_init(gt_ordering *o, int version);
void gt_ordering_free(gt_ordering *o);

/* Go's ordering.Advance: tries to order ev, the next event of thread m in
 * generation gen with tables t. 1 = accepted (events queued), 0 = not yet,
 * -1 = error. */
static inline int gt_ordering_advance(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                                      gt_error *err);

/* Pops the next ready event: 1, or 0 when the queue is empty. */
static inline int gt_ordering_next(gt_ordering *o, gt_event *out)
{
    if (o->qlen == 0)
        return 0;
    *out = o->queue[o->qstart];
    o->qstart = (o->qstart + 1) & (o->qcap - 1);
    o->qlen--;
    return 1;
}

/* Appends Go's dumpOrdering text (goroutines, procs, threads, GC) to buf. */
struct gt_buf;
int gt_ordering_dump(const gt_ordering *o, struct gt_buf *buf);

/* ---- for the handlers (the other files of src/order) ---- */

typedef int (*gt_order_handler)(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                                gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err);

/* Handlers, by file. */
int gt_order_proc_status(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_proc_start(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_proc_stop(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_proc_steal(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_status(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_create(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_stop_exec(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_start(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_unblock(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_switch(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_syscall_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_syscall_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_syscall_end_blocked(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_create_syscall(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_destroy_syscall(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_user_task_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_user_task_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_user_region_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_user_region_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_annotation(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_active(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_heap_metric(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_sweep_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_sweep_active(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_gc_sweep_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_range_begin(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_range_active(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_go_range_end(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);
int gt_order_alloc_free(gt_ordering *, gt_base_event *, gt_table *, int64_t, uint64_t, gt_sched_ctx, gt_sched_ctx *, gt_error *);

/* The handler of each wire type (NULL: not an event the ordering knows). */
extern const gt_order_handler gt_order_dispatch[256];
/* For gt_ordering_advance: a thread's record on first sight (NULL when
 * memory runs out), and the error for a type without a handler. */
gt_mstate *gt_order_first_m(gt_ordering *o, int64_t m);
int gt_order_bad_type(uint8_t type, gt_error *err);

/* Shared helpers (order.c). */

/* Requirements on a scheduling context (Go's schedReqs). */
enum gt_constraint { GT_MUST_NOT_HAVE = 0, GT_MAY_HAVE, GT_MUST_HAVE };
/* Fills *err with Go's message for the first requirement ctx breaks; -1. */
int gt_validate_ctx_error(gt_sched_ctx ctx, int m, int p, int g, gt_error *err);
static inline int gt_ctx_meets(int has, int constraint)
{
    return constraint == GT_MAY_HAVE || (constraint == GT_MUST_HAVE) == has;
}
/* 0 when ctx meets the requirements, else -1 with Go's message. Inline: it
 * runs once per event, and nearly always passes. */
static inline int gt_validate_ctx(gt_sched_ctx ctx, int m, int p, int g, gt_error *err)
{
    if (gt_ctx_meets(ctx.m != GT_NO_THREAD, m) && gt_ctx_meets(ctx.p != GT_NO_PROC, p) &&
        gt_ctx_meets(ctx.g != GT_NO_GOROUTINE, g))
        return 0;
    return gt_validate_ctx_error(ctx, m, p, g, err);
}
/* M, P and G all required: events of a running user goroutine. */
static inline int gt_validate_user_go(gt_sched_ctx ctx, gt_error *err)
{
    return gt_validate_ctx(ctx, GT_MUST_HAVE, GT_MUST_HAVE, GT_MUST_HAVE, err);
}

static inline gt_seq gt_make_seq(uint64_t gen, uint64_t seq) { return (gt_seq){gen, seq}; }
static inline int gt_seq_succeeds(gt_seq a, gt_seq b) { return a.gen == b.gen && a.seq == b.seq + 1; }

/* The record of id, or NULL: the cache slot first (inline), then the map
 * (gt_records_lookup, which refills the slot). */
void *gt_records_lookup(const gt_records *r, uint64_t id);
static inline void *gt_records_get(const gt_records *r, uint64_t id)
{
    const gt_record_cache *c = &r->cache[id & (GT_RECORD_CACHE - 1)];
    if (c->rec && c->id == id)
        return c->rec;
    return gt_records_lookup(r, id);
}

/* Record lookups: NULL when absent (for goroutines: when not existing). */
static inline gt_gstate *gt_order_g(gt_ordering *o, int64_t id)
{
    gt_gstate *g = gt_records_get(&o->gs, (uint64_t)id);
    return g && g->exists ? g : NULL;
}
static inline gt_pstate *gt_order_p(gt_ordering *o, int64_t id) { return gt_records_get(&o->ps, (uint64_t)id); }
static inline gt_mstate *gt_order_m(gt_ordering *o, int64_t id) { return gt_records_get(&o->ms, (uint64_t)id); }
gt_task_state *gt_order_task(gt_ordering *o, uint64_t id);
/* Creation (or revival of a deleted record): NULL when memory runs out. */
gt_gstate *gt_order_new_g(gt_ordering *o, int64_t id);
gt_pstate *gt_order_new_p(gt_ordering *o, int64_t id);
gt_mstate *gt_order_new_m(gt_ordering *o, int64_t id);
gt_task_state *gt_order_new_task(gt_ordering *o, uint64_t id);
/* Iteration over all thread records (creation order). */
static inline size_t gt_order_nm(const gt_ordering *o) { return o->ms.n; }
static inline gt_mstate *gt_order_m_at(const gt_ordering *o, size_t i) { return o->ms.all[i]; }

/* Doubles the ready queue (gt_order_push's slow path): 0, or -1 with *err. */
int gt_order_queue_grow(gt_ordering *o, gt_error *err);

/* Queues an event built from ev in context ctx (or writes it to o->direct,
 * see there). -1 when memory runs out. Inline: once per event. */
static inline int gt_order_push(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx ctx,
                                gt_error *err)
{
    gt_event *e = o->direct;
    if (e && o->qlen == 0) {
        o->direct = NULL;
    } else {
        if (o->qlen == o->qcap && gt_order_queue_grow(o, err) < 0)
            return -1;
        e = &o->queue[(o->qstart + o->qlen++) & (o->qcap - 1)];
    }
    e->time = ev->time;
    e->goroutine = ctx.g;
    e->proc = ctx.p;
    e->thread = ctx.m;
    e->kind = (gt_event_kind)o->kind_of[ev->type];
    e->priv_type = ev->type;
    memcpy(e->priv_args, ev->args, sizeof e->priv_args);
    e->priv_table = t;
    return 0;
}

/* Interns a name (task types, region names) for the reader's lifetime. */
int gt_order_intern(gt_ordering *o, gt_str s, gt_str *out);

/* Ranges (Go's rangeState). */
gt_range_type gt_make_range_type(uint8_t type, uint64_t desc);
int gt_range_begin(gt_range_state *s, gt_range_type r, gt_error *err);
int gt_range_active(gt_range_state *s, gt_range_type r, int initial_gen, gt_error *err);
int gt_range_end(gt_range_state *s, uint8_t type, uint64_t *desc, gt_error *err);

/* Go's Version.EventName: the type's name, or "Invalid(N)". Returns buf or
 * a static string. */
const char *gt_order_ev_name(const gt_ordering *o, unsigned type, char buf[24]);

/* Names of wire statuses (tracev2 GoStatus / ProcStatus String()). */
const char *gt_wire_go_status_name(unsigned s);
const char *gt_wire_proc_status_name(unsigned s);

/* Out of memory error. */
int gt_order_nomem(gt_error *err);

/* Inline: it runs once per event, and the handler call is its only work. */
static inline int gt_ordering_advance(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                                      gt_error *err)
{
    if (o->initial_gen == 0)
        o->initial_gen = gen;
    gt_sched_ctx cur = {GT_NO_GOROUTINE, GT_NO_PROC, m};
    gt_mstate *ms = NULL;
    if (m != GT_NO_THREAD) {
        ms = gt_order_m(o, m);
        if (!ms && !(ms = gt_order_first_m(o, m)))
            return gt_order_nomem(err);
        cur.p = ms->p;
        cur.g = ms->g;
    }
    gt_order_handler f = gt_order_dispatch[ev->type];
    if (!f)
        return gt_order_bad_type(ev->type, err);
    gt_sched_ctx next = cur;
    int ok = f(o, ev, t, m, gen, cur, &next, err);
    if (ok == 1 && ms) {
        ms->p = next.p;
        ms->g = next.g;
    }
    return ok;
}

#endif
