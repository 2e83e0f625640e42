/* gotrace summary: one screen on what happened in a trace, from the
 * library's overview analysis (gt_overview, gotrace/analysis.h) in one
 * streaming pass. This file reads the trace and renders the figures; it
 * computes none of them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis_util.h"
#include "cli.h"


/* Lines of text output: stacks and groups beyond these are in --json only. */
enum { TEXT_GROUPS = 10, TEXT_BLOCK_STACKS = 3, TEXT_STACKS_PER_REASON = 2, TEXT_FRAMES = 4, TEXT_TYPES = 20 };

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace summary [--json] [--from D] [--to D] FILE\n\n"
               "What happened in the trace, on one screen: the trace (Go version, size,\n"
               "duration, wall-clock start, damage), the scheduler (GOMAXPROCS, goroutines,\n"
               "threads, scheduling latency), blocking by reason with its top stacks, GC\n"
               "(cycles, stop-the-world, mark assists, MMU, heap), the goroutine groups\n"
               "with the most execution time, and user tasks and regions by type.\n"
               "Times are relative to the trace's first event. Percentiles are nearest-rank,\n"
               "exact up to 64 values, else from a log histogram: at most 3.2%% above the\n"
               "exact value (see gotrace(1)).\n\n"
               "  --json   the same figures (and every group, reason and type) as JSON,\n"
               "           times in nanoseconds of the trace clock, with the trace's start\n"
               "  --from D, --to D  only the window from D to D after the trace start\n"
               "           (1.5s, 300ms): its counts, times clipped to it (gotrace(1), WINDOWS)\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

/* What the pass learnt beyond the events. */
typedef struct trace_info {
    const char *path;
    int version;            /* gt_reader_version */
    uint64_t size;          /* input bytes */
    int broken;
    gt_error error;
    cli_progress progress;
    uint64_t valid_events;  /* events up to and including the last Sync */
    int64_t trace_start;    /* the first event's time: text times count from it */
    int64_t last;           /* the last event read */
} trace_info;

/* Reads the whole trace into o, in one thread (no CLI command uses the
 * reader's second thread yet). Returns 0 with info filled (info->broken for a trace that broke after some
 * events), or an exit status after printing a message. */
static int read_trace(const char *path, int fd, gt_overview *o, trace_info *info)
{
    gt_error err;
    gt_reader *r = cli_reader_open_fd(fd, &err);
    if (!r)
        return cli_trace_error(path, &err);
    info->version = gt_reader_version(r);
    enum { BATCH = 256 };
    gt_event evs[BATCH];
    uint64_t events = 0;
    int nomem = 0, done = 0;
    while (!done) {
        size_t n = gt_reader_next_batch(r, evs, BATCH);
        if (n == 0)
            break;
        if (events == 0)
            info->trace_start = evs[0].time;
        for (size_t i = 0; i < n && !nomem && !done; i++) {
            cli_progress_event(&info->progress, r, &evs[i]);
            if (evs[i].kind == GT_EVENT_SYNC)
                info->valid_events = events + i + 1;
            nomem = gt_overview_event(o, &evs[i]) != 0;
            info->last = evs[i].time;
            /* Past the window's end, a Sync ends what it needs. */
            done = gt_window_done(&au_window, info->trace_start, &evs[i]);
        }
        events += n;
        if (nomem)
            break;
    }
    const gt_error *e = done ? NULL : gt_reader_error(r);
    if (e && !nomem) {
        info->broken = 1;
        cli_error_keep(&info->error, e);
    }
    cli_progress_finish(&info->progress, r);
    info->size = info->progress.total_bytes;
    gt_reader_free(r);
    if (nomem) {
        fprintf(stderr, "gotrace summary: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    if (info->broken && events == 0)
        return cli_trace_error(path, &info->error);
    gt_error werr;
    if (events && gt_window_check_trace(&au_window, info->trace_start, info->last, &werr))
        return cli_usage_error("summary", "%s", werr.message);
    return 0;
}

static int mmu_fn(void *ctx, const gt_event *ev) { return gt_mmu_event(ctx, ev); }

/* After a broken pass: Go's MMU covers the events up to the last Sync, so
 * read those again into a new MMU for the overview. Not possible from a pipe
 * (not spooled: the summary reads once), whose MMU then covers every event
 * read. Returns 0, or an exit status after printing a message. */
static int mmu_to_last_sync(const char *path, cli_input *in, gt_overview *o, const trace_info *info)
{
    if (cli_input_rewind(in))
        return 0;
    gt_mmu *m = gt_mmu_new(GT_OVERVIEW_MMU_FLAGS);
    if (m)
        gt_mmu_set_window(m, &au_window);
    au_pass_result res;
    int rc = m ? au_pass_fd("summary", path, in->fd, info->valid_events, mmu_fn, m, &res) : CLI_EXIT_TRACE;
    if (rc) {
        gt_mmu_free(m);
        return rc;
    }
    gt_overview_replace_mmu(o, m);
    return 0;
}

/* The Go releases that write a header version. */
static const char *go_versions(int version)
{
    switch (version) {
    case 11: return "1.11-1.18";
    case 19: return "1.19-1.20";
    case 21: return "1.21";
    case 22: return "1.22";
    case 23: return "1.23-1.24";
    case 25: return "1.25";
    case 26: return "1.26+";
    default: return "?";
    }
}

/* Wall clock as RFC 3339 with nanoseconds, trailing zeros dropped (Go's
 * time.RFC3339Nano in UTC). */
static const char *wall_clock(char *buf, size_t cap, int64_t sec, int32_t nsec)
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "?");
        return buf;
    }
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    if (nsec) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%09d", (int)nsec);
        size_t k = strlen(frac);
        while (frac[k - 1] == '0')
            frac[--k] = 0;
        snprintf(buf + n, cap - n, "%sZ", frac);
    } else {
        snprintf(buf + n, cap - n, "Z");
    }
    return buf;
}

