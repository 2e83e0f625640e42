/* Binary raw reader: events of hand-made traces, streaming through files and
 * pipes (including an event larger than the read window), and one case per
 * malformation with Go's error text and the byte offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "common/cursor.h"
#include "gotrace/raw.h"
#include "tbuf.h"
#include "wire/spec.h"

/* Reads r to its end; returns the number of events, fills *last. */
static size_t drain(gt_raw_reader *r, int *last)
{
    gt_raw_event ev;
    size_t n = 0;
    while ((*last = gt_raw_next(r, &ev)) > 0)
        n++;
    return n;
}

/* Expects reading t to fail after `events` events with code, offset and
 * message. */
static void expect_error(const char *name, const tbuf *t, size_t events, gt_errcode code, uint64_t offset,
                         const char *message, int go_eof)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(t->p, t->len, &err);
    if (!r) {
        check(events == 0 && err.code == code && err.offset == offset && !strcmp(err.message, message), name,
              "open: code %d offset %llu message %s", err.code, (unsigned long long)err.offset, err.message);
        return;
    }
    int last;
    size_t n = drain(r, &last);
    const gt_error *e = gt_raw_error(r);
    check(last == -1 && e && n == events && e->code == code && e->offset == offset && !strcmp(e->message, message) &&
              gt_raw_error_is_eof(r) == go_eof,
          name, "events %zu code %d offset %llu eof %d message %s", n, e ? (int)e->code : -1,
          e ? (unsigned long long)e->offset : 0, gt_raw_error_is_eof(r), e ? e->message : "(none)");
    gt_raw_free(r);
}

static void test_events(void)
{
    tbuf t = header(GT_GO126);
    put_byte(&t, GT_EV_EVENT_BATCH); put_uv(&t, 1); put_uv(&t, UINT64_MAX); put_uv(&t, 1000); put_uv(&t, 3);
    put_byte(&t, GT_EV_STRING); put_uv(&t, 7); put_uv(&t, 3); put(&t, "a\"\n", 3);
    put_byte(&t, GT_EV_STACK); put_uv(&t, 2); put_uv(&t, 2);
    for (int i = 0; i < 8; i++)
        put_uv(&t, 100 + (uint64_t)i);
    put_byte(&t, GT_EV_STRING); put_uv(&t, 8); put_uv(&t, 0);
    put_byte(&t, GT_EV_HEAP_OBJECT_ALLOC); put_uv(&t, 5); put_uv(&t, 6); put_uv(&t, 7);

    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(t.p, t.len, &err);
    if (!check(r != NULL, "raw_open_memory", "%s", err.message))
        return;
    check(gt_raw_version(r) == GT_GO126, "raw_version", "version %d", gt_raw_version(r));
    const char *want[] = {
        "EventBatch gen=1 m=18446744073709551615 time=1000 size=3",
        "String id=7\n\tdata=\"a\\\"\\n\"",
        "Stack id=2 nframes=2\n\tpc=100 func=101 file=102 line=103\n\tpc=104 func=105 file=106 line=107",
        "String id=8",  /* empty data: Go keeps it nil and prints no data line */
        "HeapObjectAlloc dt=5 id=6 type=7",
    };
    const uint64_t offsets[] = {16, 31, 37, 48, 51};
    gt_raw_event ev;
    char line[256];
    int good = 1;
    for (size_t i = 0; i < 5; i++) {
        if (gt_raw_next(r, &ev) != 1) {
            good = 0;
            break;
        }
        size_t n = gt_raw_event_format(GT_GO126, &ev, line, sizeof line);
        if (n != strlen(want[i]) || strcmp(line, want[i]) || ev.offset != offsets[i]) {
            printf("# event %zu: %s (offset %llu)\n", i, line, (unsigned long long)ev.offset);
            good = 0;
        }
    }
    check(good, "raw_events_format", "events differ from Go's String()");
    check(gt_raw_next(r, &ev) == 0 && gt_raw_next(r, &ev) == 0 && !gt_raw_error(r), "raw_end", "want clean end");
    check(gt_raw_bytes_read(r) == t.len, "raw_bytes_read", "%llu of %zu", (unsigned long long)gt_raw_bytes_read(r),
          t.len);
    gt_raw_free(r);

    /* Truncated snprintf-style output still reports the full length. */
    char small[8];
    tbuf one = header(GT_GO122);
    put_byte(&one, GT_EV_FREQUENCY); put_uv(&one, 15625000);
    r = gt_raw_open_memory(one.p, one.len, &err);
    gt_raw_next(r, &ev);
    size_t n = gt_raw_event_format(GT_GO122, &ev, small, sizeof small);
    check(n == strlen("Frequency freq=15625000") && !strcmp(small, "Frequen"), "raw_format_truncates", "n=%zu %s",
          n, small);
    gt_raw_free(r);
    free(one.p);
    free(t.p);

    check(!strcmp(gt_raw_event_name(GT_GO122, GT_EV_GO_SWITCH), "Invalid(45)") &&
              !strcmp(gt_raw_event_name(GT_GO123, GT_EV_SPAN), "Span") &&
              !strcmp(gt_raw_event_name(GT_GO119, 3), "<v1 trace event type>") &&
              !strcmp(gt_raw_event_name(20, 3), "<invalid trace version>"),
          "raw_event_name", "names differ from Go's EventName");
}

