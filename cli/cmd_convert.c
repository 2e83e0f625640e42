/* gotrace convert --to=text|binary IN OUT: re-encodes a v2 trace between the
 * binary wire format and Go's text format (the `.test` files), event by
 * event, through the raw readers and writers of gotrace/raw.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gotrace/raw.h"

static const char convert_help[] =
    "usage: gotrace convert --to=text|binary [--runtime-layout] IN OUT\n\n"
    "Convert the trace IN to OUT (either may be - for standard input/output).\n"
    "The input format is detected from its first bytes: binary traces start\n"
    "with \"go 1.N trace\", text traces with the line \"Trace Go1.N\" (blank and\n"
    "# comment lines may come first). Converting a trace to its own format\n"
    "re-encodes it.\n\n"
    "Binary output uses the shortest varints, as Go's own trace writer in its\n"
    "tests does. --runtime-layout writes batches as the Go runtime does (batch\n"
    "sizes padded to 10 bytes): a runtime trace converted to text\n"
    "and back this way is identical to the original.\n\n"
    "The text format is Go's (internal/trace/raw): one event per line,\n"
    "\"Name arg=value ...\", stack frames and data on the lines below.\n\n"
    "Exit status: 0 success, 1 broken input (what was converted before the\n"
    "error is written; the error goes to stderr), 2 usage error or a file that\n"
    "cannot be opened.\n";

/* Whether data (the start of an input) looks like the text format: its first
 * token, after blank and comment lines, is "Trace". */
static int looks_like_text(const unsigned char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = data[i];
        if (c == '#') {
            while (i < len && data[i] != '\n')
                i++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            i++;
        } else {
            return len - i >= 5 && !memcmp(data + i, "Trace", 5);
        }
    }
    return 0;
}

/* Opens the input: text inputs and standard input are read whole (the text
 * reader works on memory); binary files are streamed. *buffer gets what must
 * be freed after the reader. NULL with a message printed on failure. */
static gt_raw_reader *open_input(const char *path, unsigned char **buffer, int *exit_code)
{
    gt_error err;
    gt_raw_reader *r = NULL;
    *buffer = NULL;
    *exit_code = CLI_EXIT_TRACE;
    if (strcmp(path, "-")) {
        unsigned char head[4096];
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "gotrace convert: cannot open %s: %s\n", path, strerror(errno));
            *exit_code = CLI_EXIT_USAGE;
            return NULL;
        }
        size_t n = fread(head, 1, sizeof head, f);
        fclose(f);
        if (!looks_like_text(head, n)) {
            r = gt_raw_open_path(path, &err);
            if (!r)
                cli_trace_error(path, &err);
            return r;
        }
    }
    size_t len;
    if (cli_read_all("convert", path, buffer, &len)) {
        *exit_code = CLI_EXIT_USAGE;
        return NULL;
    }
    r = looks_like_text(*buffer, len) ? gt_raw_open_text(*buffer, len, &err) : gt_raw_open_memory(*buffer, len, &err);
    if (!r) {
        cli_trace_error(path, &err);
        free(*buffer);
        *buffer = NULL;
    }
    return r;
}

int cmd_convert(int argc, char **argv)
{
    static const struct option opts[] = {
        {"to", required_argument, NULL, 't'},
        {"runtime-layout", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int format = -1, runtime_layout = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (!strcmp(optarg, "text"))
                format = GT_RAW_TEXT;
            else if (!strcmp(optarg, "binary"))
                format = GT_RAW_BINARY;
            else
                return cli_usage_error("convert", "--to must be text or binary, not '%s'", optarg);
            break;
        case 'r': runtime_layout = 1; break;
        case 'h': fputs(convert_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("convert", "bad option");
        }
    }
    if (format < 0)
        return cli_usage_error("convert", "--to=text or --to=binary is required");
    if (runtime_layout && format != GT_RAW_BINARY)
        return cli_usage_error("convert", "--runtime-layout needs --to=binary");
    if (runtime_layout)
        format = GT_RAW_BINARY_RUNTIME;
    if (optind != argc - 2)
        return cli_usage_error("convert", "expected IN and OUT");
    const char *in = argv[optind], *out_path = argv[optind + 1];

    unsigned char *buffer;
    int rc;
    gt_raw_reader *r = open_input(in, &buffer, &rc);
    if (!r)
        return rc;
    FILE *out = cli_open_output("convert", out_path);
    if (!out) {
        gt_raw_free(r);
        free(buffer);
        return CLI_EXIT_USAGE;
    }
    gt_error err;
    gt_raw_writer *w = gt_raw_writer_new(out, gt_raw_version(r), format, &err);
    rc = CLI_EXIT_OK;
    if (!w) {
        rc = cli_trace_error(out_path, &err);
    } else {
        gt_raw_event ev;
        int st;
        while ((st = gt_raw_next(r, &ev)) > 0) {
            if (gt_raw_writer_write(w, &ev, &err)) {
                rc = cli_trace_error(out_path, &err);
                break;
            }
        }
        if (st < 0)
            rc = cli_trace_error(in, gt_raw_error(r));
        if (gt_raw_writer_close(w, &err) && rc == CLI_EXIT_OK)
            rc = cli_trace_error(out_path, &err);
    }
    if (out != stdout)
        fclose(out);
    gt_raw_free(r);
    free(buffer);
    return rc;
}
