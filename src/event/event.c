/* Public event accessors: Go's internal/trace Event methods (event.go) over
 * the wire-level representation kept in gt_event (priv_type, priv_args,
 * priv_table).
 *
 * Representation contract (shared with the v1 converter):
 *   - priv_type is the wire event type (enum gt_ev), or GT_EV_SYNTH_SYNC for
 *     the reader's Sync events;
 *   - priv_args are the wire arguments without the timestamp, in spec order;
 *     the slots after the spec's arguments are Go's "extra" arguments
 *     (ProcSteal/ProcStatus: the old proc status; UserTaskEnd: parent task
 *     and an extra-string ID of the task type);
 *   - GoStatus/GoStatusStack carry in args[2] the old gt_go_state << 32 |
 *     the wire gt_wire_go_status, exactly like Go's packed status;
 *   - CPU samples (GT_EV_CPU_SAMPLE) carry their stack ID in args[0];
 *   - Sync carries its number N in args[0];
 *   - priv_table is the generation's gt_table (NULL only for Syncs that have
 *     no table).
 */
#include <pthread.h>
#include <string.h>

#include "event/table.h"
#include "wire/spec.h"

const char *gt_go_state_name(gt_go_state s)
{
    switch (s) {
    case GT_GO_UNDETERMINED: return "Undetermined";
    case GT_GO_NOT_EXIST: return "NotExist";
    case GT_GO_RUNNABLE: return "Runnable";
    case GT_GO_RUNNING: return "Running";
    case GT_GO_WAITING: return "Waiting";
    case GT_GO_SYSCALL: return "Syscall";
    }
    return "Bad";
}

const char *gt_proc_state_name(gt_proc_state s)
{
    switch (s) {
    case GT_PROC_UNDETERMINED: return "Undetermined";
    case GT_PROC_NOT_EXIST: return "NotExist";
    case GT_PROC_RUNNING: return "Running";
    case GT_PROC_IDLE: return "Idle";
    }
    return "Bad";
}

const char *gt_resource_kind_name(gt_resource_kind k)
{
    switch (k) {
    case GT_RESOURCE_NONE: return "None";
    case GT_RESOURCE_GOROUTINE: return "Goroutine";
    case GT_RESOURCE_PROC: return "Proc";
    case GT_RESOURCE_THREAD: return "Thread";
    }
    return "Bad";
}

const char *gt_event_kind_name(gt_event_kind k)
{
    static const char *const names[] = {
        [GT_EVENT_BAD] = "Bad",
        [GT_EVENT_SYNC] = "Sync",
        [GT_EVENT_METRIC] = "Metric",
        [GT_EVENT_LABEL] = "Label",
        [GT_EVENT_STACK_SAMPLE] = "StackSample",
        [GT_EVENT_RANGE_BEGIN] = "RangeBegin",
        [GT_EVENT_RANGE_ACTIVE] = "RangeActive",
        [GT_EVENT_RANGE_END] = "RangeEnd",
        [GT_EVENT_TASK_BEGIN] = "TaskBegin",
        [GT_EVENT_TASK_END] = "TaskEnd",
        [GT_EVENT_REGION_BEGIN] = "RegionBegin",
        [GT_EVENT_REGION_END] = "RegionEnd",
        [GT_EVENT_LOG] = "Log",
        [GT_EVENT_STATE_TRANSITION] = "StateTransition",
        [GT_EVENT_EXPERIMENTAL] = "Experimental",
    };
    if ((unsigned)k >= sizeof names / sizeof names[0])
        return names[0];
    return names[k];
}

