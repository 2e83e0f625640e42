/* Raw event writers: Go's raw.Writer (binary wire format with the
 * "go 1.N trace" header) and raw.TextWriter ("Trace Go1.N", then one
 * Event.String() per line). They live above the wire layer because the text
 * writer needs both.
 *
 * One deliberate difference from Go's TextWriter: an event that carries data
 * (String, ExperimentalBatch) always gets its data line, data="" when empty.
 * Go's binary reader leaves empty data nil and its TextWriter then writes no
 * data line, which its own TextReader cannot read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/cursor.h"
#include "common/error.h"
#include "wire/raw_internal.h"

struct gt_raw_writer {
    FILE *out;
    int version;
    int format;
    int failed;
    gt_buf line;  /* the event being encoded, reused */
};

static gt_raw_writer *gt_raw_writer_new_impl(FILE *out, int version, int format, gt_error *err)
{
    if (!out || (format != GT_RAW_BINARY && format != GT_RAW_TEXT && format != GT_RAW_BINARY_RUNTIME)) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "raw writer: bad stream or format");
        return NULL;
    }
    if (!gt_version_valid(version)) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "unknown or unsupported trace version go 1.%d", version);
        return NULL;
    }
    gt_raw_writer *w = calloc(1, sizeof *w);
    if (!w) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    w->out = out;
    w->version = version;
    w->format = format;
    char header[32];
    int binary = format != GT_RAW_TEXT;
    int n = binary ? snprintf(header, sizeof header, "go 1.%d trace", version)
                   : snprintf(header, sizeof header, "Trace Go1.%d\n", version);
    /* The binary header ends in three NUL bytes, written after the text. */
    if (fwrite(header, 1, (size_t)n, out) != (size_t)n || (binary && fwrite("\0\0\0", 1, 3, out) != 3)) {
        gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "write error");
        free(w);
        return NULL;
    }
    return w;
}

gt_raw_writer *gt_raw_writer_new(FILE *out, int version, int format, gt_error *err)
{
    gt_error_init(err);
    gt_raw_writer *ret = gt_raw_writer_new_impl(out, version, format, err);
    gt_error_publish(err);
    return ret;
}

static int put_varint(gt_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    return gt_buf_append(b, tmp, gt_varint_put(tmp, v));
}

/* v as a varint of exactly 10 bytes (continuation bits on the first nine). */
static int put_padded_varint(gt_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    for (int i = 0; i < 9; i++) {
        tmp[i] = (uint8_t)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    tmp[9] = (uint8_t)v;
    return gt_buf_append(b, tmp, sizeof tmp);
}

static int encode_binary(gt_buf *b, const gt_spec *spec, const gt_raw_event *ev, int runtime_layout)
{
    if (gt_buf_putc(b, (char)ev->type))
        return -1;
    for (size_t i = 0; i < ev->nargs; i++) {
        if (runtime_layout && ev->type == GT_EV_EVENT_BATCH && i == 3) {
            if (put_padded_varint(b, ev->args[i]))
                return -1;
        } else if (put_varint(b, ev->args[i])) {
            return -1;
        }
    }
    if (!spec->has_data)
        return 0;
    int padded = runtime_layout && ev->type == GT_EV_EXPERIMENTAL_BATCH;
    if ((padded ? put_padded_varint(b, ev->data_len) : put_varint(b, ev->data_len)) ||
        gt_buf_append(b, ev->data, ev->data_len))
        return -1;
    return 0;
}

static int encode_text(gt_buf *b, int version, const gt_spec *spec, const gt_raw_event *ev)
{
    gt_raw_event copy = *ev;
    if (spec->has_data && !copy.data)
        copy.data = (const uint8_t *)"";
    if (gt_raw_event_append(b, version, &copy))
        return -1;
    return gt_buf_putc(b, '\n');
}

static int gt_raw_writer_write_impl(gt_raw_writer *w, const gt_raw_event *ev, gt_error *err)
{
    const gt_spec *spec = gt_raw_spec(w->version, ev->type);
    if (!spec || !spec->name[0])
        return gt_error_set(err, GT_ERR_ARGUMENT, ev->offset, "event type %u is not an event of go 1.%d", ev->type,
                            w->version);
    size_t want = spec->nargs;
    if (spec->is_stack && ev->nargs >= want && (ev->nargs - want) % 4 == 0) {
        /* Frames are written as given, as Go's raw writer does: the readers
         * (like Go's) yield a Stack whose nframes they could not honour (a
         * count past int64) with no frames, and converting it must fail on
         * the input's next line, not here. */
        want = ev->nargs;
    }
    if (ev->nargs != want || (ev->nargs && !ev->args))
        return gt_error_set(err, GT_ERR_ARGUMENT, ev->offset, "%s: %zu arguments, want %zu", spec->name, ev->nargs,
                            want);
    if (!spec->has_data && ev->data)
        return gt_error_set(err, GT_ERR_ARGUMENT, ev->offset, "%s: event has no data", spec->name);
    if (ev->data_len && !ev->data)
        return gt_error_set(err, GT_ERR_ARGUMENT, ev->offset, "%s: data length without data", spec->name);
    gt_buf_reset(&w->line);
    int rc = w->format == GT_RAW_TEXT ? encode_text(&w->line, w->version, spec, ev)
                                      : encode_binary(&w->line, spec, ev, w->format == GT_RAW_BINARY_RUNTIME);
    if (rc)
        return gt_error_set(err, GT_ERR_NOMEM, ev->offset, "out of memory");
    if (fwrite(w->line.data, 1, w->line.len, w->out) != w->line.len) {
        w->failed = 1;
        return gt_error_set(err, GT_ERR_IO, ev->offset, "write error");
    }
    return 0;
}

int gt_raw_writer_write(gt_raw_writer *w, const gt_raw_event *ev, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_raw_writer_write_impl(w, ev, err);
    gt_error_publish(err);
    return ret;
}

static int gt_raw_writer_close_impl(gt_raw_writer *w, gt_error *err)
{
    if (!w)
        return 0;
    int failed = w->failed || fflush(w->out) != 0 || ferror(w->out);
    gt_buf_free(&w->line);
    free(w);
    if (failed)
        return gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "write error");
    return 0;
}

int gt_raw_writer_close(gt_raw_writer *w, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_raw_writer_close_impl(w, err);
    gt_error_publish(err);
    return ret;
}
