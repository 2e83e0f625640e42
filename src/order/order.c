/* The core of the ordering engine: dispatch, scheduling-context checks, the
 * records of goroutines/procs/threads/tasks, the ready queue, ranges and the
 * state dump used in "failed to advance" errors. */
#include "order/order.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"

int gt_order_nomem(gt_error *err) { return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory"); }

/* ---------------------------------------------------------------- records */

void *gt_records_lookup(const gt_records *r, uint64_t id)
{
    const gt_record_cache *c = &r->cache[id & (GT_RECORD_CACHE - 1)];
    const uint64_t *v = gt_u64map_get(&r->index, id);
    if (!v)
        return NULL;
    /* Records are never freed before the ordering is, so a cached pointer
     * cannot dangle; the cache is logically const. */
    gt_record_cache *w = (gt_record_cache *)c;
    w->id = id;
    w->rec = (void *)(uintptr_t)*v;
    return w->rec;
}

static void *records_new(gt_records *r, uint64_t id)
{
    void *rec = gt_records_get(r, id);
    if (rec)
        return rec;
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        void **na = realloc(r->all, ncap * sizeof *na);
        if (!na)
            return NULL;
        r->all = na;
        r->cap = ncap;
    }
    rec = calloc(1, r->size);
    if (!rec)
        return NULL;
    if (gt_u64map_put(&r->index, id, (uint64_t)(uintptr_t)rec)) {
        free(rec);
        return NULL;
    }
    r->all[r->n++] = rec;
    r->cache[id & (GT_RECORD_CACHE - 1)] = (gt_record_cache){id, rec};
    return rec;
}

static void records_free(gt_records *r, void (*free_rec)(void *))
{
    for (size_t i = 0; i < r->n; i++) {
        if (free_rec)
            free_rec(r->all[i]);
        free(r->all[i]);
    }
    free(r->all);
    gt_u64map_free(&r->index);
    memset(r, 0, sizeof *r);
}

gt_task_state *gt_order_task(gt_ordering *o, uint64_t id)
{
    gt_task_state *t = gt_records_get(&o->tasks, id);
    return t && t->active ? t : NULL;
}

gt_gstate *gt_order_new_g(gt_ordering *o, int64_t id)
{
    gt_gstate *g = records_new(&o->gs, (uint64_t)id);
    if (!g)
        return NULL;
    /* A revived goroutine starts afresh, as Go's new gState would. */
    g->id = id;
    g->exists = 1;
    g->status = 0;
    g->seq = (gt_seq){0, 0};
    g->nregions = 0;
    g->ranges.n = 0;
    return g;
}

gt_pstate *gt_order_new_p(gt_ordering *o, int64_t id)
{
    gt_pstate *p = records_new(&o->ps, (uint64_t)id);
    if (p)
        p->id = id;
    return p;
}

gt_mstate *gt_order_new_m(gt_ordering *o, int64_t id)
{
    gt_mstate *m = records_new(&o->ms, (uint64_t)id);
    if (m)
        m->id = id;
    return m;
}

gt_task_state *gt_order_new_task(gt_ordering *o, uint64_t id)
{
    gt_task_state *t = records_new(&o->tasks, id);
    if (t) {
        t->id = id;
        t->active = 1;
    }
    return t;
}

static void free_g(void *p)
{
    gt_gstate *g = p;
    free(g->regions);
    free(g->ranges.in_flight);
}

static void free_p(void *p) { free(((gt_pstate *)p)->ranges.in_flight); }

void gt_ordering_init(gt_ordering *o, int version)
{
    memset(o, 0, sizeof *o);
    o->version = version;
    o->gs.size = sizeof(gt_gstate);
    o->ps.size = sizeof(gt_pstate);
    o->ms.size = sizeof(gt_mstate);
    o->tasks.size = sizeof(gt_task_state);
    for (unsigned t = 0; t < 256; t++)
        o->kind_of[t] = (uint8_t)gt_event_kind_of_type(t);
}

void gt_ordering_free(gt_ordering *o)
{
    records_free(&o->gs, free_g);
    records_free(&o->ps, free_p);
    records_free(&o->ms, NULL);
    records_free(&o->tasks, NULL);
    free(o->queue);
    gt_arena_free(&o->names);
    gt_u64map_free(&o->name_index);
    free(o->name_list);
    memset(o, 0, sizeof *o);
}

