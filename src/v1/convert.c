/* Conversion of a parsed old trace to the v2 event model (Go 1.27's
 * internal/trace/tracev1.go), and the gt_v1_* entry points.
 *
 * The trace is one big generation: one gt_table (strings, stacks, frames)
 * for all events, a Sync before the first event and one after the last.
 * Most events map one to one; GoSysCall becomes a 1 ns GoSyscallBegin/End
 * pair unless the goroutine's next event is a GoSysBlock; goroutines that
 * existed before tracing started get a GoStatus at the first Gomaxprocs.
 *
 * Determinism: Go emits those GoStatus events in map order; we emit them by
 * ascending goroutine ID.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "v1/internal.h"
#include "v1/v1.h"
#include "wire/spec.h"

/* Strings the converter adds after the trace's own (tracev1.go's s*
 * constants, same order). */
enum {
    S_FOREVER, S_PREEMPTED, S_GOSCHED, S_SLEEP, S_CHAN_SEND, S_CHAN_RECV, S_NETWORK, S_SYNC, S_SYNC_COND,
    S_SELECT, S_EMPTY, S_MARK_ASSIST_WAIT,
    S_STW_UNKNOWN, /* then one per STW reason, 1..16 */
    S_LAST = S_STW_UNKNOWN + 17
};

static const char *const builtin_strings[S_LAST] = {
    "forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive", "network", "sync",
    "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
    "", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
    "goroutine profile cleanup", "all goroutine stack trace", "read mem stats", "AllThreadsSyscall", "GOMAXPROCS",
    "start trace", "stop trace", "CountPagesInUse (test)", "ReadMetricsSlow (test)", "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)", "ResetDebugLog (test)",
};

typedef struct proc_info { uint8_t seen, has_m; uint64_t m; } proc_info;
typedef struct task_info { gt_str name; uint64_t parent; } task_info;
typedef struct pre_slot { uint64_t g; int used; } pre_slot;

struct gt_v1 {
    v1_trace t;
    gt_table *table;
    v1_iter it;               /* reads the old events in order */
    v1_event ahead;           /* the next old event, when has_ahead */
    int has_ahead;
    gt_u64map create_stacks;  /* goroutine -> (1 << 32 | stack of its GoCreate)
                               * until its first GoStart (0: none) */
    size_t live_creates;

    gt_event *extra;          /* converted events queued before the next */
    size_t nextra, extra_pos, capextra;

    int pre_init;             /* before the first Gomaxprocs */
    gt_u64map created_pre_init; /* goroutine -> its slot in pre_slots + 1 */
    pre_slot *pre_slots;      /* see pre_init_add */
    size_t npre_slots, cappre_slots, live_pre;
    int pre_grown;
    v1_index proc_index;      /* (uint32)P -> index into procs */
    proc_info *procs;
    size_t nprocs, capprocs;
    gt_u64map task_index;     /* task -> index into tasks + 1 (0: ended) */
    task_info *tasks;         /* records of ended tasks are reused */
    size_t ntasks, captasks, live_tasks;
    size_t *free_tasks;
    size_t nfree_tasks, capfree_tasks;

    uint64_t inline_base;     /* string ID of inline string 0 */
    uint64_t builtin_base;    /* string ID of builtin_strings[0] */
    uint64_t last_stw_reason;
    int64_t last_ts;
    int64_t syncs;
    int done, failed;
    gt_error err;

    /* Per new event type: its kind, and the argument its stack goes to
     * (-1: none); looked up once at open, not per event. */
    uint8_t kind_of[256];
    int8_t stack_arg[256];
};

/* Fills *e field by field (no temporary: events are built once each). */
static void make_event(gt_event *e, const gt_v1 *v, unsigned type, int64_t time, int64_t g, int64_t p, int64_t m,
                       const uint64_t args[4])
{
    e->time = time;
    e->goroutine = g;
    e->proc = p;
    e->thread = m;
    e->kind = (gt_event_kind)v->kind_of[type & 0xff];
    e->priv_type = (uint8_t)type;
    if (args != e->priv_args) /* convert builds them in place */
        memcpy(e->priv_args, args, sizeof e->priv_args);
    e->priv_table = v->table;
}

