/* gotrace/window.h — analysing one window of a trace: the same definition
 * for the goroutine summary, tasks, regions, the MMU, the pprof profiles and
 * the overview (`--from D --to D` on every command of the CLI).
 *
 * A window is [from, to] in nanoseconds since the trace start, the time of
 * its first event (Go's web UI, `gotrace cut` and `gotrace perfetto` count
 * from there too). The analyses still read the trace from its start, so that
 * every goroutine's state at `from` is known, and stop at `to`: events after
 * `to` are ignored, except by the summary up to the next Sync (see
 * gt_window_done: a caller may stop reading there).
 *
 * Go has no windowed analyses (cmd/trace's only time range is the trace
 * viewer's). The definition below is Go's analysis of a trace that began at
 * `from` and ended at `to`, as `gotrace cut` makes one, except that what a
 * cut cannot know is known:
 *
 * Goroutine summaries (gt_summary). Goroutines alive at some time in the
 * window: those that ended (or blocked forever) before `from` are left out.
 * Every time is clipped to the window: a goroutine blocked since before
 * `from` counts block time from `from`, one running at `to` counts execution
 * up to `to`. A goroutine alive at `from` has creation_time `from` (as Go
 * gives a goroutine first seen in a generation that generation's start) and
 * start_time `from` when it was running then, else its first run in the
 * window; end_time is 0 unless it ends in the window. Totals add up: the
 * times of windows [a, b] and [b, c] sum to those of [a, c].
 *
 * Regions. Those active at some time in the window. A region begun before
 * `from` has an unknown start (start_kind NONE, no start frame: as a region
 * begun before the trace), one still active at `to` an unknown end; their
 * stats are the goroutine's times inside the window while they were active.
 * Unlike a cut, which shows only regions with an edge inside it, a region
 * active over the whole window is listed too (both edges unknown).
 *
 * Tasks. Those not ended before `from`. has_start / has_end only for a
 * TaskBegin / TaskEnd inside the window; logs and regions inside the window
 * only; goroutines: those with a log, a task event or a region of the task
 * inside the window. A task's parent is known when its TaskBegin came before
 * `to`, even before `from`; children lists hold only tasks of the window.
 *
 * MMU (gt_mmu). The mutator utilisation functions restricted to [from, to]:
 * the utilisation in effect at `from` (GC work, stop-the-world, mark assists
 * begun before it) starts each function there, and each that lasts (the
 * shared one, or that of a P still there) ends at `to` (or at the last
 * event), even where Go's whole-trace function ends at its last change (no
 * final 0 after a 0); one that ended before `from` (a P taken away) goes. The curve, MUD and worst windows are computed over that
 * span only: a window longer than the span has no MMU.
 *
 * pprof profiles (gt_pprof). Go counts a state episode (e.g. Runnable until
 * it runs) when it ends, at the stack of the event that began it. In a
 * window: the episodes that end in the window, each for its time inside the
 * window (an episode begun before `from` counts from `from`, with its
 * stack). Episodes still open at `to` are not counted, as Go does not count
 * those open at the trace end. The goroutine lifetimes and regions that
 * filter a profile are those of the whole trace (gt_pprof_new's summary).
 *
 * Overview (gt_overview). Everything above for its parts; its own counts
 * are of the window: events, Syncs, threads and Ps seen, goroutines created
 * and ended, alive at most (those alive at `from` count as alive from the
 * start), state episodes begun in the window (counts, stacks, scheduling
 * latency of episodes begun and ended in it), GC cycles active at `from` or
 * begun in it, stop-the-world pauses ended in it (timed from `from` at the
 * latest), mark assists begun in it; GOMAXPROCS and heap figures start from
 * the values in effect at `from`. start is `from` (the wall clock moved to
 * it) and end is `to` or the last event.
 *
 * Every object takes its window before its first event. Passing a window
 * {0, INT64_MAX} is the same as none.
 */
#ifndef GOTRACE_WINDOW_H
#define GOTRACE_WINDOW_H

#include "gotrace.h"
#include "gotrace/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_window {
    int64_t from;  /* ns since the trace start, >= 0 */
    int64_t to;    /* ns since the trace start, >= from; INT64_MAX: to the end */
} gt_window;

/* The whole trace: {0, INT64_MAX}. */
#define GT_WINDOW_ALL {0, INT64_MAX}

/* Checks a window before reading: 0, or -1 with err (may be NULL) set to
 * GT_ERR_ARGUMENT: "the window starts before the trace (from is negative)",
 * "the window ends before it starts (from 2s, to 1s)". */
GT_API int gt_window_check(const gt_window *w, gt_error *err);

/* Checks a window against the trace read, whose first and last events are
 * at first and last (trace clock): 0, or -1 with err set to
 * GT_ERR_ARGUMENT when the window starts after the last event ("the window
 * starts at 5s, after the end of the trace at 82.653185ms"). A window
 * ending after the trace is fine: it ends with the trace. */
GT_API int gt_window_check_trace(const gt_window *w, int64_t first, int64_t last, gt_error *err);

/* Whether reading may stop after ev, in a trace whose first event is at
 * first: ev is a Sync after the window's end. The events between the
 * window's end and that Sync still matter: Go counts a goroutine first
 * reported in a generation (a status event, which Go 1.26+ writes at the
 * generation's end) as in that state since the generation's Sync, so it may
 * have been in the window. */
GT_API int gt_window_done(const gt_window *w, int64_t first, const gt_event *ev);

/* Windows of the analyses (see above): each call before the object's first
 * event. */
GT_API void gt_summary_set_window(gt_summary *s, const gt_window *w);
GT_API void gt_mmu_set_window(gt_mmu *m, const gt_window *w);
GT_API void gt_pprof_set_window(gt_pprof *p, const gt_window *w);
/* Sets it on the overview's own summary and MMU too (and on an MMU handed
 * over with gt_overview_replace_mmu afterwards: set the window on it before
 * feeding it). */
GT_API void gt_overview_set_window(gt_overview *o, const gt_window *w);

/* After gt_summary_finalize: the span the summary covers, on the trace
 * clock: the window clipped to the trace (without a window, the first and
 * last event). */
GT_API void gt_summary_span(const gt_summary *s, int64_t *start, int64_t *end);

#ifdef __cplusplus
}
#endif

#endif
