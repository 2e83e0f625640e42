/* Fuzz target: round trips. Input that reads completely as binary goes
 * binary -> text -> binary; text goes text -> binary -> text. The result
 * must equal the input re-encoded in its own format (byte for byte for a
 * binary input already in shortest varints); a mismatch or a failure to read
 * our own output aborts (that is the finding). */
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

/* Reads buf (binary, or text when is_text) and writes it in format; NULL
 * when it does not read completely. */
static char *convert(const void *buf, size_t len, int is_text, int format, size_t *out_len)
{
    gt_error err;
    gt_raw_reader *r = is_text ? gt_raw_open_text(buf, len, &err) : gt_raw_open_memory(buf, len, &err);
    if (!r)
        return NULL;
    char *out = transcode(r, format, out_len);
    gt_raw_free(r);
    return out;
}

static void require_same(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen || memcmp(a, b, alen) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int text = size >= 5 && memcmp(data, "Trace", 5) == 0;
    /* The canonical form of the input in the other format, and in its own
     * (binary: shortest varints, as Go's writer; text: normalised spacing,
     * no comments). Go's reader accepts longer varints too, so a binary
     * input need not come back byte for byte: its canonical form must. */
    size_t mid_len = 0, canon_len = 0, back_len = 0;
    char *mid = convert(data, size, text, text ? GT_RAW_BINARY : GT_RAW_TEXT, &mid_len);
    if (!mid)
        return 0;
    char *canon = convert(data, size, text, text ? GT_RAW_TEXT : GT_RAW_BINARY, &canon_len);
    if (!canon)
        abort(); /* read once, so it reads again */
    /* Through the other format and back must give the canonical form. */
    char *back = convert(mid, mid_len, !text, text ? GT_RAW_TEXT : GT_RAW_BINARY, &back_len);
    if (!back)
        abort();
    require_same(back, back_len, canon, canon_len);
    free(back);
    free(canon);
    free(mid);
    return 0;
}
