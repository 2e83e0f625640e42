/* gotrace/feed.h — a reader's events fed to the analyses of
 * gotrace/analysis.h in one call: for bindings (the Python package) that
 * would otherwise cross into the library once per event and analysis. */
#ifndef GOTRACE_FEED_H
#define GOTRACE_FEED_H

#include "gotrace.h"
#include "gotrace/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads up to max_events events of r (0: to its end, or its error) and feeds
 * each, in order, to every one of summary, mmu and pprof that is not NULL
 * (gt_summary_event, gt_mmu_event, gt_pprof_event). Finishes nothing: the
 * caller calls gt_summary_finalize / gt_mmu_finish when *done (set to 1
 * once r has no more events; done may be NULL). Returns the number of
 * events read, or -1 when memory runs out (the analyses may then only be
 * freed). A reader error ends the events like the end of the trace: see
 * gt_reader_error. */
GT_API int64_t gt_feed_analyses(gt_reader *r, uint64_t max_events, gt_summary *summary, gt_mmu *mmu,
                                gt_pprof *pprof, int *done);

#ifdef __cplusplus
}
#endif

#endif
