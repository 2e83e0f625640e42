/* Analyses on a hand-built trace whose every time is known: the summary's
 * time breakdown, tasks and regions (with their start frame), the pprof
 * profiles (stack records, Go's zero-padded stack key, goroutine-name and
 * region filters, clipping to goroutine lifetimes) and the MMU of a trace
 * without GC. The expected values are worked out by hand from the event
 * list below, following Go's summary.go and cmd/trace/pprof.go.
 *
 * The trace (Go 1.22 format, one M, frequency 1e9 so ticks are ns):
 *
 *   1000  P0 running; G1 running on M0; GOMAXPROCS 2; G3 runnable (the
 *         reader makes times in a batch strictly increase: 1000..1003)
 *   1010  G1: TaskBegin 1 "job"
 *   1020  G1: RegionBegin "phase" (stack REGION, outermost main.main @0x30)
 *   1030  G1: GoCreate G2 (stack MAIN @0x31, G2 starts in main.worker @0x50)
 *   1050  G1: GoBlock "chan receive" (stack A = 0x40 0x41)
 *   1055  GoStart G2
 *   1085  G2: GoUnblock G1 (stack U)
 *   1100  G2: GoDestroy
 *   1107  GoStart G1
 *   1110  G1: GoBlock "chan receive" (stack B = 0x40 0x41 0x0)
 *   1114  GoStart G3
 *   1120  G3: GoUnblock G1 (stack U)
 *   1125  G3: GoDestroy
 *   1130  GoStart G1
 *   1140  G1: RegionEnd "phase"
 *   1150  G1: TaskEnd 1
 * The reader adds a Sync at the start (time 1) and the end (1151).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/analysis.h"
#include "build_trace.h"
#include "gotrace/builder.h"

enum { GO_RUNNABLE = 1 };

static const gt_builder_frame region_stack[] = {
    {0x10, "runtime/trace.StartRegion", "trace/annotation.go", 150},
    {0x20, "main.work", "./main.go", 20},
    {0x30, "main.main", "./main.go", 10},
};
static const gt_builder_frame main_stack[] = {{0x31, "main.main", "./main.go", 11}};
static const gt_builder_frame worker_stack[] = {{0x50, "main.worker", "./main.go", 30}};
static const gt_builder_frame block_a[] = {{0x40, "runtime.chanrecv1", "runtime/chan.go", 1}, {0x41, "main.main", "./main.go", 12}};
/* The same PCs as block_a once padded with zeros: Go's stackMap key. */
static const gt_builder_frame block_b[] = {
    {0x40, "runtime.chanrecv1", "runtime/chan.go", 1}, {0x41, "main.main", "./main.go", 12}, {0, "", "", 0}};
static const gt_builder_frame unblock_stack[] = {{0x60, "runtime.chansend1", "runtime/chan.go", 2}};

#define DT(n) GT_ARG("dt", n)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char *build_trace(size_t *len)
{
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!b)
        return NULL;
    GT_EVENT(m, "ProcsChange", DT(0), GT_ARG("procs_value", 2), GT_ARG("stack", 0));
    GT_EVENT(m, "GoStatus", DT(0), GT_ARG("g", 3), GT_ARG("m", GT_BUILDER_NO_THREAD), GT_ARG("gstatus", GO_RUNNABLE));
    GT_EVENT(m, "UserTaskBegin", DT(10), GT_ARG("task", 1), GT_ARG("parent_task", 0), GT_STR("name_string", "job"),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "UserRegionBegin", DT(10), GT_ARG("task", 1), GT_STR("name_string", "phase"),
             GT_STK("stack", region_stack, N(region_stack)));
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", 2), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoBlock", DT(20), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_a, N(block_a)));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 2), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoUnblock", DT(30), GT_ARG("g", 1), GT_ARG("g_seq", 1), GT_STK("stack", unblock_stack, 1));
    GT_EVENT(m, "GoDestroy", DT(15));
    GT_EVENT(m, "GoStart", DT(7), GT_ARG("g", 1), GT_ARG("g_seq", 2));
    GT_EVENT(m, "GoBlock", DT(3), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_b, N(block_b)));
    GT_EVENT(m, "GoStart", DT(4), GT_ARG("g", 3), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoUnblock", DT(6), GT_ARG("g", 1), GT_ARG("g_seq", 3), GT_STK("stack", unblock_stack, 1));
    GT_EVENT(m, "GoDestroy", DT(5));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 1), GT_ARG("g_seq", 4));
    GT_EVENT(m, "UserRegionEnd", DT(10), GT_ARG("task", 1), GT_STR("name_string", "phase"),
             GT_STK("stack", region_stack, N(region_stack)));
    GT_EVENT(m, "UserTaskEnd", DT(10), GT_ARG("task", 1), GT_STK("stack", main_stack, 1));
    return finish_trace(b, len);
}

