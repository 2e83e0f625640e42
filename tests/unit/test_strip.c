/* The strip (gt_strip, gotrace/export.h) on every in-repo trace, against
 * what must hold whatever the trace and against the other analyses:
 *  - at most `buckets` buckets, at least half of them once the trace is
 *    longer; busy time within 0 .. bucket width;
 *  - merging: a strip of 64 buckets equals a strip of 128 with adjacent
 *    pairs added (the busy time of every P and band, bucket by bucket),
 *    and the busy time per P is the same whatever the bucket count;
 *  - the busy time of all P tracks is the time of the tracker's P slices
 *    (a goroutine running on the P), added up by a sink of this test;
 *  - scheduling latency: as many episodes as the overview counts, with the
 *    same maximum; tasks: as many per type as the overview's complete ones;
 *  - the heap counter's largest value is the overview's heap maximum;
 *  - the goroutine counter never exceeds the overview's peak of goroutines
 *    alive;
 *  - histograms: bucket counts add up to the count, the slowest instances
 *    are sorted and the first is the maximum;
 *  - Go's TimeHistogram bucket numbers on known values. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/analysis.h"
#include "gotrace/export.h"

/* Adds up the tracker's P slices. */
typedef struct runs_sum {
    int64_t p[64], begin[64];
    int64_t total;
    int bad;
} runs_sum;

static int runs_begin(void *ctx, const gt_tl_slice *s)
{
    runs_sum *r = ctx;
    if (s->kind == GT_TL_PROC_RUNS) {
        if (s->track.id < 0 || s->track.id >= 64)
            r->bad = 1;
        else
            r->begin[s->track.id] = s->time;
    }
    return 0;
}

static int runs_end(void *ctx, const gt_tl_slice *s)
{
    runs_sum *r = ctx;
    if (s->kind == GT_TL_PROC_RUNS && s->track.id >= 0 && s->track.id < 64)
        r->total += s->time - r->begin[s->track.id];
    return 0;
}

static int64_t proc_busy(const gt_strip *s, size_t i)
{
    const gt_strip_bucket *b = gt_strip_proc(s, i, NULL);
    int64_t t = 0;
    for (uint32_t k = 0; k < gt_strip_bucket_count(s); k++)
        t += b[k].busy;
    return t;
}

/* Whether small's buckets are big's added in pairs (or equal, same width). */
static int merged_equal(const gt_strip_bucket *small, const gt_strip *ss, const gt_strip_bucket *big,
                        const gt_strip *sb)
{
    int64_t ws = gt_strip_bucket_ns(ss), wb = gt_strip_bucket_ns(sb);
    uint32_t nb = gt_strip_bucket_count(sb);
    for (uint32_t k = 0; k < gt_strip_bucket_count(ss); k++) {
        int64_t want;
        if (ws == wb)
            want = big[k].busy;
        else if (ws == 2 * wb)
            want = big[2 * k].busy + (2 * k + 1 < nb ? big[2 * k + 1].busy : 0);
        else
            return 0;
        if (small[k].busy != want)
            return 0;
    }
    return 1;
}