static uint64_t lost_bytes(const trace_info *info)
{
    const cli_progress *p = &info->progress;
    return info->broken && p->total_bytes >= p->valid_bytes ? p->total_bytes - p->valid_bytes : 0;
}

/* A v2 trace has one Sync per generation and one at its end. */
static int64_t generations(const trace_info *info, const gt_overview_result *res)
{
    if (info->version < 22 || au_windowed())  /* a window holds parts of generations */
        return -1;
    return res->syncs > 0 ? (int64_t)res->syncs - 1 : 0;
}

/* ------------------------------------------------------------------ text */

/* Prints s (or empty when it is ""), padded with spaces to width columns. */
static void print_name(gt_str s, const char *empty, int width)
{
    if (s.len)
        au_print_str(stdout, s);
    else
        fputs(empty, stdout);
    int pad = width - (int)(s.len ? s.len : strlen(empty));
    if (pad > 0)
        printf("%*s", pad, "");
}

/* Prints a duration right-aligned in width columns ("µ" is two bytes, one
 * column). */
static void print_duration(int64_t ns, int width)
{
    char d[40];
    au_duration(d, ns);
    int cols = 0;
    for (const char *p = d; *p; p++)
        cols += ((unsigned char)*p & 0xc0) != 0x80;
    printf("%*s%s", width > cols ? width - cols : 0, "", d);
}

static void print_latency(const gt_latency_stats *l)
{
    char a[40], b[40], c[40], d[40];
    printf("p50 %s  p90 %s  p99 %s  max %s", au_duration(a, l->p50), au_duration(b, l->p90), au_duration(c, l->p99),
           au_duration(d, l->max));
}

static void text_trace(const trace_info *info, const gt_overview_result *res)
{
    char d[40], w[64];
    printf("Trace %s\n", info->path);
    printf("  %-14s Go %s (\"go 1.%d trace\"), %llu bytes\n", "Format", go_versions(info->version), info->version,
           (unsigned long long)info->size);
    if (au_windowed()) {
        char a[40], b[40];
        printf("  %-14s %s to %s from the trace start\n", "Window", au_duration(a, res->start - info->trace_start),
               au_duration(b, res->end - info->trace_start));
    }
    printf("  %-14s %s", "Duration", au_duration(d, res->end - res->start));
    if (res->has_wall_clock)
        printf(", from %s", wall_clock(w, sizeof w, res->wall_start_sec, res->wall_start_nsec));
    putchar('\n');
    int64_t gens = generations(info, res);
    printf("  %-14s %llu", "Events", (unsigned long long)res->events);
    if (gens >= 0)
        printf(" in %lld generation%s", (long long)gens, gens == 1 ? "" : "s");
    putchar('\n');
    if (info->broken) {
        const cli_progress *p = &info->progress;
        printf("  %-14s lost %llu of %llu bytes (%.2f%%): %s\n", "Damage", (unsigned long long)lost_bytes(info),
               (unsigned long long)p->total_bytes,
               p->total_bytes ? (double)lost_bytes(info) / (double)p->total_bytes * 100 : 0.0, info->error.message);
    } else {
        printf("  %-14s none\n", "Damage");
    }
}