/* A new slot at the end of the queued events, or NULL (memory). */
static gt_event *push_extra(gt_v1 *v)
{
    if (gt_v1_grow((void **)&v->extra, &v->capextra, v->nextra + 1, sizeof *v->extra))
        return NULL;
    return &v->extra[v->nextra++];
}

static proc_info *proc_of(gt_v1 *v, int32_t p, int create)
{
    if (!create) {
        size_t i;
        return v1_index_get(&v->proc_index, (uint32_t)p, &i) ? &v->procs[i] : NULL;
    }
    return v1_index_record(&v->proc_index, (void **)&v->procs, &v->nprocs, &v->capprocs, sizeof *v->procs, (uint32_t)p);
}

/* Go's procMs[P] read as a plain map index: 0 when absent. */
static int64_t proc_m_or_zero(gt_v1 *v, int32_t p)
{
    proc_info *pi = proc_of(v, p, 0);
    return pi && pi->has_m ? (int64_t)pi->m : 0;
}

static uint64_t builtin(const gt_v1 *v, int s) { return v->builtin_base + (uint64_t)s; }

/* Go's Trace.STWReason: the kind IDs of Go < 1.21 name only the two GC
 * stops; Go 1.21 has 17 reasons. */
static int stw_reason(int version, uint64_t kind)
{
    if (version < 21)
        return kind == 0 || kind == 1 ? (int)kind + 1 : 0;
    return kind < 17 ? (int)kind : 0;
}

/* Goroutines created before the first Gomaxprocs and not seen since: Go
 * keeps them in a map and, at that Gomaxprocs, says they are runnable in
 * the map's iteration order. While it holds at most 8 goroutines, Go's map
 * is one group of 8 slots: a goroutine takes the first free slot, a removed
 * one frees its slot, and iteration goes through the slots from a random
 * one, wrapping around. Starting at slot 0 (the most likely outcome: any
 * start before the first used slot or after the last gives it) means slot
 * order, which is what pre_slots keeps. A 9th goroutine makes Go's map a
 * hashed table iterated in an order that changes at every run; from then
 * on, here, new goroutines take new slots at the end. */
static int pre_init_add(gt_v1 *v, uint64_t g)
{
    int inserted = 0;
    uint64_t *where = gt_u64map_upsert(&v->created_pre_init, g, &inserted);
    if (!where)
        return -1;
    if (!inserted)
        return 0;
    if (v->live_pre == 8)
        v->pre_grown = 1;
    size_t i = v->npre_slots;
    if (!v->pre_grown)
        for (size_t j = 0; j < v->npre_slots; j++)
            if (!v->pre_slots[j].used) {
                i = j;
                break;
            }
    if (i == v->npre_slots) {
        if (gt_v1_grow((void **)&v->pre_slots, &v->cappre_slots, i + 1, sizeof *v->pre_slots)) {
            gt_u64map_remove(&v->created_pre_init, g);
            return -1;
        }
        v->npre_slots++;
    }
    v->pre_slots[i] = (pre_slot){g, 1};
    *where = i + 1;
    v->live_pre++;
    return 0;
}

/* g is running, waiting or in a syscall: no longer listed. */
static void forget_pre_init(gt_v1 *v, uint64_t g)
{
    if (!v->pre_init)
        return;
    const uint64_t *where = gt_u64map_get(&v->created_pre_init, g);
    if (!where)
        return;
    v->pre_slots[*where - 1].used = 0;
    v->live_pre--;
    gt_u64map_remove(&v->created_pre_init, g);
}

/* The first Gomaxprocs ends the trace's initial state: goroutines created
 * before it and never seen running, waiting or in a syscall are runnable. */
static int emit_pre_init_statuses(gt_v1 *v, int64_t time)
{
    for (size_t i = 0; i < v->npre_slots; i++) {
        if (!v->pre_slots[i].used)
            continue;
        uint64_t args[4] = {v->pre_slots[i].g, UINT64_MAX, GT_WGO_RUNNABLE, 0};
        gt_event *e = push_extra(v);
        if (!e)
            return -1;
        make_event(e, v, GT_EV_GO_STATUS, time, GT_NO_GOROUTINE, GT_NO_PROC, GT_NO_THREAD, args);
    }
    gt_u64map_free(&v->created_pre_init);
    free(v->pre_slots);
    v->pre_slots = NULL;
    v->npre_slots = v->cappre_slots = v->live_pre = 0;
    return 0;
}

