/* Per-generation event tables: strings, stacks, frames (by PC), the sync data
 * (frequency, clock snapshot), experimental batches and derived ("extra")
 * strings. Every gt_event points at the table of its generation through
 * priv_table; the public accessors (src/event/event.c) read it.
 *
 * All memory lives in the table's arena and is freed with the table. Lookups
 * never allocate. ID 0 is always present: the empty string / empty stack.
 */
#ifndef GT_EVENT_TABLE_H
#define GT_EVENT_TABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"
#include "gotrace.h"

typedef struct gt_frame_rec {
    uint64_t pc;
    uint64_t func_id;  /* string ID */
    uint64_t file_id;  /* string ID */
    uint64_t line;
} gt_frame_rec;

typedef struct gt_stack_rec {
    const uint64_t *pcs;  /* in the arena */
    uint32_t n;
    /* After gt_table_resolve: index into the table's resolved frames for
     * each pc (GT_NO_FRAME when the pc has no frame record), else NULL. */
    const uint32_t *frame_idx;
} gt_stack_rec;

#define GT_NO_FRAME UINT32_MAX

/* An ID -> index map. Go's runtime numbers strings and stacks 1, 2, ... in
 * each generation, so IDs are found through an array indexed by ID. The
 * array only grows to hold an ID below max(GT_ID_INDEX_MIN_DENSE, 2 * entries)
 * (the waste Go's dataTable.compactify accepts), so its size stays within a
 * constant factor of the number of entries whatever the IDs; other IDs go to
 * a hash map. An ID is in one of the two; lookups try the array first. */
typedef struct gt_id_index {
    uint32_t *slot;           /* slot[id] = index + 1, or 0, for id < nslot */
    size_t nslot;
    size_t count;             /* entries in slot and sparse together */
    gt_u64map sparse;         /* IDs not in slot -> index */
} gt_id_index;

#define GT_ID_INDEX_MIN_DENSE 256

/* What the accessors cache about one stack, by stack index: NULL until
 * built. */
typedef struct gt_stack_cache {
    _Atomic(const gt_frame *) frames;  /* gt_stack_frames' array */
    _Atomic(const gt_str *) text;      /* the formatter's text of the stack */
} gt_stack_cache;

/* The stack caches of a table: n entries (the stacks the table had when it
 * was built; stacks are only added before a table's events are read). */
typedef struct gt_stack_caches {
    size_t n;
    gt_stack_cache e[];
} gt_stack_caches;

#define GT_EXTRA_BLOCK0 8
#define GT_EXTRA_NBLOCKS 48

typedef struct gt_exp_batch_rec {
    uint8_t experiment;
    int64_t thread;
    const uint8_t *data;  /* in the arena */
    size_t len;
} gt_exp_batch_rec;

typedef struct gt_table {
    gt_arena arena;
    uint64_t generation;

    gt_id_index string_index; /* string ID -> index into strings */
    gt_str *strings;
    size_t nstrings, capstrings;

    gt_id_index stack_index;  /* stack ID -> index into stacks */
    gt_stack_rec *stacks;
    size_t nstacks, capstacks;

    gt_u64map frame_index;    /* PC -> index into frames */
    gt_frame_rec *frames;
    size_t nframes, capframes;
    /* gt_table_resolve: frames[i] with its strings looked up, for
     * gt_stack_frame. Valid while resolved is set; any later change to
     * strings, stacks or frames clears it. */
    gt_frame *resolved_frames;
    int resolved;

    /* Extra string ID k (1, 2, ...) is entry k - 1 of the blocks: block b
     * holds GT_EXTRA_BLOCK0 << b entries. Blocks never move, so the reader
     * may add extras (task types, while ordering the generation in threaded
     * mode) while other threads read the ones their events name; nextra is
     * published with release order after the entry is written. */
    gt_str *extra_blocks[GT_EXTRA_NBLOCKS];
    _Atomic size_t nextra;

    /* Sync data. */
    double freq;              /* ns per timestamp unit; 0 = not seen */
    int has_clock_snapshot;
    uint64_t snap_time;       /* raw timestamp of the snapshot */
    uint64_t snap_mono;
    int64_t snap_wall_sec;
    int32_t snap_wall_nsec;

    gt_exp_batch_rec *exp_batches;
    size_t nexp_batches, capexp_batches;

    /* Old-format traces only (src/v1): the GOMAXPROCS of their first
     * Gomaxprocs event, which ends the initial state and, as in Go 1.27's
     * conversion, becomes no event of the stream. Set when the table is
     * built, before any event is handed out; read by gt_event_initial_procs. */
    int has_initial_procs;
    int64_t initial_procs_time;   /* ns, on the events' clock */
    uint64_t initial_procs;

    /* Caches the accessors and the formatter fill on first use, from any
     * thread: several threads may call accessors on events of this table at
     * once (gotrace.h, "Threads"), while the reader's thread may still add
     * extra strings. cache_mu guards cache_arena, stw_names and every cache
     * fill; a filled stack cache entry is read without the lock (acquire
     * loads of pointers published with release stores), so the per-event
     * path takes no lock. */
    pthread_mutex_t cache_mu;
    gt_arena cache_arena;
    gt_u64map stw_names;      /* STW kind key -> pointer to a gt_str in cache_arena */
    _Atomic(gt_stack_caches *) stack_caches; /* NULL until the first fill */

    /* Where gt_event_string (src/format) writes the text of an event of
     * this table: reused by every call, freed with the table. Not guarded:
     * gotrace.h forbids overlapping gt_event_string calls on one reader. */
    gt_buf event_text;
} gt_table;