/* Times from the trace's start (not the window's). */
static void text_scheduler(const trace_info *info, const gt_overview_result *res)
{
    char d[40], e[40];
    printf("\nScheduler\n");
    if (res->has_gomaxprocs) {
        printf("  %-14s %lld", "GOMAXPROCS", (long long)res->gomaxprocs[0].value);
        if (res->gomaxprocs_changes) {
            printf(", %llu changes (min %lld, max %lld):", (unsigned long long)res->gomaxprocs_changes,
                   (long long)res->gomaxprocs_min, (long long)res->gomaxprocs_max);
            for (size_t i = 1; i < res->n_gomaxprocs && i <= 8; i++)
                printf(" %lld at %s", (long long)res->gomaxprocs[i].value,
                       au_duration(d, res->gomaxprocs[i].time - info->trace_start));
            if (res->gomaxprocs_changes > 8)
                printf(" ...");
        }
        putchar('\n');
    }
    printf("  %-14s %llu (created %llu, ended %llu, at most %llu alive at %s)\n", "Goroutines",
           (unsigned long long)res->goroutines, (unsigned long long)res->goroutines_created,
           (unsigned long long)res->goroutines_ended, (unsigned long long)res->goroutines_peak,
           au_duration(d, res->goroutines_peak_time - info->trace_start));
    printf("  %-14s %llu threads (Ms), %llu Ps\n", "Threads", (unsigned long long)res->threads,
           (unsigned long long)res->procs);
    const gt_latency_stats *l = &res->sched_latency;
    printf("  %-14s %s waiting to run in all (Sched wait time)\n", "Runnable", au_duration(d, res->sched_wait_time));
    printf("  %-14s %llu waits: ", "Sched latency", (unsigned long long)l->count);
    print_latency(l);
    putchar('\n');
    for (size_t i = 0; i < res->n_worst; i++) {
        const gt_overview_wait *wt = &res->worst[i];
        printf("  %-14s", i ? "" : "Longest waits");
        print_duration(wt->latency, 13);
        printf("  G%lld ", (long long)wt->goroutine);
        print_name(wt->name, "(unknown)", 0);
        printf(" at %s\n", au_duration(e, wt->time - info->trace_start));
    }
}

static void text_frame(const gt_frame *f)
{
    printf("        ");
    au_print_str(stdout, f->func);
    printf("  ");
    au_print_str(stdout, f->file);
    printf(":%llu\n", (unsigned long long)f->line);
}

static void text_blocking(const gt_overview_result *res)
{
    char e[40];
    printf("\n%-36s %14s %10s\n", "Blocking", "time", "count");
    for (size_t i = 0; i < res->n_block; i++) {
        const gt_overview_block *b = &res->block[i];
        printf("  ");
        print_name(b->reason, "(no reason)", 34);
        putchar(' ');
        print_duration(b->time, 14);
        printf(" %10llu\n", (unsigned long long)b->count);
        if (i >= TEXT_BLOCK_STACKS)
            continue;
        for (size_t k = 0; k < b->n_stacks && k < TEXT_STACKS_PER_REASON; k++) {
            const gt_overview_stack *s = &b->stacks[k];
            printf("      %s in %llu at:\n", au_duration(e, s->time), (unsigned long long)s->count);
            for (size_t f = 0; f < s->n_frames && f < TEXT_FRAMES; f++)
                text_frame(&s->frames[f]);
            if (s->n_frames > TEXT_FRAMES)
                printf("        ... %zu more frames\n", s->n_frames - TEXT_FRAMES);
        }
    }
}

static void print_bytes_range(const char *what, uint64_t lo, uint64_t hi)
{
    printf("  %-14s %.1f MiB .. %.1f MiB (%llu .. %llu bytes)\n", what, (double)lo / 1048576, (double)hi / 1048576,
           (unsigned long long)lo, (unsigned long long)hi);
}

