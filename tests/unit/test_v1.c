/* Old-format (Go 1.11-1.21) reader: hand-built traces through gt_v1_open /
 * gt_v1_next, checking the conversion rules one by one, Go's error texts for
 * broken traces, and the corpus traces' event counts against the oracle's. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/cursor.h"
#include "common/error.h"
#include "v1/v1.h"
#include "wire/spec.h"

/* ---- a tiny old-format trace writer ---- */

typedef struct tw { uint8_t b[4096]; size_t n; } tw;

static void put(tw *w, uint64_t v) { w->n += gt_varint_put(w->b + w->n, v); }

static void header(tw *w, int version)
{
    w->n = 0;
    int k = snprintf((char *)w->b, 17, "go 1.%d trace", version);
    memset(w->b + k, 0, (size_t)(16 - k));
    w->n = 16;
}

/* An event with up to 3 values inline, more with a byte-length prefix. */
static void ev(tw *w, unsigned type, size_t n, const uint64_t *vals)
{
    if (n >= 1 && n <= 3) {
        w->b[w->n++] = (uint8_t)(type | (n - 1) << 6);
        for (size_t i = 0; i < n; i++)
            put(w, vals[i]);
        return;
    }
    uint8_t tmp[512];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += gt_varint_put(tmp + len, vals[i]);
    w->b[w->n++] = (uint8_t)(type | 3u << 6);
    put(w, len);
    memcpy(w->b + w->n, tmp, len);
    w->n += len;
}
#define EV(w, type, ...) ev(w, type, sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t), (uint64_t[]){__VA_ARGS__})

static void batch(tw *w, uint64_t pid, uint64_t ticks)
{
    w->b[w->n++] = 1 | 1 << 6;
    put(w, pid);
    put(w, ticks);
}

static void string_ev(tw *w, uint64_t id, const char *s)
{
    w->b[w->n++] = 37;
    put(w, id);
    put(w, strlen(s));
    memcpy(w->b + w->n, s, strlen(s));
    w->n += strlen(s);
}

/* gt_v1_open and gt_v1_next fill an error the library way (common/error.h):
 * initialised, and owning its message. These give the test's errors the
 * public functions' rule instead: the text goes to this thread's storage,
 * so an error needs no release. */
static gt_v1 *v1_open(const uint8_t *data, size_t len, int version, gt_error *err)
{
    gt_error_init(err);
    gt_v1 *v = gt_v1_open(data, len, version, err);
    gt_error_publish(err);
    return v;
}

static int v1_next(gt_v1 *v, gt_event *ev, gt_error *err)
{
    gt_error_init(err);
    int r = gt_v1_next(v, ev, err);
    gt_error_publish(err);
    return r;
}

/* Old type numbers used below. */
enum { FREQ = 2, STACK = 3, GOMAXPROCS = 4, PROC_START = 5, PROC_STOP = 6, GO_CREATE = 13, GO_START = 14,
       GO_SCHED = 17, GO_SYSCALL = 28, GO_WAITING = 31, HEAP_ALLOC = 33, FUTILE = 36, CPU_SAMPLE = 49 };

static size_t read_all(gt_v1 *v, gt_event *out, size_t cap, gt_error *err)
{
    size_t n = 0;
    gt_event e;
    int r;
    while ((r = v1_next(v, &e, err)) == 1)
        if (n < cap)
            out[n++] = e;
    return r < 0 ? (size_t)-1 : n;
}

/* A small healthy trace: goroutines from before tracing, the first
 * Gomaxprocs, an instantaneous syscall, a Gosched. */
