/* src/export/rows.c — a trace as table rows (gotrace/rows.h).
 *
 * Where the rows come from:
 *  - events, one row each: g_transitions, p_transitions (held back until the
 *    next transition of the same goroutine or P gives their duration),
 *    cpu_samples, logs, metrics, labels;
 *  - the timeline tracker (gt_tl): ranges (a row when the range ends) and
 *    m_transitions (its thread slices holding a P);
 *  - the goroutine analysis (gt_summary, streaming its regions): regions as
 *    they finish, goroutines and tasks at the end;
 *  - stacks and frames the first time a stack is used.
 *
 * Stacks are identified across generations by content: the frames' PCs and
 * lines and the interned IDs of their function and file names, as a byte
 * string interned once (the interner's entry number is the stack's ID). A
 * cache maps the current generation's stack IDs to those, so an event costs
 * one map lookup. */
#include <stdlib.h>
#include <string.h>

#include "analysis/intern.h"
#include "common/hash.h"
#include "gotrace/analysis.h"
#include "gotrace/export.h"
#include "gotrace/rows.h"
#include "gotrace/window.h"
#include "rows_typed.h"

/* ------------------------------------------------------------- schema */

#define N(a) (uint32_t)(sizeof a / sizeof a[0])
#define I GT_ROWS_INT64
#define D GT_ROWS_DOUBLE
#define T GT_ROWS_TEXT
#define B GT_ROWS_BOOL

static const gt_rows_column col_traces[] = {
    {"file", T, 0, "", "the trace file as named on the command line (\"-\": standard input)"},
    {"go_version", I, 1, "", "the Go version of the trace format: 11 to 27 (1.11 to 1.27)"},
    {"start_time", I, 0, "ns", "time of the first event (trace clock)"},
    {"end_time", I, 0, "ns", "time of the last event"},
    {"duration", I, 0, "ns", "end_time - start_time"},
    {"wall_start", I, 1, "ns", "wall clock at start_time, ns since the Unix epoch, from the first clock snapshot (Go 1.25+)"},
    {"events", I, 0, "", "events read"},
    {"generations", I, 0, "", "Sync events read (generations, plus one in Go 1.22+ traces)"},
    {"error", T, 1, "", "why reading stopped early: the trace is broken after the last event read; NULL when complete"},
};
static const gt_rows_column col_goroutines[] = {
    {"id", I, 0, "", "goroutine ID"},
    {"name", T, 0, "", "start function (the outermost frame of its first stack), \"\" when unknown"},
    {"pc", I, 0, "", "program counter of that frame, 0 when unknown"},
    {"is_system", B, 0, "", "a runtime goroutine (Go's IsSystemGoroutine)"},
    {"creation_time", I, 1, "ns", "when it was created; NULL when before the trace"},
    {"creator", I, 1, "", "the goroutine that created it (NULL: none, or unknown)"},
    {"start_time", I, 1, "ns", "when it first ran; NULL when it never ran"},
    {"end_time", I, 1, "ns", "when it ended; NULL when it did not end in the trace"},
    {"exec_time", I, 0, "ns", "time running"},
    {"sched_wait_time", I, 0, "ns", "time runnable, waiting for a P"},
    {"syscall_time", I, 0, "ns", "time in system calls"},
    {"syscall_block_time", I, 0, "ns", "time blocked in system calls (the P taken away)"},
    {"block_time", I, 0, "ns", "time waiting, all reasons (goroutine_times has it by reason)"},
    {"unknown_time", I, 0, "ns", "time in the trace not covered by the five times above"},
    {"total_time", I, 0, "ns", "time the goroutine is present in the trace"},
};
static const gt_rows_column col_goroutine_times[] = {
    {"goroutine", I, 0, "", "goroutine ID"},
    {"kind", T, 0, "", "\"block\": time waiting for the reason in name; \"range\": time inside the runtime range name (e.g. \"GC mark assist\")"},
    {"name", T, 0, "", "the reason (\"chan receive\", \"sleep\", ...) or range name"},
    {"time", I, 0, "ns", "the time (0 when the goroutine met the reason or range without spending time)"},
};
static const gt_rows_column col_g_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 0, "", "the goroutine changing state"},
    {"from_state", T, 0, "", "Go's state name: Undetermined, NotExist, Runnable, Running, Waiting, Syscall"},
    {"to_state", T, 0, "", "the new state"},
    {"reason", T, 1, "", "why (\"chan receive\", \"sleep\", \"preempted\", ...), NULL when none"},
    {"duration", I, 1, "ns", "time until the goroutine's next transition; NULL when there is none in the trace"},
    {"stack", I, 1, "", "stacks.id: the goroutine's stack at the transition (for a creation: where it will start)"},
    {"cause_goroutine", I, 1, "", "the goroutine of the event (the creator, the unblocker, or the goroutine itself)"},
    {"cause_proc", I, 1, "", "the P of the event"},
    {"cause_thread", I, 1, "", "the thread (M) of the event"},
    {"cause_stack", I, 1, "", "stacks.id: the event's own stack (the creator's, the unblocker's)"},
};
/* rows_typed.h's GT_G_* name these columns in this order. */
_Static_assert(sizeof col_g_transitions / sizeof col_g_transitions[0] == GT_G_COLUMNS,
               "g_transitions' columns and GT_G_* differ");

