/* gotrace dump FILE: what `go tool trace -d=parsed FILE` prints — every
 * event's Event.String() on its own line; on a broken trace, the events
 * before the error, then the error on stderr and exit status 1.
 *
 * With --goroutine ID, the lines of Go's dump that concern goroutine ID:
 * the events whose goroutine (G=) is ID, and the state transitions whose
 * resource is goroutine ID (its creation, and its being woken, stolen or
 * found by another goroutine or a P). Nothing else is changed.
 *
 * With --from/--to, the events whose time is in the window (from the trace
 * start, inclusive), unchanged; reading stops at the first event after it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gotrace/window.h"

/* Whether ev concerns goroutine g (see the top of this file). */
static int concerns(const gt_event *ev, int64_t g)
{
    if (ev->goroutine == g)
        return 1;
    gt_state_transition st;
    return ev->kind == GT_EVENT_STATE_TRANSITION && gt_event_state_transition(ev, &st) == 0 &&
           st.resource.kind == GT_RESOURCE_GOROUTINE && st.resource.id == g;
}

int dump_parsed(const char *path, FILE *out, const int64_t *only_goroutine, int64_t from, int64_t to)
{
    /* A file that cannot be opened: Go's message and status 1, as go tool
     * trace -d=parsed. */
    int probe = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (probe < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        return CLI_EXIT_TRACE;
    }
    if (probe != STDIN_FILENO)
        close(probe);
    cli_input in;
    int rc = cli_input_open(&in, "dump", path, 0);
    if (rc)
        return rc;
    gt_error err;
    gt_reader *r = cli_reader_open_fd(in.fd, &err);
    if (!r) {
        fflush(out);
        fprintf(stderr, "%s\n", err.message);
        cli_input_explain(in.fd, &err);
        cli_input_close(&in);
        return CLI_EXIT_TRACE;
    }
    enum { BATCH = 256 };
    gt_event evs[BATCH];
    int nomem = 0;
    cli_progress progress = {0, 0, 0};  /* for the progress line */
    int64_t first = 0, last = 0;
    uint64_t events = 0;
    int past = 0;
    while (!nomem && !past) {
        size_t n = gt_reader_next_batch(r, evs, BATCH);
        for (size_t i = 0; i < n && !past; i++) {
            cli_progress_event(&progress, r, &evs[i]);
            if (events++ == 0)
                first = evs[i].time;
            last = evs[i].time;
            if (evs[i].time - first < from)
                continue;
            if (to != INT64_MAX && evs[i].time - first > to) {
                past = 1;
                break;
            }
            if (only_goroutine && !concerns(&evs[i], *only_goroutine))
                continue;
            /* The formatter's own buffer, written out as it is: no copy. */
            size_t len;
            const char *line = gt_event_string(&evs[i], &len);
            if (!line) {
                nomem = 1;
                break;
            }
            fwrite_unlocked(line, 1, len, out);
            putc_unlocked('\n', out);
        }
        if (n == 0 || (rc = cli_write_check(out)) != CLI_EXIT_OK)
            break;
    }
    cli_progress_finish(&progress, r);
    /* A write error ends the dump: it is printed, and the status says so. */
    const gt_error *e = rc == CLI_EXIT_OK && !past ? gt_reader_error(r) : NULL;
    fflush(out);
    gt_window w = {from, to};
    gt_error werr;
    if (rc == CLI_EXIT_OK && !e && !nomem && events && gt_window_check_trace(&w, first, last, &werr))
        rc = cli_usage_error("dump", "%s", werr.message);
    if (rc == CLI_EXIT_OK && nomem) {
        fprintf(stderr, "gotrace dump: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else if (e) {
        fprintf(stderr, "%s\n", e->message);
        rc = CLI_EXIT_TRACE;
    }
    gt_reader_free(r);
    int in_rc = cli_input_close(&in);
    return rc ? rc : in_rc;
}
