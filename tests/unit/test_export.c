/* The timeline tracker (gotrace/export.h) on a hand-built trace whose every
 * time is known: the exact sequence of slices, instants, flows and counters
 * it reports, the same after gt_tl_close / gt_tl_reopen in the middle, a
 * sink's error code coming back, and the Perfetto writer stopping at the
 * first failed write; the Perfetto writer's names of goroutines whose IDs
 * differ only in their top bits, decoded from its output. Then, on every
 * in-repo trace: per goroutine, Running slices = the summary's exec_time
 * and Waiting slices by reason = its block_time (as tests/scripts/
 * perfetto.sh checks on Perfetto's output, here without protoc), begins
 * and ends balanced per track.
 *
 * The trace (Go 1.22, one M, frequency 1e9 so ticks are ns; the reader
 * makes times within a batch strictly increase):
 *
 *   1000  P0 running on M0
 *   1001  G1 running on M0/P0 (first seen: running since the Sync); the
 *         reader moves it 1 ns on, the deltas that follow count from 1000
 *   1010  G1: GoCreate G2 (G2 starts in main.worker)
 *   1020  G1: RegionBegin "phase"
 *   1030  G1: GoBlock "chan receive"
 *   1035  GoStart G2
 *   1045  G2: GoUnblock G1
 *   1055  G2: GoSyscallBegin
 *   1065  G2: GoSyscallEnd
 *   1075  G2: GoDestroy
 *   1080  GoStart G1
 *   1090  G1: Log "cat" "msg"
 *   1100  G1: RegionEnd "phase"
 * The reader adds a Sync at the start (time 1) and the end (1101).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "build_trace.h"
#include "check.h"
#include "gotrace.h"
#include "gotrace/analysis.h"
#include "gotrace/builder.h"
#include "gotrace/export.h"
#include "tbuf.h"

static const gt_builder_frame main_stack[] = {{0x31, "main.main", "./main.go", 11}};
static const gt_builder_frame worker_stack[] = {{0x50, "main.worker", "./main.go", 30}};
static const gt_builder_frame block_stack[] = {{0x40, "runtime.chanrecv1", "runtime/chan.go", 1},
                                               {0x41, "main.main", "./main.go", 12}};

#define DT(n) GT_ARG("dt", n)

static unsigned char *build_trace(size_t *len)
{
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!m)
        return NULL;
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", 2), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "UserRegionBegin", DT(10), GT_ARG("task", 0), GT_STR("name_string", "phase"),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_stack, 2));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 2), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoUnblock", DT(10), GT_ARG("g", 1), GT_ARG("g_seq", 1), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoSyscallBegin", DT(10), GT_ARG("p_seq", 1), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoSyscallEnd", DT(10));
    GT_EVENT(m, "GoDestroy", DT(10));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 1), GT_ARG("g_seq", 2));
    GT_EVENT(m, "UserLog", DT(10), GT_ARG("task", 0), GT_STR("key_string", "cat"), GT_STR("value_string", "msg"),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "UserRegionEnd", DT(10), GT_ARG("task", 0), GT_STR("name_string", "phase"),
             GT_STK("stack", main_stack, 1));
    return finish_trace(b, len);
}

/* ------------------------------------------------------------ the log */

typedef struct logger {
    char text[8192];
    size_t len;
    int fail_at;  /* the call (1-based) that returns 7, or 0 */
    int calls;
} logger;

static const char *track_name(const gt_tl_track *t, char *buf, size_t cap)
{
    static const char *const kinds[] = {"?", "G", "R", "P", "M", "S", "range", "task"};
    snprintf(buf, cap, "%s%lld", kinds[t->kind], (long long)t->id);
    return buf;
}