enum { CONV_SKIP = 0, CONV_EVENT = 1, CONV_NOMEM = -1, CONV_ERR = -2 };

/* GoBlock and GoStop carry a reason string and the stack. */
static unsigned with_reason(const gt_v1 *v, const v1_event *ev, uint64_t args[4], unsigned type, int reason)
{
    args[0] = builtin(v, reason);
    args[1] = ev->stk;
    return type;
}

/* convertEvent: CONV_EVENT with *out (and maybe more queued in extra),
 * CONV_SKIP, or an error. */
static int convert(gt_v1 *v, const v1_event *ev, gt_event *out)
{
    const v1_trace *t = &v->t;
    /* The arguments are built in place: a local array copied out at the
     * end would stall on store forwarding once per event. */
    uint64_t *args = out->priv_args;
    args[0] = ev->a0;
    args[1] = ev->a1;
    args[2] = v1_a2(t, ev);
    args[3] = v1_a3(t, ev);
    unsigned type = 0;
    switch (ev->type) {
    case V1_EV_GOMAXPROCS:
        type = GT_EV_PROCS_CHANGE;
        if (v->pre_init) {
            v->pre_init = 0;
            return emit_pre_init_statuses(v, ev->ts) ? CONV_NOMEM : CONV_SKIP;
        }
        break;
    case V1_EV_PROC_START: {
        proc_info *pi = proc_of(v, ev->p, 1);
        if (!pi)
            return CONV_NOMEM;
        pi->has_m = 1;
        pi->m = ev->a0;
        memset(args, 0, 4 * sizeof *args);
        args[0] = (uint64_t)(int64_t)ev->p;
        if (pi->seen) {
            type = GT_EV_PROC_START;
        } else {
            pi->seen = 1;
            type = GT_EV_PROC_STATUS;
            args[1] = GT_WPROC_RUNNING;
        }
        break;
    }
    case V1_EV_PROC_STOP: {
        proc_info *pi = proc_of(v, ev->p, 1);
        if (!pi)
            return CONV_NOMEM;
        memset(args, 0, 4 * sizeof *args);
        args[0] = (uint64_t)(int64_t)ev->p;
        if (pi->seen) {
            type = GT_EV_PROC_STOP;
        } else {
            pi->seen = 1;
            type = GT_EV_PROC_STATUS;
            args[1] = GT_WPROC_IDLE;
        }
        break;
    }
    case V1_EV_GC_START: type = GT_EV_GC_BEGIN; break;
    case V1_EV_GC_DONE: type = GT_EV_GC_END; break;
    case V1_EV_STW_START: {
        uint64_t sid = builtin(v, S_STW_UNKNOWN + stw_reason(t->version, ev->a0));
        v->last_stw_reason = sid;
        type = GT_EV_STW_BEGIN;
        memset(args, 0, 4 * sizeof *args);
        args[0] = sid;
        break;
    }
    case V1_EV_STW_DONE:
        type = GT_EV_STW_END;
        memset(args, 0, 4 * sizeof *args);
        args[0] = v->last_stw_reason;
        break;
    case V1_EV_GC_SWEEP_START: type = GT_EV_GC_SWEEP_BEGIN; break;
    case V1_EV_GC_SWEEP_DONE: type = GT_EV_GC_SWEEP_END; break;
    case V1_EV_GO_CREATE:
        if (v->pre_init)
            return pre_init_add(v, ev->a0) ? CONV_NOMEM : CONV_SKIP;
        type = GT_EV_GO_CREATE;
        break;
    case V1_EV_GO_START:
        if (v->pre_init) {
            type = GT_EV_GO_STATUS;
            memset(args, 0, 4 * sizeof *args);
            args[0] = ev->a0;
            args[1] = UINT64_MAX;
            args[2] = GT_WGO_RUNNING;
            forget_pre_init(v, ev->a0);
        } else {
            type = GT_EV_GO_START;
        }
        break;
    case V1_EV_GO_START_LABEL: {
        /* A GoStart followed by a GoLabel at the same time; the thread is
         * read as Go reads it here, 0 when the P has none. */
        int64_t m = proc_m_or_zero(v, ev->p);
        uint64_t label[4] = {v1_a2(t, ev), 0, 0, 0};
        gt_event *e = push_extra(v);
        if (!e)
            return CONV_NOMEM;
        make_event(e, v, GT_EV_GO_LABEL, ev->ts, (int64_t)ev->g, ev->p, m, label);
        make_event(out, v, GT_EV_GO_START, ev->ts, (int64_t)ev->g, ev->p, m, args);
        return CONV_EVENT;
    }
    case V1_EV_GO_END: type = GT_EV_GO_DESTROY; break;
    case V1_EV_GO_STOP: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_FOREVER); break;
    case V1_EV_GO_SCHED:
        type = with_reason(v, ev, args, GT_EV_GO_STOP, S_GOSCHED);
        break;
    case V1_EV_GO_PREEMPT:
        type = with_reason(v, ev, args, GT_EV_GO_STOP, S_PREEMPTED);
        break;
    case V1_EV_GO_SLEEP: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_SLEEP); break;
    case V1_EV_GO_BLOCK: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_EMPTY); break;
    case V1_EV_GO_UNBLOCK: type = GT_EV_GO_UNBLOCK; break;
    case V1_EV_GO_BLOCK_SEND: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_CHAN_SEND); break;
    case V1_EV_GO_BLOCK_RECV: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_CHAN_RECV); break;
    case V1_EV_GO_BLOCK_SELECT: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_SELECT); break;
    case V1_EV_GO_BLOCK_SYNC: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_SYNC); break;
    case V1_EV_GO_BLOCK_COND: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_SYNC_COND); break;
    case V1_EV_GO_BLOCK_NET: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_NETWORK); break;
    case V1_EV_GO_BLOCK_GC: type = with_reason(v, ev, args, GT_EV_GO_BLOCK, S_MARK_ASSIST_WAIT); break;
    case V1_EV_GO_SYSCALL:
        memset(args, 0, 4 * sizeof *args);
        args[1] = ev->stk;
        if (ev->flags & V1_F_SYSCALL_BLOCKS) {
            type = GT_EV_GO_SYSCALL_BEGIN;
        } else {
            /* An instantaneous syscall: a 1 ns Begin/End pair. */
            int64_t m = proc_m_or_zero(v, ev->p);
            uint64_t none[4] = {0, 0, 0, 0};
            gt_event *e = push_extra(v);
            if (!e)
                return CONV_NOMEM;
            make_event(e, v, GT_EV_GO_SYSCALL_END, (int64_t)((uint64_t)ev->ts + 1), (int64_t)ev->g, ev->p, m, none);
            make_event(out, v, GT_EV_GO_SYSCALL_BEGIN, ev->ts, (int64_t)ev->g, ev->p, m, args);
            return CONV_EVENT;
        }
        break;
    case V1_EV_GO_SYSEXIT: type = GT_EV_GO_SYSCALL_END_BLOCKED; break;
    case V1_EV_GO_SYSBLOCK: return CONV_SKIP;
    case V1_EV_GO_WAITING:
    case V1_EV_GO_IN_SYSCALL:
        type = GT_EV_GO_STATUS;
        args[1] = UINT64_MAX; /* the old format does not say which thread */
        args[2] = ev->type == V1_EV_GO_WAITING ? GT_WGO_WAITING : GT_WGO_SYSCALL;
        args[3] = 0;
        forget_pre_init(v, ev->a0);
        break;
    case V1_EV_HEAP_ALLOC: type = GT_EV_HEAP_ALLOC; break;
    case V1_EV_HEAP_GOAL: type = GT_EV_HEAP_GOAL; break;
    case V1_EV_GC_MARK_ASSIST_START: type = GT_EV_GC_MARK_ASSIST_BEGIN; break;
    case V1_EV_GC_MARK_ASSIST_DONE: type = GT_EV_GC_MARK_ASSIST_END; break;
    case V1_EV_USER_TASK_CREATE: {
        type = GT_EV_USER_TASK_BEGIN;
        uint64_t parent = ev->a1 == 0 ? GT_NO_TASK : ev->a1;
        gt_str name = {"", 0};
        gt_table_string(v->table, args[2], &name);
        int inserted = 0;
        uint64_t *slot = gt_u64map_upsert(&v->task_index, ev->a0, &inserted);
        if (!slot)
            return CONV_NOMEM;
        if (*slot == 0) {
            if (v->nfree_tasks) {
                *slot = v->free_tasks[--v->nfree_tasks] + 1;
            } else {
                if (gt_v1_grow((void **)&v->tasks, &v->captasks, v->ntasks + 1, sizeof *v->tasks))
                    return CONV_NOMEM;
                *slot = ++v->ntasks;
            }
            v->live_tasks++;
        }
        v->tasks[*slot - 1] = (task_info){name, ev->a1};
        if (gt_v1_map_compact(&v->task_index, v->live_tasks))
            return CONV_NOMEM;
        args[1] = parent;
        args[3] = ev->stk;
        break;
    }
    case V1_EV_USER_TASK_END: {
        type = GT_EV_USER_TASK_END;
        /* Task events carry the parent and the type name (an extra string)
         * for Event.Task. */
        uint64_t *slot = gt_u64map_get(&v->task_index, ev->a0);
        task_info ti = {{"", 0}, GT_NO_TASK};
        if (slot && *slot) {
            ti = v->tasks[*slot - 1];
            if (gt_v1_grow((void **)&v->free_tasks, &v->capfree_tasks, v->nfree_tasks + 1, sizeof *v->free_tasks))
                return CONV_NOMEM;
            v->free_tasks[v->nfree_tasks++] = (size_t)*slot - 1;
            *slot = 0;
            v->live_tasks--;
        }
        uint64_t xid = gt_table_add_extra(v->table, ti.name.ptr, ti.name.len);
        if (xid == UINT64_MAX)
            return CONV_NOMEM;
        args[2] = ti.parent;
        args[3] = xid;
        break;
    }
    case V1_EV_USER_REGION:
        type = ev->a1 == 0 ? GT_EV_USER_REGION_BEGIN : ev->a1 == 1 ? GT_EV_USER_REGION_END : 0;
        args[1] = args[2];
        args[2] = ev->stk;
        args[3] = 0;
        break;
    case V1_EV_USER_LOG:
        type = GT_EV_USER_LOG;
        args[2] = v->inline_base + args[3];
        args[3] = ev->stk;
        break;
    case V1_EV_CPU_SAMPLE:
        type = GT_EV_CPU_SAMPLE;
        args[0] = ev->stk;
        args[1] = UINT64_MAX; /* Go 1.21 samples have no thread */
        args[2] = (uint64_t)(int64_t)ev->p;
        args[3] = ev->g;
        break;
    default:
        gt_error_set(&v->err, GT_ERR_INVALID, GT_NO_OFFSET, "unexpected event type %u", ev->type);
        return CONV_ERR;
    }

    /* The event's own stack goes where the new format keeps it. */
    if (gt_v1_descs[ev->type].has_stack && v->stack_arg[type & 0xff] >= 0)
        args[v->stack_arg[type & 0xff]] = ev->stk;
    int64_t m = GT_NO_THREAD;
    if (ev->p != -1 && ev->type != V1_EV_CPU_SAMPLE) {
        proc_info *pi = proc_of(v, ev->p, 0);
        if (pi && pi->has_m)
            m = (int64_t)pi->m;
    }
    if (ev->type == V1_EV_PROC_STOP) {
        proc_info *pi = proc_of(v, ev->p, 0);
        if (pi)
            pi->has_m = 0;
    }
    int64_t g = ev->g == 0 ? GT_NO_GOROUTINE : (int64_t)ev->g;
    make_event(out, v, type, ev->ts, g, ev->p, m, args);
    return CONV_EVENT;
}

