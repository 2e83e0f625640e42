/* gotrace goroutines: Go's goroutine analysis (internal/trace Summarizer),
 * presented as `go tool trace`'s goroutines pages (cmd/trace/goroutines.go):
 * groups by start function, one group's goroutines, or one goroutine. */
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace goroutines [--json] [--name FUNC | --id N] [--sort STAT] [--from D] [--to D] FILE\n\n"
               "Per-goroutine time breakdown, as go tool trace's goroutine pages.\n"
               "Without options: goroutines grouped by start function, by total execution time.\n\n"
               "  --name FUNC   the goroutines whose start function is FUNC ('' = unnamed)\n"
               "  --id N        one goroutine's breakdown\n"
               "  --sort STAT   with --name: sort by this non-overlapping stat\n"
               "                (e.g. 'Execution time', 'Block time (chan receive)'); default total\n"
               "  --json        every goroutine (or the selected ones) as JSON\n"
               "  --from D, --to D  only the window from D to D after the trace start (Go's\n"
               "                durations: 1.5s, 300ms): goroutines alive in it, their times\n"
               "                inside it (the man page, WINDOWS, says exactly)\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

/* Go's NonOverlappingStats: name -> duration. */
typedef struct stat_entry {
    char name[512];
    int64_t ns;
} stat_entry;

static size_t non_overlapping(const gt_exec_stats *s, stat_entry *out, size_t cap)
{
    size_t n = 0;
    const struct { const char *name; int64_t ns; } fixed[] = {
        {"Execution time", s->exec_time},
        {"Sched wait time", s->sched_wait_time},
        {"Syscall execution time", s->syscall_time},
        {"Block time (syscall)", s->syscall_block_time},
        {"Unknown time", gt_exec_stats_unknown_time(s)},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < cap; i++, n++) {
        snprintf(out[n].name, sizeof out[n].name, "%s", fixed[i].name);
        out[n].ns = fixed[i].ns;
    }
    for (size_t i = 0; i < s->n_block; i++) {
        char name[512];
        snprintf(name, sizeof name, "Block time (%.*s)", (int)s->block[i].name.len, s->block[i].name.ptr);
        size_t k = 0;
        while (k < n && strcmp(out[k].name, name))
            k++;
        if (k == n) {
            if (n == cap)
                continue;
            snprintf(out[n].name, sizeof out[n].name, "%s", name);
            out[n++].ns = 0;
        }
        out[k].ns += s->block[i].ns;  /* "syscall" adds to Block time (syscall) */
    }
    return n;
}

/* Execution time first, then by name (goroutines.go's column order). */
static int cmp_stat_name(const void *a, const void *b)
{
    const char *x = ((const stat_entry *)a)->name, *y = ((const stat_entry *)b)->name;
    int xe = !strcmp(x, "Execution time"), ye = !strcmp(y, "Execution time");
    if (xe || ye)
        return ye - xe;
    return strcmp(x, y);
}

static void print_percent(FILE *f, int64_t part, int64_t whole)
{
    if (whole)
        fprintf(f, " (%.1f%%)", (double)part / (double)whole * 100);
}

static void print_goroutine_json(au_json *j, const gt_goroutine_summary *g)
{
    au_json_object(j, NULL);
    au_json_i64(j, "id", g->id);
    au_json_str(j, "name", g->name);
    au_json_u64(j, "pc", g->pc);
    au_json_i64(j, "creation_time", g->creation_time);
    au_json_i64(j, "start_time", g->start_time);
    au_json_i64(j, "end_time", g->end_time);
    au_json_stats(j, &g->stats);
    au_json_array(j, "regions");
    for (size_t i = 0; i < g->n_regions; i++)
        au_json_region(j, g->regions[i]);
    au_json_end_array(j);
    au_json_end_object(j);
}

static int name_matches(const gt_goroutine_summary *g, const char *name)
{
    return name && au_str_eq(g->name, (gt_str){name, strlen(name)});
}

