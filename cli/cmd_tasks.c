/* gotrace tasks: user tasks as go tool trace's /usertasks and /usertask
 * pages (cmd/trace/tasks.go): per type counts and duration histograms, or
 * the tasks matching its filters. */
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace tasks [--type T] [--complete|--incomplete] [--latmin D] [--latmax D]\n"
               "                    [--logtext S] [--from D] [--to D] [--json] FILE\n\n"
               "Without filters: task types with their count and the duration histogram of\n"
               "their complete tasks. With filters: the matching tasks with their logs.\n\n"
               "  --type T        tasks of type T\n"
               "  --complete      tasks with a begin and an end; --incomplete the others\n"
               "  --latmin D      complete tasks lasting at least D (e.g. 10ms)\n"
               "  --latmax D      complete tasks lasting at most D\n"
               "  --logtext S     tasks whose type, region types or log messages contain S\n"
               "  --json          the (matching) tasks as JSON\n"
               "  --from D, --to D  only the window from D to D after the trace start\n"
               "                (1.5s, 300ms; the man page, WINDOWS, says what counts)\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

typedef struct task_filter {
    const char *type;
    int complete;  /* 1 complete, 0 incomplete, -1 any */
    int has_latmin, has_latmax;
    int64_t latmin, latmax;
    const char *logtext;
    int any;
    int64_t trace_end;  /* where a task without an end ends (au_trace_end) */
} task_filter;

static int contains(gt_str s, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= s.len; i++)
        if (!memcmp(s.ptr + i, text, n))
            return 1;
    return 0;
}

static int is_complete(const gt_task_summary *t) { return t->has_start && t->has_end; }

static int matches(const gt_summary *s, const gt_task_summary *t, const task_filter *f)
{
    if (f->type && !au_str_eq(t->name, (gt_str){f->type, strlen(f->type)}))
        return 0;
    if (f->complete >= 0 && is_complete(t) != f->complete)
        return 0;
    int64_t start = t->has_start ? t->start : au_span_start(s);
    int64_t end = t->has_end ? t->end : f->trace_end;
    if (f->has_latmin && !(is_complete(t) && end - start >= f->latmin))
        return 0;
    if (f->has_latmax && !(is_complete(t) && end - start <= f->latmax))
        return 0;
    if (f->logtext) {
        int hit = contains(t->name, f->logtext);
        for (size_t i = 0; i < t->n_regions && !hit; i++)
            hit = contains(t->regions[i]->name, f->logtext);
        for (size_t i = 0; i < t->n_logs && !hit; i++)
            hit = contains(t->logs[i].message, f->logtext);
        if (!hit)
            return 0;
    }
    return 1;
}

static void task_json(au_json *j, const gt_task_summary *t)
{
    au_json_object(j, NULL);
    au_json_u64(j, "id", t->id);
    au_json_str(j, "name", t->name);
    if (t->parent == GT_NO_TASK)
        au_json_null(j, "parent");
    else
        au_json_u64(j, "parent", t->parent);
    au_json_array(j, "children");
    for (size_t i = 0; i < t->n_children; i++)
        au_json_u64(j, NULL, t->children[i]);
    au_json_end_array(j);
    if (t->has_start)
        au_json_i64(j, "start", t->start);
    else
        au_json_null(j, "start");
    if (t->has_end)
        au_json_i64(j, "end", t->end);
    else
        au_json_null(j, "end");
    au_json_array(j, "logs");
    for (size_t i = 0; i < t->n_logs; i++) {
        au_json_object(j, NULL);
        au_json_i64(j, "time", t->logs[i].time);
        au_json_i64(j, "goroutine", t->logs[i].goroutine);
        au_json_str(j, "category", t->logs[i].category);
        au_json_str(j, "message", t->logs[i].message);
        au_json_end_object(j);
    }
    au_json_end_array(j);
    au_json_array(j, "regions");
    for (size_t i = 0; i < t->n_regions; i++)
        au_json_region(j, t->regions[i]);
    au_json_end_array(j);
    au_json_array(j, "goroutines");
    for (size_t i = 0; i < t->n_goroutines; i++)
        au_json_i64(j, NULL, t->goroutines[i]);
    au_json_end_array(j);
    au_json_end_object(j);
}

typedef struct type_stats {
    gt_str type;
    long count;
    au_hist hist;
} type_stats;

static int cmp_type(const void *a, const void *b)
{
    const type_stats *x = a, *y = b;
    return au_str_cmp(x->type, y->type);
}

static void print_types(const gt_summary *s)
{
    size_t n = gt_summary_task_count(s), nt = 0;
    type_stats *ts = calloc(n ? n : 1, sizeof *ts);
    if (!ts)
        return;
    for (size_t i = 0; i < n; i++) {
        const gt_task_summary *t = gt_summary_task(s, i);
        size_t k = 0;
        while (k < nt && !au_str_eq(ts[k].type, t->name))
            k++;
        if (k == nt)
            ts[nt++].type = t->name;
        ts[k].count++;
        if (is_complete(t))
            au_hist_add(&ts[k].hist, t->end - t->start);
    }
    qsort(ts, nt, sizeof *ts, cmp_type);
    printf("%-40s %8s  %s\n", "Task type", "Count", "Duration distribution (complete tasks)");
    for (size_t k = 0; k < nt; k++) {
        au_print_str(stdout, ts[k].type);
        int pad = 40 - (int)ts[k].type.len;
        printf("%*s %8ld\n", pad > 0 ? pad : 0, "", ts[k].count);
        au_hist_print(stdout, &ts[k].hist, 4);
    }
    free(ts);
}

