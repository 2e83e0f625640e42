/* Reading whole generations (Go's generation.go): batches are sorted into
 * strings, stacks, CPU samples, sync data, experimental data and per-M event
 * batches; then the tables are validated and the CPU samples put in time
 * order. Error texts are Go's. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/error.h"
#include "gen/batch.h"
#include "gen/gen.h"
#include "common/gosort.h"

void gt_gen_reader_init(gt_gen_reader *gr, int version)
{
    memset(gr, 0, sizeof *gr);
    gr->version = version;
}

void gt_gen_reader_free(gt_gen_reader *gr)
{
    gt_arena_free(&gr->data[0]);
    gt_arena_free(&gr->data[1]);
    free(gr->spill_buf);
    gr->spill_buf = NULL;
}

void gt_generation_free(gt_generation *g)
{
    for (size_t i = 0; i < g->capms; i++)
        free(g->ms[i].idx);
    free(g->ms);
    free(g->batches);
    free(g->samples);
    gt_u64map_free(&g->m_index);
    gt_table_free(g->table);
    gt_arena_free(&g->bytes);
    memset(g, 0, sizeof *g);
}

static int nomem(gt_error *err) { return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory"); }

/* Starts an empty generation, keeping the arrays' memory of the last one. */
static int gen_begin(gt_generation *g)
{
    g->gen = 0;
    g->min_ts = 0;
    g->nbatches = 0;
    for (size_t i = 0; i < g->nms; i++)
        g->ms[i].n = 0;
    g->nms = 0;
    gt_u64map_clear(&g->m_index);
    g->nsamples = 0;
    gt_table_free(g->table);
    g->table = gt_table_new();
    return g->table ? 0 : -1;
}

/* ---- uvarints inside batch data, with Go's bytes.Reader + ReadUvarint
 * errors: "EOF" when nothing is left, "unexpected EOF" inside a varint. */

static const char *data_varint_error(gt_cursor *c, int st)
{
    if (st == GT_VARINT_OVERFLOW)
        return "binary: varint overflows a 64-bit integer";
    return c->p == c->end ? "EOF" : "unexpected EOF";
}

#define READ_UVARINT(c, v, on_err)                         \
    do {                                                   \
        int st_ = gt_varint((c), (v));                     \
        if (st_ != GT_VARINT_OK) {                         \
            const char *msg_ = data_varint_error((c), st_); \
            on_err;                                        \
        }                                                  \
    } while (0)

static uint64_t off_in(const gt_batch *b, const gt_cursor *c) { return b->offset + (uint64_t)(c->p - b->data); }

/* The head of a String or Stack item: its type byte (must be want; what
 * names it in Go's error) and two uvarints (ID, then length or frame count).
 * *at is the item's input offset. */
static int read_item_head(const gt_batch *b, gt_cursor *c, uint8_t want, const char *what, uint64_t *at,
                          uint64_t *id, uint64_t *n, gt_error *err)
{
    *at = off_in(b, c);
    uint8_t ev = *c->p++;
    if (ev != want)
        return gt_error_set(err, GT_ERR_MALFORMED, *at, "expected %s event, got %d", what, ev);
    READ_UVARINT(c, id, return gt_error_set(err, GT_ERR_MALFORMED, *at, "%s", msg_));
    READ_UVARINT(c, n, return gt_error_set(err, GT_ERR_MALFORMED, *at, "%s", msg_));
    return 0;
}

static int add_strings(gt_table *t, const gt_batch *b, gt_error *err)
{
    gt_cursor c = {b->data + 1, b->data + b->len};
    while (c.p < c.end) {
        uint64_t at, id, len;
        if (read_item_head(b, &c, GT_EV_STRING, "string", &at, &id, &len, err) < 0)
            return -1;
        if (len > GT_MAX_TRAILER_DATA)
            return gt_error_set(err, GT_ERR_MALFORMED, at, "invalid string size %llu, maximum is %d",
                                (unsigned long long)len, GT_MAX_TRAILER_DATA);
        size_t left = gt_cursor_left(&c);
        if (len > left)
            return gt_error_set(err, GT_ERR_TRUNCATED, at, "failed to read full string: read %zu but wanted %llu",
                                left, (unsigned long long)len);
        gt_str existing;
        if (gt_table_string(t, id, &existing)) {
            /* Go: "multiple %Ts with the same ID: id=%d, new=%v, existing=%v" */
            return gt_error_set(err, GT_ERR_INVALID, at,
                                "multiple strings with the same ID: id=%llu, new=%.*s, existing=%.*s",
                                (unsigned long long)id, (int)len, (const char *)c.p, (int)existing.len,
                                existing.ptr ? existing.ptr : "");
        }
        if (gt_table_add_string(t, id, c.p, (size_t)len) < 0)
            return nomem(err);
        c.p += len;
    }
    return 0;
}

