/* Text format reader and writers: Go's texts and line numbers for each kind
 * of bad line, and text <-> binary round trips through the writers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/raw.h"

/* Reads text to the end; expects failure after `events` events on `line`
 * with message. */
static void expect_text_error(const char *name, const char *text, size_t events, uint64_t line, const char *message)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_text(text, strlen(text), &err);
    if (!r) {
        check(events == 0 && err.line == line && !strcmp(err.message, message), name, "open: line %llu: %s",
              (unsigned long long)err.line, err.message);
        return;
    }
    gt_raw_event ev;
    size_t n = 0;
    int st;
    while ((st = gt_raw_next(r, &ev)) > 0)
        n++;
    const gt_error *e = gt_raw_error(r);
    check(st < 0 && e && n == events && e->line == line && !strcmp(e->message, message), name,
          "events %zu line %llu: %s", n, e ? (unsigned long long)e->line : 0, e ? e->message : "(none)");
    gt_raw_free(r);
}

static void test_errors(void)
{
    expect_text_error("text_empty", "", 0, 0, "EOF");
    expect_text_error("text_bad_header", "Trcae Go1.22\n", 0, 1, "failed to parse header");
    expect_text_error("text_bad_header_version", "Trace 1.22\n", 0, 1, "failed to parse header Go version");
    expect_text_error("text_header_version_syntax", "Trace Go1.2x\n", 0, 1,
                      "failed to parse header Go version: strconv.ParseUint: parsing \"2x\": invalid syntax");
    expect_text_error("text_header_version_range", "Trace Go1.99999999999999999999\n", 0, 1,
                      "failed to parse header Go version: strconv.ParseUint: parsing \"99999999999999999999\": value "
                      "out of range");
    expect_text_error("text_header_unknown_version", "\n# comment\nTrace Go1.24\n", 0, 3,
                      "unknown or unsupported Go version 1.24");
    expect_text_error("text_header_trailing", "Trace Go1.22 x\n", 0, 1,
                      "encountered unexpected non-space at the end of the header: \" x\"");
    expect_text_error("text_unidentified", "Trace Go1.22\nFrequency freq=1\nFoo x=1\n", 1, 3, "unidentified event: Foo");
    expect_text_error("text_version_gates_names", "Trace Go1.22\nGoSwitch dt=1 g=2 g_seq=3\n", 0, 2,
                      "unidentified event: GoSwitch");
    expect_text_error("text_no_argument", "Trace Go1.22\nFrequency\n", 0, 2, "reading args for Frequency: no argument");
    expect_text_error("text_malformed_argument", "Trace Go1.22\nFrequency freq\n", 0, 2,
                      "reading args for Frequency: malformed argument: \"freq\"");
    expect_text_error("text_bad_value", "Trace Go1.22\nFrequency freq=-1\n", 0, 2,
                      "reading args for Frequency: failed to parse argument value \"-1\" for arg \"freq\"");
    expect_text_error("text_wrong_name", "Trace Go1.22\nFrequency hz=1\n", 0, 2,
                      "reading args for Frequency: expected argument \"freq\", but got \"hz\"");
    expect_text_error("text_trailing", "Trace Go1.22\nFrequency freq=1 extra\n", 0, 2,
                      "reading args for Frequency: encountered unexpected non-space at the end of an event: \" extra\"");
    expect_text_error("text_stack_eof", "Trace Go1.22\nStack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n", 0, 2,
                      "unexpected EOF while reading stack: args=[1 2 1 2 3 4]");
    expect_text_error("text_bad_frame", "Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 fn=2 file=3 line=4\n", 0, 3,
                      "expected argument \"func\", but got \"fn\"");
    expect_text_error("text_data_eof", "Trace Go1.22\nString id=1\n", 0, 2,
                      "unexpected EOF while reading data for String: args=[1]");
    expect_text_error("text_malformed_data", "Trace Go1.22\nString id=1\n\tdat=\"x\"\n", 0, 3,
                      "malformed data: \"\\tdat=\\\"x\\\"\"");
    expect_text_error("text_bad_quote", "Trace Go1.22\nString id=1\n\tdata=\"x\n", 0, 3,
                      "failed to parse data: \"\\tdata=\\\"x\": invalid syntax");

    /* bufio.Scanner's limit: a line of 65536 bytes or more fails. */
    size_t long_len = 70000;
    char *text = malloc(long_len + 64);
    int n = sprintf(text, "Trace Go1.22\nString id=1\n\tdata=\"");
    memset(text + n, 'a', long_len);
    strcpy(text + n + long_len, "\"\n");
    expect_text_error("text_line_too_long", text, 0, 3, "bufio.Scanner: token too long");
    free(text);
}

