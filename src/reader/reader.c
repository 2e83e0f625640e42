/* The public reader (Go's reader.go): reads a v2 trace one generation at a
 * time, merges the per-M batches by timestamp through a heap of batch
 * cursors, runs every event through the ordering state machine, and emits
 * Sync events at generation boundaries. Old formats (Go <= 1.21) are parsed
 * whole by src/v1 and passed through.
 *
 * Lifetimes: the tables of the current and the previous generation are
 * kept, so an event's strings and stacks stay valid until the Sync starting
 * the generation after next is returned (see gotrace.h). A batch holds at
 * most one Sync, so the tables it needs are those two; tables retired while
 * a batch is filled are freed when the next call starts. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cursor.h"
#include "common/error.h"
#include "event/table.h"
#include "gen/gen.h"
#include "gen/input.h"
#include "common/gosort.h"
#include "order/order.h"
#include "reader/view.h"
#include "v1/v1.h"
#include "wire/spec.h"

/* Go's batchCursor: the next event of one M, across its batches. */
typedef struct batch_cursor {
    int64_t m;
    int64_t last_ts;
    size_t idx;          /* current batch (index into the M's list) */
    int loaded;          /* batch idx is in [start, end) */
    const uint8_t *start, *p, *end;  /* its bytes; p = next unread byte */
    uint64_t base;       /* input offset of start[0] */
    uint64_t batch_time; /* raw timestamp of batch idx */
    uint8_t *buf;        /* owned: lazy batches are read back into it */
    size_t buf_cap;      /* its size: the largest batch of this slot so far,
                          * so memory follows the input, not the number of Ms */
    gt_base_event ev;    /* last event read */
    uint64_t ev_offset;  /* its input offset */
    const gt_gen_m *gm;
    pthread_mutex_t *io_lock; /* read-ahead: held while a batch is read back */
} batch_cursor;

/* What the hot paths need of an event type's spec, looked up once per
 * reader instead of once per event. */
typedef struct type_info {
    uint8_t timed;        /* a timed event type Go's batch cursor accepts */
    uint8_t nargs;        /* arguments after the timestamp */
    uint8_t nids;         /* stack and string ID arguments to validate */
    uint8_t id_arg[4];    /* their index in priv_args */
    uint8_t id_is_stack[4];
} type_info;

/* Threaded mode (gt_reader_set_threads): a producer thread runs the whole
 * single-threaded reader (input, generations, merge, ordering) and hands
 * events to the caller's thread in chunks through a small ring, so that the
 * caller's work on the events overlaps with reading. A table is retired
 * (freed) by the consumer once it has returned the Sync that ends the
 * table's lifetime, exactly as the single-threaded reader does.
 *
 * Memory stays bounded whatever the input: a chunk ends after a Sync, so it
 * holds at most one generation boundary, and the producer blocks while
 * PIPE_CHUNKS chunks wait: it runs at most PIPE_CHUNKS generations ahead of
 * the consumer, however small the generations.
 *
 * The producer orders events into a small buffer of its own (stage, which
 * stays in its core's cache) and copies PIPE_STAGE_EVENTS of them at a time
 * into the chunk: ordering straight into the chunk stalled every handler's
 * stores on cache lines the consumer had last read (consume mode, 2
 * threads: 2.6-2.8 s of CPU against 2.0-2.5 s staged, on go127-100MB). */
enum { PIPE_CHUNK_EVENTS = 4096, PIPE_CHUNKS = 3, PIPE_STAGE_EVENTS = 256 };

typedef struct ev_chunk {
    gt_event ev[PIPE_CHUNK_EVENTS];
    gt_table *retire[PIPE_CHUNK_EVENTS]; /* table to retire once ev[i] is returned */
    size_t n;
    size_t n_retire;      /* entries of retire that are not NULL */
    int ends_in_sync;     /* ev[n - 1] is a Sync: the only place one can be */
    int last;             /* the producer stopped after this chunk ... */
    int status;           /* ... at the end (0) or on an error (-1) */
    uint64_t bytes_read;  /* input consumed when the chunk was filled */
} ev_chunk;

typedef struct pipeline {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t has_data, has_space;
    ev_chunk chunks[PIPE_CHUNKS];
    gt_event stage[PIPE_STAGE_EVENTS]; /* producer only */
    size_t head, tail;    /* chunks filled: [head, tail), by index mod PIPE_CHUNKS */
    int stop;             /* the consumer is freeing the reader */
    gt_error err;         /* the producer's error, valid once a last chunk says -1 */
    /* Consumer side. */
    ev_chunk *cur;
    size_t pos;
    int ended, failed;
    uint64_t bytes_read;
    gt_table **retired;   /* freed at the start of the next call */
    size_t nretired, capretired;
} pipeline;

/* Generation read-ahead (threaded mode, v2): a thread of its own reads the
 * input generation after generation (batches, string and stack tables, CPU
 * samples, the sync batch: gt_gen_read, everything before the merge) into
 * RA_SLOTS slots, while the producer merges and orders the generation
 * before them, and takes them strictly in input order. The slots are the
 * only generations in flight: the thread waits while they are all full, so
 * memory is bounded by RA_SLOTS + 1 generations whatever the trace length
 * (their tables; and their batch bytes only for inputs that cannot be read
 * back by offset). The input's reads and the producer's reads back by
 * offset take turns under io_lock, so a source never sees two at once.
 * One thread is enough: the input is read in order, and the work after
 * the read (tables, samples) is about 1% of the reader's time on the 100 MB
 * trace; the merge and the ordering are the rest (see README Performance). */
enum { RA_SLOTS = 2 };

typedef struct ra_slot {
    gt_generation gen;    /* swapped with the reader's when taken */
    int st;               /* gt_gen_read / gt_gen_read_spill's result */
    gt_error err, deferred;
    int has_spill;        /* gt_gen_has_spill after the read (spill formats) */
    uint64_t offset;      /* input consumed after the read */
} ra_slot;

typedef struct read_ahead {
    pthread_t thread;
    pthread_mutex_t mu, io_lock;
    pthread_cond_t cond;  /* any change of read, taken or stop */
    ra_slot slots[RA_SLOTS];
    uint64_t read, taken; /* slot k % RA_SLOTS; taken <= read <= taken + RA_SLOTS */
    int stop;
    /* Producer side: what the last slot taken said. */
    int has_spill;
    uint64_t offset;
} read_ahead;

