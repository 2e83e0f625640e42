/* gotrace dump --wire FILE: the raw wire events, one per line, exactly as
 * `go tool trace -d=wire FILE` prints them (Go's raw Event.String()).
 * gotrace dump --footprint FILE: the table of `go tool trace -d=footprint`,
 * events and bytes per wire type.
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

/* Opens path (in, possibly compressed) for a raw dump: the reader, or NULL
 * with *rc set and in closed (a file that cannot be opened is a usage
 * error; a bad header, a broken trace). */
static gt_raw_reader *open_raw(const char *path, cli_input *in, int *rc)
{
    if ((*rc = cli_input_open(in, "dump", path, 0)) != 0)
        return NULL;
    gt_error err;
    gt_raw_reader *r = cli_input_raw(in, &err);
    if (!r && err.code == GT_ERR_IO) {
        fprintf(stderr, "gotrace dump: %s: %s\n", path, err.message);
        *rc = CLI_EXIT_USAGE;
    } else if (!r) {
        *rc = report(path, &err);
        cli_input_explain(in->fd, &err);
    }
    if (!r)
        cli_input_close(in);
    return r;
}

/* Closes in after the dump: a decompression error is the status unless
 * another came first. */
static int close_raw(cli_input *in, int rc)
{
    int in_rc = cli_input_close(in);
    return rc ? rc : in_rc;
}

int dump_wire(const char *path, FILE *out)
{
    int rc = CLI_EXIT_OK;
    cli_input in;
    gt_raw_reader *r = open_raw(path, &in, &rc);
    if (!r)
        return rc;
    int version = gt_raw_version(r);
    size_t cap = 1 << 12;
    char *line = malloc(cap);
    gt_raw_event ev;
    int st = 0;
    int write_rc = 0;
    uint64_t count = 0;
    while (line && !write_rc && (st = gt_raw_next(r, &ev)) > 0) {
        cli_progress_bytes(gt_raw_bytes_read(r), in.fd);
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
        if ((++count & 255) == 0)  /* stop reading soon after a failed write */
            write_rc = cli_write_check(out);
    }
    cli_progress_end();
    if (write_rc) {
        rc = write_rc;
    } else if (!line || (st > 0)) {
        fprintf(stderr, "gotrace dump: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else if (st < 0 && !gt_raw_error_is_eof(r)) {
        rc = report(path, gt_raw_error(r));
    }
    free(line);
    gt_raw_free(r);
    rc = close_raw(&in, rc);
    fflush(out);
    if (cli_write_check(out))
        rc = CLI_EXIT_IO;
    return rc;
}

/* Go's text/tabwriter with minwidth 3, padding 2 and spaces, over rows of
 * five cells: every cell but the last is padded to its column's widest cell
 * plus 2 (at least 3); the last is written as it is. */
enum { FP_COLS = 5, FP_CELL = 32 };

static void write_table(FILE *out, char (*cells)[FP_COLS][FP_CELL], size_t nrows)
{
    size_t width[FP_COLS - 1];
    for (size_t c = 0; c < FP_COLS - 1; c++) {
        width[c] = 3;
        for (size_t i = 0; i < nrows; i++) {
            size_t w = strlen(cells[i][c]) + 2;
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t i = 0; i < nrows; i++) {
        for (size_t c = 0; c < FP_COLS - 1; c++)
            fprintf(out, "%-*s", (int)width[c], cells[i][c]);
        fprintf(out, "%s\n", cells[i][FP_COLS - 1]);
    }
}

/* Go's "%.2f%%" of a float64, whose NaN prints as "NaN". */
static void percent(char *dst, uint64_t part, uint64_t whole)
{
    double pct = (double)part / (double)whole * 100;
    if (whole == 0)
        snprintf(dst, FP_CELL, "NaN%%");
    else
        snprintf(dst, FP_CELL, "%.2f%%", pct);
}

int dump_footprint(const char *path, FILE *out)
{
    int rc = CLI_EXIT_OK;
    cli_input in;
    gt_raw_reader *r = open_raw(path, &in, &rc);
    if (!r)
        return rc;
    gt_raw_footprint_row rows[256];
    uint64_t events, total;
    if (gt_raw_footprint(r, rows, &events, &total) < 0) {
        rc = report(path, gt_raw_error(r));
        gt_raw_free(r);
        return close_raw(&in, rc);
    }
    gt_raw_free(r);
    if ((rc = close_raw(&in, rc)) != 0)
        return rc;
    static char cells[2 + 256][FP_COLS][FP_CELL];
    static const char *const head[2][FP_COLS] = {{"Event", "Bytes", "%", "Count", "%"}, {"-", "-", "-", "-", "-"}};
    for (size_t i = 0; i < 2; i++)
        for (size_t c = 0; c < FP_COLS; c++)
            snprintf(cells[i][c], FP_CELL, "%s", head[i][c]);
    for (size_t i = 0; i < 256; i++) {
        char (*row)[FP_CELL] = cells[2 + i];
        snprintf(row[0], FP_CELL, "%s", rows[i].name);
        snprintf(row[1], FP_CELL, "%llu", (unsigned long long)rows[i].bytes);
        percent(row[2], rows[i].bytes, total);
        snprintf(row[3], FP_CELL, "%llu", (unsigned long long)rows[i].count);
        percent(row[4], rows[i].count, events);
    }
    write_table(out, cells, 2 + 256);
    fflush(out);
    return cli_write_check(out);
}