/* Go's %v of a stack: "\t%#v\n" per PC, and %#v of a uint64 is 0x-prefixed
 * hex, 0 included ("0x0", where C's %#llx gives "0"). An empty stack is "". */
static int append_stack_pcs(gt_buf *out, const uint64_t *pcs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gt_buf_printf(out, "\t0x%llx\n", (unsigned long long)pcs[i]))
            return -1;
    return 0;
}

/* Go's "multiple %Ts with the same ID: id=%d, new=%v, existing=%v" for
 * stacks, whole (both stacks may hold up to GT_MAX_FRAMES_PER_STACK PCs). */
static int duplicate_stack(gt_table *t, uint64_t at, uint64_t id, const uint64_t *pcs, size_t n, gt_error *err)
{
    gt_stack_rec old = {NULL, 0, NULL};
    gt_table_stack(t, id, &old);
    gt_buf msg = GT_BUF_INIT;
    if (gt_buf_printf(&msg, "multiple trace.stacks with the same ID: id=%llu, new=", (unsigned long long)id) ||
        append_stack_pcs(&msg, pcs, n) || gt_buf_puts(&msg, ", existing=") ||
        append_stack_pcs(&msg, old.pcs, old.n)) {
        gt_buf_free(&msg);
        return gt_error_set(err, GT_ERR_NOMEM, at, "out of memory");
    }
    gt_error_set_text(err, GT_ERR_INVALID, at, msg.data, msg.len);
    gt_buf_free(&msg);
    return -1;
}

static int add_stacks(gt_table *t, const gt_batch *b, gt_error *err)
{
    static const char *const field[] = {"PC", "funcID", "fileID", "line"};
    uint64_t pcs[GT_MAX_FRAMES_PER_STACK];
    gt_cursor c = {b->data + 1, b->data + b->len};
    while (c.p < c.end) {
        uint64_t at, id, nframes;
        if (read_item_head(b, &c, GT_EV_STACK, "stack", &at, &id, &nframes, err) < 0)
            return -1;
        if (nframes > GT_MAX_FRAMES_PER_STACK)
            return gt_error_set(err, GT_ERR_MALFORMED, at, "invalid stack size %llu, maximum is %d",
                                (unsigned long long)nframes, GT_MAX_FRAMES_PER_STACK);
        for (uint64_t i = 0; i < nframes; i++) {
            uint64_t v[4];
            for (int k = 0; k < 4; k++)
                READ_UVARINT(&c, &v[k],
                             return gt_error_set(err, GT_ERR_MALFORMED, at, "reading frame %llu's %s for stack %llu: %s",
                                                 (unsigned long long)(i + 1), field[k], (unsigned long long)id, msg_));
            pcs[i] = v[0];
            gt_frame_rec f = {v[0], v[1], v[2], v[3]};
            if (gt_table_add_frame(t, &f) < 0)
                return nomem(err);
        }
        gt_stack_rec old;
        if (gt_table_stack(t, id, &old))
            return duplicate_stack(t, at, id, pcs, (size_t)nframes, err);
        if (gt_table_add_stack(t, id, pcs, (uint32_t)nframes) < 0)
            return nomem(err);
    }
    return 0;
}

static int add_cpu_samples(gt_generation *g, const gt_batch *b, gt_error *err)
{
    gt_cursor c = {b->data + 1, b->data + b->len};
    while (c.p < c.end) {
        uint64_t at = off_in(b, &c);
        uint8_t ev = *c.p++;
        if (ev != GT_EV_CPU_SAMPLE)
            return gt_error_set(err, GT_ERR_MALFORMED, at, "expected CPU sample event, got %d", ev);
        uint64_t v[5];
        for (int k = 0; k < 5; k++)
            READ_UVARINT(&c, &v[k], return gt_error_set(err, GT_ERR_MALFORMED, at, "%s", msg_));
        if (gt_table_grow((void **)&g->samples, &g->capsamples, g->nsamples, sizeof *g->samples))
            return nomem(err);
        g->samples[g->nsamples++] = (gt_cpu_sample){
            .time = (int64_t)v[0],
            .m = (int64_t)v[1],
            .p = (int64_t)v[2],
            .g = v[3] == 0 ? GT_NO_GOROUTINE : (int64_t)v[3],
            .stack = v[4],
        };
    }
    return 0;
}

