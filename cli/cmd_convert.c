/* Placeholder: gotrace convert is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_convert(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("convert", "not implemented yet");
}
