/* gotrace mmu: minimum mutator utilisation, as go tool trace's /mmu page
 * (internal/trace/gc.go MutatorUtilizationV2 + MMUCurve). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"
#include "svg_mmu.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace mmu [--flags LIST] [--worst N] [--window D] [--svg FILE] [--json]\n"
               "                  [--from D] [--to D] FILE\n\n"
               "Minimum mutator utilisation at windows from 1us to the trace length\n"
               "(1, 2, 5 x 10^k), and the worst windows.\n\n"
               "  --flags LIST  what takes time from the mutator, comma-separated from\n"
               "                stw, background, assist, sweep, perproc\n"
               "                (default stw,background,assist,sweep; perproc: one\n"
               "                utilisation function per P)\n"
               "  --worst N     worst disjoint windows to list per window size (default 5)\n"
               "  --window D    list the worst windows of this size only (e.g. 1ms)\n"
               "  --svg FILE    also write the MMU curve as an SVG plot\n"
               "  --json        machine-readable output (every window with its MMU, the MUD\n"
               "                quantiles 0, 0.1%%, 1%%, 5%% and its worst windows)\n"
               "  --from D, --to D  only the window from D to D after the trace start\n"
               "                (1.5s, 300ms): the utilisation in effect at D carried in\n"
               "FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

static int parse_flags(const char *list, unsigned *flags)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        {"stw", GT_UTIL_STW}, {"background", GT_UTIL_BACKGROUND}, {"assist", GT_UTIL_ASSIST},
        {"sweep", GT_UTIL_SWEEP}, {"perproc", GT_UTIL_PER_PROC},
    };
    *flags = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",|");
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] && !(strlen(names[k].name) == n && !strncmp(p, names[k].name, n)))
            k++;
        if (n && k == sizeof names / sizeof names[0])
            return -1;
        if (n)
            *flags |= names[k].bit;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* The windows listed: 1, 2, 5 x 10^k from 1us while below the length, then
 * the length (the same list scripts/goref prints). */
static size_t mmu_windows(int64_t length, int64_t *out, size_t cap)
{
    size_t n = 0;
    for (int64_t base = 1000; base > 0 && base < length && base <= INT64_MAX / 10; base *= 10)
        for (int m = 0; m < 3; m++) {
            int64_t w = base * (int64_t[]){1, 2, 5}[m];
            if (w < length && n < cap)
                out[n++] = w;
        }
    if (length > 0 && n < cap)
        out[n++] = length;
    return n;
}

/* A pass: the MMU, and the trace's start (its first event), which the text's
 * times are relative to. */
typedef struct mmu_pass {
    gt_mmu *m;
    int64_t start;
    int seen;
} mmu_pass;

static int mmu_fn(void *ctx, const gt_event *ev)
{
    mmu_pass *p = ctx;
    if (!p->seen)
        p->seen = 1, p->start = ev->time;
    return gt_mmu_event(p->m, ev);
}