static void text_gc(const gt_overview_result *res)
{
    char d[40], e[40];
    printf("\nGC\n");
    printf("  %-14s %llu\n", "Cycles", (unsigned long long)res->gc_cycles);
    printf("  %-14s %llu pauses, %s in all, longest %s\n", "Stop-the-world", (unsigned long long)res->stw_count,
           au_duration(d, res->stw_total), au_duration(e, res->stw_max));
    printf("  %-14s %llu, %s in all\n", "Mark assists", (unsigned long long)res->mark_assists,
           au_duration(d, res->mark_assist_time));
    printf("  %-14s", "MMU");
    for (int i = 0; i < 3; i++) {
        printf(" %s ", au_duration(d, res->mmu[i].window));
        if (res->mmu[i].valid)
            printf("%.6f", res->mmu[i].mmu);
        else
            printf("-");
        printf(i < 2 ? "," : "\n");
    }
    if (res->has_heap)
        print_bytes_range("Heap (live)", res->heap_min, res->heap_max);
    if (res->has_heap_goal)
        print_bytes_range("Heap goal", res->heap_goal_min, res->heap_goal_max);
}

static void text_groups(const gt_overview_result *res)
{
    int64_t total = 0;
    for (size_t i = 0; i < res->n_groups; i++)
        total += res->groups[i].exec_time;
    printf("\n%-58s %14s %7s\n", "Goroutines by execution time", "time", "count");
    for (size_t i = 0; i < res->n_groups && i < TEXT_GROUPS; i++) {
        const gt_overview_group *g = &res->groups[i];
        printf("  ");
        print_name(g->name, "(Inactive, no stack trace sampled)", 56);
        putchar(' ');
        print_duration(g->exec_time, 14);
        printf(" %7llu", (unsigned long long)g->count);
        if (total)
            printf(" (%.1f%%)", (double)g->exec_time / (double)total * 100);
        putchar('\n');
    }
    if (res->n_groups > TEXT_GROUPS)
        printf("  ... %zu more (gotrace goroutines)\n", res->n_groups - TEXT_GROUPS);
}

static void text_types(const char *title, const char *empty, const gt_overview_type *t, size_t n)
{
    if (n == 0)
        return;
    printf("\n%-28s %7s %9s  durations\n", title, "count", "complete");
    for (size_t i = 0; i < n && i < TEXT_TYPES; i++) {
        printf("  ");
        print_name(t[i].type, empty, 26);
        printf(" %7llu %9llu  ", (unsigned long long)t[i].count, (unsigned long long)t[i].complete);
        if (t[i].duration.count)
            print_latency(&t[i].duration);
        else
            printf("-");
        putchar('\n');
    }
    if (n > TEXT_TYPES)
        printf("  ... %zu more types (--json)\n", n - TEXT_TYPES);
}

static void print_text(const trace_info *info, const gt_overview_result *res)
{
    text_trace(info, res);
    text_scheduler(info, res);
    text_blocking(res);
    text_gc(res);
    text_groups(res);
    text_types("Tasks", "(no type)", res->task_types, res->n_task_types);
    text_types("Regions", "(inherited)", res->region_types, res->n_region_types);
}

/* ------------------------------------------------------------------ JSON */

static void json_latency(au_json *j, const char *key, const gt_latency_stats *l)
{
    au_json_object(j, key);
    au_json_u64(j, "count", l->count);
    au_json_i64(j, "total_ns", l->total);
    au_json_i64(j, "min_ns", l->min);
    au_json_i64(j, "p50_ns", l->p50);
    au_json_i64(j, "p90_ns", l->p90);
    au_json_i64(j, "p99_ns", l->p99);
    au_json_i64(j, "max_ns", l->max);
    au_json_end_object(j);
}

static void json_range(au_json *j, const char *key, int has, uint64_t lo, uint64_t hi)
{
    if (!has) {
        au_json_null(j, key);
        return;
    }
    au_json_object(j, key);
    au_json_u64(j, "min_bytes", lo);
    au_json_u64(j, "max_bytes", hi);
    au_json_end_object(j);
}

