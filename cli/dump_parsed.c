/* Placeholder: dump (parsed mode) is not implemented yet. Replace this file. */
#include "cli.h"

int dump_parsed(const char *path, FILE *out)
{
    (void)out;
    fprintf(stderr, "gotrace dump: %s: not implemented yet\n", path);
    return CLI_EXIT_USAGE;
}