static const gt_rows_column col_p_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"proc", I, 0, "", "the P changing state"},
    {"from_state", T, 0, "", "Undetermined, NotExist, Running or Idle"},
    {"to_state", T, 0, "", "the new state"},
    {"duration", I, 1, "ns", "time until the P's next transition; NULL when none"},
    {"cause_goroutine", I, 1, "", "the goroutine of the event"},
    {"cause_thread", I, 1, "", "the thread (M) of the event"},
};
static const gt_rows_column col_m_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"thread", I, 0, "", "the thread (M)"},
    {"action", T, 0, "", "\"acquire P\" or \"release P\""},
    {"proc", I, 0, "", "the P acquired or released"},
    {"duration", I, 1, "ns", "time until the thread's next transition (holding the P, or without one); NULL when none"},
};
static const gt_rows_column col_stacks[] = {
    {"id", I, 0, "", "stack ID, stable within the trace"},
    {"depth", I, 0, "", "number of frames"},
    {"function", T, 0, "", "the innermost frame's function"},
};
static const gt_rows_column col_frames[] = {
    {"stack", I, 0, "", "stacks.id"},
    {"depth", I, 0, "", "0 for the innermost frame, then 1, 2, ... outwards"},
    {"function", T, 0, "", "function name"},
    {"file", T, 0, "", "source file"},
    {"line", I, 0, "", "source line"},
    {"pc", I, 0, "", "program counter"},
};
static const gt_rows_column col_cpu_samples[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 1, "", "the goroutine running, NULL when none"},
    {"proc", I, 1, "", "the P"},
    {"thread", I, 1, "", "the thread (M)"},
    {"stack", I, 1, "", "stacks.id"},
};
static const gt_rows_column col_tasks[] = {
    {"id", I, 0, "", "task ID (0: the background task)"},
    {"name", T, 0, "", "task type"},
    {"parent", I, 1, "", "parent task ID, NULL when none or unknown"},
    {"start_time", I, 1, "ns", "TaskBegin's time, NULL when before the trace"},
    {"end_time", I, 1, "ns", "TaskEnd's time, NULL when after the trace"},
    {"duration", I, 1, "ns", "end_time - start_time, NULL unless both are known"},
    {"start_goroutine", I, 1, "", "goroutine that began it"},
    {"end_goroutine", I, 1, "", "goroutine that ended it"},
    {"logs", I, 0, "", "log messages in the task"},
    {"regions", I, 0, "", "regions in the task"},
    {"goroutines", I, 0, "", "goroutines associated with the task"},
};
static const gt_rows_column col_regions[] = {
    {"id", I, 0, "", "region ID (1, 2, ... in the order regions finish)"},
    {"task", I, 0, "", "task ID (0: background)"},
    {"name", T, 0, "", "region type (\"\": the region a goroutine inherits from its creator's)"},
    {"goroutine", I, 0, "", "the goroutine it ran on"},
    {"start_time", I, 1, "ns", "begin, NULL when before the trace"},
    {"end_time", I, 1, "ns", "end, NULL when after the trace"},
    {"duration", I, 0, "ns", "from begin to end, an unknown begin taken as the trace's start and an unknown end as its end (as gotrace regions)"},
    {"function", T, 1, "", "the start frame's function (gotrace regions' grouping)"},
    {"file", T, 1, "", "the start frame's file"},
    {"line", I, 1, "", "the start frame's line"},
    {"pc", I, 1, "", "the start frame's PC"},
    {"exec_time", I, 0, "ns", "the goroutine's time running while in the region"},
    {"sched_wait_time", I, 0, "ns", "its time runnable while in the region"},
    {"syscall_time", I, 0, "ns", "its time in system calls while in the region"},
    {"syscall_block_time", I, 0, "ns", "its time blocked in system calls while in the region"},
    {"block_time", I, 0, "ns", "its time waiting while in the region (region_times has it by reason)"},
    {"unknown_time", I, 0, "ns", "its time in none of the above while in the region"},
    {"total_time", I, 0, "ns", "time the region was active"},
};
static const gt_rows_column col_region_times[] = {
    {"region", I, 0, "", "regions.id"},
    {"kind", T, 0, "", "\"block\" or \"range\", as goroutine_times"},
    {"name", T, 0, "", "reason or range name"},
    {"time", I, 0, "ns", "the time"},
};
static const gt_rows_column col_logs[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 1, "", "the goroutine that logged"},
    {"task", I, 0, "", "task ID (0: background)"},
    {"category", T, 0, "", "category"},
    {"message", T, 0, "", "message"},
    {"stack", I, 1, "", "stacks.id"},
};
static const gt_rows_column col_ranges[] = {
    {"name", T, 0, "", "e.g. \"GC concurrent mark phase\", \"stop-the-world (GC sweep termination)\", \"GC incremental sweep\", \"GC mark assist\""},
    {"scope", T, 0, "", "\"global\", \"proc\" or \"goroutine\""},
    {"scope_id", I, 1, "", "the P or goroutine ID; NULL for global ranges"},
    {"start_time", I, 0, "ns", "begin (the trace's start or the generation's for a range already active)"},
    {"end_time", I, 0, "ns", "end (the last event's time for a range still open)"},
    {"duration", I, 0, "ns", "end_time - start_time"},
    {"stack", I, 1, "", "stacks.id of the begin event"},
};
static const gt_rows_column col_metrics[] = {
    {"time", I, 0, "ns", "when"},
    {"name", T, 0, "", "the runtime/metrics name: \"/memory/classes/heap/objects:bytes\" (heap live), \"/gc/heap/goal:bytes\", \"/sched/gomaxprocs:threads\", ..."},
    {"value", I, 0, "", "the value, in the unit its name ends with (bytes, threads)"},
};
static const gt_rows_column col_labels[] = {
    {"time", I, 0, "ns", "when"},
    {"label", T, 0, "", "the label (e.g. \"GC (dedicated)\")"},
    {"resource", T, 0, "", "what is labelled: \"goroutine\", \"proc\" or \"thread\""},
    {"resource_id", I, 0, "", "its ID"},
};