typedef int (*feed_fn)(void *obj, const gt_event *ev);
static int feed_summary(void *obj, const gt_event *ev) { return gt_summary_event(obj, ev); }
static int feed_pprof(void *obj, const gt_event *ev) { return gt_pprof_event(obj, ev); }
static int feed_mmu(void *obj, const gt_event *ev) { return gt_mmu_event(obj, ev); }

/* Reads the whole trace into fn; returns the number of events or -1. */
static long feed(const unsigned char *data, size_t len, feed_fn fn, void *obj)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    if (!r)
        return -1;
    gt_event ev;
    long n = 0;
    while (gt_reader_next(r, &ev) == 1) {
        if (fn(obj, &ev)) {
            n = -1;
            break;
        }
        n++;
    }
    if (gt_reader_error(r))
        n = -1;
    gt_reader_free(r);
    return n;
}

static int64_t block_time(const gt_exec_stats *s, const char *reason)
{
    for (size_t i = 0; i < s->n_block; i++)
        if (s->block[i].name.len == strlen(reason) && !memcmp(s->block[i].name.ptr, reason, s->block[i].name.len))
            return s->block[i].ns;
    return -1;
}

static int str_is(gt_str s, const char *c) { return s.len == strlen(c) && (s.len == 0 || !memcmp(s.ptr, c, s.len)); }