/* Writes data into a pipe from a child process and reads it through
 * gt_raw_open_fd: returns the event count, or -1 on failure. */
static long count_through_pipe(const tbuf *t, int *status)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t off = 0;
        while (off < t->len) {
            ssize_t w = write(fds[1], t->p + off, t->len - off > 4093 ? 4093 : t->len - off);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    gt_error err;
    gt_raw_reader *r = gt_raw_open_fd(fds[0], &err);
    long n = -1;
    if (r) {
        n = (long)drain(r, status);
        gt_raw_free(r);
    }
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return n;
}

static void test_streaming(void)
{
    /* Many small events, then one ExperimentalBatch larger than the window. */
    tbuf t = header(GT_GO126);
    size_t small_events = 300000;
    for (size_t i = 0; i < small_events; i++) {
        put_byte(&t, GT_EV_HEAP_ALLOC); put_uv(&t, i); put_uv(&t, i * 1000);
    }
    size_t big = 3u << 20;
    uint8_t *payload = malloc(big);
    for (size_t i = 0; i < big; i++)
        payload[i] = (uint8_t)(i * 31);
    put_byte(&t, GT_EV_EXPERIMENTAL_BATCH); put_uv(&t, 1); put_uv(&t, 1); put_uv(&t, 2); put_uv(&t, 3);
    put_uv(&t, big); put(&t, payload, big);
    put_byte(&t, GT_EV_SYNC);

    int status = 0;
    long n = count_through_pipe(&t, &status);
    check(n == (long)small_events + 2 && status == 0, "raw_pipe_stream", "read %ld events, status %d", n, status);

    char path[] = "/tmp/gt_test_raw_XXXXXX";
    int fd = mkstemp(path);
    int good = fd >= 0 && write(fd, t.p, t.len) == (ssize_t)t.len;
    if (fd >= 0)
        close(fd);
    gt_error err;
    gt_raw_reader *r = good ? gt_raw_open_path(path, &err) : NULL;
    gt_raw_event ev;
    size_t count = 0;
    int big_ok = 0;
    while (r && gt_raw_next(r, &ev) > 0) {
        if (ev.type == GT_EV_EXPERIMENTAL_BATCH)
            big_ok = ev.data_len == big && !memcmp(ev.data, payload, big) && ev.args[3] == 3;
        else if (ev.type == GT_EV_HEAP_ALLOC && (ev.args[0] != count || ev.args[1] != count * 1000))
            good = 0;
        count++;
    }
    check(r && good && big_ok && count == small_events + 2 && !gt_raw_error(r), "raw_file_window",
          "count %zu big_ok %d", count, big_ok);
    gt_raw_free(r);
    unlink(path);

    /* The same truncation through a pipe gives the same error as memory. */
    t.len -= 1 + big / 2;
    n = count_through_pipe(&t, &status);
    check(n == (long)small_events && status == -1, "raw_pipe_truncated", "read %ld events, status %d", n, status);
    free(payload);
    free(t.p);
}

