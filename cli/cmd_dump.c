/* gotrace dump [--wire | --footprint] FILE */
#include <getopt.h>
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
    static const struct option opts[] = {
        {"wire", no_argument, NULL, 'w'},
        {"footprint", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int wire = 0, footprint = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wire = 1; break;
        case 'f': footprint = 1; break;
        case 'h': fputs(dump_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("dump", "bad option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("dump", "expected exactly one FILE");
    if (wire && footprint)
        return cli_usage_error("dump", "--wire and --footprint exclude each other");
    if (footprint)
        return dump_footprint(argv[optind], stdout);
    return wire ? dump_wire(argv[optind], stdout) : dump_parsed(argv[optind], stdout);
}
