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
    fprintf(f, "usage: gotrace regions [--type T] [--pc HEX] [--latmin D] [--latmax D]\n"
               "                      [--from D] [--to D] [--json] FILE\n\n"
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
               "  --from D, --to D  only the window from D to D after the trace start\n"
               "                (1.5s, 300ms; the man page, WINDOWS, says what counts)\n"
               "Regions cut by the trace's start or end last from the first or to the last\n"
               "event. FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

typedef struct region_filter {
    const char *type;
    int has_pc;
    uint64_t pc;
    int has_latmin, has_latmax;
    int64_t latmin, latmax;
    int any;
    int64_t trace_start;             /* times are printed from there */
    int64_t span_start, trace_end;   /* where unknown region edges lie */
} region_filter;

/* cmd/trace's regionInterval(...).duration(). */
static int64_t region_duration(const region_filter *f, const gt_region_summary *r)
{
    int64_t start = r->start_kind != GT_REGION_EDGE_NONE ? r->start : f->span_start;
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
    int64_t blocked;  /* syscall block time plus every block reason's time */
    size_t order;     /* position in goroutine order, to break ties */
} region_ref;

static int64_t blocked_time(const gt_exec_stats *st)
{
    int64_t blocked = st->syscall_block_time;
    for (size_t k = 0; k < st->n_block; k++)
        blocked += st->block[k].ns;
    return blocked;
}

#define CMP_NUM(x, y) (((x) > (y)) - ((x) < (y)))

/* Go's group order (type, then PC); the rest of the frame only separates
 * groups that Go's map keeps apart. */
static int cmp_fingerprint(const void *a, const void *b)
{
    const gt_region_summary *x = ((const region_ref *)a)->r, *y = ((const region_ref *)b)->r;
    int c = au_str_cmp(x->name, y->name);
    if (!c)
        c = CMP_NUM(x->start_frame.pc, y->start_frame.pc);
    if (!c)
        c = au_str_cmp(x->start_frame.func, y->start_frame.func);
    if (!c)
        c = au_str_cmp(x->start_frame.file, y->start_frame.file);
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

/* The /userregion page's default order: longest presence (TotalTime) first;
 * ties by goroutine and start, the same whether streamed or not. */
static int cmp_total_desc(const void *a, const void *b)
{
    const region_ref *x = a, *y = b;
    int c = CMP_NUM(y->r->stats.total_time, x->r->stats.total_time);
    if (!c)
        c = CMP_NUM(x->goroutine, y->goroutine);
    if (!c)
        c = CMP_NUM(x->r->start, y->r->start);
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
                refs[k] = (region_ref){g->regions[ri], g->id, region_duration(f, g->regions[ri]),
                                       blocked_time(&g->regions[ri]->stats), k},
                k++;
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

/* Start: from the trace's start (f->trace_start), "?" when the region began
 * before the trace. */
static void print_regions(region_ref *refs, size_t n, const region_filter *f)
{
    if (n > 0)
        qsort(refs, n, sizeof *refs, cmp_total_desc);
    char d[40], e[40], w[40], b[40], sc[40], st[48];
    printf("%10s %8s %14s %12s %12s %12s %12s %12s  %s\n", "Goroutine", "Task", "Start", "Duration", "Execution",
           "Sched wait", "Blocked", "Syscall", "Type");
    for (size_t i = 0; i < n; i++) {
        const gt_region_summary *r = refs[i].r;
        int64_t blocked = refs[i].blocked;
        au_since(st, r->start_kind != GT_REGION_EDGE_NONE ? r->start : f->span_start, f->trace_start);
        if (r->start_kind == GT_REGION_EDGE_NONE)
            strcat(st, "?");
        printf("%10lld %8llu %14s %12s %12s %12s %12s %12s  ", (long long)refs[i].goroutine,
               (unsigned long long)r->task, st, au_duration(d, refs[i].duration),
               au_duration(e, r->stats.exec_time), au_duration(w, r->stats.sched_wait_time), au_duration(b, blocked),
               au_duration(sc, r->stats.syscall_time));
        au_print_str(stdout, r->name);
        putchar('\n');
    }
    printf("%zu regions\n", n);
}

/* ------------------------------------------------------------ streaming
 * Without --json the regions are not kept: the summary hands each finished
 * region to on_region, which adds it to its group (no filter) or copies the
 * few fields the listing prints (filters). Memory: the groups, the matches,
 * and the regions open at one time. */

/* A group of the streaming pass: its key (type and start frame, strings
 * owned by the summary) and its durations. */
typedef struct stream_group {
    gt_region_summary key;  /* only name and start_frame are set */
    long count;
    au_hist hist;
} stream_group;

typedef struct region_stream {
    au_stream st;
    region_filter *filter;
    int list;  /* keep the matches (filters given) rather than group them */
    /* groups: open addressing on the key, grown at half full */
    stream_group **slots;
    size_t n_slots, n_groups;
    /* matches: copies without their duration maps */
    gt_region_summary *kept;
    region_ref *refs;
    size_t n_kept, cap_kept, cap_refs;
    int nomem;
} region_stream;

static uint64_t group_hash(const gt_region_summary *r)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < r->name.len; i++)
        h = (h ^ (unsigned char)r->name.ptr[i]) * 1099511628211ULL;
    h ^= r->start_frame.pc * 0x9E3779B97F4A7C15ULL;
    h ^= r->start_frame.line * 0xC2B2AE3D27D4EB4FULL;
    return h ^ (h >> 29);
}

static stream_group **group_slot(stream_group **slots, size_t n_slots, const gt_region_summary *r)
{
    size_t i = (size_t)group_hash(r) & (n_slots - 1);
    while (slots[i] && !same_fingerprint(&slots[i]->key, r))
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

static int add_to_group(region_stream *rs, const gt_region_summary *r, int64_t duration)
{
    if (2 * (rs->n_groups + 1) > rs->n_slots) {
        size_t n = rs->n_slots ? 2 * rs->n_slots : 16;
        stream_group **slots = calloc(n, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < rs->n_slots; i++)
            if (rs->slots[i])
                *group_slot(slots, n, &rs->slots[i]->key) = rs->slots[i];
        free(rs->slots);
        rs->slots = slots;
        rs->n_slots = n;
    }
    stream_group **slot = group_slot(rs->slots, rs->n_slots, r);
    if (!*slot) {
        stream_group *g = calloc(1, sizeof *g);
        if (!g)
            return -1;
        g->key.name = r->name;
        g->key.start_frame = r->start_frame;
        *slot = g;
        rs->n_groups++;
    }
    (*slot)->count++;
    au_hist_add(&(*slot)->hist, duration);
    return 0;
}

static int keep_match(region_stream *rs, const gt_region_summary *r, int64_t duration)
{
    if (rs->n_kept == rs->cap_kept) {
        size_t n = rs->cap_kept ? 2 * rs->cap_kept : 64;
        gt_region_summary *kept = realloc(rs->kept, n * sizeof *kept);
        if (!kept)
            return -1;
        rs->kept = kept;
        region_ref *refs = realloc(rs->refs, n * sizeof *refs);
        if (!refs)
            return -1;
        rs->refs = refs;
        rs->cap_kept = n;
    }
    gt_region_summary *copy = &rs->kept[rs->n_kept];
    *copy = *r;
    /* The maps belong to the summary's record, which is reused. */
    copy->stats.block = copy->stats.range = NULL;
    copy->stats.n_block = copy->stats.n_range = 0;
    /* refs[i].r is set once kept stops moving (finish_matches). */
    rs->refs[rs->n_kept] = (region_ref){NULL, r->goroutine, duration, blocked_time(&r->stats), rs->n_kept};
    rs->n_kept++;
    return 0;
}

static int on_region(void *ctx, const gt_region_summary *r)
{
    region_stream *rs = ctx;
    /* Unknown ends only come from gt_summary_finalize, when the trace end
     * is known. */
    rs->filter->trace_start = gt_summary_first_time(rs->st.summary);
    rs->filter->span_start = au_span_start(rs->st.summary);
    rs->filter->trace_end = au_trace_end(rs->st.summary, rs->st.broken);
    if (!matches(r, rs->filter))
        return 0;
    int64_t d = region_duration(rs->filter, r);
    if ((rs->list ? keep_match(rs, r, d) : add_to_group(rs, r, d)) == 0)
        return 0;
    rs->nomem = 1;
    return -1;
}

static int cmp_group(const void *a, const void *b)
{
    const gt_region_summary *x = &(*(stream_group *const *)a)->key, *y = &(*(stream_group *const *)b)->key;
    region_ref rx = {x, 0, 0, 0, 0}, ry = {y, 0, 0, 0, 0};
    return cmp_fingerprint(&rx, &ry);
}

/* Prints the groups of a streaming pass in Go's order. */
static int print_stream_groups(region_stream *rs)
{
    stream_group **sorted = malloc((rs->n_groups ? rs->n_groups : 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < rs->n_slots; i++)
        if (rs->slots[i])
            sorted[n++] = rs->slots[i];
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, cmp_group);
    printf("Regions by type and start frame: \"type\"  count / func @ pc / file:line / durations\n");
    for (size_t i = 0; i < n; i++)
        group_text(NULL, &sorted[i]->key, sorted[i]->count, &sorted[i]->hist);
    free(sorted);
    return 0;
}

static void region_stream_free(region_stream *rs)
{
    for (size_t i = 0; i < rs->n_slots; i++)
        free(rs->slots[i]);
    free(rs->slots);
    free(rs->kept);
    free(rs->refs);
}

/* The text outputs, streaming. */
static int regions_streaming(const char *path, region_filter *f)
{
    region_stream rs;
    memset(&rs, 0, sizeof rs);
    rs.filter = f;
    rs.list = f->any;
    rs.st.fn = on_region;
    rs.st.ctx = &rs;
    gt_summary *s;
    int broken;
    int rc = au_summarize_stream("regions", path, &rs.st, &s, &broken);
    if (rc) {
        if (rs.nomem)
            fprintf(stderr, "gotrace regions: out of memory\n");
        region_stream_free(&rs);
        return rc;
    }
    au_print_window(stdout, gt_summary_first_time(s), gt_summary_last_time(s));
    if (rs.list) {
        for (size_t i = 0; i < rs.n_kept; i++)
            rs.refs[i].r = &rs.kept[i];
        print_regions(rs.refs, rs.n_kept, f);
    } else if (print_stream_groups(&rs)) {
        fprintf(stderr, "gotrace regions: out of memory\n");
        rc = CLI_EXIT_TRACE;
    }
    region_stream_free(&rs);
    gt_summary_free(s);
    if (rc)
        return rc;
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
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
    enum { OPT_JSON = 1, OPT_TYPE, OPT_PC, OPT_LATMIN, OPT_LATMAX, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {
        {"json", 0, OPT_JSON},     {"type", 1, OPT_TYPE},     {"pc", 1, OPT_PC},
        {"latmin", 1, OPT_LATMIN}, {"latmax", 1, OPT_LATMAX}, AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO),
        {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "regions", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_TYPE: f.type = a.value; break;
        case OPT_PC:
            if (au_parse_pc(a.value, &f.pc))
                return cli_usage_error("regions", "bad PC '%s' (hexadecimal expected)", a.value);
            f.has_pc = 1;
            break;
        case OPT_LATMIN:
        case OPT_LATMAX:
            if (au_latency_option("regions", opt == OPT_LATMIN ? "--latmin" : "--latmax", a.value, &f.has_latmin,
                                  &f.latmin, &f.has_latmax, &f.latmax))
                return CLI_EXIT_USAGE;
            break;
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("regions", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            continue;
        default: return CLI_EXIT_USAGE;
        }
        f.any = f.any || opt != OPT_JSON;
    }
    if (cli_one_file(&a, &path) || au_window_ready("regions"))
        return CLI_EXIT_USAGE;
    if (!json)
        return regions_streaming(path, &f);
    gt_summary *s;
    int broken;
    int rc = au_summarize("regions", path, &s, &broken);
    if (rc)
        return rc;
    f.trace_start = gt_summary_first_time(s);
    f.span_start = au_span_start(s);
    f.trace_end = au_trace_end(s, broken);
    size_t n;
    region_ref *refs = collect(s, &f, &n);
    if (n == SIZE_MAX) {
        fprintf(stderr, "gotrace regions: out of memory\n");
        gt_summary_free(s);
        return CLI_EXIT_TRACE;
    }
    /* --json: the output is the full list, so memory may grow with it. */
    au_json j;
    au_json_init(&j, stdout);
    au_json_object(&j, NULL);
    au_json_i64(&j, "trace_start_ns", f.trace_start);
    au_json_window(&j, f.trace_start, gt_summary_last_time(s));
    au_json_array(&j, "regions");
    for (size_t i = 0; i < n; i++)
        au_json_region(&j, refs[i].r);
    au_json_end_array(&j);
    au_json_array(&j, "groups");
    for_each_group(refs, n, group_json, &j);
    au_json_end_array(&j);
    au_json_end_object(&j);
    free(refs);
    gt_summary_free(s);
    return broken ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