static void test_summary(const gt_summary *s)
{
    const gt_goroutine_summary *g1 = gt_summary_find_goroutine(s, 1), *g2 = gt_summary_find_goroutine(s, 2);
    if (!check(g1 && g2 && gt_summary_goroutine_count(s) == 3, "summary/goroutines", "%zu goroutines",
               gt_summary_goroutine_count(s)))
        return;
    /* Blocked 1050-1085 and 1110-1120; runnable 1085-1107 and 1120-1130. */
    check(block_time(&g1->stats, "chan receive") == 45, "summary/g1-block", "%lld",
          (long long)block_time(&g1->stats, "chan receive"));
    check(g1->stats.sched_wait_time == 32, "summary/g1-sched-wait", "%lld", (long long)g1->stats.sched_wait_time);
    check(g1->end_time == 0, "summary/g1-alive", "end %lld", (long long)g1->end_time);
    /* Created 1030, runnable until 1055, running until its end at 1100. */
    check(g2->creation_time == 1030 && g2->start_time == 1055 && g2->end_time == 1100, "summary/g2-lifetime",
          "%lld %lld %lld", (long long)g2->creation_time, (long long)g2->start_time, (long long)g2->end_time);
    check(g2->stats.exec_time == 45 && g2->stats.sched_wait_time == 25, "summary/g2-times", "exec %lld wait %lld",
          (long long)g2->stats.exec_time, (long long)g2->stats.sched_wait_time);
    check(str_is(g2->name, "main.worker") && g2->pc == 0x50, "summary/g2-name", "%.*s", (int)g2->name.len,
          g2->name.ptr);

    /* G2 inherits task 1 from G1's open region: an unnamed region from its
     * creation to its end, whose start frame is the GoCreate stack's. */
    if (check(g2->n_regions == 1, "summary/g2-inherited-region", "%zu regions", g2->n_regions)) {
        const gt_region_summary *r = g2->regions[0];
        check(r->task == 1 && r->name.len == 0 && r->start_kind == GT_REGION_EDGE_TRANSITION && r->start == 1030 &&
                  r->end_kind == GT_REGION_EDGE_TRANSITION && r->end == 1100 && r->start_goroutine == 1,
              "summary/g2-inherited-region-edges", "task %llu start %lld end %lld", (unsigned long long)r->task,
              (long long)r->start, (long long)r->end);
        check(r->start_frame.pc == 0x31 && str_is(r->start_frame.func, "main.main"), "summary/inherited-start-frame",
              "pc %#llx", (unsigned long long)r->start_frame.pc);
    }
    if (check(g1->n_regions == 1, "summary/g1-region", "%zu regions", g1->n_regions)) {
        const gt_region_summary *r = g1->regions[0];
        check(str_is(r->name, "phase") && r->start == 1020 && r->end == 1140, "summary/region-edges",
              "start %lld end %lld", (long long)r->start, (long long)r->end);
        /* Go's regionTopStackFrame: the outermost frame of the begin stack. */
        check(r->start_frame.pc == 0x30 && str_is(r->start_frame.func, "main.main") &&
                  str_is(r->start_frame.file, "./main.go") && r->start_frame.line == 10,
              "summary/region-start-frame", "pc %#llx line %llu", (unsigned long long)r->start_frame.pc,
              (unsigned long long)r->start_frame.line);
        /* Inside the region G1 was blocked and runnable exactly as overall. */
        check(block_time(&r->stats, "chan receive") == 45 && r->stats.sched_wait_time == 32,
              "summary/region-stats", "block %lld wait %lld", (long long)block_time(&r->stats, "chan receive"),
              (long long)r->stats.sched_wait_time);
        check(r->stats.total_time == 120, "summary/region-total", "%lld", (long long)r->stats.total_time);
    }

    const gt_task_summary *t = gt_summary_find_task(s, 1);
    if (check(t != NULL, "summary/task", "task 1 missing")) {
        check(str_is(t->name, "job") && t->has_start && t->start == 1010 && t->has_end && t->end == 1150 &&
                  t->parent == GT_NO_TASK,
              "summary/task-edges", "start %lld end %lld", (long long)t->start, (long long)t->end);
        check(t->n_regions == 1 && str_is(t->regions[0]->name, "phase"), "summary/task-regions", "%zu regions",
              t->n_regions);
        check(t->n_goroutines == 1 && t->goroutines[0] == 1, "summary/task-goroutines", "%zu goroutines",
              t->n_goroutines);
    }
    check(gt_summary_first_time(s) == 1 && gt_summary_last_time(s) == 1151, "summary/trace-bounds",
          "%lld..%lld", (long long)gt_summary_first_time(s), (long long)gt_summary_last_time(s));
}

/* Builds a profile over the trace; NULL (and err) when gt_pprof_new fails. */
static gt_pprof *profile(const unsigned char *data, size_t len, const gt_summary *s, gt_pprof_type type,
                         const gt_pprof_filter *f, gt_error *err)
{
    gt_pprof *p = gt_pprof_new(type, s, gt_summary_first_time(s), gt_summary_last_time(s), f, err);
    if (p && feed(data, len, feed_pprof, p) < 0) {
        gt_pprof_free(p);
        return NULL;
    }
    return p;
}

static const gt_pprof_record *record_with_pc(const gt_pprof *p, uint64_t pc)
{
    for (size_t i = 0; i < gt_pprof_record_count(p); i++) {
        const gt_pprof_record *r = gt_pprof_record_at(p, i);
        if (r->n_frames > 0 && r->frames[0].pc == pc)
            return r;
    }
    return NULL;
}

