/* gotrace regions: user regions as go tool trace's /userregions and
 * /userregion pages (cmd/trace/regions.go): groups by region type and start
 * frame with counts and duration histograms, or the matching regions with
 * their time breakdown. */
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace regions [--type T] [--pc HEX] [--latmin D] [--latmax D] [--json] FILE\n\n"
               "Without filters: regions grouped by type and start frame (the outermost\n"
               "frame of the stack where the region began, as go tool trace's Regions page)\n"
               "with their count and duration histogram.\n"
               "With filters: the matching regions, longest first, with goroutine, task,\n"
               "duration and the goroutine's time breakdown inside the region.\n\n"
               "  --type T     regions of type T ('' = the unnamed regions a goroutine\n"
               "               inherits from its creator)\n"
               "  --pc HEX     regions whose start frame has this PC (e.g. 4b5d2c or 0x4b5d2c)\n"
               "  --latmin D   regions lasting at least D (e.g. 1ms)\n"
               "  --latmax D   regions lasting at most D\n"
               "  --json       {\"groups\": [...], \"regions\": [...]}: the groups and the\n"
               "               regions, both over the matching regions\n"
               "Regions cut by the trace's start or end last from the first or to the last\n"
               "event. FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage.\n");
}

typedef struct region_filter {
    const char *type;
    int has_pc;
    uint64_t pc;
    int has_latmin, has_latmax;
    int64_t latmin, latmax;
    int any;
    int64_t trace_start, trace_end;  /* where unknown region edges lie */
} region_filter;

/* cmd/trace's regionInterval(...).duration(). */
static int64_t region_duration(const region_filter *f, const gt_region_summary *r)
{
    int64_t start = r->start_kind != GT_REGION_EDGE_NONE ? r->start : f->trace_start;
    int64_t end = r->end_kind != GT_REGION_EDGE_NONE ? r->end : f->trace_end;
    return end - start;
}

static int matches(const gt_region_summary *r, const region_filter *f)
{
    if (f->type && !au_str_eq(r->name, (gt_str){f->type, strlen(f->type)}))
        return 0;
    if (f->has_pc && r->start_frame.pc != f->pc)
        return 0;
    int64_t d = region_duration(f, r);
    if (f->has_latmin && d < f->latmin)
        return 0;
    if (f->has_latmax && d > f->latmax)
        return 0;
    return 1;
}

/* A matching region with its goroutine and duration. */
typedef struct region_ref {
    const gt_region_summary *r;
    int64_t goroutine;
    int64_t duration;
    size_t order;  /* position in goroutine order, to break ties */
} region_ref;

