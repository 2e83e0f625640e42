/* Internals of the old-format (Go 1.11-1.21) reader, shared by the files of
 * src/v1. The pipeline is Go 1.27's, step for step:
 *
 *   parse.c    wire format: the batch index (first pass) and per-batch event
 *              decoding (tracev1/parser.go: readRawEvent, loadBatch,
 *              parseEvent), string/stack/frame tables
 *   order.c    merging the per-P batches into one consistent stream
 *              (tracev1/order.go and parseEventBatches), syscall exit times,
 *              the stable re-sort, tick-to-nanosecond conversion
 *   check.c    the consistency pass (postProcessTrace)
 *   convert.c  conversion to the v2 event model (tracev1.go) and the
 *              gt_v1_* entry points
 *   desc.c     the old event descriptions (names, arguments) and
 *              Event.String() for error messages
 *
 * Memory. The format forces holding the whole trace. Events are fixed-size
 * 48-byte records in one array; the rare third and fourth arguments live in
 * a side array. Nothing is allocated per event.
 */
#ifndef GT_V1_INTERNAL_H
#define GT_V1_INTERNAL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "event/table.h"
#include "gotrace.h"

/* Old event types (the runtime's trace.go of Go 1.11-1.21). */
enum v1_ev {
    V1_EV_NONE = 0, V1_EV_BATCH = 1, V1_EV_FREQUENCY = 2, V1_EV_STACK = 3, V1_EV_GOMAXPROCS = 4,
    V1_EV_PROC_START = 5, V1_EV_PROC_STOP = 6, V1_EV_GC_START = 7, V1_EV_GC_DONE = 8,
    V1_EV_STW_START = 9, V1_EV_STW_DONE = 10, V1_EV_GC_SWEEP_START = 11, V1_EV_GC_SWEEP_DONE = 12,
    V1_EV_GO_CREATE = 13, V1_EV_GO_START = 14, V1_EV_GO_END = 15, V1_EV_GO_STOP = 16,
    V1_EV_GO_SCHED = 17, V1_EV_GO_PREEMPT = 18, V1_EV_GO_SLEEP = 19, V1_EV_GO_BLOCK = 20,
    V1_EV_GO_UNBLOCK = 21, V1_EV_GO_BLOCK_SEND = 22, V1_EV_GO_BLOCK_RECV = 23,
    V1_EV_GO_BLOCK_SELECT = 24, V1_EV_GO_BLOCK_SYNC = 25, V1_EV_GO_BLOCK_COND = 26,
    V1_EV_GO_BLOCK_NET = 27, V1_EV_GO_SYSCALL = 28, V1_EV_GO_SYSEXIT = 29, V1_EV_GO_SYSBLOCK = 30,
    V1_EV_GO_WAITING = 31, V1_EV_GO_IN_SYSCALL = 32, V1_EV_HEAP_ALLOC = 33, V1_EV_HEAP_GOAL = 34,
    V1_EV_TIMER_GOROUTINE = 35, V1_EV_FUTILE_WAKEUP = 36, V1_EV_STRING = 37,
    V1_EV_GO_START_LOCAL = 38, V1_EV_GO_UNBLOCK_LOCAL = 39, V1_EV_GO_SYSEXIT_LOCAL = 40,
    V1_EV_GO_START_LABEL = 41, V1_EV_GO_BLOCK_GC = 42, V1_EV_GC_MARK_ASSIST_START = 43,
    V1_EV_GC_MARK_ASSIST_DONE = 44, V1_EV_USER_TASK_CREATE = 45, V1_EV_USER_TASK_END = 46,
    V1_EV_USER_REGION = 47, V1_EV_USER_LOG = 48, V1_EV_CPU_SAMPLE = 49,
    V1_EV_COUNT = 50
};

/* Pseudo Ps the old parser moves events to (tracev1.FakeP + n). */
enum {
    V1_TIMER_P = 1000001,    /* timer unblocks */
    V1_NETPOLL_P = 1000002,  /* network unblocks */
    V1_SYSCALL_P = 1000003,  /* syscall exits */
    V1_GC_P = 1000004,       /* GC starts */
    V1_PROFILE_P = 1000005   /* CPU samples */
};

