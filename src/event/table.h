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

#include <stdint.h>

#include "common/arena.h"
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

/* IDs below this are found through a dense array (slot = index + 1, 0 =
 * absent); larger ones through a hash map. Go's runtime numbers strings and
 * stacks from 1 in each generation, so real traces only use the array; the
 * bound caps what a hostile ID can make us allocate (4 MiB). */
#define GT_TABLE_DENSE_IDS ((uint64_t)1 << 20)

/* An ID -> index map: dense below GT_TABLE_DENSE_IDS, hashed above. */
typedef struct gt_id_index {
    uint32_t *slot;           /* slot[id] = index + 1, or 0 */
    size_t nslot;
    gt_u64map sparse;         /* IDs >= GT_TABLE_DENSE_IDS -> index */
} gt_id_index;

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

    gt_str *extra;            /* extra string ID k lives at extra[k-1] */
    size_t nextra, capextra;

    /* Sync data. */
    double freq;              /* ns per timestamp unit; 0 = not seen */
    int has_clock_snapshot;
    uint64_t snap_time;       /* raw timestamp of the snapshot */
    uint64_t snap_mono;
    int64_t snap_wall_sec;
    int32_t snap_wall_nsec;

    gt_exp_batch_rec *exp_batches;
    size_t nexp_batches, capexp_batches;

    /* Caches the accessors and the formatter fill in the caller's thread.
     * In threaded mode the reader's producer thread may still be adding
     * extra strings to this table (task types) while the caller reads its
     * events, so these caches own their memory (cache_arena, their own
     * arrays) and share nothing the producer writes. */
    gt_arena cache_arena;
    gt_u64map stw_names;      /* STW kind key -> pointer to a gt_str in cache_arena */
    gt_u64map stack_texts;    /* stack ID -> index into stack_text (formatting cache) */
    gt_str *stack_text;
    size_t nstack_text, capstack_text;
    const gt_frame **stack_frames; /* by stack index: its frames, NULL until asked for */
    size_t nstack_frames;
} gt_table;

/* Grows the geometric array *arr (len elements of size sz, capacity *cap) so
 * that one more fits. 0, or -1 when memory runs out (array unchanged). Used
 * by every layer above for their per-generation and per-ID arrays. */
int gt_table_grow(void **arr, size_t *cap, size_t len, size_t sz);

/* Returns a new empty table, or NULL when memory runs out. */
gt_table *gt_table_new(void);
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
    if (id < GT_TABLE_DENSE_IDS)
        return id < x->nslot ? (int64_t)x->slot[id] - 1 : -1;
    const uint64_t *v = gt_u64map_get(&x->sparse, id);
    return v ? (int64_t)*v : -1;
}

/* Calls f(id, index, arg) for every ID in ascending order; stops at and
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
 * Returns the ID, or UINT64_MAX when memory runs out. */
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
 * cache: a table is used by one thread at a time, like its reader). On
 * memory exhaustion returns "stop-the-world (?)". */
gt_str gt_table_stw_name(const gt_table *t, gt_str kind);

/* The frames of stack id as one array (gt_stack_frames): built on first
 * request in the table's cache arena (a logically const cache, as
 * gt_table_stw_name's) and returned from then on. Returns the number of
 * frames and sets *out; 0 and *out = NULL for the empty or an unknown stack,
 * or when memory runs out. */
size_t gt_table_stack_frames(const gt_table *t, uint64_t id, const gt_frame **out);

/* Go's tracev2Type2Kind: the event kind of wire type t (GT_EV_SYNTH_SYNC is
 * Sync); GT_EVENT_BAD for types that are not events. */
gt_event_kind gt_event_kind_of_type(unsigned t);

/* Cached text of a formatted stack (the formatter's; same cache rules as
 * gt_table_stw_name). get: 1 and *out when cached. put copies the text; 0 or
 * -1 when memory runs out. */
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
