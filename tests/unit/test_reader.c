/* Reader API tests: a hand-built trace read through every accessor, the
 * open variants (memory, fd, stream, path) giving identical events,
 * next_batch against next, event lifetimes across generations, and errors
 * (offsets, generation, events before them, stickiness). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"

/* ------------------------------------------------------------ trace builder */

typedef struct {
    uint8_t b[4096];
    size_t n;
} bytes;

static void put(bytes *o, uint8_t c) { o->b[o->n++] = c; }
static void uv(bytes *o, uint64_t v)
{
    while (v >= 0x80) {
        put(o, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(o, (uint8_t)v);
}
static void raw(bytes *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
/* EventBatch gen m time size data */
static void batch(bytes *o, uint64_t gen, uint64_t m, uint64_t time, const bytes *data)
{
    put(o, 1);
    uv(o, gen);
    uv(o, m);
    uv(o, time);
    uv(o, data->n);
    raw(o, data->b, data->n);
}

/* Wire types used below (Go's tracev2 numbering). */
enum { EV_STACKS = 2, EV_STACK = 3, EV_STRINGS = 4, EV_STRING = 5, EV_FREQUENCY = 8, EV_PROC_STATUS = 13,
       EV_GO_CREATE = 14, EV_GO_BLOCK = 20, EV_GO_STATUS = 25, EV_HEAP_ALLOC = 37, EV_USER_LOG = 44 };

/* A Go 1.22 trace of one generation (gen) on M 1: P 0 running, goroutine 5
 * running; it creates goroutine 6 (stack 1), logs "cat"/"hello", reports a
 * heap size of 4096, then blocks with reason "hello". Frequency 1 GHz, so
 * times are raw timestamps. With trunc, the last event is cut short. */
static size_t build_trace(uint8_t *out, uint64_t gen, int trunc)
{
    bytes t = {{0}, 0}, d;
    raw(&t, "go 1.22 trace\0\0\0", 16);
    d.n = 0;
    put(&d, EV_FREQUENCY);
    uv(&d, 1000000000);
    batch(&t, gen, 1, 0, &d);
    d.n = 0;
    put(&d, EV_STRINGS);
    put(&d, EV_STRING), uv(&d, 1), uv(&d, 5), raw(&d, "hello", 5);
    put(&d, EV_STRING), uv(&d, 2), uv(&d, 3), raw(&d, "cat", 3);
    put(&d, EV_STRING), uv(&d, 3), uv(&d, 6), raw(&d, "main.f", 6);
    put(&d, EV_STRING), uv(&d, 4), uv(&d, 6), raw(&d, "main.c", 6);
    batch(&t, gen, 1, 0, &d);
    d.n = 0;
    put(&d, EV_STACKS);
    put(&d, EV_STACK), uv(&d, 1), uv(&d, 1), uv(&d, 0x1000), uv(&d, 3), uv(&d, 4), uv(&d, 42);
    batch(&t, gen, 1, 0, &d);
    d.n = 0;
    put(&d, EV_PROC_STATUS), uv(&d, 0), uv(&d, 0), uv(&d, 1);          /* P 0 Running */
    put(&d, EV_GO_STATUS), uv(&d, 1), uv(&d, 5), uv(&d, 1), uv(&d, 2); /* G 5 Running on M 1 */
    put(&d, EV_GO_CREATE), uv(&d, 1), uv(&d, 6), uv(&d, 1), uv(&d, 1);
    put(&d, EV_USER_LOG), uv(&d, 1), uv(&d, 0), uv(&d, 2), uv(&d, 1), uv(&d, 0);
    put(&d, EV_HEAP_ALLOC), uv(&d, 1), uv(&d, 4096);
    put(&d, EV_GO_BLOCK), uv(&d, 1), uv(&d, 1);
    if (!trunc)
        uv(&d, 1);
    batch(&t, gen, 1, 100, &d);
    memcpy(out, t.b, t.n);
    return t.n;
}

static int str_is(gt_str s, const char *want) { return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0; }

static void test_accessors(void)
{
    uint8_t buf[4096];
    size_t n = build_trace(buf, 1, 0);
    gt_error err;
    gt_reader *r = gt_reader_open_memory(buf, n, &err);
    if (!check(r != NULL, "reader_open_built", "open failed: %s", r ? "" : err.message))
        return;
    check(gt_reader_version(r) == 22, "reader_version", "version %d", gt_reader_version(r));
    gt_event ev[16];
    size_t k = 0, got;
    /* A batch may end early at a generation boundary: read until 0. */
    while (k < 16 && (got = gt_reader_next_batch(r, ev + k, 16 - k)) > 0)
        k += got;
    check(k == 8 && gt_reader_error(r) == NULL, "reader_built_count", "got %zu events, error %s", k,
          gt_reader_error(r) ? gt_reader_error(r)->message : "none");
    if (k != 8) {
        gt_reader_free(r);
        return;
    }
    gt_sync s;
    check(ev[0].kind == GT_EVENT_SYNC && gt_event_sync(&ev[0], &s) == 0 && s.n == 1 && ev[0].time == 100 &&
              !s.has_clock_snapshot,
          "reader_first_sync", "first event is not Sync N=1 at the batch time");
    gt_state_transition st;
    check(ev[1].kind == GT_EVENT_STATE_TRANSITION && gt_event_state_transition(&ev[1], &st) == 0 &&
              st.resource.kind == GT_RESOURCE_PROC && st.resource.id == 0 && st.old_state == GT_PROC_UNDETERMINED &&
              st.new_state == GT_PROC_RUNNING && ev[1].proc == GT_NO_PROC && ev[1].thread == 1,
          "reader_proc_status", "ProcStatus transition wrong");
    check(gt_event_state_transition(&ev[2], &st) == 0 && st.resource.id == 5 && st.old_state == GT_GO_UNDETERMINED &&
              st.new_state == GT_GO_RUNNING && ev[2].proc == 0,
          "reader_go_status", "GoStatus transition wrong");
    gt_frame f;
    int created = gt_event_state_transition(&ev[3], &st) == 0 && st.resource.id == 6 &&
                  st.old_state == GT_GO_NOT_EXIST && st.new_state == GT_GO_RUNNABLE && ev[3].goroutine == 5;
    check(created && gt_stack_len(st.stack) == 1 && gt_stack_frame(st.stack, 0, &f) == 0 && f.pc == 0x1000 &&
              str_is(f.func, "main.f") && str_is(f.file, "main.c") && f.line == 42 &&
              gt_stack_frame(st.stack, 1, &f) == -1,
          "reader_go_create_stack", "GoCreate transition or its stack wrong");
    const gt_frame *fa = NULL, *fa2 = NULL;
    size_t nfa = created ? gt_stack_frames(st.stack, &fa) : 0;
    check(nfa == 1 && fa && fa[0].pc == 0x1000 && str_is(fa[0].func, "main.f") && str_is(fa[0].file, "main.c") &&
              fa[0].line == 42 && gt_stack_frames(st.stack, &fa2) == 1 && fa2 == fa,
          "reader_stack_frames", "gt_stack_frames: %zu frames, or a second call gave another array", nfa);
    gt_log lg;
    fa = &f;
    check(gt_stack_frames(gt_event_stack(&ev[4]), &fa) == 0 && fa == NULL, "reader_stack_frames_empty",
          "the empty stack has frames, or *frames was left set");
    check(ev[4].kind == GT_EVENT_LOG && gt_event_log(&ev[4], &lg) == 0 && lg.task == 0 &&
              str_is(lg.category, "cat") && str_is(lg.message, "hello") && gt_stack_is_empty(gt_event_stack(&ev[4])),
          "reader_log", "Log details wrong");
    gt_metric m;
    check(ev[5].kind == GT_EVENT_METRIC && gt_event_metric(&ev[5], &m) == 0 &&
              str_is(m.name, "/memory/classes/heap/objects:bytes") && m.value.kind == GT_VALUE_UINT64 &&
              m.value.u64 == 4096 && gt_event_log(&ev[5], &lg) == -1,
          "reader_metric", "Metric details wrong, or Log accepted a Metric");
    check(gt_event_state_transition(&ev[6], &st) == 0 && str_is(st.reason, "hello") &&
              st.new_state == GT_GO_WAITING && gt_stack_len(gt_event_stack(&ev[6])) == 1,
          "reader_go_block", "GoBlock reason or stack wrong");
    int increasing = 1;
    for (size_t i = 1; i < k; i++)
        increasing &= ev[i].time > ev[i - 1].time;
    check(increasing && ev[7].kind == GT_EVENT_SYNC, "reader_times_increase", "times not strictly increasing");
    char line[512];
    size_t len = gt_event_format(&ev[4], line, sizeof line);
    const char *want = "M=1 P=0 G=5 Log Time=104 Task=0 Category=\"cat\" Message=\"hello\"";
    check(len == strlen(want) && strcmp(line, want) == 0, "reader_format_log", "got '%s'", line);
    size_t slen = 0;
    const char *str = gt_event_string(&ev[4], &slen);
    check(str && slen == strlen(want) && strcmp(str, want) == 0, "reader_event_string", "got '%s'", str ? str : "NULL");
    check(gt_reader_next(r, &ev[0]) == 0 && gt_reader_next(r, &ev[0]) == 0, "reader_end_sticky", "end not sticky");
    gt_reader_free(r);
}

static void test_errors(void)
{
    gt_error err;
    /* Each open before the check: the message is read after the call. */
    int opened = gt_reader_open_memory("hello world, not a trace", 24, &err) != NULL;
    check(!opened &&
              strcmp(err.message, "bad file format: not a Go execution trace?") == 0 && err.code == GT_ERR_FORMAT,
          "reader_bad_header", "got '%s'", err.message);
    opened = gt_reader_open_memory("go 1.99 trace\0\0\0", 16, &err) != NULL;
    check(!opened &&
              strcmp(err.message, "unknown or unsupported trace version go 1.99") == 0,
          "reader_bad_version", "got '%s'", err.message);
    check(gt_reader_open_path("/nonexistent/trace", &err) == NULL && err.code == GT_ERR_IO, "reader_open_missing",
          "want an I/O error");

    uint8_t buf[4096];
    size_t n = build_trace(buf, 1, 1);
    /* Cut inside the last batch's data: the batch is short. */
    gt_reader *r = gt_reader_open_memory(buf, n - 1, &err);
    if (!check(r != NULL, "reader_open_truncated", "open failed"))
        return;
    gt_event ev;
    int got = 0, st;
    while ((st = gt_reader_next(r, &ev)) == 1)
        got++;
    const gt_error *e = gt_reader_error(r);
    /* Before 1.26 Go reads a generation until the next one starts: the
     * short batch ends generation 1 early (no event batch), whose Sync comes
     * out, then the Sync Go emits before reporting a read error, then the
     * error. */
    check(st == -1 && e && got == 2 && strncmp(e->message, "failed to read full batch", 25) == 0 &&
              e->offset != GT_NO_OFFSET && e->offset < n,
          "reader_truncated_batch", "st=%d got=%d msg='%s'", st, got, e ? e->message : "");
    check(gt_reader_next(r, &ev) == -1 && gt_reader_next_batch(r, &ev, 1) == 0, "reader_error_sticky",
          "error not sticky");
    gt_reader_free(r);

    /* The block's stack argument is missing: an invalid uvarint inside a
     * complete batch. The five events before the HeapAlloc come out; the
     * HeapAlloc does not, since reading the event after it fails (as in
     * Go, which reports the error from the same step). */
    n = build_trace(buf, 1, 1);
    r = gt_reader_open_memory(buf, n, &err);
    got = 0;
    while (r && (st = gt_reader_next(r, &ev)) == 1)
        got++;
    e = r ? gt_reader_error(r) : NULL;
    check(e && got == 5 && strcmp(e->message, "found invalid uvarint") == 0 && e->generation == 1 &&
              e->offset > 16 && e->offset < n,
          "reader_events_before_error", "got=%d msg='%s' gen=%llu", got, e ? e->message : "",
          e ? (unsigned long long)e->generation : 0);
    gt_reader_free(r);
}

/* ------------------------------------------------------------ corpus-based */

/* Formats every event of r into one buffer (each line NUL-separated). */
static char *format_all(gt_reader *r, size_t *len, int use_batch, size_t cap)
{
    size_t n = 0, c = 1 << 16;
    char *out = malloc(c);
    gt_event evs[64];
    if (cap > 64)
        cap = 64;
    for (;;) {
        size_t k = use_batch ? gt_reader_next_batch(r, evs, cap) : (size_t)(gt_reader_next(r, evs) == 1);
        for (size_t i = 0; i < k; i++) {
            size_t l = gt_event_format(&evs[i], NULL, 0);
            while (n + l + 1 > c)
                out = realloc(out, c *= 2);
            gt_event_format(&evs[i], out + n, l + 1);
            n += l + 1;
        }
        if (k == 0)
            break;
    }
    if (gt_reader_error(r)) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

static void test_open_variants(const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/multigen.go125.trace", shared);
    size_t flen;
    char *file = check_read_file(path, &flen);
    if (!file) {
        check_skip("reader_open_variants", "multigen.go125.trace not found");
        return;
    }
    gt_error err;
    size_t ln[5];
    char *txt[5] = {0};
    gt_reader *r = gt_reader_open_memory(file, flen, &err);
    txt[0] = r ? format_all(r, &ln[0], 0, 1) : NULL;
    gt_reader_free(r);
    r = gt_reader_open_path(path, &err);
    txt[1] = r ? format_all(r, &ln[1], 0, 1) : NULL;
    check(r && gt_reader_bytes_total(r) == flen && gt_reader_bytes_read(r) == flen, "reader_bytes_counts",
          "bytes read/total wrong");
    gt_reader_free(r);
    int fd = open(path, O_RDONLY);
    r = gt_reader_open_fd(fd, &err);
    txt[2] = r ? format_all(r, &ln[2], 1, 7) : NULL;
    gt_reader_free(r);
    close(fd);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "cat '%s'", path);
    FILE *p = popen(cmd, "r"); /* a pipe: read sequentially, size unknown */
    r = p ? gt_reader_open_stream(p, &err) : NULL;
    txt[3] = r ? format_all(r, &ln[3], 1, 64) : NULL;
    gt_reader_free(r);
    if (p)
        pclose(p);
    r = gt_reader_open_memory(file, flen, &err);
    txt[4] = r ? format_all(r, &ln[4], 1, 1) : NULL;
    gt_reader_free(r);
    int same = txt[0] != NULL && ln[0] > 0;
    for (int i = 1; i < 5; i++)
        same &= txt[i] && ln[i] == ln[0] && memcmp(txt[i], txt[0], ln[0]) == 0;
    check(same, "reader_open_variants", "memory/path/fd/stream/next_batch give different events");
    for (int i = 0; i < 5; i++)
        free(txt[i]);
    free(file);
}

/* Events of generation N (and their strings and stacks) stay valid until the
 * Sync starting N+2 is returned. A first pass finds where each Sync is; the
 * second keeps events of odd generations and formats them again at the
 * last event before the Sync that ends their lifetime. */
static void test_lifetimes(const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/genstress.go126.trace", shared);
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r) {
        check_skip("reader_lifetimes", "genstress.go126.trace not found");
        return;
    }
    size_t nsync = 0, capsync = 256, idx = 0;
    size_t *sync_at = malloc(capsync * sizeof *sync_at);
    gt_event ev;
    while (gt_reader_next(r, &ev) == 1) {
        if (ev.kind == GT_EVENT_SYNC) {
            if (nsync == capsync)
                sync_at = realloc(sync_at, (capsync *= 2) * sizeof *sync_at);
            sync_at[nsync++] = idx;
        }
        idx++;
    }
    gt_reader_free(r);
    r = gt_reader_open_path(path, &err);
    enum { KEEP = 32 };
    gt_event kept[KEEP];
    char *first[KEEP];
    size_t nkept = 0, syncs = 0, checked = 0;
    int ok = 1;
    char line[1 << 14];
    idx = 0;
    while (r && gt_reader_next(r, &ev) == 1) {
        if (ev.kind == GT_EVENT_SYNC)
            syncs++; /* now reading generation number `syncs` */
        /* Sync number syncs+2 starts generation syncs+2: the kept events of
         * generation syncs die when it is returned. */
        int last_before = syncs % 2 == 0 && syncs >= 2 && syncs + 1 <= nsync && sync_at[syncs] == idx + 1;
        if (syncs % 2 == 1 && nkept < KEEP && ev.kind != GT_EVENT_SYNC && gt_stack_len(gt_event_stack(&ev)) > 0) {
            kept[nkept] = ev;
            gt_event_format(&ev, line, sizeof line);
            first[nkept++] = strdup(line);
        }
        if (last_before) {
            for (size_t i = 0; i < nkept; i++) {
                gt_event_format(&kept[i], line, sizeof line);
                ok &= strcmp(line, first[i]) == 0;
                free(first[i]);
                checked++;
            }
            nkept = 0;
        }
        idx++;
    }
    for (size_t i = 0; i < nkept; i++)
        free(first[i]);
    check(r && ok && checked > 0 && !gt_reader_error(r), "reader_lifetimes", "kept events changed (checked %zu)",
          checked);
    gt_reader_free(r);
    free(sync_at);
}

/* Whether gt_stack_frames gives exactly the frames gt_stack_frame gives one
 * at a time. */
static int frames_agree(gt_stack s)
{
    const gt_frame *fa;
    size_t n = gt_stack_frames(s, &fa);
    if (n != gt_stack_len(s) || (n == 0) != (fa == NULL))
        return 0;
    for (size_t i = 0; i < n; i++) {
        gt_frame f;
        if (gt_stack_frame(s, i, &f) != 0 || f.pc != fa[i].pc || f.line != fa[i].line || f.func.len != fa[i].func.len ||
            f.file.len != fa[i].file.len || memcmp(f.func.ptr, fa[i].func.ptr, f.func.len) != 0 ||
            memcmp(f.file.ptr, fa[i].file.ptr, f.file.len) != 0)
            return 0;
    }
    return 1;
}

/* gt_stack_frames against gt_stack_frame on every stack of real traces:
 * new (tables resolved per generation) and old formats (converted tables),
 * on the event's stack and the transition's. */
static void test_stack_frames_corpus(const char *shared)
{
    static const char *const names[] = {"genstress.go126.trace", "annotate.go122.trace", "annotate.go119.trace"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        char path[1024], name[128];
        snprintf(path, sizeof path, "%s/corpus/%s", shared, names[k]);
        snprintf(name, sizeof name, "reader_stack_frames_%s", names[k]);
        gt_error err;
        gt_reader *r = gt_reader_open_path(path, &err);
        if (!r) {
            check_skip(name, "trace not found");
            continue;
        }
        gt_event ev;
        size_t stacks = 0, bad = 0;
        while (gt_reader_next(r, &ev) == 1) {
            gt_state_transition st;
            gt_stack s = gt_event_stack(&ev);
            stacks += !gt_stack_is_empty(s);
            bad += !frames_agree(s);
            if (gt_event_state_transition(&ev, &st) == 0) {
                stacks += !gt_stack_is_empty(st.stack);
                bad += !frames_agree(st.stack);
            }
        }
        check(stacks > 0 && bad == 0 && !gt_reader_error(r), name, "%zu of %zu stacks differ", bad, stacks);
        gt_reader_free(r);
    }
}

int main(void)
{
    test_accessors();
    test_errors();
    const char *shared = check_shared_dir();
    if (shared) {
        test_open_variants(shared);
        test_lifetimes(shared);
        test_stack_frames_corpus(shared);
    } else {
        check_skip("reader_open_variants", "../shared not found");
        check_skip("reader_lifetimes", "../shared not found");
        check_skip("reader_stack_frames_corpus", "../shared not found");
    }
    return check_done();
}