static void test_conversion(void)
{
    tw w;
    header(&w, 21);
    batch(&w, 0, 100);
    EV(&w, FREQ, 1000000000);
    string_ev(&w, 1, "main.f");
    string_ev(&w, 2, "f.go");
    EV(&w, STACK, 1, 1, 0x10, 1, 2, 7);
    EV(&w, GO_CREATE, 1, 5, 1, 1);   /* t=0: g5, runnable before tracing */
    EV(&w, GO_CREATE, 1, 3, 0, 0);   /* t=1: g3 */
    EV(&w, GO_CREATE, 1, 1, 0, 0);   /* t=2: g1 */
    EV(&w, GO_WAITING, 1, 3);        /* t=3: g3 is blocked */
    EV(&w, PROC_START, 1, 7);        /* t=4: P0 on thread 7 */
    EV(&w, GO_START, 1, 1, 1);       /* t=5: g1 was running (sequence 1 follows its create) */
    EV(&w, GOMAXPROCS, 1, 4, 0);     /* t=6: end of the initial state */
    EV(&w, GO_SYSCALL, 1, 1);        /* t=7: syscall that did not block */
    EV(&w, GO_SCHED, 1, 0);          /* t=8 */
    EV(&w, PROC_STOP, 1);            /* t=9 */

    gt_error err;
    gt_v1 *v = v1_open(w.b, w.n, 21, &err);
    if (!check(v != NULL, "v1_conversion_open", "%s", v ? "" : err.message))
        return;
    gt_event e[32];
    size_t n = read_all(v, e, 32, &err);
    struct { unsigned type; int64_t time, g, p, m; uint64_t a0, a2; } want[] = {
        {GT_EV_SYNTH_SYNC, -1, -1, -1, -1, 1, 0},
        {GT_EV_GO_STATUS, 3, 3, 0, -1, 3, GT_WGO_WAITING},
        {GT_EV_PROC_STATUS, 4, -1, 0, 7, 0, 0},
        {GT_EV_GO_STATUS, 5, 1, 0, 7, 1, GT_WGO_RUNNING},
        {GT_EV_GO_STATUS, 6, -1, -1, -1, 5, GT_WGO_RUNNABLE},
        {GT_EV_GO_SYSCALL_BEGIN, 7, 1, 0, 7, 0, 0},
        {GT_EV_GO_SYSCALL_END, 8, 1, 0, 7, 0, 0},
        {GT_EV_GO_STOP, 9, 1, 0, 7, 0, 0},   /* time 8 pushed to 9: times strictly increase */
        {GT_EV_PROC_STOP, 10, -1, 0, 7, 0, 0},
        {GT_EV_SYNTH_SYNC, 11, -1, -1, -1, 2, 0},
    };
    size_t nwant = sizeof want / sizeof want[0];
    check(n == nwant, "v1_conversion_count", "got %zu events, want %zu", n, nwant);
    for (size_t i = 0; i < n && i < nwant; i++) {
        char name[64];
        snprintf(name, sizeof name, "v1_conversion_event_%zu", i);
        int a0_ok = want[i].type == GT_EV_GO_STOP || e[i].priv_args[0] == want[i].a0;
        check(e[i].priv_type == want[i].type && e[i].time == want[i].time && e[i].goroutine == want[i].g &&
                  e[i].proc == want[i].p && e[i].thread == want[i].m && a0_ok &&
                  (want[i].type != GT_EV_GO_STATUS || e[i].priv_args[2] == want[i].a2),
              name, "type=%u time=%lld g=%lld p=%lld m=%lld a0=%llu a2=%llu", e[i].priv_type, (long long)e[i].time,
              (long long)e[i].goroutine, (long long)e[i].proc, (long long)e[i].thread,
              (unsigned long long)e[i].priv_args[0], (unsigned long long)e[i].priv_args[2]);
    }
    /* The syscall keeps the stack of the old event. */
    if (n > 5)
        check(e[5].priv_args[1] == 1, "v1_conversion_syscall_stack", "stack %llu",
              (unsigned long long)e[5].priv_args[1]);
    check(v1_next(v, &e[0], &err) == 0, "v1_conversion_end_sticky", "more after the last Sync");
    gt_v1_free(v);
}

