/* src/analysis/feed.c — the analyses fed from a reader in one call
 * (gotrace/feed.h). */
#include "gotrace/feed.h"
#include "analysis/decoded.h"
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
        for (size_t i = 0; i < n; i++) {
            gt_state_transition own;
            const gt_state_transition *st = gt_decode_transition(&ev[i], &own);
            if ((summary && gt_summary_event_decoded(summary, &ev[i], st)) ||
                (mmu && gt_mmu_event_decoded(mmu, &ev[i], st)) || (pprof && gt_pprof_event_decoded(pprof, &ev[i], st)))
                return -1;
        }
        read += n;
    }
    return (int64_t)read;
}
