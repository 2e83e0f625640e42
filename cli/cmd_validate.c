/* gotrace validate FILE: reads a trace through the public reader and checks
 * every event with the validator (Go's testtrace Validator).
 *
 * Output: one block per inconsistent event,
 *   event N (time T): MESSAGE
 * (N counts events from 0; a message of several findings spans several
 * lines, the later ones indented), then "N inconsistent events" and exit 1;
 * or "OK: N events" and exit 0. A reader error prints Go's message on
 * stderr and exits 1, after the findings so far. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gotrace/validate.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace validate [--skip-clock-checks] FILE\n\n"
               "Check the trace's events for consistency with the checks of Go's\n"
               "internal/trace/testtrace Validator: timestamps, Sync numbering and clock\n"
               "snapshots, goroutine and proc state machines, one running G and P per thread,\n"
               "ranges, tasks and stacks. FILE may be - for standard input.\n\n"
               "  --skip-clock-checks  do not require increasing clock snapshots (as Go on\n"
               "                       coarse-clock platforms)\n\n"
               "Prints each finding as \"event N (time T): MESSAGE\" and a count.\n"
               "Exit status: 0 consistent, 1 inconsistent or unreadable, 2 usage error,\n"
               "3 write error.\n");
}

/* Prints msg with every line after the first indented by four spaces. */
static void print_indented(const char *msg)
{
    for (const char *p = msg; *p; p++) {
        putchar(*p);
        if (*p == '\n')
            fputs("    ", stdout);
    }
    putchar('\n');
}

int cmd_validate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    const char *path = NULL;
    int skip_clock = 0;
    enum { OPT_SKIP_CLOCK = 1 };
    static const cli_option opts[] = {{"skip-clock-checks", 0, OPT_SKIP_CLOCK}, {NULL, 0, 0}};
    cli_args a;
    cli_args_init(&a, "validate", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        if (opt != OPT_SKIP_CLOCK)
            return CLI_EXIT_USAGE;
        skip_clock = 1;
    }
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;

    cli_input in;
    int open_rc = cli_input_open(&in, "validate", path, 0);
    if (open_rc)
        return open_rc;
    gt_error err;
    gt_reader *r = cli_reader_open_fd(in.fd, &err);
    if (!r) {
        cli_trace_error(path, &err);
        cli_input_explain(in.fd, &err);
        cli_input_close(&in);
        return err.code == GT_ERR_IO ? CLI_EXIT_USAGE : CLI_EXIT_TRACE;
    }
    gt_validator *v = gt_validator_new(gt_reader_version(r));
    if (!v) {
        gt_reader_free(r);
        cli_input_close(&in);
        fprintf(stderr, "gotrace validate: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    if (skip_clock)
        gt_validator_skip_clock_checks(v);

    uint64_t index = 0, bad = 0;
    gt_event ev;
    int rc;
    cli_progress progress = {0};
    int status = CLI_EXIT_OK;
    while ((rc = gt_reader_next(r, &ev)) == 1) {
        cli_progress_event(&progress, r, &ev);
        if (gt_validator_event(v, &ev)) {
            printf("event %llu (time %lld): ", (unsigned long long)index, (long long)ev.time);
            print_indented(gt_validator_message(v));
            bad++;
            if ((status = cli_write_check(stdout)) != CLI_EXIT_OK)
                break;  /* the findings are lost: stop reading */
        }
        index++;
    }
    if (status == CLI_EXIT_IO) {
        rc = 0;  /* the write error is what is reported */
    } else if (bad) {
        printf("%llu inconsistent event%s out of %llu\n", (unsigned long long)bad, bad == 1 ? "" : "s",
               (unsigned long long)index);
        status = CLI_EXIT_TRACE;
    } else if (rc == 0) {
        printf("OK: %llu events\n", (unsigned long long)index);
    }
    fflush(stdout);
    if (rc < 0) {
        cli_trace_error(path, gt_reader_error(r));
        cli_progress_finish(&progress, r);
        cli_report_loss(path, &progress);
        status = CLI_EXIT_TRACE;
    }
    gt_validator_free(v);
    gt_reader_free(r);
    int in_rc = cli_input_close(&in);
    return status ? status : in_rc;
}
