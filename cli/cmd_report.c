/* gotrace report: one self-contained HTML page on a trace (issue 19), made
 * in one streaming pass in bounded memory from the library's analyses: the
 * overview behind `gotrace summary` (gt_overview, with the goroutine summary
 * and the MMU underneath) and the strip (gt_strip: the timeline downsampled,
 * and the distributions of its durations). This file renders; it computes
 * no figure. The page needs no network: styles, charts (inline SVG) and the
 * small script that sorts tables are all in it, and it reads without the
 * script. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis_util.h"
#include "cli.h"
#include "html.h"
#include "svg_mmu.h"

/* The strip's buckets: at the end between half of these and these columns. */
enum { STRIP_BUCKETS = 1000, TOP_GROUPS = 10, MAX_GROUP_ROWS = 200, MAX_HISTOGRAMS = 12, TOP_STACKS = 10,
       STACK_FRAMES = 8 };

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace report -o OUT FILE\n\n"
               "One self-contained HTML page on the trace, for a browser without network:\n"
               "the summary (the figures of gotrace summary), an overview of what ran on\n"
               "each P over time (coloured by goroutine group, with GC and stop-the-world\n"
               "bands, heap and goroutine counts), goroutine groups with their time\n"
               "breakdown, scheduling latency and blocking histograms, task and region\n"
               "latency histograms with the slowest instances, the MMU curve and the top\n"
               "blocking stacks. One pass over the trace in bounded memory; the page stays\n"
               "small (a few hundred KB to a few MB) whatever the trace's size.\n\n"
               "  -o OUT   the page to write (- for standard output); replaced only when\n"
               "           complete\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace (the page\n"
               "still covers what was read), 2 usage, 3 write error.\n");
}

/* ------------------------------------------------------------- reading */

typedef struct trace_read {
    int version;
    int broken;
    gt_error error;
    cli_progress progress;
    uint64_t events, valid_events;  /* valid: up to and including the last Sync */
} trace_read;

/* Feeds the whole trace to the overview and the strip. 0 (info->broken for
 * a trace that broke after some events), or an exit status after a
 * message. */
