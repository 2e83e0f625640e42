/* gotrace convert --to=text|binary IN OUT: re-encodes a v2 trace between the
 * binary wire format and Go's text format (the `.test` files), event by
 * event, through the raw readers and writers of gotrace/raw.h. */
#include <errno.h>
#include <fcntl.h>
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
    "OUT is written to a temporary file beside it and renamed over it when\n"
    "complete; OUT may not be IN (also through a link).\n\n"
    "Exit status: 0 success, 1 broken input (what was converted before the\n"
    "error is written; the error goes to stderr), 2 usage error, a file that\n"
    "cannot be opened, or OUT the same file as IN, 3 write error.\n";

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

/* Reads the rest of in after the len bytes already in *data (malloc'd,
 * cap bytes). Returns 0, or -1 with errno set. */
static int read_rest(cli_input *in, unsigned char **data, size_t *len, size_t cap)
{
    for (;;) {
        if (*len == cap) {
            unsigned char *bigger = realloc(*data, cap *= 2);
            if (!bigger)
                return errno = ENOMEM, -1;
            *data = bigger;
        }
        ssize_t n = cli_input_read(in, *data + *len, cap - *len);
        if (n < 0)
            return -1;
        if ((size_t)n < cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        *len += (size_t)n;
    }
}

/* Opens the input (in, opened by the caller): its first bytes tell text
 * from binary; text is read whole (the text reader works on memory), binary
 * is streamed (those bytes given back first: the input is read once, front
 * to back, a pipe or a compressed file as it comes). *buffer gets what must be freed after the reader. NULL with a
 * message printed and *exit_code set on failure. */
static gt_raw_reader *open_input(const char *path, cli_input *in, unsigned char **buffer, int *exit_code)
{
    gt_error err;
    gt_raw_reader *r;
    size_t cap = 1 << 16, len = 0;
    *exit_code = CLI_EXIT_TRACE;
    *buffer = malloc(cap);
    ssize_t n = *buffer ? cli_input_read(in, *buffer, 4096) : -1;
    if (n < 0) {
        fprintf(stderr, "gotrace convert: cannot read %s: %s\n", path, strerror(*buffer ? errno : ENOMEM));
        *exit_code = CLI_EXIT_USAGE;
        free(*buffer);
        *buffer = NULL;
        return NULL;
    }
    len = (size_t)n;
    if (!looks_like_text(*buffer, len)) {
        int unread = cli_input_unread(in, *buffer, len);
        int e = errno;
        free(*buffer);
        *buffer = NULL;
        if (unread) {
            fprintf(stderr, "gotrace convert: cannot read %s again: %s\n", path, strerror(e));
            *exit_code = CLI_EXIT_USAGE;
            return NULL;
        }
        r = cli_input_raw(in, &err);
        if (!r) {
            cli_trace_error(path, &err);
            cli_input_explain(in->fd, &err);
        }
        return r;
    }
    if (read_rest(in, buffer, &len, cap)) {
        fprintf(stderr, "gotrace convert: cannot read %s: %s\n", path, strerror(errno));
        *exit_code = CLI_EXIT_USAGE;
        free(*buffer);
        *buffer = NULL;
        return NULL;
    }
    r = gt_raw_open_text(*buffer, len, &err);
    if (!r) {
        cli_trace_error(path, &err);
        free(*buffer);
        *buffer = NULL;
    }
    return r;
}

int cmd_convert(int argc, char **argv)
{
    enum { OPT_TO = 1, OPT_RUNTIME_LAYOUT };
    static const cli_option opts[] = {{"to", 1, OPT_TO}, {"runtime-layout", 0, OPT_RUNTIME_LAYOUT}, {NULL, 0, 0}};
    int format = -1, runtime_layout = 0;
    if (cli_wants_help(argc, argv)) {
        fputs(convert_help, stdout);
        return CLI_EXIT_OK;
    }
    cli_args a;
    cli_args_init(&a, "convert", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_TO:
            if (!strcmp(a.value, "text"))
                format = GT_RAW_TEXT;
            else if (!strcmp(a.value, "binary"))
                format = GT_RAW_BINARY;
            else
                return cli_usage_error("convert", "--to must be text or binary, not '%s'", a.value);
            break;
        case OPT_RUNTIME_LAYOUT: runtime_layout = 1; break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (format < 0)
        return cli_usage_error("convert", "--to=text or --to=binary is required");
    if (runtime_layout && format != GT_RAW_BINARY)
        return cli_usage_error("convert", "--runtime-layout needs --to=binary");
    if (runtime_layout)
        format = GT_RAW_BINARY_RUNTIME;
    if (a.npos != 2)
        return cli_usage_error("convert", "expected IN and OUT");
    const char *in = a.pos[0], *out_path = a.pos[1];

    /* The input is read once, as it comes (nothing spooled): its first
     * bytes tell the format, then are given back to the reader. */
    cli_output out;
    cli_input input;
    int rc = cli_open_in_out(&input, &out, "convert", in, out_path, 0);
    if (rc)
        return rc;
    unsigned char *buffer;
    gt_raw_reader *r = open_input(in, &input, &buffer, &rc);
    if (!r) {
        cli_input_close(&input);
        cli_output_abort(&out);
        return rc;
    }
    gt_error err;
    gt_raw_writer *w = gt_raw_writer_new(out.f, gt_raw_version(r), format, &err);
    /* The writer fails on a write error (write_rc), or on an event its
     * format cannot hold (refused: the message names OUT, exit 1). */
    int write_rc = 0, refused = 0;
    const gt_error *read_err = NULL;
    if (!w) {
        if (!(write_rc = cli_write_check(out.f)))
            refused = cli_trace_error(out_path, &err);
    } else {
        gt_raw_event ev;
        int st;
        while ((st = gt_raw_next(r, &ev)) > 0) {
            cli_progress_bytes(gt_raw_bytes_read(r), input.fd);
            if (gt_raw_writer_write(w, &ev, &err)) {
                if (!(write_rc = cli_write_check(out.f)))
                    refused = cli_trace_error(out_path, &err);
                break;
            }
        }
        cli_progress_end();
        if (st < 0 && !write_rc && !refused)
            read_err = gt_raw_error(r);
        if (gt_raw_writer_close(w, &err) && !write_rc && !refused && !read_err && !(write_rc = cli_write_check(out.f)))
            refused = cli_trace_error(out_path, &err);
    }
    /* What was converted before a broken input is kept, as documented. */
    if (write_rc)
        cli_output_abort(&out);
    else
        write_rc = cli_output_close(&out);
    rc = refused && !write_rc ? refused : cli_end_status("convert", in, write_rc, 0, NULL, input.fd, read_err, NULL);
    gt_raw_free(r);
    int in_rc = cli_input_close(&input);
    free(buffer);
    return rc ? rc : in_rc;
}