/* Builds the table as tracev1.go's init does: trace strings, then inline
 * strings, then the converter's own strings, numbered above the largest
 * trace string ID; then the stacks. */
static int build_table(gt_v1 *v, gt_error *err)
{
    v1_trace *t = &v->t;
    uint64_t max = t->max_string_id;
    if (max + t->ninline < max)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "trace contains too many strings");
    v->inline_base = max + 1;
    for (size_t i = 0; i < t->ninline; i++)
        if (gt_table_add_string(v->table, max + 1 + i, t->inline_strs[i].ptr, t->inline_strs[i].len) < 0)
            goto nomem;
    max += t->ninline;
    if (max + S_LAST < max)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "trace contains too many strings");
    v->builtin_base = max + 1;
    for (int c = 0; c < S_LAST; c++)
        if (gt_table_add_string(v->table, max + 1 + (uint64_t)c, builtin_strings[c], strlen(builtin_strings[c])) < 0)
            goto nomem;
    for (size_t i = 0; i < t->nstacks; i++)
        if (gt_table_add_stack(v->table, t->stacks[i].id, t->pcs + t->stacks[i].off, t->stacks[i].n) < 0)
            goto nomem;
    /* The table has its own copies now. */
    free(t->pcs);
    t->pcs = NULL;
    t->npcs = t->cappcs = 0;
    return 0;