/* Builds a trace from a callback and expects Go's error text. */
static void expect_error(const char *name, int version, void (*body)(tw *), const char *message)
{
    tw w;
    header(&w, version);
    body(&w);
    gt_error err;
    memset(&err, 0, sizeof err);
    gt_v1 *v = v1_open(w.b, w.n, version, &err);
    if (v) {
        gt_event e;
        int r;
        while ((r = v1_next(v, &e, &err)) == 1)
            ;
        gt_v1_free(v);
        if (r == 0) {
            check(0, name, "read without error, want %s", message);
            return;
        }
    }
    check(strcmp(err.message, message) == 0, name, "got \"%s\", want \"%s\"", err.message, message);
}

static void b_no_freq(tw *w) { batch(w, 0, 1); EV(w, PROC_START, 1, 1); }
static void b_unknown(tw *w) { batch(w, 0, 1); w->b[w->n++] = 63; put(w, 1); }
static void b_sample_111(tw *w) { batch(w, 0, 1); EV(w, CPU_SAMPLE, 1, 1, 0, 0, 0); }
static void b_before_batch(tw *w) { EV(w, PROC_START, 1, 1); }
static void b_string_id0(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); string_ev(w, 0, "x"); }
static void b_string_dup(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); string_ev(w, 4, "x"); string_ev(w, 4, "y"); }
static void b_string_cut(tw *w) { batch(w, 0, 1); string_ev(w, 4, "abc"); w->n -= 2; }
static void b_freq0(tw *w) { batch(w, 0, 1); EV(w, FREQ, 0); }
static void b_stop_idle(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); EV(w, PROC_STOP, 1); }
static void b_no_order(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); EV(w, GO_START, 1, 9, 4); }
static void b_futile(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); EV(w, FUTILE, 1); }
static void b_bad_args(tw *w) { batch(w, 0, 1); EV(w, FREQ, 1); EV(w, PROC_START, 1); }
static void b_varint(tw *w)
{
    batch(w, 0, 1);
    w->b[w->n++] = PROC_START | 1 << 6;
    w->b[w->n++] = 0x80; /* the varint runs off the end */
}

/* Load errors come out when the merge loads the batch, not in the first
 * pass: a later batch of P0 with a broken event fails once P0's first
 * batch is used up... */
static void b_late_bad_args(tw *w)
{
    batch(w, 0, 1);
    EV(w, FREQ, 1);
    EV(w, PROC_START, 1, 1);
    EV(w, PROC_STOP, 1);
    batch(w, 0, 10);
    EV(w, PROC_START, 1);
}

/* ...and never when the merge fails before it loads the batch. */
static void b_unloaded_bad_args(tw *w)
{
    batch(w, 0, 1);
    EV(w, FREQ, 1);
    EV(w, GO_START, 1, 9, 4);
    batch(w, 0, 10);
    EV(w, PROC_START, 1);
}

/* A P's running goroutine carries over from one of its batches to the
 * next (parseEvent's lastGs), including into a batch decoded straight
 * from the file. */
static void test_batches_carry_goroutine(void)
{
    tw w;
    header(&w, 21);
    batch(&w, 0, 100);
    EV(&w, FREQ, 1000000000);
    EV(&w, GO_CREATE, 1, 1, 0, 0);   /* ticks 101: time 0 */
    EV(&w, PROC_START, 1, 7);        /* 1 */
    EV(&w, GO_START, 1, 1, 1);       /* 2: g1 runs on P0 */
    EV(&w, GOMAXPROCS, 1, 4, 0);     /* 3 */
    batch(&w, 0, 110);
    EV(&w, GO_SCHED, 1, 0);          /* ticks 111, time 10: still g1 */
    EV(&w, PROC_STOP, 1);            /* 11 */
    gt_error err;
    gt_v1 *v = v1_open(w.b, w.n, 21, &err);
    if (!check(v != NULL, "v1_batches_carry_open", "%s", v ? "" : err.message))
        return;
    gt_event e[16];
    size_t n = read_all(v, e, 16, &err);
    int found = 0;
    for (size_t i = 0; i < n && n != (size_t)-1; i++)
        if (e[i].priv_type == GT_EV_GO_STOP)
            found = e[i].goroutine == 1 && e[i].time == 10;
    check(found, "v1_batches_carry_goroutine", "no GoStop of g1 at time 10 (%zu events, %s)", n,
          n == (size_t)-1 ? err.message : "");
    gt_v1_free(v);
}

