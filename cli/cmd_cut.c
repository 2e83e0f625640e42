/* gotrace cut / gotrace split: smaller valid traces out of a large one, at
 * generation boundaries (the semantics are the library's, gotrace/cut.h;
 * this file parses arguments, opens files and prints). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis_util.h"
#include "cli.h"
#include "gotrace/cut.h"
#include "gotrace/duration.h"

static void cut_help(FILE *f)
{
    fprintf(f,
            "usage: gotrace cut [--from D] [--to D] IN OUT\n"
            "       gotrace cut --generations A-B IN OUT\n"
            "       gotrace cut --list IN\n\n"
            "Write to OUT a smaller, valid Go trace: the header of IN and the generations\n"
            "of IN that overlap the window, copied byte for byte (go tool trace and every\n"
            "gotrace command read it). Go 1.22 and later traces only: older ones have no\n"
            "generations and cannot be cut. A generation lasts from a fraction of a second\n"
            "to a few seconds, so the cut is usually wider than the window.\n\n"
            "  --from D, --to D     window in Go's duration syntax (1.5s, 300ms, 250000ns,\n"
            "                       1m30s) from the trace start, the time of the first event\n"
            "                       as go tool trace shows it; inclusive. Default: the start,\n"
            "                       the end. A generation overlaps when it starts at or\n"
            "                       before --to and its last event is at or after --from.\n"
            "  --generations A-B    generations A to B, numbered from 1 in file order\n"
            "                       (also A, and A- for A to the end)\n"
            "  --list               print the generations of IN: number, wire number,\n"
            "                       offset, bytes, batches, start and end from the trace start\n\n"
            "IN may be - for standard input (read as it comes, through a spool file in\n"
            "$TMPDIR that holds about one generation); OUT may be - for standard output.\n"
            "OUT is written to a temporary file beside it and renamed when complete; it\n"
            "may not be IN. A line on stderr says what was kept.\n"
            "Exit: 0 ok, 1 broken or old-format trace or a window with no generation,\n"
            "2 usage, 3 write error.\n");
}

static void split_help(FILE *f)
{
    fprintf(f, "usage: gotrace split --size SIZE IN PREFIX\n\n"
               "Split IN into consecutive valid traces PREFIX.000.trace, PREFIX.001.trace, ...\n"
               "each holding the header and whole generations, each at most SIZE bytes unless\n"
               "one generation alone is larger (that piece then holds it alone, and a warning\n"
               "says so). Together the pieces hold every generation of IN once, in order.\n"
               "Go 1.22 and later traces only.\n\n"
               "  --size SIZE   a number of bytes with an optional unit: B, kB, MB, GB (powers\n"
               "                of 1000) or KiB, MiB, GiB (powers of 1024); e.g. 100MB\n\n"
               "IN may be - for standard input (read as it comes, through a spool file in\n"
               "$TMPDIR that holds about one generation). Each piece is written to a\n"
               "temporary file and renamed when complete; a piece may not be IN.\n"
               "Prints one line per piece. Exit: 0 ok, 1 broken or old-format trace, 2 usage,\n"
               "3 write error.\n");
}

static int parse_u64(const char *s, const char **end, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *e;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno)
        return -1;
    *v = x;
    *end = e;
    return 0;
}

/* "A-B", "A" or "A-" (1-based). */
static int generations_option(const char *cmd, const char *val, gt_cut_window *w)
{
    const char *p;
    w->by_index = 1;
    if (parse_u64(val, &p, &w->first) < 0 || w->first == 0)
        goto bad;
    w->last = w->first;
    if (*p == '-') {
        p++;
        w->last = UINT64_MAX;
        if (*p && (parse_u64(p, &p, &w->last) < 0 || w->last < w->first))
            goto bad;
    }
    if (*p)
        goto bad;
    return 0;
bad:
    return cli_usage_error(cmd, "--generations: %s is not A-B, A or A- with 1 <= A <= B", val);
}

