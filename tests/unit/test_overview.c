/* The overview (gt_overview) on a hand-built trace whose every time is
 * known; the expected figures are worked out by hand from the event list.
 *
 * The trace (Go 1.22 format, one M, frequency 1e9 so ticks are ns), with
 * the times the reader gives (it makes times in a batch strictly increase):
 *
 *   1000  P0 running; G1 running on M0; GOMAXPROCS 2; G3 runnable
 *   1004  G1: TaskBegin 1 "job";  1005 RegionBegin "phase"
 *   1007  GC begins
 *   1017  STW "GC mark termination" until 1027 (10)
 *   1028  G1: GoCreate G2 (in main.worker), inheriting region "phase"
 *   1037  G1: mark assist until 1047 (10)
 *   1057  G1: GoBlock "chan receive" (stack A)
 *   1062  GoStart G2                       G2 waited 1028-1062 = 34
 *   1067  heap 5000;  1072 GOMAXPROCS 4;  1077 heap 3000
 *   1082  G2: GoUnblock G1
 *   1087  G2: syscall (stack S) until 1092 (5)
 *   1097  G2: GoDestroy
 *   1104  GoStart G1                       G1 waited 1082-1104 = 22
 *   1107  STW "GC sweep termination" until 1115 (8)
 *   1117  GC ends
 *   1127  G1: GoBlock "chan receive" (stack A)
 *   1131  GoStart G3 (its runnable time began before the trace: no latency)
 *   1137  G3: GoUnblock G1;  1142 G3: GoDestroy
 *   1147  GoStart G1                       G1 waited 1137-1147 = 10
 *   1157  heap goal 8000
 *   1162  G1: TaskEnd 1;  1163 RegionEnd "phase"
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "build_trace.h"
#include "check.h"
#include "gotrace.h"
#include "gotrace/analysis.h"
#include "gotrace/builder.h"

enum { GO_RUNNABLE = 1 };

static const gt_builder_frame main_stack[] = {{0x31, "main.main", "./main.go", 11}};
static const gt_builder_frame worker_stack[] = {{0x50, "main.worker", "./main.go", 30}};
static const gt_builder_frame block_a[] = {{0x40, "runtime.chanrecv1", "runtime/chan.go", 1}, {0x41, "main.main", "./main.go", 12}};
static const gt_builder_frame syscall_stack[] = {{0x70, "syscall.read", "syscall/zsyscall.go", 5}, {0x51, "main.worker", "./main.go", 31}};
static const gt_builder_frame unblock_stack[] = {{0x60, "runtime.chansend1", "runtime/chan.go", 2}};

#define DT(n) GT_ARG("dt", n)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char *build_trace(size_t *len)
{
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!m)
        return NULL;
    GT_EVENT(m, "ProcsChange", DT(0), GT_ARG("procs_value", 2), GT_ARG("stack", 0));
    GT_EVENT(m, "GoStatus", DT(0), GT_ARG("g", 3), GT_ARG("m", GT_BUILDER_NO_THREAD), GT_ARG("gstatus", GO_RUNNABLE));
    GT_EVENT(m, "UserTaskBegin", DT(2), GT_ARG("task", 1), GT_ARG("parent_task", 0), GT_STR("name_string", "job"),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "UserRegionBegin", DT(1), GT_ARG("task", 1), GT_STR("name_string", "phase"),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GCBegin", DT(4), GT_ARG("gc_seq", 1), GT_ARG("stack", 0));
    GT_EVENT(m, "STWBegin", DT(10), GT_STR("kind_string", "GC mark termination"), GT_ARG("stack", 0));
    GT_EVENT(m, "STWEnd", DT(10));
    GT_EVENT(m, "GoCreate", DT(1), GT_ARG("new_g", 2), GT_STK("new_stack", worker_stack, 1),
             GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GCMarkAssistBegin", DT(9), GT_ARG("stack", 0));
    GT_EVENT(m, "GCMarkAssistEnd", DT(10));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_a, N(block_a)));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 2), GT_ARG("g_seq", 1));
    GT_EVENT(m, "HeapAlloc", DT(5), GT_ARG("heapalloc_value", 5000));
    GT_EVENT(m, "ProcsChange", DT(5), GT_ARG("procs_value", 4), GT_ARG("stack", 0));
    GT_EVENT(m, "HeapAlloc", DT(5), GT_ARG("heapalloc_value", 3000));
    GT_EVENT(m, "GoUnblock", DT(5), GT_ARG("g", 1), GT_ARG("g_seq", 1), GT_STK("stack", unblock_stack, 1));
    GT_EVENT(m, "GoSyscallBegin", DT(5), GT_ARG("p_seq", 1), GT_STK("stack", syscall_stack, N(syscall_stack)));
    GT_EVENT(m, "GoSyscallEnd", DT(5));
    GT_EVENT(m, "GoDestroy", DT(5));
    GT_EVENT(m, "GoStart", DT(7), GT_ARG("g", 1), GT_ARG("g_seq", 2));
    GT_EVENT(m, "STWBegin", DT(3), GT_STR("kind_string", "GC sweep termination"), GT_ARG("stack", 0));
    GT_EVENT(m, "STWEnd", DT(8));
    GT_EVENT(m, "GCEnd", DT(2), GT_ARG("gc_seq", 2));
    GT_EVENT(m, "GoBlock", DT(10), GT_STR("reason_string", "chan receive"), GT_STK("stack", block_a, N(block_a)));
    GT_EVENT(m, "GoStart", DT(4), GT_ARG("g", 3), GT_ARG("g_seq", 1));
    GT_EVENT(m, "GoUnblock", DT(6), GT_ARG("g", 1), GT_ARG("g_seq", 3), GT_STK("stack", unblock_stack, 1));
    GT_EVENT(m, "GoDestroy", DT(5));
    GT_EVENT(m, "GoStart", DT(5), GT_ARG("g", 1), GT_ARG("g_seq", 4));
    GT_EVENT(m, "HeapGoal", DT(10), GT_ARG("heapgoal_value", 8000));
    GT_EVENT(m, "UserTaskEnd", DT(5), GT_ARG("task", 1), GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "UserRegionEnd", DT(1), GT_ARG("task", 1), GT_STR("name_string", "phase"),
             GT_STK("stack", main_stack, 1));
    return finish_trace(b, len);
}

static int str_is(gt_str s, const char *c) { return s.len == strlen(c) && (s.len == 0 || !memcmp(s.ptr, c, s.len)); }

static const gt_overview_block *find_block(const gt_overview_result *r, const char *reason)
{
    for (size_t i = 0; i < r->n_block; i++)
        if (str_is(r->block[i].reason, reason))
            return &r->block[i];
    return NULL;
}

static const gt_overview_group *find_group(const gt_overview_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (str_is(r->groups[i].name, name))
            return &r->groups[i];
    return NULL;
}

static void test_figures(const gt_overview *o, const gt_overview_result *r, int64_t first, int64_t last)
{
    check(r->start == first && r->end == last && r->syncs == 2 && !r->has_wall_clock, "overview/trace",
          "start %lld end %lld syncs %llu", (long long)r->start, (long long)r->end, (unsigned long long)r->syncs);

    check(r->has_gomaxprocs && r->gomaxprocs_min == 2 && r->gomaxprocs_max == 4 && r->gomaxprocs_changes == 1 &&
              r->n_gomaxprocs == 2 && r->gomaxprocs[0].value == 2 && r->gomaxprocs[1].value == 4 &&
              r->gomaxprocs[1].time == 1072,
          "overview/gomaxprocs", "min %lld max %lld changes %llu", (long long)r->gomaxprocs_min,
          (long long)r->gomaxprocs_max, (unsigned long long)r->gomaxprocs_changes);
    /* G1 and G3 existed from the start; G2 was created at 1028: 3 alive. */
    check(r->goroutines == 3 && r->goroutines_created == 1 && r->goroutines_ended == 2 && r->goroutines_peak == 3 &&
              r->goroutines_peak_time == 1028,
          "overview/goroutines", "%llu created %llu ended %llu peak %llu at %lld", (unsigned long long)r->goroutines,
          (unsigned long long)r->goroutines_created, (unsigned long long)r->goroutines_ended,
          (unsigned long long)r->goroutines_peak, (long long)r->goroutines_peak_time);
    check(r->threads == 1 && r->procs == 1, "overview/threads", "%llu threads %llu procs",
          (unsigned long long)r->threads, (unsigned long long)r->procs);

    /* Waits 34, 22, 10 (G3's began before the trace). Nearest rank: p50 is
     * the 2nd of 3, p90 and p99 the 3rd. Below 32 ns buckets are exact. */
    const gt_latency_stats *l = &r->sched_latency;
    check(l->count == 3 && l->total == 66 && l->min == 10 && l->max == 34 && l->p50 == 22 && l->p90 == 34 &&
              l->p99 == 34,
          "overview/sched-latency", "n %llu total %lld min %lld p50 %lld p90 %lld p99 %lld max %lld",
          (unsigned long long)l->count, (long long)l->total, (long long)l->min, (long long)l->p50,
          (long long)l->p90, (long long)l->p99, (long long)l->max);
    check(r->n_worst == 2 && r->worst[0].goroutine == 2 && r->worst[0].latency == 34 && r->worst[0].time == 1028 &&
              str_is(r->worst[0].name, "main.worker") && r->worst[1].goroutine == 1 && r->worst[1].latency == 22,
          "overview/longest-waits", "%zu", r->n_worst);

    const gt_overview_block *chan = find_block(r, "chan receive"), *sys = find_block(r, "syscall");
    /* Blocked 1057-1082 and 1127-1137, both at stack A. */
    if (check(chan && chan->count == 2 && chan->time == 35, "overview/block-chan", "%llu %lld",
              chan ? (unsigned long long)chan->count : 0ULL, chan ? (long long)chan->time : -1LL))
        check(chan->n_stacks == 1 && chan->stacks[0].count == 2 && chan->stacks[0].time == 35 &&
                  chan->stacks[0].n_frames == 2 && chan->stacks[0].frames[0].pc == 0x40 &&
                  str_is(chan->stacks[0].frames[1].func, "main.main"),
              "overview/block-chan-stack", "%zu stacks", chan->n_stacks);
    if (check(sys && sys->count == 1 && sys->time == 5, "overview/block-syscall", "%llu %lld",
              sys ? (unsigned long long)sys->count : 0ULL, sys ? (long long)sys->time : -1LL))
        check(sys->n_stacks == 1 && sys->stacks[0].time == 5 && sys->stacks[0].frames[0].pc == 0x70,
              "overview/block-syscall-stack", "%zu stacks", sys->n_stacks);
    check(r->n_block == 2 && r->block[0].reason.ptr == chan->reason.ptr, "overview/block-order", "%zu reasons",
          r->n_block);

    check(r->gc_cycles == 1 && r->stw_count == 2 && r->stw_total == 18 && r->stw_max == 10 && r->mark_assists == 1 &&
              r->mark_assist_time == 10,
          "overview/gc", "cycles %llu stw %llu %lld %lld assists %llu %lld", (unsigned long long)r->gc_cycles,
          (unsigned long long)r->stw_count, (long long)r->stw_total, (long long)r->stw_max,
          (unsigned long long)r->mark_assists, (long long)r->mark_assist_time);
    check(r->has_heap && r->heap_min == 3000 && r->heap_max == 5000 && r->has_heap_goal && r->heap_goal_min == 8000 &&
              r->heap_goal_max == 8000,
          "overview/heap", "%llu..%llu", (unsigned long long)r->heap_min, (unsigned long long)r->heap_max);
    /* The trace is shorter than every window. */
    check(!r->mmu[0].valid && !r->mmu[1].valid && !r->mmu[2].valid && isnan(r->mmu[0].mmu) &&
              r->mmu[0].window == 1000000 && r->mmu[2].window == 100000000,
          "overview/mmu-windows", "valid %d", r->mmu[0].valid);

    /* Groups: G2 ran 1062-1087 and 1092-1097; G3 (no stack: unnamed) 1131-1142. */
    const gt_overview_group *worker = find_group(r, "main.worker"), *unnamed = find_group(r, ""),
                            *mainf = find_group(r, "main.main");
    const gt_goroutine_summary *g1 = gt_summary_find_goroutine(gt_overview_summary(o), 1);
    check(r->n_groups == 3 && worker && worker->exec_time == 30 && unnamed && unnamed->exec_time == 11 && mainf &&
              g1 && mainf->exec_time == g1->stats.exec_time && r->groups[0].exec_time >= r->groups[1].exec_time &&
              r->groups[1].exec_time >= r->groups[2].exec_time,
          "overview/groups", "%zu groups", r->n_groups);

    check(r->n_task_types == 1 && str_is(r->task_types[0].type, "job") && r->task_types[0].count == 1 &&
              r->task_types[0].complete == 1 && r->task_types[0].duration.max == 158,
          "overview/tasks", "%zu types", r->n_task_types);
    /* By name: the unnamed region G2 inherited (1028-1097), then "phase". */
    check(r->n_region_types == 2 && str_is(r->region_types[0].type, "") && r->region_types[0].count == 1 &&
              r->region_types[0].duration.max == 69 && str_is(r->region_types[1].type, "phase") &&
              r->region_types[1].count == 1 && r->region_types[1].complete == 1 &&
              r->region_types[1].duration.p50 == 158,
          "overview/regions", "%zu types", r->n_region_types);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Scheduling latency of n goroutines: G1 creates G2..G(n+1) and blocks;
 * they then run one after another, so each waits from its creation to its
 * start, 1000 ns and more. Up to 64 values the percentiles are exact; beyond,
 * a percentile is its bucket's upper edge: not below the exact value, at
 * most 1/32 above. */