/* Reads the trace in w and checks that the events pick selects give, in
 * order, the values want (value: what is compared of an event). */
static void expect_sequence(const tw *w, const char *name, int (*pick)(const gt_event *),
                            int64_t (*value)(const gt_event *), const int64_t *want, size_t nwant)
{
    gt_error err;
    gt_v1 *v = v1_open(w->b, w->n, 21, &err);
    if (!check(v != NULL, name, "open: %s", v ? "" : err.message))
        return;
    gt_event e[64];
    size_t n = read_all(v, e, 64, &err);
    size_t k = 0, bad = SIZE_MAX;
    long long got_bad = 0;
    for (size_t i = 0; n != (size_t)-1 && i < n; i++) {
        if (!pick(&e[i]))
            continue;
        if (k < nwant && bad == SIZE_MAX && value(&e[i]) != want[k]) {
            bad = k;
            got_bad = (long long)value(&e[i]);
        }
        k++;
    }
    check(n != (size_t)-1 && k == nwant && bad == SIZE_MAX, name,
          "%s; %zu events picked, want %zu; first difference at %zu: %lld, want %lld",
          n == (size_t)-1 ? err.message : "read", k, nwant, bad, got_bad,
          bad < nwant ? (long long)want[bad] : -1LL);
    gt_v1_free(v);
}

static int is_heap_alloc(const gt_event *e) { return e->priv_type == GT_EV_HEAP_ALLOC; }
static int is_runnable_status(const gt_event *e)
{
    return e->priv_type == GT_EV_GO_STATUS && e->priv_args[2] == GT_WGO_RUNNABLE;
}
static int is_sample(const gt_event *e) { return e->priv_type == GT_EV_CPU_SAMPLE; }
static int64_t arg0(const gt_event *e) { return (int64_t)e->priv_args[0]; }
static int64_t time_of(const gt_event *e) { return e->time; }
static int64_t goroutine_of(const gt_event *e) { return e->goroutine; }

/* Events of equal time leave Go's merge in the order its heap (which
 * compares times only) gives them, after Go's exact sequence of pushes and
 * pops: here P1's event comes between P0's two, all at ticks 111. Go 1.27
 * prints values 2, 1, 3 (12 runs out of 12); a tie broken by P gives 1, 3, 2. */
static void test_tie_order(void)
{
    tw w;
    header(&w, 21);
    batch(&w, 0, 100);
    EV(&w, FREQ, 1000000000);
    EV(&w, PROC_START, 1, 7);        /* ticks 101 */
    EV(&w, GOMAXPROCS, 1, 4, 0);     /* 102 */
    EV(&w, HEAP_ALLOC, 9, 1);        /* 111 */
    EV(&w, HEAP_ALLOC, 0, 3);        /* 111 */
    batch(&w, 1, 100);
    EV(&w, PROC_START, 2, 8);        /* 102 */
    EV(&w, HEAP_ALLOC, 9, 2);        /* 111 */
    static const int64_t values[] = {2, 1, 3}, times[] = {10, 11, 12};
    expect_sequence(&w, "v1_tie_order_heap", is_heap_alloc, arg0, values, 3);
    expect_sequence(&w, "v1_tie_order_times", is_heap_alloc, time_of, times, 3);
}

/* Goroutines created before the first Gomaxprocs and never seen since
 * become runnable there in the order of the slots of Go's small map: g9,
 * g4, g7 take slots 0-2, g4's GoWaiting frees slot 1 and g8 takes it, so
 * 9, 8, 7 (Go 1.27: 9 runs of 12; the others start at a random slot). Sorted
 * by ID would be 7, 8, 9; in creation order, 9, 7, 8. */
