/* How much of a broken trace was usable, reported as go tool trace does:
 * the data read up to the last Sync event counts as valid, the rest as lost. */
#include <stdio.h>

#include "cli.h"

void cli_progress_event(cli_progress *p, const gt_reader *r, const gt_event *ev)
{
    if (ev->kind == GT_EVENT_SYNC)
        p->valid_bytes = gt_reader_bytes_read(r);
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

void cli_report_loss(const char *path, const gt_reader *r, const cli_progress *p)
{
    uint64_t total = gt_reader_bytes_total(r);
    if (!total)  /* a pipe: only what was read is known */
        total = gt_reader_bytes_read(r);
    if (!total || p->valid_bytes > total)
        return;
    uint64_t lost = total - p->valid_bytes;
    char a[32], b[32];
    format_bytes(a, sizeof a, lost);
    format_bytes(b, sizeof b, total);
    fprintf(stderr, "gotrace: %s: Lost %.2f%% of the latest trace data due to error (%s of %s)\n", path,
            (double)lost / (double)total * 100, a, b);
}
