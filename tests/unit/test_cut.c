/* Durations (Go's time.ParseDuration and Duration.String, with Go's own test
 * tables) and the cut library (gotrace/cut.h) on traces made with the
 * builder: generation spans and byte ranges, cuts by index and by time,
 * splits, and each error with its text and offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/builder.h"
#include "gotrace/cut.h"
#include "gotrace/duration.h"

/* ------------------------------------------------------------ durations */

static const int64_t NS = 1, US = 1000, MS = 1000000, S = 1000000000, MIN = 60 * S, H = 60 * MIN;

static void test_parse_duration(void)
{
    /* Go's parseDurationTests (time/time_test.go). */
    static const struct {
        const char *in;
        int64_t want;
    } ok[] = {
        {"0", 0},
        {"5s", 5 * S},
        {"30s", 30 * S},
        {"1478s", 1478 * S},
        {"-5s", -5 * S},
        {"+5s", 5 * S},
        {"-0", 0},
        {"+0", 0},
        {"5.0s", 5 * S},
        {"5.6s", 5 * S + 600 * MS},
        {"5.s", 5 * S},
        {".5s", 500 * MS},
        {"1.0s", 1 * S},
        {"1.00s", 1 * S},
        {"1.004s", 1 * S + 4 * MS},
        {"1.0040s", 1 * S + 4 * MS},
        {"100.00100s", 100 * S + 1 * MS},
        {"10ns", 10 * NS},
        {"11us", 11 * US},
        {"12\xc2\xb5s", 12 * US},
        {"12\xce\xbcs", 12 * US},
        {"13ms", 13 * MS},
        {"14s", 14 * S},
        {"15m", 15 * MIN},
        {"16h", 16 * H},
        {"3h30m", 3 * H + 30 * MIN},
        {"10.5s4m", 4 * MIN + 10 * S + 500 * MS},
        {"-2m3.4s", -(2 * MIN + 3 * S + 400 * MS)},
        {"1h2m3s4ms5us6ns", 1 * H + 2 * MIN + 3 * S + 4 * MS + 5 * US + 6 * NS},
        {"39h9m14.425s", 39 * H + 9 * MIN + 14 * S + 425 * MS},
        {"52763797000ns", 52763797000},
        {"0.3333333333333333333h", 20 * MIN},
        {"9007199254740993ns", ((int64_t)1 << 53) + 1},
        {"9223372036854775807ns", INT64_MAX},
        {"9223372036854775.807us", INT64_MAX},
        {"9223372036s854ms775us807ns", INT64_MAX},
        {"-9223372036854775808ns", INT64_MIN},
        {"-9223372036854775.808us", INT64_MIN},
        {"-9223372036s854ms775us808ns", INT64_MIN},
        {"-2562047h47m16.854775808s", INT64_MIN},
        {"0.100000000000000000000h", 6 * MIN},
        {"0.830103483285477580700h", 49 * MIN + 48 * S + 372539827},
        /* The examples. */
        {"1.5s", 1500 * MS},
        {"300ms", 300 * MS},
        {"250000ns", 250 * US},
        {"1m30s", 90 * S},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t d = 12345;
        gt_error err;
        if (gt_parse_duration(ok[i].in, &d, &err) != 0 || d != ok[i].want) {
            bad++;
            printf("#   %s: got %lld\n", ok[i].in, (long long)d);
        }
    }
    check(!bad, "duration/parse-go-table", "%d of %zu cases wrong", bad, sizeof ok / sizeof ok[0]);

    /* Go's parseDurationErrorTests, with the whole message. */
    static const struct {
        const char *in, *msg;
    } errs[] = {
        {"", "time: invalid duration \"\""},
        {"3", "time: missing unit in duration \"3\""},
        {"-", "time: invalid duration \"-\""},
        {"s", "time: invalid duration \"s\""},
        {".", "time: invalid duration \".\""},
        {"-.", "time: invalid duration \"-.\""},
        {".s", "time: invalid duration \".s\""},
        {"+.s", "time: invalid duration \"+.s\""},
        {"1d", "time: unknown unit \"d\" in duration \"1d\""},
        {"\x85\x85", "time: invalid duration \"\\x85\\x85\""},
        {"\xff" "ff", "time: invalid duration \"\\xffff\""},
        {"hello \xff" "ff world", "time: invalid duration \"hello \\xffff world\""},
        {"\xef\xbf\xbd", "time: invalid duration \"\\xef\\xbf\\xbd\""},
        {"\xef\xbf\xbd hello \xef\xbf\xbd world", "time: invalid duration \"\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world\""},
        {"9223372036854775810ns", "time: invalid duration \"9223372036854775810ns\""},
        {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
        {"-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\""},
        {"9223372036854776us", "time: invalid duration \"9223372036854776us\""},
        {"3000000h", "time: invalid duration \"3000000h\""},
        {"9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\""},
        {"9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\""},
        {"1.5 s", "time: unknown unit \" s\" in duration \"1.5 s\""},
        {"5x\"", "time: unknown unit \"x\\\"\" in duration \"5x\\\"\""},
    };
    bad = 0;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        int64_t d = 7;
        gt_error err;
        if (gt_parse_duration(errs[i].in, &d, &err) != -1 || err.code != GT_ERR_ARGUMENT || d != 7 ||
            strcmp(err.message, errs[i].msg)) {
            bad++;
            printf("#   case %zu: %s\n", i, err.message);
        }
    }
    check(!bad, "duration/parse-errors", "%d of %zu cases wrong", bad, sizeof errs / sizeof errs[0]);
}