static void check_trace(const char *path, const char *name)
{
    char n[512];
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r) {
        check(0, name, "cannot open %s: %s", path, err.message);
        return;
    }
    gt_strip *small = gt_strip_new(64), *big = gt_strip_new(128);
    gt_overview *o = gt_overview_new();
    runs_sum runs;
    memset(&runs, 0, sizeof runs);
    gt_tl_sink sink = {&runs, runs_begin, runs_end, NULL, NULL, NULL};
    gt_tl *tl = gt_tl_new(&sink);
    gt_event ev;
    int nomem = !small || !big || !o || !tl;
    while (!nomem && gt_reader_next(r, &ev) == 1)
        nomem = gt_strip_event(small, &ev) || gt_strip_event(big, &ev) || gt_overview_event(o, &ev) ||
                gt_tl_event(tl, &ev);
    int broken = gt_reader_error(r) != NULL;
    gt_reader_free(r);
    if (!nomem && tl)
        nomem = gt_tl_close(tl, gt_tl_last_time(tl)) != 0;
    gt_tl_free(tl);
    if (nomem || gt_strip_finish(small) || gt_strip_finish(big) || gt_overview_finish(o, broken)) {
        check(0, name, "out of memory");
        goto out;
    }
    const gt_overview_result *res = gt_overview_get(o);

    /* Bucket counts and bounds. */
    uint32_t nb = gt_strip_bucket_count(big);
    int64_t wb = gt_strip_bucket_ns(big), span = gt_strip_bucket_ns(big) * nb;
    snprintf(n, sizeof n, "strip_buckets_%s", name);
    int ok = nb <= 128 && (wb == 1 || nb > 64) && span > 0;
    for (size_t i = 0; ok && i < gt_strip_proc_count(big); i++) {
        const gt_strip_bucket *b = gt_strip_proc(big, i, NULL);
        for (uint32_t k = 0; k < nb && ok; k++)
            ok = b[k].busy >= 0 && b[k].busy <= wb && b[k].group <= gt_strip_group_count(big);
    }
    check(ok, n, "%u buckets of %lld ns, or a bucket out of bounds", nb, (long long)wb);

    /* Merging. */
    snprintf(n, sizeof n, "strip_merge_%s", name);
    ok = gt_strip_proc_count(small) == gt_strip_proc_count(big);
    for (size_t i = 0; ok && i < gt_strip_proc_count(small); i++)
        ok = proc_busy(small, i) == proc_busy(big, i) &&
             merged_equal(gt_strip_proc(small, i, NULL), small, gt_strip_proc(big, i, NULL), big);
    for (int b = GT_STRIP_GC; ok && b <= GT_STRIP_STW; b++)
        ok = merged_equal(gt_strip_band(small, (gt_strip_band_kind)b), small, gt_strip_band(big, (gt_strip_band_kind)b),
                          big);
    check(ok, n, "64 buckets are not 128 added in pairs");

    /* P busy time = the tracker's P slices. */
    int64_t busy = 0;
    for (size_t i = 0; i < gt_strip_proc_count(big); i++)
        busy += proc_busy(big, i);
    snprintf(n, sizeof n, "strip_busy_%s", name);
    if (runs.bad || gt_strip_procs_dropped(big))
        check_skip(n, "P IDs beyond what this test adds up");
    else
        check(busy == runs.total, n, "P busy %lld ns, the P slices %lld ns", (long long)busy, (long long)runs.total);

    /* Durations against the overview. */
    uint64_t sched = 0;
    int64_t sched_max = 0;
    int hist_ok = 1, tasks_ok = 1;
    for (size_t i = 0; i < gt_strip_durations_count(big); i++) {
        const gt_strip_durations *d = gt_strip_durations_at(big, i);
        uint64_t c = 0;
        for (int k = 0; k < GT_STRIP_HIST_BUCKETS; k++)
            c += d->buckets[k];
        hist_ok &= c == d->count && d->n_slowest <= GT_STRIP_SLOWEST && d->n_slowest == (d->count < 5 ? d->count : 5);
        hist_ok &= d->n_slowest == 0 || d->slowest[0].duration == d->max;
        for (size_t k = 1; k < d->n_slowest; k++)
            hist_ok &= d->slowest[k - 1].duration >= d->slowest[k].duration;
        if (d->kind == GT_STRIP_SCHED)
            sched = d->count, sched_max = d->max;
        if (d->kind == GT_STRIP_TASK) {
            size_t t = 0;
            while (t < res->n_task_types && !(res->task_types[t].type.len == d->name.len &&
                                                !memcmp(res->task_types[t].type.ptr, d->name.ptr, d->name.len)))
                t++;
            tasks_ok &= t < res->n_task_types && res->task_types[t].complete == d->count;
        }
    }
    snprintf(n, sizeof n, "strip_histograms_%s", name);
    check(hist_ok, n, "bucket counts or slowest instances inconsistent");
    snprintf(n, sizeof n, "strip_sched_latency_%s", name);
    check(sched == res->sched_latency.count && sched_max == res->sched_latency.max, n,
          "%llu episodes (max %lld), the overview %llu (max %lld)", (unsigned long long)sched, (long long)sched_max,
          (unsigned long long)res->sched_latency.count, (long long)res->sched_latency.max);
    snprintf(n, sizeof n, "strip_tasks_%s", name);
    check(tasks_ok, n, "task counts by type differ from the overview's complete tasks");

    /* The heap counter. */
    const int64_t *heap = gt_strip_counter(big, GT_STRIP_HEAP);
    snprintf(n, sizeof n, "strip_heap_%s", name);
    if (!res->has_heap) {
        check(heap == NULL, n, "a heap counter without heap metrics");
    } else {
        int64_t most = -1;
        for (uint32_t k = 0; heap && k < nb; k++)
            if (heap[k] > most)
                most = heap[k];
        check(most == (int64_t)res->heap_max, n, "largest %lld, the overview %llu", (long long)most,
              (unsigned long long)res->heap_max);
    }
    const int64_t *gs = gt_strip_counter(big, GT_STRIP_GOROUTINES);
    int64_t gmost = 0;
    for (uint32_t k = 0; gs && k < nb; k++)
        if (gs[k] > gmost)
            gmost = gs[k];
    snprintf(n, sizeof n, "strip_goroutines_%s", name);
    check(gmost <= (int64_t)res->goroutines_peak, n, "%lld goroutines at once, the overview's peak %llu",
          (long long)gmost, (unsigned long long)res->goroutines_peak);
out:
    gt_strip_free(small);
    gt_strip_free(big);
    gt_overview_free(o);
}

int main(void)
{
    check(gt_strip_hist_bucket(0) == 0 && gt_strip_hist_bucket(1) == 0 && gt_strip_hist_bucket(1500) == 15 &&
              gt_strip_hist_bucket(2000) == 16 && gt_strip_hist_bucket(999) == 14 &&
              gt_strip_hist_bucket(INT64_MAX) == 94 && gt_strip_hist_bucket_min(15) > 990 &&
              gt_strip_hist_bucket_min(15) <= 1000,
          "strip_hist_buckets", "Go's TimeHistogram bucket numbers differ");
    gt_strip *e = gt_strip_new(10);
    check(e && gt_strip_finish(e) == 0 && gt_strip_bucket_count(e) == 0 && gt_strip_proc_count(e) == 0 &&
              gt_strip_counter(e, GT_STRIP_HEAP) == NULL && gt_strip_durations_count(e) == 0,
          "strip_empty", "a strip fed nothing is not empty");
    gt_strip_free(e);
    check_trace("examples/hello.trace", "hello");
    DIR *d = opendir("tests/data/scenarios");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 7 || strcmp(de->d_name + l - 6, ".trace"))
            continue;
        char path[600], name[300];
        snprintf(path, sizeof path, "tests/data/scenarios/%s", de->d_name);
        snprintf(name, sizeof name, "%.*s", (int)(l - 6), de->d_name);
        check_trace(path, name);
    }
    if (d)
        closedir(d);
    return check_done();
}