static int cmp_bytes(gt_str a, gt_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

#define CMP_NUM(x, y) (((x) > (y)) - ((x) < (y)))

/* Go's group order (type, then PC); the rest of the frame only separates
 * groups that Go's map keeps apart. */
static int cmp_fingerprint(const void *a, const void *b)
{
    const gt_region_summary *x = ((const region_ref *)a)->r, *y = ((const region_ref *)b)->r;
    int c = cmp_bytes(x->name, y->name);
    if (!c)
        c = CMP_NUM(x->start_frame.pc, y->start_frame.pc);
    if (!c)
        c = cmp_bytes(x->start_frame.func, y->start_frame.func);
    if (!c)
        c = cmp_bytes(x->start_frame.file, y->start_frame.file);
    if (!c)
        c = CMP_NUM(x->start_frame.line, y->start_frame.line);
    if (!c)
        c = CMP_NUM(((const region_ref *)a)->order, ((const region_ref *)b)->order);
    return c;
}

static int same_fingerprint(const gt_region_summary *x, const gt_region_summary *y)
{
    return au_str_eq(x->name, y->name) && x->start_frame.pc == y->start_frame.pc &&
           au_str_eq(x->start_frame.func, y->start_frame.func) && au_str_eq(x->start_frame.file, y->start_frame.file) &&
           x->start_frame.line == y->start_frame.line;
}

/* The /userregion page's default order: longest presence (TotalTime) first. */
static int cmp_total_desc(const void *a, const void *b)
{
    const region_ref *x = a, *y = b;
    int c = CMP_NUM(y->r->stats.total_time, x->r->stats.total_time);
    return c ? c : CMP_NUM(x->order, y->order);
}

/* The matching regions of every goroutine, in goroutine order, every region
 * included (also the unnamed inherited ones, as Go's pages do). NULL with
 * *n = 0 when there are none; NULL with *n = SIZE_MAX on no memory. */
static region_ref *collect(const gt_summary *s, const region_filter *f, size_t *n)
{
    size_t total = 0, k = 0;
    for (size_t gi = 0; gi < gt_summary_goroutine_count(s); gi++)
        total += gt_summary_goroutine(s, gi)->n_regions;
    *n = 0;
    if (total == 0)
        return NULL;
    region_ref *refs = malloc(total * sizeof *refs);
    if (!refs) {
        *n = SIZE_MAX;
        return NULL;
    }
    for (size_t gi = 0; gi < gt_summary_goroutine_count(s); gi++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(s, gi);
        for (size_t ri = 0; ri < g->n_regions; ri++)
            if (matches(g->regions[ri], f))
                refs[k] = (region_ref){g->regions[ri], g->id, region_duration(f, g->regions[ri]), k}, k++;
    }
    *n = k;
    return refs;
}

/* Calls fn for each group of refs (sorted by cmp_fingerprint): the group's
 * first region, its size and its duration histogram. */
typedef void (*group_fn)(void *ctx, const gt_region_summary *first, long count, const au_hist *h);

static void for_each_group(region_ref *refs, size_t n, group_fn fn, void *ctx)
{
    if (n == 0)
        return;  /* refs is NULL */
    qsort(refs, n, sizeof *refs, cmp_fingerprint);
    for (size_t i = 0; i < n;) {
        au_hist h;
        memset(&h, 0, sizeof h);
        size_t j = i;
        while (j < n && same_fingerprint(refs[i].r, refs[j].r))
            au_hist_add(&h, refs[j++].duration);
        fn(ctx, refs[i].r, (long)(j - i), &h);
        i = j;
    }
}

static void group_json(void *ctx, const gt_region_summary *r, long count, const au_hist *h)
{
    au_json *j = ctx;
    au_json_object(j, NULL);
    au_json_str(j, "type", r->name);
    au_json_frame(j, "frame", &r->start_frame);
    au_json_i64(j, "count", count);
    au_json_array(j, "histogram");
    for (int b = h->min_bucket; b <= h->max_bucket && h->count; b++) {
        au_json_object(j, NULL);
        au_json_i64(j, "min", au_hist_bucket_min(b));
        au_json_i64(j, "count", h->buckets[b]);
        au_json_end_object(j);
    }
    au_json_end_array(j);
    au_json_end_object(j);
}

static void group_text(void *ctx, const gt_region_summary *r, long count, const au_hist *h)
{
    (void)ctx;
    putchar('"');
    au_print_str(stdout, r->name);
    printf("\"  %ld\n    ", count);
    au_print_str(stdout, r->start_frame.func);
    printf(" @ 0x%llx\n    ", (unsigned long long)r->start_frame.pc);
    au_print_str(stdout, r->start_frame.file);
    printf(":%llu\n", (unsigned long long)r->start_frame.line);
    au_hist_print(stdout, h, 4);
}

static int print_groups(region_ref *refs, size_t n)
{
    printf("Regions by type and start frame: \"type\"  count / func @ pc / file:line / durations\n");
    for_each_group(refs, n, group_text, NULL);
    return 0;
}

static void print_regions(region_ref *refs, size_t n)
{
    if (n > 0)
        qsort(refs, n, sizeof *refs, cmp_total_desc);
    char d[40], e[40], w[40], b[40], sc[40];
    printf("%10s %8s %14s %12s %12s %12s %12s %12s  %s\n", "Goroutine", "Task", "Start", "Duration", "Execution",
           "Sched wait", "Blocked", "Syscall", "Type");
    for (size_t i = 0; i < n; i++) {
        const gt_region_summary *r = refs[i].r;
        int64_t blocked = r->stats.syscall_block_time;
        for (size_t k = 0; k < r->stats.n_block; k++)
            blocked += r->stats.block[k].ns;
        printf("%10lld %8llu %14lld %12s %12s %12s %12s %12s  ", (long long)refs[i].goroutine,
               (unsigned long long)r->task, (long long)r->start, au_duration(d, refs[i].duration),
               au_duration(e, r->stats.exec_time), au_duration(w, r->stats.sched_wait_time), au_duration(b, blocked),
               au_duration(sc, r->stats.syscall_time));
        au_print_str(stdout, r->name);
        putchar('\n');
    }
    printf("%zu regions\n", n);
}

int cmd_regions(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    region_filter f;
    memset(&f, 0, sizeof f);
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
        else if (!strcmp(a, "--pc") && i + 1 < argc) {
            if (au_parse_pc(argv[++i], &f.pc))
                return cli_usage_error("regions", "bad PC '%s' (hexadecimal expected)", argv[i]);
            f.has_pc = f.any = 1;
        } else if ((!strcmp(a, "--latmin") || !strcmp(a, "--latmax")) && i + 1 < argc) {
            int64_t ns;
            if (au_parse_duration(argv[++i], &ns))
                return cli_usage_error("regions", "bad duration '%s'", argv[i]);
            if (!strcmp(a, "--latmin"))
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
    f.trace_start = gt_summary_first_time(s);
    f.trace_end = au_trace_end(s, broken);
    size_t n;
    region_ref *refs = collect(s, &f, &n);
    if (n == SIZE_MAX) {
        fprintf(stderr, "gotrace regions: out of memory\n");
        gt_summary_free(s);
        return CLI_EXIT_TRACE;
    }
    if (json) {
        au_json j;
        au_json_init(&j, stdout);
        au_json_object(&j, NULL);
        au_json_array(&j, "regions");
        for (size_t i = 0; i < n; i++)
            au_json_region(&j, refs[i].r);
        au_json_end_array(&j);
        au_json_array(&j, "groups");
        for_each_group(refs, n, group_json, &j);
        au_json_end_array(&j);
        au_json_end_object(&j);
    } else if (!f.any) {
        print_groups(refs, n);
    } else {
        print_regions(refs, n);
    }
    free(refs);
    gt_summary_free(s);
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