static int read_trace(const char *path, int fd, gt_overview *o, gt_strip *s, trace_read *info)
{
    gt_error err;
    gt_reader *r = cli_reader_open_fd(fd, &err);
    if (!r) {
        if (err.code == GT_ERR_IO)
            return cli_usage_error("report", "cannot read %s: %s", path, err.message);
        cli_trace_error(path, &err);
        cli_input_explain(fd, &err);
        return CLI_EXIT_TRACE;
    }
    info->version = gt_reader_version(r);
    gt_event ev;
    int nomem = 0;
    while (!nomem && gt_reader_next(r, &ev) == 1) {
        info->events++;
        cli_progress_event(&info->progress, r, &ev);
        if (ev.kind == GT_EVENT_SYNC)
            info->valid_events = info->events;
        nomem = gt_overview_event(o, &ev) || gt_strip_event(s, &ev);
    }
    const gt_error *e = gt_reader_error(r);
    if (e && !nomem) {
        info->broken = 1;
        cli_error_keep(&info->error, e);
    }
    cli_progress_finish(&info->progress, r);
    gt_reader_free(r);
    if (nomem) {
        fprintf(stderr, "gotrace report: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    if (info->broken && info->events == 0)
        return cli_trace_error(path, &info->error);
    return 0;
}

static int feed_mmu(void *ctx, const gt_event *ev) { return gt_mmu_event(ctx, ev); }

/* ------------------------------------------------------------- figures */

/* A figure of the summary: its text, with its JSON path (gotrace summary
 * --json) and raw value in attributes, which tests/scripts/report_check.py
 * compares with the summary's output. */
static void fig_u64(FILE *f, const char *key, uint64_t v)
{
    fprintf(f, "<span class=\"fig\" data-key=\"%s\" data-value=\"%llu\">%llu</span>", key, (unsigned long long)v,
            (unsigned long long)v);
}

static void fig_i64(FILE *f, const char *key, int64_t v)
{
    fprintf(f, "<span class=\"fig\" data-key=\"%s\" data-value=\"%lld\">%lld</span>", key, (long long)v,
            (long long)v);
}

static void fig_dur(FILE *f, const char *key, int64_t ns)
{
    fprintf(f, "<span class=\"fig dur\" data-key=\"%s\" data-value=\"%lld\">", key, (long long)ns);
    html_duration(f, ns);
    fputs("</span>", f);
}

static void fig_f64(FILE *f, const char *key, double v)
{
    fprintf(f, "<span class=\"fig f\" data-key=\"%s\" data-value=\"%.17g\">%.6f</span>", key, v, v);
}

/* One row of a summary table: label, then items, each a text and a figure
 * (kind 'u' count, 'i' signed count, 'd' duration; 0 for text only). */
typedef struct item {
    const char *text;
    char kind;
    const char *key;
    int64_t v;
} item;

static void row(FILE *f, const char *label, const item *it, size_t n)
{
    fprintf(f, "<tr><th>%s</th><td>", label);
    for (size_t i = 0; i < n; i++) {
        fputs(it[i].text, f);
        if (it[i].kind == 'u')
            fig_u64(f, it[i].key, (uint64_t)it[i].v);
        else if (it[i].kind == 'i')
            fig_i64(f, it[i].key, it[i].v);
        else if (it[i].kind == 'd')
            fig_dur(f, it[i].key, it[i].v);
    }
    fputs("</td></tr>\n", f);
}

#define ROW(f, label, ...) row(f, label, (const item[]){__VA_ARGS__}, sizeof((const item[]){__VA_ARGS__}) / sizeof(item))

static void latency_row(FILE *f, const char *label, const char *key, const gt_latency_stats *l)
{
    char k[5][96];
    static const char *const names[] = {"count", "p50_ns", "p90_ns", "p99_ns", "max_ns"};
    for (int i = 0; i < 5; i++)
        snprintf(k[i], sizeof k[i], "%s.%s", key, names[i]);
    ROW(f, label, {"", 'u', k[0], (int64_t)l->count}, {" &#8212; p50 ", 'd', k[1], l->p50},
        {", p90 ", 'd', k[2], l->p90}, {", p99 ", 'd', k[3], l->p99}, {", max ", 'd', k[4], l->max});
}

static void bytes_row(FILE *f, const char *label, const char *key, uint64_t lo, uint64_t hi)
{
    char k[2][64], mib[64];
    snprintf(k[0], sizeof k[0], "%s.min_bytes", key);
    snprintf(k[1], sizeof k[1], "%s.max_bytes", key);
    snprintf(mib, sizeof mib, "%.1f MiB .. %.1f MiB (", (double)lo / 1048576, (double)hi / 1048576);
    ROW(f, label, {mib, 'u', k[0], (int64_t)lo}, {" .. ", 'u', k[1], (int64_t)hi}, {" bytes)", 0, NULL, 0});
}

static void section_summary(FILE *f, const char *path, const trace_read *info, const gt_overview_result *res)
{
    char k[96], fmt[64];
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cols\">\n<table class=\"kv\">\n"
          "<caption>Trace</caption>\n<tr><th>File</th><td>", f);
    html_cstr(f, path);
    fputs("</td></tr>\n", f);
    snprintf(fmt, sizeof fmt, "&quot;go 1.%d trace&quot;, ", info->version);
    ROW(f, "Format", {fmt, 'u', "trace.size_bytes", (int64_t)info->progress.total_bytes}, {" bytes", 0, NULL, 0});
    ROW(f, "Duration", {"", 'd', "trace.duration_ns", res->end - res->start});
    if (res->has_wall_clock) {
        char w[64];
        time_t t = (time_t)res->wall_start_sec;
        struct tm tm;
        if (gmtime_r(&t, &tm) && strftime(w, sizeof w, "%Y-%m-%d %H:%M:%S UTC", &tm))
            ROW(f, "Started", {w, 0, NULL, 0});
    }
    if (info->version >= 22)
        ROW(f, "Events", {"", 'u', "trace.events", (int64_t)res->events},
            {" in ", 'i', "trace.generations", res->syncs > 0 ? (int64_t)res->syncs - 1 : 0},
            {" generations", 0, NULL, 0});
    else
        ROW(f, "Events", {"", 'u', "trace.events", (int64_t)res->events});
    fputs("<tr><th>Damage</th><td>", f);
    if (info->broken) {
        const cli_progress *p = &info->progress;
        fputs("lost ", f);
        fig_u64(f, "trace.lost_bytes", p->total_bytes >= p->valid_bytes ? p->total_bytes - p->valid_bytes : 0);
        fputs(" bytes: ", f);
        html_cstr(f, info->error.message);
    } else {
        fputs("none", f);
    }
    fputs("</td></tr>\n</table>\n<table class=\"kv\">\n<caption>Scheduler</caption>\n", f);
    if (res->has_gomaxprocs)
        ROW(f, "GOMAXPROCS", {"", 'i', "scheduler.gomaxprocs.min", res->gomaxprocs_min},
            {" .. ", 'i', "scheduler.gomaxprocs.max", res->gomaxprocs_max},
            {", ", 'u', "scheduler.gomaxprocs.changes", (int64_t)res->gomaxprocs_changes}, {" changes", 0, NULL, 0});
    ROW(f, "Goroutines", {"", 'u', "scheduler.goroutines", (int64_t)res->goroutines},
        {" (created ", 'u', "scheduler.goroutines_created", (int64_t)res->goroutines_created},
        {", ended ", 'u', "scheduler.goroutines_ended", (int64_t)res->goroutines_ended},
        {", at most ", 'u', "scheduler.goroutines_peak", (int64_t)res->goroutines_peak}, {" alive)", 0, NULL, 0});
    ROW(f, "Threads", {"", 'u', "scheduler.threads", (int64_t)res->threads},
        {" Ms, ", 'u', "scheduler.procs", (int64_t)res->procs}, {" Ps", 0, NULL, 0});
    ROW(f, "Runnable", {"", 'd', "scheduler.sched_wait_ns", res->sched_wait_time},
        {" waiting to run in all", 0, NULL, 0});
    latency_row(f, "Sched latency", "scheduler.sched_latency", &res->sched_latency);
    for (size_t i = 0; i < res->n_worst; i++) {
        snprintf(k, sizeof k, "scheduler.longest_waits.%zu.latency_ns", i);
        fprintf(f, "<tr><th>%s</th><td>", i ? "" : "Longest waits");
        fig_dur(f, k, res->worst[i].latency);
        fprintf(f, " G%lld ", (long long)res->worst[i].goroutine);
        html_name(f, res->worst[i].name, "(unknown)");
        fputs(" at ", f);
        html_duration(f, res->worst[i].time - res->start);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<table class=\"kv\">\n<caption>GC</caption>\n", f);
    ROW(f, "Cycles", {"", 'u', "gc.cycles", (int64_t)res->gc_cycles});
    ROW(f, "Stop-the-world", {"", 'u', "gc.stw_count", (int64_t)res->stw_count},
        {" pauses, ", 'd', "gc.stw_total_ns", res->stw_total}, {" in all, longest ", 'd', "gc.stw_max_ns", res->stw_max});
    ROW(f, "Mark assists", {"", 'u', "gc.mark_assists", (int64_t)res->mark_assists},
        {", ", 'd', "gc.mark_assist_ns", res->mark_assist_time}, {" in all", 0, NULL, 0});
    fputs("<tr><th>MMU</th><td>", f);
    for (int i = 0; i < 3; i++) {
        html_duration(f, res->mmu[i].window);
        fputs(": ", f);
        snprintf(k, sizeof k, "gc.mmu.%d.mmu", i);
        if (res->mmu[i].valid)
            fig_f64(f, k, res->mmu[i].mmu);
        else
            fputs("-", f);
        fputs(i < 2 ? ", " : "", f);
    }
    fputs("</td></tr>\n", f);
    if (res->has_heap)
        bytes_row(f, "Heap (live)", "gc.heap", res->heap_min, res->heap_max);
    if (res->has_heap_goal)
        bytes_row(f, "Heap goal", "gc.heap_goal", res->heap_goal_min, res->heap_goal_max);
    fputs("</table>\n<table class=\"kv\">\n<caption>Blocking</caption>\n", f);
    for (size_t i = 0; i < res->n_block; i++) {
        char kt[64], kc[64];
        snprintf(kt, sizeof kt, "blocking.%zu.time_ns", i);
        snprintf(kc, sizeof kc, "blocking.%zu.count", i);
        fputs("<tr><th>", f);
        html_name(f, res->block[i].reason, "(no reason)");
        fputs("</th><td>", f);
        fig_dur(f, kt, res->block[i].time);
        fputs(" in ", f);
        fig_u64(f, kc, res->block[i].count);
        fputs("</td></tr>\n", f);
    }
    if (res->n_block == 0)
        fputs("<tr><td>none</td></tr>\n", f);
    fputs("</table>\n</div>\n</section>\n", f);
}

/* ------------------------------------------------------------- overview */

/* The colour rank of a strip group: its place among the overview's top
 * groups by execution time, TOP_GROUPS for the others. */
static size_t group_rank(const gt_overview_result *res, gt_str name)
{
    for (size_t i = 0; i < res->n_groups && i < TOP_GROUPS; i++)
        if (au_str_eq(res->groups[i].name, name))
            return i;
    return TOP_GROUPS;
}

enum { LEVELS = 4 };

static int level_of(int64_t busy, int64_t width)
{
    if (busy <= 0)
        return -1;
    int l = (int)((busy * LEVELS - 1) / width);
    return l < LEVELS ? l : LEVELS - 1;
}

/* One row of buckets as a compact SVG (x in buckets, stretched to the
 * cell): a path per colour and busy level, a rectangle per run of equal
 * buckets. colour_of gives the colour rank of a bucket, or the same one
 * for every bucket when ranks is NULL. */
static void strip_row(FILE *f, const char *label, const gt_strip_bucket *b, uint32_t n, int64_t width,
                      const size_t *ranks, const char *single, const gt_strip *s)
{
    fprintf(f, "<tr><th>%s</th><td><svg class=\"row\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u 1\" "
               "preserveAspectRatio=\"none\">",
            label, n);
    for (size_t colour = 0; colour <= (ranks ? TOP_GROUPS : 0); colour++)
        for (int level = 0; level < LEVELS; level++) {
            int open = 0;
            for (uint32_t i = 0; i < n;) {
                int l = level_of(b[i].busy, width);
                size_t c = ranks ? (b[i].group ? ranks[b[i].group - 1] : TOP_GROUPS) : 0;
                if (l != level || c != colour) {
                    i++;
                    continue;
                }
                uint32_t j = i + 1;
                while (j < n && level_of(b[j].busy, width) == level &&
                       (ranks ? (b[j].group ? ranks[b[j].group - 1] : TOP_GROUPS) : 0) == colour)
                    j++;
                if (!open) {
                    fprintf(f, "<path fill=\"%s\" fill-opacity=\"%.2f\" d=\"", ranks ? html_colour(colour) : single,
                            (level + 1.0) / LEVELS);
                    open = 1;
                }
                fprintf(f, "M%u 0h%uv1h-%uz", i, j - i, j - i);
                i = j;
            }
            if (open) {
                fputs("\"><title>", f);
                fputs(label, f);
                if (ranks) {
                    fputs(": ", f);
                    if (colour < TOP_GROUPS) {
                        for (size_t g = 0; g < gt_strip_group_count(s); g++)
                            if (ranks[g] == colour) {
                                html_name(f, gt_strip_group_name(s, g), "(unknown)");
                                break;
                            }
                    } else {
                        fputs("other groups", f);
                    }
                }
                fprintf(f, ", %d-%d%% busy</title></path>", level * 100 / LEVELS, (level + 1) * 100 / LEVELS);
            }
        }
    fputs("</svg></td></tr>\n", f);
}

static void counter_row(FILE *f, const char *label, const int64_t *v, uint32_t n, int bytes)
{
    if (!v || n == 0)
        return;
    int64_t most = 1;
    for (uint32_t i = 0; i < n; i++)
        if (v[i] > most)
            most = v[i];
    fprintf(f, "<tr><th>%s<br/><small>max ", label);
    if (bytes)
        fprintf(f, "%.1f MiB", (double)most / 1048576);
    else
        fprintf(f, "%lld", (long long)most);
    fprintf(f, "</small></th><td><svg class=\"row counter\" xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 %u 100\" preserveAspectRatio=\"none\"><path fill=\"#bcd\" stroke=\"#468\" "
               "vector-effect=\"non-scaling-stroke\" d=\"M0 100",
            n);
    for (uint32_t i = 0; i < n; i++) {
        int y = v[i] < 0 ? 100 : 100 - (int)(v[i] * 100 / most);
        fprintf(f, "L%u %dL%u %d", i, y, i + 1, y);
    }
    fprintf(f, "L%u 100z\"/></svg></td></tr>\n", n);
}

static void section_overview(FILE *f, const gt_strip *s, const gt_overview_result *res)
{
    uint32_t n = gt_strip_bucket_count(s);
    int64_t width = gt_strip_bucket_ns(s);
    fputs("<section id=\"overview\">\n<h2>Overview</h2>\n", f);
    if (n == 0) {
        fputs("<p>No events.</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>What ran on each P over time, coloured by goroutine group (the shade: how busy), in %u "
               "columns of ",
            n);
    html_duration(f, width);
    fputs(".</p>\n<p class=\"legend\">", f);
    for (size_t i = 0; i < res->n_groups && i < TOP_GROUPS; i++) {
        fprintf(f, "<span><i style=\"background:%s\"></i>", html_colour(i));
        html_name(f, res->groups[i].name, "(unknown)");
        fputs("</span> ", f);
    }
    fprintf(f, "<span><i style=\"background:%s\"></i>other groups</span></p>\n", html_colour(TOP_GROUPS));
    size_t ng = gt_strip_group_count(s);
    size_t *ranks = malloc((ng ? ng : 1) * sizeof *ranks);
    if (!ranks) {
        fputs("<p>Out of memory.</p>\n</section>\n", f);
        return;
    }
    for (size_t g = 0; g < ng; g++)
        ranks[g] = group_rank(res, gt_strip_group_name(s, g));
    fputs("<table class=\"strip\">\n", f);
    strip_row(f, "GC", gt_strip_band(s, GT_STRIP_GC), n, width, NULL, "#e15759", s);
    strip_row(f, "STW", gt_strip_band(s, GT_STRIP_STW), n, width, NULL, "#000000", s);
    for (size_t i = 0; i < gt_strip_proc_count(s); i++) {
        int64_t p;
        const gt_strip_bucket *b = gt_strip_proc(s, i, &p);
        char label[32];
        snprintf(label, sizeof label, "P%lld", (long long)p);
        strip_row(f, label, b, n, width, ranks, NULL, s);
    }
    free(ranks);
    counter_row(f, "Heap", gt_strip_counter(s, GT_STRIP_HEAP), n, 1);
    counter_row(f, "Goroutines", gt_strip_counter(s, GT_STRIP_GOROUTINES), n, 0);
    fputs("<tr><th></th><td class=\"axis\">", f);
    for (int q = 0; q <= 4; q++) {
        fputs("<span>", f);
        html_duration(f, (int64_t)((double)n * (double)width * q / 4));
        fputs("</span>", f);
    }
    fputs("</td></tr>\n</table>\n", f);
    if (gt_strip_procs_dropped(s))
        fprintf(f, "<p>%llu more Ps not drawn.</p>\n", (unsigned long long)gt_strip_procs_dropped(s));
    fputs("</section>\n", f);
}

/* --------------------------------------------------------------- groups */

/* A group's time breakdown: the goroutine summaries' stats, summed. */
typedef struct group_sum {
    gt_str name;
    uint64_t count;
    int64_t t[7];   /* by PART_* */
} group_sum;

enum { PART_EXEC, PART_SCHED, PART_SYSCALL, PART_SYSBLOCK, PART_BLOCK, PART_UNKNOWN, PART_TOTAL, N_PARTS = 6 };
static const char *const part_names[N_PARTS] = {"Execution",     "Sched wait", "Syscall",
                                                "Syscall block", "Blocked",    "Unknown"};
static const char *const part_colours[N_PARTS] = {"#59a14f", "#edc948", "#76b7b2", "#4e79a7", "#e15759", "#bab0ac"};

static int cmp_gs_name(const void *a, const void *b)
{
    return au_str_cmp(((const group_sum *)a)->name, ((const group_sum *)b)->name);
}

/* Sums the summary's goroutines by name into *out (sorted by name). */
static size_t sum_groups(const gt_summary *sum, group_sum **out)
{
    size_t n = gt_summary_goroutine_count(sum), k = 0;
    group_sum *gs = calloc(n ? n : 1, sizeof *gs);
    *out = gs;
    if (!gs)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(sum, i);
        gs[i].name = g->name;
        gs[i].count = 1;
        gs[i].t[PART_EXEC] = g->stats.exec_time;
        gs[i].t[PART_SCHED] = g->stats.sched_wait_time;
        gs[i].t[PART_SYSCALL] = g->stats.syscall_time;
        gs[i].t[PART_SYSBLOCK] = g->stats.syscall_block_time;
        for (size_t r = 0; r < g->stats.n_block; r++)
            gs[i].t[PART_BLOCK] += g->stats.block[r].ns;
        gs[i].t[PART_UNKNOWN] = gt_exec_stats_unknown_time(&g->stats);
        gs[i].t[PART_TOTAL] = g->stats.total_time;
    }
    qsort(gs, n, sizeof *gs, cmp_gs_name);
    for (size_t i = 0; i < n; i++) {
        if (k && au_str_eq(gs[k - 1].name, gs[i].name)) {
            gs[k - 1].count++;
            for (int p = 0; p < 7; p++)
                gs[k - 1].t[p] += gs[i].t[p];
        } else {
            gs[k++] = gs[i];
        }
    }
    return k;
}

static void td_dur(FILE *f, int64_t ns)
{
    fprintf(f, "<td data-sort=\"%lld\">", (long long)ns);
    html_duration(f, ns);
    fputs("</td>", f);
}

static void section_groups(FILE *f, const gt_overview *o, const gt_overview_result *res)
{
    group_sum *gs;
    size_t n = sum_groups(gt_overview_summary(o), &gs);
    fputs("<section id=\"groups\">\n<h2>Goroutine groups</h2>\n", f);
    fputs("<p>Goroutines by start function, by execution time (click a heading to sort). The time of each "
          "group as gotrace goroutines shows it, summed.</p>\n",
          f);
    if (!gs) {
        fputs("<p>Out of memory.</p>\n</section>\n", f);
        return;
    }
    int64_t scale = 1;
    for (size_t i = 0; i < res->n_groups && i < TOP_GROUPS; i++) {
        group_sum key = {res->groups[i].name, 0, {0}};
        group_sum *g = bsearch(&key, gs, n, sizeof *gs, cmp_gs_name);
        int64_t sum = 0;
        for (int p = 0; g && p < N_PARTS; p++)
            sum += g->t[p];
        if (sum > scale)
            scale = sum;
    }
    fputs("<div class=\"wide\"><table class=\"sortable data\">\n<thead><tr><th>Group</th><th>Goroutines</th>", f);
    for (int p = 0; p < N_PARTS; p++)
        fprintf(f, "<th><i style=\"background:%s\"></i>%s</th>", part_colours[p], part_names[p]);
    fputs("<th>Breakdown</th></tr></thead>\n<tbody>\n", f);
    char k[64];
    for (size_t i = 0; i < res->n_groups && i < MAX_GROUP_ROWS; i++) {
        const gt_overview_group *og = &res->groups[i];
        group_sum key = {og->name, 0, {0}};
        group_sum *g = bsearch(&key, gs, n, sizeof *gs, cmp_gs_name);
        fputs("<tr><td>", f);
        html_name(f, og->name, "(Inactive, no stack trace sampled)");
        fprintf(f, "</td><td data-sort=\"%llu\">", (unsigned long long)og->count);
        snprintf(k, sizeof k, "goroutine_groups.%zu.count", i);
        fig_u64(f, k, og->count);
        fprintf(f, "</td><td data-sort=\"%lld\">", (long long)og->exec_time);
        snprintf(k, sizeof k, "goroutine_groups.%zu.exec_ns", i);
        fig_dur(f, k, og->exec_time);
        fputs("</td>", f);
        for (int p = 1; p < N_PARTS; p++)
            td_dur(f, g ? g->t[p] : 0);
        fputs("<td>", f);
        if (g && i < TOP_GROUPS)
            html_stacked_bar(f, g->t, part_colours, part_names, N_PARTS, scale);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
    if (res->n_groups > MAX_GROUP_ROWS)
        fprintf(f, "<p>%zu more groups (gotrace goroutines lists them all).</p>\n", res->n_groups - MAX_GROUP_ROWS);
    free(gs);
    fputs("</section>\n", f);
}

/* ----------------------------------------------------------- histograms */

static int cmp_total_desc(const void *a, const void *b)
{
    const gt_strip_durations *x = *(const gt_strip_durations *const *)a, *y = *(const gt_strip_durations *const *)b;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return au_str_cmp(x->name, y->name);
}

/* The distributions of one kind, by total time, at most max of them. */
static size_t durations_of(const gt_strip *s, gt_strip_dur_kind kind, const gt_strip_durations **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < gt_strip_durations_count(s); i++) {
        const gt_strip_durations *d = gt_strip_durations_at(s, i);
        if (d->kind == kind)
            out[n++] = d;
    }
    qsort(out, n, sizeof *out, cmp_total_desc);
    return n < max ? n : max;
}

static void histogram_block(FILE *f, const gt_strip_durations *d, const char *title, int64_t start, int slowest)
{
    fputs("<div class=\"hblock\"><h3>", f);
    html_cstr(f, title);
    fprintf(f, "</h3><p>%llu, ", (unsigned long long)d->count);
    html_duration(f, d->total);
    fputs(" in all, max ", f);
    html_duration(f, d->max);
    fputs("</p>\n", f);
    html_histogram(f, d);
    if (slowest && d->n_slowest) {
        fputs("<table class=\"data\"><thead><tr><th>Slowest</th><th>at</th><th>goroutine</th><th>task</th></tr>"
              "</thead><tbody>\n",
              f);
        for (size_t i = 0; i < d->n_slowest; i++) {
            const gt_strip_instance *in = &d->slowest[i];
            fputs("<tr><td>", f);
            html_duration(f, in->duration);
            fputs("</td><td>", f);
            html_duration(f, in->start - start);
            fputs("</td><td>", f);
            if (in->goroutine != GT_NO_GOROUTINE)
                fprintf(f, "G%lld", (long long)in->goroutine);
            fputs("</td><td>", f);
            if (in->task != GT_NO_TASK && in->task != 0)
                fprintf(f, "%llu", (unsigned long long)in->task);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("</div>\n", f);
}

static void section_latency(FILE *f, const gt_strip *s)
{
    size_t total = gt_strip_durations_count(s);
    const gt_strip_durations **ds = malloc((total ? total : 1) * sizeof *ds);
    fputs("<section id=\"latency\">\n<h2>Scheduling latency and blocking</h2>\n"
          "<p>Durations of the episodes that began and ended in the trace (log scale, five buckets per power "
          "of ten as go tool trace's pages).</p>\n<div class=\"cols\">\n",
          f);
    if (ds) {
        size_t n = durations_of(s, GT_STRIP_SCHED, ds, 1);
        if (n)
            histogram_block(f, ds[0], "Scheduling latency (runnable to running)", gt_strip_start(s), 1);
        n = durations_of(s, GT_STRIP_BLOCK, ds, MAX_HISTOGRAMS);
        for (size_t i = 0; i < n; i++) {
            char title[160];
            snprintf(title, sizeof title, "Blocked: %.*s", (int)(ds[i]->name.len < 120 ? ds[i]->name.len : 120),
                     ds[i]->name.len ? ds[i]->name.ptr : "");
            histogram_block(f, ds[i], title, gt_strip_start(s), 0);
        }
    }
    fputs("</div>\n</section>\n", f);
    free(ds);
}

static void types_table(FILE *f, const char *key, const char *empty, const gt_overview_type *t, size_t n)
{
    char k[96];
    fputs("<table class=\"sortable data\"><thead><tr><th>Type</th><th>Count</th><th>Complete</th><th>p50</th>"
          "<th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n && i < MAX_GROUP_ROWS; i++) {
        fputs("<tr><td>", f);
        html_name(f, t[i].type, empty);
        fprintf(f, "</td><td data-sort=\"%llu\">", (unsigned long long)t[i].count);
        snprintf(k, sizeof k, "%s.%zu.count", key, i);
        fig_u64(f, k, t[i].count);
        fprintf(f, "</td><td data-sort=\"%llu\">", (unsigned long long)t[i].complete);
        snprintf(k, sizeof k, "%s.%zu.complete", key, i);
        fig_u64(f, k, t[i].complete);
        fputs("</td>", f);
        static const char *const pk[] = {"p50_ns", "p90_ns", "p99_ns", "max_ns"};
        const int64_t pv[] = {t[i].duration.p50, t[i].duration.p90, t[i].duration.p99, t[i].duration.max};
        for (int q = 0; q < 4; q++) {
            fprintf(f, "<td data-sort=\"%lld\">", (long long)pv[q]);
            snprintf(k, sizeof k, "%s.%zu.duration.%s", key, i, pk[q]);
            fig_dur(f, k, pv[q]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void section_tasks(FILE *f, const gt_strip *s, const gt_overview_result *res)
{
    size_t total = gt_strip_durations_count(s);
    const gt_strip_durations **ds = malloc((total ? total : 1) * sizeof *ds);
    fputs("<section id=\"tasks\">\n<h2>Tasks and regions</h2>\n", f);
    if (res->n_task_types == 0 && res->n_region_types == 0)
        fputs("<p>The trace has no user tasks or regions.</p>\n", f);
    static const struct { gt_strip_dur_kind kind; const char *what, *key, *empty; } kinds[] = {
        {GT_STRIP_TASK, "Task", "tasks", "(no type)"}, {GT_STRIP_REGION, "Region", "regions", "(inherited)"}};
    for (int k = 0; k < 2; k++) {
        const gt_overview_type *t = k ? res->region_types : res->task_types;
        size_t nt = k ? res->n_region_types : res->n_task_types;
        if (nt == 0)
            continue;
        fprintf(f, "<h3>%ss by type</h3>\n", kinds[k].what);
        types_table(f, kinds[k].key, kinds[k].empty, t, nt);
        if (!ds)
            continue;
        size_t n = durations_of(s, kinds[k].kind, ds, MAX_HISTOGRAMS);
        fputs("<div class=\"cols\">\n", f);
        for (size_t i = 0; i < n; i++) {
            char title[160];
            snprintf(title, sizeof title, "%s %.*s", kinds[k].what,
                     (int)(ds[i]->name.len < 120 ? ds[i]->name.len : 120), ds[i]->name.len ? ds[i]->name.ptr : "");
            histogram_block(f, ds[i], title, gt_strip_start(s), 1);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
    free(ds);
}

/* ------------------------------------------------------------- the rest */

static void section_mmu(FILE *f, gt_mmu *m)
{
    fputs("<section id=\"mmu\">\n<h2>Minimum mutator utilisation</h2>\n"
          "<p>The lowest share of time left to the program in any window of the given length (GC "
          "stop-the-world, background workers, assists and sweeping count against it), as gotrace mmu.</p>\n",
          f);
    int64_t lo, hi;
    gt_mmu_bounds(m, &lo, &hi);
    if (hi > lo)
        svg_mmu_write(f, m, hi - lo);
    else
        fputs("<p>No utilisation data.</p>\n", f);
    fputs("</section>\n", f);
}

typedef struct stack_ref {
    const gt_overview_stack *st;
    gt_str reason;
} stack_ref;

static int cmp_stack_time(const void *a, const void *b)
{
    const stack_ref *x = a, *y = b;
    if (x->st->time != y->st->time)
        return x->st->time < y->st->time ? 1 : -1;
    return (x->st->count < y->st->count) - (x->st->count > y->st->count);
}

static void section_stacks(FILE *f, const gt_overview_result *res)
{
    size_t n = 0;
    for (size_t i = 0; i < res->n_block; i++)
        n += res->block[i].n_stacks;
    stack_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    fputs("<section id=\"stacks\">\n<h2>Top blocking stacks</h2>\n", f);
    if (!refs) {
        fputs("<p>Out of memory.</p>\n</section>\n", f);
        return;
    }
    n = 0;
    for (size_t i = 0; i < res->n_block; i++)
        for (size_t k = 0; k < res->block[i].n_stacks; k++)
            refs[n++] = (stack_ref){&res->block[i].stacks[k], res->block[i].reason};
    qsort(refs, n, sizeof *refs, cmp_stack_time);
    if (n == 0)
        fputs("<p>No blocking with a stack.</p>\n", f);
    for (size_t i = 0; i < n && i < TOP_STACKS; i++) {
        const gt_overview_stack *st = refs[i].st;
        fputs("<details", f);
        fputs(i < 3 ? " open=\"open\"><summary>" : "><summary>", f);
        html_duration(f, st->time);
        fprintf(f, " in %llu, ", (unsigned long long)st->count);
        html_name(f, refs[i].reason, "(no reason)");
        if (st->n_frames) {
            fputs(": ", f);
            html_str(f, st->frames[0].func);
        }
        fputs("</summary><pre>", f);
        for (size_t k = 0; k < st->n_frames && k < STACK_FRAMES; k++) {
            html_str(f, st->frames[k].func);
            fputs("\n    ", f);
            html_str(f, st->frames[k].file);
            fprintf(f, ":%llu\n", (unsigned long long)st->frames[k].line);
        }
        if (st->n_frames > STACK_FRAMES)
            fprintf(f, "... %zu more frames\n", st->n_frames - STACK_FRAMES);
        fputs("</pre></details>\n", f);
    }
    free(refs);
    fputs("</section>\n", f);
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
    "h2{border-bottom:1px solid #ccc;margin-top:1.5em}"
    "nav a{margin-right:1em}"
    ".cols{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}"
    "table.kv caption,table.data caption{text-align:left;font-weight:bold}"
    "table.kv th{text-align:left;padding-right:1em;font-weight:normal;color:#555;vertical-align:top}"
    "table.data{border-collapse:collapse}"
    "table.data td,table.data th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}"
    "table.data td:first-child,table.data th:first-child{text-align:left}"
    "table.sortable th{cursor:pointer}"
    ".wide{overflow-x:auto}"
    "table.strip{width:100%;border-collapse:collapse}"
    "table.strip th{width:6em;text-align:right;padding-right:6px;font-weight:normal;font-size:12px}"
    "table.strip td{padding:1px 0}"
    "svg.row{display:block;width:100%;height:12px;background:#f6f6f6}"
    "svg.counter{height:40px}"
    "td.axis{display:flex;justify-content:space-between;font-size:12px;color:#555}"
    ".legend span{margin-right:1em;white-space:nowrap}"
    "i{display:inline-block;width:10px;height:10px;margin-right:4px}"
    ".hblock{border:1px solid #eee;padding:0 8px 8px}"
    ".hblock h3{font-size:14px;margin:6px 0}"
    "pre{background:#f6f6f6;padding:6px;margin:4px 0 12px}";

/* Sorting by a click on a heading: by data-sort when the cell has one,
 * else by its text. Written without '<' and '&' so that the page stays
 * well-formed XML as well. */
static const char script[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th){\n"
    " th.addEventListener('click',function(){\n"
    "  var table=th.closest('table'),body=table.tBodies[0],col=th.cellIndex;\n"
    "  var dir=th.getAttribute('data-dir')==='desc'?1:-1;\n"
    "  th.setAttribute('data-dir',dir===1?'asc':'desc');\n"
    "  var key=function(row){var c=row.cells[col];var s=c.getAttribute('data-sort');\n"
    "   return s===null?c.textContent:Number(s);};\n"
    "  var rows=Array.prototype.slice.call(body.rows);\n"
    "  rows.sort(function(a,b){var x=key(a),y=key(b);\n"
    "   if(typeof x==='number')return dir*(x-y);return dir*String(x).localeCompare(String(y));});\n"
    "  rows.forEach(function(r){body.appendChild(r);});\n"
    " });\n"
    "});\n"
    "document.body.setAttribute('data-script','ok');\n";

static void write_page(FILE *f, const char *path, const trace_read *info, const gt_overview *o, const gt_strip *s)
{
    const gt_overview_result *res = gt_overview_get(o);
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width\"/>\n<title>gotrace report: ",
          f);
    html_cstr(f, path);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>gotrace report: ", style);
    html_cstr(f, path);
    fprintf(f, "</h1>\n<p>gotrace %s. Times are from the trace's first event.</p>\n", gt_version());
    fputs("<nav><a href=\"#summary\">Summary</a><a href=\"#overview\">Overview</a><a href=\"#groups\">Goroutine "
          "groups</a><a href=\"#latency\">Latency</a><a href=\"#tasks\">Tasks and regions</a><a "
          "href=\"#mmu\">MMU</a><a href=\"#stacks\">Blocking stacks</a></nav>\n",
          f);
    section_summary(f, path, info, res);
    section_overview(f, s, res);
    section_groups(f, o, res);
    section_latency(f, s);
    section_tasks(f, s, res);
    section_mmu(f, gt_overview_mmu(o));
    section_stacks(f, res);
    fprintf(f, "<script>//<![CDATA[\n%s//]]></script>\n</body>\n</html>\n", script);
}

/* ------------------------------------------------------------------ main */

int cmd_report(int argc, char **argv)
{
    const char *path = NULL, *out_path = NULL;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_OUT = 1 };
    static const cli_option opts[] = {{"o", 1, OPT_OUT}, {NULL, 0, 0}};
    cli_args a;
    cli_args_init(&a, "report", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        if (opt != OPT_OUT)
            return CLI_EXIT_USAGE;
        out_path = a.value;
    }
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;
    if (!out_path)
        return cli_usage_error("report", "missing -o OUT (- for standard output)");

    cli_output out;
    cli_input in;
    int rc = cli_open_in_out(&in, &out, "report", path, out_path, 0);
    if (rc)
        return rc;
    gt_overview *o = gt_overview_new();
    gt_strip *s = gt_strip_new(STRIP_BUCKETS);
    trace_read info;
    memset(&info, 0, sizeof info);
    if (!o || !s) {
        fprintf(stderr, "gotrace report: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else {
        rc = read_trace(path, in.fd, o, s, &info);
    }
    /* Go's MMU of a broken trace covers the events up to the last Sync:
     * read those again (not possible from a pipe, whose MMU then covers
     * every event read), as gotrace summary does. */
    if (!rc && info.broken && cli_input_rewind(&in) == 0) {
        gt_mmu *m = gt_mmu_new(GT_OVERVIEW_MMU_FLAGS);
        au_pass_result res;
        rc = m ? au_pass_fd("report", path, in.fd, info.valid_events, feed_mmu, m, &res) : CLI_EXIT_TRACE;
        if (rc)
            gt_mmu_free(m);
        else
            gt_overview_replace_mmu(o, m);
    }
    int in_rc = cli_input_close(&in);
    if (!rc && (gt_overview_finish(o, info.broken) || gt_strip_finish(s))) {
        fprintf(stderr, "gotrace report: out of memory\n");
        rc = CLI_EXIT_TRACE;
    }
    if (!rc) {
        write_page(out.f, path, &info, o, s);
        rc = cli_write_check(out.f);
        if (rc)
            cli_output_abort(&out);
        else
            rc = cli_output_close(&out);
    } else {
        cli_output_abort(&out);
    }
    gt_overview_free(o);
    gt_strip_free(s);
    if (rc)
        return rc;
    if (info.broken) {
        au_report_failure(path, &(au_pass_result){.failed = 1, .error = info.error, .progress = info.progress});
        return CLI_EXIT_TRACE;
    }
    return in_rc;
}