static const gt_rows_table tables[GT_ROWS_T_COUNT] = {
    {"traces", "one row per trace", N(col_traces), col_traces},
    {"goroutines", "one row per goroutine, with the goroutine analysis' time breakdown (gotrace goroutines)",
     N(col_goroutines), col_goroutines},
    {"goroutine_times", "a goroutine's block time by reason and time in runtime ranges", N(col_goroutine_times),
     col_goroutine_times},
    {"g_transitions", "one row per goroutine state transition", N(col_g_transitions), col_g_transitions},
    {"p_transitions", "one row per P state transition", N(col_p_transitions), col_p_transitions},
    {"m_transitions", "one row per thread (M) acquiring or releasing a P (a thread's system calls are the g_transitions to and from Syscall, with cause_thread)",
     N(col_m_transitions), col_m_transitions},
    {"stacks", "one row per distinct stack", N(col_stacks), col_stacks},
    {"frames", "one row per frame of each distinct stack", N(col_frames), col_frames},
    {"cpu_samples", "one row per CPU profile sample", N(col_cpu_samples), col_cpu_samples},
    {"tasks", "one row per user task (gotrace tasks)", N(col_tasks), col_tasks},
    {"regions", "one row per user region, with the goroutine's time breakdown inside it (gotrace regions)",
     N(col_regions), col_regions},
    {"region_times", "a region's block time by reason and time in runtime ranges", N(col_region_times),
     col_region_times},
    {"logs", "one row per user log message", N(col_logs), col_logs},
    {"ranges", "one row per runtime range: GC phases, stop-the-world, sweeping, mark assists", N(col_ranges),
     col_ranges},
    {"metrics", "one row per metric sample (heap live, heap goal, GOMAXPROCS, ...)", N(col_metrics), col_metrics},
    {"labels", "one row per label event (e.g. a goroutine doing GC work)", N(col_labels), col_labels},
};

#undef I
#undef D
#undef T
#undef B

const gt_rows_table *gt_rows_tables(uint32_t *n)
{
    if (n)
        *n = GT_ROWS_T_COUNT;
    return tables;
}

/* ------------------------------------------------------------ builder */

enum { M_ACQUIRE = 1, M_RELEASE };
static const char *const m_action_names[] = {"", "acquire P", "release P"};

/* A transition waiting for the next one of its goroutine, P or thread. */
typedef struct pend {
    int64_t time;
    int64_t cause_g, cause_p, cause_m;  /* M: proc and goroutine of the action */
    uint64_t stack, cause_stack;        /* stack IDs, 0: none */
    uint32_t reason;                    /* interned reason ID, 0: none */
    uint8_t from, to;                   /* states; M: to is the action */
    uint32_t next_free;
} pend;

/* The pending transitions of one kind of resource: a slab indexed by a map. */
typedef struct pendset {
    pend *v;
    size_t n, cap;
    uint32_t free;        /* free list, index + 1 */
    gt_u64map index;      /* resource ID -> index + 1 */
} pendset;

typedef struct open_range {
    gt_resource_kind scope;
    int64_t id;
    uint32_t name;
    int64_t start;
    uint64_t stack;
} open_range;

struct gt_rows {
    gt_rows_sink sink;
    int rc;                  /* the sink's code once it stopped us */
    gt_rows_options opt;
    uint64_t counts[GT_ROWS_T_COUNT];
    uint32_t tables;         /* bit t: table t's rows are passed */
    gt_rows_g_fn g_fn;       /* g_transitions' typed sink, or NULL */
    /* What the tables asked for need (gt_rows_set_tables): */
    int want_summary;        /* the goroutine analysis */
    int want_tl;             /* the timeline tracker */
    int want_stack_ids;      /* stack IDs, numbered as for every table */

    uint64_t events, syncs;
    int64_t first, last;     /* event times */
    int64_t win_from, win_to;  /* the window in trace time */
    int has_wall;
    int64_t wall_start;
    int broken, closing;
    int64_t trace_end;       /* where unknown region ends lie (as gotrace regions) */

    gt_interner names;       /* function and file names of frames */
    gt_interner stacks;      /* stack contents (see above): entry number = ID */
    uint64_t stacks_emitted; /* IDs up to this one have their rows */
    unsigned char *key;      /* the stack content being built */
    size_t key_cap;
    const void *cache_table; /* the generation cache's table */
    gt_u64map cache;         /* generation stack ID -> stack ID */

    gt_interner reasons;
    gt_u64map reason_cache;  /* a reason's address in this generation -> ID */
    pendset gs, ps, ms;
    gt_u64map creators;      /* goroutine -> creator */

    gt_tl *tl;
    open_range *ranges;
    size_t n_ranges, cap_ranges;

    gt_summary *summary;
    uint64_t region_seq;
};

/* Values. */
static gt_rows_value v_int(int64_t x) { return (gt_rows_value){x, 0, {"", 0}, 0}; }
static gt_rows_value v_null(void) { return (gt_rows_value){0, 0, {"", 0}, 1}; }
static gt_rows_value v_opt(int64_t x, int present) { return present ? v_int(x) : v_null(); }
/* A goroutine, P or thread ID: NULL when negative (GT_NO_*). */
static gt_rows_value v_id(int64_t x) { return x >= 0 ? v_int(x) : v_null(); }
static gt_rows_value v_stack(uint64_t id) { return id ? v_int((int64_t)id) : v_null(); }
static gt_rows_value v_text(gt_str s)
{
    if (!s.ptr)
        s = (gt_str){"", 0};
    return (gt_rows_value){0, 0, s, 0};
}
static gt_rows_value v_cstr(const char *s) { return v_text((gt_str){s, strlen(s)}); }

static int wants(const gt_rows *r, uint32_t t) { return r->tables >> t & 1; }

static int put(gt_rows *r, uint32_t t, const gt_rows_value *v)
{
    if (!wants(r, t))
        return 0;
    int rc = r->sink.row(r->sink.ctx, t, v);
    if (rc) {
        r->rc = rc;
        return rc;
    }
    r->counts[t]++;
    return 0;
}

