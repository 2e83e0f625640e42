/* Trace builder output: lays the built events out as Go's testgen does
 * (per generation: the 1.25+ Sync batch, the user batches in creation order,
 * the pre-1.25 Frequency batch, Stacks, Strings, then EndOfGeneration for
 * 1.26+) and hands every event to the raw writer, binary or text.
 *
 * One deliberate difference from testgen: when a Stacks or Strings batch is
 * split because it grew past half the maximum batch size, every part starts
 * with its Stacks/Strings header event (testgen omits it from later parts,
 * which Go's reader rejects as "missing stacks batch header").
 */
#include <stdlib.h>
#include <string.h>

#include "builder/builder_internal.h"
#include "common/cursor.h"
#include "common/error.h"
#include "common/goquote.h"
#include "wire/spec.h"

/* Output state of one write call. The clock is a copy, so writing twice
 * gives the same bytes. */
typedef struct out_state {
    gt_builder *b;
    gt_raw_writer *w;
    gt_error *err;
    uint64_t last_ts;
    int valid_ts;
    /* A structural batch being collected: its events' arguments back to back
     * in args, and for each event (type, nargs, data pointer, data length). */
    uint64_t gen, m, time, size;
    gt_buf args;
    gt_buf evs;
} out_state;

typedef struct pending_event {
    uint8_t type;
    size_t nargs;
    const uint8_t *data;
    size_t data_len;
} pending_event;

static uint64_t encoded_size(int version, const gt_raw_event *ev)
{
    uint64_t n = 1;
    for (size_t i = 0; i < ev->nargs; i++)
        n += gt_varint_len(ev->args[i]);
    const gt_spec *s = gt_spec_get(version, ev->type);
    if (s && s->has_data)
        n += gt_varint_len(ev->data_len) + ev->data_len;
    return n;
}

static int emit(out_state *o, const gt_raw_event *ev) { return gt_raw_writer_write(o->w, ev, o->err); }

static int emit_batch_header(out_state *o, uint64_t gen, uint64_t m, uint64_t time, uint64_t size)
{
    const uint64_t args[4] = {gen, m, time, size};
    gt_raw_event ev = {.type = GT_EV_EVENT_BATCH, .nargs = 4, .args = args};
    return emit(o, &ev);
}

/* Go's Batch.setTimestamp: the batch gets time t and the clock moves there,
 * unless timestamps are disabled (then the batch's time stays 0). */
static void structural_begin(out_state *o, uint64_t gen, uint64_t time)
{
    o->gen = gen;
    o->m = GT_BUILDER_NO_THREAD;
    o->time = 0;
    if (o->valid_ts) {
        o->time = time;
        o->last_ts = time;
    }
    o->size = 0;
    o->args.len = 0;
    o->evs.len = 0;
}

static int structural_add(out_state *o, unsigned type, const uint64_t *args, size_t nargs, const void *data,
                          size_t len)
{
    pending_event pe = {.type = (uint8_t)type, .nargs = nargs, .data = data, .data_len = len};
    if (gt_buf_append(&o->args, args, nargs * sizeof *args) || gt_buf_append(&o->evs, &pe, sizeof pe))
        return gt_error_set(o->err, GT_ERR_NOMEM, GT_NO_OFFSET, "builder: out of memory");
    gt_raw_event ev = {.type = (uint8_t)type, .nargs = nargs, .args = args, .data = data, .data_len = len};
    o->size += encoded_size(o->b->version, &ev);
    return 0;
}

static int structural_flush(out_state *o)
{
    if (emit_batch_header(o, o->gen, o->m, o->time, o->size))
        return -1;
    const pending_event *pes = (const pending_event *)o->evs.data;
    const uint64_t *args = (const uint64_t *)o->args.data;
    for (size_t i = 0; i < o->evs.len / sizeof *pes; i++) {
        gt_raw_event ev = {.type = pes[i].type, .nargs = pes[i].nargs, .args = args, .data = pes[i].data,
                           .data_len = pes[i].data_len};
        if (emit(o, &ev))
            return -1;
        args += pes[i].nargs;
    }
    return 0;
}

/* Timestamp delta of a structural timed event (ClockSnapshot). */
static uint64_t structural_dt(out_state *o)
{
    if (!o->valid_ts)
        return 0;
    o->last_ts++;
    return 1;
}

