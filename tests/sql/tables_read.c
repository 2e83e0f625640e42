/* sql-tables-read QUERY...: for each query, the tables `gotrace sql` loads
 * for it (cli_sqlite_tables_read, cli/sqlite_db.h), in schema order on one
 * line, or "all". A tool for tests/scripts/sql.sh, which checks the sets it
 * expects of SQL's meaning, and that the answers equal those over every
 * table. */
#include <stdint.h>
#include <stdio.h>

#include "gotrace/rows.h"
#include "sqlite_db.h"

int main(int argc, char **argv)
{
    uint32_t n;
    const gt_rows_table *tables = gt_rows_tables(&n);
    for (int i = 1; i < argc; i++) {
        uint32_t mask = cli_sqlite_tables_read(argv[i]);
        if (!mask) {
            puts("all");
            continue;
        }
        const char *sep = "";
        for (uint32_t t = 0; t < n; t++)
            if (mask >> t & 1) {
                printf("%s%s", sep, tables[t].name);
                sep = " ";
            }
        putchar('\n');
    }
    return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
