/* gotrace regions: user regions as go tool trace's /userregions and
 * /userregion pages (cmd/trace/regions.go): per type counts and duration
 * histograms, or the matching regions with their time breakdown. */
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace regions [--type T] [--latmin D] [--latmax D] [--json] FILE\n\n"
               "Without filters: region types with their count and duration histogram.\n"
               "With filters: the matching regions, with goroutine, task, duration and the\n"
               "goroutine's time breakdown inside the region.\n\n"
               "  --type T     regions of type T\n"
               "  --latmin D   regions lasting at least D (e.g. 1ms)\n"
               "  --latmax D   regions lasting at most D\n"
               "  --json       the (matching) regions as JSON\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage.\n");
}

typedef struct region_filter {
    const char *type;
    int has_latmin, has_latmax;
    int64_t latmin, latmax;
    int any;
} region_filter;

/* regionInterval: unknown edges are the trace's first / last event. */
static int64_t region_duration(const gt_summary *s, const gt_region_summary *r)
{
    int64_t start = r->start_kind != GT_REGION_EDGE_NONE ? r->start : gt_summary_first_time(s);
    int64_t end = r->end_kind != GT_REGION_EDGE_NONE ? r->end : gt_summary_last_time(s);
    return end - start;
}

static int matches(const gt_summary *s, const gt_region_summary *r, const region_filter *f)
{
    if (f->type && !au_str_eq(r->name, (gt_str){f->type, strlen(f->type)}))
        return 0;
    int64_t d = region_duration(s, r);
    if (f->has_latmin && d < f->latmin)
        return 0;
    if (f->has_latmax && d > f->latmax)
        return 0;
    return 1;
}

typedef struct type_stats {
    gt_str type;
    long count;
    au_hist hist;
} type_stats;

static int cmp_type(const void *a, const void *b)
{
    const type_stats *x = a, *y = b;
    size_t n = x->type.len < y->type.len ? x->type.len : y->type.len;
    int c = n ? memcmp(x->type.ptr, y->type.ptr, n) : 0;
    return c ? c : (x->type.len > y->type.len) - (x->type.len < y->type.len);
}

/* Regions of every goroutine, in goroutine order (the synthetic inherited
 * regions have no type and are left out, as the regions pages do). */
#define FOR_EACH_REGION(s, g, r)                                                            \
    for (size_t gi_ = 0; gi_ < gt_summary_goroutine_count(s); gi_++)                        \
        for (const gt_goroutine_summary *g = gt_summary_goroutine(s, gi_); g; g = NULL)     \
            for (size_t ri_ = 0; ri_ < g->n_regions; ri_++)                                 \
                for (const gt_region_summary *r = g->regions[ri_]; r; r = NULL)             \
                    if (r->start_kind != GT_REGION_EDGE_TRANSITION || r->name.len)

static void print_types(const gt_summary *s)
{
    size_t cap = 16, nt = 0;
    type_stats *ts = calloc(cap, sizeof *ts);
    if (!ts)
        return;
    FOR_EACH_REGION(s, g, r)
    {
        size_t k = 0;
        while (k < nt && !au_str_eq(ts[k].type, r->name))
            k++;
        if (k == nt) {
            if (nt == cap) {
                type_stats *n = realloc(ts, 2 * cap * sizeof *ts);
                if (!n)
                    continue;
                memset(n + cap, 0, cap * sizeof *n);
                ts = n;
                cap *= 2;
            }
            ts[nt++].type = r->name;
        }
        ts[k].count++;
        au_hist_add(&ts[k].hist, region_duration(s, r));
    }
    qsort(ts, nt, sizeof *ts, cmp_type);
    printf("%-40s %8s  %s\n", "Region type", "Count", "Duration distribution");
    for (size_t k = 0; k < nt; k++) {
        au_print_str(stdout, ts[k].type);
        int pad = 40 - (int)ts[k].type.len;
        printf("%*s %8ld\n", pad > 0 ? pad : 0, "", ts[k].count);
        au_hist_print(stdout, &ts[k].hist, 4);
    }
    free(ts);
}

int cmd_regions(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    region_filter f = {NULL, 0, 0, 0, 0, 0};
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "--type") && i + 1 < argc)
            f.type = argv[++i], f.any = 1;
        else if ((!strcmp(a, "--latmin") || !strcmp(a, "--latmax")) && i + 1 < argc) {
            int64_t ns;
            if (au_parse_duration(argv[++i], &ns))
                return cli_usage_error("regions", "bad duration '%s'", argv[i]);
            if (a[5] == 'i')
                f.has_latmin = 1, f.latmin = ns;
            else
                f.has_latmax = 1, f.latmax = ns;
            f.any = 1;
        } else if (a[0] == '-' && a[1])
            return cli_usage_error("regions", "unknown option '%s'", a);
        else if (path)
            return cli_usage_error("regions", "one trace file expected");
        else
            path = a;
    }
    if (!path)
        return cli_usage_error("regions", "missing trace file");
    gt_summary *s;
    int broken;
    int rc = au_summarize("regions", path, &s, &broken);
    if (rc)
        return rc;
    if (json) {
        au_json j;
        au_json_init(&j, stdout);
        au_json_object(&j, NULL);
        au_json_array(&j, "regions");
        FOR_EACH_REGION(s, g, r)
        if (matches(s, r, &f))
            au_json_region(&j, r);
        au_json_end_array(&j);
        au_json_end_object(&j);
    } else if (!f.any) {
        print_types(s);
    } else {
        char d[40], e[40], w[40], b[40], sc[40];
        size_t shown = 0;
        printf("%10s %8s %14s %12s %12s %12s %12s %12s  %s\n", "Goroutine", "Task", "Start", "Duration", "Execution",
               "Sched wait", "Blocked", "Syscall", "Type");
        FOR_EACH_REGION(s, g, r)
        {
            if (!matches(s, r, &f))
                continue;
            int64_t blocked = r->stats.syscall_block_time;
            for (size_t i = 0; i < r->stats.n_block; i++)
                blocked += r->stats.block[i].ns;
            printf("%10lld %8llu %14lld %12s %12s %12s %12s %12s  ", (long long)g->id, (unsigned long long)r->task,
                   (long long)r->start, au_duration(d, region_duration(s, r)), au_duration(e, r->stats.exec_time),
                   au_duration(w, r->stats.sched_wait_time), au_duration(b, blocked),
                   au_duration(sc, r->stats.syscall_time));
            au_print_str(stdout, r->name);
            putchar('\n');
            shown++;
        }
        printf("%zu regions\n", shown);
    }
    gt_summary_free(s);
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
