/* Generations of a v2 trace (Go's generation.go and batch.go).
 *
 * A generation is everything the runtime wrote between two trace advances:
 * event batches per thread (M), string and stack tables, CPU samples, the
 * sync batch (frequency, clock snapshot) and experimental batches. Go reads a
 * whole generation before yielding any of its events; so do we.
 *
 * Before Go 1.26 a generation ends where a batch of the next one starts (that
 * batch is "spilled" into the next read); from 1.26 an EndOfGeneration byte
 * ends it.
 *
 * Memory: tables go into a fresh gt_table (owned by the caller once read);
 * batch bytes are used in place for memory inputs; in lazy mode (regular
 * files) event batches are left in the file and read back by offset; else
 * they are copied into one of two alternating arenas, so a generation's
 * bytes live until the one after the next is read.
 */
#ifndef GT_GEN_GEN_H
#define GT_GEN_GEN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/hash.h"
#include "event/table.h"
#include "gen/input.h"
#include "gotrace.h"

typedef struct gt_batch {
    int64_t m;            /* ThreadID (the wire value as int64) */
    uint64_t time;        /* raw timestamp of the batch */
    const uint8_t *data;  /* NULL for a lazy event batch: read it back at offset */
    size_t len;
    uint64_t offset;      /* input offset of data[0] */
    uint8_t exp;          /* experiment, 0 = none */
    uint8_t first;        /* data[0] when len > 0: what the batch holds, also
                           * for a lazy event batch whose data is NULL */
} gt_batch;

/* The event batches of one M, in input order (indices into batches). */
typedef struct gt_gen_m {
    int64_t m;
    size_t *idx;
    size_t n, cap;
} gt_gen_m;

typedef struct gt_cpu_sample {
    int64_t time;         /* raw timestamp until fixed up, then ns */
    int64_t g, p, m;
    uint64_t stack;
} gt_cpu_sample;

typedef struct gt_generation {
    uint64_t gen;
    uint64_t min_ts;
    gt_table *table;          /* owned by whoever takes it after a read */

    gt_batch *batches;        /* event batches of this generation */
    size_t nbatches, capbatches;
    gt_gen_m *ms;             /* Ms in order of first batch */
    size_t nms, capms;
    gt_u64map m_index;        /* m -> index into ms */

    gt_cpu_sample *samples;   /* sorted by time after the read */
    size_t nsamples, capsamples;

    /* With own_bytes set (the reader's read-ahead thread), gt_gen_read puts
     * the batch bytes it copies (non-lazy descriptors and streams) into
     * bytes, reset at each read, instead of the gt_gen_reader's alternating
     * arenas: they then live as long as this generation is not read into
     * again, however many generations are read meanwhile. The struct moves
     * by assignment (nothing points into it). */
    int own_bytes;
    gt_arena bytes;
} gt_generation;

/* Reading state kept between generations. */
typedef struct gt_gen_reader {
    int version;
    /* Lazy mode (regular files): event batches are not kept in memory; the
     * reader reads each back (pread) when its events are due, so memory is
     * bounded by the tables and one batch per M, not the generation size. */
    int lazy;
    uint8_t *spill_buf;       /* lazy mode: bytes of a spilled non-event batch */
    gt_arena data[2];         /* batch bytes of alternate generations */
    unsigned which;           /* arena of the generation being read */
    int has_spill;
    uint64_t spill_gen;
    gt_batch spill;
    /* When set (the reader's read-ahead thread), held around each batch
     * read from the input, so that the input's reads never overlap the
     * reads back by offset that the merging thread makes under the same
     * lock (cursor_load in reader.c). */
    pthread_mutex_t *io_lock;
} gt_gen_reader;

void gt_gen_reader_init(gt_gen_reader *gr, int version);
void gt_gen_reader_free(gt_gen_reader *gr);
void gt_generation_free(gt_generation *g);  /* frees arrays and table (if still owned) */

/* Go 1.26+ (readGeneration): 1 = *g holds the next generation, 0 = clean end
 * of trace, -1 = error in *err. Batch bytes go to g->bytes when g->own_bytes
 * is set (see gt_generation). */
int gt_gen_read(gt_gen_reader *gr, gt_input *in, gt_generation *g, gt_error *err);

/* Before Go 1.26 (readGenerationWithSpill): 1 = *g holds a generation and
 * *deferred may hold an error met while reading past it (deferred->code !=
 * GT_ERR_NONE), to be reported after the generation; -1 = error in *err (no
 * generation). The spill is kept in gr. */
int gt_gen_read_spill(gt_gen_reader *gr, gt_input *in, gt_generation *g, gt_error *err, gt_error *deferred);

/* Whether a spilled batch is waiting for the next read. */
static inline int gt_gen_has_spill(const gt_gen_reader *gr) { return gr->has_spill; }

#endif
