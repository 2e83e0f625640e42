/* Unit tests of the trace builder (include/gotrace/builder.h): argument
 * checking against the specs, sticky errors, interning, batch sizes and
 * layout (byte-exact against Go's testgen output where Go has the case). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/builder.h"
#include "gotrace/raw.h"

static char *write_test_text(gt_builder *b, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    gt_error err;
    int rc = f ? gt_builder_write_test(b, f, &err) : -1;
    if (f)
        fclose(f);
    if (rc) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Each bad call must fail, stick, and make the write fail with its text. */
static void test_argument_errors(void)
{
    static const struct {
        const char *name;
        const char *event;
        gt_builder_arg args[3];
        size_t nargs;
        const char *message;
    } cases[] = {
        {"unknown-event", "GoFly", {GT_ARG("g", 1)}, 1, "builder: invalid or unknown event GoFly in go 1.22"},
        {"event-of-later-version", "EndOfGeneration", {GT_ARG("g", 1)}, 0,
         "builder: invalid or unknown event EndOfGeneration in go 1.22"},
        {"unknown-arg", "GoStart", {GT_ARG("g", 1), GT_ARG("g_seq", 1), GT_ARG("p", 0)}, 3,
         "builder: GoStart has no argument p"},
        {"missing-arg", "GoStart", {GT_ARG("g", 1)}, 1, "builder: expected 2 args for GoStart, got 1 (missing g_seq)"},
        {"repeated-arg", "GoStart", {GT_ARG("g", 1), GT_ARG("g", 2)}, 2, "builder: argument g of GoStart given twice"},
        {"string-for-non-string", "GoStart", {GT_STR("g", "x"), GT_ARG("g_seq", 1)}, 2,
         "builder: argument g of GoStart is not a string ID"},
        {"stack-for-non-stack", "GoStart", {GT_STK("g", NULL, 0), GT_ARG("g_seq", 1)}, 2,
         "builder: argument g of GoStart is not a stack ID"},
        {"data-event-by-name", "String", {GT_ARG("id", 1)}, 1,
         "builder: String carries trailing data: add it with gt_builder_raw_event"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char name[128];
        snprintf(name, sizeof name, "builder/error/%s", cases[i].name);
        gt_builder *b = gt_builder_new(22, NULL);
        gt_builder_batch *bt = gt_builder_batch_new(gt_builder_generation(b, 1), 0, 0);
        long rc = gt_builder_event_args(bt, cases[i].event, cases[i].args, cases[i].nargs);
        const gt_error *e = gt_builder_error(b);
        /* A later good call does nothing; the write reports the first error. */
        long later = GT_EVENT(bt, "ProcStop");
        gt_error werr;
        FILE *sink = tmpfile();
        int wrc = sink ? gt_builder_write_binary(b, sink, &werr) : 0;
        if (sink)
            fclose(sink);
        check(rc == -1 && e && e->code == GT_ERR_ARGUMENT && !strcmp(e->message, cases[i].message) && later == -1 &&
                  wrc == -1 && !strcmp(werr.message, cases[i].message),
              name, "rc=%ld later=%ld write=%d message \"%s\"", rc, later, wrc, e ? e->message : "(none)");
        gt_builder_free(b);
    }
}

static void test_versions_and_null(void)
{
    gt_error err;
    gt_builder *b = gt_builder_new(21, &err);
    check(!b && err.code == GT_ERR_ARGUMENT, "builder/refuses-old-version", "got %p, \"%s\"", (void *)b, err.message);
    check(gt_builder_batch_new(NULL, 0, 0) == NULL && GT_EVENT(NULL, "ProcStop") == -1 &&
              gt_builder_string(NULL, "x", 1) == 0,
          "builder/null-handles", "NULL handles must be refused quietly");
    b = gt_builder_new(22, NULL);
    gt_builder_gen *g = gt_builder_generation(b, 1);
    int rc = gt_builder_sync(g, 1000, 5, 7, 0, 0);
    check(rc == -1 && gt_builder_error(b) && strstr(gt_builder_error(b)->message, "not supported in go1.22"),
          "builder/mono-before-go125", "rc=%d", rc);
    gt_builder_free(b);
}

static void test_interning(void)
{
    gt_builder *b = gt_builder_new(23, NULL);
    gt_builder_gen *g1 = gt_builder_generation(b, 1);
    gt_builder_gen *g2 = gt_builder_generation(b, 2);
    uint64_t a = gt_builder_string(g1, "alpha", 5), a2 = gt_builder_string(g1, "alpha", 5);
    uint64_t bb = gt_builder_string(g1, "beta", 4), empty = gt_builder_string(g1, "", 0);
    uint64_t other_gen = gt_builder_string(g2, "beta", 4);
    check(a == 1 && a2 == 1 && bb == 2 && empty == 0 && other_gen == 1, "builder/strings-interned-per-generation",
          "ids %llu %llu %llu %llu %llu", (unsigned long long)a, (unsigned long long)a2, (unsigned long long)bb,
          (unsigned long long)empty, (unsigned long long)other_gen);
    const gt_builder_frame f1[] = {{1, "f", "file.go", 3}, {2, "g", "file.go", 4}};
    const gt_builder_frame f2[] = {{1, "f", "file.go", 3}};
    uint64_t s1 = gt_builder_stack(g1, f1, 2), s2 = gt_builder_stack(g1, f2, 1), s3 = gt_builder_stack(g1, f1, 2);
    check(s1 == 1 && s2 == 2 && s3 == 1 && gt_builder_stack(g1, NULL, 0) == 0, "builder/stacks-interned",
          "ids %llu %llu %llu", (unsigned long long)s1, (unsigned long long)s2, (unsigned long long)s3);
    uint64_t q1 = gt_builder_next_seq(g1, GT_RESOURCE_GOROUTINE, 5), q2 = gt_builder_next_seq(g1, GT_RESOURCE_GOROUTINE, 5);
    uint64_t q3 = gt_builder_next_seq(g1, GT_RESOURCE_PROC, 5), q4 = gt_builder_next_seq(g2, GT_RESOURCE_GOROUTINE, 5);
    check(q1 == 1 && q2 == 2 && q3 == 1 && q4 == 1, "builder/sequence-numbers", "%llu %llu %llu %llu",
          (unsigned long long)q1, (unsigned long long)q2, (unsigned long long)q3, (unsigned long long)q4);
    check(!gt_builder_error(b), "builder/interning-no-error", "%s", gt_builder_error(b) ? gt_builder_error(b)->message : "");
    gt_builder_free(b);
}

/* Every EventBatch's size must be the bytes up to the next top-level item. */
static void test_batch_sizes(void)
{
    gt_builder *b = gt_builder_new(26, NULL);
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 100);
    GT_EVENT(m0, "ProcStatus", GT_ARG("p", 300), GT_ARG("pstatus", 1));
    GT_EVENT(m0, "GoStatus", GT_ARG("g", 1u << 20), GT_ARG("m", 0), GT_ARG("gstatus", 2));
    GT_EVENT(m0, "GoBlock", GT_STR("reason_string", "a long enough reason"), GT_ARG("stack", 0));
    long dup = GT_EVENT(m0, "GoStart", GT_ARG("g", 9), GT_ARG("g_seq", 1), GT_ARG("dt", 1000));
    gt_builder_edit_duplicate(b, (size_t)dup);
    long gone = GT_EVENT(m0, "ProcStop");
    gt_builder_edit_delete(b, (size_t)gone);
    unsigned char *data = NULL;
    size_t len = 0;
    gt_error err;
    int rc = gt_builder_write_memory(b, &data, &len, &err);
    int ok = rc == 0, batches = 0, starts = 0;
    char why[1200] = "";
    gt_raw_reader *r = ok ? gt_raw_open_memory(data, len, &err) : NULL;
    gt_raw_event ev;
    uint64_t batch_end = 0;
    while (r && gt_raw_next(r, &ev) == 1) {
        if (batch_end && ev.offset > batch_end) {
            ok = 0;
            snprintf(why, sizeof why, "event at %llu past its batch end %llu", (unsigned long long)ev.offset,
                     (unsigned long long)batch_end);
        }
        if (batch_end && ev.offset == batch_end)
            batch_end = 0;
        if (!strcmp(gt_raw_event_name(26, ev.type), "EventBatch")) {
            batches++;
            batch_end = gt_raw_bytes_read(r) + ev.args[3];
            if (ev.args[3] == 0)
                batch_end = 0;
        }
        if (!strcmp(gt_raw_event_name(26, ev.type), "GoStart"))
            starts++;
        if (!strcmp(gt_raw_event_name(26, ev.type), "ProcStop"))
            ok = 0;
    }
    if (r && gt_raw_error(r)) {
        ok = 0;
        snprintf(why, sizeof why, "raw reader: %s", gt_raw_error(r)->message);
    }
    check(ok && batches >= 4 && starts == 2, "builder/batch-sizes-and-edits", "rc=%d batches=%d starts=%d %s", rc,
          batches, starts, why[0] ? why : (rc ? err.message : ""));
    gt_raw_free(r);
    free(data);
    gt_builder_free(b);
}

