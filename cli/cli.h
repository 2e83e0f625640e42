/* Shared pieces of the gotrace CLI. The CLI uses only the public API
 * (gotrace.h); each command lives in cli/cmd_NAME.c. */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdio.h>

#include "gotrace.h"

/* Exit statuses, stable across versions. */
enum {
    CLI_EXIT_OK = 0,     /* success */
    CLI_EXIT_TRACE = 1,  /* the trace is broken, or a check failed */
    CLI_EXIT_USAGE = 2   /* bad command line, or a file cannot be opened */
};

int cmd_dump(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_regions(int argc, char **argv);
int cmd_mmu(int argc, char **argv);
int cmd_pprof(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_summary(int argc, char **argv);

/* dump's modes (cli/dump_wire.c, cli/dump_parsed.c). */
int dump_wire(const char *path, FILE *out);
int dump_footprint(const char *path, FILE *out);
int dump_parsed(const char *path, FILE *out);

/* Prints "gotrace CMD: MESSAGE" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a trace error for path to stderr as
 * "gotrace: PATH: MESSAGE (offset N)" and returns CLI_EXIT_TRACE. */
int cli_trace_error(const char *path, const gt_error *err);

/* Whether argv holds -h or --help (before a "--"). */
int cli_wants_help(int argc, char **argv);

/* Progress through a trace, to report what an error lost (cli/report.c). */
typedef struct cli_progress {
    uint64_t valid_bytes;  /* input bytes read when the Sync before the last arrived */
    uint64_t last_sync_bytes;  /* input bytes read when the last Sync arrived */
    uint64_t total_bytes;  /* the input's size (what was read, for a pipe) */
} cli_progress;

/* Call for every event read. */
void cli_progress_event(cli_progress *p, const gt_reader *r, const gt_event *ev);
/* Call once reading has stopped, before freeing the reader. */
void cli_progress_finish(cli_progress *p, const gt_reader *r);

/* After a reader error: prints to stderr, as go tool trace does,
 * "gotrace: PATH: Lost P% of the latest trace data due to error (A of B)". */
void cli_report_loss(const char *path, const cli_progress *p);

/* Opens path for writing, "-" meaning stdout. NULL (message printed) on failure. */
FILE *cli_open_output(const char *cmd, const char *path);

/* Reads all of path ("-" = stdin) into a malloc'd buffer. Returns 0, or -1
 * with a message printed. */
int cli_read_all(const char *cmd, const char *path, unsigned char **data, size_t *len);

#endif