static void print_task(const gt_summary *s, const gt_task_summary *t, int64_t trace_end)
{
    char d[40];
    int64_t start = t->has_start ? t->start : au_span_start(s);
    int64_t end = t->has_end ? t->end : trace_end;
    printf("Task %llu \"", (unsigned long long)t->id);
    au_print_str(stdout, t->name);
    /* Times from the trace's start; "?" marks an edge outside the trace
     * (the trace's first or last event stands in). */
    char ds[40], de[40];
    int64_t t0 = gt_summary_first_time(s);
    printf("\"%s  start %s%s  end %s%s  duration %s\n", is_complete(t) ? "" : " (incomplete)", au_since(ds, start, t0),
           t->has_start ? "" : "?", au_since(de, end, t0), t->has_end ? "" : "?", au_duration(d, end - start));
    if (t->parent != GT_NO_TASK)
        printf("  parent %llu\n", (unsigned long long)t->parent);
    if (t->n_children) {
        printf("  children");
        for (size_t i = 0; i < t->n_children; i++)
            printf(" %llu", (unsigned long long)t->children[i]);
        putchar('\n');
    }
    printf("  goroutines");
    for (size_t i = 0; i < t->n_goroutines; i++)
        printf(" %lld", (long long)t->goroutines[i]);
    printf("\n  regions %zu\n", t->n_regions);
    for (size_t i = 0; i < t->n_logs; i++) {
        printf("  %14s  G%lld  ", au_duration(d, t->logs[i].time - start), (long long)t->logs[i].goroutine);
        au_print_str(stdout, t->logs[i].category);
        fputs(": ", stdout);
        au_print_str(stdout, t->logs[i].message);
        putchar('\n');
    }
}

int cmd_tasks(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    task_filter f = {NULL, -1, 0, 0, 0, 0, NULL, 0, 0};
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_JSON = 1, OPT_TYPE, OPT_COMPLETE, OPT_INCOMPLETE, OPT_LOGTEXT, OPT_LATMIN, OPT_LATMAX, OPT_FROM,
           OPT_TO };
    static const cli_option opts[] = {
        {"json", 0, OPT_JSON},       {"type", 1, OPT_TYPE},     {"complete", 0, OPT_COMPLETE},
        {"incomplete", 0, OPT_INCOMPLETE}, {"logtext", 1, OPT_LOGTEXT}, {"latmin", 1, OPT_LATMIN},
        {"latmax", 1, OPT_LATMAX},   AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO), {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "tasks", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_TYPE: f.type = a.value; break;
        case OPT_COMPLETE: f.complete = 1; break;
        case OPT_INCOMPLETE: f.complete = 0; break;
        case OPT_LOGTEXT: f.logtext = a.value; break;
        case OPT_LATMIN:
        case OPT_LATMAX:
            if (au_latency_option("tasks", opt == OPT_LATMIN ? "--latmin" : "--latmax", a.value, &f.has_latmin,
                                  &f.latmin, &f.has_latmax, &f.latmax))
                return CLI_EXIT_USAGE;
            break;
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("tasks", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            continue;
        default: return CLI_EXIT_USAGE;
        }
        f.any = f.any || opt != OPT_JSON;
    }
    if (cli_one_file(&a, &path) || au_window_ready("tasks"))
        return CLI_EXIT_USAGE;
    if (cli_option_given(&a, OPT_COMPLETE) && cli_option_given(&a, OPT_INCOMPLETE))
        return cli_usage_error("tasks", "--complete and --incomplete exclude each other");
    /* The latency bounds only select complete tasks. */
    if (cli_option_given(&a, OPT_INCOMPLETE) && (f.has_latmin || f.has_latmax))
        return cli_usage_error("tasks", "--latmin and --latmax select complete tasks: not with --incomplete");
    gt_summary *s;
    int broken;
    /* The type table needs no logs or regions: a streaming summary keeps
     * neither (memory: tasks, goroutines, open regions). The filters and
     * --json print them. */
    au_stream counts_only = {NULL, NULL, NULL, 0};
    int rc = au_summarize_stream("tasks", path, json || f.any ? NULL : &counts_only, &s, &broken);
    if (rc)
        return rc;
    f.trace_end = au_trace_end(s, broken);
    size_t n = gt_summary_task_count(s);
    if (json) {
        au_json j;
        au_json_init(&j, stdout);
        au_json_object(&j, NULL);
        au_json_i64(&j, "trace_start_ns", gt_summary_first_time(s));
        au_json_window(&j, gt_summary_first_time(s), gt_summary_last_time(s));
        au_json_array(&j, "tasks");
        for (size_t i = 0; i < n; i++)
            if (matches(s, gt_summary_task(s, i), &f))
                task_json(&j, gt_summary_task(s, i));
        au_json_end_array(&j);
        au_json_end_object(&j);
    } else if (!f.any) {
        au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
        print_types(s);
    } else {
        size_t shown = 0;
        au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
        for (size_t i = 0; i < n; i++)
            if (matches(s, gt_summary_task(s, i), &f)) {
                print_task(s, gt_summary_task(s, i), f.trace_end);
                shown++;
            }
        printf("%zu of %zu tasks\n", shown, n);
    }
    gt_summary_free(s);
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