gt_event_kind gt_event_kind_of_type(unsigned type)
{
    switch (type) {
    case GT_EV_CPU_SAMPLE: return GT_EVENT_STACK_SAMPLE;
    case GT_EV_PROCS_CHANGE: case GT_EV_HEAP_ALLOC: case GT_EV_HEAP_GOAL: return GT_EVENT_METRIC;
    case GT_EV_PROC_START: case GT_EV_PROC_STOP: case GT_EV_PROC_STEAL: case GT_EV_PROC_STATUS:
    case GT_EV_GO_CREATE: case GT_EV_GO_CREATE_SYSCALL: case GT_EV_GO_START: case GT_EV_GO_DESTROY:
    case GT_EV_GO_DESTROY_SYSCALL: case GT_EV_GO_STOP: case GT_EV_GO_BLOCK: case GT_EV_GO_UNBLOCK:
    case GT_EV_GO_SYSCALL_BEGIN: case GT_EV_GO_SYSCALL_END: case GT_EV_GO_SYSCALL_END_BLOCKED:
    case GT_EV_GO_STATUS: case GT_EV_GO_SWITCH: case GT_EV_GO_SWITCH_DESTROY:
    case GT_EV_GO_CREATE_BLOCKED: case GT_EV_GO_STATUS_STACK:
        return GT_EVENT_STATE_TRANSITION;
    case GT_EV_STW_BEGIN: case GT_EV_GC_BEGIN: case GT_EV_GC_SWEEP_BEGIN: case GT_EV_GC_MARK_ASSIST_BEGIN:
        return GT_EVENT_RANGE_BEGIN;
    case GT_EV_GC_ACTIVE: case GT_EV_GC_SWEEP_ACTIVE: case GT_EV_GC_MARK_ASSIST_ACTIVE:
        return GT_EVENT_RANGE_ACTIVE;
    case GT_EV_STW_END: case GT_EV_GC_END: case GT_EV_GC_SWEEP_END: case GT_EV_GC_MARK_ASSIST_END:
        return GT_EVENT_RANGE_END;
    case GT_EV_GO_LABEL: return GT_EVENT_LABEL;
    case GT_EV_USER_TASK_BEGIN: return GT_EVENT_TASK_BEGIN;
    case GT_EV_USER_TASK_END: return GT_EVENT_TASK_END;
    case GT_EV_USER_REGION_BEGIN: return GT_EVENT_REGION_BEGIN;
    case GT_EV_USER_REGION_END: return GT_EVENT_REGION_END;
    case GT_EV_USER_LOG: return GT_EVENT_LOG;
    case GT_EV_SYNTH_SYNC: return GT_EVENT_SYNC;
    }
    if (type >= GT_EV_SPAN && type < GT_EV_MAX_EXPERIMENTAL)
        return GT_EVENT_EXPERIMENTAL;
    return GT_EVENT_BAD;
}

static const gt_table *table_of(const gt_event *ev) { return (const gt_table *)ev->priv_table; }

/* A string of the event's table; "" when the ID is unknown (the reader has
 * validated every ID it hands out, so this only guards foreign events). */
static gt_str event_string(const gt_event *ev, uint64_t id)
{
    gt_str s = {"", 0};
    if (table_of(ev))
        gt_table_string(table_of(ev), id, &s);
    return s;
}

/* Index of the first "extra" argument slot (Go's baseEvent.extra). */
static size_t extra_index(unsigned type)
{
    const gt_spec *spec = gt_spec_any(type);
    return spec && spec->nargs > 0 ? spec->nargs - 1u : 0;
}

/* By wire type: 1 + the index in priv_args of the event's own stack ID, or
 * 0 when the type has none. Built once from the spec table, so that
 * gt_event_stack (once or twice per event for most consumers) is one load. */
static uint8_t own_stack_arg[256];
static pthread_once_t own_stack_once = PTHREAD_ONCE_INIT;
/* Set (release) once own_stack_arg is built: a reader that sees it set (an
 * acquire load, a plain load on x86) skips the call to pthread_once. */
static atomic_int own_stack_ready;

static void init_own_stack_arg(void)
{
    for (unsigned t = 0; t < 256; t++) {
        const gt_spec *spec = t == GT_EV_SYNTH_SYNC ? NULL : gt_spec_any(t);
        if (spec && spec->nstack_ids > 0)
            own_stack_arg[t] = (uint8_t)spec->stack_ids[0];
    }
    atomic_store_explicit(&own_stack_ready, 1, memory_order_release);
}