typedef struct v1_desc {
    const char *name;
    uint8_t min_version;
    uint8_t has_stack;       /* the last argument is a stack ID */
    uint8_t nargs;           /* named arguments, timestamp and stack excluded */
    const char *args[3];
} v1_desc;

/* Indexed by enum v1_ev; entries past V1_EV_COUNT are zero. */
extern const v1_desc v1_descs[V1_EV_COUNT];

/* One old event. Go's tracev1.Event has four arguments; the first two are
 * here. The other two are set only by GoStartLabel, GoSysExit, the user
 * annotation events and CPU samples: when just one of them is set and fits
 * in 32 bits it is kept in x (flag V1_F_X_A2 or V1_F_X_A3), otherwise both
 * are in v1_trace.ext[x - 1] (x = 0: both zero). User annotations, which can
 * be half of a trace, so cost nothing extra. */
typedef struct v1_event {
    int64_t ts;       /* ticks while parsing, nanoseconds after conversion */
    uint64_t g;
    uint64_t a0, a1;
    uint32_t stk;
    int32_t p;
    uint32_t x;       /* argument 2 or 3 inline, or index + 1 into ext */
    uint8_t type;     /* enum v1_ev */
    uint8_t flags;    /* V1_F_* */
    uint16_t pad;
} v1_event;

static_assert(sizeof(v1_event) == 48, "old events are 48-byte records");

/* Set on GoSysCall events whose goroutine's next event is a GoSysBlock: the
 * converter then emits a blocking syscall (Go looks ahead for it). */
#define V1_F_SYSCALL_BLOCKS 1
#define V1_F_X_A2 2  /* x holds argument 2 */
#define V1_F_X_A3 4  /* x holds argument 3 */

typedef struct v1_ext { uint64_t a2, a3; } v1_ext;

typedef struct v1_stack_rec { size_t off; uint32_t n, id; } v1_stack_rec;

/* Everything a parsed old trace holds, before conversion. */
typedef struct v1_trace {
    int version;
    const uint8_t *data;  /* whole input, header included */
    size_t len;

    v1_event *events;
    size_t nevents, capevents;
    v1_ext *ext;
    size_t next, capext;

    /* Strings from the trace go straight into the table; max_string_id is
     * the largest ID seen (inline strings and built-ins are numbered above
     * it). Inline strings (UserLog values) point into data. */
    gt_table *table;
    uint64_t max_string_id;
    gt_str *inline_strs;
    size_t ninline, capinline;
    gt_u64map inline_index;   /* content hash -> first index + 1 */
    size_t *inline_chain;     /* index -> next index with that hash + 1 */

    /* Stacks: the last definition of an ID wins, as in Go's map. */
    gt_u64map stack_index;    /* id -> index into stacks */
    v1_stack_rec *stacks;
    size_t nstacks, capstacks;
    uint64_t *pcs;
    size_t npcs, cappcs;

    int64_t ticks_per_sec;
    gt_u64map timer_goids;    /* set of timer goroutines */
} v1_trace;

/* Arguments 2 and 3 of ev. */
static inline uint64_t v1_a2(const v1_trace *t, const v1_event *ev)
{
    if (ev->flags & (V1_F_X_A2 | V1_F_X_A3))
        return ev->flags & V1_F_X_A2 ? ev->x : 0;
    return ev->x ? t->ext[ev->x - 1].a2 : 0;
}
static inline uint64_t v1_a3(const v1_trace *t, const v1_event *ev)
{
    if (ev->flags & (V1_F_X_A2 | V1_F_X_A3))
        return ev->flags & V1_F_X_A3 ? ev->x : 0;
    return ev->x ? t->ext[ev->x - 1].a3 : 0;
}