static int write_sync_batch(out_state *o, const gt_builder_gen *g)
{
    /* The ClockSnapshot's time is exactly sync_time: batch at sync_time-1,
     * then one tick. */
    structural_begin(o, g->gen, g->sync_time - 1);
    uint64_t freq[1] = {g->freq};
    uint64_t snap[4];
    if (structural_add(o, GT_EV_SYNC, NULL, 0, NULL, 0) || structural_add(o, GT_EV_FREQUENCY, freq, 1, NULL, 0))
        return -1;
    snap[0] = structural_dt(o);
    snap[1] = g->mono;
    snap[2] = g->wall_sec;
    snap[3] = g->wall_nsec;
    if (structural_add(o, GT_EV_CLOCK_SNAPSHOT, snap, 4, NULL, 0))
        return -1;
    return structural_flush(o);
}

static int write_user_batches(out_state *o, const gt_builder_gen *g)
{
    const gt_builder *b = o->b;
    gt_builder_batch *const *batches = (gt_builder_batch *const *)b->batches.data;
    const gt_builder__event *evs = (const gt_builder__event *)b->events.data;
    gt_raw_event ev;
    for (size_t i = 0; i < b->batches.len / sizeof *batches; i++) {
        const gt_builder_batch *bt = batches[i];
        if (bt->g != g)
            continue;
        uint64_t size = 0;
        for (uint32_t k = bt->first; k != UINT32_MAX; k = evs[k].next) {
            if (evs[k].deleted)
                continue;
            gt_builder__raw(b, &evs[k], &ev);
            size += encoded_size(b->version, &ev);
        }
        if (emit_batch_header(o, g->gen, bt->m, bt->time, size))
            return -1;
        for (uint32_t k = bt->first; k != UINT32_MAX; k = evs[k].next) {
            if (evs[k].deleted)
                continue;
            gt_builder__raw(b, &evs[k], &ev);
            if (emit(o, &ev))
                return -1;
        }
    }
    return 0;
}

static int write_stacks(out_state *o, const gt_builder_gen *g)
{
    const gt_builder *b = o->b;
    const gt_builder__interned *stacks = (const gt_builder__interned *)g->stacks.data;
    gt_buf stack_args = GT_BUF_INIT;
    int rc = 0;
    structural_begin(o, g->gen, o->last_ts + 1);
    if (structural_add(o, GT_EV_STACKS, NULL, 0, NULL, 0))
        return -1;
    for (size_t i = 0; i < g->stacks.len / sizeof *stacks && !rc; i++) {
        const uint64_t *frames = (const uint64_t *)b->frames.data + stacks[i].off;
        uint64_t head[2] = {i + 1, stacks[i].len};
        stack_args.len = 0;
        if (gt_buf_append(&stack_args, head, sizeof head) ||
            gt_buf_append(&stack_args, frames, stacks[i].len * 4 * sizeof *frames)) {
            rc = gt_error_set(o->err, GT_ERR_NOMEM, GT_NO_OFFSET, "builder: out of memory");
            break;
        }
        /* structural_add copies the arguments, so stack_args is reusable. */
        rc = structural_add(o, GT_EV_STACK, (const uint64_t *)stack_args.data, 2 + stacks[i].len * 4, NULL, 0);
        if (!rc && o->size > GT_MAX_BATCH_SIZE / 2) {
            rc = structural_flush(o);
            structural_begin(o, g->gen, o->last_ts + 1);
            if (!rc)
                rc = structural_add(o, GT_EV_STACKS, NULL, 0, NULL, 0);
        }
    }
    gt_buf_free(&stack_args);
    return rc ? rc : structural_flush(o);
}

static int write_strings(out_state *o, const gt_builder_gen *g)
{
    const gt_builder *b = o->b;
    const gt_builder__interned *strs = (const gt_builder__interned *)g->strings.data;
    structural_begin(o, g->gen, o->last_ts + 1);
    if (structural_add(o, GT_EV_STRINGS, NULL, 0, NULL, 0))
        return -1;
    for (size_t i = 0; i < g->strings.len / sizeof *strs; i++) {
        uint64_t id[1] = {i + 1};
        if (structural_add(o, GT_EV_STRING, id, 1, b->data.data + strs[i].off, strs[i].len))
            return -1;
        if (o->size > GT_MAX_BATCH_SIZE / 2) {
            if (structural_flush(o))
                return -1;
            structural_begin(o, g->gen, o->last_ts + 1);
            if (structural_add(o, GT_EV_STRINGS, NULL, 0, NULL, 0))
                return -1;
        }
    }
    return structural_flush(o);
}