static void test_pre_init_order(void)
{
    tw w;
    header(&w, 21);
    batch(&w, 0, 100);
    EV(&w, FREQ, 1000000000);
    EV(&w, GO_CREATE, 1, 9, 0, 0);
    EV(&w, GO_CREATE, 1, 4, 0, 0);
    EV(&w, GO_CREATE, 1, 7, 0, 0);
    EV(&w, GO_WAITING, 1, 4);
    EV(&w, GO_CREATE, 1, 8, 0, 0);
    EV(&w, PROC_START, 1, 7);
    EV(&w, GOMAXPROCS, 1, 4, 0);
    EV(&w, PROC_STOP, 1);
    static const int64_t want[] = {9, 8, 7};
    expect_sequence(&w, "v1_pre_init_order_slots", is_runnable_status, arg0, want, 3);
}

/* CPU samples are sorted by their time with Go's unstable sort: among the
 * 20 samples here, of 3 distinct times, equal ones come out in the order
 * Go 1.27 prints (file order would be 2 4 7 10 ...). */
static void test_sample_order(void)
{
    static const uint64_t ticks[20] = {120, 110, 120, 110, 130, 120, 110, 120, 130, 110,
                                       120, 110, 130, 120, 110, 120, 130, 110, 120, 120};
    static const int64_t want[20] = {10, 2, 18, 4, 15, 12, 7, 11, 8, 1, 6, 14, 16, 3, 19, 20, 9, 13, 5, 17};
    tw w;
    header(&w, 21);
    batch(&w, 0, 100);
    EV(&w, FREQ, 1000000000);
    EV(&w, PROC_START, 1, 7);
    EV(&w, GOMAXPROCS, 1, 4, 0);
    for (uint64_t i = 0; i < 20; i++)
        EV(&w, CPU_SAMPLE, 0, ticks[i], 0, i + 1, 0);  /* goroutine i+1, on P0, no stack */
    EV(&w, PROC_STOP, 50);
    expect_sequence(&w, "v1_sample_order_go_sort", is_sample, goroutine_of, want, 20);
}

static void test_errors(void)
{
    expect_error("v1_err_no_frequency", 21, b_no_freq, "no EvFrequency event");
    expect_error("v1_err_unknown_type", 19, b_unknown, "unknown event type 63");
    expect_error("v1_err_sample_in_111", 11, b_sample_111, "unknown event type 49");
    expect_error("v1_err_before_batch", 21, b_before_batch,
                 "read event 5 with current P of 0, but P has no batches yet");
    expect_error("v1_err_string_id0", 21, b_string_id0, "string has invalid id 0");
    expect_error("v1_err_string_dup", 21, b_string_dup, "string has duplicate id 4");
    expect_error("v1_err_string_cut", 21, b_string_cut, "failed to read trace: EOF");
    expect_error("v1_err_frequency_zero", 21, b_freq0, "time stamps out of order");
    expect_error("v1_err_stop_idle_p", 21, b_stop_idle, "p 0 is not running before stop (time 0)");
    expect_error("v1_err_no_ordering", 21, b_no_order, "no consistent ordering of events possible");
    expect_error("v1_err_futile_wakeup", 21, b_futile, "unexpected event type 36");
    expect_error("v1_err_wrong_args", 21, b_bad_args, "ProcStart has wrong number of arguments: want 2, got 1");
    expect_error("v1_err_varint", 21, b_varint, "failed to read event 5 argument: malformatted base-128 varint");
    expect_error("v1_err_late_batch_args", 21, b_late_bad_args,
                 "ProcStart has wrong number of arguments: want 2, got 1");
    expect_error("v1_err_unloaded_batch_args", 21, b_unloaded_bad_args, "no consistent ordering of events possible");
}

/* Every corpus old trace: as many converted events as the oracle printed
 * (MANIFEST's events column), and the expected compact record size. */