/* Stores arguments 2 and 3 of ev. 0, or -1 when memory runs out. */
int v1_set_a23(v1_trace *t, v1_event *ev, uint64_t a2, uint64_t a3);
static inline uint64_t v1_arg(const v1_trace *t, const v1_event *ev, int i)
{
    switch (i) {
    case 0: return ev->a0;
    case 1: return ev->a1;
    case 2: return v1_a2(t, ev);
    default: return v1_a3(t, ev);
    }
}

/* Whether the stack ID names a stack with at least one frame. */
int v1_stack_exists(const v1_trace *t, uint32_t id);

/* Parses and orders the whole trace into t (tracev1.Parse): t->data, len,
 * version and table must be set. Returns 0, or -1 with *err filled. */
int v1_parse(v1_trace *t, gt_error *err);

/* ---- parser state shared by parse.c and order.c ---- */

/* A batch: the byte offset of its EvBatch header; batches of one P are
 * chained in file order. */
typedef struct v1_batch { size_t offset; size_t next; } v1_batch;
#define V1_NONE SIZE_MAX

/* The batches of one P not loaded yet. */
typedef struct v1_pid { int32_t pid; size_t head, tail; } v1_pid;

/* A stream being merged: the P's current batch (or the CPU samples). */
typedef struct v1_proc {
    int32_t pid;
    int done;
    const v1_event *evs;  /* the batch being merged: buf, or the CPU samples */
    size_t n, pos;
    v1_event *buf;
    size_t capbuf;
} v1_proc;

enum { V1_MAX_RAW_ARGS = 4096 };

typedef struct v1_parser {
    v1_trace *t;
    gt_error *err;
    size_t off;          /* read position in t->data */
    size_t ev_off;       /* offset of the event being read */

    v1_batch *batches;
    size_t nbatches, capbatches;
    gt_u64map pid_index; /* (uint32)pid -> index into pids */
    v1_pid *pids;
    size_t npids, cappids;

    v1_event *cpu_samples;
    size_t ncpu, capcpu;
    size_t max_events;   /* upper bound on events, from the first pass */

    /* parseEvent state: the running timestamp and goroutine per P. */
    int64_t last_ts;
    uint64_t last_g;
    int32_t last_p;
    gt_u64map last_gs;   /* (uint32)pid -> goroutine last running there */

    /* the raw event being decoded */
    uint8_t raw_type;
    size_t raw_nargs;
    uint64_t raw_args[V1_MAX_RAW_ARGS];
    gt_str raw_sarg;     /* UserLog value */
    int32_t raw_batch_pid;
} v1_parser;

/* Loads the next batch of proc's P into proc (loadBatch). Returns 1 when a
 * batch was loaded (possibly empty), 0 when the P has none left, -1 on
 * error. */
int v1_load_batch(v1_parser *p, v1_proc *proc);

/* Merges the per-P streams into t->events (parseEventBatches after the first
 * pass), fixes syscall exit times and re-sorts. 0 or -1. */
int v1_order(v1_parser *p);

/* A map from keys to records of size sz in a geometric array: returns the
 * record of key, appending a zeroed one when absent; NULL when memory runs
 * out. The pointer is valid until the next call on the same array. */
void *v1_record(gt_u64map *index, void **arr, size_t *n, size_t *cap, size_t sz, uint64_t key);

/* For maps where a value of 0 marks a removed entry (gt_u64map cannot
 * delete): once removed entries clearly outnumber the live ones, rebuilds
 * the map with the live ones only, so it stays proportional to them. 0, or
 * -1 when memory runs out (the map is then unchanged). */
int v1_map_compact(gt_u64map *m, size_t live);

/* Appends to a geometric array of elements of size sz; 0 or -1. */
int v1_grow(void **arr, size_t *cap, size_t need, size_t sz);

/* The consistency pass over the ordered, converted-time events. */
int v1_check(v1_trace *t, gt_error *err);

/* Go's tracev1 Event.String(), for error messages. Returns the length. */
size_t v1_event_string(const v1_trace *t, const v1_event *ev, char *buf, size_t cap);

/* Frees what v1_parse allocated (not the table, not data). */
void v1_trace_free(v1_trace *t);

#endif