static void test_percentiles(const char *name, int n)
{
    char label[64];
    gt_builder *b;
    gt_builder_batch *m = begin_trace(&b);
    if (!m)
        return;
    for (int i = 0; i < n; i++)
        GT_EVENT(m, "GoCreate", DT(1), GT_ARG("new_g", i + 2), GT_STK("new_stack", worker_stack, 1),
                 GT_STK("stack", main_stack, 1));
    GT_EVENT(m, "GoBlock", DT(1), GT_STR("reason_string", "forever"), GT_STK("stack", block_a, N(block_a)));
    for (int i = 0; i < n; i++) {
        GT_EVENT(m, "GoStart", DT(i == 0 ? 996 : 1 + (i * 7919) % 3000), GT_ARG("g", i + 2), GT_ARG("g_seq", 1));
        GT_EVENT(m, "GoDestroy", DT(1));
    }
    size_t len = 0;
    unsigned char *data = finish_trace(b, &len);
    snprintf(label, sizeof label, "overview/%s-trace", name);
    if (!check(data != NULL, label, "the builder failed"))
        return;
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    gt_overview *o = gt_overview_new();
    int64_t *create = calloc((size_t)n + 2, sizeof *create), *waits = calloc((size_t)n + 2, sizeof *waits);
    gt_event ev;
    int rc = r && o && create && waits ? 0 : -1, nw = 0;
    while (!rc && gt_reader_next(r, &ev) == 1) {
        gt_state_transition st;
        if (!gt_event_state_transition(&ev, &st) && st.resource.kind == GT_RESOURCE_GOROUTINE &&
            st.resource.id >= 2 && st.resource.id <= n + 1) {
            if (st.old_state == GT_GO_NOT_EXIST)
                create[st.resource.id] = ev.time;
            if (st.new_state == GT_GO_RUNNING && nw < n)
                waits[nw++] = ev.time - create[st.resource.id];
        }
        rc = gt_overview_event(o, &ev);
    }
    snprintf(label, sizeof label, "overview/%s-read", name);
    if (check(!rc && r && !gt_reader_error(r) && nw == n && gt_overview_finish(o, 0) == 0, label, "rc %d, %d waits",
              rc, nw)) {
        const gt_latency_stats *l = &gt_overview_get(o)->sched_latency;
        qsort(waits, (size_t)n, sizeof *waits, cmp_i64);
        int64_t exact[3], got[3] = {l->p50, l->p90, l->p99};
        const int ps[3] = {50, 90, 99};
        int ok = l->count == (uint64_t)n && l->min == waits[0] && l->max == waits[n - 1];
        for (int k = 0; k < 3; k++) {
            int rank = (n * ps[k] + 99) / 100;
            exact[k] = waits[rank - 1];
            if (n <= 64)
                ok = ok && got[k] == exact[k];
            else
                ok = ok && got[k] >= exact[k] && got[k] <= exact[k] + exact[k] / 32;
        }
        snprintf(label, sizeof label, "overview/%s", name);
        check(ok, label, "n %llu min %lld max %lld; p50 %lld (exact %lld) p90 %lld (%lld) p99 %lld (%lld)",
              (unsigned long long)l->count, (long long)l->min, (long long)l->max, (long long)got[0],
              (long long)exact[0], (long long)got[1], (long long)exact[1], (long long)got[2], (long long)exact[2]);
        /* With few values the exact p50 is reported, not its bucket's
         * upper edge (which differs from it here). */
        if (n <= 64 && exact[0] >= 64) {
            int e = 0;
            for (uint64_t v = (uint64_t)exact[0]; v >>= 1;)
                e++;
            int64_t edge = (((exact[0] >> (e - 5)) + 1) << (e - 5)) - 1;
            snprintf(label, sizeof label, "overview/%s-not-edge", name);
            check(edge != exact[0] && got[0] == exact[0], label, "p50 %lld, exact %lld, edge %lld",
                  (long long)got[0], (long long)exact[0], (long long)edge);
        }
    }
    free(create);
    free(waits);
    gt_overview_free(o);
    gt_reader_free(r);
    free(data);
}