/* Reads all events of r into a writer of the given format on a memory
 * stream; returns the output (malloc'd) or NULL. */
static char *rewrite(gt_raw_reader *r, int format, size_t *len)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    gt_error err;
    gt_raw_writer *w = gt_raw_writer_new(f, gt_raw_version(r), format, &err);
    gt_raw_event ev;
    int st, bad = !w;
    while (w && (st = gt_raw_next(r, &ev)) > 0)
        if (gt_raw_writer_write(w, &ev, &err))
            bad = 1;
    if (gt_raw_error(r) || gt_raw_writer_close(w, &err))
        bad = 1;
    fclose(f);
    if (bad) {
        free(out);
        return NULL;
    }
    return out;
}

static void test_round_trip(void)
{
    const char text[] =
        "# a comment line, then a blank one\n"
        "\n"
        "Trace Go1.23\n"
        "EventBatch gen=1 m=18446744073709551615 time=7 size=9   # trailing comment is not allowed? no: it is a token\n";
    /* Go treats "# ..." after the arguments as non-space: an error. */
    expect_text_error("text_comment_after_args", text, 0, 4,
                      "reading args for EventBatch: encountered unexpected non-space at the end of an event: \"   # "
                      "trailing comment is not allowed? no: it is a token\"");

    const char good[] =
        "Trace Go1.23\n"
        "EventBatch gen=1 m=5 time=7 size=9\n"
        "  String  id=3\n"
        "\tdata=\"h\\xffi\\x00\"\n"
        "String id=4\n"
        "\tdata=\"\"\n"
        "Stack id=1 nframes=1\r\n"
        "\tpc=4 func=3 file=3 line=12\n"
        "HeapObjectAlloc dt=1 id=2 type=3\n";
    const char canonical[] =
        "Trace Go1.23\n"
        "EventBatch gen=1 m=5 time=7 size=9\n"
        "String id=3\n"
        "\tdata=\"h\\xffi\\x00\"\n"
        "String id=4\n"
        "\tdata=\"\"\n"
        "Stack id=1 nframes=1\n"
        "\tpc=4 func=3 file=3 line=12\n"
        "HeapObjectAlloc dt=1 id=2 type=3\n";
    gt_error err;
    gt_raw_reader *r = gt_raw_open_text(good, strlen(good), &err);
    size_t text_len = 0, bin_len = 0, back_len = 0;
    char *as_text = r ? rewrite(r, GT_RAW_TEXT, &text_len) : NULL;
    gt_raw_free(r);
    check(as_text && text_len == strlen(canonical) && !memcmp(as_text, canonical, text_len), "text_rewrite_canonical",
          "got %s", as_text ? as_text : err.message);

    r = gt_raw_open_text(good, strlen(good), &err);
    char *as_bin = r ? rewrite(r, GT_RAW_BINARY, &bin_len) : NULL;
    gt_raw_free(r);
    r = as_bin ? gt_raw_open_memory(as_bin, bin_len, &err) : NULL;
    char *back = r ? rewrite(r, GT_RAW_TEXT, &back_len) : NULL;
    gt_raw_free(r);
    /* The binary form loses the empty string's data line, as Go's does, but
     * our text writer puts it back. */
    check(back && back_len == strlen(canonical) && !memcmp(back, canonical, back_len), "text_binary_text",
          "got %s", back ? back : "(failed)");
    free(as_text);
    free(as_bin);
    free(back);

    /* The writer refuses events that do not fit the version. */
    char *out = NULL;
    size_t out_len;
    FILE *f = open_memstream(&out, &out_len);
    gt_raw_writer *w = gt_raw_writer_new(f, 22, GT_RAW_BINARY, &err);
    uint64_t args[2] = {1, 2};
    gt_raw_event ev = {45 /* GoSwitch, 1.23 */, 3, args, NULL, 0, 0};
    int refused_type = gt_raw_writer_write(w, &ev, &err) == -1;
    ev.type = 8; /* Frequency takes one argument */
    ev.nargs = 2;
    int refused_args = gt_raw_writer_write(w, &ev, &err) == -1;
    gt_raw_writer_close(w, &err);
    fclose(f);
    free(out);
    check(refused_type && refused_args, "writer_checks_events", "type %d args %d", refused_type, refused_args);
}

int main(void)
{
    test_errors();
    test_round_trip();
    return check_done();
}
