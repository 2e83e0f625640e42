/* One batch off the input (Go's readBatch). Layout (type bytes are the
 * tracev2 event types GT_EV_EVENT_BATCH, GT_EV_EXPERIMENTAL_BATCH and
 * GT_EV_END_OF_GENERATION of wire/spec.h):
 *
 *   EventBatch:        0x01 gen m time size data[size]
 *   ExperimentalBatch: 0x31 exp gen m time size data[size]   (exp: 1 byte; Go 1.23+)
 *   EndOfGeneration:   0x34                                  (Go 1.26+)
 *
 * gen, m, time and size are uvarints; size is at most 64 KiB.
 */
#include <string.h>

#include "common/error.h"
#include "gen/batch.h"
#include "wire/spec.h"

/* The byte values the layout above documents (Go's tracev2 numbering). */
_Static_assert(GT_EV_EVENT_BATCH == 0x01 && GT_EV_EXPERIMENTAL_BATCH == 0x31 && GT_EV_END_OF_GENERATION == 0x34,
               "batch type bytes differ from the layout comment");

static const char *in_error_text(int st)
{
    switch (st) {
    case GT_IN_EOF: return "EOF";
    case GT_IN_UNEXPECTED_EOF: return "unexpected EOF";
    case GT_IN_OVERFLOW: return "binary: varint overflows a 64-bit integer";
    }
    return "read error";
}

static int field_error(gt_error *err, const gt_input *in, int st, uint64_t off, const char *what)
{
    if (st == GT_IN_IOERR) {
        gt_error_set(err, GT_ERR_IO, gt_in_offset(in), "error reading batch %s: read error: %s", what,
                     strerror(in->err_no));
        return GT_BATCH_ERR;
    }
    gt_error_set(err, GT_ERR_TRUNCATED, off, "error reading batch %s: %s", what, in_error_text(st));
    if (st == GT_IN_OVERFLOW)
        err->code = GT_ERR_MALFORMED;
    return GT_BATCH_ERR;
}

/* Whether a batch whose data starts with byte first holds events only:
 * anything the first pass must read (tables, samples, the sync batch, the
 * end of a generation) is kept, whatever the version. */
static int holds_events_only(uint8_t first)
{
    return first != GT_EV_STRINGS && first != GT_EV_STACKS && first != GT_EV_CPU_SAMPLES &&
           first != GT_EV_FREQUENCY && first != GT_EV_SYNC && first != GT_EV_END_OF_GENERATION;
}

int gt_batch_read(gt_input *in, gt_arena *arena, int skip_events, gt_batch *b, uint64_t *gen, gt_error *err)
{
    uint64_t start = gt_in_offset(in);
    uint8_t typ;
    int st = gt_in_byte(in, &typ);
    *gen = 0;
    if (st == GT_IN_EOF)
        return GT_BATCH_EOF;
    if (st != GT_IN_OK) {
        gt_error_set(err, GT_ERR_IO, gt_in_offset(in), "read error: %s", strerror(in->err_no));
        return GT_BATCH_ERR;
    }
    memset(b, 0, sizeof *b);
    if (typ == GT_EV_END_OF_GENERATION) {
        /* Go keeps the byte as the batch's data: isEndOfGeneration. */
        static const uint8_t eog = GT_EV_END_OF_GENERATION;
        b->m = GT_NO_THREAD;
        b->data = &eog;
        b->first = eog;
        b->len = 1;
        b->offset = start;
        return GT_BATCH_OK;
    }
    if (typ != GT_EV_EVENT_BATCH && typ != GT_EV_EXPERIMENTAL_BATCH) {
        gt_error_set(err, GT_ERR_MALFORMED, start, "expected batch event, got event %d", typ);
        return GT_BATCH_ERR;
    }
    if (typ == GT_EV_EXPERIMENTAL_BATCH) {
        st = gt_in_byte(in, &b->exp);
        if (st == GT_IN_EOF)
            return GT_BATCH_EOF; /* Go returns the bare io.EOF here */
        if (st != GT_IN_OK) {
            gt_error_set(err, GT_ERR_IO, gt_in_offset(in), "read error: %s", strerror(in->err_no));
            return GT_BATCH_ERR;
        }
    }
    uint64_t m, ts, size;
    if ((st = gt_in_uvarint(in, gen)) != GT_IN_OK)
        return field_error(err, in, st, start, "gen");
    if ((st = gt_in_uvarint(in, &m)) != GT_IN_OK)
        return field_error(err, in, st, start, "M ID");
    if ((st = gt_in_uvarint(in, &ts)) != GT_IN_OK)
        return field_error(err, in, st, start, "timestamp");
    if ((st = gt_in_uvarint(in, &size)) != GT_IN_OK)
        return field_error(err, in, st, start, "size");
    if (size > GT_MAX_BATCH_SIZE) {
        gt_error_set(err, GT_ERR_MALFORMED, start, "invalid batch size %llu, maximum is %d",
                     (unsigned long long)size, GT_MAX_BATCH_SIZE);
        return GT_BATCH_ERR;
    }
    b->offset = gt_in_offset(in);
    b->m = (int64_t)m;
    b->time = ts;
    b->len = (size_t)size;
    if (skip_events && size > 0 && typ == GT_EV_EVENT_BATCH && gt_in_can_skip(in, size)) {
        const uint8_t *first = gt_in_peek(in);
        if (first && holds_events_only(*first)) {
            b->first = *first;
            gt_in_skip(in, size);
            return GT_BATCH_OK;
        }
    }
    size_t got = gt_in_take(in, (size_t)size, arena, &b->data);
    if (got == (size_t)-1) {
        gt_error_set(err, GT_ERR_NOMEM, start, "out of memory");
        return GT_BATCH_ERR;
    }
    if (got != size && in->err_no) {
        gt_error_set(err, GT_ERR_IO, b->offset + got, "failed to read full batch: read %zu but wanted %llu: %s", got,
                     (unsigned long long)size, strerror(in->err_no));
        return GT_BATCH_ERR;
    }
    if (got != size) {
        gt_error_set(err, GT_ERR_TRUNCATED, start, "failed to read full batch: read %zu but wanted %llu", got,
                     (unsigned long long)size);
        return GT_BATCH_ERR;
    }
    if (size > 0)
        b->first = b->data[0];
    return GT_BATCH_OK;
}
