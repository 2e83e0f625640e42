/* gotrace pprof: the profiles of `go tool trace -pprof=TYPE`
 * (cmd/trace/pprof.go), written as gzipped profile.proto. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace pprof --type=sched|sync|syscall|net [FILTERS] [-o OUT] FILE > out.pb.gz\n\n"
               "Time goroutines spend in a state, by the stack that put them there, as\n"
               "go tool trace -pprof=TYPE writes it (gzipped pprof protobuf; read it with\n"
               "go tool pprof).\n\n"
               "  --type T          sched (runnable), sync (chan/select/sync), syscall, net\n"
               "  --name FUNC       only goroutines whose start function is FUNC\n"
               "  --region-type T   only time inside regions of type T (outermost regions)\n"
               "  --pc HEX          only time inside regions whose start frame has this PC\n"
               "                    (see gotrace regions)\n"
               "  --latmin D        only time inside regions lasting at least D (e.g. 1ms)\n"
               "  --latmax D        only time inside regions lasting at most D\n"
               "  --from D, --to D  only time inside the window from D to D after the trace\n"
               "                    start (1.5s, 300ms), of the episodes that end in it\n"
               "  -o OUT            write to OUT instead of standard output\n"
               "FILE may be - for standard input, a pipe or a FIFO (spooled to $TMPDIR,\n"
               "as the trace is read twice). OUT is replaced only once complete, and may\n"
               "not be FILE. Exit: 0 ok, 1 broken trace, 2 usage, 3 write error.\n");
}

typedef struct first_pass {
    gt_summary *summary;
    int64_t first, last_sync_time, last;
    int seen;
} first_pass;

static int first_fn(void *ctx, const gt_event *ev)
{
    first_pass *fp = ctx;
    if (!fp->seen) {
        fp->seen = 1;
        fp->first = ev->time;
    }
    fp->last = ev->time;
    if (ev->kind == GT_EVENT_SYNC)
        fp->last_sync_time = ev->time;
    return gt_summary_event(fp->summary, ev);
}

static int pprof_fn(void *ctx, const gt_event *ev) { return gt_pprof_event(ctx, ev); }

/* Writes data gzipped to out. -1 when zlib fails or a write fails (then
 * ferror(out) is set). */