static int set_sync(gt_table *t, const gt_batch *b, int version, gt_error *err)
{
    gt_cursor c = {b->data, b->data + b->len};
    if (version >= GT_GO125)
        c.p++; /* the EvSync header byte (checked by gt_batch_is_sync) */
    uint64_t last_ts = b->time;
    while (c.p < c.end) {
        uint64_t at = off_in(b, &c);
        uint8_t ev = *c.p++;
        if (ev == GT_EV_FREQUENCY) {
            if (t->freq != 0)
                return gt_error_set(err, GT_ERR_INVALID, at, "found multiple frequency events");
            uint64_t f;
            READ_UVARINT(&c, &f, return gt_error_set(err, GT_ERR_MALFORMED, at, "%s", msg_));
            t->freq = 1.0 / ((double)f / 1e9);
        } else if (ev == GT_EV_CLOCK_SNAPSHOT && version >= GT_GO125) {
            if (t->has_clock_snapshot)
                return gt_error_set(err, GT_ERR_INVALID, at, "found multiple clock snapshot events");
            t->has_clock_snapshot = 1;
            uint64_t v[4];
            for (int k = 0; k < 4; k++)
                READ_UVARINT(&c, &v[k], return gt_error_set(err, GT_ERR_MALFORMED, at, "%s", msg_));
            last_ts += v[0];
            t->snap_time = last_ts;
            t->snap_mono = v[1];
            /* time.Unix(int64(sec), int64(nsec)): nsec normalised into [0, 1e9). */
            int64_t sec = (int64_t)v[2], nsec = (int64_t)v[3];
            if (nsec < 0 || nsec >= 1000000000) {
                int64_t n = nsec / 1000000000;
                sec = (int64_t)((uint64_t)sec + (uint64_t)n);
                nsec -= n * 1000000000;
                if (nsec < 0) {
                    nsec += 1000000000;
                    sec = (int64_t)((uint64_t)sec - 1);
                }
            }
            t->snap_wall_sec = sec;
            t->snap_wall_nsec = (int32_t)nsec;
        } else {
            return gt_error_set(err, GT_ERR_MALFORMED, at, "expected frequency or clock snapshot event, got %d", ev);
        }
    }
    return 0;
}

static int add_event_batch(gt_generation *g, const gt_batch *b, int lazy, gt_error *err)
{
    if (gt_table_grow((void **)&g->batches, &g->capbatches, g->nbatches, sizeof *g->batches))
        return nomem(err);
    g->batches[g->nbatches] = *b;
    if (lazy)
        g->batches[g->nbatches].data = NULL;
    int inserted = 0;
    uint64_t *slot = gt_u64map_upsert(&g->m_index, (uint64_t)b->m, &inserted);
    if (!slot)
        return nomem(err);
    if (inserted) {
        size_t old_cap = g->capms;
        if (gt_table_grow((void **)&g->ms, &g->capms, g->nms, sizeof *g->ms))
            return nomem(err);
        /* Slots past the old capacity are new: their index arrays start
         * empty (slots below keep theirs for reuse across generations). */
        if (g->capms > old_cap)
            memset(&g->ms[old_cap], 0, (g->capms - old_cap) * sizeof *g->ms);
        g->ms[g->nms].m = b->m;
        g->ms[g->nms].n = 0;
        *slot = g->nms++;
    }
    gt_gen_m *gm = &g->ms[*slot];
    if (gt_table_grow((void **)&gm->idx, &gm->cap, gm->n, sizeof *gm->idx))
        return nomem(err);
    gm->idx[gm->n++] = g->nbatches++;
    return 0;
}

/* Go's processBatch. */
static int process_batch(gt_generation *g, const gt_batch *b, int version, int lazy, gt_error *err)
{
    gt_table *t = g->table;
    if (gt_batch_is_strings(b))
        return add_strings(t, b, err);
    if (gt_batch_is_stacks(b))
        return add_stacks(t, b, err);
    if (gt_batch_is_cpu_samples(b))
        return add_cpu_samples(g, b, err);
    if (gt_batch_is_sync(b, version))
        return set_sync(t, b, version, err);
    if (b->exp != GT_EXP_NONE)
        return gt_table_add_exp_batch(t, b->exp, b->m, b->data, b->len) < 0 ? nomem(err) : 0;
    if (gt_batch_is_end_of_generation(b))
        return gt_error_set(err, GT_ERR_INVALID, b->offset,
                            "internal error: unexpectedly processing EndOfGeneration; broken trace?");
    return add_event_batch(g, b, lazy, err);
}