static void test_format_duration(void)
{
    /* Go's durationTests, and each negated. */
    static const struct {
        const char *str;
        int64_t d;
    } cases[] = {
        {"0s", 0},
        {"1ns", 1},
        {"1.1\xc2\xb5s", 1100},
        {"2.2ms", 2200 * US},
        {"3.3s", 3300 * MS},
        {"4m5s", 4 * MIN + 5 * S},
        {"4m5.001s", 4 * MIN + 5001 * MS},
        {"5h6m7.001s", 5 * H + 6 * MIN + 7001 * MS},
        {"8m0.000000001s", 8 * MIN + 1},
        {"2562047h47m16.854775807s", INT64_MAX},
        {"-2562047h47m16.854775808s", INT64_MIN},
        {"1.673534976s", 1673534976},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[GT_DURATION_BUF], want[64];
        if (strcmp(gt_format_duration(cases[i].d, buf), cases[i].str)) {
            bad++;
            printf("#   %lld: %s\n", (long long)cases[i].d, buf);
        }
        if (cases[i].d > 0) {
            snprintf(want, sizeof want, "-%s", cases[i].str);
            if (strcmp(gt_format_duration(-cases[i].d, buf), want)) {
                bad++;
                printf("#   %lld: %s\n", (long long)-cases[i].d, buf);
            }
        }
    }
    check(!bad, "duration/format-go-table", "%d wrong", bad);
}

/* ------------------------------------------------------------ traces */

enum { FREQ = 15625000, TICK_NS = 64, GEN_TICKS = 1000, EVENT_TICKS = 202 };

/* A trace of n generations numbered first, first+1, ... (or as given by
 * nums): generation k (1-based) has its batches at GEN_TICKS * k and events
 * up to EVENT_TICKS later. */
static unsigned char *make_trace(int version, const uint64_t *nums, int n, size_t *len)
{
    gt_error err;
    gt_builder *b = gt_builder_new(version, &err);
    for (int k = 1; k <= n; k++) {
        uint64_t t = (uint64_t)GEN_TICKS * (uint64_t)k;
        gt_builder_gen *g = gt_builder_generation(b, nums[k - 1]);
        gt_builder_sync(g, FREQ, t, version >= 25 ? 5000 * (uint64_t)k : 0, version >= 25 ? 1700000000 : 0, 0);
        gt_builder_batch *bt = gt_builder_batch_new(g, 1, t);
        GT_EVENT(bt, "ProcStatus", GT_ARG("dt", 1), GT_ARG("p", 0), GT_ARG("pstatus", 1));
        GT_EVENT(bt, "GoStatus", GT_ARG("dt", 1), GT_ARG("g", 1), GT_ARG("m", 1), GT_ARG("gstatus", 2));
        GT_EVENT(bt, "HeapAlloc", GT_ARG("dt", 100), GT_ARG("heapalloc_value", 1000));
        GT_EVENT(bt, "HeapAlloc", GT_ARG("dt", 100), GT_ARG("heapalloc_value", 2000));
    }
    unsigned char *data = NULL;
    if (gt_builder_write_memory(b, &data, len, &err) < 0) {
        printf("# builder: %s\n", err.message);
        data = NULL;
    }
    gt_builder_free(b);
    return data;
}

