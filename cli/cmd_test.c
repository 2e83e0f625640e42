/* Placeholder: gotrace test is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_test(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("test", "not implemented yet");
}
