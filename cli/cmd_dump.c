/* gotrace dump [--wire | --footprint] FILE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static const char dump_help[] =
    "usage: gotrace dump [--wire | --footprint | --goroutine ID] [--from D] [--to D] FILE\n\n"
    "Print every event of the trace in FILE (- for standard input).\n\n"
    "By default the output is that of Go's `go tool trace -d=parsed`: the ordered,\n"
    "checked events with their stacks. With --wire it is that of `-d=wire`: the\n"
    "raw wire events in file order, without ordering or checks. With --footprint\n"
    "it is that of `-d=footprint`: for each wire event type, how many events and\n"
    "bytes the trace holds, largest first. With --goroutine ID, only the lines\n"
    "of the default output that concern goroutine ID: its events (G=ID) and\n"
    "the state transitions of goroutine ID made by others (created, woken).\n"
    "With --from D and --to D, only the events from D to D after the trace start\n"
    "(Go's durations: 1.5s, 300ms, 250000ns), inclusive.\n\n"
    "Exit status: 0 success, 1 broken trace (the events read before the error are\n"
    "printed; the error goes to stderr), 2 usage error, 3 write error (the\n"
    "output is incomplete; reading stops at the first failed write).\n";

int cmd_dump(int argc, char **argv)
{
    enum { OPT_WIRE = 1, OPT_FOOTPRINT, OPT_GOROUTINE, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {{"wire", 0, OPT_WIRE},     {"footprint", 0, OPT_FOOTPRINT},
                                      {"goroutine", 1, OPT_GOROUTINE}, {"from", 1, OPT_FROM},
                                      {"to", 1, OPT_TO},         {NULL, 0, 0}};

    int wire = 0, footprint = 0, have_g = 0;
    int64_t g = 0;
    if (cli_wants_help(argc, argv)) {
        fputs(dump_help, stdout);
        return CLI_EXIT_OK;
    }
    cli_args a;
    cli_args_init(&a, "dump", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_WIRE: wire = 1; break;
        case OPT_FOOTPRINT: footprint = 1; break;
        case OPT_GOROUTINE: {
            char *end;
            errno = 0;
            long long v = strtoll(a.value, &end, 10);
            if (end == a.value || *end || errno || v < 0)
                return cli_usage_error("dump", "bad goroutine ID '%s'", a.value);
            g = v;
            have_g = 1;
            break;
        }
        case OPT_FROM:
        case OPT_TO:
            if (au_window_option("dump", a.spelling, opt == OPT_TO, a.value))
                return CLI_EXIT_USAGE;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.npos != 1)
        return cli_usage_error("dump", "expected exactly one FILE");
    if (wire && footprint)
        return cli_usage_error("dump", "--wire and --footprint exclude each other");
    if (au_window_ready("dump"))
        return CLI_EXIT_USAGE;
    if (au_windowed() && (wire || footprint))
        return cli_usage_error("dump", "--from and --to select events of the parsed dump: not with --wire or --footprint");
    if (have_g && (wire || footprint))
        return cli_usage_error("dump", "--goroutine selects events of the parsed dump: not with --wire or --footprint");
    const char *path = a.pos[0];
    if (footprint)
        return dump_footprint(path, stdout);
    return wire ? dump_wire(path, stdout) : dump_parsed(path, stdout, have_g ? &g : NULL, au_window.from, au_window.to);
}