/* A temporary file holding data; its fd (the file is unlinked). */
static int temp_fd(const void *data, size_t len)
{
    FILE *f = tmpfile();
    if (!f)
        return -1;
    int fd = dup(fileno(f));
    fclose(f);
    if (fd >= 0 && len && write(fd, data, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads all of f (rewound) into a malloc'd buffer. */
static unsigned char *slurp(FILE *f, size_t *len)
{
    fflush(f);
    long n = ftell(f);
    unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
    rewind(f);
    *len = p && n >= 0 ? fread(p, 1, (size_t)n, f) : 0;
    return p;
}

/* gt_cut and gt_split of the regular file fd. */
static int cut_fd(int fd, FILE *out, const gt_cut_window *w, gt_cut_result *res, gt_error *err)
{
    gt_cutter *c = gt_cutter_open(fd, err);
    int rc = c ? gt_cut(c, out, w, res, err) : -1;
    gt_cutter_free(c);
    return rc;
}

static int split_fd(int fd, uint64_t max, const gt_split_sink *sink, uint64_t *n, gt_error *err)
{
    gt_cutter *c = gt_cutter_open(fd, err);
    int rc = c ? gt_split(c, max, sink, n, err) : -1;
    gt_cutter_free(c);
    return rc;
}

/* Events of a trace in memory read by the library's reader: count, Syncs,
 * and whether it ended cleanly. */
static int read_back(const unsigned char *p, size_t len, size_t *events, size_t *syncs)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(p, len, &err);
    if (!r)
        return -1;
    gt_event ev;
    int st;
    *events = *syncs = 0;
    while ((st = gt_reader_next(r, &ev)) > 0) {
        (*events)++;
        *syncs += ev.kind == GT_EVENT_SYNC;
    }
    gt_reader_free(r);
    return st;
}

static void test_generations(int version)
{
    char name[96];
    uint64_t nums[3] = {1, 2, 3};
    size_t len;
    unsigned char *t = make_trace(version, nums, 3, &len);
    int fd = t ? temp_fd(t, len) : -1;
    snprintf(name, sizeof name, "cut/go1%d/generations", version);
    gt_error err;
    gt_cutter *c = fd >= 0 ? gt_cutter_open(fd, &err) : NULL;
    if (!c) {
        check(0, name, "cannot open: %s", fd >= 0 ? err.message : "no trace");
        free(t);
        return;
    }
    gt_cut_gen g[4];
    int n = 0, st;
    while (n < 4 && (st = gt_cutter_next(c, &g[n], &err)) > 0)
        n++;
    /* From 1.25 the builder puts the sync batch one tick before the events
     * (its ClockSnapshot is then at the generation's time): the earliest
     * batch. Batches: events, sync, stacks, strings (and EndOfGeneration). */
    const int lead = version >= 25;
    int good = n == 3 && st == 0 && gt_cutter_version(c) == version && gt_cutter_header_size(c) == 16;
    uint64_t at = 16;
    for (int k = 0; good && k < 3; k++) {
        int64_t t0 = ((int64_t)GEN_TICKS * (k + 1) - lead) * TICK_NS;
        good = g[k].index == (uint64_t)k + 1 && g[k].gen == nums[k] && g[k].offset == at && g[k].start == t0 &&
               g[k].end == t0 + (EVENT_TICKS + lead) * TICK_NS && g[k].batches == (version >= 26 ? 5u : 4u);
        at += g[k].size;
    }
    check(good && at == len && gt_cutter_trace_start(c) == (GEN_TICKS - lead) * TICK_NS, name,
          "n=%d st=%d at=%llu len=%zu %s", n, st, (unsigned long long)at, len, st < 0 ? err.message : "");
    gt_cutter_free(c);

    /* Cuts by index: bytes are the header and the generations' bytes, and the
     * reader reads them. */
    static const struct {
        uint64_t first, last, want_first, want_last;
    } idx[] = {{1, 1, 1, 1}, {2, 3, 2, 3}, {2, UINT64_MAX, 2, 3}, {3, 3, 3, 3}, {1, 3, 1, 3}};
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        FILE *out = tmpfile();
        gt_cut_window w = {.by_index = 1, .first = idx[i].first, .last = idx[i].last};
        gt_cut_result res;
        int rc = cut_fd(fd, out, &w, &res, &err);
        size_t n_out;
        unsigned char *o = slurp(out, &n_out);
        fclose(out);
        uint64_t from = g[idx[i].want_first - 1].offset;
        uint64_t to = g[idx[i].want_last - 1].offset + g[idx[i].want_last - 1].size;
        size_t events = 0, syncs = 0;
        int rd = rc == 0 ? read_back(o, n_out, &events, &syncs) : -1;
        snprintf(name, sizeof name, "cut/go1%d/index-%llu-%llu", version, (unsigned long long)idx[i].first,
                 (unsigned long long)(idx[i].last == UINT64_MAX ? 0 : idx[i].last));
        check(rc == 0 && res.first == idx[i].want_first && res.last == idx[i].want_last &&
                  res.bytes == 16 + (to - from) && n_out == res.bytes && !memcmp(o, t, 16) &&
                  !memcmp(o + 16, t + from, (size_t)(to - from)) && rd == 0 &&
                  syncs == idx[i].want_last - idx[i].want_first + 2 && events == syncs + 4 * (syncs - 1),
              name, "rc=%d %s first=%llu last=%llu bytes=%llu read=%d events=%zu syncs=%zu", rc,
              rc ? err.message : "", (unsigned long long)res.first, (unsigned long long)res.last,
              (unsigned long long)res.bytes, rd, events, syncs);
        free(o);
    }

    /* Cuts by time, relative to the trace start: generation k spans
     * 64000(k-1) to 64000(k-1) + e1 ns; bounds are inclusive. */
    const int64_t step = GEN_TICKS * TICK_NS, e1 = (EVENT_TICKS + lead) * TICK_NS;
    const struct {
        int64_t from, to;
        uint64_t first, last;
    } win[] = {
        {0, 0, 1, 1},
        {e1, e1, 1, 1},               /* the last event of generation 1 */
        {e1 + 1, step, 2, 2},         /* after it, to generation 2's start */
        {e1 + 1, step - 1, 0, 0},     /* the gap between them: nothing */
        {step + 6000, INT64_MAX, 2, 3},
        {2 * step, 2 * step + e1, 3, 3},
        {0, INT64_MAX, 1, 3},
        {2 * step + e1 + 1, INT64_MAX, 0, 0}, /* after the end */
    };
    char span_msg[96], end_buf[GT_DURATION_BUF];
    snprintf(span_msg, sizeof span_msg, "the trace's 3 generations span 0s to %s",
             gt_format_duration(2 * step + e1, end_buf));
    for (size_t i = 0; i < sizeof win / sizeof win[0]; i++) {
        FILE *out = tmpfile();
        gt_cut_window w = {.by_index = 0, .from = win[i].from, .to = win[i].to};
        gt_cut_result res;
        int rc = cut_fd(fd, out, &w, &res, &err);
        snprintf(name, sizeof name, "cut/go1%d/time-%zu", version, i);
        if (win[i].first == 0)
            check(rc == -1 && err.code == GT_ERR_ARGUMENT && strstr(err.message, "no generation overlaps the window") &&
                      strstr(err.message, span_msg),
                  name, "rc=%d %s", rc, err.message);
        else
            check(rc == 0 && res.first == win[i].first && res.last == win[i].last &&
                      res.start == step * (int64_t)(win[i].first - 1) &&
                      res.end == step * (int64_t)(win[i].last - 1) + e1,
                  name, "rc=%d %s first=%llu last=%llu start=%lld end=%lld", rc, rc ? err.message : "",
                  (unsigned long long)res.first, (unsigned long long)res.last, (long long)res.start,
                  (long long)res.end);
        fclose(out);
    }
    gt_cut_window w = {.by_index = 1, .first = 4, .last = 4};
    gt_cut_result res;
    FILE *out = tmpfile();
    int rc = cut_fd(fd, out, &w, &res, &err);
    long wrote = ftell(out);
    fclose(out);
    snprintf(name, sizeof name, "cut/go1%d/index-past-end", version);
    check(rc == -1 && err.code == GT_ERR_ARGUMENT && wrote == 0 &&
              !strcmp(err.message, "no generation 4: the trace has 3 generations, numbered from 1"),
          name, "rc=%d wrote=%ld %s", rc, wrote, err.message);
    close(fd);
    free(t);
}

/* ------------------------------------------------------------ split */

typedef struct pieces {
    FILE *f[8];
    gt_split_piece p[8];
    int complete[8];
    int opened, closed;
} pieces;

static FILE *piece_open(void *arg, uint64_t number, gt_error *err)
{
    pieces *ps = arg;
    if (number != (uint64_t)ps->opened || ps->opened == 8)
        return NULL;
    return ps->f[ps->opened++] = tmpfile();
}

static int piece_close(void *arg, const gt_split_piece *p, int complete, gt_error *err)
{
    pieces *ps = arg;
    ps->p[ps->closed] = *p;
    ps->complete[ps->closed++] = complete;
    return 0;
}

static void test_split(int version)
{
    char name[96];
    uint64_t nums[3] = {1, 2, 3};
    size_t len;
    unsigned char *t = make_trace(version, nums, 3, &len);
    int fd = t ? temp_fd(t, len) : -1;
    gt_error err;
    gt_cutter *c = fd >= 0 ? gt_cutter_open(fd, &err) : NULL;
    gt_cut_gen g[3];
    for (int k = 0; c && k < 3; k++)
        gt_cutter_next(c, &g[k], &err);
    gt_cutter_free(c);
    if (!c) {
        check(0, "split/setup", "no trace");
        free(t);
        return;
    }
    /* Limits: two generations fit; exactly one fits; none fits. */
    const uint64_t limits[3] = {16 + g[0].size + g[1].size, 16 + g[0].size, 10};
    const int want_pieces[3] = {2, 3, 3};
    for (int l = 0; l < 3; l++) {
        pieces ps;
        memset(&ps, 0, sizeof ps);
        gt_split_sink sink = {piece_open, piece_close, &ps};
        uint64_t n = 0;
        int rc = split_fd(fd, limits[l], &sink, &n, &err);
        /* The pieces, each without its header, put back together are the
         * input without its header; each starts with the header. */
        unsigned char *joined = malloc(len);
        size_t at = 16;
        int good = rc == 0 && n == (uint64_t)want_pieces[l] && ps.opened == want_pieces[l] && ps.closed == ps.opened;
        uint64_t next_first = 1;
        for (int k = 0; k < ps.opened; k++) {
            size_t plen;
            unsigned char *p = slurp(ps.f[k], &plen);
            fclose(ps.f[k]);
            good = good && ps.complete[k] && ps.p[k].number == (uint64_t)k && ps.p[k].first == next_first &&
                   ps.p[k].bytes == plen && plen >= 16 && !memcmp(p, t, 16) && at + plen - 16 <= len &&
                   ps.p[k].oversize == (plen > limits[l]) && (plen <= limits[l] || ps.p[k].first == ps.p[k].last);
            if (good) {
                memcpy(joined + at, p + 16, plen - 16);
                at += plen - 16;
                next_first = ps.p[k].last + 1;
            }
            free(p);
        }
        snprintf(name, sizeof name, "split/go1%d/limit-%d", version, l);
        check(good && at == len && next_first == 4 && !memcmp(joined + 16, t + 16, len - 16), name,
              "rc=%d %s pieces=%llu opened=%d", rc, rc ? err.message : "", (unsigned long long)n, ps.opened);
        free(joined);
    }
    close(fd);
    free(t);
}

/* ------------------------------------------------------------ errors */

static void expect_next_error(const char *name, const unsigned char *p, size_t len, int good_gens, gt_errcode code,
                              uint64_t offset, const char *msg)
{
    int fd = temp_fd(p, len);
    gt_error err;
    gt_cutter *c = fd >= 0 ? gt_cutter_open(fd, &err) : NULL;
    gt_cut_gen g;
    int n = 0, st = -2;
    while (c && (st = gt_cutter_next(c, &g, &err)) > 0)
        n++;
    check(c && st == -1 && n == good_gens && err.code == code && err.offset == offset && !strcmp(err.message, msg),
          name, "open=%d st=%d n=%d code=%d offset=%llu %s", c != NULL, st, n, err.code,
          (unsigned long long)err.offset, c ? err.message : "");
    /* The failure sticks. */
    if (c)
        check(gt_cutter_next(c, &g, &err) == -1 && !strcmp(err.message, msg), name, "not sticky");
    gt_cutter_free(c);
    if (fd >= 0)
        close(fd);
}

static void test_errors(void)
{
    gt_error err;
    gt_cut_gen after_last;
    static const char v1[] = "go 1.21 trace\0\0\0\x01\x02";
    int fd = temp_fd(v1, sizeof v1 - 1);
    gt_cutter *c = gt_cutter_open(fd, &err);
    check(!c && err.code == GT_ERR_UNSUPPORTED &&
              !strcmp(err.message, "cannot cut a go 1.21 trace: the old format (Go 1.11 to 1.21) has no generations; "
                                   "only Go 1.22 and later traces can be cut"),
          "cut/error/old-format", "%s", err.message);
    close(fd);
    fd = temp_fd("hello, world\n", 13);
    c = gt_cutter_open(fd, &err);
    check(!c && err.code == GT_ERR_FORMAT && !strcmp(err.message, "bad file format: not a Go execution trace?"),
          "cut/error/not-a-trace", "%s", err.message);
    close(fd);
    fd = temp_fd("", 0);
    c = gt_cutter_open(fd, &err);
    check(!c && err.code == GT_ERR_FORMAT, "cut/error/empty", "%s", err.message);
    close(fd);

    /* Out of order (before 1.26, generations follow each other). */
    uint64_t nums[3] = {1, 3, 4};
    size_t len;
    unsigned char *t = make_trace(22, nums, 3, &len);
    uint64_t nums_ok[3] = {1, 2, 3};
    size_t len_ok;
    unsigned char *ok = make_trace(22, nums_ok, 3, &len_ok);
    /* Generation 1's bytes are the same in both: find where the next starts. */
    fd = temp_fd(ok, len_ok);
    c = gt_cutter_open(fd, &err);
    gt_cut_gen g1;
    gt_cutter_next(c, &g1, &err);
    gt_cutter_free(c);
    close(fd);
    expect_next_error("cut/error/out-of-order", t, len, 0, GT_ERR_INVALID, g1.offset + g1.size,
                      "generations out of order");
    free(t);
    free(ok);

    /* Truncated inside the last batch: the generations before are whole. */
    uint64_t n3[3] = {1, 2, 3};
    t = make_trace(26, n3, 3, &len);
    fd = temp_fd(t, len);
    c = gt_cutter_open(fd, &err);
    gt_cut_gen g[3];
    for (int k = 0; k < 3; k++)
        gt_cutter_next(c, &g[k], &err);
    gt_cutter_free(c);
    close(fd);
    /* Go 1.26: the last generation without its EndOfGeneration byte. */
    expect_next_error("cut/error/go126-no-end-of-generation", t, len - 1, 2, GT_ERR_TRUNCATED, len - 1,
                      "incomplete generation found; trace likely truncated");
    /* Cut inside the generation's last batch (Strings: a 15-byte header, one
     * data byte, then EndOfGeneration): Go's readBatch errors, at the batch's
     * offset, in generation 3. */
    static const struct {
        size_t cut;
        const char *msg;
    } trunc[] = {{3, "error reading batch size: EOF"},
                 {2, "failed to read full batch: read 0 but wanted 1"}};
    for (size_t i = 0; i < 2; i++) {
        fd = temp_fd(t, len - trunc[i].cut);
        c = gt_cutter_open(fd, &err);
        gt_cut_gen x;
        int st = 0, n = 0;
        while ((st = gt_cutter_next(c, &x, &err)) > 0)
            n++;
        check(st == -1 && n == 2 && err.code == GT_ERR_TRUNCATED && !strcmp(err.message, trunc[i].msg) &&
                  err.offset == len - 17 && err.generation == 3,
              i ? "cut/error/truncated-batch-data" : "cut/error/truncated-batch-header",
              "st=%d n=%d %s at %llu gen %llu", st, n, err.message, (unsigned long long)err.offset,
              (unsigned long long)err.generation);
        gt_cutter_free(c);
        close(fd);
    }
    free(t);

    /* Before Go 1.26 a batch that cannot be read ends the generation, which
     * is returned (without that batch) before the error, as in Go. */
    t = make_trace(22, n3, 3, &len);
    fd = temp_fd(t, len - 1);
    c = gt_cutter_open(fd, &err);
    gt_cut_gen y[3];
    int ny = 0, sty;
    while (ny < 3 && (sty = gt_cutter_next(c, &y[ny], &err)) > 0)
        ny++;
    sty = gt_cutter_next(c, &after_last, &err);
    check(ny == 3 && sty == -1 && y[2].offset + y[2].size == len - 16 && err.code == GT_ERR_TRUNCATED &&
              !strcmp(err.message, "failed to read full batch: read 0 but wanted 1") && err.offset == len - 16 &&
              err.generation == 3,
          "cut/error/go122-truncated-last-generation", "n=%d st=%d end=%llu len=%zu %s at %llu", ny, sty,
          (unsigned long long)(y[2].offset + y[2].size), len, err.message, (unsigned long long)err.offset);
    gt_cutter_free(c);
    close(fd);
    free(t);

    /* A generation number 0. */
    uint64_t zero[1] = {0};
    t = make_trace(23, zero, 1, &len);
    expect_next_error("cut/error/generation-zero", t, len, 0, GT_ERR_INVALID, 16, "invalid generation number 0");
    free(t);
}

/* ------------------------------------------------------------ streams */

/* A pipe whose other end a child process fills with data[0..len) and
 * closes; returns the read end (the child is reaped by reap). */
static int pipe_from(const void *data, size_t len, pid_t *child)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    *child = fork();
    if (*child == 0) {
        close(p[0]);
        ssize_t k = write(p[1], data, len);
        _exit(k == (ssize_t)len ? 0 : 1);
    }
    close(p[1]);
    return p[0];
}