/* ---------------------------------------------------------------- names */

int gt_order_intern(gt_ordering *o, gt_str s, gt_str *out)
{
    if (s.len == 0) {
        *out = (gt_str){"", 0};
        return 0;
    }
    /* Open addressing on the hash: probe successive keys until a match or a
     * free key. */
    uint64_t h = gt_hash_bytes(s.ptr, s.len);
    for (;; h++) {
        const uint64_t *i = gt_u64map_get(&o->name_index, h);
        if (!i)
            break;
        gt_str c = o->name_list[*i];
        if (c.len == s.len && memcmp(c.ptr, s.ptr, s.len) == 0) {
            *out = c;
            return 0;
        }
    }
    if (o->nnames == o->capnames) {
        size_t ncap = o->capnames ? o->capnames * 2 : 32;
        gt_str *nl = realloc(o->name_list, ncap * sizeof *nl);
        if (!nl)
            return -1;
        o->name_list = nl;
        o->capnames = ncap;
    }
    char *copy = gt_arena_dup(&o->names, s.ptr, s.len);
    if (!copy || gt_u64map_put(&o->name_index, h, o->nnames))
        return -1;
    o->name_list[o->nnames] = (gt_str){copy, s.len};
    *out = o->name_list[o->nnames++];
    return 0;
}

/* ---------------------------------------------------------------- queue */

int gt_order_queue_grow(gt_ordering *o, gt_error *err)
{
    /* Capacities are powers of two: positions wrap with a mask. */
    size_t ncap = o->qcap ? o->qcap * 2 : 16;
    gt_event *nq = malloc(ncap * sizeof *nq);
    if (!nq)
        return gt_order_nomem(err);
    for (size_t i = 0; i < o->qlen; i++)
        nq[i] = o->queue[(o->qstart + i) & (o->qcap - 1)];
    free(o->queue);
    o->queue = nq;
    o->qcap = ncap;
    o->qstart = 0;
    return 0;
}

/* ---------------------------------------------------------------- checks */

int gt_validate_ctx_error(gt_sched_ctx ctx, int m, int p, int g, gt_error *err)
{
    const char *msg = NULL;
    if (m == GT_MUST_HAVE && ctx.m == GT_NO_THREAD)
        msg = "expected a thread but didn't have one";
    else if (m == GT_MUST_NOT_HAVE && ctx.m != GT_NO_THREAD)
        msg = "expected no thread but had one";
    else if (p == GT_MUST_HAVE && ctx.p == GT_NO_PROC)
        msg = "expected a proc but didn't have one";
    else if (p == GT_MUST_NOT_HAVE && ctx.p != GT_NO_PROC)
        msg = "expected no proc but had one";
    else if (g == GT_MUST_HAVE && ctx.g == GT_NO_GOROUTINE)
        msg = "expected a goroutine but didn't have one";
    else if (g == GT_MUST_NOT_HAVE && ctx.g != GT_NO_GOROUTINE)
        msg = "expected no goroutine but had one";
    if (msg)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s", msg);
    return 0;
}

const char *gt_order_ev_name(const gt_ordering *o, unsigned type, char buf[24])
{
    if (gt_spec_raw_known(o->version, type))
        return gt_spec_name(type);
    snprintf(buf, 24, "Invalid(%u)", type);
    return buf;
}

const char *gt_wire_go_status_name(unsigned s)
{
    switch (s) {
    case GT_WGO_RUNNABLE: return "Runnable";
    case GT_WGO_RUNNING: return "Running";
    case GT_WGO_SYSCALL: return "Syscall";
    case GT_WGO_WAITING: return "Waiting";
    }
    return "Bad";
}

const char *gt_wire_proc_status_name(unsigned s)
{
    switch (s) {
    case GT_WPROC_RUNNING: return "Running";
    case GT_WPROC_IDLE: return "Idle";
    case GT_WPROC_SYSCALL: return "Syscall";
    case GT_WPROC_SYSCALL_ABANDONED: return "SyscallAbandoned";
    }
    return "Bad";
}

/* ---------------------------------------------------------------- ranges */

gt_range_type gt_make_range_type(uint8_t type, uint64_t desc)
{
    const gt_spec *spec = gt_spec_any(type);
    if (spec && spec->start_ev != GT_EV_NONE)
        type = spec->start_ev;
    return (gt_range_type){type, desc};
}

