/* Internals of the trace builder shared by builder.c (building, edits) and
 * builder_write.c (output). Not a public header. */
#ifndef GT_BUILDER_INTERNAL_H
#define GT_BUILDER_INTERNAL_H

#include "gotrace/builder.h"
#include "gotrace/raw.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"

#define NO_INDEX UINT32_MAX

/* One event added to a batch (or duplicated by an edit). */
typedef struct gt_builder__event {
    uint8_t type;
    uint8_t deleted;
    uint32_t batch;     /* index into the batch array */
    uint32_t next;      /* next event of the same batch, or NO_INDEX */
    size_t args_off;    /* into builder.args */
    uint32_t nargs;
    size_t data_off;    /* into builder.data */
    uint32_t data_len;
} gt_builder__event;

/* An gt_builder__interned string or stack of a generation. For strings off/len are
 * bytes of builder.data; for stacks off is an index into builder.frames
 * (4 values per frame) and len the frame count. prev chains entries whose
 * hashes collide. */
typedef struct gt_builder__interned {
    size_t off;
    size_t len;
    uint32_t prev;
} gt_builder__interned;

struct gt_builder_gen {
    gt_builder *b;
    uint64_t gen;
    uint64_t freq, sync_time, mono, wall_sec, wall_nsec;
    gt_u64map string_index;  /* content hash -> newest entry + 1 */
    gt_buf strings;          /* gt_builder__interned[]; ID = position + 1 */
    gt_u64map stack_index;
    gt_buf stacks;
    gt_u64map seqs;          /* (kind, id) -> last sequence number */
};

struct gt_builder_batch {
    gt_builder_gen *g;
    uint32_t index;
    uint64_t m;
    uint64_t time;
    uint32_t first, last;
};

struct gt_builder {
    int version;
    int failed;
    gt_error err;
    int valid_timestamps;
    uint64_t last_ts;
    int expect_failure;
    char *expect_pattern;

    gt_arena arena;       /* generations and batches */
    gt_buf gens;          /* gt_builder_gen *[] in creation order */
    gt_buf batches;       /* gt_builder_batch *[] in creation order */
    gt_buf events;        /* gt_builder__event[] */
    gt_buf args;          /* uint64_t[] */
    gt_buf data;          /* bytes: event data and gt_builder__interned strings */
    gt_buf frames;        /* uint64_t[]: pc, func ID, file ID, line */
    gt_buf top;           /* gt_builder__event[] written before all generations */
};

#define EVENTS(b) ((gt_builder__event *)(b)->events.data)
#define NEVENTS(b) ((b)->events.len / sizeof(gt_builder__event))
#define ARGS(b) ((uint64_t *)(b)->args.data)

/* The raw view of an event record (pointers into the builder's buffers). */
void gt_builder__raw(const gt_builder *b, const gt_builder__event *ev, gt_raw_event *out);

#endif