static void reap(pid_t child)
{
    int status;
    waitpid(child, &status, 0);
}

static void test_stream(int version)
{
    char name[96];
    uint64_t nums[3] = {7, 8, 9}; /* as a flight recording: any first number */
    size_t len;
    unsigned char *t = make_trace(version, nums, 3, &len);
    int fd = t ? temp_fd(t, len) : -1;
    gt_error err;
    /* The same generations as from the file, with no spool. */
    gt_cut_gen a[3], b[3];
    gt_cutter *cf = fd >= 0 ? gt_cutter_open(fd, &err) : NULL;
    pid_t child;
    int in = pipe_from(t, len, &child);
    gt_cutter *cs = gt_cutter_open_stream(in, -1, &err);
    int na = 0, nb = 0;
    while (cf && na < 3 && gt_cutter_next(cf, &a[na], &err) > 0)
        na++;
    while (cs && nb < 3 && gt_cutter_next(cs, &b[nb], &err) > 0)
        nb++;
    snprintf(name, sizeof name, "cut/go1%d/stream-generations", version);
    check(na == 3 && nb == 3 && !memcmp(a, b, sizeof a) && gt_cutter_next(cs, &b[0], &err) == 0 && a[0].gen == 7, name,
          "file %d, stream %d generations", na, nb);
    gt_cutter_free(cf);
    gt_cutter_free(cs);
    close(in);
    reap(child);

    /* A cut from a pipe through a spool: the same bytes as from the file. */
    static const gt_cut_window windows[] = {{.by_index = 1, .first = 2, .last = 3}, {.by_index = 1, .first = 1, .last = 1},
                                            {.by_index = 0, .from = 70000, .to = INT64_MAX}};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        FILE *want = tmpfile(), *got = tmpfile(), *spool = tmpfile();
        gt_cut_result rw, rg;
        int rc1 = cut_fd(fd, want, &windows[i], &rw, &err);
        in = pipe_from(t, len, &child);
        cs = gt_cutter_open_stream(in, fileno(spool), &err);
        int rc2 = cs ? gt_cut(cs, got, &windows[i], &rg, &err) : -1;
        gt_cutter_free(cs);
        close(in);
        reap(child);
        size_t lw, lg;
        unsigned char *pw = slurp(want, &lw), *pg = slurp(got, &lg);
        snprintf(name, sizeof name, "cut/go1%d/stream-cut-%zu", version, i);
        check(rc1 == 0 && rc2 == 0 && lw == lg && lw > 16 && !memcmp(pw, pg, lw) && rw.first == rg.first &&
                  rw.last == rg.last,
              name, "rc %d %d, %zu and %zu bytes: %s", rc1, rc2, lw, lg, err.message);
        free(pw);
        free(pg);
        fclose(want);
        fclose(got);
        fclose(spool);
    }
    close(fd);
    free(t);
}