static int logf_(logger *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int logf_(logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text + l->len, sizeof l->text - l->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
    return ++l->calls == l->fail_at ? 7 : 0;
}

static const char *const kind_names[] = {"?", "Running", "Runnable", "Waiting", "Syscall", "Runs", "Holds",
                                         "ThreadSyscall", "Region", "Range", "Task"};

static int log_slice(logger *l, char be, const gt_tl_slice *s)
{
    char tb[32];
    return logf_(l, "%c %s %s %.*s %lld%s%s\n", be, track_name(&s->track, tb, sizeof tb), kind_names[s->kind],
                 (int)s->name.len, s->name.ptr, (long long)s->time, s->retro ? " retro" : "",
                 be == 'B' && s->flow_in ? " flow-in" : "");
}

static int on_begin(void *ctx, const gt_tl_slice *s) { return log_slice(ctx, 'B', s); }
static int on_end(void *ctx, const gt_tl_slice *s) { return log_slice(ctx, 'E', s); }

static int on_instant(void *ctx, const gt_tl_instant *in)
{
    static const char *const names[] = {"?", "log", "unblock", "create", "sample", "label"};
    char tb[32];
    return logf_(ctx, "I %s %s %lld target=%lld flow=%llu %.*s\n", track_name(&in->track, tb, sizeof tb),
                 names[in->kind], (long long)in->time, (long long)in->target, (unsigned long long)in->flow_out,
                 (int)in->message.len, in->message.ptr);
}

static int on_counter(void *ctx, const gt_tl_counter *c)
{
    static const char *const names[] = {"?", "metric", "running", "runnable", "waiting", "syscall"};
    return logf_(ctx, "C %s %lld %lld\n", names[c->kind], (long long)c->time, (long long)c->value);
}

static int on_retire(void *ctx, const gt_tl_track *t)
{
    char tb[32];
    return logf_(ctx, "X %s\n", track_name(t, tb, sizeof tb));
}

/* Feeds the whole trace; at event number split (if > 0) closes everything
 * and reopens it at that event's time first. Returns the first nonzero
 * tracker result, or 0. */
static int run(const unsigned char *data, size_t len, logger *l, int split)
{
    gt_tl_sink sink = {l, on_begin, on_end, on_instant, on_counter, on_retire};
    gt_tl *tl = gt_tl_new(&sink);
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    int rc = !tl || !r ? -1 : 0, n = 0;
    gt_event ev;
    while (!rc && gt_reader_next(r, &ev) == 1) {
        if (++n == split) {
            logf_(l, "-- split\n");
            if ((rc = gt_tl_close(tl, ev.time)) || (rc = gt_tl_reopen(tl, ev.time)))
                break;
        }
        rc = gt_tl_event(tl, &ev);
    }
    if (!rc)
        rc = gt_tl_close(tl, gt_tl_last_time(tl));
    gt_reader_free(r);
    gt_tl_free(tl);
    return rc;
}

/* Worked out by hand from the trace above and the tracker's contract. The
 * reader's first Sync is at time 1 (as in test_analysis.c), so G1, first
 * seen running at 1001, runs from 1 (retro). */
static const char expected[] =
    "B M0 Holds  1000\n"
    "B G1 Running  1 retro\n"
    "B P0 Runs  1001\n"
    "C running 1001 1\n"
    "I G1 create 1010 target=2 flow=1 \n"
    "B G2 Runnable  1010 flow-in\n"
    "B R1 Region phase 1020\n"
    "E P0 Runs  1030\n"
    "E G1 Running  1030\n"
    "B G1 Waiting chan receive 1030\n"
    "E G2 Runnable  1035\n"
    "B G2 Running  1035\n"
    "B P0 Runs  1035\n"
    "I G2 unblock 1045 target=1 flow=2 \n"
    "E G1 Waiting chan receive 1045\n"
    "B G1 Runnable  1045\n"
    "E P0 Runs  1055\n"
    "E G2 Running  1055\n"
    "B G2 Syscall  1055\n"
    "B S0 ThreadSyscall  1055\n"
    "E S0 ThreadSyscall  1065\n"
    "E G2 Syscall  1065\n"
    "B G2 Running  1065\n"
    "B P0 Runs  1065\n"
    "E P0 Runs  1075\n"
    "E G2 Running  1075\n"
    "X G2\n"
    "X R2\n"
    "E G1 Runnable  1080\n"
    "B G1 Running  1080 flow-in\n"
    "B P0 Runs  1080\n"
    "I G1 log 1090 target=-1 flow=0 msg\n"
    "E R1 Region phase 1100\n";

/* ------------------------------------------------- cross-check on files */

/* Per goroutine (a few hundred at most in these traces: linear search), the
 * time of its Running slices and of its Waiting slices by reason (reasons
 * are the tracker's interned pointers). Also the open slices per track, to
 * see that every end has its begin. */
typedef struct acc {
    int64_t g;
    int64_t running;
    struct { const char *reason; size_t len; int64_t ns; } waits[32];
    size_t n_waits;
} acc;

typedef struct cross {
    acc *gs;
    size_t n, cap;
    struct { gt_tl_track t; int64_t begin; } open[4096];
    size_t n_open;
    int unbalanced;
} cross;

static acc *acc_of(cross *c, int64_t g)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->gs[i].g == g)
            return &c->gs[i];
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->gs = realloc(c->gs, c->cap * sizeof *c->gs);
    }
    memset(&c->gs[c->n], 0, sizeof c->gs[c->n]);
    c->gs[c->n].g = g;
    return &c->gs[c->n++];
}

