/* Placeholder: gotrace regions is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_regions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("regions", "not implemented yet");
}
