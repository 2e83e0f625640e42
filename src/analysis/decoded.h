/* The analyses' event entries for a caller that feeds several of them the
 * same event (the overview: the summary and the MMU; gt_feed_analyses: any
 * of the three): the event's state transition is decoded once, by the
 * caller, instead of once per analysis.
 *
 * st is ev's transition when ev is one and gt_event_state_transition
 * decoded it; NULL otherwise (each function then decodes, or not, exactly
 * as its public entry does). Results are the public entries'. */
#ifndef GT_ANALYSIS_DECODED_H
#define GT_ANALYSIS_DECODED_H

#include "gotrace/analysis.h"

int gt_summary_event_decoded(gt_summary *s, const gt_event *ev, const gt_state_transition *st);
int gt_mmu_event_decoded(gt_mmu *m, const gt_event *ev, const gt_state_transition *st);
int gt_pprof_event_decoded(gt_pprof *p, const gt_event *ev, const gt_state_transition *st);

/* ev's transition into *own and a pointer to it, or NULL when ev is not a
 * transition or does not decode. */
static inline const gt_state_transition *gt_decode_transition(const gt_event *ev, gt_state_transition *own)
{
    return ev->kind == GT_EVENT_STATE_TRANSITION && !gt_event_state_transition(ev, own) ? own : NULL;
}

#endif