static int same_track(const gt_tl_track *a, const gt_tl_track *b)
{
    return a->kind == b->kind && a->id == b->id && a->scope == b->scope && a->range_index == b->range_index;
}

static int x_begin(void *ctx, const gt_tl_slice *s)
{
    cross *c = ctx;
    if (c->n_open == sizeof c->open / sizeof c->open[0])
        return -1;
    c->open[c->n_open].t = s->track;
    c->open[c->n_open++].begin = s->time;
    return 0;
}

static int x_end(void *ctx, const gt_tl_slice *s)
{
    cross *c = ctx;
    size_t i = c->n_open;
    while (i > 0 && !same_track(&c->open[i - 1].t, &s->track))
        i--;
    if (i == 0) {
        c->unbalanced++;
        return 0;
    }
    int64_t dt = s->time - c->open[i - 1].begin;
    c->open[i - 1] = c->open[--c->n_open];
    if (s->track.kind != GT_TL_TRACK_GOROUTINE)
        return 0;
    acc *a = acc_of(c, s->track.id);
    if (s->kind == GT_TL_RUNNING)
        a->running += dt;
    if (s->kind != GT_TL_WAITING)
        return 0;
    for (size_t k = 0; k < a->n_waits; k++)
        if (a->waits[k].reason == s->name.ptr) {
            a->waits[k].ns += dt;
            return 0;
        }
    if (a->n_waits == 32)
        return -1;
    a->waits[a->n_waits].reason = s->name.ptr;
    a->waits[a->n_waits].len = s->name.len;
    a->waits[a->n_waits++].ns = dt;
    return 0;
}

/* Feeds path to a tracker and a summary and compares them. Goroutine IDs
 * created twice (cgo callbacks) are not in these traces. */
static void cross_check(const char *path, const char *name)
{
    size_t len;
    unsigned char *data = (unsigned char *)check_read_file(path, &len);
    char cname[256];
    snprintf(cname, sizeof cname, "export_cross/%s", name);
    if (!data) {
        check_skip(cname, "cannot read the trace");
        return;
    }
    cross *c = calloc(1, sizeof *c);
    gt_tl_sink sink = {c, x_begin, x_end, NULL, NULL, NULL};
    gt_tl *tl = gt_tl_new(&sink);
    gt_summary *sum = gt_summary_new();
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    gt_event ev;
    int rc = 0;
    while (r && !rc && gt_reader_next(r, &ev) == 1)
        rc = gt_tl_event(tl, &ev) || gt_summary_event(sum, &ev);
    if (!rc)
        rc = gt_tl_close(tl, gt_tl_last_time(tl)) || gt_summary_finalize(sum);
    char why[512] = "";
    for (size_t i = 0; !rc && !why[0] && i < gt_summary_goroutine_count(sum); i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(sum, i);
        acc *a = acc_of(c, g->id);
        if (a->running != g->stats.exec_time)
            snprintf(why, sizeof why, "G%lld: Running %lld ns, exec_time %lld", (long long)g->id,
                     (long long)a->running, (long long)g->stats.exec_time);
        for (size_t k = 0; !why[0] && k < g->stats.n_block; k++) {
            gt_str reason = g->stats.block[k].name;
            if (reason.len == 7 && !memcmp(reason.ptr, "forever", 7))
                continue;  /* the summary ends the goroutine there */
            int64_t got = 0;
            for (size_t w = 0; w < a->n_waits; w++)
                if (a->waits[w].len == reason.len && !memcmp(a->waits[w].reason, reason.ptr, reason.len))
                    got = a->waits[w].ns;
            if (got != g->stats.block[k].ns)
                snprintf(why, sizeof why, "G%lld: waiting %.*s %lld ns, block_time %lld", (long long)g->id,
                         (int)reason.len, reason.ptr, (long long)got, (long long)g->stats.block[k].ns);
        }
    }
    if (!why[0] && (c->unbalanced || c->n_open))
        snprintf(why, sizeof why, "%d ends without a begin, %zu begins without an end", c->unbalanced, c->n_open);
    check(!rc && !why[0], cname, "%s%s", rc ? "a feed failed; " : "", why);
    gt_reader_free(r);
    gt_summary_free(sum);
    gt_tl_free(tl);
    free(c->gs);
    free(c);
    free(data);
}

