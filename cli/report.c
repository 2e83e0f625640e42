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

#include "cli.h"

void cli_progress_event(cli_progress *p, const gt_reader *r, const gt_event *ev)
{
    if (ev->kind == GT_EVENT_SYNC) {
        p->valid_bytes = p->last_sync_bytes;
        p->last_sync_bytes = gt_reader_bytes_read(r);
    }
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