static void test_pprof(const unsigned char *data, size_t len, const gt_summary *s)
{
    gt_error err;
    gt_pprof *p = profile(data, len, s, GT_PPROF_SYNC, NULL, &err);
    if (check(p != NULL, "pprof/sync", "no profile")) {
        /* Stacks A and B differ only by a trailing zero PC: one record, with
         * the frames of B, the stack that added time last. */
        const gt_pprof_record *r = gt_pprof_record_at(p, 0);
        check(gt_pprof_record_count(p) == 1 && r->count == 2 && r->time == 45 && r->n_frames == 3,
              "pprof/sync-padded-stack-key", "%zu records, count %llu time %lld frames %zu",
              gt_pprof_record_count(p), r ? (unsigned long long)r->count : 0ULL, r ? (long long)r->time : 0LL,
              r ? r->n_frames : 0);
        size_t n = 0;
        unsigned char *pb = gt_pprof_encode(p, &n);
        check(pb && n > 0, "pprof/encode", "no output");
        gt_free(pb);
    }
    gt_pprof_free(p);

    /* Runnable: G1 twice from GoUnblock (stack U), 22 + 10 ns. G2's
     * 1030-1055 (from GoCreate) and G3's 1003-1114 lie before their first
     * start, where Go's goroutine interval begins even without a filter, so
     * clipping leaves nothing of them. */
    p = profile(data, len, s, GT_PPROF_SCHED, NULL, &err);
    if (check(p != NULL, "pprof/sched", "no profile")) {
        const gt_pprof_record *unblock = record_with_pc(p, 0x60);
        check(gt_pprof_record_count(p) == 1 && unblock && unblock->count == 2 && unblock->time == 32,
              "pprof/sched-records", "%zu records", gt_pprof_record_count(p));
    }
    gt_pprof_free(p);

    /* Only time inside regions starting in main.main @0x30: G1's "phase". */
    gt_pprof_filter f;
    memset(&f, 0, sizeof f);
    f.by_region = f.by_pc = 1;
    f.pc = 0x30;
    p = profile(data, len, s, GT_PPROF_SCHED, &f, &err);
    if (check(p != NULL, "pprof/region-pc", "no profile")) {
        const gt_pprof_record *r = gt_pprof_record_at(p, 0);
        check(gt_pprof_record_count(p) == 1 && r->frames[0].pc == 0x60 && r->time == 32, "pprof/region-pc-records",
              "%zu records", gt_pprof_record_count(p));
    }
    gt_pprof_free(p);
    /* G2's inherited region (1030-1100, start frame MAIN's): region
     * intervals replace the goroutine's, so its 25 ns runnable count. */
    f.pc = 0x31;
    p = profile(data, len, s, GT_PPROF_SCHED, &f, &err);
    const gt_pprof_record *r = p && gt_pprof_record_count(p) == 1 ? gt_pprof_record_at(p, 0) : NULL;
    check(r && r->frames[0].pc == 0x31 && r->count == 1 && r->time == 25, "pprof/region-pc-inherited",
          "%zu records", p ? gt_pprof_record_count(p) : 0);
    gt_pprof_free(p);

    /* By name: G2's runnable time ends where its interval (from its first
     * start) begins, so nothing is left — Go's clipping. */
    memset(&f, 0, sizeof f);
    f.by_name = 1;
    f.name = (gt_str){"main.worker", 11};
    p = profile(data, len, s, GT_PPROF_SCHED, &f, &err);
    check(p && gt_pprof_record_count(p) == 0, "pprof/name-clipped", "%zu records", p ? gt_pprof_record_count(p) : 0);
    gt_pprof_free(p);
    f.name = (gt_str){"main.nothing", 12};
    p = gt_pprof_new(GT_PPROF_SCHED, s, 1000, 1150, &f, &err);
    check(!p && err.code == GT_ERR_ARGUMENT &&
              !strcmp(err.message, "failed to find matching goroutines for name: main.nothing"),
          "pprof/name-unknown", "%s", p ? "profile made" : err.message);
    gt_pprof_free(p);
}