static int write_gzip(FILE *out, const unsigned char *data, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    unsigned char buf[1 << 15];
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    int rc;
    do {
        z.next_out = buf;
        z.avail_out = sizeof buf;
        rc = deflate(&z, Z_FINISH);
        size_t got = sizeof buf - z.avail_out;
        if (got && fwrite(buf, 1, got, out) != got) {
            deflateEnd(&z);
            return -1;
        }
    } while (rc == Z_OK);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

int cmd_pprof(int argc, char **argv)
{
    const char *path = NULL, *type = NULL, *outpath = "-";
    gt_pprof_filter filter;
    memset(&filter, 0, sizeof filter);
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_TYPE = 1, OPT_NAME, OPT_REGION_TYPE, OPT_PC, OPT_LATMIN, OPT_LATMAX, OPT_OUT, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {
        {"type", 1, OPT_TYPE},     {"name", 1, OPT_NAME},     {"region-type", 1, OPT_REGION_TYPE},
        {"pc", 1, OPT_PC},         {"latmin", 1, OPT_LATMIN}, {"latmax", 1, OPT_LATMAX},
        {"o", 1, OPT_OUT},         AU_WINDOW_OPTIONS(OPT_FROM, OPT_TO), {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "pprof", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_TYPE: type = a.value; break;
        case OPT_NAME:
            filter.by_name = 1;
            filter.name = (gt_str){a.value, strlen(a.value)};
            break;
        case OPT_REGION_TYPE:
            filter.by_region = filter.by_region_type = 1;
            filter.region_type = (gt_str){a.value, strlen(a.value)};
            break;
        case OPT_PC:
            if (au_parse_pc(a.value, &filter.pc))
                return cli_usage_error("pprof", "bad PC '%s' (hexadecimal expected)", a.value);
            filter.by_region = filter.by_pc = 1;
            break;
        case OPT_LATMIN:
        case OPT_LATMAX:
            if (au_latency_option("pprof", opt == OPT_LATMIN ? "--latmin" : "--latmax", a.value,
                                  &filter.has_latmin, &filter.latmin, &filter.has_latmax, &filter.latmax))
                return CLI_EXIT_USAGE;
            filter.by_region = 1;
            break;
        case OPT_OUT: outpath = a.value; break;
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("pprof", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path) || au_window_ready("pprof"))
        return CLI_EXIT_USAGE;
    /* The profile is gzipped protobuf: refuse to pour it onto a terminal. */
    if (!strcmp(outpath, "-") && isatty(STDOUT_FILENO))
        return cli_usage_error("pprof", "refusing to write a binary profile to a terminal: use -o OUT or redirect");
    gt_pprof_type pt;
    if (!type)
        return cli_usage_error("pprof", "missing --type");
    else if (!strcmp(type, "sched"))
        pt = GT_PPROF_SCHED;
    else if (!strcmp(type, "sync"))
        pt = GT_PPROF_SYNC;
    else if (!strcmp(type, "syscall"))
        pt = GT_PPROF_SYSCALL;
    else if (!strcmp(type, "net"))
        pt = GT_PPROF_NET;
    else
        return cli_usage_error("pprof", "unknown pprof type %s", type);
    if (filter.by_name && filter.by_region)
        return cli_usage_error("pprof", "--name and the region filters exclude each other");

    /* Two passes: the profile clips episodes to goroutine lifetimes and
     * regions, which the first pass (the Summarizer) establishes. Input that
     * cannot be read twice (a pipe, a FIFO, <(...)) is spooled. */
    cli_output out;
    cli_input in;
    int rc = cli_open_in_out(&in, &out, "pprof", path, outpath, 1);
    if (rc)
        return rc;
    first_pass fp;
    memset(&fp, 0, sizeof fp);
    fp.summary = gt_summary_new();
    /* Only the region filters need the regions; otherwise the profile needs
     * goroutine lifetimes alone and the summary need not keep regions. */
    if (fp.summary && !filter.by_region)
        gt_summary_stream_regions(fp.summary, NULL, NULL);
    au_pass_result res, res2;
    /* The first pass reads the whole trace (the lifetimes and regions that
     * filter the profile are the whole trace's); the second only up to the
     * window's end. */
    gt_window window = au_window;
    au_window = (gt_window)GT_WINDOW_ALL;
    rc = fp.summary ? au_pass_input("pprof", path, &in, UINT64_MAX, first_fn, &fp, &res) : CLI_EXIT_TRACE;
    au_window = window;
    gt_pprof *prof = NULL;
    if (!rc && res.failed)
        au_report_failure(path, &res);
    if (!rc && gt_summary_finalize(fp.summary))
        rc = CLI_EXIT_TRACE;
    if (!rc) {
        /* After an error Go keeps the events up to the last Sync. */
        int64_t last = res.failed ? fp.last_sync_time : fp.last;
        gt_error err;
        prof = gt_pprof_new(pt, fp.summary, fp.first, last, &filter, &err);
        if (!prof) {
            fprintf(stderr, "gotrace pprof: failed to generate pprof: %s\n", err.message);
            rc = CLI_EXIT_TRACE;
        } else {
            gt_pprof_set_window(prof, &au_window);
        }
    }
    if (!rc && cli_input_rewind(&in)) {
        fprintf(stderr, "gotrace pprof: cannot read %s again: %s\n", path, strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (!rc)
        rc = au_pass_input("pprof", path, &in, res.valid_events, pprof_fn, prof, &res2);
    int in_rc = cli_input_close(&in);
    if (!rc)
        rc = in_rc;
    if (!rc) {
        size_t len;
        unsigned char *pb = gt_pprof_encode(prof, &len);
        if (!pb || (write_gzip(out.f, pb, len) && !ferror(out.f))) {
            fprintf(stderr, "gotrace pprof: out of memory\n");
            rc = CLI_EXIT_TRACE;
        }
        gt_free(pb);
    }
    if (!rc)
        rc = cli_output_close(&out);  /* every write checked here (ferror is sticky) */
    else
        cli_output_abort(&out);
    gt_pprof_free(prof);
    gt_summary_free(fp.summary);
    if (rc)
        return rc;
    return res.failed ? CLI_EXIT_TRACE : CLI_EXIT_OK;
}