/* Go's go123-sync and go125-sync cases were written by the current testgen;
 * the builder must write the same .test text byte for byte. */
static void build_go_sync(gt_builder *b, int go125)
{
    gt_builder_gen *g1 = gt_builder_generation(b, 1);
    gt_builder_sync(g1, 1000000000, 10, go125 ? 99 : 0, go125 ? 1740755049 : 0, go125 ? 123 : 0);
    gt_builder_batch *b10 = gt_builder_batch_new(g1, 1, 15);
    GT_EVENT(b10, "ProcStatus", GT_ARG("p", 0), GT_ARG("pstatus", 1));
    gt_builder_gen *g2 = gt_builder_generation(b, 2);
    gt_builder_sync(g2, 500000000, 20, go125 ? 199 : 0, go125 ? 1740755050 : 0, go125 ? 123 : 0);
    gt_builder_gen *g3 = gt_builder_generation(b, 3);
    if (go125) {
        gt_builder_sync(g3, 500000000, 30, 299, 1740755051, 123);
        gt_builder_batch *b30 = gt_builder_batch_new(g3, 1, 40);
        GT_EVENT(b30, "ProcStatus", GT_ARG("p", 0), GT_ARG("pstatus", 1));
    } else {
        gt_builder_batch *b30 = gt_builder_batch_new(g3, 1, 30);
        GT_EVENT(b30, "ProcStatus", GT_ARG("p", 0), GT_ARG("pstatus", 1));
        gt_builder_sync(g3, 500000000, 40, 0, 0, 0);
    }
}