static void test_corpus_counts(void)
{
    const char *shared = check_shared_dir();
    if (!shared) {
        check_skip("v1_corpus_counts", "../shared is absent");
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/MANIFEST.tsv", shared);
    size_t len;
    char *manifest = check_read_file(path, &len);
    if (!manifest) {
        check_skip("v1_corpus_counts", "no MANIFEST.tsv");
        return;
    }
    int seen = 0;
    for (char *line = strtok(manifest, "\n"); line; line = strtok(NULL, "\n")) {
        char file[256], go[32], wire[32];
        unsigned long long size, events;
        if (sscanf(line, "%255s %31s %31s %llu %llu", file, go, wire, &size, &events) != 5)
            continue;
        int version = 0;
        if (strcmp(wire, "1.19") == 0)
            version = 19;
        else if (strcmp(wire, "1.21") == 0)
            version = 21;
        if (!version)
            continue;
        snprintf(path, sizeof path, "%s/corpus/%s", shared, file);
        size_t n;
        char *data = check_read_file(path, &n);
        char name[300];
        snprintf(name, sizeof name, "v1_corpus_count_%s", file);
        if (!data) {
            check(0, name, "cannot read %s", path);
            continue;
        }
        gt_error err;
        gt_v1 *v = v1_open((const uint8_t *)data, n, version, &err);
        size_t got = 0;
        gt_event e;
        int r = -1;
        if (v)
            while ((r = v1_next(v, &e, &err)) == 1)
                got++;
        check(v && r == 0 && got == events, name, "got %zu events (r=%d, %s), oracle printed %llu", got, r,
              v ? "" : err.message, events);
        gt_v1_free(v);
        free(data);
        seen++;
    }
    free(manifest);
    check(seen > 0, "v1_corpus_has_old_traces", "no old-format traces in the corpus");
}

/* Memory held per event is bounded by the input: a trace of tiny events
 * (3-byte HeapAllocs) must not cost a fixed large record each. */
static void test_memory_bound(void)
{
    enum { N = 200000 };
    size_t cap = 64 + (size_t)N * 3;
    uint8_t *b = malloc(cap);
    if (!check(b != NULL, "v1_memory_bound_alloc", "out of memory"))
        return;
    size_t n = 0;
    memcpy(b, "go 1.21 trace\0\0\0", 16);
    n = 16;
    b[n++] = 1 | 1 << 6; /* Batch p=0 ticks=1 */
    b[n++] = 0;
    b[n++] = 1;
    b[n++] = FREQ;       /* Frequency 1e9 ticks/s */
    n += gt_varint_put(b + n, 1000000000);
    for (size_t i = 0; i < N; i++) {
        b[n++] = HEAP_ALLOC | 1 << 6; /* ts delta 1, mem 7 */
        b[n++] = 1;
        b[n++] = 7;
    }
    gt_error err;
    gt_v1 *v = v1_open(b, n, 21, &err);
    if (check(v != NULL, "v1_memory_bound_open", "%s", v ? "" : err.message)) {
        size_t held = gt_v1_held_bytes(v);
        check(gt_v1_event_count(v) == N, "v1_memory_bound_count", "%zu events", gt_v1_event_count(v));
        check(held <= 2 * n, "v1_memory_bound_held", "%zu bytes held for a %zu-byte trace (%.1f per event)", held,
              n, (double)held / N);
        size_t got = 0;
        gt_event e;
        int r;
        while ((r = v1_next(v, &e, &err)) == 1)
            got++;
        check(r == 0 && got == (size_t)N + 2, "v1_memory_bound_events", "got %zu events (r=%d)", got, r);
    }
    gt_v1_free(v);
    free(b);
}

int main(void)
{
    test_conversion();
    test_errors();
    test_batches_carry_goroutine();
    test_tie_order();
    test_pre_init_order();
    test_sample_order();
    test_corpus_counts();
    test_memory_bound();
    return check_done();
}