/* Grows the geometric array *arr (len elements of size sz, capacity *cap) so
 * that one more fits. 0, or -1 when memory runs out (array unchanged). Used
 * by every layer above for their per-generation and per-ID arrays. */
int gt_table_grow(void **arr, size_t *cap, size_t len, size_t sz);

/* Returns a new empty table, or NULL when memory runs out. */
gt_table *gt_table_new(void);

/* An old-format trace's initial GOMAXPROCS (see has_initial_procs), through
 * any of its events: 1 with *time and *procs, or 0 for traces of the current
 * format (their GOMAXPROCS is a Metric event) and old ones without any. The
 * library's analyses use it where Go 1.27 has no metric to go by (the MMU,
 * src/analysis/mmu.c); it is not public. */
int gt_event_initial_procs(const gt_event *ev, int64_t *time, uint64_t *procs);
void gt_table_free(gt_table *t);  /* NULL is fine */

/* Strings. add copies the bytes. Returns 0, -1 when memory runs out, or 1
 * when the ID is already present (the table is unchanged). */
int gt_table_add_string(gt_table *t, uint64_t id, const void *p, size_t len);
/* Appends a string under the next free ID (number of strings + 1) and returns
 * that ID, or 0 when memory runs out. */
uint64_t gt_table_append_string(gt_table *t, const void *p, size_t len);
/* 1 and *out when present (ID 0 is the empty string), else 0. */
static inline int gt_table_string(const gt_table *t, uint64_t id, gt_str *out);

/* Stacks: add copies pcs. Same returns as gt_table_add_string. */
int gt_table_add_stack(gt_table *t, uint64_t id, const uint64_t *pcs, uint32_t n);
uint64_t gt_table_append_stack(gt_table *t, const uint64_t *pcs, uint32_t n);
/* 1 and *out when present (ID 0 is the empty stack), else 0. */
static inline int gt_table_stack(const gt_table *t, uint64_t id, gt_stack_rec *out);

/* Index of stack or string ID in the table's arrays, or -1 when absent. */
static inline int64_t gt_id_index_get(const gt_id_index *x, uint64_t id)
{
    if (id < x->nslot && x->slot[id])
        return (int64_t)x->slot[id] - 1;
    if (!x->sparse.len)
        return -1;
    const uint64_t *v = gt_u64map_get_cold(&x->sparse, id);
    return v ? (int64_t)*v : -1;
}

/* Calls f(id, index, arg) for every ID in ascending order, in time linear
 * in the number of entries (and n log n for the hashed ones); stops at and
 * returns the first non-zero result of f, which should be positive: -1
 * means memory ran out. */
int gt_id_index_each(const gt_id_index *x, int (*f)(uint64_t id, size_t index, void *arg), void *arg);

/* Resolves every stack's frames once (frame records and their func/file
 * strings), so that gt_stack_frame is an array read. Call after the last
 * string, stack and frame has been added. 0, or -1 when memory runs out (the
 * table then stays usable through the slow path). */
int gt_table_resolve(gt_table *t);

/* Frames by PC. If the PC is already known the existing frame is kept (Go
 * keeps the first one it sees). Returns 0 or -1 when memory runs out. */
int gt_table_add_frame(gt_table *t, const gt_frame_rec *f);
/* Replaces or inserts. */
int gt_table_set_frame(gt_table *t, const gt_frame_rec *f);
const gt_frame_rec *gt_table_frame(const gt_table *t, uint64_t pc);