/* SIZE with an optional unit. */
static int size_option(const char *cmd, const char *val, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {{"", 1},           {"B", 1},           {"kB", 1000},       {"KB", 1000},
                 {"MB", 1000000},   {"GB", 1000000000}, {"KiB", 1 << 10},   {"MiB", 1 << 20},
                 {"GiB", 1 << 30}};
    const char *p;
    uint64_t v;
    if (parse_u64(val, &p, &v) == 0)
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (!strcmp(p, units[i].unit) && v > 0 && v <= UINT64_MAX / units[i].mult) {
                *out = v * units[i].mult;
                return 0;
            }
    return cli_usage_error(cmd, "--size: %s is not a size such as 100MB, 64MiB or 5000000", val);
}

/* A failed cut or split: a write error (printed: exit 3), or 0 when err is
 * the input's. */
static int write_failure(FILE *out, const gt_error *err)
{
    if ((out && ferror(out)) || (err->code == GT_ERR_IO && !strncmp(err->message, "write:", 6)))
        return cli_write_error(errno);
    return 0;
}

/* The trace error, "gotrace: IN: ..." (exit 1), or a write error (exit 3). */
static int report(const char *in_path, FILE *out, const gt_error *err)
{
    int rc = write_failure(out, err);
    return rc ? rc : cli_trace_error(in_path, err);
}

/* The input of a cut: a regular file holding a plain trace is read in
 * place; anything else (a pipe, a FIFO, a terminal, compressed input) as it
 * comes, through cli_input's source (decompressing on demand), and a spool
 * file that holds about one generation (gotrace/cut.h): a kept generation
 * is copied out once it has been read whole, and a stream cannot be read
 * back. Listing copies nothing and needs no spool. */
typedef struct cut_source {
    cli_input in;
    int spool;        /* -1 when none */
    gt_cutter *c;
} cut_source;

/* An empty spool file in $TMPDIR (default /tmp), unlinked at once, with the
 * signals that would leave it behind blocked in between. -1 with errno. */
static int make_spool(void)
{
    const char *dir = getenv("TMPDIR");
    char templ[PATH_MAX];
    if (snprintf(templ, sizeof templ, "%s/gotrace-cut.XXXXXX", dir && *dir ? dir : "/tmp") >= (int)sizeof templ) {
        errno = ENAMETOOLONG;
        return -1;
    }
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &old);
    int fd = mkstemp(templ);
    int saved = errno;
    if (fd >= 0)
        unlink(templ);
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return fd;
}

/* Closes src: 0, or CLI_EXIT_TRACE when its compressed data was damaged
 * (the message printed), even past the generations that were read. */
static int source_close(cut_source *src)
{
    gt_cutter_free(src->c);
    src->c = NULL;
    if (src->spool >= 0)
        close(src->spool);
    src->spool = -1;
    return cli_input_close(&src->in);
}

/* Opens path ("-" = standard input) and reads its header. copies: whether
 * generations will be copied (a stream then needs a spool). 0, or the exit
 * status with the message printed. */