struct stack_check {
    const gt_table *t;
    gt_error *err;
};

/* One stack of validate_stack_strings: 0, or 1 with the error set. */
static int check_stack_strings(uint64_t id, size_t index, void *arg)
{
    const struct stack_check *c = arg;
    const gt_table *t = c->t;
    const gt_stack_rec *s = &t->stacks[index];
    for (uint32_t f_i = 0; f_i < s->n; f_i++) {
        const gt_frame_rec *f = gt_table_frame(t, s->pcs[f_i]);
        gt_str tmp;
        if (!f)
            return -gt_error_set(c->err, GT_ERR_INVALID, GT_NO_OFFSET, "found unknown pc %llx for stack %llu",
                                (unsigned long long)s->pcs[f_i], (unsigned long long)id);
        if (!gt_table_string(t, f->func_id, &tmp))
            return -gt_error_set(c->err, GT_ERR_INVALID, GT_NO_OFFSET, "found invalid func string ID %llu for stack %llu",
                                (unsigned long long)f->func_id, (unsigned long long)id);
        if (!gt_table_string(t, f->file_id, &tmp))
            return -gt_error_set(c->err, GT_ERR_INVALID, GT_NO_OFFSET, "found invalid file string ID %llu for stack %llu",
                                (unsigned long long)f->file_id, (unsigned long long)id);
    }
    return 0;
}

/* Go's validateStackStrings: every frame of every stack is known, with known
 * function and file strings. Stacks are checked in ascending ID order, as Go
 * walks its (compacted, dense) table, so the first error reported is Go's. */
static int validate_stack_strings(const gt_table *t, gt_error *err)
{
    struct stack_check c = {t, err};
    int rc = gt_id_index_each(&t->stack_index, check_stack_strings, &c);
    if (rc < 0)
        return nomem(err);
    return rc ? -1 : 0;
}

static int cpu_sample_cmp(const void *a, const void *b)
{
    int64_t x = ((const gt_cpu_sample *)a)->time, y = ((const gt_cpu_sample *)b)->time;
    return (x > y) - (x < y);
}

/* The checks and fix-ups after the last batch of a generation. */
static int gen_finish(gt_generation *g, int version, gt_error *err)
{
    gt_table *t = g->table;
    if (t->freq == 0)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "no frequency event found");
    if (version >= GT_GO125 && !t->has_clock_snapshot)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "no clock snapshot event found");
    if (validate_stack_strings(t, err) < 0)
        return -1;
    if (gt_table_resolve(t) < 0)
        return nomem(err);
    for (size_t i = 0; i < g->nsamples; i++)
        g->samples[i].time = gt_time_mul(t->freq, (uint64_t)g->samples[i].time);
    /* Go sorts with slices.SortFunc (pdqsort, not stable): same algorithm,
     * so samples with equal times come out in Go's order. */
    gt_go_sort(g->samples, g->nsamples, sizeof *g->samples, cpu_sample_cmp);
    t->generation = g->gen;
    return 0;
}

static void set_gen(gt_error *err, uint64_t gen)
{
    if (err)
        err->generation = gen;
}

/* gt_batch_read under gr->io_lock when there is one. */
static int read_batch(gt_gen_reader *gr, gt_input *in, gt_arena *arena, gt_batch *b, uint64_t *gen, gt_error *err)
{
    if (gr->io_lock)
        pthread_mutex_lock(gr->io_lock);
    int st = gt_batch_read(in, gr->lazy ? NULL : arena, gr->lazy, b, gen, err);
    if (gr->io_lock)
        pthread_mutex_unlock(gr->io_lock);
    return st;
}

