#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gotrace/raw.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gotrace %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'gotrace %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_trace_error(const char *path, const gt_error *err)
{
    if (err->line)
        fprintf(stderr, "gotrace: %s:%llu: %s\n", path, (unsigned long long)err->line, err->message);
    else if (err->offset != GT_NO_OFFSET)
        fprintf(stderr, "gotrace: %s: %s (offset %llu)\n", path, err->message,
                (unsigned long long)err->offset);
    else
        fprintf(stderr, "gotrace: %s: %s\n", path, err->message);
    return CLI_EXIT_TRACE;
}

/* The kept messages stay reachable from here until exit: a run keeps one
 * per broken input it reports, so a list is enough. */
typedef struct kept_message {
    struct kept_message *next;
    char text[];
} kept_message;
static kept_message *kept_messages;

void cli_error_keep(gt_error *dst, const gt_error *src)
{
    *dst = *src;
    size_t n = strlen(src->message);
    kept_message *k = malloc(sizeof *k + n + 1);
    if (!k) {
        dst->message = "out of memory";
        return;
    }
    memcpy(k->text, src->message, n + 1);
    k->next = kept_messages;
    kept_messages = k;
    dst->message = k->text;
}

void cli_error_static(gt_error *err, gt_errcode code, const char *message)
{
    memset(err, 0, sizeof *err);
    err->code = code;
    err->offset = GT_NO_OFFSET;
    err->message = message;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-help"))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ readers */

static gt_reader *with_threads(gt_reader *r)
{
    int n = cli_threads();
    /* Before the first read it cannot fail for n >= 1. */
    if (r && n > 0)
        gt_reader_set_threads(r, n);
    return r;
}

gt_reader *cli_reader_open_memory(const void *data, size_t len, gt_error *err)
{
    return with_threads(gt_reader_open_memory(data, len, err));
}

/* ------------------------------------------------------ checked output */

static int write_error_printed;

int cli_write_error(int errnum)
{
    if (!write_error_printed) {
        write_error_printed = 1;
        fprintf(stderr, "gotrace: write error: %s\n", strerror(errnum ? errnum : EIO));
    }
    return CLI_EXIT_IO;
}

int cli_write_check(FILE *f)
{
    /* The failed write set errno, and nothing between it and this check
     * (formatting, memory) sets errno on success. */
    return ferror(f) ? cli_write_error(errno) : 0;
}

int cli_finish_stdout(int rc)
{
    /* errno is left alone: when the failed write came before (its buffer
     * discarded, so this flush succeeds), errno still holds its reason. */
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = cli_write_error(errno);
    if (fclose(stdout) != 0)
        rc = cli_write_error(errno);
    return rc;
}

/* Files to remove when a signal ends the command: temporary outputs, and
 * spools between their creation and their unlinking. gotrace export writes
 * one output per table of gotrace/rows.h at once. */
enum { CLEANUP_SLOTS = 64 };
static char cleanup_path[CLEANUP_SLOTS][PATH_MAX];
static volatile sig_atomic_t cleanup_used[CLEANUP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_and_reraise(int sig)
{
    int saved = errno;
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (cleanup_used[i])
            unlink(cleanup_path[i]);
    /* SA_RESETHAND restored the default action and SA_NODEFER lets it act
     * now: the command dies of sig, as it would have without us. */
    raise(sig);
    errno = saved;
}

/* Blocks the cleanup signals (restore with restore_signals). The first call
 * installs the handler for those signals that are not ignored (nohup). */
static void block_signals(sigset_t *old)
{
    static int installed;
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        sigaddset(&set, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
    if (installed)
        return;
    installed = 1;
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++) {
        struct sigaction sa, prev;
        if (sigaction(cleanup_signals[i], NULL, &prev) == 0 && prev.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_and_reraise;
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static void restore_signals(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

/* With the signals blocked: mkstemp on templ, registered for removal on a
 * signal. Returns the fd and the slot, or -1 (errno set). */
static int create_registered(char *templ, int *slot)
{
    int i = 0;
    while (i < CLEANUP_SLOTS && cleanup_used[i])
        i++;
    if (i == CLEANUP_SLOTS || strlen(templ) >= PATH_MAX) {
        errno = i == CLEANUP_SLOTS ? EMFILE : ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(templ);
    if (fd < 0)
        return -1;
    strcpy(cleanup_path[i], templ);
    cleanup_used[i] = 1;
    *slot = i;
    return fd;
}

static void unregister(const char *path)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (cleanup_used[i] && !strcmp(cleanup_path[i], path))
            cleanup_used[i] = 0;
}

/* Whether st (the output) is the same regular file as input ("-" = stdin). */
static int is_input(const struct stat *st, const char *input)
{
    struct stat in;
    if (!input || !S_ISREG(st->st_mode))
        return 0;
    if (strcmp(input, "-") ? stat(input, &in) : fstat(STDIN_FILENO, &in))
        return 0;
    return in.st_dev == st->st_dev && in.st_ino == st->st_ino;
}

static int refuse_same(const char *cmd, const char *path, const char *input)
{
    fprintf(stderr, "gotrace %s: refusing to write %s: it is the input file %s\n", cmd,
            strcmp(path, "-") ? path : "standard output", strcmp(input, "-") ? input : "(standard input)");
    return CLI_EXIT_USAGE;
}

int cli_output_open(cli_output *o, const char *cmd, const char *path, const char *input)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    struct stat st;
    if (!strcmp(path, "-")) {
        if (fstat(STDOUT_FILENO, &st) == 0 && is_input(&st, input))
            return refuse_same(cmd, path, input);
        o->f = stdout;
        return 0;
    }
    int exists = stat(path, &st) == 0;
    if (exists && is_input(&st, input))
        return refuse_same(cmd, path, input);
    if (exists && !S_ISREG(st.st_mode)) {
        /* A device or a FIFO: nothing to replace, and nothing to truncate. */
        o->f = fopen(path, "wb");
        if (!o->f) {
            fprintf(stderr, "gotrace %s: cannot open %s: %s\n", cmd, path, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    /* Write through a symbolic link: replace the file it names, not it. */
    o->target = exists ? realpath(path, NULL) : strdup(path);
    const char *slash = o->target ? strrchr(o->target, '/') : NULL;
    size_t dir_len = slash ? (size_t)(slash - o->target) + 1 : 0;
    o->tmp = o->target ? malloc(strlen(o->target) + 32) : NULL;
    if (!o->tmp) {
        fprintf(stderr, "gotrace %s: cannot create %s: %s\n", cmd, path, strerror(errno ? errno : ENOMEM));
        cli_output_abort(o);
        return CLI_EXIT_USAGE;
    }
    sprintf(o->tmp, "%.*s.%s.gotrace-XXXXXX", (int)dir_len, o->target, o->target + dir_len);
    sigset_t old;
    int slot;
    block_signals(&old);
    int fd = create_registered(o->tmp, &slot);
    int err = errno;
    restore_signals(&old);
    if (fd < 0) {
        fprintf(stderr, "gotrace %s: cannot create %s: %s\n", cmd, path, strerror(err));
        free(o->tmp);
        o->tmp = NULL;
        cli_output_abort(o);
        return CLI_EXIT_USAGE;
    }
    /* mkstemp makes the file private; give it the mode the target has, or
     * the one a new file gets. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        fprintf(stderr, "gotrace %s: cannot create %s: %s\n", cmd, path, strerror(errno));
        close(fd);
        cli_output_abort(o);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_output_close(cli_output *o)
{
    int rc = 0;
    if (o->f == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = cli_write_error(errno);
        o->f = NULL;
        return rc;
    }
    int failed = fflush(o->f) != 0 || ferror(o->f);
    int err = errno;
    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    o->f = NULL;
    if (!failed && o->tmp) {
        sigset_t old;
        block_signals(&old);
        if (rename(o->tmp, o->target) != 0) {
            failed = 1;
            err = errno;
        } else {
            unregister(o->tmp);
            free(o->tmp);
            o->tmp = NULL;
        }
        restore_signals(&old);
    }
    if (failed)
        rc = cli_write_error(err);
    cli_output_abort(o);
    return rc;
}

void cli_output_abort(cli_output *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        sigset_t old;
        block_signals(&old);
        unlink(o->tmp);
        unregister(o->tmp);
        restore_signals(&old);
    }
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
}

/* Copies the decoding of the input (a cli_decode_source over fd, prefix
 * first) to a new spool file, unlinked at once; returns its fd rewound to
 * the start, or -1: errno set on a system failure, *msg set (errno 0) when
 * the data is bad. */
static int spool_fd(cli_input *in, int fd, const unsigned char *prefix, size_t prefix_len, char *msg, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    char templ[PATH_MAX];
    if (snprintf(templ, sizeof templ, "%s/gotrace-spool.XXXXXX", dir && *dir ? dir : "/tmp") >= (int)sizeof templ) {
        errno = ENAMETOOLONG;
        return -1;
    }
    gt_source src;
    cli_decode_source *d = cli_decode_source_new(in->format, fd, prefix, prefix_len, 1, &src);
    unsigned char *buf = malloc(1 << 16);
    if (!d || !buf) {
        cli_decode_source_free(d);
        free(buf);
        errno = ENOMEM;
        return -1;
    }
    sigset_t old;
    int slot;
    block_signals(&old);
    int out = create_registered(templ, &slot);
    if (out >= 0) {
        unlink(templ);
        cleanup_used[slot] = 0;
    }
    restore_signals(&old);
    int err = errno;
    for (int64_t n; out >= 0 && (n = src.read(src.ctx, buf, 1 << 16)) > 0;) {
        if (in->decoded_len < sizeof in->decoded) {
            size_t k = (size_t)n < sizeof in->decoded - in->decoded_len ? (size_t)n
                                                                         : sizeof in->decoded - in->decoded_len;
            memcpy(in->decoded + in->decoded_len, buf, k);
            in->decoded_len += k;
        }
        for (unsigned char *p = buf; n > 0;) {
            ssize_t w = write(out, p, (size_t)n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                err = w < 0 ? errno : EIO;
                close(out);
                out = -1;
                break;
            }
            p += w;
            n -= w;
        }
    }
    cli_progress_end();
    if (out >= 0 && cli_decode_source_error(d)) {
        snprintf(msg, cap, "%s", cli_decode_source_error(d));
        close(out);
        out = -1;
        err = 0;
    }
    cli_decode_source_free(d);
    free(buf);
    if (out >= 0 && lseek(out, 0, SEEK_SET) != 0) {
        err = errno;
        close(out);
        out = -1;
    }
    errno = err;
    return out;
}

/* The open inputs, for cli_input_explain (by fd). */
enum { INPUT_SLOTS = 4 };
static cli_input *open_inputs[INPUT_SLOTS];

static void track_input(cli_input *in, int add)
{
    for (int i = 0; i < INPUT_SLOTS; i++)
        if (add ? !open_inputs[i] : open_inputs[i] == in) {
            open_inputs[i] = add ? in : NULL;
            return;
        }
}

static const char *input_name(const cli_input *in) { return strcmp(in->path, "-") ? in->path : "standard input"; }

int cli_input_open(cli_input *in, const char *cmd, const char *path, int spool)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    int is_stdin = !strcmp(path, "-");
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "gotrace %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    /* The first bytes tell the format: read in place from a regular file,
     * consumed (and given back by the source) from anything else. */
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    ssize_t n;
    if (regular) {
        off_t at = lseek(fd, 0, SEEK_CUR);
        n = pread(fd, in->head, sizeof in->head, at > 0 ? at : 0);
    } else {
        n = cli_read_head(fd, in->head, sizeof in->head);
    }
    if (n < 0) {
        fprintf(stderr, "gotrace %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        if (!is_stdin)
            close(fd);
        return CLI_EXIT_USAGE;
    }
    in->head_len = (size_t)n;
    in->format = cli_sniff_format(in->head, in->head_len);
    const unsigned char *prefix = regular ? NULL : in->head;
    size_t prefix_len = regular ? 0 : in->head_len;
    in->fd = fd;
    in->owned = !is_stdin;
    if (in->format == CLI_INPUT_PLAIN && regular) {
        track_input(in, 1);
        return 0;
    }
    if (spool && !regular) {
        char msg[256] = "";
        int sfd = spool_fd(in, fd, prefix, prefix_len, msg, sizeof msg);
        int err = errno;
        if (in->owned)
            close(fd);
        if (sfd < 0) {
            in->fd = -1;
            if (!err && msg[0]) {
                fprintf(stderr, "gotrace: %s: %s\n", input_name(in), msg);
                return CLI_EXIT_TRACE;
            }
            fprintf(stderr, "gotrace %s: cannot buffer %s: %s\n", cmd, is_stdin ? "standard input" : path,
                    strerror(err));
            return CLI_EXIT_USAGE;
        }
        in->fd = sfd;
        in->owned = in->spooled = 1;
        track_input(in, 1);
        return 0;
    }
    /* Read as it comes: decompressed (or, plain, given back its first
     * bytes and copied) by the source, on demand. */
    in->dsrc = cli_decode_source_new(in->format, fd, prefix, prefix_len, 0, &in->source);
    if (!in->dsrc) {
        fprintf(stderr, "gotrace %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        if (in->owned)
            close(fd);
        in->fd = -1;
        return CLI_EXIT_USAGE;
    }
    track_input(in, 1);
    return 0;
}

int cli_open_in_out(cli_input *in, cli_output *out, const char *cmd, const char *in_path, const char *out_path,
                    int spool)
{
    int rc = cli_output_open(out, cmd, out_path, in_path);
    if (!rc && (rc = cli_input_open(in, cmd, in_path, spool)) != 0)
        cli_output_abort(out);
    return rc;
}

gt_reader *cli_input_reader(cli_input *in, gt_error *err)
{
    return with_threads(in->dsrc ? gt_reader_open_source(&in->source, err) : gt_reader_open_fd(in->fd, err));
}

gt_raw_reader *cli_input_raw(cli_input *in, gt_error *err)
{
    return in->dsrc ? gt_raw_open_source(&in->source, err) : gt_raw_open_fd(in->fd, err);
}

ssize_t cli_input_read(cli_input *in, void *buf, size_t cap)
{
    if (!in->dsrc)
        return cli_read_head(in->fd, buf, cap);
    size_t got = 0;
    while (got < cap) {
        int64_t n = in->source.read(in->source.ctx, (unsigned char *)buf + got, cap - got);
        if (n <= 0)
            break;  /* the end, or decoding stopped (reported at close) */
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int cli_input_unread(cli_input *in, const void *buf, size_t len)
{
    if (in->dsrc) {
        if (cli_decode_source_unread(in->dsrc, buf, len) == 0)
            return 0;
        errno = ENOMEM;
        return -1;
    }
    return lseek(in->fd, -(off_t)len, SEEK_CUR) < 0 ? -1 : 0;
}

/* A decoding error is printed once and remembered. */
static void check_decoder(cli_input *in)
{
    const char *msg = in->dsrc ? cli_decode_source_error(in->dsrc) : NULL;
    if (msg && !in->failed) {
        fprintf(stderr, "gotrace: %s: %s\n", input_name(in), msg);
        in->failed = 1;
    }
}

int cli_input_rewind(cli_input *in)
{
    struct stat st;
    if (in->dsrc) {
        check_decoder(in);
        return cli_decode_source_restart(in->dsrc);
    }
    if (fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return lseek(in->fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

int cli_input_close(cli_input *in)
{
    track_input(in, 0);
    check_decoder(in);
    cli_decode_source_free(in->dsrc);
    in->dsrc = NULL;
    if (in->owned && in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    in->owned = in->spooled = 0;
    return in->failed ? CLI_EXIT_TRACE : 0;
}

int cli_input_position(uint64_t *done, uint64_t *total)
{
    for (int i = 0; i < INPUT_SLOTS; i++) {
        cli_input *in = open_inputs[i];
        struct stat st;
        if (!in || !in->dsrc || in->format == CLI_INPUT_PLAIN || fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        off_t at = lseek(in->fd, 0, SEEK_CUR);
        if (at < 0)
            continue;
        *done = (uint64_t)at;
        *total = (uint64_t)st.st_size;
        return 0;
    }
    return -1;
}

void cli_input_explain(int fd, const gt_error *err)
{
    cli_input *in = NULL;
    for (int i = 0; i < INPUT_SLOTS && !in; i++)
        if (open_inputs[i] && open_inputs[i]->fd == fd)
            in = open_inputs[i];
    if (!in || !err || err->code != GT_ERR_FORMAT)
        return;
    unsigned char decoded[CLI_INPUT_HEAD];
    size_t decoded_len = in->decoded_len;
    memcpy(decoded, in->decoded, decoded_len);
    if (in->dsrc && in->format != CLI_INPUT_PLAIN)
        decoded_len = cli_decode_source_head(in->dsrc, decoded, sizeof decoded);
    const unsigned char *trace = in->format == CLI_INPUT_PLAIN ? in->head : decoded;
    size_t trace_len = in->format == CLI_INPUT_PLAIN ? in->head_len : decoded_len;
    /* A trace header of a version we do not read: the reader said so. */
    if (trace_len >= 5 && !memcmp(trace, "go 1.", 5))
        return;
    char what[200];
    cli_describe(what, sizeof what, in->format, in->head, in->head_len, decoded, decoded_len);
    fprintf(stderr, "gotrace: %s: %s\n", input_name(in), what);
}

int cli_read_all(const char *cmd, const char *path, unsigned char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "gotrace %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "gotrace %s: out of memory reading %s\n", cmd, path);
            if (f != stdin)
                fclose(f);
            return -1;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                fprintf(stderr, "gotrace %s: cannot read %s: %s\n", cmd, path, strerror(errno));
                free(buf);
                if (f != stdin)
                    fclose(f);
                return -1;
            }
            break;
        }
        cap *= 2;
        unsigned char *nb = realloc(buf, cap);
        if (!nb)
            free(buf);
        buf = nb;
    }
    if (f != stdin)
        fclose(f);
    *data = buf;
    *len = n;
    return 0;
}
