/* Loading one of Go's trace test cases as testtrace.ParseFile does: the txtar
 * must hold exactly the sections "expect" and "trace"; the trace, in Go's
 * text format, is re-encoded to the binary format in memory through the raw
 * text reader and the binary raw writer, so the real reader reads it. */
#include "gotrace/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/goquote.h"
#include "gotrace/raw.h"

void gt_test_case_free(gt_test_case *tc)
{
    if (!tc)
        return;
    free(tc->trace);
    gt_expectation_free(tc->expect);
    memset(tc, 0, sizeof *tc);
}

static int str_eq(gt_str s, const char *lit)
{
    return s.len == strlen(lit) && !memcmp(s.ptr, lit, s.len);
}

/* Text trace -> binary trace in a malloc'd buffer. Errors as ParseFile's. */
static int text_to_binary(gt_str text, const char *name, gt_test_case *out, gt_error *err)
{
    gt_error inner = GT_ERROR_INIT;
    gt_raw_reader *rr = gt_raw_open_text(text.ptr, text.len, &inner);
    if (!rr)
        return gt_error_set(err, inner.code, GT_NO_OFFSET, "malformed test %s: bad trace file: %s", name,
                            inner.message);
    out->version = gt_raw_version(rr);

    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        gt_raw_free(rr);
        return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    }
    gt_raw_writer *w = gt_raw_writer_new(mem, out->version, GT_RAW_BINARY, &inner);
    if (!w) {
        gt_error_set(err, inner.code, GT_NO_OFFSET, "failed to create trace byte writer: %s", inner.message);
        goto fail;
    }
    for (;;) {
        gt_raw_event ev;
        int rc = gt_raw_next(rr, &ev);
        if (rc == 0)
            break;
        if (rc < 0) {
            const gt_error *re = gt_raw_error(rr);
            gt_error_set(err, re->code, GT_NO_OFFSET, "malformed test %s: bad trace file: %s", name, re->message);
            err->line = re->line;
            goto fail;
        }
        if (gt_raw_writer_write(w, &ev, &inner)) {
            gt_error_set(err, inner.code, GT_NO_OFFSET, "internal error during %s: failed to write trace bytes: %s",
                         name, inner.message);
            goto fail;
        }
    }
    int closed = gt_raw_writer_close(w, &inner);
    w = NULL;
    if (closed) {
        gt_error_set(err, inner.code, GT_NO_OFFSET, "internal error during %s: failed to write trace bytes: %s",
                     name, inner.message);
        goto fail;
    }
    gt_raw_free(rr);
    if (fclose(mem)) {
        free(buf);
        return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    }
    out->trace = (unsigned char *)buf;
    out->trace_len = len;
    return 0;
fail:
    gt_raw_writer_close(w, NULL);
    gt_raw_free(rr);
    fclose(mem);
    free(buf);
    return -1;
}

static int gt_test_case_load_impl(const void *data, size_t len, const char *name, gt_test_case *out, gt_error *err)
{
    memset(out, 0, sizeof *out);
    gt_txtar ar;
    if (gt_txtar_parse(data, len, &ar))
        return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    int rc = -1;
    if (ar.nfiles != 2) {
        gt_error_set(err, GT_ERR_FORMAT, GT_NO_OFFSET, "malformed test %s: wrong number of files", name);
        goto done;
    }
    for (size_t i = 0; i < 2; i++) {
        const char *want = i == 0 ? "expect" : "trace";
        if (!str_eq(ar.files[i].name, want)) {
            gt_error_set(err, GT_ERR_FORMAT, GT_NO_OFFSET, "malformed test %s: bad filename %.*s", name,
                         (int)ar.files[i].name.len, ar.files[i].name.ptr);
            goto done;
        }
    }
    if (text_to_binary(ar.files[1].data, name, out, err))
        goto done;
    gt_error inner = GT_ERROR_INIT;
    gt_str ex = ar.files[0].data;
    out->expect = gt_expectation_parse(ex.ptr, ex.len, &inner);
    if (!out->expect) {
        gt_buf quoted = GT_BUF_INIT;
        if (gt_go_quote(&quoted, ex.ptr, ex.len) || gt_buf_putc(&quoted, '\0'))
            gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        else
            gt_error_set(err, inner.code, GT_NO_OFFSET, "internal error during %s: failed to parse expectation %s: %s",
                         name, quoted.data, inner.message);
        gt_buf_free(&quoted);
        goto done;
    }
    rc = 0;
done:
    if (rc)
        gt_test_case_free(out);
    gt_txtar_free(&ar);
    return rc;
}

int gt_test_case_load(const void *data, size_t len, const char *name, gt_test_case *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_test_case_load_impl(data, len, name, out, err);
    gt_error_publish(err);
    return ret;
}