static int in_window(const gt_rows *r, int64_t t) { return t >= r->win_from && t <= r->win_to; }
static int overlaps(const gt_rows *r, int64_t a, int64_t b) { return a <= r->win_to && b >= r->win_from; }

/* ------------------------------------------------------------- stacks */

static int emit_stack(gt_rows *r, uint64_t id, const gt_frame *fr, size_t n)
{
    gt_rows_value v[6];
    v[0] = v_int((int64_t)id);
    v[1] = v_int((int64_t)n);
    v[2] = v_text(fr[0].func);
    int rc = put(r, GT_ROWS_T_STACKS, v);
    for (size_t i = 0; i < n && !rc; i++) {
        v[0] = v_int((int64_t)id);
        v[1] = v_int((int64_t)i);
        v[2] = v_text(fr[i].func);
        v[3] = v_text(fr[i].file);
        v[4] = v_int((int64_t)fr[i].line);
        v[5] = v_int((int64_t)fr[i].pc);
        rc = put(r, GT_ROWS_T_FRAMES, v);
    }
    return rc;
}

static void put_u64(unsigned char *p, uint64_t x) { memcpy(p, &x, 8); }
static void put_u32(unsigned char *p, uint32_t x) { memcpy(p, &x, 4); }

/* The stack's ID into *out (0 for the empty stack), its rows passed the
 * first time. 0, -1 (no memory) or the sink's code. */
static int stack_id(gt_rows *r, gt_stack s, uint64_t *out)
{
    *out = 0;
    if (s.id == 0)
        return 0;
    if (s.priv_table != r->cache_table) {
        gt_u64map_clear(&r->cache);
        r->cache_table = s.priv_table;
    }
    uint64_t *hit = gt_u64map_get(&r->cache, s.id);
    if (hit) {
        *out = *hit;
        return 0;
    }
    const gt_frame *fr;
    size_t n = gt_stack_frames(s, &fr);
    if (!n)
        return gt_stack_len(s) ? -1 : 0;
    enum { FRAME_KEY = 24 };
    if (n > SIZE_MAX / FRAME_KEY)
        return -1;
    if (r->key_cap < n * FRAME_KEY) {
        size_t cap = r->key_cap ? r->key_cap : 1024;
        while (cap < n * FRAME_KEY)
            cap *= 2;
        unsigned char *k = realloc(r->key, cap);
        if (!k)
            return -1;
        r->key = k;
        r->key_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        size_t fn = gt_intern_id(&r->names, fr[i].func), file = gt_intern_id(&r->names, fr[i].file);
        if (!fn || !file)
            return -1;
        unsigned char *p = r->key + i * FRAME_KEY;
        put_u64(p, fr[i].pc);
        put_u64(p + 8, fr[i].line);
        put_u32(p + 16, (uint32_t)fn);
        put_u32(p + 20, (uint32_t)file);
    }
    size_t id = gt_intern_id(&r->stacks, (gt_str){(const char *)r->key, n * FRAME_KEY});
    if (!id || gt_u64map_put(&r->cache, s.id, id))
        return -1;
    *out = id;
    if (id > r->stacks_emitted) {
        r->stacks_emitted = id;
        return emit_stack(r, id, fr, n);
    }
    return 0;
}

/* -------------------------------------------------------- transitions */

/* The pending record of resource id, or NULL. */
static pend *pend_get(pendset *s, int64_t id)
{
    uint64_t *i = gt_u64map_get(&s->index, (uint64_t)id);
    return i ? &s->v[*i - 1] : NULL;
}

/* A new pending record for id (not yet in the set). NULL: no memory. */
static pend *pend_add(pendset *s, int64_t id)
{
    uint32_t idx;
    if (s->free) {
        idx = s->free - 1;
        s->free = s->v[idx].next_free;
    } else {
        if (s->n == UINT32_MAX - 1)
            return NULL;
        void *v = s->v;
        if (gt_grow_array(&v, &s->cap, s->n + 1, sizeof(pend)))
            return NULL;
        s->v = v;
        idx = (uint32_t)s->n++;
    }
    if (gt_u64map_put(&s->index, (uint64_t)id, idx + 1)) {
        s->v[idx].next_free = s->free;
        s->free = idx + 1;
        return NULL;
    }
    return &s->v[idx];
}

static void pend_remove(pendset *s, int64_t id)
{
    uint64_t *i = gt_u64map_get(&s->index, (uint64_t)id);
    if (!i)
        return;
    uint32_t idx = (uint32_t)*i - 1;
    gt_u64map_remove(&s->index, (uint64_t)id);
    s->v[idx].next_free = s->free;
    s->free = idx + 1;
}

static void pendset_free(pendset *s)
{
    free(s->v);
    gt_u64map_free(&s->index);
}

static gt_rows_value v_dur(const pend *p, int has_next, int64_t next)
{
    return has_next ? v_int(next - p->time) : v_null();
}

static void g_int(gt_rows_g_row *row, uint32_t j, int64_t x, int null)
{
    if (null)
        row->nulls |= 1u << j;
    else
        row->v[j] = x;
}