/* Extra strings (derived, not from the trace): same text, same ID. "" is 0.
 * Returns the ID, or UINT64_MAX when memory runs out. One thread may add
 * while others call gt_table_extra for IDs they were handed. */
uint64_t gt_table_add_extra(gt_table *t, const void *p, size_t len);
gt_str gt_table_extra(const gt_table *t, uint64_t id);

/* Go's frequency.mul: Time(float64(ts) * freq), in double precision. A
 * product outside int64 gives INT64_MIN, as Go's conversion does on amd64. */
int64_t gt_table_time(const gt_table *t, uint64_t ts);
static inline int64_t gt_time_mul(double freq, uint64_t ts)
{
    double v = (double)ts * freq;
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)v;
}

/* "stop-the-world (KIND)" for an STW event whose kind string is kind. The
 * text is built once per kind and cached in the table (a logically const
 * cache, under cache_mu: STW events are rare). On memory exhaustion returns
 * "stop-the-world (?)". Safe to call from several threads at once. */
gt_str gt_table_stw_name(const gt_table *t, gt_str kind);

/* The frames of stack id as one array (gt_stack_frames): built on first
 * request in the table's cache arena (a logically const cache) and returned
 * from then on. Returns the number of frames and sets *out; 0 and *out =
 * NULL for the empty or an unknown stack, or when memory runs out. Safe to
 * call from several threads at once. */
size_t gt_table_stack_frames(const gt_table *t, uint64_t id, const gt_frame **out);

/* The cache entry of stack index i, or NULL while the table has none. (C11
 * atomics take non-const pointers: the cast is for the load only.) */
static inline gt_stack_cache *gt_table_stack_cache(const gt_table *t, size_t i)
{
    gt_stack_caches *c = atomic_load_explicit(&((gt_table *)t)->stack_caches, memory_order_acquire);
    return c && i < c->n ? &c->e[i] : NULL;
}

/* Go's tracev2Type2Kind: the event kind of wire type t (GT_EV_SYNTH_SYNC is
 * Sync); GT_EVENT_BAD for types that are not events. */
gt_event_kind gt_event_kind_of_type(unsigned t);

/* Cached text of a formatted stack (the formatter's). get: 1 and *out when
 * cached. put copies the text (the first put for a stack wins; an ID the
 * table does not have is not cached); 0 or -1 when memory runs out. Both
 * are safe to call from several threads at once. */
int gt_table_stack_text(const gt_table *t, uint64_t id, gt_str *out);
int gt_table_put_stack_text(const gt_table *t, uint64_t id, const char *p, size_t n);

/* Go's syncEvent: the Sync event number n at time ts, with the tables t of
 * the generation it starts (NULL for the last Sync, or one before an
 * error). */
gt_event gt_event_make_sync(const gt_table *t, int64_t ts, int64_t n);

int gt_table_add_exp_batch(gt_table *t, uint8_t experiment, int64_t thread, const void *data, size_t len);

/* ---- inline lookups (hot: once or more per event) ---- */

static inline int gt_table_string(const gt_table *t, uint64_t id, gt_str *out)
{
    if (id == 0) {
        *out = (gt_str){"", 0};
        return 1;
    }
    int64_t i = gt_id_index_get(&t->string_index, id);
    if (i < 0)
        return 0;
    *out = t->strings[i];
    return 1;
}

static inline int gt_table_stack(const gt_table *t, uint64_t id, gt_stack_rec *out)
{
    if (id == 0) {
        *out = (gt_stack_rec){NULL, 0, NULL};
        return 1;
    }
    int64_t i = gt_id_index_get(&t->stack_index, id);
    if (i < 0)
        return 0;
    *out = t->stacks[i];
    return 1;
}

/* Frame i of stack rec in table t, as gt_stack_frame returns it: the pc, and
 * the func, file and line of its frame record (empty when it has none). */
static inline gt_frame gt_table_stack_frame(const gt_table *t, const gt_stack_rec *rec, size_t i)
{
    if (t->resolved && rec->frame_idx) {
        uint32_t k = rec->frame_idx[i];
        if (k != GT_NO_FRAME)
            return t->resolved_frames[k];
        return (gt_frame){rec->pcs[i], {"", 0}, {"", 0}, 0};
    }
    gt_frame fr = {rec->pcs[i], {"", 0}, {"", 0}, 0};
    const gt_frame_rec *f = gt_table_frame(t, rec->pcs[i]);
    if (f) {
        gt_table_string(t, f->func_id, &fr.func);
        gt_table_string(t, f->file_id, &fr.file);
        fr.line = f->line;
    }
    return fr;
}

#endif
