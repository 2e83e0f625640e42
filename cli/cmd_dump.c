/* gotrace dump [--wire | --footprint] FILE */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char dump_help[] =
    "usage: gotrace dump [--wire | --footprint] FILE\n\n"
    "Print every event of the trace in FILE (- for standard input).\n\n"
    "By default the output is that of Go's `go tool trace -d=parsed`: the ordered,\n"
    "checked events with their stacks. With --wire it is that of `-d=wire`: the\n"
    "raw wire events in file order, without ordering or checks. With --footprint\n"
    "it is that of `-d=footprint`: for each wire event type, how many events and\n"
    "bytes the trace holds, largest first.\n\n"
    "Exit status: 0 success, 1 broken trace (the events read before the error are\n"
    "printed; the error goes to stderr), 2 usage error, 3 write error (the\n"
    "output is incomplete; reading stops at the first failed write).\n";

int cmd_dump(int argc, char **argv)
{
    enum { OPT_WIRE = 1, OPT_FOOTPRINT };
    static const cli_option opts[] = {{"wire", 0, OPT_WIRE}, {"footprint", 0, OPT_FOOTPRINT}, {NULL, 0, 0}};
    int wire = 0, footprint = 0;
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
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.npos != 1)
        return cli_usage_error("dump", "expected exactly one FILE");
    if (wire && footprint)
        return cli_usage_error("dump", "--wire and --footprint exclude each other");
    const char *path = a.pos[0];
    if (footprint)
        return dump_footprint(path, stdout);
    return wire ? dump_wire(path, stdout) : dump_parsed(path, stdout);
}