gt_stack gt_event_stack(const gt_event *ev)
{
    gt_stack none = {NULL, 0};
    /* Go returns a handle even for stack 0 here: it prints "Stack=". */
    if (ev->priv_type == GT_EV_CPU_SAMPLE)
        return (gt_stack){ev->priv_table, ev->priv_args[0]};
    if (!atomic_load_explicit(&own_stack_ready, memory_order_acquire))
        pthread_once(&own_stack_once, init_own_stack_arg);
    unsigned k = own_stack_arg[ev->priv_type];
    if (k == 0)
        return none;
    uint64_t id = ev->priv_args[k - 1];
    if (id == 0)
        return none;
    return (gt_stack){ev->priv_table, id};
}

size_t gt_stack_len(gt_stack s)
{
    gt_stack_rec rec;
    if (s.id == 0 || !s.priv_table || !gt_table_stack(s.priv_table, s.id, &rec))
        return 0;
    return rec.n;
}

int gt_stack_frame(gt_stack s, size_t i, gt_frame *out)
{
    gt_stack_rec rec;
    if (s.id == 0 || !s.priv_table || !gt_table_stack(s.priv_table, s.id, &rec) || i >= rec.n)
        return -1;
    *out = gt_table_stack_frame(s.priv_table, &rec, i);
    return 0;
}

size_t gt_stack_frames(gt_stack s, const gt_frame **frames)
{
    const gt_table *t = s.priv_table;
    if (s.id == 0 || !t) {
        *frames = NULL;
        return 0;
    }
    /* The usual case here, a stack ID in the dense index whose array is
     * built already: two acquire loads (plain loads on x86), no lock, and
     * nothing else (gt_table_stack_frames does the rest, a tail call). */
    if (s.id < t->stack_index.nslot) {
        uint32_t slot = t->stack_index.slot[s.id];
        gt_stack_caches *c = atomic_load_explicit(&((gt_table *)t)->stack_caches, memory_order_acquire);
        if (slot && c && slot - 1 < c->n) {
            const gt_frame *built = atomic_load_explicit(&c->e[slot - 1].frames, memory_order_acquire);
            if (built) {
                *frames = built;
                return t->stacks[slot - 1].n;
            }
        }
    }
    return gt_table_stack_frames(t, s.id, frames);
}

static gt_value uint_value(uint64_t v) { return (gt_value){GT_VALUE_UINT64, v, {NULL, 0}}; }

static gt_str lit(const char *s) { return (gt_str){s, strlen(s)}; }

int gt_event_metric(const gt_event *ev, gt_metric *out)
{
    const char *name;
    switch (ev->priv_type) {
    case GT_EV_PROCS_CHANGE: name = "/sched/gomaxprocs:threads"; break;
    case GT_EV_HEAP_ALLOC: name = "/memory/classes/heap/objects:bytes"; break;
    case GT_EV_HEAP_GOAL: name = "/gc/heap/goal:bytes"; break;
    default: return -1;
    }
    out->name = lit(name);
    out->value = uint_value(ev->priv_args[0]);
    return 0;
}

int gt_event_label(const gt_event *ev, gt_label *out)
{
    if (ev->priv_type != GT_EV_GO_LABEL)
        return -1;
    out->label = event_string(ev, ev->priv_args[0]);
    out->resource = (gt_resource){GT_RESOURCE_GOROUTINE, ev->goroutine};
    return 0;
}