static int range_has(const gt_range_state *s, gt_range_type r)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->in_flight[i].type == r.type && s->in_flight[i].desc == r.desc)
            return 1;
    return 0;
}

static int range_push(gt_range_state *s, gt_range_type r, gt_error *err)
{
    if (gt_table_grow((void **)&s->in_flight, &s->cap, s->n, sizeof *s->in_flight) < 0)
        return gt_order_nomem(err);
    s->in_flight[s->n++] = r;
    return 0;
}

static const char *spec_name(unsigned t)
{
    const char *n = gt_spec_name(t);
    return n ? n : "";
}

int gt_range_begin(gt_range_state *s, gt_range_type r, gt_error *err)
{
    if (range_has(s, r))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "discovered event already in-flight for when starting event %s", spec_name(r.type));
    return range_push(s, r, err);
}

int gt_range_active(gt_range_state *s, gt_range_type r, int initial_gen, gt_error *err)
{
    if (initial_gen) {
        if (range_has(s, r))
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "found named active range already in first gen: {%u %" PRIu64 "}",
                                r.type, r.desc);
        return range_push(s, r, err);
    }
    if (!range_has(s, r)) {
        /* Go: "resource is missing active range: %v %v" with the in-flight list. */
        char list[512];
        size_t len = 0;
        list[0] = 0;
        for (size_t i = 0; i < s->n && len < sizeof list; i++) {
            int k = snprintf(list + len, sizeof list - len, "%s{%u %" PRIu64 "}", i ? " " : "",
                             s->in_flight[i].type, s->in_flight[i].desc);
            if (k > 0)
                len += (size_t)k;
        }
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "resource is missing active range: %s [%s]",
                            spec_name(r.type), list);
    }
    return 0;
}

int gt_range_end(gt_range_state *s, uint8_t type, uint64_t *desc, gt_error *err)
{
    const gt_spec *spec = gt_spec_any(type);
    uint8_t st = spec ? spec->start_ev : 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->in_flight[i].type != st)
            continue;
        *desc = s->in_flight[i].desc;
        s->in_flight[i] = s->in_flight[s->n - 1];
        s->n--;
        return 0;
    }
    return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "tried to end event %s, but not in-flight", spec_name(st));
}

/* ---------------------------------------------------------------- dispatch */