/* The groups of the library (gt_summary_groups: the overview's too). */
static int print_groups(const gt_summary *s)
{
    size_t ng = gt_summary_goroutine_count(s), ngroups;
    gt_overview_group *groups = gt_summary_groups(s, &ngroups);
    int64_t total = 0;
    if (!groups) {
        fprintf(stderr, "gotrace goroutines: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    for (size_t k = 0; k < ngroups; k++)
        total += groups[k].exec_time;
    printf("%-60s %7s  %s\n", "Start location", "Count", "Total execution time");
    for (size_t k = 0; k < ngroups; k++) {
        char d[40];
        if (groups[k].name.len)
            au_print_str(stdout, groups[k].name);
        else
            fputs("(Inactive, no stack trace sampled)", stdout);
        int pad = 60 - (int)(groups[k].name.len ? groups[k].name.len : 34);
        printf("%*s %7llu  %s", pad > 0 ? pad : 0, "", (unsigned long long)groups[k].count,
               au_duration(d, groups[k].exec_time));
        print_percent(stdout, groups[k].exec_time, total);
        putchar('\n');
    }
    printf("%zu goroutines, %zu start locations\n", ng, ngroups);
    gt_free(groups);
    return CLI_EXIT_OK;
}

static void print_one(const gt_summary *s, const gt_goroutine_summary *g)
{
    char d[40];
    stat_entry st[64];
    size_t n = non_overlapping(&g->stats, st, 64);
    qsort(st, n, sizeof *st, cmp_stat_name);
    printf("Goroutine %lld: ", (long long)g->id);
    if (g->name.len)
        au_print_str(stdout, g->name);
    else
        fputs("(Inactive, no stack trace sampled)", stdout);
    /* Times from the trace's start; 0 is Go's "not in the trace". */
    int64_t t0 = gt_summary_first_time(s);
    putchar('\n');
    printf("  %-34s %s\n", "Created",
           g->creation_time ? au_since(d, g->creation_time, t0)
                            : au_windowed() ? "- (before the window)" : "- (before the trace)");
    printf("  %-34s %s\n", "Started", g->start_time ? au_since(d, g->start_time, t0) : "- (never ran)");
    printf("  %-34s %s\n", "Ended", g->end_time ? au_since(d, g->end_time, t0) : "- (still alive)");
    printf("  %-34s %s\n", "Total time", au_duration(d, g->stats.total_time));
    for (size_t i = 0; i < n; i++) {
        if (!st[i].ns)
            continue;
        printf("  %-34s %s", st[i].name, au_duration(d, st[i].ns));
        print_percent(stdout, st[i].ns, g->stats.total_time);
        putchar('\n');
    }
    for (size_t i = 0; i < g->stats.n_range; i++) {
        printf("  ");
        au_print_str(stdout, g->stats.range[i].name);
        int pad = 34 - (int)g->stats.range[i].name.len;
        printf("%*s %s", pad > 0 ? pad : 0, "", au_duration(d, g->stats.range[i].ns));
        print_percent(stdout, g->stats.range[i].ns, g->stats.total_time);
        putchar('\n');
    }
    printf("  %-34s %zu\n", "Regions", g->n_regions);
}

typedef struct grow {
    const gt_goroutine_summary *g;
    int64_t key;
} grow;

static int cmp_grow(const void *a, const void *b)
{
    const grow *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return (x->g->id > y->g->id) - (x->g->id < y->g->id);
}

static int print_group(const gt_summary *s, const char *name, const char *sortby)
{
    size_t ng = gt_summary_goroutine_count(s), n = 0;
    grow *rows = calloc(ng ? ng : 1, sizeof *rows);
    stat_entry cols[64];
    size_t ncols = 0;
    int64_t total_exec = 0, exec = 0;
    if (!rows)
        return CLI_EXIT_TRACE;
    for (size_t i = 0; i < ng; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(s, i);
        total_exec += g->stats.exec_time;
        if (!name_matches(g, name))
            continue;
        exec += g->stats.exec_time;
        stat_entry st[64];
        size_t k = non_overlapping(&g->stats, st, 64);
        rows[n].g = g;
        rows[n].key = g->stats.total_time;
        for (size_t a = 0; a < k; a++) {
            if (sortby && !strcmp(st[a].name, sortby))
                rows[n].key = st[a].ns;
            size_t c = 0;
            while (c < ncols && strcmp(cols[c].name, st[a].name))
                c++;
            if (c == ncols && ncols < 64)
                cols[ncols++] = st[a];
        }
        n++;
    }
    if (n == 0) {
        free(rows);
        fprintf(stderr, "gotrace goroutines: no goroutine with start function '%s'\n", name);
        return CLI_EXIT_USAGE;
    }
    qsort(rows, n, sizeof *rows, cmp_grow);
    qsort(cols, ncols, sizeof *cols, cmp_stat_name);
    printf("Goroutines: %s\nNumber of goroutines: %zu\n", name[0] ? name : "(Inactive, no stack trace sampled)", n);
    if (total_exec > 0)
        printf("Execution time: %.2f%% of total program execution time\n", (double)exec / (double)total_exec * 100);
    printf("\n%8s %14s", "Goroutine", "Total");
    for (size_t c = 0; c < ncols; c++)
        printf("  %s", cols[c].name);
    putchar('\n');
    for (size_t r = 0; r < n; r++) {
        char d[40];
        stat_entry st[64];
        size_t k = non_overlapping(&rows[r].g->stats, st, 64);
        printf("%9lld %14s", (long long)rows[r].g->id, au_duration(d, rows[r].g->stats.total_time));
        for (size_t c = 0; c < ncols; c++) {
            int64_t v = 0;
            for (size_t a = 0; a < k; a++)
                if (!strcmp(st[a].name, cols[c].name))
                    v = st[a].ns;
            printf("  %*s", (int)strlen(cols[c].name), v ? au_duration(d, v) : "-");
        }
        putchar('\n');
    }
    free(rows);
    return CLI_EXIT_OK;
}

int cmd_goroutines(int argc, char **argv)
{
    const char *path = NULL, *name = NULL, *sortby = NULL;
    int json = 0, have_id = 0;
    long long id = 0;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_JSON = 1, OPT_NAME, OPT_SORT, OPT_ID, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {
        {"json", 0, OPT_JSON}, {"name", 1, OPT_NAME}, {"sort", 1, OPT_SORT}, {"id", 1, OPT_ID},
        AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO), {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "goroutines", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        char *end;
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_NAME: name = a.value; break;
        case OPT_SORT: sortby = a.value; break;
        case OPT_ID:
            id = strtoll(a.value, &end, 10);
            if (*end || end == a.value)
                return cli_usage_error("goroutines", "bad goroutine ID '%s'", a.value);
            have_id = 1;
            break;
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("goroutines", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path) || au_window_ready("goroutines"))
        return CLI_EXIT_USAGE;
    if (have_id && name)
        return cli_usage_error("goroutines", "--id and --name exclude each other");
    /* --sort orders the table of one group (--name) and nothing else. */
    if (sortby && (!name || json))
        return cli_usage_error("goroutines", "--sort orders the --name table: it needs --name and no --json");

    gt_summary *s;
    int broken;
    /* Only --json lists regions; the tables print their number, which a
     * streaming summary counts without keeping them. */
    au_stream counts_only = {NULL, NULL, NULL, 0};
    int rc = au_summarize_stream("goroutines", path, json ? NULL : &counts_only, &s, &broken);
    if (rc)
        return rc;
    const gt_goroutine_summary *one = NULL;
    if (have_id && !(one = gt_summary_find_goroutine(s, id))) {
        gt_summary_free(s);
        fprintf(stderr, "gotrace goroutines: no goroutine %lld in the trace\n", id);
        return CLI_EXIT_USAGE;
    }
    if (json) {
        au_json j;
        au_json_init(&j, stdout);
        au_json_object(&j, NULL);
        au_json_i64(&j, "trace_start_ns", gt_summary_first_time(s));
        au_json_window(&j, gt_summary_first_time(s), gt_summary_last_time(s));
        au_json_array(&j, "goroutines");
        for (size_t i = 0; i < gt_summary_goroutine_count(s); i++) {
            const gt_goroutine_summary *g = gt_summary_goroutine(s, i);
            if ((one && g != one) || (name && !name_matches(g, name)))
                continue;
            print_goroutine_json(&j, g);
        }
        au_json_end_array(&j);
        au_json_end_object(&j);
    } else if (one) {
        au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
        print_one(s, one);
    } else if (name) {
        au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
        rc = print_group(s, name, sortby);
    } else {
        au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
        rc = print_groups(s);
    }
    gt_summary_free(s);
    if (rc)
        return rc;
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