int cmd_mmu(int argc, char **argv)
{
    const char *path = NULL, *svg = NULL;
    unsigned flags = GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP;
    int json = 0;
    long worst = 5;
    int64_t only_window = 0;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_JSON = 1, OPT_FLAGS, OPT_WORST, OPT_WINDOW, OPT_SVG, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {
        {"json", 0, OPT_JSON},     {"flags", 1, OPT_FLAGS}, {"worst", 1, OPT_WORST},
        {"window", 1, OPT_WINDOW}, {"svg", 1, OPT_SVG},     AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO),
        {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "mmu", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        char *end;
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_FLAGS:
            if (parse_flags(a.value, &flags))
                return cli_usage_error("mmu", "bad --flags '%s'", a.value);
            break;
        case OPT_WORST:
            worst = strtol(a.value, &end, 10);
            if (*end || end == a.value || worst < 0 || worst > 1000)
                return cli_usage_error("mmu", "bad --worst '%s' (0 to 1000)", a.value);
            break;
        case OPT_WINDOW:
            if (au_duration_option("mmu", a.spelling, a.value, &only_window))
                return CLI_EXIT_USAGE;
            if (only_window == 0)
                return cli_usage_error("mmu", "%s: a window of 0s has no utilisation", a.spelling);
            break;
        case OPT_SVG: svg = a.value; break;
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("mmu", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path) || au_window_ready("mmu"))
        return CLI_EXIT_USAGE;
    /* --window picks the worst windows the text lists; --json lists those of
     * every window size, and --worst 0 none. */
    if (only_window && json)
        return cli_usage_error("mmu", "--window selects the text's worst windows: --json lists every size");
    if (only_window && worst == 0)
        return cli_usage_error("mmu", "--window with --worst 0 lists nothing");

    /* The SVG file is opened first: a refusal (the input itself) comes
     * before the work, and the file is replaced only once complete. */
    cli_output svg_out = {NULL, NULL, NULL, NULL};
    int rc = svg ? cli_output_open(&svg_out, "mmu", svg, path) : 0;
    if (rc)
        return rc;
    /* Go computes the MMU over the events up to the last Sync when the trace
     * is broken: read again up to there, from the same open file (not
     * possible on a pipe, which is not spooled for this). */
    cli_input in;
    gt_mmu *m = NULL;
    mmu_pass pass = {NULL, 0, 0};
    au_pass_result res;
    if (!(rc = cli_input_open(&in, "mmu", path, 0))) {
        m = gt_mmu_new(flags);
        if (m)
            gt_mmu_set_window(m, &au_window);
        pass.m = m;
        rc = m ? au_pass_input("mmu", path, &in, UINT64_MAX, mmu_fn, &pass, &res) : CLI_EXIT_TRACE;
        if (!rc && res.failed) {
            au_report_failure(path, &res);
            if (cli_input_rewind(&in) == 0) {
                gt_mmu_free(m);
                m = gt_mmu_new(flags);
                if (m)
                    gt_mmu_set_window(m, &au_window);
                au_pass_result res2;
                pass = (mmu_pass){m, 0, 0};
                rc = m ? au_pass_input("mmu", path, &in, res.valid_events, mmu_fn, &pass, &res2) : CLI_EXIT_TRACE;
            }
        }
        int in_rc = cli_input_close(&in);
        if (!rc)
            rc = in_rc;
    }
    if (!rc && gt_mmu_finish(m))
        rc = CLI_EXIT_TRACE;
    if (rc) {
        gt_mmu_free(m);
        if (svg)
            cli_output_abort(&svg_out);
        return rc;
    }

    int64_t lo, hi;
    gt_mmu_bounds(m, &lo, &hi);
    int64_t windows[64];
    size_t nw = mmu_windows(hi - lo, windows, 64);
    size_t points = 0;
    for (size_t i = 0; i < gt_mmu_series_count(m); i++) {
        size_t n;
        gt_mmu_series(m, i, &n);
        points += n;
    }
    gt_util_window *ex = malloc(((size_t)worst + 1) * sizeof *ex);
    if (!ex) {
        gt_mmu_free(m);
        if (svg)
            cli_output_abort(&svg_out);
        return CLI_EXIT_TRACE;
    }
    if (json) {
        au_json j;
        au_json_init(&j, stdout);
        au_json_object(&j, NULL);
        au_json_i64(&j, "trace_start_ns", pass.start);
        au_json_window(&j, pass.start, hi);
        au_json_u64(&j, "series", gt_mmu_series_count(m));
        au_json_u64(&j, "points", points);
        au_json_i64(&j, "length", hi - lo);
        au_json_array(&j, "windows");
        for (size_t i = 0; i < nw; i++) {
            au_json_object(&j, NULL);
            au_json_i64(&j, "window", windows[i]);
            au_json_f64(&j, "mmu", gt_mmu_at(m, windows[i]));
            /* The quantiles the /mmu page plots: 0, 0.1%, 1%, 5%. */
            static const double quantiles[] = {0, 1 - .999, 1 - .99, 1 - .95};
            double mud[4];
            au_json_array(&j, "mud");
            if (gt_mmu_mud(m, windows[i], quantiles, 4, mud) == 0)
                for (size_t q = 0; q < 4; q++)
                    au_json_f64(&j, NULL, mud[q]);
            au_json_end_array(&j);
            au_json_array(&j, "worst");
            int64_t k = gt_mmu_worst(m, windows[i], (size_t)worst, ex);
            for (int64_t e = 0; e < k; e++) {
                au_json_object(&j, NULL);
                au_json_i64(&j, "time", ex[e].time);
                au_json_f64(&j, "mu", ex[e].util);
                au_json_end_object(&j);
            }
            au_json_end_array(&j);
            au_json_end_object(&j);
        }
        au_json_end_array(&j);
        au_json_end_object(&j);
    } else {
        char d[40];
        au_print_window(stdout, pass.start, hi);
        /* The length is that of the functions: with none (no GOMAXPROCS
         * ever known), say so rather than print a length of 0s. */
        if (gt_mmu_series_count(m) == 0)
            printf("Utilisation functions: 0 (the trace never gives GOMAXPROCS: nothing to measure)\n\n");
        else
            printf("Utilisation functions: %zu (%zu points), trace length %s\n\n", gt_mmu_series_count(m), points,
                   au_duration(d, hi - lo));
        printf("%14s  %s\n", "Window", "MMU");
        for (size_t i = 0; i < nw; i++)
            printf("%14s  %.6f\n", au_duration(d, windows[i]), gt_mmu_at(m, windows[i]));
        /* Worst windows of one size: --window, else 1ms (or the whole trace
         * when shorter). */
        int64_t w = only_window ? only_window : (hi - lo < 1000000 ? hi - lo : 1000000);
        if (worst > 0 && w > 0) {
            int64_t k = gt_mmu_worst(m, w, (size_t)worst, ex);
            /* Window starts from the trace's start, as the web page shows. */
            printf("\nWorst windows of %s:\n%20s  %s\n", au_duration(d, w), "Start", "Utilisation");
            for (int64_t e = 0; e < k; e++)
                printf("%20s  %.6f\n", au_since(d, ex[e].time, pass.start), ex[e].util);
        }
    }
    free(ex);
    if (svg) {
        svg_mmu_write(svg_out.f, m, hi - lo);
        rc = cli_output_close(&svg_out);
    }
    gt_mmu_free(m);
    if (rc)
        return rc;
    return res.failed ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