static int source_open(cut_source *src, const char *cmd, const char *path, int copies)
{
    memset(src, 0, sizeof *src);
    src->spool = -1;
    int rc = cli_input_open(&src->in, cmd, path, 0);
    if (rc)
        return rc;
    gt_error err;
    if (!src->in.dsrc) {
        src->c = gt_cutter_open(src->in.fd, &err);
    } else {
        if (copies && (src->spool = make_spool()) < 0) {
            fprintf(stderr, "gotrace %s: cannot create a spool file in %s: %s\n", cmd,
                    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
            source_close(src);
            return CLI_EXIT_USAGE;
        }
        src->c = gt_cutter_open_source(&src->in.source, src->spool, &err);
    }
    if (!src->c) {
        source_close(src);
        return cli_trace_error(path, &err);
    }
    return 0;
}

static int list(const char *in_path, gt_cutter *c)
{
    gt_error err;
    printf("%6s %10s %12s %12s %8s  %-16s %s\n", "gen", "wire", "offset", "bytes", "batches", "start", "end");
    gt_cut_gen g;
    int st, rc = 0;
    while ((st = gt_cutter_next(c, &g, &err)) > 0) {
        char a[GT_DURATION_BUF], b[GT_DURATION_BUF];
        int64_t t0 = gt_cutter_trace_start(c);
        printf("%6" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 "  %-16s %s\n", g.index, g.gen,
               g.offset, g.size, g.batches, gt_format_duration(g.start - t0, a), gt_format_duration(g.end - t0, b));
        if ((rc = cli_write_check(stdout)) != 0)
            break;
    }
    if (st < 0 && rc == 0)
        rc = cli_trace_error(in_path, &err);
    return rc;
}

int cmd_cut(int argc, char **argv)
{
    static const char cmd[] = "cut";
    if (cli_wants_help(argc, argv)) {
        cut_help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_FROM = 1, OPT_TO, OPT_GENERATIONS, OPT_LIST };
    static const cli_option opts[] = {
        {"from", 1, OPT_FROM}, {"to", 1, OPT_TO}, {"generations", 1, OPT_GENERATIONS}, {"list", 0, OPT_LIST}, {NULL, 0, 0}};
    gt_cut_window w = {.from = 0, .to = INT64_MAX};
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int id; (id = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        int bad = 0;
        switch (id) {
        case OPT_FROM: bad = au_duration_option(cmd, a.spelling, a.value, &w.from); break;
        case OPT_TO: bad = au_duration_option(cmd, a.spelling, a.value, &w.to); break;
        case OPT_GENERATIONS: bad = generations_option(cmd, a.value, &w); break;
        case OPT_LIST: break;
        default: bad = 1; /* CLI_OPT_ERROR: the message is printed */
        }
        if (bad)
            return CLI_EXIT_USAGE;
    }
    int has_time = cli_option_given(&a, OPT_FROM) || cli_option_given(&a, OPT_TO);
    int do_list = cli_option_given(&a, OPT_LIST);
    const char *const *pos = a.pos;
    int npos = a.npos;
    if (w.by_index && has_time)
        return cli_usage_error(cmd, "--generations cannot be combined with --from or --to");
    if (do_list && (w.by_index || has_time))
        return cli_usage_error(cmd, "--list takes no window");
    if (w.from > w.to)
        return cli_usage_error(cmd, "--from is after --to");
    if (npos != (do_list ? 1 : 2))
        return cli_usage_error(cmd, do_list ? "--list needs IN" : "needs IN and OUT");

    cut_source src;
    int rc = source_open(&src, cmd, pos[0], !do_list);
    if (rc)
        return rc;
    if (do_list) {
        rc = list(pos[0], src.c);
        int in_rc = source_close(&src);
        return rc ? rc : in_rc;
    }
    cli_output out;
    if ((rc = cli_output_open(&out, cmd, pos[1], pos[0])) != 0) {
        source_close(&src);
        return rc;
    }
    gt_cut_result res;
    gt_error err;
    int write_rc = 0;
    const gt_error *read_err = NULL;
    /* A cut is whole or nothing: OUT stays as it was on any failure. */
    if (gt_cut(src.c, out.f, &w, &res, &err) < 0) {
        if (!(write_rc = write_failure(out.f, &err)))
            read_err = &err;
        cli_output_abort(&out);
    } else {
        write_rc = cli_output_close(&out);
    }
    if ((rc = cli_end_status(cmd, pos[0], write_rc, 0, NULL, src.in.fd, read_err, NULL)) == 0) {
        char from[GT_DURATION_BUF], to[GT_DURATION_BUF];
        fprintf(stderr, "gotrace cut: %s: generations %" PRIu64 " to %" PRIu64 " (%s to %s), %" PRIu64 " bytes\n",
                strcmp(pos[1], "-") ? pos[1] : "standard output", res.first, res.last,
                gt_format_duration(res.start, from), gt_format_duration(res.end, to), res.bytes);
    }
    int in_rc = source_close(&src);
    return rc ? rc : in_rc;
}

/* ------------------------------------------------------------ split */

typedef struct split_ctx {
    const char *in_path;
    const char *prefix;
    uint64_t max;
    cli_output out;
    char *name;
    int failed_rc;  /* the CLI exit status of a failure in a callback */
} split_ctx;

/* A failure the CLI has already reported: its exit status is kept in
 * s->failed_rc and the library only needs to stop. */
static void reported(split_ctx *s, int rc, gt_error *err)
{
    s->failed_rc = rc;
    if (err) {
        err->code = GT_ERR_IO;
        err->message = "(reported)";
    }
}

static FILE *piece_open(void *arg, uint64_t number, gt_error *err)
{
    split_ctx *s = arg;
    free(s->name);
    size_t n = strlen(s->prefix) + 32;
    if (!(s->name = malloc(n))) {
        fprintf(stderr, "gotrace split: out of memory\n");
        reported(s, CLI_EXIT_TRACE, err);
        return NULL;
    }
    snprintf(s->name, n, "%s.%03" PRIu64 ".trace", s->prefix, number);
    int rc = cli_output_open(&s->out, "split", s->name, s->in_path);
    if (rc) {
        reported(s, rc, err);
        return NULL;
    }
    return s->out.f;
}

static int piece_close(void *arg, const gt_split_piece *p, int complete, gt_error *err)
{
    split_ctx *s = arg;
    if (!complete) {
        cli_output_abort(&s->out);
        return 0;
    }
    int rc = cli_output_close(&s->out);
    if (rc) {
        reported(s, rc, err);
        return -1;
    }
    printf("%s: generations %" PRIu64 " to %" PRIu64 ", %" PRIu64 " bytes\n", s->name, p->first, p->last, p->bytes);
    if (p->oversize)
        fprintf(stderr,
                "gotrace split: warning: %s is %" PRIu64 " bytes, over the size limit of %" PRIu64
                ": generation %" PRIu64 " alone does not fit\n",
                s->name, p->bytes, s->max, p->first);
    return 0;
}

int cmd_split(int argc, char **argv)
{
    static const char cmd[] = "split";
    if (cli_wants_help(argc, argv)) {
        split_help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_SIZE = 1 };
    static const cli_option opts[] = {{"size", 1, OPT_SIZE}, {NULL, 0, 0}};
    split_ctx s;
    memset(&s, 0, sizeof s);
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int id; (id = cli_next_option(&a, opts)) != CLI_OPT_END;)
        if (id != OPT_SIZE || size_option(cmd, a.value, &s.max))
            return CLI_EXIT_USAGE;
    int has_size = cli_option_given(&a, OPT_SIZE);
    const char *const *pos = a.pos;
    int npos = a.npos;
    if (!has_size)
        return cli_usage_error(cmd, "needs --size");
    if (npos != 2)
        return cli_usage_error(cmd, "needs IN and PREFIX");
    if (!strcmp(pos[1], "-") || !*pos[1])
        return cli_usage_error(cmd, "PREFIX names files: it cannot be - or empty");
    s.in_path = pos[0];
    s.prefix = pos[1];
    cut_source src;
    int rc = source_open(&src, cmd, pos[0], 1);
    if (rc)
        return rc;
    gt_split_sink sink = {piece_open, piece_close, &s};
    uint64_t pieces;
    gt_error err;
    if (gt_split(src.c, s.max, &sink, &pieces, &err) < 0)
        rc = s.failed_rc ? s.failed_rc : report(pos[0], NULL, &err);
    free(s.name);
    int in_rc = source_close(&src);
    return rc ? rc : in_rc;
}
