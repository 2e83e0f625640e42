/* gotrace-bench: read a whole trace through the public API and print one
 * line in the key=value form of ../shared/tools/refbench, so the two compare
 * directly:
 *
 *   gotrace-bench [--consume] [--threads N] FILE
 *
 * --consume models a consumer as refbench's -consume does: for every event it
 * also walks the stack frames and reads the kind-specific details (state
 * transitions and their stacks, ranges and attributes, metrics, labels, tasks,
 * regions, logs, syncs, experimental events).
 * --decode is the ceiling of decoding alone: every wire event through the raw
 * reader (gotrace/raw.h), no generations, merge or ordering.
 * --threads 2 reads, merges and orders in a second thread (gt_reader_set_threads)
 * while this one consumes, and reads generations ahead in a third.
 * --gens prints, to stderr, one line per generation: its events and the CPU
 * time this thread spent from its Sync to the next (with --threads 1: the
 * whole reader's work on it, plus the consumer's), the input of
 * bench/simulate.awk.
 * --perfetto runs the library's Perfetto exporter (gotrace/export.h) over
 * the trace into a sink that only counts the bytes: the plain packets of
 * `gotrace perfetto --no-compress` without the output's writes (the CLI's
 * compression is not in the library). It prints the output's size and its
 * ratio to the input's, and the rate of input per second of this thread's
 * CPU time (cpu_MB_per_s), which the machine's load disturbs less than the
 * wall-clock rate.
 * Peak RSS is VmHWM from /proc/self/status, read at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gotrace.h"
#include "gotrace/export.h"
#include "gotrace/raw.h"

struct stats {
    uint64_t events, syncs, frames, acc;
};

static void touch_stack(gt_stack s, struct stats *st)
{
    const gt_frame *f;
    size_t n = gt_stack_frames(s, &f);
    st->frames += n;
    for (size_t i = 0; i < n; i++)
        st->acc += f[i].pc + f[i].line + f[i].func.len + f[i].file.len;
}

static void consume(const gt_event *ev, struct stats *st)
{
    st->acc += (uint64_t)ev->time ^ (uint64_t)ev->goroutine ^ (uint64_t)ev->proc ^ (uint64_t)ev->thread;
    touch_stack(gt_event_stack(ev), st);
    switch (ev->kind) {
    case GT_EVENT_STATE_TRANSITION: {
        gt_state_transition t;
        if (gt_event_state_transition(ev, &t) == 0) {
            st->acc += t.reason.len + (uint64_t)t.resource.kind + (uint64_t)t.resource.id +
                       ((uint64_t)t.old_state << 8) + (uint64_t)t.new_state;
            touch_stack(t.stack, st);
        }
        break;
    }
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END: {
        gt_range r;
        if (gt_event_range(ev, &r) == 0)
            st->acc += r.name.len + (uint64_t)r.scope.kind;
        if (ev->kind == GT_EVENT_RANGE_END) {
            gt_range_attribute a[4];
            size_t n = gt_event_range_attributes(ev, a, 4);
            for (size_t i = 0; i < n && i < 4; i++)
                st->acc += a[i].name.len + a[i].value.u64;
        }
        break;
    }
    case GT_EVENT_METRIC: {
        gt_metric m;
        if (gt_event_metric(ev, &m) == 0)
            st->acc += m.name.len + (m.value.kind == GT_VALUE_UINT64 ? m.value.u64 : 0);
        break;
    }
    case GT_EVENT_LABEL: {
        gt_label l;
        if (gt_event_label(ev, &l) == 0)
            st->acc += l.label.len + (uint64_t)l.resource.kind;
        break;
    }
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END: {
        gt_task t;
        if (gt_event_task(ev, &t) == 0)
            st->acc += t.id + t.parent + t.type.len;
        break;
    }
    case GT_EVENT_REGION_BEGIN:
    case GT_EVENT_REGION_END: {
        gt_region r;
        if (gt_event_region(ev, &r) == 0)
            st->acc += r.task + r.type.len;
        break;
    }
    case GT_EVENT_LOG: {
        gt_log l;
        if (gt_event_log(ev, &l) == 0)
            st->acc += l.task + l.category.len + l.message.len;
        break;
    }
    case GT_EVENT_SYNC: {
        gt_sync s;
        if (gt_event_sync(ev, &s) == 0)
            st->acc += (uint64_t)s.n;
        break;
    }
    case GT_EVENT_EXPERIMENTAL: {
        gt_experimental e;
        if (gt_event_experimental(ev, &e) == 0)
            st->acc += e.name.len + e.nargs;
        break;
    }
    default:
        break;
    }
}

static double peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    double mb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            mb = strtod(line + 6, NULL) / 1024.0;
    fclose(f);
    return mb;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gotrace-bench [--consume | --decode | --perfetto] [--threads N] [--gens] FILE\n");
}

static int count_bytes(void *ctx, const void *data, size_t len)
{
    (void)data;
    *(uint64_t *)ctx += len;
    return 0;
}

/* --perfetto: see the top of the file. */
static int bench_perfetto(const char *path, long long size, double start)
{
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    uint64_t out = 0, events = 0;
    gt_perfetto *pf = gt_perfetto_new(count_bytes, &out, 0, INT64_MAX);
    if (!pf) {
        fprintf(stderr, "gotrace-bench: out of memory\n");
        gt_reader_free(r);
        return 1;
    }
    double cpu0 = thread_cpu_s();
    enum { BATCH = 256 };
    static gt_event evs[BATCH];
    int rc = 0;
    for (size_t n; rc == 0 && (n = gt_reader_next_batch(r, evs, BATCH)) > 0;)
        for (size_t i = 0; i < n && rc == 0; i++, events++)
            rc = gt_perfetto_event(pf, &evs[i]);
    if (rc >= 0)
        rc = gt_perfetto_finish(pf);
    double cpu = thread_cpu_s() - cpu0, wall = now_s() - start;
    const gt_error *e = gt_reader_error(r);
    printf("file=%s mode=perfetto size=%lld events=%llu out_bytes=%llu out_ratio=%.2f cpu_s=%.3f cpu_MB_per_s=%.1f "
           "wall_s=%.3f MB_per_s=%.1f peak_rss_MB=%.1f status=%s\n",
           path, size, (unsigned long long)events, (unsigned long long)out, (double)out / (double)size, cpu,
           (double)size / 1e6 / cpu, wall, (double)size / 1e6 / wall, peak_rss_mb(),
           e ? "error" : rc ? "failed" : "ok");
    gt_perfetto_free(pf);
    gt_reader_free(r);
    return e || rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    int consume_mode = 0, threads = 1, decode_mode = 0, gens = 0, perfetto_mode = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--consume") || !strcmp(argv[i], "-consume"))
            consume_mode = 1;
        else if (!strcmp(argv[i], "--decode"))
            decode_mode = 1;
        else if (!strcmp(argv[i], "--perfetto"))
            perfetto_mode = 1;
        else if (!strcmp(argv[i], "--gens"))
            gens = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!path)
            path = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!path || threads < 1) {
        usage(stderr);
        return 2;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        perror(path);
        return 1;
    }
    struct stats st = {0};
    double start = now_s();
    gt_error err;
    if (perfetto_mode)
        return bench_perfetto(path, (long long)sb.st_size, start);
    if (decode_mode) {
        gt_raw_reader *raw = gt_raw_open_path(path, &err);
        if (!raw) {
            fprintf(stderr, "open: %s\n", err.message);
            return 1;
        }
        gt_raw_event rev;
        while (gt_raw_next(raw, &rev) == 1)
            st.events++;
        double wall = now_s() - start;
        printf("file=%s mode=decode threads=1 size=%lld events=%llu wall_s=%.3f events_per_s=%.0f MB_per_s=%.1f "
               "peak_rss_MB=%.1f status=%s\n",
               path, (long long)sb.st_size, (unsigned long long)st.events, wall, (double)st.events / wall,
               (double)sb.st_size / 1e6 / wall, peak_rss_mb(), gt_raw_error(raw) && !gt_raw_error_is_eof(raw) ? "error" : "ok");
        gt_raw_free(raw);
        return 0;
    }
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    if (gt_reader_set_threads(r, threads) < 0) {
        fprintf(stderr, "gotrace-bench: cannot use %d threads\n", threads);
        return 2;
    }
    enum { BATCH = 256 };
    static gt_event evs[BATCH];
    double gen_cpu = thread_cpu_s();
    uint64_t gen_events = 0;
    for (;;) {
        size_t n = gt_reader_next_batch(r, evs, BATCH);
        for (size_t i = 0; i < n; i++) {
            st.events++;
            if (evs[i].kind == GT_EVENT_SYNC) {
                st.syncs++;
                if (gens) {
                    double t = thread_cpu_s();
                    fprintf(stderr, "gen %llu events=%llu cpu_s=%.6f\n", (unsigned long long)st.syncs - 1,
                            (unsigned long long)(st.events - gen_events), t - gen_cpu);
                    gen_cpu = t;
                    gen_events = st.events;
                }
            }
            if (consume_mode)
                consume(&evs[i], &st);
        }
        if (n == 0)
            break;
    }
    double wall = now_s() - start;
    const gt_error *e = gt_reader_error(r);
    printf("file=%s mode=%s threads=%d size=%lld events=%llu syncs=%llu frames=%llu wall_s=%.3f "
           "events_per_s=%.0f MB_per_s=%.1f peak_rss_MB=%.1f status=",
           path, consume_mode ? "consume" : "count", threads, (long long)sb.st_size,
           (unsigned long long)st.events, (unsigned long long)st.syncs, (unsigned long long)st.frames, wall,
           (double)st.events / wall, (double)sb.st_size / 1e6 / wall, peak_rss_mb());
    if (e)
        printf("\"%s\"", e->message);
    else
        printf("ok");
    printf(" acc=%llu\n", (unsigned long long)(st.acc % 1000));
    gt_reader_free(r);
    return e ? 1 : 0;
}