static int emit_g(gt_rows *r, int64_t g, const pend *p, int has_next, int64_t next)
{
    if (!in_window(r, p->time) || !wants(r, GT_ROWS_T_G_TRANSITIONS))
        return 0;
    gt_rows_g_row row;
    memset(&row, 0, sizeof row);
    row.v[GT_G_TIME] = p->time;
    row.v[GT_G_GOROUTINE] = g;
    row.from = p->from;
    row.to = p->to;
    row.reason = p->reason;
    if (p->reason)
        row.reason_text = r->reasons.strs[p->reason - 1];
    else
        row.nulls |= 1u << GT_G_REASON;
    /* NULL: no next transition, no stack (ID 0), no goroutine, P or thread
     * (GT_NO_*, negative): as v_dur, v_stack and v_id. */
    g_int(&row, GT_G_DURATION, next - p->time, !has_next);
    g_int(&row, GT_G_STACK, (int64_t)p->stack, !p->stack);
    g_int(&row, GT_G_CAUSE_GOROUTINE, p->cause_g, p->cause_g < 0);
    g_int(&row, GT_G_CAUSE_PROC, p->cause_p, p->cause_p < 0);
    g_int(&row, GT_G_CAUSE_THREAD, p->cause_m, p->cause_m < 0);
    g_int(&row, GT_G_CAUSE_STACK, (int64_t)p->cause_stack, !p->cause_stack);
    if (r->g_fn) {
        int rc = r->g_fn(r->sink.ctx, &row);
        if (rc) {
            r->rc = rc;
            return rc;
        }
        r->counts[GT_ROWS_T_G_TRANSITIONS]++;
        return 0;
    }
    gt_rows_value v[GT_G_COLUMNS];
    for (uint32_t j = 0; j < GT_G_COLUMNS; j++)
        v[j] = row.nulls >> j & 1 ? v_null() : v_int(row.v[j]);
    v[GT_G_FROM_STATE] = v_cstr(gt_go_state_name((gt_go_state)row.from));
    v[GT_G_TO_STATE] = v_cstr(gt_go_state_name((gt_go_state)row.to));
    if (row.reason)
        v[GT_G_REASON] = v_text(row.reason_text);
    return put(r, GT_ROWS_T_G_TRANSITIONS, v);
}

void gt_rows_set_g_sink(gt_rows *r, gt_rows_g_fn fn)
{
    if (!r->events)
        r->g_fn = fn;
}

static int emit_p(gt_rows *r, int64_t proc, const pend *p, int has_next, int64_t next)
{
    if (!in_window(r, p->time))
        return 0;
    gt_rows_value v[7];
    v[0] = v_int(p->time);
    v[1] = v_int(proc);
    v[2] = v_cstr(gt_proc_state_name((gt_proc_state)p->from));
    v[3] = v_cstr(gt_proc_state_name((gt_proc_state)p->to));
    v[4] = v_dur(p, has_next, next);
    v[5] = v_id(p->cause_g);
    v[6] = v_id(p->cause_m);
    return put(r, GT_ROWS_T_P_TRANSITIONS, v);
}

static int emit_m(gt_rows *r, int64_t thread, const pend *p, int has_next, int64_t next)
{
    if (!in_window(r, p->time))
        return 0;
    gt_rows_value v[5];
    v[0] = v_int(p->time);
    v[1] = v_int(thread);
    v[2] = v_cstr(m_action_names[p->to]);
    v[3] = v_int(p->cause_p);
    v[4] = v_dur(p, has_next, next);
    return put(r, GT_ROWS_T_M_TRANSITIONS, v);
}

typedef int (*emit_fn)(gt_rows *r, int64_t id, const pend *p, int has_next, int64_t next);

/* Records transition p of resource id: the previous one is passed with its
 * duration; p waits for the next (or is passed at once when last). */
static int transition(gt_rows *r, pendset *s, emit_fn emit, int64_t id, const pend *p, int last)
{
    pend *old = pend_get(s, id);
    int rc;
    if (old && (rc = emit(r, id, old, 1, p->time)))
        return rc;
    if (last) {
        if (old)
            pend_remove(s, id);
        return emit(r, id, p, 0, 0);
    }
    if (!old && !(old = pend_add(s, id)))
        return -1;
    uint32_t next_free = old->next_free;
    *old = *p;
    old->next_free = next_free;
    return 0;
}

/* Passes every pending transition of s with a NULL duration. */
static int flush(gt_rows *r, pendset *s, emit_fn emit)
{
    for (size_t i = 0; i < s->index.cap; i++) {
        if (!s->index.used[i])
            continue;
        int rc = emit(r, (int64_t)s->index.keys[i], &s->v[s->index.vals[i] - 1], 0, 0);
        if (rc)
            return rc;
    }
    gt_u64map_clear(&s->index);
    s->n = 0;
    s->free = 0;
    return 0;
}

static int on_state(gt_rows *r, const gt_event *ev)
{
    gt_state_transition st;
    if (gt_event_state_transition(ev, &st))
        return 0;
    pend p;
    memset(&p, 0, sizeof p);
    p.time = ev->time;
    p.cause_g = ev->goroutine;
    p.cause_p = ev->proc;
    p.cause_m = ev->thread;
    p.from = (uint8_t)st.old_state;
    p.to = (uint8_t)st.new_state;
    int rc;
    if (st.resource.kind == GT_RESOURCE_PROC)
        return wants(r, GT_ROWS_T_P_TRANSITIONS)
                   ? transition(r, &r->ps, emit_p, st.resource.id, &p, st.new_state == GT_PROC_NOT_EXIST)
                   : 0;
    if (st.resource.kind != GT_RESOURCE_GOROUTINE)
        return 0;
    if (r->want_stack_ids &&
        ((rc = stack_id(r, st.stack, &p.stack)) || (rc = stack_id(r, gt_event_stack(ev), &p.cause_stack))))
        return rc;
    if (st.old_state == GT_GO_NOT_EXIST && ev->goroutine >= 0 && ev->goroutine != st.resource.id &&
        wants(r, GT_ROWS_T_GOROUTINES) &&
        gt_u64map_put(&r->creators, (uint64_t)st.resource.id, (uint64_t)ev->goroutine))
        return -1;
    if (!wants(r, GT_ROWS_T_G_TRANSITIONS))
        return 0;
    if (st.reason.len) {
        /* Reasons come from the generation's string table: the same
         * address is the same reason until the next Sync. */
        uint64_t key = (uint64_t)(uintptr_t)st.reason.ptr ^ ((uint64_t)st.reason.len << 48);
        uint64_t *hit = gt_u64map_get(&r->reason_cache, key);
        if (hit)
            p.reason = (uint32_t)*hit;
        else if (!(p.reason = (uint32_t)gt_intern_id(&r->reasons, st.reason)) ||
                 gt_u64map_put(&r->reason_cache, key, p.reason))
            return -1;
    }
    return transition(r, &r->gs, emit_g, st.resource.id, &p, st.new_state == GT_GO_NOT_EXIST);
}

