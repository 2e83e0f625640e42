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
 *   stream.c   the compact byte coding events are held in, and reading
 *              the merged trace in its final order
 *
 * Memory. The format forces holding the whole trace. Events are held in a
 * delta-coded byte stream (a few bytes each, see stream.c); decoded
 * v1_event records exist only for the few events being looked at. Nothing
 * is allocated per event.
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

struct v1_trace;

typedef struct v1_desc {
    const char *name;
    uint8_t min_version;
    uint8_t has_stack;       /* the last argument is a stack ID */
    uint8_t nargs;           /* named arguments, timestamp and stack excluded */
    const char *args[3];
    uint8_t fields;          /* V1_FIELD_*: what the stream stores for it */
} v1_desc;

/* The fields an event of a type can have non-zero, which its stream entry
 * stores: its named arguments, its stack, UserLog's inline string (a3), and
 * the goroutine unless it is the first argument (the GoStarts). */
enum { V1_FIELD_A0 = 1, V1_FIELD_A1 = 2, V1_FIELD_A2 = 4, V1_FIELD_A3 = 8, V1_FIELD_STK = 16, V1_FIELD_G = 32 };

/* Indexed by enum v1_ev; entries past V1_EV_COUNT are zero. */
extern const v1_desc gt_v1_descs[V1_EV_COUNT];

/* One old event, decoded: the working form the merge, the checks and the
 * converter look at. It is never stored per event; the held trace is the
 * compact byte stream below. Go's tracev1.Event has four arguments a0..a3. */
typedef struct v1_event {
    int64_t ts;       /* ticks while parsing, nanoseconds after conversion */
    uint64_t g;
    uint64_t a0, a1, a2, a3;
    uint32_t stk;
    int32_t p;
    uint8_t type;     /* enum v1_ev */
    uint8_t flags;    /* V1_F_* */
} v1_event;

/* Set on GoSysCall events whose goroutine's next event is a GoSysBlock: the
 * converter then emits a blocking syscall (Go looks ahead for it). */
#define V1_F_SYSCALL_BLOCKS 1

/* Arguments 2 and 3 of ev. */
static inline uint64_t v1_a2(const struct v1_trace *t, const v1_event *ev) { (void)t; return ev->a2; }
static inline uint64_t v1_a3(const struct v1_trace *t, const v1_event *ev) { (void)t; return ev->a3; }
static inline uint64_t v1_arg(const struct v1_trace *t, const v1_event *ev, int i)
{
    (void)t;
    switch (i) {
    case 0: return ev->a0;
    case 1: return ev->a1;
    case 2: return ev->a2;
    default: return ev->a3;
    }
}

/* A varint in bytes this library has checked already (a batch the first
 * pass read, or the stream it wrote itself): complete, at most 10 bytes, no
 * overflow; so no bound test. */
static inline const uint8_t *v1_get_uvarint(const uint8_t *s, uint64_t *v)
{
    uint64_t x = *s++;
    if (x < 0x80) {
        *v = x;
        return s;
    }
    x &= 0x7f;
    for (unsigned shift = 7;; shift += 7) {
        uint64_t b = *s++;
        x |= (b & 0x7f) << shift;
        if (b < 0x80)
            break;
    }
    *v = x;
    return s;
}

/* ---- the compact event stream (stream.c) ----
 *
 * Events are held as a byte stream, one entry per event:
 *
 *   byte 0:  type (low 6 bits) | V1_SF_SAME_PG (bit 6) | V1_SF_SPECIAL (bit 7)
 *   varints: ts - previous ts (mod 2^64);
 *            unless SAME_PG: zigzag(p - previous p), and
 *            zigzag(g - previous g) unless g is a0 (GoStart);
 *            then a0..a3 and stk as far as the type has them
 *            (v1_desc.fields).
 *
 * "previous" is the entry before in the same stream, so an entry is only
 * decodable in order; a stream is read front to back. Typical entries take
 * 3-6 bytes against 64 for a v1_event; an entry is at most
 * V1_MAX_ENTRY bytes, and never more than a few bytes beyond what the
 * event took in the file (every field it stores came from the file or is a
 * small delta). The merge writes it; the consistency pass and the
 * converter read it. */
#define V1_SF_SPECIAL 0x80   /* GoUnblock: a network unblock (netpoll P);
                              * GoSysCall: V1_F_SYSCALL_BLOCKS */
#define V1_SF_SAME_PG 0x40   /* p and g (where stored) as the entry before:
                              * neither is stored (2 in 3 entries) */
#define V1_SF_TYPE 0x3f
enum { V1_MAX_ENTRY = 1 + 8 * 10 };

typedef struct v1_coder { int64_t ts; uint64_t g; int32_t p; } v1_coder;

/* Appends ev's entry at dst (room for V1_MAX_ENTRY bytes); returns the end.
 * Entries are read back by gt_v1_iter_next. */
