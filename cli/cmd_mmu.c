/* Placeholder: gotrace mmu is not implemented yet. Replace this file. */
#include "cli.h"

int cmd_mmu(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_usage_error("mmu", "not implemented yet");
}
