/* gotrace — command-line entry point: dispatches to cli/cmd_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"summary", cmd_summary, "what happened in the trace, on one screen (start here)"},
    {"report", cmd_report, "one self-contained HTML page on the trace: summary, timeline overview, charts"},
    {"dump", cmd_dump, "print every event as go tool trace -d=parsed (or -d=wire with --wire)"},
    {"convert", cmd_convert, "convert between the binary and the text trace format"},
    {"test", cmd_test, "run one of Go's .test trace cases and check its expectation"},
    {"validate", cmd_validate, "check the event stream for consistency, as Go's validator does"},
    {"goroutines", cmd_goroutines, "per-goroutine time breakdown (Go's goroutine analysis)"},
    {"tasks", cmd_tasks, "user tasks: durations, logs, goroutines"},
    {"regions", cmd_regions, "user regions: durations and time breakdown"},
    {"mmu", cmd_mmu, "minimum mutator utilisation curve"},
    {"pprof", cmd_pprof, "write a pprof profile (sched, sync, syscall, net)"},
    {"perfetto", cmd_perfetto, "convert to Perfetto's protobuf trace: every state, flows, counters, stacks"},
    {"timeline", cmd_timeline, "convert to Trace Event Format JSON for Perfetto / chrome://tracing"},
    {"cut", cmd_cut, "write a smaller valid trace: the generations overlapping a time window"},
    {"split", cmd_split, "split a trace into valid pieces of at most a given size"},
    {"sql", cmd_sql, "run SQL (SQLite) on the trace's tables: goroutines, transitions, stacks, ..."},
    {"export", cmd_export, "write the trace's tables as a SQLite database, CSV files or Parquet"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: gotrace COMMAND [OPTIONS] FILE\n\n"
               "Read Go execution traces (Go 1.11 to 1.27). FILE may be - for standard input.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nOptions:\n"
               "  -h, --help     show this help (gotrace help COMMAND, or gotrace COMMAND --help,\n"
               "                 for a command)\n"
               "  --version      print the version\n"
               "  --threads N    (every command; before it or after it) read the trace with\n"
               "                 N threads; default: the online cores, at most %d\n"
               "                 (gotrace COMMAND --help)\n"
               "  --quiet        (every command) no progress line on standard error\n\n"
               "Exit status: 0 success, 1 broken trace or failed check, 2 usage error,\n"
               "3 write error (the output is incomplete).\n",
            GT_DEFAULT_THREADS_CAP);
}

/* The options every command accepts (cli_next_option reads them), after
 * each command's own help. */
static int common_help(int rc)
{
    if (rc == CLI_EXIT_OK)
        printf("\nEvery command also accepts:\n"
               "  --threads N  read the trace with N threads: the reader merges and orders\n"
               "               on a thread of its own and reads generations ahead on\n"
               "               another, so N >= 2 uses up to 3 cores (the events, the\n"
               "               output and the errors are those of N = 1). 0 or absent:\n"
               "               the online cores, at most %d. No effect on Go <= 1.21\n"
               "               traces, nor for dump --wire and --footprint, convert,\n"
               "               cut and split (they read no events).\n"
               "  --quiet      no progress line on standard error\n",
               GT_DEFAULT_THREADS_CAP);
    return rc;
}

/* Runs cmd; its --help is followed by common_help. */
static int run(const struct command *cmd, int argc, char **argv)
{
    int rc = cmd->run(argc, argv);
    return cli_wants_help(argc, argv) ? common_help(rc) : rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* gotrace --threads N COMMAND ...: the option may come before the
     * command as well (the last one given wins). */
    while (argc > 2 && argv[1][0] == '-') {
        const char *opt = argv[1] + (argv[1][1] == '-' ? 2 : 1);
        size_t len = strcspn(opt, "=");
        if (len != 7 || strncmp(opt, "threads", 7))
            break;
        int with_value = opt[len] == '=';
        const char *v = with_value ? opt + len + 1 : argv[2];
        if (cli_parse_threads(v)) {
            char spelling[16];
            snprintf(spelling, sizeof spelling, "%.*s", (int)(opt - argv[1] + len), argv[1]);
            fprintf(stderr, "gotrace: " CLI_THREADS_BAD "\nTry 'gotrace --help'.\n", spelling, CLI_MAX_THREADS, v);
            return CLI_EXIT_USAGE;
        }
        argc -= with_value ? 1 : 2;
        argv += with_value ? 1 : 2;
    }
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    /* Whatever a command printed is checked once more as stdout is flushed
     * and closed (cli_finish_stdout): a write error is never lost. */
    /* gotrace help COMMAND is gotrace COMMAND --help. */
    if (!strcmp(name, "help") && argc == 3)
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (!strcmp(argv[2], commands[i].name))
                return cli_finish_stdout(run(&commands[i], 2, (char *[]){argv[2], "--help", NULL}));
    if (!strcmp(name, "help") && argc > 2) {
        if (argc > 3)
            fprintf(stderr, "gotrace: help takes one command\nTry 'gotrace --help'.\n");
        else
            fprintf(stderr, "gotrace: help: unknown command '%s'\nTry 'gotrace --help'.\n", argv[2]);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "-help") || !strcmp(name, "help")) {
        usage(stdout);
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("gotrace %s\n", gt_version());
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return cli_finish_stdout(run(&commands[i], argc - 1, argv + 1));
    fprintf(stderr, "gotrace: unknown command '%s'\n", name);
    fprintf(stderr, "Try 'gotrace --help'.\n");
    return CLI_EXIT_USAGE;
}