uint8_t *gt_v1_encode(uint8_t *dst, const v1_event *ev, v1_coder *prev);

/* A GoSysExit that the merge moved to its real exit time (tracev1's
 * stable re-sort): kept aside, sorted by (ts, rank), and merged back into
 * the stream while reading. rank is the number of stream entries before
 * it in merge order: at equal times, the stream entry with index q comes
 * first iff q < rank. */
typedef struct v1_moved { int64_t ts; uint64_t rank; uint64_t g, seq; int32_t p; } v1_moved;

/* Reading the merged trace in its final order. */
typedef struct v1_iter {
    size_t pos;           /* next unread byte of the stream */
    size_t index;         /* stream entries decoded */
    size_t moved;         /* next moved exit */
    v1_coder prev;
    int has_next;         /* next/next_pos hold the lookahead stream entry */
    v1_event next;
    size_t next_pos;
    int ticks;            /* times stay in ticks (gt_v1_ticks_to_ns converts) */
} v1_iter;

#define V1_ITER_INIT {0, 0, 0, {0, 0, 0}, 0, {0}, 0, 0}

/* Ticks as nanoseconds since the first event (once t->ns_ready). */
int64_t gt_v1_ticks_to_ns(const struct v1_trace *t, int64_t ticks);

/* Next event in final order into *ev: 1, or 0 at the end. *type_pos is the
 * stream offset of its type byte (SIZE_MAX for a moved exit), where the
 * SPECIAL flag can be set. Once t->ns_ready, times are nanoseconds (ticks
 * when it->ticks) and events sit on the pseudo Ps of tracev1 (timer,
 * netpoll, syscall, GC). */
int gt_v1_iter_next(const struct v1_trace *t, v1_iter *it, v1_event *ev, size_t *type_pos);

typedef struct v1_stack_rec { size_t off; uint32_t n, id; } v1_stack_rec;

/* Everything a parsed old trace holds, before conversion. */
typedef struct v1_trace {
    int version;
    const uint8_t *data;  /* whole input, header included */
    size_t len;

    uint8_t *stream;      /* the merged events (see above) */
    size_t nstream, capstream;
    size_t nevents;       /* events in final order (stream + moved) */
    v1_moved *moved;
    size_t nmoved, capmoved;
    int ns_ready;         /* times convert to ns while reading */
    int64_t min_ts;       /* ticks of the first event */
    double ns_per_tick;

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
    /* Stack IDs below nstack_bits with a bit set exist with >= 1 frame: a
     * dense bitmap built after parsing when IDs are dense (they are: the
     * runtime numbers stacks from 1), else NULL and stack_index decides. */
    uint64_t *stack_bits;
    size_t nstack_bits;

    int64_t ticks_per_sec;
    gt_u64map timer_goids;    /* set of timer goroutines */
} v1_trace;

/* Whether the stack ID names a stack with at least one frame. */
int gt_v1_stack_exists(const v1_trace *t, uint32_t id);
/* Builds t->stack_bits when stack IDs are dense. 0 or -1 (memory). */
int gt_v1_stack_bits_build(v1_trace *t);

/* Parses and orders the whole trace into t (tracev1.Parse): t->data, len,
 * version and table must be set. Returns 0, or -1 with *err filled. */
int gt_v1_parse(v1_trace *t, gt_error *err);

/* ---- parser state shared by parse.c and order.c ---- */

/* A batch: the byte offset of its EvBatch header; batches of one P are
 * chained in file order. */
typedef struct v1_batch {
    size_t offset;
    size_t next;
    /* Its load must go through Go's loadBatch step by step: the batch
     * defines strings, stacks, the frequency or timer goroutines (table
     * updates that happen in load order), has UserLogs (inline strings are
     * numbered in load order), or fails to load (the error then comes out
     * when the merge loads it, as in Go). Other batches were fully checked
     * by the first pass and are decoded straight from the file. */
    uint8_t slow;
} v1_batch;
#define V1_NONE SIZE_MAX

/* The batches of one P not loaded yet. */
typedef struct v1_pid { int32_t pid; size_t head, tail; } v1_pid;

/* A CPU sample, taken in the first pass: timed by the signal handler; p as
 * the trace has it (the event's P is its low 32 bits). */
typedef struct v1_sample { int64_t ts; uint64_t g, p; uint32_t stk; } v1_sample;

/* A stream being merged: the P's current batch, decoded from the file one
 * event at a time, or the CPU samples. */
typedef struct v1_proc {
    int32_t pid;
    int done;
    int in_batch;         /* a batch is loaded: wpos is its next event */
    size_t wpos;
    int64_t last_ts;      /* parseEvent's running time and goroutine, which */
    uint64_t last_g;      /* carry over from one batch of the P to the next */
    const v1_sample *samples;
    size_t nsamples, spos;
    int has_cur;          /* cur is the next event, decoded */
    v1_event cur;
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

    v1_sample *cpu_samples;
    size_t ncpu, capcpu;

    /* the raw event being decoded */
    uint8_t raw_type;
    size_t raw_nargs;
    uint64_t raw_args[V1_MAX_RAW_ARGS];
    gt_str raw_sarg;     /* UserLog value */
    int32_t raw_batch_pid;
} v1_parser;