int gt_event_range(const gt_event *ev, gt_range *out)
{
    const gt_table *t = table_of(ev);
    switch (ev->priv_type) {
    case GT_EV_STW_BEGIN:
    case GT_EV_STW_END: {
        /* Go builds "stop-the-world (KIND)": the text is made once per kind
         * and kept in the event's table, so the pointer follows the
         * lifetime rule. */
        gt_str kind = event_string(ev, ev->priv_args[0]);
        out->name = t ? gt_table_stw_name(t, kind) : lit("stop-the-world ()");
        out->scope = (gt_resource){GT_RESOURCE_GOROUTINE, ev->goroutine};
        return 0;
    }
    case GT_EV_GC_BEGIN: case GT_EV_GC_ACTIVE: case GT_EV_GC_END:
        out->name = lit("GC concurrent mark phase");
        out->scope = (gt_resource){GT_RESOURCE_NONE, 0};
        return 0;
    case GT_EV_GC_SWEEP_BEGIN: case GT_EV_GC_SWEEP_ACTIVE: case GT_EV_GC_SWEEP_END:
        out->name = lit("GC incremental sweep");
        out->scope = (gt_resource){GT_RESOURCE_PROC,
                                   ev->priv_type == GT_EV_GC_SWEEP_ACTIVE ? (int64_t)ev->priv_args[0] : ev->proc};
        return 0;
    case GT_EV_GC_MARK_ASSIST_BEGIN: case GT_EV_GC_MARK_ASSIST_ACTIVE: case GT_EV_GC_MARK_ASSIST_END:
        out->name = lit("GC mark assist");
        out->scope = (gt_resource){GT_RESOURCE_GOROUTINE, ev->priv_type == GT_EV_GC_MARK_ASSIST_ACTIVE
                                                              ? (int64_t)ev->priv_args[0]
                                                              : ev->goroutine};
        return 0;
    }
    return -1;
}

size_t gt_event_range_attributes(const gt_event *ev, gt_range_attribute *out, size_t cap)
{
    if (ev->priv_type != GT_EV_GC_SWEEP_END)
        return 0;
    const gt_range_attribute attrs[2] = {
        {lit("bytes swept"), uint_value(ev->priv_args[0])},
        {lit("bytes reclaimed"), uint_value(ev->priv_args[1])},
    };
    for (size_t i = 0; i < 2 && i < cap; i++)
        out[i] = attrs[i];
    return 2;
}

int gt_event_task(const gt_event *ev, gt_task *out)
{
    if (ev->priv_type == GT_EV_USER_TASK_BEGIN) {
        out->id = ev->priv_args[0];
        out->parent = ev->priv_args[1];
        out->type = event_string(ev, ev->priv_args[2]);
        return 0;
    }
    if (ev->priv_type == GT_EV_USER_TASK_END) {
        size_t x = extra_index(GT_EV_USER_TASK_END);
        out->id = ev->priv_args[0];
        out->parent = ev->priv_args[x];
        out->type = table_of(ev) ? gt_table_extra(table_of(ev), ev->priv_args[x + 1]) : lit("");
        return 0;
    }
    return -1;
}

int gt_event_region(const gt_event *ev, gt_region *out)
{
    if (ev->priv_type != GT_EV_USER_REGION_BEGIN && ev->priv_type != GT_EV_USER_REGION_END)
        return -1;
    out->task = ev->priv_args[0];
    out->type = event_string(ev, ev->priv_args[1]);
    return 0;
}

int gt_event_log(const gt_event *ev, gt_log *out)
{
    if (ev->priv_type != GT_EV_USER_LOG)
        return -1;
    out->task = ev->priv_args[0];
    out->category = event_string(ev, ev->priv_args[1]);
    out->message = event_string(ev, ev->priv_args[2]);
    return 0;
}

/* Go's tracev2GoStatus2GoState / tracev2ProcStatus2ProcState. */
static int go_state_of_wire(uint64_t s)
{
    switch (s) {
    case GT_WGO_RUNNABLE: return GT_GO_RUNNABLE;
    case GT_WGO_RUNNING: return GT_GO_RUNNING;
    case GT_WGO_WAITING: return GT_GO_WAITING;
    case GT_WGO_SYSCALL: return GT_GO_SYSCALL;
    }
    return GT_GO_UNDETERMINED;
}

static int proc_state_of_wire(uint64_t s)
{
    switch (s) {
    case GT_WPROC_RUNNING: case GT_WPROC_SYSCALL: return GT_PROC_RUNNING;
    case GT_WPROC_IDLE: case GT_WPROC_SYSCALL_ABANDONED: return GT_PROC_IDLE;
    }
    return GT_PROC_UNDETERMINED;
}

/* Fills the whole of *out in place (gt_event_state_transition's cases: no
 * local to copy). */