/* A caller's source over memory, handing out at most 7 bytes a call (the
 * header and batches arrive in pieces), failing at fail_at when set. */
typedef struct mem_src {
    const unsigned char *p;
    size_t len, pos, fail_at;
    int closed, calls_after_end, ended;
} mem_src;

static int64_t mem_read(void *ctx, void *buf, size_t cap)
{
    mem_src *m = ctx;
    if (m->ended)
        m->calls_after_end++;
    if (m->fail_at && m->pos >= m->fail_at) {
        m->ended = 1;
        return -5; /* -EIO */
    }
    size_t k = m->len - m->pos < cap ? m->len - m->pos : cap;
    if (k > 7)
        k = 7;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    if (k == 0)
        m->ended = 1;
    return (int64_t)k;
}

static void mem_close(void *ctx) { ((mem_src *)ctx)->closed++; }

static void test_source(int version)
{
    char name[96];
    uint64_t nums[3] = {3, 4, 5};
    size_t len;
    unsigned char *t = make_trace(version, nums, 3, &len);
    int fd = t ? temp_fd(t, len) : -1;
    gt_error err;
    /* A cut through a caller's source and a spool: the file's bytes; close
     * called once, by gt_cutter_free; read not called after its end. */
    gt_cut_window w = {.by_index = 1, .first = 2, .last = 3};
    FILE *want = tmpfile(), *got = tmpfile(), *spool = tmpfile();
    gt_cut_result rw, rg;
    int rc1 = cut_fd(fd, want, &w, &rw, &err);
    mem_src m = {t, len, 0, 0, 0, 0, 0};
    gt_source src = {mem_read, NULL, 0, &m, mem_close};
    gt_cutter *c = gt_cutter_open_source(&src, fileno(spool), &err);
    int rc2 = c ? gt_cut(c, got, &w, &rg, &err) : -1;
    int closed_before = m.closed;
    gt_cutter_free(c);
    size_t lw, lg;
    unsigned char *pw = slurp(want, &lw), *pg = slurp(got, &lg);
    snprintf(name, sizeof name, "cut/go1%d/source-cut", version);
    check(rc1 == 0 && rc2 == 0 && lw == lg && lw > 16 && !memcmp(pw, pg, lw) && closed_before == 0 && m.closed == 1 &&
              m.calls_after_end == 0,
          name, "rc %d %d, %zu and %zu bytes, closed %d then %d, %d calls after the end: %s", rc1, rc2, lw, lg,
          closed_before, m.closed, m.calls_after_end, err.message);
    free(pw);
    free(pg);
    fclose(want);
    fclose(got);
    fclose(spool);

    /* Listing without a spool: the file's generations. */
    gt_cut_gen a[3], b[3];
    int na = 0, nb = 0;
    gt_cutter *cf = gt_cutter_open(fd, &err);
    m = (mem_src){t, len, 0, 0, 0, 0, 0};
    c = gt_cutter_open_source(&src, -1, &err);
    while (cf && na < 3 && gt_cutter_next(cf, &a[na], &err) > 0)
        na++;
    while (c && nb < 3 && gt_cutter_next(c, &b[nb], &err) > 0)
        nb++;
    snprintf(name, sizeof name, "cut/go1%d/source-generations", version);
    check(na == 3 && nb == 3 && !memcmp(a, b, sizeof a) && gt_cutter_next(c, &b[0], &err) == 0, name,
          "file %d, source %d generations", na, nb);
    gt_cutter_free(cf);
    gt_cutter_free(c);

    /* A read failure in the header: GT_ERR_IO at open, close called. */
    m = (mem_src){t, len, 0, 5, 0, 0, 0};
    c = gt_cutter_open_source(&src, -1, &err);
    snprintf(name, sizeof name, "cut/go1%d/source-read-error", version);
    check(!c && err.code == GT_ERR_IO && err.message && strstr(err.message, "read or spool: Input/output error") &&
              m.closed == 1,
          name, "cutter %p, code %d, closed %d: %s", (void *)c, err.code, m.closed, err.message ? err.message : "");
    gt_cutter_free(c);
    close(fd);
    free(t);
}

static void test_source_argument(void)
{
    gt_error err;
    gt_source src = {NULL, NULL, 0, NULL, NULL};
    gt_cutter *c1 = gt_cutter_open_source(NULL, -1, &err);
    int code1 = err.code;
    gt_cutter *c2 = gt_cutter_open_source(&src, -1, &err);
    check(!c1 && !c2 && code1 == GT_ERR_ARGUMENT && err.code == GT_ERR_ARGUMENT, "cut/source-argument",
          "codes %d %d", code1, err.code);
}

int main(void)
{
    test_parse_duration();
    test_format_duration();
    static const int versions[] = {22, 23, 25, 26};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        test_generations(versions[i]);
        test_split(versions[i]);
        test_stream(versions[i]);
        test_source(versions[i]);
    }
    test_source_argument();
    test_errors();
    return check_done();
}
