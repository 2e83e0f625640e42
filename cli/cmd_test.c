/* gotrace test FILE.test: runs one of Go's trace test cases the way Go's
 * golden test does (reader_test.go testReader, testtrace.ParseFile,
 * testtrace.Expectation), and prints what happened:
 *
 *   one line per event, Go's Event.String() (stacks indented beneath);
 *   "ERROR: MESSAGE" when reading stopped with an error;
 *   "EXPECTATION OK", or Go's message saying why the expectation failed.
 *
 * Go's test also runs the validator on every event; a validator finding
 * fails Go's test whatever the expectation says. Here the finding is
 * printed as "ERROR: MESSAGE" too, reading stops there, and the last line
 * is "VALIDATION FAILED" (Go has no text for this: its test just fails).
 *
 * Exit status: 0 when the expectation holds, 1 when it does not (or the
 * case cannot be loaded), 2 on a usage error or an unreadable file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gotrace/check.h"
#include "gotrace/validate.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace test FILE.test\n\n"
               "Run one of Go's trace test cases (internal/trace/testdata/tests/*.test: an\n"
               "'expect' section and a 'trace' section in Go's text format) as Go's golden\n"
               "test does: convert the trace to the binary format, read it, validate each\n"
               "event, and check the outcome against the expectation. FILE may be - for\n"
               "standard input.\n\n"
               "Prints each event as Go's Event.String(), then \"ERROR: MESSAGE\" if reading\n"
               "(or validation) stopped with an error, then \"EXPECTATION OK\" or the reason\n"
               "the expectation failed (\"VALIDATION FAILED\" after a validator finding).\n\n"
               "Exit status: 0 expectation holds, 1 it does not or the case is malformed,\n"
               "2 usage error or unreadable file, 3 write error.\n");
}

/* Prints the event as Go's fmt.Println(ev.String()) would. */
static int print_event(const gt_event *ev, char **buf, size_t *cap)
{
    size_t n = gt_event_format(ev, *buf, *cap);
    if (n >= *cap) {
        size_t ncap = n + 1 > *cap * 2 ? n + 1 : *cap * 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
        gt_event_format(ev, *buf, *cap);
    }
    fwrite(*buf, 1, n, stdout);
    putchar('\n');
    return 0;
}

/* Checks the outcome against the expectation and prints the verdict.
 * read_error is NULL when reading succeeded. */
static int conclude(const gt_expectation *e, const char *read_error)
{
    if (read_error)
        printf("ERROR: %s\n", read_error);
    char *why = NULL;
    int rc = gt_expectation_check(e, read_error, &why);
    if (rc < 0) {
        fprintf(stderr, "gotrace test: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    if (rc > 0) {
        printf("%s\n", why);
        gt_free(why);
        return CLI_EXIT_TRACE;
    }
    printf("EXPECTATION OK\n");
    return CLI_EXIT_OK;
}

static int run_case(const gt_test_case *tc)
{
    gt_error err;
    gt_reader *r = cli_reader_open_memory(tc->trace, tc->trace_len, &err);
    if (!r)
        return conclude(tc->expect, err.message);
    /* Go's test sets the validator's version from the reader, per event. */
    gt_validator *v = gt_validator_new(gt_reader_version(r));
    if (!v) {
        gt_reader_free(r);
        fprintf(stderr, "gotrace test: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    char *buf = NULL;
    size_t cap = 0;
    int status = -1;
    gt_event ev;
    int rc;
    while ((rc = gt_reader_next(r, &ev)) == 1) {
        if (print_event(&ev, &buf, &cap)) {
            fprintf(stderr, "gotrace test: out of memory\n");
            status = CLI_EXIT_TRACE;
            break;
        }
        if (cli_write_check(stdout)) {
            status = CLI_EXIT_IO;  /* nobody sees the result: stop */
            break;
        }
        if (gt_validator_event(v, &ev)) {
            printf("ERROR: %s\nVALIDATION FAILED\n", gt_validator_message(v));
            status = CLI_EXIT_TRACE;
            break;
        }
    }
    if (status < 0)
        status = conclude(tc->expect, rc < 0 ? gt_reader_error(r)->message : NULL);
    free(buf);
    gt_validator_free(v);
    gt_reader_free(r);
    return status;
}

int cmd_test(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    const char *path = NULL;
    static const cli_option opts[] = {{NULL, 0, 0}};
    cli_args a;
    cli_args_init(&a, "test", argc, argv);
    if (cli_next_option(&a, opts) != CLI_OPT_END)
        return CLI_EXIT_USAGE;
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;

    unsigned char *data;
    size_t len;
    if (cli_read_all("test", path, &data, &len))
        return CLI_EXIT_USAGE;
    gt_test_case tc;
    gt_error err;
    if (gt_test_case_load(data, len, path, &tc, &err)) {
        /* Go's golden test: t.Fatalf("failed to parse test file at %s: %v"). */
        fprintf(stderr, "gotrace test: failed to parse test file at %s: %s\n", path, err.message);
        free(data);
        return CLI_EXIT_TRACE;
    }
    free(data);
    int status = run_case(&tc);
    gt_test_case_free(&tc);
    return status;
}