struct gt_reader {
    int version;
    type_info types[256];
    int threads;                 /* requested by gt_reader_set_threads */
    pipeline *pipe;              /* threaded mode, once started */
    read_ahead *ra;              /* its generation read-ahead, when running */
    gt_table *pending_retire;    /* threaded: retire with the next event produced */
    gt_input in;                 /* closed (its source too) on free */

    /* Old formats. */
    gt_v1 *v1;
    uint8_t *v1_data;            /* owned copy of a streamed old trace */

    /* v2. */
    gt_gen_reader gr;
    gt_generation gen;
    int has_gen;                 /* Go's r.gen != nil */
    gt_table *tables[2];         /* [0] current generation, [1] previous */
    gt_table *end_table;         /* end_sync's, made on first use */
    /* Tables past their lifetime while a gt_reader_next_batch call runs:
     * freed when the next call starts, so that a whole batch stays valid. */
    gt_table **retired;
    size_t nretired, capretired;
    int in_batch;
    /* A batch ends before its second Sync, which would end the lifetime of
     * the batch's first generation: that Sync waits here and is the first
     * event the next call returns. */
    gt_event held;
    int has_held;
    batch_cursor *cursors;
    size_t capcursors;
    struct frontier_entry *frontier; /* a min-heap by time, as Go's */
    size_t nfrontier, capfrontier;
    size_t sample_pos;           /* next CPU sample of gen.samples */
    gt_ordering order;
    int64_t last_ts;
    int64_t syncs;
    int done;
    int has_read_gen_err;
    gt_error read_gen_err;
    int has_spill_err, spill_err_sync;
    gt_error spill_err;

    int failed;                  /* sticky: err holds the error */
    int ended;                   /* sticky: the end was returned */
    gt_error err;
};

/* ------------------------------------------------------------ helpers */

/* Moves *e (a local, or one of r's pending errors) into r->err. */
static int fail(gt_reader *r, gt_error *e)
{
    gt_error_move(&r->err, e);
    if (r->err.generation == 0 && r->gen.gen)
        r->err.generation = r->gen.gen;
    r->failed = 1;
    return -1;
}