/* A pass the reader broke off (here: the events up to G2's start): the
 * trace ends at the last Sync, as in cmd/trace, and what is open then is
 * cut there. */
static void test_broken(const unsigned char *data, size_t len)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    gt_overview *o = gt_overview_new();
    gt_event ev;
    int rc = r && o ? 0 : -1;
    int64_t first_sync = -1;
    while (!rc && gt_reader_next(r, &ev) == 1 && ev.time <= 1062) {
        if (ev.kind == GT_EVENT_SYNC && first_sync < 0)
            first_sync = ev.time;
        rc = gt_overview_event(o, &ev);
    }
    const gt_overview_result *res = !rc && gt_overview_finish(o, 1) == 0 ? gt_overview_get(o) : NULL;
    if (check(res != NULL, "overview/broken-read", "rc %d", rc)) {
        /* Task 1 and region "phase" have no end: the region lasts from its
         * begin to the trace's end, which lies before it: 0, not negative. */
        check(res->end == first_sync && res->start == first_sync && res->syncs == 1 &&
                  res->n_region_types == 2 && res->region_types[1].count == 1 &&
                  res->region_types[1].complete == 0 && res->region_types[1].duration.max == 0 &&
                  res->n_task_types == 1 && res->task_types[0].complete == 0,
              "overview/broken-end", "start %lld end %lld (sync %lld) syncs %llu", (long long)res->start,
              (long long)res->end, (long long)first_sync, (unsigned long long)res->syncs);
        /* G2's wait ended at 1062, inside the pass. */
        check(res->sched_latency.count == 1 && res->sched_latency.max == 34, "overview/broken-latency", "%llu",
              (unsigned long long)res->sched_latency.count);
    }
    gt_overview_free(o);
    gt_reader_free(r);
}