/* ------------------------------------------------ Perfetto slice names */

/* Goroutines 7 and 7 + 2^60, whose IDs differ only in the top bits, each
 * created, run on P0, in a syscall, and unblocked by the other:
 *
 *   G1 running on M0/P0; creates G7 and BIG (both start in main.worker);
 *   blocks. G7 runs, makes a syscall, blocks. BIG runs, makes a syscall,
 *   unblocks G7, blocks. G7 runs, unblocks BIG, ends. */
#define BIG_G ((uint64_t)1 << 60 | 7)

static unsigned char *build_big_ids(size_t *len)
{
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!m)
        return NULL;
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", 7), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", BIG_G), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_stack, 2));
    GT_EVENT(m, "GoStart", DT(10), GT_ARG("g", 7), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoSyscallBegin", DT(10), GT_ARG("p_seq", 1), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoSyscallEnd", DT(10));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoStart", DT(10), GT_ARG("g", BIG_G), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoSyscallBegin", DT(10), GT_ARG("p_seq", 2), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoSyscallEnd", DT(10));
    GT_EVENT(m, "GoUnblock", DT(10), GT_ARG("g", 7), GT_ARG("g_seq", 2), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoStart", DT(10), GT_ARG("g", 7), GT_ARG("g_seq", 3));
    GT_EVENT(m, "GoUnblock", DT(10), GT_ARG("g", BIG_G), GT_ARG("g_seq", 2), GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoDestroy", DT(10));
    return finish_trace(b, len);
}

static int out_write(void *ctx, const void *data, size_t len)
{
    put(ctx, data, len);
    return 0;
}

/* Converts the trace at data with a Perfetto writer writing through
 * write(ctx), feeding events until a call returns nonzero: 0, or the first
 * nonzero code of gt_perfetto_event / gt_perfetto_finish (after a failure,
 * gt_perfetto_finish must give the same code, else -3); -1 when the reader
 * or the writer cannot be made, -2 when the reader failed. */
static int perfetto_convert(const unsigned char *data, size_t len, gt_write_fn write, void *ctx)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    gt_perfetto *pf = gt_perfetto_new(write, ctx, 0, INT64_MAX);
    int rc = r && pf ? 0 : -1;
    gt_event ev;
    while (!rc && gt_reader_next(r, &ev) == 1)
        rc = gt_perfetto_event(pf, &ev);
    if (!rc)
        rc = gt_perfetto_finish(pf);
    else if (rc > 0)
        rc = gt_perfetto_finish(pf) == rc ? rc : -3;
    if (r && !rc && gt_reader_error(r))
        rc = -2;
    gt_perfetto_free(pf);
    gt_reader_free(r);
    return rc;
}

/* One protobuf field of [*p, end): 1, or 0 at the end or on bad input. */
typedef struct pbfield {
    uint32_t num;
    uint64_t v;                /* a varint's value, or the length */
    const unsigned char *data; /* WT_LEN: the contents */
} pbfield;

static int pb_varint_(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char c = *(*p)++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return 1;
    }
    return 0;
}

static int pb_field(const unsigned char **p, const unsigned char *end, pbfield *f)
{
    uint64_t key;
    if (*p >= end || !pb_varint_(p, end, &key))
        return 0;
    f->num = (uint32_t)(key >> 3);
    f->data = NULL;
    switch (key & 7) {
    case 0:
        return pb_varint_(p, end, &f->v);
    case 1:
    case 5: {
        size_t n = (key & 7) == 1 ? 8 : 4;
        if ((size_t)(end - *p) < n)
            return 0;
        *p += n;
        return 1;
    }
    case 2:
        if (!pb_varint_(p, end, &f->v) || f->v > (uint64_t)(end - *p))
            return 0;
        f->data = *p;
        *p += f->v;
        return 1;
    default:
        return 0;
    }
}

