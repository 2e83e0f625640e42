/* Placeholder: gotrace validate is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("validate", "not implemented yet");
}
