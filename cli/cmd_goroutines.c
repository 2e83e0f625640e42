/* Placeholder: gotrace goroutines is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_goroutines(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("goroutines", "not implemented yet");
}