/* The names of every TrackEvent in a Perfetto trace, "\n"-separated and
 * framed by "\n": interned names resolved through sequence 1's event
 * names (emptied where its state is cleared), plain names as they are.
 * Returns 0 on an unreadable trace or an unknown iid. */
static int event_names(const unsigned char *p, const unsigned char *end, char *out, size_t cap)
{
    enum { MAX_IIDS = 64 };
    char names[MAX_IIDS][64];
    memset(names, 0, sizeof names);
    size_t n = 0;
    out[n++] = '\n';
    pbfield pkt;
    while (p < end) {
        if (!pb_field(&p, end, &pkt) || pkt.num != 1 || !pkt.data)
            return 0;
        const unsigned char *pend = pkt.data + pkt.v;
        pbfield f;
        for (const unsigned char *q = pkt.data; q < pend;) {  /* the state and interned names first */
            if (!pb_field(&q, pend, &f))
                return 0;
            if (f.num == 13 && (f.v & 1))
                memset(names, 0, sizeof names);
            if (f.num != 12 || !f.data)
                continue;
            pbfield d;
            for (const unsigned char *r = f.data; r < f.data + f.v;) {
                if (!pb_field(&r, f.data + f.v, &d))
                    return 0;
                if (d.num != 2 || !d.data)
                    continue;
                uint64_t iid = 0;
                pbfield e;
                for (const unsigned char *t = d.data; t < d.data + d.v;) {
                    if (!pb_field(&t, d.data + d.v, &e))
                        return 0;
                    if (e.num == 1)
                        iid = e.v;
                    else if (e.num == 2 && iid && iid < MAX_IIDS && e.v < sizeof names[0])
                        memcpy(names[iid], e.data, e.v), names[iid][e.v] = 0;
                }
            }
        }
        for (const unsigned char *q = pkt.data; q < pend;) {  /* then the event */
            if (!pb_field(&q, pend, &f))
                return 0;
            if (f.num != 11 || !f.data)
                continue;
            pbfield e;
            for (const unsigned char *t = f.data; t < f.data + f.v;) {
                if (!pb_field(&t, f.data + f.v, &e))
                    return 0;
                const char *name = NULL;
                size_t len = 0;
                if (e.num == 10) {  /* name_iid */
                    if (e.v >= MAX_IIDS || !names[e.v][0])
                        return 0;
                    name = names[e.v], len = strlen(name);
                } else if (e.num == 23 && e.data) {  /* name */
                    name = (const char *)e.data, len = e.v;
                }
                if (name && n + len + 1 < cap) {
                    memcpy(out + n, name, len);
                    n += len;
                    out[n++] = '\n';
                }
            }
        }
    }
    out[n] = 0;
    return 1;
}

/* Every numbered name is the goroutine's own, however close the IDs: the
 * writer caches names by kind and ID, and a key that packed the two (ID <<
 * 4 | kind) gave BIG's slices G7's names. */
static void perfetto_big_ids(void)
{
    size_t len;
    unsigned char *data = build_big_ids(&len);
    tbuf o = {NULL, 0, 0};
    int rc = data ? perfetto_convert(data, len, out_write, &o) : -1;
    static char names[8192];
    int read = !rc && event_names(o.p, o.p + o.len, names, sizeof names);
    static const char *const want[] = {"G7 main.worker",       "G1152921504606846983 main.worker",
                                       "G7 syscall",           "G1152921504606846983 syscall",
                                       "create G7",            "create G1152921504606846983",
                                       "unblock G7",           "unblock G1152921504606846983"};
    const char *missing = NULL;
    for (size_t i = 0; read && !missing && i < sizeof want / sizeof want[0]; i++) {
        char framed[80];
        snprintf(framed, sizeof framed, "\n%s\n", want[i]);
        if (!strstr(names, framed))
            missing = want[i];
    }
    check(read && !missing, "export_perfetto_big_goroutine_ids", "rc %d, decoded %d, no event named \"%s\"; names:%s",
          rc, read, missing ? missing : "", read ? names : "");
    free(o.p);
    free(data);
}

/* ------------------------------------------------ Perfetto write failure */

typedef struct failing_out {
    int calls;   /* write calls made */
    int fail_at; /* the call that fails (returns 9); 0: none */
    int after;   /* calls made after the failing one */
} failing_out;