int gt_gen_read(gt_gen_reader *gr, gt_input *in, gt_generation *g, gt_error *err)
{
    if (gen_begin(g) < 0)
        return nomem(err);
    gt_arena *arena = &gr->data[gr->which];
    if (g->own_bytes)
        arena = &g->bytes;
    else
        gr->which ^= 1;
    gt_arena_reset(arena);
    for (;;) {
        gt_batch b;
        uint64_t gen;
        uint64_t at = gt_in_offset(in);
        int st = read_batch(gr, in, arena, &b, &gen, err);
        if (st == GT_BATCH_EOF) {
            if (g->nms != 0) {
                gt_error_set(err, GT_ERR_TRUNCATED, at, "incomplete generation found; trace likely truncated");
                set_gen(err, g->gen);
                return -1;
            }
            return 0;
        }
        if (st == GT_BATCH_ERR) {
            set_gen(err, g->gen);
            return -1;
        }
        if (g->gen == 0)
            g->gen = gen;
        if (gt_batch_is_end_of_generation(&b))
            break;
        if (gen == 0) {
            gt_error_set(err, GT_ERR_INVALID, at, "invalid generation number %llu", (unsigned long long)gen);
            return -1;
        }
        if (gen != g->gen) {
            gt_error_set(err, GT_ERR_INVALID, at,
                         "broken trace: missing end-of-generation event, or generations are interleaved");
            set_gen(err, g->gen);
            return -1;
        }
        if (g->min_ts == 0 || b.time < g->min_ts)
            g->min_ts = b.time;
        if (process_batch(g, &b, gr->version, gr->lazy, err) < 0) {
            set_gen(err, g->gen);
            return -1;
        }
    }
    if (gen_finish(g, gr->version, err) < 0) {
        set_gen(err, g->gen);
        return -1;
    }
    return 1;
}

int gt_gen_read_spill(gt_gen_reader *gr, gt_input *in, gt_generation *g, gt_error *err, gt_error *deferred)
{
    gt_error_clear(deferred);
    if (gen_begin(g) < 0)
        return nomem(err);
    /* The arena of this generation already holds the spilled batch (if any);
     * reset it only when there is none. */
    gt_arena *arena = &gr->data[gr->which];
    if (!gr->has_spill)
        gt_arena_reset(arena);
    if (gr->has_spill) {
        g->gen = gr->spill_gen;
        g->min_ts = gr->spill.time;
        gr->has_spill = 0;
        if (process_batch(g, &gr->spill, gr->version, gr->lazy, err) < 0) {
            set_gen(err, g->gen);
            return -1;
        }
    }
    for (;;) {
        gt_batch b;
        uint64_t gen;
        uint64_t at = gt_in_offset(in);
        gt_arena *next_arena = &gr->data[gr->which ^ 1];
        int st = read_batch(gr, in, arena, &b, &gen, err);
        if (st == GT_BATCH_EOF)
            break;
        if (st == GT_BATCH_ERR) {
            if (g->gen != 0) {
                gt_error_move(deferred, err);
                set_gen(deferred, g->gen);
                break;
            }
            return -1;
        }
        if (gen == 0) {
            gt_error_set(err, GT_ERR_INVALID, at, "invalid generation number %llu", (unsigned long long)gen);
            set_gen(err, g->gen);
            return -1;
        }
        if (g->gen == 0)
            g->gen = gen;
        if (gen == g->gen + 1) {
            gt_arena_reset(next_arena);
            if (gr->lazy && !b.data) {
                /* A skipped event batch: nothing to keep. */
            } else if (gr->lazy && b.len) {
                /* The window moves on: keep the bytes (at most a batch;
                 * an event batch is dropped again when it is filed). */
                if (!gr->spill_buf && !(gr->spill_buf = malloc(GT_MAX_BATCH_SIZE)))
                    return nomem(err);
                memcpy(gr->spill_buf, b.data, b.len);
                b.data = gr->spill_buf;
            } else if (in->kind != GT_IN_MEMORY && b.len) {
                b.data = gt_arena_dup(next_arena, b.data, b.len);
                if (!b.data)
                    return nomem(err);
            }
            gr->spill = b;
            gr->spill_gen = gen;
            gr->has_spill = 1;
            break;
        }
        if (gen != g->gen) {
            gt_error_set(err, GT_ERR_INVALID, at, "generations out of order");
            set_gen(err, g->gen);
            return -1;
        }
        if (g->min_ts == 0 || b.time < g->min_ts)
            g->min_ts = b.time;
        if (process_batch(g, &b, gr->version, gr->lazy, err) < 0) {
            set_gen(err, g->gen);
            return -1;
        }
    }
    gr->which ^= 1;
    if (gen_finish(g, gr->version, err) < 0) {
        set_gen(err, g->gen);
        return -1;
    }
    return 1;
}