const gt_order_handler gt_order_dispatch[256] = {
    [GT_EV_PROCS_CHANGE] = gt_order_annotation,
    [GT_EV_PROC_START] = gt_order_proc_start,
    [GT_EV_PROC_STOP] = gt_order_proc_stop,
    [GT_EV_PROC_STEAL] = gt_order_proc_steal,
    [GT_EV_PROC_STATUS] = gt_order_proc_status,
    [GT_EV_GO_CREATE] = gt_order_go_create,
    [GT_EV_GO_CREATE_SYSCALL] = gt_order_go_create_syscall,
    [GT_EV_GO_START] = gt_order_go_start,
    [GT_EV_GO_DESTROY] = gt_order_go_stop_exec,
    [GT_EV_GO_DESTROY_SYSCALL] = gt_order_go_destroy_syscall,
    [GT_EV_GO_STOP] = gt_order_go_stop_exec,
    [GT_EV_GO_BLOCK] = gt_order_go_stop_exec,
    [GT_EV_GO_UNBLOCK] = gt_order_go_unblock,
    [GT_EV_GO_SYSCALL_BEGIN] = gt_order_go_syscall_begin,
    [GT_EV_GO_SYSCALL_END] = gt_order_go_syscall_end,
    [GT_EV_GO_SYSCALL_END_BLOCKED] = gt_order_go_syscall_end_blocked,
    [GT_EV_GO_STATUS] = gt_order_go_status,
    [GT_EV_STW_BEGIN] = gt_order_go_range_begin,
    [GT_EV_STW_END] = gt_order_go_range_end,
    [GT_EV_GC_ACTIVE] = gt_order_gc_active,
    [GT_EV_GC_BEGIN] = gt_order_gc_begin,
    [GT_EV_GC_END] = gt_order_gc_end,
    [GT_EV_GC_SWEEP_ACTIVE] = gt_order_gc_sweep_active,
    [GT_EV_GC_SWEEP_BEGIN] = gt_order_gc_sweep_begin,
    [GT_EV_GC_SWEEP_END] = gt_order_gc_sweep_end,
    [GT_EV_GC_MARK_ASSIST_ACTIVE] = gt_order_go_range_active,
    [GT_EV_GC_MARK_ASSIST_BEGIN] = gt_order_go_range_begin,
    [GT_EV_GC_MARK_ASSIST_END] = gt_order_go_range_end,
    [GT_EV_HEAP_ALLOC] = gt_order_heap_metric,
    [GT_EV_HEAP_GOAL] = gt_order_heap_metric,
    [GT_EV_GO_LABEL] = gt_order_annotation,
    [GT_EV_USER_TASK_BEGIN] = gt_order_user_task_begin,
    [GT_EV_USER_TASK_END] = gt_order_user_task_end,
    [GT_EV_USER_REGION_BEGIN] = gt_order_user_region_begin,
    [GT_EV_USER_REGION_END] = gt_order_user_region_end,
    [GT_EV_USER_LOG] = gt_order_annotation,
    [GT_EV_GO_SWITCH] = gt_order_go_switch,
    [GT_EV_GO_SWITCH_DESTROY] = gt_order_go_switch,
    [GT_EV_GO_CREATE_BLOCKED] = gt_order_go_create,
    [GT_EV_GO_STATUS_STACK] = gt_order_go_status,
    [GT_EV_SPAN] = gt_order_alloc_free,
    [GT_EV_SPAN_ALLOC] = gt_order_alloc_free,
    [GT_EV_SPAN_FREE] = gt_order_alloc_free,
    [GT_EV_HEAP_OBJECT] = gt_order_alloc_free,
    [GT_EV_HEAP_OBJECT_ALLOC] = gt_order_alloc_free,
    [GT_EV_HEAP_OBJECT_FREE] = gt_order_alloc_free,
    [GT_EV_GOROUTINE_STACK] = gt_order_alloc_free,
    [GT_EV_GOROUTINE_STACK_ALLOC] = gt_order_alloc_free,
    [GT_EV_GOROUTINE_STACK_FREE] = gt_order_alloc_free,
};

/* gt_ordering_advance's thread record: created on first sight with no P
 * and no goroutine. NULL when memory runs out. */
gt_mstate *gt_order_first_m(gt_ordering *o, int64_t m)
{
    gt_mstate *ms = gt_order_new_m(o, m);
    if (ms) {
        ms->g = GT_NO_GOROUTINE;
        ms->p = GT_NO_PROC;
    }
    return ms;
}

int gt_order_bad_type(uint8_t type, gt_error *err)
{
    return gt_error_set(err, GT_ERR_MALFORMED, GT_NO_OFFSET, "bad event type found while ordering: %u", type);
}

/* ---------------------------------------------------------------- dump */

int gt_ordering_dump(const gt_ordering *o, gt_buf *b)
{
    int rc = 0;
    for (size_t i = 0; i < o->gs.n; i++) {
        const gt_gstate *g = o->gs.all[i];
        if (g->exists)
            rc |= gt_buf_printf(b, "G %" PRId64 " [status=%s seq=%" PRIu64 " (gen=%" PRIu64 ")]\n", g->id,
                                gt_wire_go_status_name(g->status), g->seq.seq, g->seq.gen);
    }
    rc |= gt_buf_puts(b, "\n");
    for (size_t i = 0; i < o->ps.n; i++) {
        const gt_pstate *p = o->ps.all[i];
        rc |= gt_buf_printf(b, "P %" PRId64 " [status=%s seq=%" PRIu64 " (gen=%" PRIu64 ")]\n", p->id,
                            gt_wire_proc_status_name(p->status), p->seq.seq, p->seq.gen);
    }
    rc |= gt_buf_puts(b, "\n");
    for (size_t i = 0; i < o->ms.n; i++) {
        const gt_mstate *m = o->ms.all[i];
        rc |= gt_buf_printf(b, "M %" PRId64 " [g=%" PRId64 " p=%" PRId64 "]\n", m->id, m->g, m->p);
    }
    rc |= gt_buf_puts(b, "\n");
    static const char *const gc_names[] = {"Undetermined", "NotRunning", "Running"};
    rc |= gt_buf_printf(b, "GC %" PRIu64 " %s\n", o->gc_seq, gc_names[o->gc_state]);
    return rc ? -1 : 0;
}