static int failing_write(void *ctx, const void *data, size_t len)
{
    failing_out *o = ctx;
    if (o->fail_at && o->calls >= o->fail_at)
        o->after++;
    return ++o->calls == o->fail_at ? 9 : 0;
}

/* The Perfetto writer stops at the first failed write: its code comes back
 * from the call that made it (and from gt_perfetto_finish after it), and no
 * write follows. On hello.trace, whose output takes several writes. */
static void perfetto_write_failure(const char *path)
{
    size_t len;
    unsigned char *data = (unsigned char *)check_read_file(path, &len);
    if (!data) {
        check_skip("export_perfetto_write_failure", "cannot read the trace");
        return;
    }
    failing_out all = {0, 0, 0};
    int rc = perfetto_convert(data, len, failing_write, &all);
    if (check(rc == 0 && all.calls >= 3, "export_perfetto_writes", "rc %d, %d writes (want 3 or more)", rc,
              all.calls)) {
        int at[] = {1, all.calls / 2, all.calls};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            failing_out o = {0, at[i], 0};
            rc = perfetto_convert(data, len, failing_write, &o);
            char name[64];
            snprintf(name, sizeof name, "export_perfetto_write_failure_%zu", i);
            check(rc == 9 && o.calls == at[i] && o.after == 0, name,
                  "failing write %d of %d: rc %d (want 9), %d calls, %d after the failure", at[i], all.calls, rc,
                  o.calls, o.after);
        }
    }
    free(data);
}

int main(void)
{
    size_t len;
    unsigned char *data = build_trace(&len);
    if (!check(data != NULL, "export_build_trace", "the builder failed"))
        return check_done();

    logger l = {{0}, 0, 0, 0};
    int rc = run(data, len, &l, 0);
    /* The end: whatever is open closes at the last event (the reader's
     * closing Sync at 1101), counters reported once more. */
    static const char tail[] = "E P0 Runs  1101\nE G1 Running  1101\nE M0 Holds  1101\n"
                               "C running 1101 1\nC runnable 1101 0\nC waiting 1101 0\nC syscall 1101 0\n";
    char want[sizeof expected + sizeof tail];
    snprintf(want, sizeof want, "%s%s", expected, tail);
    if (!check(rc == 0 && !strcmp(l.text, want), "export_tracker_log", "rc %d, log:\n%s", rc, l.text))
        fprintf(stderr, "want:\n%s", want);

    /* Closed and reopened before the GoBlock (event 6 with the Sync): the
     * open slices end and begin again there, nothing else changes. */
    logger s = {{0}, 0, 0, 0};
    rc = run(data, len, &s, 6);
    const char *split = strstr(s.text, "-- split\n");
    check(rc == 0 && split && strstr(split, "E R1 Region phase 1030\nE P0 Runs  1030\nE G1 Running  1030\n") &&
              strstr(split, "B M0 Holds  1030\n") && strstr(split, "B G1 Running  1030\n") &&
              strstr(split, "B P0 Runs  1030\n") && strstr(split, "B R1 Region phase 1030\n") &&
              strstr(split, "B G2 Runnable  1030\n") && strstr(split, "I G2 unblock 1045"),
          "export_close_reopen", "rc %d, log:\n%s", rc, s.text);

    /* A sink's code comes back from the call that made it. */
    for (int k = 1; k <= 5; k++) {
        logger f = {{0}, 0, k, 0};
        rc = run(data, len, &f, 0);
        char name[64];
        snprintf(name, sizeof name, "export_sink_error_%d", k);
        check(rc == 7 && f.calls == k, name, "rc %d after %d calls, want 7 after %d", rc, f.calls, k);
    }
    free(data);
    perfetto_big_ids();

    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/hello.trace", root && *root ? root : ".");
    cross_check(path, "hello");
    perfetto_write_failure(path);
    static const char *const scenarios[] = {"confuse-seq-across-generations", "create-syscall-reuse-thread-id-no-p",
                                            "syscall-steal-simple", "stacks-and-strings"};
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        snprintf(path, sizeof path, "%s/tests/data/scenarios/%s.trace", root && *root ? root : ".", scenarios[i]);
        cross_check(path, scenarios[i]);
    }
    snprintf(path, sizeof path, "%s/tests/data/perfetto/cpu-samples.trace", root && *root ? root : ".");
    cross_check(path, "cpu-samples");
    return check_done();
}