nomem:
    return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
}

/* The first Gomaxprocs in event order, which convert() skips, into the
 * table (gt_event_initial_procs): found here, before any event is handed out,
 * so a reader thread converting ahead never writes what a caller reads. The
 * scan stops there, a few events in on a real trace (the initial goroutines
 * come first). */
static void find_initial_procs(gt_v1 *v)
{
    v1_iter it = V1_ITER_INIT;
    v1_event ev;
    size_t pos;
    while (gt_v1_iter_next(&v->t, &it, &ev, &pos)) {
        if (ev.type == V1_EV_GOMAXPROCS) {
            v->table->has_initial_procs = 1;
            v->table->initial_procs_time = ev.ts;
            v->table->initial_procs = ev.a0;
            return;
        }
    }
}

gt_v1 *gt_v1_open(const uint8_t *data, size_t len, int version, gt_error *err)
{
    gt_error local = GT_ERROR_INIT;
    gt_v1 *v = calloc(1, sizeof *v);
    if (!v) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    if (version != GT_GO111 && version != GT_GO119 && version != GT_GO121) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "unknown or unsupported version go 1.%d", version);
        free(v);
        return NULL;
    }
    v->table = gt_table_new();
    if (!v->table) {
        gt_error_set(&local, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto fail;
    }
    v->t.version = version;
    v->t.data = data;
    v->t.len = len;
    v->t.table = v->table;
    if (len < 16) {
        gt_error_set(&local, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
        goto fail;
    }
    if (gt_v1_parse(&v->t, &local))
        goto fail;
    if (gt_v1_stack_bits_build(&v->t)) {
        gt_error_set(&local, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        goto fail;
    }
    if (gt_v1_check(&v->t, &local) || build_table(v, &local))
        goto fail;
    for (unsigned type = 0; type < 256; type++) {
        const gt_spec *spec = gt_spec_any(type);
        v->kind_of[type] = (uint8_t)gt_event_kind_of_type(type);
        v->stack_arg[type] = spec && spec->nstack_ids > 0 && spec->stack_ids[0] >= 1 && spec->stack_ids[0] <= 4
                                 ? (int8_t)(spec->stack_ids[0] - 1)
                                 : -1;
    }
    find_initial_procs(v);
    v->it = (v1_iter)V1_ITER_INIT;
    v->pre_init = 1;
    v->last_ts = -1;
    gt_error_clear(&v->err);
    return v;
fail:
    if (err)
        gt_error_move(err, &local);
    gt_error_clear(&local);
    gt_v1_free(v);
    return NULL;
}

/* Go's rule for the converted stream: times strictly increase. */
static void fix_time(gt_v1 *v, gt_event *ev)
{
    if (ev->time <= v->last_ts)
        ev->time = (int64_t)((uint64_t)v->last_ts + 1);
    v->last_ts = ev->time;
}

/* The stack the checked trace gives ev (check.c's rules): a GoStart takes
 * its goroutine's creation stack, and stacks that do not exist are none. */
static int fix_stack(gt_v1 *v, v1_event *ev)
{
    if (ev->type == V1_EV_GO_CREATE) {
        if (gt_u64map_put(&v->create_stacks, ev->a0, (uint64_t)1 << 32 | (uint32_t)ev->a1))
            return -1;
        v->live_creates++;
        if (gt_v1_map_compact(&v->create_stacks, v->live_creates))
            return -1;
    } else if ((ev->type == V1_EV_GO_START || ev->type == V1_EV_GO_START_LABEL) && v->live_creates) {
        uint64_t *slot = gt_u64map_get(&v->create_stacks, ev->g);
        if (slot && *slot) {
            ev->stk = (uint32_t)*slot;
            *slot = 0;
            v->live_creates--;
        }
    }
    if (ev->stk != 0 && !gt_v1_stack_exists(&v->t, ev->stk))
        ev->stk = 0;
    return 0;
}

/* The next old event into v->ahead: 1, or 0 at the end. */
static int peek(gt_v1 *v)
{
    if (!v->has_ahead) {
        size_t pos;
        v->has_ahead = gt_v1_iter_next(&v->t, &v->it, &v->ahead, &pos);
    }
    return v->has_ahead;
}

int gt_v1_next(gt_v1 *v, gt_event *ev, gt_error *err)
{
    if (v->failed) {
        if (err)
            gt_error_copy(err, &v->err);
        return -1;
    }
    if (v->done)
        return 0;
    if (v->syncs == 0 && peek(v)) {
        *ev = gt_event_make_sync(v->table, (int64_t)((uint64_t)v->ahead.ts - 1), ++v->syncs);
        return 1;
    }
    for (;;) {
        if (v->extra_pos < v->nextra) {
            *ev = v->extra[v->extra_pos++];
            if (v->extra_pos == v->nextra)
                v->extra_pos = v->nextra = 0;
            fix_time(v, ev);
            return 1;
        }
        if (!peek(v)) {
            v->done = 1;
            /* Go's last Sync has no generation data; the trace's table has
             * none a Sync shows either (no clock snapshot, no experimental
             * batches), and it gives the event a home for
             * gt_event_string's text. */
            *ev = gt_event_make_sync(v->table, (int64_t)((uint64_t)v->last_ts + 1), ++v->syncs);
            return 1;
        }
        v->has_ahead = 0;
        int r = fix_stack(v, &v->ahead) ? CONV_NOMEM : convert(v, &v->ahead, ev);
        if (r == CONV_SKIP)
            continue;
        if (r < 0) {
            if (r == CONV_NOMEM)
                gt_error_set(&v->err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
            v->failed = 1;
            if (err)
                gt_error_copy(err, &v->err);
            return -1;
        }
        fix_time(v, ev);
        return 1;
    }
}

size_t gt_v1_event_count(const gt_v1 *v) { return v ? v->t.nevents : 0; }

size_t gt_v1_held_bytes(const gt_v1 *v)
{
    return v ? v->t.nstream + v->t.nmoved * sizeof *v->t.moved : 0;
}

static int scan_stops(void *arg, const uint8_t *data, size_t len) { return gt_v1_scan(arg, data, len); }

int gt_v1_slurp(gt_input *in, int version, const uint8_t *prefix, size_t npre, uint8_t **data, size_t *len)
{
    v1_scanner *s = malloc(sizeof *s);
    if (!s)
        return -1;
    gt_v1_scanner_init(s, version);
    int rc = gt_in_slurp(in, prefix, npre, data, len, scan_stops, s);
    gt_error_clear(&s->err);
    free(s);
    return rc;
}

void gt_v1_free(gt_v1 *v)
{
    if (!v)
        return;
    gt_v1_trace_free(&v->t);
    gt_table_free(v->table);
    free(v->extra);
    gt_u64map_free(&v->created_pre_init);
    free(v->pre_slots);
    gt_u64map_free(&v->create_stacks);
    gt_u64map_free(&v->proc_index.map);
    free(v->procs);
    gt_u64map_free(&v->task_index);
    free(v->tasks);
    free(v->free_tasks);
    gt_error_clear(&v->err);
    free(v);
}
