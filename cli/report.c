/* How much of a broken trace was usable, in go tool trace's words ("Lost P%
 * of the latest trace data due to error (A of B)").
 *
 * What counts as valid differs from Go on purpose. Go counts the bytes its
 * reader had consumed when the last Sync arrived; but a Sync arrives only
 * after its generation has been read whole, and when reading the next one
 * fails the reader emits one more Sync first, so Go nearly always reports
 * 0% lost. The events a consumer keeps (as cmd/trace does) are those up to
 * the last Sync, i.e. the generations before it; their data ends where the
 * reader stood at the Sync before the last. That is what we count as valid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------ progress line
 * On a trace larger than CLI_PROGRESS_MIN bytes, while standard error is a
 * terminal and --quiet was not given: one line on stderr, rewritten at most
 * five times a second, "gotrace: 1.2 GB of 3.4 GB (35%), 410 MB/s, 5s left"
 * (decimal units); for a compressed file the bytes are those of the file;
 * for a pipe, whose size is unknown, what was read and the rate. The line
 * is erased when reading ends. GOTRACE_PROGRESS_TEST=1 in the environment
 * shows it from the first events on, whatever the size (for the tests). */
enum { CLI_PROGRESS_MIN = 50 * 1000 * 1000 };

static struct {
    int state;      /* 0 undecided, 1 showing, -1 off */
    int quiet;
    int test;
    int shown;      /* a line is on the terminal */
    unsigned ticks;
    double start, last;
} prog;

void cli_set_quiet(int quiet) { prog.quiet = quiet; }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void si_bytes(char *out, size_t cap, double b)
{
    if (b >= 1e9)
        snprintf(out, cap, "%.1f GB", b / 1e9);
    else
        snprintf(out, cap, "%.1f MB", b / 1e6);
}

static void progress_show(uint64_t done, uint64_t total);
static void progress_clear(void);
static const char *progress_what;  /* what the line is about, or NULL */

static void progress_update(const gt_reader *r)
{
    uint64_t done = gt_reader_bytes_read(r), total = gt_reader_bytes_total(r);
    if (!total)
        cli_input_position(&done, &total);  /* a compressed file: its bytes */
    progress_show(done, total);
}

void cli_progress_bytes(uint64_t bytes, int fd)
{
    if ((++prog.ticks & 4095) != 0 && !(prog.test && prog.ticks == 1))
        return;
    uint64_t done = bytes, total = 0;
    struct stat st;
    /* A compressed file: its bytes (fd is then the file the decompression
     * reads, not what the reader reads). */
    if (cli_input_position(&done, &total) != 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        total = (uint64_t)st.st_size;
    progress_show(done, total);
}

/* The end of a phase (reading, or spooling): the line goes, and the next
 * phase starts its own clock (its rate and time left are its own). */
void cli_progress_end(void)
{
    progress_clear();
    if (prog.state > 0)
        prog.state = 0;
    prog.ticks = 0;
    progress_what = NULL;
}

void cli_progress_spool(uint64_t done, uint64_t total)
{
    progress_what = "buffering the input";
    progress_show(done, total);
}

static void progress_show(uint64_t done, uint64_t total)
{
    if (prog.state == 0) {
        const char *t = getenv("GOTRACE_PROGRESS_TEST");
        prog.test = t && !strcmp(t, "1");
        prog.state = !prog.quiet && isatty(STDERR_FILENO) ? 1 : -1;
        prog.start = prog.last = now();
    }
    if (prog.state < 0)
        return;
    double t = now();
    if (!prog.test && t - prog.last < 0.2)
        return;
    uint64_t size = total ? total : done;
    if (!prog.test && size < CLI_PROGRESS_MIN)
        return;
    prog.last = t;
    double rate = t > prog.start ? (double)done / (t - prog.start) : 0;
    char a[32], b[32], c[32];
    si_bytes(a, sizeof a, (double)done);
    si_bytes(c, sizeof c, rate);
    if (total && done <= total) {
        si_bytes(b, sizeof b, (double)total);
        long left = rate > 0 ? (long)((double)(total - done) / rate + 0.5) : 0;
        fprintf(stderr, "\r\033[Kgotrace: %s%s%s of %s (%.0f%%), %s/s, %lds left", progress_what ? progress_what : "",
                progress_what ? ": " : "", a, b,
                (double)done / (double)total * 100, c, left);
    } else {
        fprintf(stderr, "\r\033[Kgotrace: %s%s%s read, %s/s", progress_what ? progress_what : "",
                progress_what ? ": " : "", a, c);
    }
    fflush(stderr);
    prog.shown = 1;
}

static void progress_clear(void)
{
    if (prog.shown)
        fputs("\r\033[K", stderr);
    prog.shown = 0;
}

void cli_progress_event(cli_progress *p, const gt_reader *r, const gt_event *ev)
{
    if (ev->kind == GT_EVENT_SYNC) {
        p->valid_bytes = p->last_sync_bytes;
        p->last_sync_bytes = gt_reader_bytes_read(r);
    }
    if ((++prog.ticks & 4095) == 0 || (prog.test && prog.ticks == 1))
        progress_update(r);
}

/* Go's cmd/trace byteCount: "%d B" below 1 KiB, else "%.1f KiB|MiB|GiB". */
static void format_bytes(char *out, size_t cap, uint64_t b)
{
    static const char *const units[] = {"KiB", "MiB", "GiB"};
    if (b < 1024) {
        snprintf(out, cap, "%llu B", (unsigned long long)b);
        return;
    }
    int u = 0;
    uint64_t div = 1024;
    while (u < 2 && b >= div * 1024) {
        div *= 1024;
        u++;
    }
    snprintf(out, cap, "%.1f %s", (double)b / (double)div, units[u]);
}

void cli_progress_finish(cli_progress *p, const gt_reader *r)
{
    progress_clear();
    p->total_bytes = gt_reader_bytes_total(r);
    if (!p->total_bytes)  /* a pipe: only what was read is known */
        p->total_bytes = gt_reader_bytes_read(r);
}

void cli_report_loss(const char *path, const cli_progress *p)
{
    uint64_t total = p->total_bytes;
    if (!total || p->valid_bytes > total)
        return;
    uint64_t lost = total - p->valid_bytes;
    char a[32], b[32];
    format_bytes(a, sizeof a, lost);
    format_bytes(b, sizeof b, total);
    fprintf(stderr, "gotrace: %s: Lost %.2f%% of the latest trace data due to error (%s of %s)\n", path,
            (double)lost / (double)total * 100, a, b);
}

int cli_end_status(const char *cmd, const char *path, int write_rc, int no_memory, const gt_error *open_err,
                   int in_fd, const gt_error *read_err, const cli_progress *progress)
{
    if (write_rc)
        return CLI_EXIT_IO;
    if (no_memory) {
        fprintf(stderr, "gotrace %s: out of memory\n", cmd);
        return CLI_EXIT_TRACE;
    }
    if (open_err) {
        int rc = cli_trace_error(path, open_err);
        cli_input_explain(in_fd, open_err);
        return rc;
    }
    if (read_err) {
        int rc = cli_trace_error(path, read_err);
        if (progress)
            cli_report_loss(path, progress);
        return rc;
    }
    return CLI_EXIT_OK;
}
