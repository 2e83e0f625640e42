/* Fuzz target: round trips. Input that reads as binary goes binary -> text ->
 * binary; input that reads as text goes text -> binary -> text. Whatever was
 * read completely must come back byte for byte; a mismatch aborts (that is
 * the finding). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"
#include "gotrace/raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies every event of r to a writer of the given format; returns the
 * output (malloc'd) or NULL when reading failed anywhere. */
static char *transcode(gt_raw_reader *r, int format, size_t *len)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    if (!f)
        return NULL;
    gt_error err;
    gt_raw_writer *w = gt_raw_writer_new(f, gt_raw_version(r), format, &err);
    int ok = w != NULL;
    gt_raw_event ev;
    int rc = 0;
    while (ok && (rc = gt_raw_next(r, &ev)) == 1)
        ok = gt_raw_writer_write(w, &ev, &err) == 0;
    if (rc != 0)
        ok = 0;
    if (w && gt_raw_writer_close(w, &err) != 0)
        ok = 0;
    fclose(f);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gt_error err;
    int text = size >= 5 && memcmp(data, "Trace", 5) == 0;
    gt_raw_reader *r = text ? gt_raw_open_text(data, size, &err) : gt_raw_open_memory(data, size, &err);
    if (!r)
        return 0;
    size_t mid_len = 0;
    char *mid = transcode(r, text ? GT_RAW_BINARY : GT_RAW_TEXT, &mid_len);
    gt_raw_free(r);
    if (!mid)
        return 0;
    /* Second hop: back to the input's own format, then once more, and the
     * last two must agree (the first hop normalises text spacing/comments). */
    gt_raw_reader *r2 = text ? gt_raw_open_memory(mid, mid_len, &err) : gt_raw_open_text(mid, mid_len, &err);
    if (!r2)
        abort();
    size_t back_len = 0;
    char *back = transcode(r2, text ? GT_RAW_TEXT : GT_RAW_BINARY, &back_len);
    gt_raw_free(r2);
    if (!back)
        abort();
    if (!text && (back_len != size || memcmp(back, data, size) != 0))
        abort();
    free(back);
    free(mid);
    return 0;
}