static void test_mmu(const unsigned char *data, size_t len)
{
    gt_mmu *m = gt_mmu_new(GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP);
    int ok = m && feed(data, len, feed_mmu, m) > 0 && gt_mmu_finish(m) == 0;
    if (check(ok, "mmu/build", "no MMU")) {
        /* No GC: the mutator has every window to itself (one series,
         * started by the GOMAXPROCS metric). */
        check(gt_mmu_series_count(m) == 1 && gt_mmu_at(m, 10) == 1.0 && gt_mmu_at(m, 150) == 1.0, "mmu/no-gc",
              "series %zu mmu %g", gt_mmu_series_count(m), gt_mmu_at(m, 10));
        check(gt_mmu_at(m, 0) == 0.0, "mmu/zero-window", "%g", gt_mmu_at(m, 0));
        /* Go 1.27's MUD gives the MMU for every quantile (see gt_mmu_mud). */
        static const double q[] = {0, 0.001, 0.01, 0.05};
        double mud[4] = {-1, -1, -1, -1};
        check(gt_mmu_mud(m, 10, q, 4, mud) == 0 && mud[0] == 1.0 && mud[3] == 1.0, "mmu/mud", "%g %g", mud[0],
              mud[3]);
        check(gt_mmu_mud(m, 0, q, 4, mud) == 0 && mud[0] == 0.0 && mud[2] == 0.0, "mmu/mud-zero-window", "%g",
              mud[0]);
    }
    gt_mmu_free(m);
}

/* ------------------------------------------------------------ streaming */

/* What a sink saw: a fingerprint of every region (every field, the maps'
 * keys and values included), so that records reused after the call would
 * show as a difference. */
typedef struct seen_regions {
    char **text;
    size_t n, cap;
    int fail_at;  /* return -1 on this call (1-based); 0 = never */
} seen_regions;

static char *region_text(const gt_region_summary *r)
{
    char buf[4096];
    int w = snprintf(buf, sizeof buf, "g%lld t%llu %.*s %d:%lld/%lld %d:%lld %llx %.*s %.*s:%llu e%lld w%lld s%lld b%lld "
                     "T%lld",
                     (long long)r->goroutine, (unsigned long long)r->task, (int)r->name.len, r->name.ptr,
                     (int)r->start_kind, (long long)r->start, (long long)r->start_goroutine, (int)r->end_kind,
                     (long long)r->end, (unsigned long long)r->start_frame.pc, (int)r->start_frame.func.len,
                     r->start_frame.func.ptr, (int)r->start_frame.file.len, r->start_frame.file.ptr,
                     (unsigned long long)r->start_frame.line, (long long)r->stats.exec_time,
                     (long long)r->stats.sched_wait_time, (long long)r->stats.syscall_time,
                     (long long)r->stats.syscall_block_time, (long long)r->stats.total_time);
    for (size_t i = 0; i < r->stats.n_block && w > 0 && (size_t)w < sizeof buf; i++)
        w += snprintf(buf + w, sizeof buf - (size_t)w, " B[%.*s]=%lld", (int)r->stats.block[i].name.len,
                      r->stats.block[i].name.ptr, (long long)r->stats.block[i].ns);
    for (size_t i = 0; i < r->stats.n_range && w > 0 && (size_t)w < sizeof buf; i++)
        w += snprintf(buf + w, sizeof buf - (size_t)w, " R[%.*s]=%lld", (int)r->stats.range[i].name.len,
                      r->stats.range[i].name.ptr, (long long)r->stats.range[i].ns);
    return strdup(buf);
}

static int seen_add(seen_regions *seen, const gt_region_summary *r)
{
    if (seen->n == seen->cap) {
        size_t cap = seen->cap ? 2 * seen->cap : 16;
        char **t = realloc(seen->text, cap * sizeof *t);
        if (!t)
            return -1;
        seen->text = t;
        seen->cap = cap;
    }
    seen->text[seen->n] = region_text(r);
    return seen->text[seen->n++] ? 0 : -1;
}

