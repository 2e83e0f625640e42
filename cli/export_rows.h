/* Reading a trace into a gotrace/rows.h sink: the one loop behind
 * `gotrace sql` and every `gotrace export` format. cli/export_rows.c. */
#ifndef GT_CLI_EXPORT_ROWS_H
#define GT_CLI_EXPORT_ROWS_H

#include <stdint.h>

#include "gotrace/rows.h"

/* Reads the trace at path ("-": standard input; gzip and zstd too) and feeds
 * every event to a gt_rows calling sink, then finishes it (the traces row
 * names the trace `name`, or path when name is NULL). from/to: the window
 * in ns since the first event (0, INT64_MAX: all). tables: a mask of the
 * tables whose rows reach the sink (bit t: table t), 0 for all (gotrace/
 * rows.h then skips the work only the other tables need). *traced is set
 * when the traces row was made, asked for or not: gt_rows_finish ran, so
 * the rows are complete (for a broken trace, all those read). The sink
 * returns 0, or an exit status (CLI_EXIT_IO with the message printed) to
 * stop. Returns CLI_EXIT_OK; CLI_EXIT_TRACE for a broken trace (every
 * event read was fed and finished; the error printed) or no memory;
 * CLI_EXIT_USAGE when the input cannot be opened; or the sink's status. */
int cli_rows_run(const char *cmd, const char *path, const char *name, int64_t from, int64_t to, uint32_t tables,
                 const gt_rows_sink *sink, int *traced);

/* The index in gt_rows_tables() of the table named by the len bytes at
 * name (a bit of a uint32_t mask), or -1 for no such table. */
int cli_table_index(const char *name, size_t len);

/* --tables LIST for cmd: table names of gt_rows_tables(), separated by
 * commas, into *mask (bit t: table t). 0, or CLI_EXIT_USAGE with the
 * message (naming every table) printed. */
int cli_tables_arg(const char *cmd, const char *list, uint32_t *mask);

/* --from / --to D for cmd: a Go duration, not negative, into *ns. 0, or
 * CLI_EXIT_USAGE with the message printed. */
int cli_window_arg(const char *cmd, const char *opt, const char *val, int64_t *ns);

#endif