static inline int set_transition(gt_state_transition *out, gt_resource resource, int old_state, int new_state,
                                 gt_str reason, gt_stack stack)
{
    *out = (gt_state_transition){resource, old_state, new_state, reason, stack};
    return 0;
}

int gt_event_state_transition(const gt_event *ev, gt_state_transition *out)
{
    const uint64_t *a = ev->priv_args;
    const gt_resource self = {GT_RESOURCE_GOROUTINE, ev->goroutine};
    const gt_str no_reason = {"", 0};
    const gt_stack no_stack = {NULL, 0};
    switch (ev->priv_type) {
    case GT_EV_PROC_START:
        return set_transition(out, (gt_resource){GT_RESOURCE_PROC, (int64_t)a[0]}, GT_PROC_IDLE, GT_PROC_RUNNING,
                              no_reason, no_stack);
    case GT_EV_PROC_STOP:
        return set_transition(out, (gt_resource){GT_RESOURCE_PROC, ev->proc}, GT_PROC_RUNNING, GT_PROC_IDLE, no_reason,
                              no_stack);
    case GT_EV_PROC_STEAL:
        return set_transition(out, (gt_resource){GT_RESOURCE_PROC, (int64_t)a[0]},
                              a[extra_index(GT_EV_PROC_STEAL)] == GT_WPROC_SYSCALL_ABANDONED ? GT_PROC_IDLE
                                                                                             : GT_PROC_RUNNING,
                              GT_PROC_IDLE, no_reason, no_stack);
    case GT_EV_PROC_STATUS:
        return set_transition(out, (gt_resource){GT_RESOURCE_PROC, (int64_t)a[0]},
                              (int)(uint8_t)a[extra_index(GT_EV_PROC_STATUS)], proc_state_of_wire(a[1]), no_reason,
                              no_stack);
    case GT_EV_GO_CREATE:
    case GT_EV_GO_CREATE_BLOCKED:
        return set_transition(out, (gt_resource){GT_RESOURCE_GOROUTINE, (int64_t)a[0]}, GT_GO_NOT_EXIST,
                              ev->priv_type == GT_EV_GO_CREATE_BLOCKED ? GT_GO_WAITING : GT_GO_RUNNABLE, no_reason,
                              (gt_stack){ev->priv_table, a[1]});
    case GT_EV_GO_CREATE_SYSCALL:
        return set_transition(out, (gt_resource){GT_RESOURCE_GOROUTINE, (int64_t)a[0]}, GT_GO_NOT_EXIST,
                              GT_GO_SYSCALL, no_reason, no_stack);
    case GT_EV_GO_START:
        return set_transition(out, (gt_resource){GT_RESOURCE_GOROUTINE, (int64_t)a[0]}, GT_GO_RUNNABLE,
                              GT_GO_RUNNING, no_reason, no_stack);
    case GT_EV_GO_DESTROY:
        return set_transition(out, self, GT_GO_RUNNING, GT_GO_NOT_EXIST, no_reason, no_stack);
    case GT_EV_GO_DESTROY_SYSCALL:
        return set_transition(out, self, GT_GO_SYSCALL, GT_GO_NOT_EXIST, no_reason, no_stack);
    case GT_EV_GO_STOP:
    case GT_EV_GO_BLOCK:
        return set_transition(out, self, GT_GO_RUNNING,
                              ev->priv_type == GT_EV_GO_STOP ? GT_GO_RUNNABLE : GT_GO_WAITING,
                              event_string(ev, a[0]), gt_event_stack(ev));
    case GT_EV_GO_UNBLOCK:
    case GT_EV_GO_SWITCH:
    case GT_EV_GO_SWITCH_DESTROY:
        return set_transition(out, (gt_resource){GT_RESOURCE_GOROUTINE, (int64_t)a[0]}, GT_GO_WAITING,
                              GT_GO_RUNNABLE, no_reason, no_stack);
    case GT_EV_GO_SYSCALL_BEGIN:
        return set_transition(out, self, GT_GO_RUNNING, GT_GO_SYSCALL, no_reason, gt_event_stack(ev));
    case GT_EV_GO_SYSCALL_END:
        return set_transition(out, self, GT_GO_SYSCALL, GT_GO_RUNNING, no_reason, no_stack);
    case GT_EV_GO_SYSCALL_END_BLOCKED:
        return set_transition(out, self, GT_GO_SYSCALL, GT_GO_RUNNABLE, no_reason, no_stack);
    case GT_EV_GO_STATUS:
    case GT_EV_GO_STATUS_STACK:
        return set_transition(out, (gt_resource){GT_RESOURCE_GOROUTINE, (int64_t)a[0]}, (int)(uint8_t)(a[2] >> 32),
                              go_state_of_wire(a[2] & 0xffffffffu), no_reason, gt_event_stack(ev));
    default:
        return -1;
    }
}