static int fail_nomem(gt_reader *r)
{
    gt_error e = GT_ERROR_INIT;
    gt_error_set(&e, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    return fail(r, &e);
}

/* ------------------------------------------------------------ cursors */

/* Makes batch bc->idx current: in memory already, or read back from the
 * file by offset (lazy mode). 0, or -1 with *err. */
static int cursor_load(batch_cursor *bc, const gt_generation *g, const gt_input *in, gt_error *err)
{
    /* An empty batch read back by offset has no bytes and no buffer, but p
     * and end must still point somewhere: NULL + 0 is undefined in C. */
    static const uint8_t no_bytes[1];
    const gt_batch *b = &g->batches[bc->gm->idx[bc->idx]];
    const uint8_t *data = b->data;
    if (!data && b->len) {
        if (b->len > bc->buf_cap) {
            uint8_t *nb = realloc(bc->buf, b->len);
            if (!nb)
                return gt_error_set(err, GT_ERR_NOMEM, b->offset, "out of memory");
            bc->buf = nb;
            bc->buf_cap = b->len;
        }
        size_t got;
        int err_no;
        if (gt_in_read_at(in, bc->buf, b->len, b->offset, &got, &err_no) < 0) {
            if (err_no)
                return gt_error_set(err, GT_ERR_IO, b->offset + got, "read error: %s", strerror(err_no));
            return gt_error_set(err, GT_ERR_TRUNCATED, b->offset,
                                "failed to read full batch: read %zu but wanted %zu", got, b->len);
        }
        data = bc->buf;
    }
    if (!data)
        data = no_bytes;
    bc->start = bc->p = data;
    bc->end = data + b->len;
    bc->base = b->offset;
    bc->batch_time = b->time;
    bc->loaded = 1;
    return 0;
}

/* Moves bc to its next batch with bytes left, loading it: 1, or 0 when the
 * M has no more, or -1 with *err. Kept out of line: it runs once per batch,
 * cursor_next once per event. */
static __attribute__((noinline)) int cursor_next_batch(batch_cursor *bc, const gt_generation *g,
                                                       const gt_input *in, double freq, gt_error *err)
{
    while (!bc->loaded || bc->p == bc->end) {
        if (bc->loaded) {
            /* Go accepts empty batches: move on to the next. */
            bc->idx++;
            bc->loaded = 0;
            bc->last_ts = 0;
        }
        if (bc->idx == bc->gm->n)
            return 0;
        if (bc->io_lock)
            pthread_mutex_lock(bc->io_lock);
        int ld = cursor_load(bc, g, in, err);
        if (bc->io_lock)
            pthread_mutex_unlock(bc->io_lock);
        if (ld < 0)
            return -1;
    }
    if (bc->last_ts == 0)
        bc->last_ts = gt_time_mul(freq, bc->batch_time);
    return 1;
}

/* Go's readTimedBaseEvent + batchCursor.nextEvent. 1 = event read, 0 = no
 * more events for this M, -1 = error. */
static inline __attribute__((always_inline)) int cursor_next(batch_cursor *bc, const gt_generation *g,
                                                             const gt_input *in, const type_info *types,
                                                             double freq, gt_error *err)
{
    /* Most calls find the current batch loaded with bytes left. */
    if (!bc->loaded || bc->p == bc->end) {
        int st = cursor_next_batch(bc, g, in, freq, err);
        if (st <= 0)
            return st;
    }

    uint64_t at = bc->base + (uint64_t)(bc->p - bc->start);
    gt_cursor c = {bc->p, bc->end};
    uint8_t typ = *c.p++;
    if (typ >= GT_EV_MAX_EXPERIMENTAL)
        return gt_error_set(err, GT_ERR_MALFORMED, at, "found invalid event type: %u", typ);
    const type_info *ti = &types[typ];
    if (!ti->timed)
        return gt_error_set(err, GT_ERR_MALFORMED, at, "found event without a timestamp: type=%u", typ);
    uint64_t tsdiff;
    /* An event is at most 5 varints: with 50 bytes left none can run past
     * the end, so the bound tests per byte are skipped. */
    if (c.end - c.p >= 50) {
        if (gt_varint_unbounded(&c.p, &tsdiff) != GT_VARINT_OK)
            return gt_error_set(err, GT_ERR_MALFORMED, at, "found invalid uvarint for timestamp");
        for (unsigned i = 0; i < ti->nargs; i++)
            if (gt_varint_unbounded(&c.p, &bc->ev.args[i]) != GT_VARINT_OK)
                return gt_error_set(err, GT_ERR_MALFORMED, at, "found invalid uvarint");
    } else {
        if (gt_varint(&c, &tsdiff) != GT_VARINT_OK)
            return gt_error_set(err, GT_ERR_MALFORMED, at, "found invalid uvarint for timestamp");
        for (unsigned i = 0; i < ti->nargs; i++)
            if (gt_varint(&c, &bc->ev.args[i]) != GT_VARINT_OK)
                return gt_error_set(err, GT_ERR_MALFORMED, at, "found invalid uvarint");
    }
    bc->ev.type = typ;
    /* Time(float64(ts)*freq) + lastTs, wrapping like Go's int64. */
    bc->ev.time = (int64_t)((uint64_t)gt_time_mul(freq, tsdiff) + (uint64_t)bc->last_ts);
    bc->last_ts = bc->ev.time;
    bc->ev_offset = at;
    bc->p = c.p;
    return 1;
}

/* ------------------------------------------------------------ heap (Go's) */

/* The merge frontier: a min-heap of the Ms' next events by time, with the
 * time kept beside the cursor so that sifting reads one array. The
 * algorithm is Go's, step for step, so Ms whose next events share a time
 * come out in Go's order. */
typedef struct frontier_entry {
    int64_t time;      /* bc->ev.time */
    batch_cursor *bc;
} frontier_entry;

static void hswap(frontier_entry *h, size_t i, size_t j)
{
    frontier_entry t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static size_t heap_sift_up(frontier_entry *h, size_t i)
{
    while (i > 0 && h[(i - 1) / 2].time > h[i].time) {
        hswap(h, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    return i;
}

static size_t min3(const frontier_entry *h, size_t n, size_t i0, size_t i1, size_t i2)
{
    size_t min_idx = i0;
    int64_t min_t = INT64_MAX;
    if (i0 < n)
        min_t = h[i0].time;
    if (i1 < n && h[i1].time < min_t) {
        min_t = h[i1].time;
        min_idx = i1;
    }
    if (i2 < n && h[i2].time < min_t)
        min_idx = i2;
    return min_idx;
}

static void heap_sift_down(frontier_entry *h, size_t n, size_t i)
{
    for (;;) {
        size_t m = min3(h, n, i, 2 * i + 1, 2 * i + 2);
        if (m == i)
            return;
        hswap(h, i, m);
        i = m;
    }
}

static void heap_update(frontier_entry *h, size_t n, size_t i)
{
    if (heap_sift_up(h, i) != i)
        return;
    heap_sift_down(h, n, i);
}

static void heap_remove(frontier_entry *h, size_t *n, size_t i)
{
    while (i > 0) {
        hswap(h, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    hswap(h, 0, *n - 1);
    (*n)--;
    heap_sift_down(h, *n, 0);
}

static int frontier_cmp(const void *a, const void *b)
{
    int64_t x = ((const frontier_entry *)a)->time, y = ((const frontier_entry *)b)->time;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------------ errors with dumps */

static void dump_frontier(const gt_reader *r, gt_buf *b)
{
    for (size_t i = 0; i < r->nfrontier; i++) {
        const batch_cursor *bc = r->frontier[i].bc;
        const gt_spec *spec = gt_spec_any(bc->ev.type);
        gt_buf_printf(b, "M %" PRId64 " [%s time=%" PRId64, bc->m, spec ? spec->name : "", bc->ev.time);
        for (unsigned k = 1; spec && k < spec->nargs; k++)
            gt_buf_printf(b, " %s=%" PRIu64, spec->args[k], bc->ev.args[k - 1]);
        gt_buf_puts(b, "]\n");
    }
}

static int fail_broken(gt_reader *r, const char *what)
{
    gt_buf b = GT_BUF_INIT;
    gt_buf_printf(&b, "broken trace: %s:\n[gen=%" PRIu64 "]\n\n", what, r->gen.gen);
    dump_frontier(r, &b);
    gt_buf_puts(&b, "\n");
    gt_ordering_dump(&r->order, &b);
    gt_buf_puts(&b, "\n");
    gt_error e = GT_ERROR_INIT;
    gt_error_set(&e, GT_ERR_INVALID, GT_NO_OFFSET, "%.*s", (int)b.len, b.data ? b.data : "");
    gt_buf_free(&b);
    return fail(r, &e);
}

/* ------------------------------------------------------------ generations */

/* A Sync that starts no generation (the last one, or one before an error):
 * Go's syncEvent(nil, ...). Its table is an empty one of the reader's, which
 * a Sync shows as Go's nil does (no clock snapshot, no experimental batches)
 * and which holds gt_event_string's text for it as every generation's table
 * does for its events; NULL only when memory ran out. */
static gt_event end_sync(gt_reader *r)
{
    if (!r->end_table)
        r->end_table = gt_table_new();
    return gt_event_make_sync(r->end_table, r->last_ts, ++r->syncs);
}

/* ------------------------------------------------------------ read-ahead */

static void *ra_main(void *arg)
{
    gt_reader *r = arg;
    read_ahead *ra = r->ra;
    for (;;) {
        pthread_mutex_lock(&ra->mu);
        while (ra->read - ra->taken == RA_SLOTS && !ra->stop)
            pthread_cond_wait(&ra->cond, &ra->mu);
        int stop = ra->stop;
        ra_slot *s = &ra->slots[ra->read % RA_SLOTS];
        pthread_mutex_unlock(&ra->mu);
        if (stop)
            return NULL;
        int more;
        gt_error_clear(&s->err);
        gt_error_clear(&s->deferred);
        if (r->version >= GT_GO126) {
            s->gen.own_bytes = 1;
            s->st = gt_gen_read(&r->gr, &r->in, &s->gen, &s->err);
            s->has_spill = 0;
            more = s->st == 1;
        } else {
            s->st = gt_gen_read_spill(&r->gr, &r->in, &s->gen, &s->err, &s->deferred);
            s->has_spill = gt_gen_has_spill(&r->gr);
            more = s->st == 1 && s->has_spill && s->deferred.code == GT_ERR_NONE;
        }
        s->offset = gt_in_offset(&r->in);
        pthread_mutex_lock(&ra->mu);
        ra->read++;
        pthread_cond_broadcast(&ra->cond);
        pthread_mutex_unlock(&ra->mu);
        if (!more)
            return NULL; /* the reader asks for no generation after this one */
    }
}

/* Starts the read-ahead thread; on failure the reader reads generations
 * itself. Inputs of the spill formats (before Go 1.26) whose batch bytes
 * would be copied (neither memory nor read back by offset) keep them in the
 * gt_gen_reader's two alternating arenas, which allow no more generations
 * in flight: those are read without read-ahead. */
static void ra_start(gt_reader *r)
{
    if (r->version < GT_GO126 && !r->gr.lazy && r->in.kind != GT_IN_MEMORY)
        return;
    read_ahead *ra = calloc(1, sizeof *ra);
    if (!ra)
        return;
    pthread_mutex_init(&ra->mu, NULL);
    pthread_mutex_init(&ra->io_lock, NULL);
    pthread_cond_init(&ra->cond, NULL);
    r->ra = ra;
    if (r->gr.lazy)
        r->gr.io_lock = &ra->io_lock;
    if (pthread_create(&ra->thread, NULL, ra_main, r) != 0) {
        r->ra = NULL;
        r->gr.io_lock = NULL;
        pthread_cond_destroy(&ra->cond);
        pthread_mutex_destroy(&ra->io_lock);
        pthread_mutex_destroy(&ra->mu);
        free(ra);
    }
}

/* Stops and joins the read-ahead thread and frees its slots. */
static void ra_stop(gt_reader *r)
{
    read_ahead *ra = r->ra;
    if (!ra)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->stop = 1;
    pthread_cond_broadcast(&ra->cond);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->thread, NULL);
    for (size_t i = 0; i < RA_SLOTS; i++) {
        gt_generation_free(&ra->slots[i].gen);
        gt_error_clear(&ra->slots[i].err);
        gt_error_clear(&ra->slots[i].deferred);
    }
    pthread_cond_destroy(&ra->cond);
    pthread_mutex_destroy(&ra->io_lock);
    pthread_mutex_destroy(&ra->mu);
    free(ra);
    r->ra = NULL;
    r->gr.io_lock = NULL;
}

/* The next generation from the read-ahead thread, as gt_gen_read (deferred
 * NULL) or gt_gen_read_spill would have returned it: r->gen is swapped with
 * the slot's, whose arrays (and bytes) the thread then reuses. */
static int ra_take(gt_reader *r, gt_error *err, gt_error *deferred)
{
    read_ahead *ra = r->ra;
    pthread_mutex_lock(&ra->mu);
    while (ra->read == ra->taken)
        pthread_cond_wait(&ra->cond, &ra->mu);
    ra_slot *s = &ra->slots[ra->taken % RA_SLOTS];
    pthread_mutex_unlock(&ra->mu);
    gt_generation t = r->gen;
    r->gen = s->gen;
    s->gen = t;
    int st = s->st;
    gt_error_move(err, &s->err);
    if (deferred)
        gt_error_move(deferred, &s->deferred);
    ra->has_spill = s->has_spill;
    ra->offset = s->offset;
    pthread_mutex_lock(&ra->mu);
    ra->taken++;
    pthread_cond_broadcast(&ra->cond);
    pthread_mutex_unlock(&ra->mu);
    return st;
}

/* Go's installGen. got = whether a generation was read. */
static int install_gen(gt_reader *r, int got, gt_event *ev)
{
    if (!got) {
        r->has_gen = 0;
        r->done = 1;
        *ev = end_sync(r);
        return 1;
    }
    r->has_gen = 1;
    if (r->pipe) {
        /* The consumer may still be handing out events of tables[1]: it
         * frees it after returning the Sync made below. */
        r->pending_retire = r->tables[1];
    } else if (r->in_batch && r->tables[1]) {
        if (r->nretired == r->capretired) {
            size_t ncap = r->capretired ? r->capretired * 2 : 8;
            gt_table **nr = realloc(r->retired, ncap * sizeof *nr);
            if (!nr)
                return fail_nomem(r);
            r->retired = nr;
            r->capretired = ncap;
        }
        r->retired[r->nretired++] = r->tables[1];
    } else {
        gt_table_free(r->tables[1]);
    }
    r->tables[1] = r->tables[0];
    r->tables[0] = r->gen.table;
    r->gen.table = NULL;
    gt_table *t = r->tables[0];
    r->sample_pos = 0;
    if (r->gen.nms > r->capcursors) {
        size_t ncap = r->gen.nms;
        batch_cursor *nc = realloc(r->cursors, ncap * sizeof *nc);
        if (nc) {
            /* New cursors own no buffer yet. */
            for (size_t i = r->capcursors; i < ncap; i++) {
                nc[i].buf = NULL;
                nc[i].buf_cap = 0;
            }
            r->cursors = nc;
        }
        free(r->frontier);
        r->frontier = malloc(ncap * sizeof *r->frontier);
        if (!nc || !r->frontier)
            return fail_nomem(r);
        r->capcursors = ncap;
    }
    r->nfrontier = 0;
    for (size_t i = 0; i < r->gen.nms; i++) {
        batch_cursor *bc = &r->cursors[i];
        uint8_t *buf = bc->buf;
        size_t buf_cap = bc->buf_cap;
        memset(bc, 0, sizeof *bc);
        bc->buf = buf;
        bc->buf_cap = buf_cap;
        bc->m = r->gen.ms[i].m;
        bc->gm = &r->gen.ms[i];
        bc->io_lock = r->gr.io_lock;
        gt_error e = GT_ERROR_INIT;
        int ok = cursor_next(bc, &r->gen, &r->in, r->types, t->freq, &e);
        if (ok < 0) {
            e.generation = r->gen.gen;
            return fail(r, &e);
        }
        if (!ok)
            continue;
        r->frontier[r->nfrontier++] = (frontier_entry){bc->ev.time, bc};
        heap_sift_up(r->frontier, r->nfrontier - 1);
    }
    *ev = gt_event_make_sync(t, gt_time_mul(t->freq, r->gen.min_ts), ++r->syncs);
    return 1;
}

/* Go's nextGenWithSpill (before Go 1.26). */
static int next_gen_with_spill(gt_reader *r, gt_event *ev)
{
    if (r->has_spill_err) {
        if (r->spill_err_sync)
            return fail(r, &r->spill_err);
        r->spill_err_sync = 1;
        *ev = end_sync(r);
        return 1;
    }
    if (r->has_gen && !(r->ra ? r->ra->has_spill : gt_gen_has_spill(&r->gr))) {
        r->done = 1;
        *ev = end_sync(r);
        return 1;
    }
    gt_error e = GT_ERROR_INIT, deferred = GT_ERROR_INIT;
    int st = r->ra ? ra_take(r, &e, &deferred) : gt_gen_read_spill(&r->gr, &r->in, &r->gen, &e, &deferred);
    if (deferred.code != GT_ERR_NONE) {
        gt_error_move(&r->spill_err, &deferred);
        r->has_spill_err = 1;
    }
    if (st < 0) {
        r->has_gen = 0;
        gt_error_move(&r->spill_err, &e);
        r->has_spill_err = 1;
        r->spill_err_sync = 1;
        *ev = end_sync(r);
        return 1;
    }
    return install_gen(r, 1, ev);
}

/* Go's tryAdvance for frontier[i]: 1 advanced, 0 not ready, -1 error. */
static inline __attribute__((always_inline)) int try_advance(gt_reader *r, size_t i)
{
    batch_cursor *bc = r->frontier[i].bc;
    gt_error e = GT_ERROR_INIT;
    gt_table *t = r->tables[0];
    int ok = gt_ordering_advance(&r->order, &bc->ev, t, bc->m, r->gen.gen, &e);
    if (ok < 0) {
        if (e.offset == GT_NO_OFFSET)
            e.offset = bc->ev_offset;
        e.generation = r->gen.gen;
        return fail(r, &e);
    }
    if (!ok)
        return 0;
    ok = cursor_next(bc, &r->gen, &r->in, r->types, t->freq, &e);
    if (ok < 0) {
        e.generation = r->gen.gen;
        return fail(r, &e);
    }
    if (ok) {
        frontier_entry *h = r->frontier;
        size_t n = r->nfrontier;
        int64_t t0 = bc->ev.time;
        h[i].time = t0;
        /* The usual case: the root's M stays the earliest (no child is
         * strictly earlier), and Go's sift would not move it. */
        if (i == 0 && (n < 2 || h[1].time >= t0) && (n < 3 || h[2].time >= t0))
            return 1;
        heap_update(h, n, i);
    } else
        heap_remove(r->frontier, &r->nfrontier, i);
    return 1;
}

/* validate_table_ids' failure: Go's message for the first missing ID. */
static __attribute__((noinline)) int fail_table_ids(gt_reader *r, const gt_event *ev)
{
    const type_info *ti = &r->types[ev->priv_type];
    const gt_table *t = ev->priv_table;
    for (unsigned k = 0; k < ti->nids; k++) {
        int is_stack = ti->id_is_stack[k];
        uint64_t id = ev->priv_args[ti->id_arg[k]];
        if (id == 0 || (is_stack ? gt_id_index_get(&t->stack_index, id) : gt_id_index_get(&t->string_index, id)) >= 0)
            continue;
        gt_error e = GT_ERROR_INIT;
        gt_error_set(&e, GT_ERR_INVALID, GT_NO_OFFSET, "found invalid %s ID %" PRIu64 " for event %s",
                     is_stack ? "stack" : "string", id, gt_spec_any(ev->priv_type)->name);
        return fail(r, &e);
    }
    return 0;
}

/* Go's validateTableIDs: the stack and string IDs the event's spec names
 * exist in its generation. 0, or -1 (sticky) when one does not. */
static inline int validate_table_ids(gt_reader *r, const gt_event *ev)
{
    const type_info *ti = &r->types[ev->priv_type];
    const gt_table *t = ev->priv_table;
    if (!ti->nids || !t)
        return 0;
    for (unsigned k = 0; k < ti->nids; k++) {
        uint64_t id = ev->priv_args[ti->id_arg[k]];
        if (id != 0 &&
            (ti->id_is_stack[k] ? gt_id_index_get(&t->stack_index, id) : gt_id_index_get(&t->string_index, id)) < 0)
            return fail_table_ids(r, ev);
    }
    return 0;
}

/* Fills r->types from the spec table. The synthetic Sync type has no spec
 * and so no IDs to check. */
static void init_type_info(gt_reader *r)
{
    for (unsigned t = 0; t < 256; t++) {
        type_info *ti = &r->types[t];
        const gt_spec *spec = t == GT_EV_SYNTH_SYNC ? NULL : gt_spec_any(t);
        memset(ti, 0, sizeof *ti);
        if (!spec)
            continue;
        ti->timed = spec->nargs > 0 && spec->is_timed;
        ti->nargs = spec->nargs > 0 ? (uint8_t)(spec->nargs - 1) : 0;
        for (unsigned k = 0; k < spec->nstack_ids && ti->nids < 4; k++, ti->nids++) {
            ti->id_arg[ti->nids] = (uint8_t)(spec->stack_ids[k] - 1);
            ti->id_is_stack[ti->nids] = 1;
        }
        for (unsigned k = 0; k < spec->nstring_ids && ti->nids < 4; k++, ti->nids++)
            ti->id_arg[ti->nids] = (uint8_t)(spec->string_ids[k] - 1);
    }
}

/* Go's ReadEvent before its deferred checks: 1 = *ev, -1 = error. */
static inline __attribute__((always_inline)) int read_event_v2(gt_reader *r, gt_event *ev)
{
    if (gt_ordering_next(&r->order, ev))
        return 1;
    const gt_generation *g = &r->gen;
    int samples_left = r->has_gen && r->sample_pos < g->nsamples;
    if (r->nfrontier == 0 && !samples_left) {
        if (r->version < GT_GO126)
            return next_gen_with_spill(r, ev);
        if (r->has_read_gen_err)
            return fail(r, &r->read_gen_err);
        gt_error e = GT_ERROR_INIT;
            int st = r->ra ? ra_take(r, &e, NULL) : gt_gen_read(&r->gr, &r->in, &r->gen, &e);
        if (st < 0) {
            gt_error_move(&r->read_gen_err, &e);
            r->has_read_gen_err = 1;
            r->has_gen = 0;
            *ev = end_sync(r);
            return 1;
        }
        return install_gen(r, st == 1, ev);
    }
    if (samples_left) {
        const gt_cpu_sample *s = &g->samples[r->sample_pos];
        if (r->nfrontier == 0 || s->time < r->frontier[0].time) {
            memset(ev, 0, sizeof *ev);
            ev->time = s->time;
            ev->goroutine = s->g;
            ev->proc = s->p;
            ev->thread = s->m;
            ev->kind = GT_EVENT_STACK_SAMPLE;
            ev->priv_type = GT_EV_CPU_SAMPLE;
            ev->priv_args[0] = s->stack;
            ev->priv_table = r->tables[0];
            r->sample_pos++;
            return 1;
        }
    }
    if (r->nfrontier == 0)
        return fail_broken(r, "frontier is empty");
    /* The queue is empty: the first event the ordering accepts goes
     * straight into *ev. */
    r->order.direct = ev;
    int ok = try_advance(r, 0);
    if (ok < 0) {
        r->order.direct = NULL;
        return -1;
    }
    if (!ok) {
        gt_go_sort(r->frontier, r->nfrontier, sizeof *r->frontier, frontier_cmp);
        int success = 0;
        for (size_t i = 1; i < r->nfrontier; i++) {
            ok = try_advance(r, i);
            if (ok < 0) {
                r->order.direct = NULL;
                return -1;
            }
            if (ok) {
                success = 1;
                break;
            }
        }
        if (!success) {
            r->order.direct = NULL;
            return fail_broken(r, "failed to advance: frontier");
        }
    }
    if (!r->order.direct)
        return 1;
    r->order.direct = NULL;
    if (!gt_ordering_next(&r->order, ev)) {
        gt_error e = GT_ERROR_INIT;
        gt_error_set(&e, GT_ERR_INVALID, GT_NO_OFFSET, "invariant violation: advance successful, but queue is empty");
        return fail(r, &e);
    }
    return 1;
}

static void free_retired(gt_reader *r)
{
    for (size_t i = 0; i < r->nretired; i++)
        gt_table_free(r->retired[i]);
    r->nretired = 0;
}

/* The single-threaded reader: 1 = *ev, 0 = end, -1 = error (sticky). */
static inline __attribute__((always_inline)) int next_event(gt_reader *r, gt_event *ev)
{
    if (r->failed)
        return -1;
    if (r->ended)
        return 0;
    if (r->v1) {
        int st = gt_v1_next(r->v1, ev, &r->err);
        if (st < 0)
            r->failed = 1;
        if (st == 0)
            r->ended = 1;
        return st;
    }
    if (r->done) {
        r->ended = 1;
        return 0;
    }
    if (read_event_v2(r, ev) < 0)
        return -1;
    if (validate_table_ids(r, ev) < 0)
        return -1;
    /* Times strictly increase along the reader, as in Go. */
    if (ev->time <= r->last_ts)
        ev->time = r->last_ts + 1;
    r->last_ts = ev->time;
    return 1;
}

/* next_event over a run: up to cap events into evs, the run ending after a
 * Sync. Returns how many; *st is the status of the call that ended the run
 * (1 when it ended at cap or at a Sync). Callers take runs, not single
 * events, so that the per-event path is one loop with no call in it. */
static size_t next_run(gt_reader *r, gt_event *evs, size_t cap, int *st)
{
    size_t n = 0;
    int s = 1;
    while (n < cap) {
        s = next_event(r, &evs[n]);
        if (s != 1)
            break;
        if (evs[n++].kind == GT_EVENT_SYNC)
            break;
    }
    *st = s;
    return n;
}

/* ------------------------------------------------------------ threads */

static void *producer_main(void *arg)
{
    gt_reader *r = arg;
    pipeline *p = r->pipe;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->tail - p->head == PIPE_CHUNKS && !p->stop)
            pthread_cond_wait(&p->has_space, &p->mu);
        int stop = p->stop;
        ev_chunk *c = &p->chunks[p->tail % PIPE_CHUNKS];
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        int st = 1, sync = 0;
        c->n = 0;
        c->n_retire = 0;
        while (c->n < PIPE_CHUNK_EVENTS && st == 1 && !sync) {
            size_t room = PIPE_CHUNK_EVENTS - c->n;
            if (room > PIPE_STAGE_EVENTS)
                room = PIPE_STAGE_EVENTS;
            size_t k = next_run(r, p->stage, room, &st);
            memset(&c->retire[c->n], 0, k * sizeof c->retire[0]);
            if (k && p->stage[k - 1].kind == GT_EVENT_SYNC) {
                sync = 1; /* one generation boundary per chunk (see pipeline) */
                /* Only the Sync that installs a generation sets it. */
                c->retire[c->n + k - 1] = r->pending_retire;
                c->n_retire += r->pending_retire != NULL;
                r->pending_retire = NULL;
            }
            memcpy(&c->ev[c->n], p->stage, k * sizeof *p->stage);
            c->n += k;
        }
        c->ends_in_sync = sync;
        c->last = st != 1;
        c->status = st < 0 ? -1 : 0;
        c->bytes_read = r->ra ? r->ra->offset : gt_in_offset(&r->in);
        pthread_mutex_lock(&p->mu);
        if (st < 0)
            gt_error_copy(&p->err, &r->err);
        p->tail++;
        pthread_cond_signal(&p->has_data);
        pthread_mutex_unlock(&p->mu);
        if (c->last)
            return NULL;
    }
}

static void pipe_free_retired(pipeline *p)
{
    for (size_t i = 0; i < p->nretired; i++)
        gt_table_free(p->retired[i]);
    p->nretired = 0;
}

/* Starts the producer. Failing to start leaves the reader single-threaded. */
static void pipe_start(gt_reader *r)
{
    pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->has_data, NULL);
    pthread_cond_init(&p->has_space, NULL);
    r->pipe = p;
    if (pthread_create(&p->thread, NULL, producer_main, r) != 0) {
        r->pipe = NULL;
        pthread_cond_destroy(&p->has_data);
        pthread_cond_destroy(&p->has_space);
        pthread_mutex_destroy(&p->mu);
        free(p);
    }
}

/* Stops and joins the producer, and frees every table it handed over. */
static void pipe_stop(gt_reader *r)
{
    pipeline *p = r->pipe;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->has_space);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    size_t from = p->cur ? p->pos : 0;
    for (size_t k = p->head; k < p->tail; k++) {
        ev_chunk *c = &p->chunks[k % PIPE_CHUNKS];
        for (size_t i = c == p->cur ? from : 0; i < c->n; i++)
            gt_table_free(c->retire[i]);
    }
    pipe_free_retired(p);
    free(p->retired);
    gt_error_clear(&p->err);
    pthread_cond_destroy(&p->has_data);
    pthread_cond_destroy(&p->has_space);
    pthread_mutex_destroy(&p->mu);
    free(p);
    r->pipe = NULL;
}

/* Makes p->cur a chunk with events left: 1, or 0/-1 at the end/error. */
static int pipe_fill(pipeline *p)
{
    while (!p->cur || p->pos == p->cur->n) {
        if (p->cur) {
            if (p->cur->last) {
                p->bytes_read = p->cur->bytes_read;
                if (p->cur->status < 0)
                    p->failed = 1;
                else
                    p->ended = 1;
                return p->failed ? -1 : 0;
            }
            pthread_mutex_lock(&p->mu);
            p->head++;
            pthread_cond_signal(&p->has_space);
            pthread_mutex_unlock(&p->mu);
            p->cur = NULL;
        }
        pthread_mutex_lock(&p->mu);
        while (p->tail == p->head)
            pthread_cond_wait(&p->has_data, &p->mu);
        p->cur = &p->chunks[p->head % PIPE_CHUNKS];
        pthread_mutex_unlock(&p->mu);
        p->pos = 0;
        p->bytes_read = p->cur->bytes_read;
    }
    return 1;
}

/* Moves the tables that events [pos, pos + k) of the current chunk retire
 * to p->retired (freed at the start of the next call), and the position
 * past them. */
static void pipe_advance(pipeline *p, size_t k)
{
    ev_chunk *c = p->cur;
    for (size_t i = p->pos; c->n_retire && i < p->pos + k; i++) {
        if (!c->retire[i])
            continue;
        if (gt_table_grow((void **)&p->retired, &p->capretired, p->nretired, sizeof *p->retired) < 0)
            gt_table_free(c->retire[i]); /* no room to defer: the caller's batch loses it early */
        else
            p->retired[p->nretired++] = c->retire[i];
        c->retire[i] = NULL;
    }
    p->pos += k;
}

/* Up to cap events from the pipeline, ending before a second Sync as the
 * single-threaded batch does; tables retired on the way are kept until the
 * next call. Returns how many. */
static size_t pipe_take(pipeline *p, gt_event *evs, size_t cap)
{
    pipe_free_retired(p);
    size_t n = 0;
    int syncs = 0, stop = 0;
    while (n < cap && !stop && !p->ended && !p->failed && pipe_fill(p) == 1) {
        ev_chunk *c = p->cur;
        size_t k = c->n - p->pos < cap - n ? c->n - p->pos : cap - n;
        if (c->ends_in_sync && p->pos + k == c->n && syncs++ > 0) {
            k--;
            stop = 1;
        }
        memcpy(evs + n, c->ev + p->pos, k * sizeof *evs);
        pipe_advance(p, k);
        n += k;
    }
    return n;
}

/* pipe_take's events in place: those left in the current chunk, up to
 * cap. A chunk holds at most one Sync, its last event, so the view never
 * holds two. The chunk goes back to the producer only in a later call
 * (pipe_fill), so the events stay valid until then. */
static size_t pipe_view(pipeline *p, size_t cap, const gt_event **out)
{
    pipe_free_retired(p);
    if (!cap || p->ended || p->failed || pipe_fill(p) != 1)
        return 0;
    ev_chunk *c = p->cur;
    size_t k = c->n - p->pos < cap ? c->n - p->pos : cap;
    *out = c->ev + p->pos;
    pipe_advance(p, k);
    return k;
}

int gt_reader_set_threads(gt_reader *r, int threads)
{
    if (!r || threads < 1 || r->pipe || r->last_ts != 0 || r->syncs != 0 || r->failed || r->ended)
        return -1;
    r->threads = threads;
    return 0;
}

/* Threads when the caller set none: GT_TEST_THREADS, a test hook (the
 * test suite runs its correctness tests again with it set to 2 and 3), when
 * it is 1 to GT_TEST_THREADS_MAX, else 1. */
static int default_threads(void)
{
    const char *s = getenv("GT_TEST_THREADS");
    int n = s ? atoi(s) : 0;
    return n >= 1 && n <= GT_TEST_THREADS_MAX ? n : 1;
}

int gt_default_threads(void)
{
    const char *hook = getenv("GT_TEST_THREADS");
    if (hook && *hook)
        return 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    return cores < GT_DEFAULT_THREADS_CAP ? (int)cores : GT_DEFAULT_THREADS_CAP;
}

/* Starts threaded mode on the first read when it was asked for: the
 * generation read-ahead first (the producer must find it running), then
 * the producer. */
static void maybe_start(gt_reader *r)
{
    if (r->threads == 0)
        r->threads = default_threads();
    if (r->threads > 1 && !r->pipe && !r->v1 && r->syncs == 0 && !r->failed && !r->ended) {
        r->threads = 1;
        ra_start(r);
        pipe_start(r);
    }
}

int gt_reader_next(gt_reader *r, gt_event *ev)
{
    maybe_start(r);
    if (r->pipe) {
        pipeline *p = r->pipe;
        if (pipe_take(p, ev, 1) == 1)
            return 1;
        return p->failed ? -1 : 0;
    }
    free_retired(r);
    if (r->has_held) {
        *ev = r->held;
        r->has_held = 0;
        return 1;
    }
    return next_event(r, ev);
}

size_t gt_reader_next_batch(gt_reader *r, gt_event *evs, size_t cap)
{
    maybe_start(r);
    if (r->pipe)
        return pipe_take(r->pipe, evs, cap);
    free_retired(r);
    r->in_batch = 1;
    size_t n = 0;
    int syncs = 0;
    if (r->has_held && cap) {
        evs[n++] = r->held;
        r->has_held = 0;
        syncs = 1;
    }
    while (n < cap) {
        int st;
        size_t k = next_run(r, &evs[n], cap - n, &st);
        if (k && evs[n + k - 1].kind == GT_EVENT_SYNC && syncs++ > 0) {
            /* A batch holds one generation boundary: the second Sync
             * waits for the next call. */
            r->held = evs[n + k - 1];
            r->has_held = 1;
            n += k - 1;
            break;
        }
        n += k;
        if (st != 1)
            break;
    }
    r->in_batch = 0;
    return n;
}

size_t gt_reader_next_view(gt_reader *r, gt_event *buf, size_t cap, const gt_event **out)
{
    maybe_start(r);
    if (r->pipe)
        return pipe_view(r->pipe, cap, out);
    *out = buf;
    return gt_reader_next_batch(r, buf, cap);
}

const gt_error *gt_reader_error(const gt_reader *r)
{
    if (r->pipe)
        return r->pipe->failed ? &r->pipe->err : NULL;
    return r->failed ? &r->err : NULL;
}
int gt_reader_version(const gt_reader *r) { return r->version; }
uint64_t gt_reader_bytes_read(const gt_reader *r)
{
    return r->pipe ? r->pipe->bytes_read : gt_in_offset(&r->in);
}
uint64_t gt_reader_bytes_total(const gt_reader *r) { return r->in.total; }

/* ------------------------------------------------------------ opening */

/* Go's version.ReadHeader: "go 1.N trace\0\0\0". */
static int parse_header(const uint8_t *h, size_t n, int *version, gt_error *err)
{
    static const char tail[] = " trace\0\0\0";
    size_t i = 5;
    int v = 0, digits = 0;
    if (n >= 5 && memcmp(h, "go 1.", 5) == 0) {
        while (i < n && h[i] >= '0' && h[i] <= '9' && digits < 9) {
            v = v * 10 + (h[i++] - '0');
            digits++;
        }
    }
    if (n < 16 || !digits || i + sizeof tail - 1 != 16 || memcmp(h + i, tail, sizeof tail - 1) != 0)
        return gt_error_set(err, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
    if (!gt_version_valid(v))
        return gt_error_set(err, GT_ERR_FORMAT, 0, "unknown or unsupported trace version go 1.%d", v);
    *version = v;
    return 0;
}

/* Reads the header from r->in and prepares the reader. Frees r on failure. */
static gt_reader *finish_open(gt_reader *r, gt_error *err)
{
    uint8_t hdr[16];
    size_t n = 0;
    while (n < sizeof hdr && gt_in_byte(&r->in, &hdr[n]) == GT_IN_OK)
        n++;
    if (n < sizeof hdr && r->in.err_no) {
        gt_error_set(err, GT_ERR_IO, n, "read error: %s", strerror(r->in.err_no));
        gt_reader_free(r);
        return NULL;
    }
    if (parse_header(hdr, n, &r->version, err) < 0) {
        gt_reader_free(r);
        return NULL;
    }
    if (!gt_version_is_v2(r->version)) {
        const uint8_t *data;
        size_t len;
        if (r->in.kind == GT_IN_MEMORY) {
            data = r->in.win;
            len = r->in.len;
        } else {
            if (gt_v1_slurp(&r->in, r->version, hdr, sizeof hdr, &r->v1_data, &len) < 0) {
                if (r->in.err_no)
                    gt_error_set(err, GT_ERR_IO, gt_in_offset(&r->in), "read error: %s", strerror(r->in.err_no));
                else
                    gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
                gt_reader_free(r);
                return NULL;
            }
            data = r->v1_data;
        }
        r->v1 = gt_v1_open(data, len, r->version, err);
        if (!r->v1) {
            gt_reader_free(r);
            return NULL;
        }
        return r;
    }
    gt_gen_reader_init(&r->gr, r->version);
    /* A regular file can be read back by offset: keep no event batches. */
    r->gr.lazy = gt_in_can_read_at(&r->in);
    gt_ordering_init(&r->order, r->version);
    init_type_info(r);
    return r;
}

/* A zeroed reader; each opener then sets r->in up (closed with r). */
static gt_reader *new_reader(gt_error *err)
{
    gt_reader *r = calloc(1, sizeof *r);
    if (!r)
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    return r;
}

static gt_reader *gt_reader_open_source_impl(const gt_source *src, gt_error *err)
{
    if (!src || !src->read) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL source or read callback");
        return NULL;
    }
    gt_reader *r = new_reader(err);
    if (!r) {
        gt_source copy = *src;
        gt_source_close(&copy);
        return NULL;
    }
    gt_in_init_source(&r->in, src);
    return finish_open(r, err);
}

gt_reader *gt_reader_open_source(const gt_source *src, gt_error *err)
{
    gt_error_init(err);
    gt_reader *ret = gt_reader_open_source_impl(src, err);
    gt_error_publish(err);
    return ret;
}

static gt_reader *gt_reader_open_memory_impl(const void *data, size_t len, gt_error *err)
{
    if (!data && len) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL data");
        return NULL;
    }
    gt_reader *r = new_reader(err);
    if (!r)
        return NULL;
    gt_in_init_memory(&r->in, data, len);
    return finish_open(r, err);
}

gt_reader *gt_reader_open_memory(const void *data, size_t len, gt_error *err)
{
    gt_error_init(err);
    gt_reader *ret = gt_reader_open_memory_impl(data, len, err);
    gt_error_publish(err);
    return ret;
}

/* The descriptor and stream openers are sources of the library's own
 * (common/source.h), kept inside r->in so that they need no allocation. */
static gt_reader *open_fd(int fd, int own, gt_error *err)
{
    gt_reader *r = new_reader(err);
    if (!r) {
        if (own)
            close(fd);
        return NULL;
    }
    gt_in_init_fd(&r->in, fd);
    r->in.fd_state.own = own;
    return finish_open(r, err);
}

static gt_reader *gt_reader_open_fd_impl(int fd, gt_error *err) { return open_fd(fd, 0, err); }

gt_reader *gt_reader_open_fd(int fd, gt_error *err)
{
    gt_error_init(err);
    gt_reader *ret = gt_reader_open_fd_impl(fd, err);
    gt_error_publish(err);
    return ret;
}

static gt_reader *gt_reader_open_stream_impl(FILE *stream, gt_error *err)
{
    if (!stream) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL stream");
        return NULL;
    }
    gt_reader *r = new_reader(err);
    if (!r)
        return NULL;
    gt_in_init_stream(&r->in, stream);
    return finish_open(r, err);
}