/* ------------------------------------------------ from the tracker */

static int thread_action(gt_rows *r, int64_t thread, int action, int64_t time, int64_t proc)
{
    if (r->closing)  /* the trace's end, not a transition */
        return 0;
    pend p;
    memset(&p, 0, sizeof p);
    p.time = time;
    p.to = (uint8_t)action;
    p.cause_p = proc;
    return transition(r, &r->ms, emit_m, thread, &p, 0);
}

static int tl_begin(void *ctx, const gt_tl_slice *s)
{
    gt_rows *r = ctx;
    switch (s->kind) {
    case GT_TL_HOLDS_PROC:
        return thread_action(r, s->track.id, M_ACQUIRE, s->time, s->proc);
    case GT_TL_RANGE: {
        if (r->n_ranges == r->cap_ranges) {
            void *v = r->ranges;
            if (gt_grow_array(&v, &r->cap_ranges, r->n_ranges + 1, sizeof(open_range)))
                return -1;
            r->ranges = v;
        }
        open_range *o = &r->ranges[r->n_ranges];
        o->scope = s->track.scope;
        o->id = s->track.id;
        o->name = s->track.range_index;
        o->start = s->time;
        int rc = stack_id(r, s->stack, &o->stack);
        if (rc)
            return rc;
        r->n_ranges++;
        return 0;
    }
    default:
        return 0;
    }
}