int main(void)
{
    size_t len = 0;
    unsigned char *data = build_trace(&len);
    if (!check(data != NULL, "overview/build-trace", "the builder failed"))
        return check_done();
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    gt_overview *o = gt_overview_new();
    gt_event ev;
    int64_t first = -1, last = -1;
    int rc = r && o ? 0 : -1;
    while (!rc && gt_reader_next(r, &ev) == 1) {
        if (first < 0)
            first = ev.time;
        last = ev.time;
        rc = gt_overview_event(o, &ev);
    }
    check(o && gt_overview_get(o) == NULL, "overview/get-before-finish", "results before the end");
    const gt_error *re = r ? gt_reader_error(r) : NULL;
    if (check(!rc && r && !re && gt_overview_finish(o, 0) == 0 && gt_overview_get(o), "overview/read-trace",
              "rc %d: %s", rc, re ? re->message : "")) {
        test_figures(o, gt_overview_get(o), first, last);
        check(gt_overview_finish(o, 0) == -1 && gt_overview_event(o, &ev) == -1, "overview/finish-once",
              "a second finish or a late event was accepted");
    }
    gt_overview_free(o);
    gt_reader_free(r);
    test_broken(data, len);
    free(data);
    test_percentiles("percentiles-exact", 4);
    test_percentiles("percentiles-exact-64", 64);
    test_percentiles("percentiles-buckets", 500);
    gt_overview_free(NULL);
    return check_done();
}
