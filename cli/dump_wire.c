/* Placeholder: dump (wire mode) is not implemented yet. Replace this file. */
#include "cli.h"

int dump_wire(const char *path, FILE *out)
{
    (void)out;
    fprintf(stderr, "gotrace dump: %s: not implemented yet\n", path);
    return CLI_EXIT_USAGE;
}