static int write_generation(out_state *o, const gt_builder_gen *g)
{
    int version = o->b->version;
    if (version >= GT_GO125 && write_sync_batch(o, g))
        return -1;
    if (write_user_batches(o, g))
        return -1;
    if (version < GT_GO125) {
        uint64_t freq[1] = {g->freq};
        structural_begin(o, g->gen, g->sync_time);
        if (structural_add(o, GT_EV_FREQUENCY, freq, 1, NULL, 0) || structural_flush(o))
            return -1;
    }
    if (write_stacks(o, g) || write_strings(o, g))
        return -1;
    if (version >= GT_GO126) {
        gt_raw_event end = {.type = GT_EV_END_OF_GENERATION};
        if (emit(o, &end))
            return -1;
    }
    return 0;
}

static int write_trace(gt_builder *b, FILE *out, int format, gt_error *err)
{
    if (b->failed) {
        if (err)
            gt_error_copy(err, &b->err);
        return -1;
    }
    gt_raw_writer *w = gt_raw_writer_new(out, b->version, format, err);
    if (!w)
        return -1;
    out_state o = {.b = b, .w = w, .err = err, .last_ts = b->last_ts, .valid_ts = b->valid_timestamps,
                   .args = GT_BUF_INIT, .evs = GT_BUF_INIT};
    int rc = 0;
    const gt_builder__event *top = (const gt_builder__event *)b->top.data;
    gt_raw_event ev;
    for (size_t i = 0; i < b->top.len / sizeof *top && !rc; i++) {
        gt_builder__raw(b, &top[i], &ev);
        rc = emit(&o, &ev);
    }
    gt_builder_gen *const *gens = (gt_builder_gen *const *)b->gens.data;
    for (size_t i = 0; i < b->gens.len / sizeof *gens && !rc; i++)
        rc = write_generation(&o, gens[i]);
    gt_buf_free(&o.args);
    gt_buf_free(&o.evs);
    gt_error close_err = GT_ERROR_INIT;
    if (gt_raw_writer_close(w, &close_err) && !rc) {
        if (err)
            gt_error_move(err, &close_err);
        rc = -1;
    }
    gt_error_clear(&close_err);
    return rc;
}

static int gt_builder_write_binary_impl(gt_builder *b, FILE *out, gt_error *err)
{
    return write_trace(b, out, GT_RAW_BINARY, err);
}

int gt_builder_write_binary(gt_builder *b, FILE *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_builder_write_binary_impl(b, out, err);
    gt_error_publish(err);
    return ret;
}

static int gt_builder_write_test_impl(gt_builder *b, FILE *out, gt_error *err)
{
    if (b->failed) {
        if (err)
            gt_error_copy(err, &b->err);
        return -1;
    }
    fputs("-- expect --\n", out);
    if (b->expect_failure) {
        const char *pattern = b->expect_pattern ? b->expect_pattern : "";
        gt_buf quoted = GT_BUF_INIT;
        if (gt_go_quote(&quoted, pattern, strlen(pattern))) {
            gt_buf_free(&quoted);
            return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "builder: out of memory");
        }
        fprintf(out, "FAILURE %.*s\n", (int)quoted.len, quoted.data);
        gt_buf_free(&quoted);
    } else {
        fputs("SUCCESS\n", out);
    }
    fputs("-- trace --\n", out);
    return write_trace(b, out, GT_RAW_TEXT, err);
}

int gt_builder_write_test(gt_builder *b, FILE *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_builder_write_test_impl(b, out, err);
    gt_error_publish(err);
    return ret;
}

static int gt_builder_write_memory_impl(gt_builder *b, unsigned char **data, size_t *len, gt_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    *data = NULL;
    *len = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem)
        return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "builder: out of memory");
    int rc = gt_builder_write_binary(b, mem, err);
    if (fclose(mem) && !rc)
        rc = gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "builder: writing to memory failed");
    if (rc) {
        free(buf);
        return -1;
    }
    *data = (unsigned char *)buf;
    *len = n;
    return 0;
}

int gt_builder_write_memory(gt_builder *b, unsigned char **data, size_t *len, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_builder_write_memory_impl(b, data, len, err);
    gt_error_publish(err);
    return ret;
}