static void test_same_as_go_testgen(void)
{
    const char *shared = check_shared_dir();
    for (int go125 = 0; go125 <= 1; go125++) {
        const char *name = go125 ? "builder/go125-sync-byte-exact" : "builder/go123-sync-byte-exact";
        if (!shared) {
            check_skip(name, "../shared absent");
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/gotests/tests/%s.test", shared, go125 ? "go125-sync" : "go123-sync");
        size_t want_len = 0;
        char *want = check_read_file(path, &want_len);
        if (!want) {
            check_skip(name, "Go's case absent");
            continue;
        }
        gt_builder *b = gt_builder_new(go125 ? 25 : 23, NULL);
        build_go_sync(b, go125);
        size_t len = 0;
        char *got = write_test_text(b, &len);
        check(got && len == want_len && !memcmp(got, want, len), name, "output differs from %s", path);
        free(got);
        free(want);
        gt_builder_free(b);
    }
}

static void test_expect_failure_quoting(void)
{
    gt_builder *b = gt_builder_new(22, NULL);
    gt_builder_expect_failure(b, ".*expected a \"proc\"\tbut.*");
    gt_builder_generation(b, 1);
    size_t len = 0;
    char *got = write_test_text(b, &len);
    const char *want_head = "-- expect --\nFAILURE \".*expected a \\\"proc\\\"\\tbut.*\"\n-- trace --\nTrace Go1.22\n";
    check(got && !strncmp(got, want_head, strlen(want_head)), "builder/expect-failure-quoted", "got \"%.120s\"",
          got ? got : "(write failed)");
    free(got);
    gt_builder_free(b);
}

int main(void)
{
    test_argument_errors();
    test_versions_and_null();
    test_interning();
    test_batch_sizes();
    test_same_as_go_testgen();
    test_expect_failure_quoting();
    return check_done();
}
