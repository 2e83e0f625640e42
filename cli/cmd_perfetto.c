/* gotrace perfetto: a trace as Perfetto's native protobuf trace, written by
 * the library's exporter (gotrace/export.h), in bounded memory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gotrace/duration.h"
#include "gotrace/export.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace perfetto [--from D] [--to D] FILE -o OUT\n\n"
               "Convert the trace into Perfetto's protobuf trace format, for ui.perfetto.dev\n"
               "or trace_processor, in bounded memory. Tracks, under a process \"Go program\":\n\n"
               "  Ps          a track per P: which goroutine runs on it (\"G<id> <function>\")\n"
               "  Threads     a track per M: the P it holds; a child track: its syscalls\n"
               "  Goroutines  a group per start function, a track per goroutine with a slice\n"
               "              per state: Running, Runnable, Syscall, or the reason it waits\n"
               "              (\"chan receive\", \"sleep\", ...), with the stack that led there;\n"
               "              arrows from the goroutine that unblocked or created it; log\n"
               "              messages; child tracks: user regions, mark assists\n"
               "  Runtime     GC and stop-the-world slices, counters (metrics, goroutines by\n"
               "              state, threads in syscall)\n"
               "  Tasks       a track per user task, under its parent task\n\n"
               "  --from D, --to D   only this window, in Go's duration syntax (1.5s, 300ms)\n"
               "                     from the trace start (the first event); times in the\n"
               "                     output count from the trace start too\n"
               "  -o OUT             write to OUT (- for standard output, not a terminal);\n"
               "                     OUT is replaced only once complete, and may not be FILE\n\n"
               "On a broken trace the output covers every event read, and the error follows\n"
               "on stderr. FILE may be - for standard input. Exit: 0 ok, 1 broken trace,\n"
               "2 usage, 3 write error.\n");
}

static int write_file(void *ctx, const void *data, size_t len)
{
    FILE *f = ctx;
    if (fwrite(data, 1, len, f) != len)
        return CLI_EXIT_IO;
    return cli_write_check(f);
}

static int duration_arg(const char *opt, const char *val, int64_t *ns)
{
    gt_error err;
    if (gt_parse_duration(val, ns, &err))
        return cli_usage_error("perfetto", "%s: %s", opt, err.message);
    if (*ns < 0)
        return cli_usage_error("perfetto", "%s: negative duration", opt);
    return 0;
}

int cmd_perfetto(int argc, char **argv)
{
    const char *path = NULL, *out_path = NULL;
    int64_t from = 0, to = INT64_MAX;
    int rc;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-o") || !strcmp(a, "--from") || !strcmp(a, "--to")) {
            if (i + 1 >= argc)
                return cli_usage_error("perfetto", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "-o"))
                out_path = v;
            else if ((rc = duration_arg(a, v, !strcmp(a, "--from") ? &from : &to)))
                return rc;
        } else if (!strcmp(a, "--")) {
            if (i + 2 != argc || path)
                return cli_usage_error("perfetto", "one trace file expected");
            path = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("perfetto", "unknown option '%s'", a);
        } else if (path) {
            return cli_usage_error("perfetto", "one trace file expected");
        } else {
            path = a;
        }
    }
    if (!path)
        return cli_usage_error("perfetto", "missing trace file");
    if (!out_path)
        return cli_usage_error("perfetto", "missing -o OUT (- for standard output)");
    if (from > to)
        return cli_usage_error("perfetto", "--from is after --to");
    if (!strcmp(out_path, "-") && isatty(STDOUT_FILENO))
        return cli_usage_error("perfetto", "refusing to write binary output to a terminal");

    cli_output out;
    if ((rc = cli_output_open(&out, "perfetto", out_path, path)))
        return rc;
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r && err.code == GT_ERR_IO) {
        cli_output_abort(&out);
        return cli_usage_error("perfetto", "cannot open %s: %s", path, err.message);
    }
    gt_perfetto *pf = gt_perfetto_new(write_file, out.f, from, to);
    int write_rc = 0, no_memory = !pf;
    cli_progress progress = {0, 0, 0};
    if (r && pf) {
        enum { BATCH = 256 };
        gt_event evs[BATCH];
        size_t n;
        int stop = 0;
        do {
            n = gt_reader_next_batch(r, evs, BATCH);
            for (size_t i = 0; i < n && !stop; i++) {
                cli_progress_event(&progress, r, &evs[i]);
                rc = gt_perfetto_event(pf, &evs[i]);
                stop = rc != 0;
                if (rc == CLI_EXIT_IO)
                    write_rc = rc;
                else if (rc < 0)
                    no_memory = 1;
            }
        } while (n > 0 && !stop);
        cli_progress_finish(&progress, r);
    }
    if (pf && !write_rc && !no_memory) {
        rc = gt_perfetto_finish(pf);
        if (rc == CLI_EXIT_IO)
            write_rc = rc;
        else if (rc)
            no_memory = 1;
    }
    if (!write_rc)
        write_rc = cli_write_check(out.f);
    if (write_rc)
        cli_output_abort(&out);
    else
        write_rc = cli_output_close(&out);

    if (write_rc) {
        rc = CLI_EXIT_IO;
    } else if (no_memory) {
        fprintf(stderr, "gotrace perfetto: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else if (!r) {
        rc = cli_trace_error(path, &err);
    } else if (gt_reader_error(r)) {
        rc = cli_trace_error(path, gt_reader_error(r));
        cli_report_loss(path, &progress);
    } else {
        rc = CLI_EXIT_OK;
    }
    gt_perfetto_free(pf);
    gt_reader_free(r);
    return rc;
}