static void json_trace(au_json *j, const trace_info *info, const gt_overview_result *res)
{
    char w[64], fmt[32];
    au_json_object(j, "trace");
    au_json_cstr(j, "file", info->path);
    au_json_cstr(j, "go_version", go_versions(info->version));
    snprintf(fmt, sizeof fmt, "go 1.%d trace", info->version);
    au_json_cstr(j, "wire_format", fmt);
    au_json_u64(j, "size_bytes", info->size);
    au_json_i64(j, "start_ns", res->start);
    au_json_i64(j, "end_ns", res->end);
    au_json_i64(j, "duration_ns", res->end - res->start);
    au_json_window(j, info->trace_start, res->end);
    if (res->has_wall_clock) {
        au_json_cstr(j, "wall_clock_start", wall_clock(w, sizeof w, res->wall_start_sec, res->wall_start_nsec));
        au_json_i64(j, "wall_clock_start_unix_ns", res->wall_start_sec * 1000000000 + res->wall_start_nsec);
    } else {
        au_json_null(j, "wall_clock_start");
        au_json_null(j, "wall_clock_start_unix_ns");
    }
    int64_t gens = generations(info, res);
    if (gens >= 0)
        au_json_i64(j, "generations", gens);
    else
        au_json_null(j, "generations");
    au_json_u64(j, "events", res->events);
    if (info->broken) {
        au_json_cstr(j, "error", info->error.message);
        au_json_u64(j, "lost_bytes", lost_bytes(info));
    } else {
        au_json_null(j, "error");
        au_json_u64(j, "lost_bytes", 0);
    }
    au_json_end_object(j);
}

static void json_scheduler(au_json *j, const gt_overview_result *res)
{
    au_json_object(j, "scheduler");
    if (res->has_gomaxprocs) {
        au_json_object(j, "gomaxprocs");
        au_json_i64(j, "min", res->gomaxprocs_min);
        au_json_i64(j, "max", res->gomaxprocs_max);
        au_json_u64(j, "changes", res->gomaxprocs_changes);
        au_json_array(j, "values");
        for (size_t i = 0; i < res->n_gomaxprocs; i++) {
            au_json_object(j, NULL);
            au_json_i64(j, "time_ns", res->gomaxprocs[i].time);
            au_json_i64(j, "value", res->gomaxprocs[i].value);
            au_json_end_object(j);
        }
        au_json_end_array(j);
        au_json_end_object(j);
    } else {
        au_json_null(j, "gomaxprocs");
    }
    au_json_u64(j, "goroutines", res->goroutines);
    au_json_u64(j, "goroutines_created", res->goroutines_created);
    au_json_u64(j, "goroutines_ended", res->goroutines_ended);
    au_json_u64(j, "goroutines_peak", res->goroutines_peak);
    au_json_i64(j, "goroutines_peak_time_ns", res->goroutines_peak_time);
    au_json_u64(j, "threads", res->threads);
    au_json_u64(j, "procs", res->procs);
    au_json_i64(j, "sched_wait_ns", res->sched_wait_time);
    json_latency(j, "sched_latency", &res->sched_latency);
    au_json_array(j, "longest_waits");
    for (size_t i = 0; i < res->n_worst; i++) {
        au_json_object(j, NULL);
        au_json_i64(j, "goroutine", res->worst[i].goroutine);
        au_json_str(j, "name", res->worst[i].name);
        au_json_i64(j, "time_ns", res->worst[i].time);
        au_json_i64(j, "latency_ns", res->worst[i].latency);
        au_json_end_object(j);
    }
    au_json_end_array(j);
    au_json_end_object(j);
}

static void json_blocking(au_json *j, const gt_overview_result *res)
{
    au_json_array(j, "blocking");
    for (size_t i = 0; i < res->n_block; i++) {
        const gt_overview_block *b = &res->block[i];
        au_json_object(j, NULL);
        au_json_str(j, "reason", b->reason);
        au_json_i64(j, "time_ns", b->time);
        au_json_u64(j, "count", b->count);
        au_json_array(j, "stacks");
        for (size_t k = 0; k < b->n_stacks; k++) {
            au_json_object(j, NULL);
            au_json_i64(j, "time_ns", b->stacks[k].time);
            au_json_u64(j, "count", b->stacks[k].count);
            au_json_array(j, "frames");
            for (size_t f = 0; f < b->stacks[k].n_frames; f++)
                au_json_frame(j, NULL, &b->stacks[k].frames[f]);
            au_json_end_array(j);
            au_json_end_object(j);
        }
        au_json_end_array(j);
        au_json_end_object(j);
    }
    au_json_end_array(j);
}