static int tl_end(void *ctx, const gt_tl_slice *s)
{
    gt_rows *r = ctx;
    switch (s->kind) {
    case GT_TL_HOLDS_PROC:
        return thread_action(r, s->track.id, M_RELEASE, s->time, s->proc);
    case GT_TL_RANGE:
        for (size_t i = 0; i < r->n_ranges; i++) {
            open_range o = r->ranges[i];
            if (o.scope != s->track.scope || o.id != s->track.id || o.name != s->track.range_index)
                continue;
            r->ranges[i] = r->ranges[--r->n_ranges];
            if (!overlaps(r, o.start, s->time))
                return 0;
            gt_rows_value v[7];
            v[0] = v_text(s->name);
            v[1] = v_cstr(o.scope == GT_RESOURCE_PROC ? "proc" : o.scope == GT_RESOURCE_GOROUTINE ? "goroutine" : "global");
            v[2] = o.scope == GT_RESOURCE_NONE ? v_null() : v_int(o.id);
            v[3] = v_int(o.start);
            v[4] = v_int(s->time);
            v[5] = v_int(s->time - o.start);
            v[6] = v_stack(o.stack);
            return put(r, GT_ROWS_T_RANGES, v);
        }
        return 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------ from the analysis */

/* The times of goroutine_times / region_times for owner. */
static int emit_times(gt_rows *r, uint32_t table, int64_t owner, const gt_exec_stats *st)
{
    gt_rows_value v[4];
    for (int k = 0; k < 2; k++) {
        size_t n = k ? st->n_range : st->n_block;
        const gt_named_duration *d = k ? st->range : st->block;
        for (size_t i = 0; i < n; i++) {
            v[0] = v_int(owner);
            v[1] = v_cstr(k ? "range" : "block");
            v[2] = v_text(d[i].name);
            v[3] = v_int(d[i].ns);
            int rc = put(r, table, v);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int64_t block_total(const gt_exec_stats *st)
{
    int64_t t = 0;
    for (size_t i = 0; i < st->n_block; i++)
        t += st->block[i].ns;
    return t;
}

/* The figures shared by goroutines and regions, from exec_time on. */
static void put_stats(gt_rows_value *v, const gt_exec_stats *st)
{
    v[0] = v_int(st->exec_time);
    v[1] = v_int(st->sched_wait_time);
    v[2] = v_int(st->syscall_time);
    v[3] = v_int(st->syscall_block_time);
    v[4] = v_int(block_total(st));
    v[5] = v_int(gt_exec_stats_unknown_time(st));
    v[6] = v_int(st->total_time);
}

/* Where an unknown start lies (as gotrace regions and tasks take it): the
 * window's start, or the trace's. */
static int64_t span_start(const gt_rows *r)
{
    int64_t first = gt_summary_first_time(r->summary);
    return r->win_from > first ? r->win_from : first;
}

static int on_region(void *ctx, const gt_region_summary *g)
{
    gt_rows *r = ctx;
    uint64_t id = ++r->region_seq;
    int has_start = g->start_kind != GT_REGION_EDGE_NONE, has_end = g->end_kind != GT_REGION_EDGE_NONE;
    int64_t start = has_start ? g->start : span_start(r);
    int64_t end = has_end ? g->end : r->trace_end;
    if (!overlaps(r, start, end))
        return 0;
    int has_frame = g->start_frame.func.len || g->start_frame.file.len || g->start_frame.pc;
    gt_rows_value v[18];
    v[0] = v_int((int64_t)id);
    v[1] = v_int((int64_t)g->task);
    v[2] = v_text(g->name);
    v[3] = v_int(g->goroutine);
    v[4] = v_opt(g->start, has_start);
    v[5] = v_opt(g->end, has_end);
    v[6] = v_int(end - start);
    v[7] = has_frame ? v_text(g->start_frame.func) : v_null();
    v[8] = has_frame ? v_text(g->start_frame.file) : v_null();
    v[9] = v_opt((int64_t)g->start_frame.line, has_frame);
    v[10] = v_opt((int64_t)g->start_frame.pc, has_frame);
    put_stats(v + 11, &g->stats);
    if (put(r, GT_ROWS_T_REGIONS, v) || emit_times(r, GT_ROWS_T_REGION_TIMES, (int64_t)id, &g->stats))
        return -1;
    return 0;
}

static int emit_goroutines(gt_rows *r)
{
    const gt_summary *s = r->summary;
    size_t n = gt_summary_goroutine_count(s);
    gt_rows_value v[15];
    for (size_t i = 0; i < n; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(s, i);
        uint64_t *creator = gt_u64map_get(&r->creators, (uint64_t)g->id);
        v[0] = v_int(g->id);
        v[1] = v_text(g->name);
        v[2] = v_int((int64_t)g->pc);
        v[3] = v_int(gt_is_system_goroutine(g->name) ? 1 : 0);
        v[4] = v_opt(g->creation_time, g->creation_time != 0);
        v[5] = creator ? v_int((int64_t)*creator) : v_null();
        v[6] = v_opt(g->start_time, g->start_time != 0);
        v[7] = v_opt(g->end_time, g->end_time != 0);
        put_stats(v + 8, &g->stats);
        int rc = put(r, GT_ROWS_T_GOROUTINES, v);
        if (!rc)
            rc = emit_times(r, GT_ROWS_T_GOROUTINE_TIMES, g->id, &g->stats);
        if (rc)
            return rc;
    }
    return 0;
}

static int emit_tasks(gt_rows *r)
{
    const gt_summary *s = r->summary;
    size_t n = gt_summary_task_count(s);
    gt_rows_value v[11];
    for (size_t i = 0; i < n; i++) {
        const gt_task_summary *t = gt_summary_task(s, i);
        int64_t start = t->has_start ? t->start : span_start(r);
        int64_t end = t->has_end ? t->end : r->trace_end;
        if (!overlaps(r, start, end))
            continue;
        v[0] = v_int((int64_t)t->id);
        v[1] = v_text(t->name);
        v[2] = t->parent == GT_NO_TASK ? v_null() : v_int((int64_t)t->parent);
        v[3] = v_opt(t->start, t->has_start);
        v[4] = v_opt(t->end, t->has_end);
        v[5] = v_opt(t->end - t->start, t->has_start && t->has_end);
        v[6] = t->has_start ? v_id(t->start_goroutine) : v_null();
        v[7] = t->has_end ? v_id(t->end_goroutine) : v_null();
        v[8] = v_int((int64_t)t->n_logs);
        v[9] = v_int((int64_t)t->n_regions);
        v[10] = v_int((int64_t)t->n_goroutines);
        int rc = put(r, GT_ROWS_T_TASKS, v);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------- events */

static const char *resource_name(gt_resource_kind k)
{
    switch (k) {
    case GT_RESOURCE_GOROUTINE: return "goroutine";
    case GT_RESOURCE_PROC: return "proc";
    case GT_RESOURCE_THREAD: return "thread";
    default: return "none";
    }
}

static int on_event(gt_rows *r, const gt_event *ev)
{
    gt_rows_value v[6];
    uint64_t stack;
    int rc;
    switch (ev->kind) {
    case GT_EVENT_STATE_TRANSITION:
        return on_state(r, ev);
    case GT_EVENT_SYNC: {
        gt_sync sy;
        r->syncs++;
        gt_u64map_clear(&r->reason_cache);
        if (!r->has_wall && !gt_event_sync(ev, &sy) && sy.has_clock_snapshot) {
            r->has_wall = 1;
            r->wall_start = sy.clock.wall_sec * 1000000000 + sy.clock.wall_nsec - (sy.clock.trace - r->first);
        }
        return 0;
    }
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE: {
        /* Without the tracker, its ranges' stacks still take their IDs
         * when it would (tl_begin: a range it opens, with the stack of the
         * event opening it), so that the IDs do not depend on the tables
         * asked for. */
        gt_range rg;
        if (!r->want_tl && r->want_stack_ids && !gt_event_range(ev, &rg))
            return stack_id(r, gt_event_stack(ev), &stack);
        return 0;
    }
    default:
        break;
    }
    if (!in_window(r, ev->time))
        return 0;
    switch (ev->kind) {
    case GT_EVENT_STACK_SAMPLE:
        if ((rc = stack_id(r, gt_event_stack(ev), &stack)))
            return rc;
        v[0] = v_int(ev->time);
        v[1] = v_id(ev->goroutine);
        v[2] = v_id(ev->proc);
        v[3] = v_id(ev->thread);
        v[4] = v_stack(stack);
        return put(r, GT_ROWS_T_CPU_SAMPLES, v);
    case GT_EVENT_LOG: {
        gt_log l;
        if (gt_event_log(ev, &l))
            return 0;
        if ((rc = stack_id(r, gt_event_stack(ev), &stack)))
            return rc;
        v[0] = v_int(ev->time);
        v[1] = v_id(ev->goroutine);
        v[2] = v_int((int64_t)l.task);
        v[3] = v_text(l.category);
        v[4] = v_text(l.message);
        v[5] = v_stack(stack);
        return put(r, GT_ROWS_T_LOGS, v);
    }
    case GT_EVENT_METRIC: {
        gt_metric m;
        if (gt_event_metric(ev, &m) || m.value.kind != GT_VALUE_UINT64)
            return 0;
        v[0] = v_int(ev->time);
        v[1] = v_text(m.name);
        v[2] = v_int((int64_t)m.value.u64);
        return put(r, GT_ROWS_T_METRICS, v);
    }
    case GT_EVENT_LABEL: {
        gt_label l;
        if (gt_event_label(ev, &l))
            return 0;
        v[0] = v_int(ev->time);
        v[1] = v_text(l.label);
        v[2] = v_cstr(resource_name(l.resource.kind));
        v[3] = v_int(l.resource.id);
        return put(r, GT_ROWS_T_LABELS, v);
    }
    default:
        return 0;
    }
}

static int64_t add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    return a + b;
}

gt_rows *gt_rows_new(const gt_rows_sink *sink, const gt_rows_options *options)
{
    gt_rows *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->sink = *sink;
    r->opt = options ? *options : (gt_rows_options){{"", 0}, 0, 0, INT64_MAX};
    if (r->opt.from < 0)
        r->opt.from = 0;
    r->win_from = INT64_MIN;
    r->win_to = INT64_MAX;
    gt_tl_sink ts = {r, tl_begin, tl_end, NULL, NULL, NULL};
    r->tl = gt_tl_new(&ts);
    r->summary = gt_summary_new();
    if (!r->tl || !r->summary) {
        gt_rows_free(r);
        return NULL;
    }
    /* The analysis takes the window as every command does (window.h). */
    if (r->opt.from > 0 || r->opt.to != INT64_MAX) {
        gt_window w = {r->opt.from, r->opt.to < r->opt.from ? r->opt.from : r->opt.to};
        gt_summary_set_window(r->summary, &w);
    }
    gt_summary_stream_regions(r->summary, on_region, r);
    r->trace_end = INT64_MAX;
    gt_rows_set_tables(r, 0);
    return r;
}

#define BIT(t) (1u << (t))

void gt_rows_set_tables(gt_rows *r, uint32_t mask)
{
    if (r->events)
        return;
    uint32_t all = (uint32_t)((1ULL << GT_ROWS_T_COUNT) - 1);
    r->tables = mask & all ? mask & all : all;
    r->want_summary = (r->tables & (BIT(GT_ROWS_T_GOROUTINES) | BIT(GT_ROWS_T_GOROUTINE_TIMES) | BIT(GT_ROWS_T_TASKS) |
                                    BIT(GT_ROWS_T_REGIONS) | BIT(GT_ROWS_T_REGION_TIMES))) != 0;
    r->want_tl = (r->tables & (BIT(GT_ROWS_T_M_TRANSITIONS) | BIT(GT_ROWS_T_RANGES))) != 0;
    r->want_stack_ids = (r->tables & (BIT(GT_ROWS_T_G_TRANSITIONS) | BIT(GT_ROWS_T_STACKS) | BIT(GT_ROWS_T_FRAMES) |
                                      BIT(GT_ROWS_T_CPU_SAMPLES) | BIT(GT_ROWS_T_LOGS) | BIT(GT_ROWS_T_RANGES))) != 0;
}

#undef BIT

static int fail(gt_rows *r, int rc) { return r->rc ? r->rc : rc; }

int gt_rows_event(gt_rows *r, const gt_event *ev)
{
    if (r->rc)
        return r->rc;
    if (!r->events++) {
        r->first = ev->time;
        r->win_from = add_sat(ev->time, r->opt.from);
        r->win_to = add_sat(ev->time, r->opt.to);
    }
    r->last = ev->time;
    int rc = on_event(r, ev);
    if (rc)
        return fail(r, rc);
    if (r->want_summary && gt_summary_event(r->summary, ev))
        return fail(r, -1);
    if (r->want_tl && (rc = gt_tl_event(r->tl, ev)))
        return fail(r, rc);
    return 0;
}

int gt_rows_finish(gt_rows *r, const gt_error *err)
{
    if (r->rc)
        return r->rc;
    int rc;
    r->broken = err != NULL;
    r->trace_end = r->broken ? gt_summary_last_sync_time(r->summary) : gt_summary_last_time(r->summary);
    r->closing = 1;
    if (r->want_tl && r->events && (rc = gt_tl_close(r->tl, r->last)))
        return fail(r, rc);
    if ((rc = flush(r, &r->ms, emit_m)) || (rc = flush(r, &r->gs, emit_g)) || (rc = flush(r, &r->ps, emit_p)))
        return fail(r, rc);
    if (r->want_summary) {
        if (gt_summary_finalize(r->summary))
            return fail(r, -1);
        if ((rc = emit_goroutines(r)) || (rc = emit_tasks(r)))
            return fail(r, rc);
    }
    gt_rows_value v[9];
    v[0] = v_text(r->opt.file);
    v[1] = v_opt(r->opt.go_version, r->opt.go_version > 0);
    v[2] = v_int(r->first);
    v[3] = v_int(r->last);
    v[4] = v_int(r->last - r->first);
    v[5] = v_opt(r->wall_start, r->has_wall);
    v[6] = v_int((int64_t)r->events);
    v[7] = v_int((int64_t)r->syncs);
    v[8] = err ? v_cstr(err->message) : v_null();
    return fail(r, put(r, GT_ROWS_T_TRACES, v));
}

void gt_rows_free(gt_rows *r)
{
    if (!r)
        return;
    gt_interner_free(&r->names);
    gt_interner_free(&r->stacks);
    gt_interner_free(&r->reasons);
    gt_u64map_free(&r->reason_cache);
    free(r->key);
    gt_u64map_free(&r->cache);
    pendset_free(&r->gs);
    pendset_free(&r->ps);
    pendset_free(&r->ms);
    gt_u64map_free(&r->creators);
    gt_tl_free(r->tl);
    free(r->ranges);
    gt_summary_free(r->summary);
    free(r);
}

uint64_t gt_rows_count(const gt_rows *r, uint32_t t)
{
    return t < GT_ROWS_T_COUNT ? r->counts[t] : 0;
}