/* Go's first pass over an old trace as its bytes arrive (gt_v1_slurp), to
 * stop reading at the first error that pass reports instead of at the end of
 * the input. It sees only events whose bytes are all present, and an error
 * counts only when no byte past the available ones could change it (an
 * event running past them is read again once more data has come). */
typedef struct v1_scanner {
    v1_trace t;          /* data and len: the input so far */
    v1_parser p;
    gt_error err;
    size_t off;          /* the first event not scanned yet */
    int seen_batch;      /* a Batch was read: every later event has a P */
} v1_scanner;

void gt_v1_scanner_init(v1_scanner *s, int version);
/* Scans the events of data[0, len) from where the last call stopped (data
 * may have moved; its first bytes are the same). 1 when Go's first pass
 * fails in them (s->err tells how), else 0. */
int gt_v1_scan(v1_scanner *s, const uint8_t *data, size_t len);

/* Loads the next batch of proc's P into proc (loadBatch): its errors and
 * table updates happen now, its events are decoded by gt_v1_batch_next.
 * Returns 1 when a batch was loaded (possibly empty), 0 when the P has none
 * left, -1 on error. */
int gt_v1_load_batch(v1_parser *p, v1_proc *proc);

/* The next event of proc's loaded batch into *ev (parseEvent): 1, 0 at
 * the batch's end, -1 on error (memory). */
int gt_v1_batch_next(v1_parser *p, v1_proc *proc, v1_event *ev);

/* Merges the per-P streams into t->stream (parseEventBatches after the
 * first pass), moves syscall exits to their real times (t->moved) and
 * prepares the tick-to-nanosecond conversion. 0 or -1. */
int gt_v1_order(v1_parser *p);

/* A map from keys to records of size sz in a geometric array: returns the
 * record of key, appending a zeroed one when absent; NULL when memory runs
 * out. The pointer is valid until the next call on the same array. */
void *gt_v1_record(gt_u64map *index, void **arr, size_t *n, size_t *cap, size_t sz, uint64_t key);

/* For maps where a value of 0 marks a removed entry (gt_u64map cannot
 * delete): once removed entries clearly outnumber the live ones, rebuilds
 * the map with the live ones only, so it stays proportional to them. 0, or
 * -1 when memory runs out (the map is then unchanged). */
int gt_v1_map_compact(gt_u64map *m, size_t live);

/* A key -> dense index map whose entries never change once inserted (the
 * index of a goroutine's or P's record), with a direct-mapped cache in
 * front: goroutine and P IDs are small and recur, so most lookups never
 * reach the hash map. */
enum { V1_INDEX_CACHE = 512 };
typedef struct v1_index {
    gt_u64map map;
    uint64_t ckey[V1_INDEX_CACHE];
    uint64_t cidx1[V1_INDEX_CACHE];  /* index + 1; 0 = empty slot */
} v1_index;

/* 1 and *idx when key is present, else 0. */
static inline int v1_index_get(v1_index *ix, uint64_t key, size_t *idx)
{
    size_t h = (size_t)(key ^ key >> 9) & (V1_INDEX_CACHE - 1);
    if (ix->cidx1[h] && ix->ckey[h] == key) {
        *idx = (size_t)ix->cidx1[h] - 1;
        return 1;
    }
    const uint64_t *v = gt_u64map_get(&ix->map, key);
    if (!v)
        return 0;
    ix->ckey[h] = key;
    ix->cidx1[h] = *v + 1;
    *idx = (size_t)*v;
    return 1;
}

/* The record of key in the geometric array *arr (n records of size sz),
 * appending a zeroed one when absent; NULL when memory runs out. Valid
 * until the next append to the array. */
static inline void *v1_index_record(v1_index *ix, void **arr, size_t *n, size_t *cap, size_t sz, uint64_t key)
{
    size_t i;
    if (v1_index_get(ix, key, &i))
        return (char *)*arr + i * sz;
    return gt_v1_record(&ix->map, arr, n, cap, sz, key);
}

/* Appends to a geometric array of elements of size sz; 0 or -1. */
int gt_v1_grow(void **arr, size_t *cap, size_t need, size_t sz);

/* The consistency pass over the ordered, converted-time events. */
int gt_v1_check(v1_trace *t, gt_error *err);

/* Go's tracev1 Event.String(), for error messages. Returns the length. */
size_t gt_v1_event_string(const v1_trace *t, const v1_event *ev, char *buf, size_t cap);

/* Frees what gt_v1_parse allocated (not the table, not data). */
void gt_v1_trace_free(v1_trace *t);

#endif