static int sink(void *ctx, const gt_region_summary *r)
{
    seen_regions *seen = ctx;
    if (seen->fail_at && (int)seen->n + 1 == seen->fail_at)
        return -1;
    return seen_add(seen, r);
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void seen_free(seen_regions *seen)
{
    for (size_t i = 0; i < seen->n; i++)
        free(seen->text[i]);
    free(seen->text);
}

/* A streaming summary of data hands over exactly the goroutine regions of
 * the full summary full (same fields, as a multiset), keeps no region or log
 * arrays, and still counts them. */
static void test_streaming(const char *name, const unsigned char *data, size_t len, const gt_summary *full)
{
    char case_name[200];
    seen_regions seen = {NULL, 0, 0, 0}, want = {NULL, 0, 0, 0};
    gt_summary *s = gt_summary_new();
    if (s)
        gt_summary_stream_regions(s, sink, &seen);
    long n = s ? feed(data, len, feed_summary, s) : -1;
    snprintf(case_name, sizeof case_name, "streaming/%s/read", name);
    if (!check(n > 0 && gt_summary_finalize(s) == 0, case_name, "%ld events", n)) {
        gt_summary_free(s);
        seen_free(&seen);
        return;
    }
    int counts_ok = gt_summary_goroutine_count(s) == gt_summary_goroutine_count(full), arrays_null = 1;
    size_t total_regions = 0;
    for (size_t i = 0; i < gt_summary_goroutine_count(full); i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(full, i), *sg = gt_summary_goroutine(s, i);
        for (size_t k = 0; k < g->n_regions; k++)
            if (seen_add(&want, g->regions[k]))
                counts_ok = 0;
        total_regions += g->n_regions;
        if (!sg || sg->id != g->id || sg->n_regions != g->n_regions || sg->stats.exec_time != g->stats.exec_time)
            counts_ok = 0;
        if (sg && sg->regions)
            arrays_null = 0;
    }
    for (size_t i = 0; i < gt_summary_task_count(full); i++) {
        const gt_task_summary *t = gt_summary_task(full, i), *st = gt_summary_task(s, i);
        if (!st || st->id != t->id || st->n_logs != t->n_logs || st->n_regions != t->n_regions ||
            st->n_goroutines != t->n_goroutines || !(st->name.len == t->name.len && !memcmp(st->name.ptr, t->name.ptr, t->name.len)))
            counts_ok = 0;
        if (st && (st->logs || st->regions))
            arrays_null = 0;
    }
    snprintf(case_name, sizeof case_name, "streaming/%s/counts", name);
    check(counts_ok && gt_summary_task_count(s) == gt_summary_task_count(full), case_name,
          "goroutine or task counts differ from the full summary's");
    snprintf(case_name, sizeof case_name, "streaming/%s/no-arrays", name);
    check(arrays_null, case_name, "a streaming summary kept region or log arrays");
    int same = seen.n == want.n && seen.n == total_regions;
    if (same && seen.n > 1) {
        qsort(seen.text, seen.n, sizeof *seen.text, cmp_text);
        qsort(want.text, want.n, sizeof *want.text, cmp_text);
    }
    for (size_t i = 0; same && i < seen.n; i++)
        same = !strcmp(seen.text[i], want.text[i]);
    snprintf(case_name, sizeof case_name, "streaming/%s/regions", name);
    check(same, case_name, "%zu regions streamed, %zu in the full summary", seen.n, want.n);
    snprintf(case_name, sizeof case_name, "streaming/%s/nothing-dropped", name);
    check(gt_summary_streamed_dropped(s) == 0, case_name, "%llu", (unsigned long long)gt_summary_streamed_dropped(s));
    gt_summary_free(s);
    seen_free(&seen);
    seen_free(&want);

    /* A sink that fails stops the pass. */
    seen_regions failing = {NULL, 0, 0, 1};
    s = gt_summary_new();
    if (s)
        gt_summary_stream_regions(s, sink, &failing);
    n = s ? feed(data, len, feed_summary, s) : -1;
    int rc = n < 0 ? -1 : gt_summary_finalize(s);
    snprintf(case_name, sizeof case_name, "streaming/%s/sink-error", name);
    check(total_regions == 0 || rc == -1, case_name, "a failing sink did not fail the pass");
    gt_summary_free(s);
    seen_free(&failing);
}

/* The streaming test on a real trace with many regions (tests/data). */
static void test_streaming_file(const char *path)
{
    size_t len;
    unsigned char *data = (unsigned char *)check_read_file(path, &len);
    if (!data) {
        check_skip("streaming/annotate.go127", "cannot read tests/data/analysis/annotate.go127.trace");
        return;
    }
    gt_summary *full = gt_summary_new();
    long n = full ? feed(data, len, feed_summary, full) : -1;
    if (check(n > 0 && gt_summary_finalize(full) == 0, "streaming/annotate.go127/full", "%ld events", n))
        test_streaming("annotate.go127", data, len, full);
    gt_summary_free(full);
    free(data);
}

/* A goroutine ID created again after it ended (Go's summary then replaces
 * the first goroutine and forgets its region; the runtime never does this):
 * G1 creates G2, G2 runs a region "r" and ends, G1 creates G2 again. */
static unsigned char *build_reuse_trace(size_t *len)
{
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!b)
        return NULL;
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", 2), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoStop", DT(10), GT_STR("reason_string", "yield"), GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoStart", DT(10), GT_ARG("g", 2), GT_ARG("g_seq", 1));
    GT_EVENT(m, "UserRegionBegin", DT(10), GT_ARG("task", 0), GT_STR("name_string", "r"),
             GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "UserRegionEnd", DT(10), GT_ARG("task", 0), GT_STR("name_string", "r"),
             GT_STK("stack", worker_stack, 1));
    GT_EVENT(m, "GoDestroy", DT(10));
    GT_EVENT(m, "GoStart", DT(10), GT_ARG("g", 1), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoCreate", DT(10), GT_ARG("new_g", 2), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    return finish_trace(b, len);
}

/* The full summary forgets the region with the first G2 (as Go's); the
 * streaming one has handed it over and says so. */
static void test_streaming_id_reuse(void)
{
    size_t len = 0;
    unsigned char *data = build_reuse_trace(&len);
    if (!check(data != NULL, "streaming/id-reuse/build", "the builder failed"))
        return;
    gt_summary *full = gt_summary_new(), *s = gt_summary_new();
    seen_regions seen = {NULL, 0, 0, 0};
    if (s)
        gt_summary_stream_regions(s, sink, &seen);
    long n1 = full ? feed(data, len, feed_summary, full) : -1, n2 = s ? feed(data, len, feed_summary, s) : -1;
    if (check(n1 > 0 && n2 > 0 && !gt_summary_finalize(full) && !gt_summary_finalize(s), "streaming/id-reuse/read",
              "%ld %ld events", n1, n2)) {
        const gt_goroutine_summary *g2 = gt_summary_find_goroutine(full, 2);
        check(g2 && g2->n_regions == 0, "streaming/id-reuse/full-forgets", "%zu regions", g2 ? g2->n_regions : 0);
        check(seen.n == 1 && gt_summary_streamed_dropped(s) == 1, "streaming/id-reuse/dropped-counted",
              "%zu streamed, %llu dropped", seen.n, (unsigned long long)gt_summary_streamed_dropped(s));
    }
    gt_summary_free(full);
    gt_summary_free(s);
    seen_free(&seen);
    free(data);
}

int main(void)
{
    size_t len = 0;
    unsigned char *data = build_trace(&len);
    if (!check(data != NULL, "analysis/build-trace", "the builder failed"))
        return check_done();
    gt_summary *s = gt_summary_new();
    long n = s ? feed(data, len, feed_summary, s) : -1;
    if (check(n > 0 && gt_summary_finalize(s) == 0, "analysis/read-trace", "%ld events", n)) {
        test_summary(s);
        test_pprof(data, len, s);
        test_streaming("hand-made", data, len, s);
    }
    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/analysis/annotate.go127.trace", root && *root ? root : ".");
    test_streaming_file(path);
    test_streaming_id_reuse();
    test_mmu(data, len);
    gt_summary_free(s);
    free(data);
    gt_summary_free(NULL);
    gt_pprof_free(NULL);
    gt_mmu_free(NULL);
    return check_done();
}
