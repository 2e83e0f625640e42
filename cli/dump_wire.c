/* gotrace dump --wire FILE: the raw wire events, one per line, exactly as
 * `go tool trace -d=wire FILE` prints them (Go's raw Event.String()).
 *
 * Errors behave as Go's: the events before the error are printed, then Go's
 * error text goes to stderr (followed by a line giving its byte offset) and
 * the exit status is 1. Where Go's raw
 * reader sees a plain io.EOF inside a truncated event it stops quietly with
 * status 0, and so do we (gt_raw_error_is_eof). One deliberate difference:
 * experimental event types are known from Go 1.23 on (Go's dumper knows them
 * only for 1.26 files and stops at the first one with "invalid event type"). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gotrace/raw.h"

/* Go's text alone on the first line (as go tool trace prints it), then where
 * it happened. */
static int report(const char *path, const gt_error *err)
{
    fprintf(stderr, "%s\n", err->message);
    if (err->offset != GT_NO_OFFSET)
        fprintf(stderr, "gotrace: %s: at byte offset %llu\n", path, (unsigned long long)err->offset);
    return CLI_EXIT_TRACE;
}

int dump_wire(const char *path, FILE *out)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_path(path, &err);
    if (!r) {
        if (err.code == GT_ERR_IO) {
            fprintf(stderr, "gotrace dump: %s\n", err.message);
            return CLI_EXIT_USAGE;
        }
        return report(path, &err);
    }
    int version = gt_raw_version(r);
    size_t cap = 1 << 12;
    char *line = malloc(cap);
    int rc = CLI_EXIT_OK;
    gt_raw_event ev;
    int st = 0;
    while (line && (st = gt_raw_next(r, &ev)) > 0) {
        size_t n = gt_raw_event_format(version, &ev, line, cap);
        if (n >= cap) {
            /* Rare (long data): grow and format again. */
            while (cap <= n)
                cap *= 2;
            char *bigger = realloc(line, cap);
            if (!bigger)
                break;
            line = bigger;
            gt_raw_event_format(version, &ev, line, cap);
        }
        line[n] = '\n';
        fwrite(line, 1, n + 1, out);
    }
    if (!line || (st > 0)) {
        fprintf(stderr, "gotrace dump: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else if (st < 0 && !gt_raw_error_is_eof(r)) {
        rc = report(path, gt_raw_error(r));
    }
    free(line);
    gt_raw_free(r);
    if (fflush(out) != 0 && rc == CLI_EXIT_OK) {
        fprintf(stderr, "gotrace dump: write error\n");
        rc = CLI_EXIT_TRACE;
    }
    return rc;
}