gt_reader *gt_reader_open_stream(FILE *stream, gt_error *err)
{
    gt_error_init(err);
    gt_reader *ret = gt_reader_open_stream_impl(stream, err);
    gt_error_publish(err);
    return ret;
}

static gt_reader *gt_reader_open_path_impl(const char *path, gt_error *err)
{
    if (!path) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "NULL path");
        return NULL;
    }
    if (strcmp(path, "-") == 0)
        return open_fd(0, 0, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "open %s: %s", path, strerror(errno));
        return NULL;
    }
    return open_fd(fd, 1, err);
}

gt_reader *gt_reader_open_path(const char *path, gt_error *err)
{
    gt_error_init(err);
    gt_reader *ret = gt_reader_open_path_impl(path, err);
    gt_error_publish(err);
    return ret;
}

void gt_reader_free(gt_reader *r)
{
    if (!r)
        return;
    pipe_stop(r);
    ra_stop(r);
    gt_table_free(r->pending_retire);
    if (r->v1)
        gt_v1_free(r->v1);
    free(r->v1_data);
    gt_generation_free(&r->gen);
    gt_table_free(r->tables[0]);
    gt_table_free(r->tables[1]);
    gt_table_free(r->end_table);
    free_retired(r);
    free(r->retired);
    gt_gen_reader_free(&r->gr);
    gt_ordering_free(&r->order);
    for (size_t i = 0; i < r->capcursors; i++)
        free(r->cursors[i].buf);
    free(r->cursors);
    free(r->frontier);
    gt_in_free(&r->in);
    gt_error_clear(&r->err);
    gt_error_clear(&r->spill_err);
    gt_error_clear(&r->read_gen_err);
    free(r);
}