static void json_gc(au_json *j, const gt_overview_result *res)
{
    au_json_object(j, "gc");
    au_json_u64(j, "cycles", res->gc_cycles);
    au_json_u64(j, "stw_count", res->stw_count);
    au_json_i64(j, "stw_total_ns", res->stw_total);
    au_json_i64(j, "stw_max_ns", res->stw_max);
    au_json_u64(j, "mark_assists", res->mark_assists);
    au_json_i64(j, "mark_assist_ns", res->mark_assist_time);
    au_json_array(j, "mmu");
    for (int i = 0; i < 3; i++) {
        au_json_object(j, NULL);
        au_json_i64(j, "window_ns", res->mmu[i].window);
        if (res->mmu[i].valid)
            au_json_f64(j, "mmu", res->mmu[i].mmu);
        else
            au_json_null(j, "mmu");
        au_json_end_object(j);
    }
    au_json_end_array(j);
    json_range(j, "heap", res->has_heap, res->heap_min, res->heap_max);
    json_range(j, "heap_goal", res->has_heap_goal, res->heap_goal_min, res->heap_goal_max);
    au_json_end_object(j);
}

static void json_types(au_json *j, const char *key, const gt_overview_type *t, size_t n)
{
    au_json_array(j, key);
    for (size_t i = 0; i < n; i++) {
        au_json_object(j, NULL);
        au_json_str(j, "type", t[i].type);
        au_json_u64(j, "count", t[i].count);
        au_json_u64(j, "complete", t[i].complete);
        json_latency(j, "duration", &t[i].duration);
        au_json_end_object(j);
    }
    au_json_end_array(j);
}

static void print_json(const trace_info *info, const gt_overview_result *res)
{
    au_json j;
    au_json_init(&j, stdout);
    au_json_object(&j, NULL);
    json_trace(&j, info, res);
    json_scheduler(&j, res);
    json_blocking(&j, res);
    json_gc(&j, res);
    au_json_array(&j, "goroutine_groups");
    for (size_t i = 0; i < res->n_groups; i++) {
        au_json_object(&j, NULL);
        au_json_str(&j, "name", res->groups[i].name);
        au_json_u64(&j, "count", res->groups[i].count);
        au_json_i64(&j, "exec_ns", res->groups[i].exec_time);
        au_json_end_object(&j);
    }
    au_json_end_array(&j);
    json_types(&j, "tasks", res->task_types, res->n_task_types);
    json_types(&j, "regions", res->region_types, res->n_region_types);
    au_json_end_object(&j);
}

/* ------------------------------------------------------------------ main */

int cmd_summary(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_JSON = 1, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {{"json", 0, OPT_JSON}, AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO), {NULL, 0, 0}};
    cli_args args;
    cli_args_init(&args, "summary", argc, argv);
    for (int opt; (opt = cli_next_option(&args, opts)) != CLI_OPT_END;) {
        if (opt == OPT_FROM || opt == OPT_TO) {
            if (au_window_option("summary", args.spelling, opt == OPT_TO, args.value))
                return CLI_EXIT_USAGE;
            continue;
        }
        if (opt != OPT_JSON)
            return CLI_EXIT_USAGE;
        json = 1;
    }
    if (cli_one_file(&args, &path) || au_window_ready("summary"))
        return CLI_EXIT_USAGE;

    gt_overview *o = gt_overview_new();
    if (!o) {
        fprintf(stderr, "gotrace summary: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    gt_overview_set_window(o, &au_window);
    trace_info info;
    memset(&info, 0, sizeof info);
    info.path = path;
    cli_input in;
    int rc = cli_input_open(&in, "summary", path, 0);
    if (rc) {
        gt_overview_free(o);
        return rc;
    }
    rc = read_trace(path, in.fd, o, &info);
    if (!rc && info.broken)
        rc = mmu_to_last_sync(path, &in, o, &info);
    cli_input_close(&in);
    if (!rc && gt_overview_finish(o, info.broken)) {
        fprintf(stderr, "gotrace summary: out of memory\n");
        rc = CLI_EXIT_TRACE;
    }
    if (rc) {
        gt_overview_free(o);
        return rc;
    }
    const gt_overview_result *res = gt_overview_get(o);
    if (res->regions_dropped)
        fprintf(stderr,
                "gotrace summary: the trace creates a goroutine ID again after it ended; the region figures "
                "include %llu regions of the first goroutine that Go's summary forgets\n",
                (unsigned long long)res->regions_dropped);
    if (json)
        print_json(&info, res);
    else
        print_text(&info, res);
    gt_overview_free(o);
    /* main() flushes stdout and reports what fails then. */
    if ((rc = cli_write_check(stdout)) != 0)
        return rc;
    if (info.broken) {
        au_report_failure(path, &(au_pass_result){.failed = 1, .error = info.error, .progress = info.progress});
        return CLI_EXIT_TRACE;
    }
    return CLI_EXIT_OK;
}
