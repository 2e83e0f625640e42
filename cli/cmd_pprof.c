/* Placeholder: gotrace pprof is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_pprof(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("pprof", "not implemented yet");
}
