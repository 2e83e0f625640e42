/* gt_raw_footprint: the per-type tally behind `gotrace dump --footprint`,
 * Go's `go tool trace -d=footprint`. The table's row order is part of the
 * output, and Go sorts the 256 rows with slices.SortFunc, which is not
 * stable; gt_go_sort repeats that algorithm step for step, so the many
 * types with zero bytes come out in Go's order. */
#include <stdio.h>
#include <string.h>

#include "common/gosort.h"
#include "wire/raw_internal.h"

static unsigned uvarint_len(uint64_t v)
{
    unsigned n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* spec: the reader's spec of the event's type (r->specs). */
static uint64_t encoded_size(const gt_raw_event *ev, const gt_spec *spec)
{
    uint64_t size = 1;
    for (size_t i = 0; i < ev->nargs; i++)
        size += uvarint_len(ev->args[i]);
    if (spec && spec->has_data)
        size += uvarint_len(ev->data_len) + ev->data_len;
    return size;
}

/* Length of Go's spec table for version v (Version.Specs()): 1.26 has the
 * whole table, experimental types included; older versions stop at their
 * last event type. */
static unsigned spec_table_len(int v)
{
    return v == GT_GO126 ? GT_EV_MAX_EXPERIMENTAL : gt_spec_count(v);
}

static int by_bytes_desc(const void *a, const void *b)
{
    uint64_t x = ((const gt_raw_footprint_row *)a)->bytes, y = ((const gt_raw_footprint_row *)b)->bytes;
    return x > y ? -1 : x < y;
}

/* All the input the reader has taken in: at the end, the input's size, also
 * when it stopped at a truncated event (Go divides by what its buffered
 * reader consumed, which is the whole input by then). */
static uint64_t input_seen(const gt_raw_reader *r)
{
    if (r->source == GT_RAW_SRC_TEXT)
        return r->text_len;
    return r->win_offset + (uint64_t)(r->win_end - r->win);
}

int gt_raw_footprint(gt_raw_reader *r, gt_raw_footprint_row rows[256], uint64_t *events, uint64_t *input_bytes)
{
    uint64_t count[256] = {0}, bytes[256] = {0}, n = 0;
    gt_raw_event ev;
    int st;
    while ((st = gt_raw_next(r, &ev)) > 0) {
        count[ev.type]++;
        bytes[ev.type] += encoded_size(&ev, r->specs[ev.type]);
        n++;
    }
    if (st < 0 && !gt_raw_error_is_eof(r))
        return -1;
    unsigned len = spec_table_len(gt_raw_version(r));
    for (unsigned t = 0; t < 256; t++) {
        gt_raw_footprint_row *row = &rows[t];
        row->type = t;
        row->count = count[t];
        row->bytes = bytes[t];
        /* The reader's table names what Go's names for the version, and
         * also the experimental types it reads in 1.23 and 1.25 traces,
         * where Go's raw reader stops: those are named when they occur,
         * since there is no Go output to follow. */
        const gt_spec *spec = r->specs[t];
        const char *name = spec && spec->name ? spec->name : "";
        if (t < len || (count[t] > 0 && name[0]))
            snprintf(row->name, sizeof row->name, "%s", name);
        else
            snprintf(row->name, sizeof row->name, "<unknown (%u)>", t);
    }
    gt_go_sort(rows, 256, sizeof rows[0], by_bytes_desc);
    *events = n;
    *input_bytes = input_seen(r);
    return 0;
}
