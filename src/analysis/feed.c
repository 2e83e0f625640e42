/* src/analysis/feed.c — the analyses fed from a reader in one call
 * (gotrace/feed.h). */
#include "gotrace/feed.h"
#include "reader/view.h"

int64_t gt_feed_analyses(gt_reader *r, uint64_t max_events, gt_summary *summary, gt_mmu *mmu, gt_pprof *pprof,
                         int *done)
{
    enum { BATCH = 512 };
    gt_event evs[BATCH];
    uint64_t read = 0;
    if (done)
        *done = 0;
    while (!max_events || read < max_events) {
        size_t want = BATCH;
        if (max_events && max_events - read < want)
            want = (size_t)(max_events - read);
        const gt_event *ev;
        size_t n = gt_reader_next_view(r, evs, want, &ev);
        if (!n) {
            if (done)
                *done = 1;
            break;
        }
        for (size_t i = 0; i < n; i++)
            if ((summary && gt_summary_event(summary, &ev[i])) || (mmu && gt_mmu_event(mmu, &ev[i])) ||
                (pprof && gt_pprof_event(pprof, &ev[i])))
                return -1;
        read += n;
    }
    return (int64_t)read;
}
