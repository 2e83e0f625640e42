/* Loading a trace's tables (gotrace/rows.h) into SQLite: shared by
 * `gotrace sql` (a temporary database) and `gotrace export --format=sqlite`
 * (a database file). cli/sqlite_db.c. */
#ifndef GT_CLI_SQLITE_DB_H
#define GT_CLI_SQLITE_DB_H

#include <sqlite3.h>
#include <stdint.h>

/* Opens the database at path for loading (a new file; "" for SQLite's
 * private temporary on-disk database, deleted when closed), with the
 * pragmas of a bulk load. NULL with the message printed for cmd. */
sqlite3 *cli_sqlite_open(const char *cmd, const char *path);

/* Reads the trace at path ("-": standard input; gzip and zstd too) into the
 * open database db: creates every table of the schema and the views
 * (goroutine_groups, task_types, region_types, ...), inserts the rows of
 * the tables in the mask tables (bit t: table t; 0: all) with
 * prepared statements in transactions of a bounded number of rows. from/to:
 * the window (gotrace/rows.h). Returns CLI_EXIT_OK, CLI_EXIT_TRACE (broken
 * trace: every row read is loaded; error printed), CLI_EXIT_USAGE (input
 * cannot be opened) or CLI_EXIT_IO (SQLite could not write: disk full, file
 * too large; message printed). *loaded is set when the database holds the
 * tables (OK, or TRACE for a trace broken after its start; not for an input
 * that is no trace at all). */
int cli_sqlite_load(sqlite3 *db, const char *cmd, const char *path, int64_t from, int64_t to, uint32_t tables,
                    int *loaded);

/* A load in steps, for `gotrace sql`'s prompt: the schema once, then the
 * rows of more tables at each cli_sqlite_loader_load (the trace read again
 * each time, so path must be a file that can be opened again), with the
 * views made again over them. cli_sqlite_load is one such load. */
typedef struct cli_sqlite_loader cli_sqlite_loader;
cli_sqlite_loader *cli_sqlite_loader_new(sqlite3 *db, const char *cmd);  /* NULL: no memory */
/* Loads the tables in tables (0: all) not loaded before; the traces table
 * comes with the first load whatever tables says. As cli_sqlite_load
 * otherwise; *loaded is set at once when nothing is missing. */
int cli_sqlite_loader_load(cli_sqlite_loader *S, const char *path, int64_t from, int64_t to, uint32_t tables,
                           int *loaded);
/* The tables of tables (0: all; the traces table always) not loaded yet. */
uint32_t cli_sqlite_loader_missing(const cli_sqlite_loader *S, uint32_t tables);
void cli_sqlite_loader_free(cli_sqlite_loader *S);              /* NULL is fine */

/* The tables (bit t: table t of gt_rows_tables, the traces table always
 * among them) whose rows the statements of sql read, found by preparing
 * them on the same schema left empty, under an authorizer; 0 for every
 * table: a statement writes, fails to prepare (it may need what an earlier
 * one creates), runs a pragma, ATTACH, BEGIN or SAVEPOINT, or reads the
 * strings table itself or dbstat.
 * The tables left out are created empty, so a query sees what it would
 * have with everything loaded. */
uint32_t cli_sqlite_tables_read(const char *sql);

/* The views every database gets (besides one per table with interned
 * columns): each is CREATE VIEW name AS select; the list ends with a NULL
 * name. */
typedef struct cli_sqlite_view {
    const char *name;
    const char *select;  /* "  SELECT ...;" */
} cli_sqlite_view;
extern const cli_sqlite_view cli_sqlite_views[];

#endif
