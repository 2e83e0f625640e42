/* Placeholder: gotrace tasks is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_tasks(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("tasks", "not implemented yet");
}