int gt_event_sync(const gt_event *ev, gt_sync *out)
{
    if (ev->priv_type != GT_EV_SYNTH_SYNC)
        return -1;
    gt_sync s = {(int64_t)ev->priv_args[0], 0, {0, 0, 0, 0}, 0};
    const gt_table *t = table_of(ev);
    if (t) {
        s.n_experimental_batches = t->nexp_batches;
        if (t->has_clock_snapshot) {
            s.has_clock_snapshot = 1;
            s.clock.trace = gt_table_time(t, t->snap_time);
            s.clock.mono = t->snap_mono;
            s.clock.wall_sec = t->snap_wall_sec;
            s.clock.wall_nsec = t->snap_wall_nsec;
        }
    }
    *out = s;
    return 0;
}

int gt_event_sync_experimental_batch(const gt_event *ev, size_t i, gt_experimental_batch *out)
{
    const gt_table *t = table_of(ev);
    if (ev->priv_type != GT_EV_SYNTH_SYNC || !t || i >= t->nexp_batches)
        return -1;
    const gt_exp_batch_rec *b = &t->exp_batches[i];
    const char *name = gt_experiment_name(b->experiment);
    out->experiment = lit(name ? name : "");
    out->thread = b->thread;
    out->data = b->data;
    out->len = b->len;
    return 0;
}

int gt_event_experimental(const gt_event *ev, gt_experimental *out)
{
    if (gt_event_kind_of_type(ev->priv_type) != GT_EVENT_EXPERIMENTAL)
        return -1;
    const gt_spec *spec = gt_spec_any(ev->priv_type);
    if (!spec)
        return -1;
    const char *exp = gt_experiment_name(spec->experiment);
    gt_experimental x;
    memset(&x, 0, sizeof x);
    x.name = lit(spec->name);
    x.experiment = lit(exp ? exp : "");
    x.nargs = spec->nargs > 0 ? spec->nargs - 1u : 0;
    if (x.nargs > GT_MAX_EXPERIMENTAL_ARGS)
        x.nargs = GT_MAX_EXPERIMENTAL_ARGS;
    for (size_t i = 0; i < x.nargs; i++) {
        const char *arg = spec->args[i + 1];
        size_t n = strlen(arg);
        x.arg_names[i] = (gt_str){arg, n};
        /* Go: arguments whose name ends in "string" are string IDs. */
        if (n >= 6 && strcmp(arg + n - 6, "string") == 0)
            x.arg_values[i] = (gt_value){GT_VALUE_STRING, 0, event_string(ev, ev->priv_args[i])};
        else
            x.arg_values[i] = uint_value(ev->priv_args[i]);
    }
    *out = x;
    return 0;
}

gt_event gt_event_make_sync(const gt_table *t, int64_t ts, int64_t n)
{
    gt_event e;
    memset(&e, 0, sizeof e);
    e.time = ts;
    e.goroutine = GT_NO_GOROUTINE;
    e.proc = GT_NO_PROC;
    e.thread = GT_NO_THREAD;
    e.kind = GT_EVENT_SYNC;
    e.priv_type = GT_EV_SYNTH_SYNC;
    e.priv_args[0] = (uint64_t)n;
    e.priv_table = t;
    return e;
}