static void test_errors(void)
{
    tbuf t = {NULL, 0, 0};
    put(&t, "gx 1.22 trace\0\0\0", 16);
    expect_error("raw_bad_header", &t, 0, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?", 0);
    t.len = 0;
    put(&t, "go 1.99 trace\0\0\0", 16);
    expect_error("raw_unknown_version", &t, 0, GT_ERR_FORMAT, 0, "unknown or unsupported trace version go 1.99", 0);
    t.len = 0;
    put(&t, "go 1.22 trace\0\0", 15);
    expect_error("raw_short_header", &t, 0, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?", 0);
    t.len = 0;
    /* fmt.Fscanf lets spaces run and skips them before the number. */
    put(&t, "go  1. 22\ttrace\0\0\0", 18);
    put_byte(&t, GT_EV_FREQUENCY);
    put_uv(&t, 1);
    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(t.p, t.len, &err);
    int last = 0;
    check(r && gt_raw_version(r) == GT_GO122 && drain(r, &last) == 1 && last == 0, "raw_header_spaces",
          "Fscanf-style spacing refused");
    gt_raw_free(r);
    free(t.p);

    t = header(GT_GO122);
    put_byte(&t, GT_EV_EVENT_BATCH);
    put_uv(&t, 1);
    put_byte(&t, 0x80);
    expect_error("raw_truncated_varint", &t, 0, GT_ERR_TRUNCATED, 18, "unexpected EOF", 0);
    t.len--;
    /* Ends at an argument boundary: Go's reader sees io.EOF. */
    expect_error("raw_truncated_event", &t, 0, GT_ERR_TRUNCATED, 18, "truncated event: input ends before an argument",
                 1);
    free(t.p);

    t = header(GT_GO122);
    put_byte(&t, GT_EV_FREQUENCY);
    for (int i = 0; i < 10; i++)
        put_byte(&t, 0xff);
    put_byte(&t, 0x01);
    expect_error("raw_varint_too_long", &t, 0, GT_ERR_MALFORMED, 17, "binary: varint overflows a 64-bit integer", 0);
    t.len = 17;
    for (int i = 0; i < 9; i++)
        put_byte(&t, 0xff);
    put_byte(&t, 0x02);
    expect_error("raw_varint_overflow", &t, 0, GT_ERR_MALFORMED, 17, "binary: varint overflows a 64-bit integer", 0);
    free(t.p);

    t = header(GT_GO122);
    put_byte(&t, GT_EV_FREQUENCY);
    put_uv(&t, 1);
    put_byte(&t, GT_EV_GO_SWITCH); /* a 1.23 event */
    char msg[64];
    snprintf(msg, sizeof msg, "invalid event type: %d", GT_EV_GO_SWITCH);
    expect_error("raw_unknown_type_for_version", &t, 1, GT_ERR_MALFORMED, 18, msg, 0);
    t.len = 16;
    put_byte(&t, 0);
    expect_error("raw_type_zero", &t, 0, GT_ERR_MALFORMED, 16, "invalid event type: 0", 0);
    free(t.p);

    t = header(GT_GO126);
    put_byte(&t, GT_EV_MAX_EXPERIMENTAL);
    snprintf(msg, sizeof msg, "invalid event type: %d", GT_EV_MAX_EXPERIMENTAL);
    expect_error("raw_unknown_experimental", &t, 0, GT_ERR_MALFORMED, 16, msg, 0);
    free(t.p);

    t = header(GT_GO121);
    put_byte(&t, 0x17);
    expect_error("raw_old_format", &t, 0, GT_ERR_UNSUPPORTED, 16, "invalid event type: 23", 0);
    free(t.p);

    t = header(GT_GO122);
    put_byte(&t, GT_EV_STRING);
    put_uv(&t, 1);
    put_uv(&t, 100);
    put(&t, "abc", 3);
    expect_error("raw_data_past_end", &t, 0, GT_ERR_TRUNCATED, 19, "truncated event: data of 100 bytes, 3 left in the input",
                 1);
    t.len = 16;
    put_byte(&t, GT_EV_STRING);
    put_uv(&t, 1);
    put_uv(&t, UINT64_MAX >> 2);
    expect_error("raw_huge_data_length", &t, 0, GT_ERR_TRUNCATED, 27,
                 "truncated event: data of 4611686018427387903 bytes, 0 left in the input", 1);
    free(t.p);

    /* A frame count far past the input: frames are only stored as they are
     * decoded, so this fails at the end of input without a big allocation. */
    t = header(GT_GO122);
    put_byte(&t, GT_EV_STACK);
    put_uv(&t, 1);
    put_uv(&t, UINT64_MAX >> 2);
    put_uv(&t, 1); put_uv(&t, 2); put_uv(&t, 3); put_uv(&t, 4);
    put_uv(&t, 5); put_byte(&t, 0x80);
    expect_error("raw_huge_frame_count", &t, 0, GT_ERR_TRUNCATED, 32, "unexpected EOF", 0);
    free(t.p);

    r = gt_raw_open_path("/nonexistent/trace", &err);
    check(!r && err.code == GT_ERR_IO, "raw_open_missing", "code %d", err.code);
}

/* The footprint row of wire type `type`, or NULL. */
static const gt_raw_footprint_row *footprint_row(const gt_raw_footprint_row *rows, unsigned type)
{
    for (size_t i = 0; i < 256; i++)
        if (rows[i].type == type)
            return &rows[i];
    return NULL;
}

/* gt_raw_footprint: Go's EncodedSize per event (shortest varints, data
 * length and data for String), Go's names and table lengths, its order,
 * and Go's handling of a trace that ends inside an event. */
static void test_footprint(void)
{
    tbuf t = header(GT_GO126);
    /* 15 bytes re-encoded (the size argument as written here, 1 byte). */
    put_byte(&t, GT_EV_EVENT_BATCH); put_uv(&t, 1); put_uv(&t, UINT64_MAX); put_uv(&t, 1000); put_uv(&t, 3);
    /* 6 and 3 bytes. */
    put_byte(&t, GT_EV_STRING); put_uv(&t, 7); put_uv(&t, 3); put(&t, "a\"\n", 3);
    put_byte(&t, GT_EV_STRING); put_uv(&t, 8); put_uv(&t, 0);
    /* 11 bytes, the frame fields included. */
    put_byte(&t, GT_EV_STACK); put_uv(&t, 2); put_uv(&t, 2);
    for (int i = 0; i < 8; i++)
        put_uv(&t, 100 + (uint64_t)i);
    /* 4 bytes. */
    put_byte(&t, GT_EV_HEAP_OBJECT_ALLOC); put_uv(&t, 5); put_uv(&t, 6); put_uv(&t, 7);

    gt_error err;
    gt_raw_footprint_row rows[256];
    uint64_t events = 0, input = 0;
    gt_raw_reader *r = gt_raw_open_memory(t.p, t.len, &err);
    int rc = gt_raw_footprint(r, rows, &events, &input);
    gt_raw_free(r);
    if (check(rc == 0, "raw_footprint_reads", "rc %d", rc)) {
        static const struct { unsigned type; uint64_t bytes, count; const char *name; } want[] = {
            {GT_EV_EVENT_BATCH, 15, 1, "EventBatch"},
            {GT_EV_STACK, 11, 1, "Stack"},
            {GT_EV_STRING, 9, 2, "String"},
            {GT_EV_HEAP_OBJECT_ALLOC, 4, 1, "HeapObjectAlloc"},
        };
        int good = events == 5 && input == t.len;
        uint64_t sum = 0;
        for (size_t i = 0; i < 4; i++)
            good &= rows[i].type == want[i].type && rows[i].bytes == want[i].bytes && rows[i].count == want[i].count &&
                    !strcmp(rows[i].name, want[i].name);
        for (size_t i = 0; i < 256; i++) {
            sum += rows[i].bytes;
            good &= i < 4 || (rows[i].bytes == 0 && rows[i].count == 0);
        }
        check(good && sum == t.len - 16, "raw_footprint_sizes", "events %llu input %llu sum %llu; first rows %s %llu, %s %llu",
              (unsigned long long)events, (unsigned long long)input, (unsigned long long)sum, rows[0].name,
              (unsigned long long)rows[0].bytes, rows[1].name, (unsigned long long)rows[1].bytes);
        /* 1.26's table runs through the experimental types (137 of them):
         * gaps are unnamed, types past it "<unknown (N)>". */
        const gt_raw_footprint_row *none = footprint_row(rows, 0), *gap = footprint_row(rows, 127),
                                   *exp = footprint_row(rows, GT_EV_SPAN), *past = footprint_row(rows, 137);
        check(none && gap && exp && past && !strcmp(none->name, "") && !strcmp(gap->name, "") &&
                  !strcmp(exp->name, "Span") && !strcmp(past->name, "<unknown (137)>"),
              "raw_footprint_names", "names differ from Go's");
    }

    /* Cut inside the last event: Go's raw reader sees io.EOF and the
     * footprint stands, over the whole input. */
    r = gt_raw_open_memory(t.p, t.len - 1, &err);
    rc = gt_raw_footprint(r, rows, &events, &input);
    gt_raw_free(r);
    check(rc == 0 && events == 4 && input == t.len - 1, "raw_footprint_truncated", "rc %d events %llu input %llu", rc,
          (unsigned long long)events, (unsigned long long)input);

    /* An unknown type is an error, with Go's text and the offset. */
    tbuf bad = header(GT_GO122);
    put_byte(&bad, GT_EV_FREQUENCY); put_uv(&bad, 15625000);
    put_byte(&bad, GT_EV_GO_SWITCH);
    r = gt_raw_open_memory(bad.p, bad.len, &err);
    rc = gt_raw_footprint(r, rows, &events, &input);
    const gt_error *e = gt_raw_error(r);
    check(rc == -1 && e && !strcmp(e->message, "invalid event type: 45") && e->offset == 21, "raw_footprint_error",
          "rc %d: %s at %llu", rc, e ? e->message : "(none)", e ? (unsigned long long)e->offset : 0);
    gt_raw_free(r);

    /* 1.22's table ends at UserLog: GoSwitch (45) is past it. */
    tbuf old = header(GT_GO122);
    r = gt_raw_open_memory(old.p, old.len, &err);
    rc = gt_raw_footprint(r, rows, &events, &input);
    gt_raw_free(r);
    const gt_raw_footprint_row *sw = footprint_row(rows, GT_EV_GO_SWITCH), *log = footprint_row(rows, GT_EV_USER_LOG);
    check(rc == 0 && events == 0 && input == 16 && sw && log && !strcmp(sw->name, "<unknown (45)>") &&
              !strcmp(log->name, "UserLog"),
          "raw_footprint_go122_names", "rc %d events %llu input %llu", rc, (unsigned long long)events,
          (unsigned long long)input);
    free(old.p);
    free(bad.p);
    free(t.p);
}

int main(void)
{
    test_events();
    test_footprint();
    test_streaming();
    test_errors();
    return check_done();
}
