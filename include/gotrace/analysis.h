/* gotrace/analysis.h — the analyses `go tool trace` serves as web pages,
 * computed in one streaming pass over a reader: Go 1.27's internal/trace
 * Summarizer (per-goroutine time breakdown, user tasks and regions), the
 * mutator utilisation functions and MMU curve (internal/trace/gc.go), and the
 * pprof-like profiles of cmd/trace/pprof.go.
 *
 * Feeding. Each analysis object takes events in reader order through its
 * *_event function and copies whatever it keeps (names, reasons, log text,
 * stack frames), interned by content, so the reader's lifetime rule (data
 * lives until the second Sync after its event) does not bind the results.
 * Memory grows with goroutines, tasks, regions, logs and distinct stacks
 * (with a streaming summary, gt_summary_stream_regions, only with the regions
 * open at one time instead of all regions and logs), never with the number
 * of events (the MMU keeps one point per change of
 * utilisation, which is what the curve is made of).
 *
 * Errors. The *_event functions return 0, or -1 when memory runs out; after
 * -1 the object may only be freed. Nothing here prints or aborts.
 *
 * Threads. One object is used by one thread at a time.
 */
#ifndef GOTRACE_ANALYSIS_H
#define GOTRACE_ANALYSIS_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ summaries */

/* One entry of a name -> duration map (Go's map[string]time.Duration). */
typedef struct gt_named_duration {
    gt_str name;
    int64_t ns;
} gt_named_duration;

/* Go's GoroutineExecStats. The five first times do not overlap; total_time
 * (presence in the trace) and the range times overlap with them. The maps
 * hold exactly the keys Go's maps hold (a key can have a zero value), sorted
 * by name. */
typedef struct gt_exec_stats {
    int64_t exec_time;
    int64_t sched_wait_time;
    int64_t syscall_time;
    int64_t syscall_block_time;
    int64_t total_time;
    size_t n_block;
    const gt_named_duration *block;  /* BlockTimeByReason */
    size_t n_range;
    const gt_named_duration *range;  /* RangeTime, e.g. "GC mark assist" */
} gt_exec_stats;

/* Go's GoroutineExecStats.UnknownTime: total time not covered by the
 * non-overlapping stats (never negative). */
GT_API int64_t gt_exec_stats_unknown_time(const gt_exec_stats *s);

/* How a region summary starts or ends (Go keeps the event itself). */
typedef enum gt_region_edge {
    GT_REGION_EDGE_NONE = 0,    /* unknown: before or after the trace */
    GT_REGION_EDGE_REGION,      /* a RegionBegin / RegionEnd event */
    GT_REGION_EDGE_TRANSITION   /* a goroutine state transition: the synthetic
                                 * region a goroutine inherits from its creator's
                                 * active region, or a region ended by the
                                 * goroutine's death */
} gt_region_edge;

/* Go's UserRegionSummary. */
typedef struct gt_region_summary {
    uint64_t task;
    gt_str name;               /* "" for the synthetic inherited region */
    int64_t goroutine;         /* the goroutine the region ran on */
    gt_region_edge start_kind;
    int64_t start;             /* event time; 0 when start_kind is NONE */
    int64_t start_goroutine;   /* the start event's goroutine (the creator for
                                * an inherited region); GT_NO_GOROUTINE if none */
    gt_frame start_frame;      /* the last frame of the start event's stack
                                * (Go's regionTopStackFrame: the frame its
                                * iteration yields last, i.e. the outermost);
                                * all zero without a start event or stack.
                                * The region pages group and filter by it. */
    gt_region_edge end_kind;
    int64_t end;               /* 0 when end_kind is NONE */
    gt_exec_stats stats;       /* the goroutine's stats while the region was active */
} gt_region_summary;

/* Go's GoroutineSummary. Times are trace times (ns); start_time and end_time
 * are 0 when the goroutine never ran / never ended, as in Go. */
typedef struct gt_goroutine_summary {
    int64_t id;
    gt_str name;        /* start function (root frame); "" when never seen */
    uint64_t pc;        /* PC of that frame */
    int64_t creation_time;
    int64_t start_time;
    int64_t end_time;
    gt_exec_stats stats;
    size_t n_regions;   /* sorted by start time, unknown starts first */
    const gt_region_summary *const *regions;
} gt_goroutine_summary;

typedef struct gt_task_log {
    int64_t time;
    int64_t goroutine;
    gt_str category;
    gt_str message;
} gt_task_log;

/* Go's UserTaskSummary. */
typedef struct gt_task_summary {
    uint64_t id;
    gt_str name;
    uint64_t parent;            /* GT_NO_TASK when unknown */
    size_t n_children;          /* task IDs, in the order Go appends them */
    const uint64_t *children;
    int has_start;              /* a TaskBegin was seen */
    int64_t start;
    int64_t start_goroutine;
    int has_end;                /* a TaskEnd was seen */
    int64_t end;
    int64_t end_goroutine;
    size_t n_logs;              /* in trace order */
    const gt_task_log *logs;
    size_t n_regions;           /* in trace order of their start (or end) */
    const gt_region_summary *const *regions;
    size_t n_goroutines;        /* goroutine IDs associated with the task,
                                 * sorted; may hold GT_NO_GOROUTINE as Go's
                                 * map may */
    const int64_t *goroutines;
} gt_task_summary;

/* Whether Go's IsSystemGoroutine holds for a start function name. */
GT_API int gt_is_system_goroutine(gt_str entry_fn);

typedef struct gt_summary gt_summary;

/* A new, empty summarizer; NULL when memory runs out. */
GT_API gt_summary *gt_summary_new(void);
/* Feeds one event (Summarizer.Event). 0, or -1 when memory runs out. */
GT_API int gt_summary_event(gt_summary *s, const gt_event *ev);
/* Ends the pass (Summarizer.Finalize): closes open goroutines and regions at
 * the last event's time. Returns 0 or -1 (no memory). Call once; afterwards
 * only the accessors below may be used. */
GT_API int gt_summary_finalize(gt_summary *s);
GT_API void gt_summary_free(gt_summary *s);  /* NULL is fine */

/* Times of the first and last event fed. */
GT_API int64_t gt_summary_first_time(const gt_summary *s);
GT_API int64_t gt_summary_last_time(const gt_summary *s);
/* Time of the last Sync event fed (0 when none). After a read error
 * cmd/trace keeps the events up to the last Sync only, so this is where its
 * trace ends (the end of regions and tasks that never end). */
GT_API int64_t gt_summary_last_sync_time(const gt_summary *s);

/* Results, valid until gt_summary_free. Goroutines and tasks sorted by ID. */
GT_API size_t gt_summary_goroutine_count(const gt_summary *s);
GT_API const gt_goroutine_summary *gt_summary_goroutine(const gt_summary *s, size_t i);
/* NULL when the ID is unknown. */
GT_API const gt_goroutine_summary *gt_summary_find_goroutine(const gt_summary *s, int64_t id);
GT_API size_t gt_summary_task_count(const gt_summary *s);
GT_API const gt_task_summary *gt_summary_task(const gt_summary *s, size_t i);
GT_API const gt_task_summary *gt_summary_find_task(const gt_summary *s, uint64_t id);

/* Streaming. By default the summary keeps every region and log to the end,
 * so memory grows with them. A consumer that needs each finished region once
 * (counts, histograms, a filtered selection) and no task details can switch
 * the summary to streaming before the first event:
 *
 *  - every region Go's summary would list in a goroutine's regions is passed
 *    to fn when it finishes (at its RegionEnd, when its goroutine ends, or in
 *    gt_summary_finalize) and then forgotten; fn may be NULL to drop them;
 *  - tasks keep no logs and no regions.
 * Afterwards n_regions (goroutines and tasks) and n_logs still count them,
 * but the regions and logs arrays are NULL. Memory then grows with
 * goroutines, tasks, distinct strings and the regions open at one time, not
 * with finished regions or logs.
 *
 * fn gets a region that is valid during the call only; its strings (name,
 * start_frame.func/file) live until gt_summary_free. fn returns 0, or -1 to
 * fail the gt_summary_event / gt_summary_finalize call that finished the
 * region (which then returns -1). Regions whose end is unknown (end_kind
 * NONE) are only ever passed from gt_summary_finalize.
 *
 * One divergence a stream cannot undo: when a goroutine ID is created again
 * after that goroutine ended (the runtime never reuses IDs; hand-made traces
 * can), Go's summary replaces the first goroutine's entry and its regions
 * with it. gt_summary_streamed_dropped counts the regions fn received that Go
 * drops this way; when it is not 0, only a non-streaming pass gives Go's
 * figures. */
typedef int (*gt_region_fn)(void *ctx, const gt_region_summary *r);
GT_API void gt_summary_stream_regions(gt_summary *s, gt_region_fn fn, void *ctx);
GT_API uint64_t gt_summary_streamed_dropped(const gt_summary *s);

/* While feeding: the start and end time Go's summary holds for a goroutine so
 * far (0 when not yet), or -1 when the goroutine is unknown. Used by the
 * pprof analysis in the same pass. */
GT_API int gt_summary_goroutine_times(const gt_summary *s, int64_t id, int64_t *start, int64_t *end);


/* ------------------------------------------------------------------ MMU */

/* Go's UtilFlags: what counts against the mutator. */
enum {
    GT_UTIL_STW = 1 << 0,        /* GC stop-the-world pauses */
    GT_UTIL_BACKGROUND = 1 << 1, /* background mark workers */
    GT_UTIL_ASSIST = 1 << 2,     /* mark assists */
    GT_UTIL_SWEEP = 1 << 3,      /* incremental sweeping */
    GT_UTIL_PER_PROC = 1 << 4    /* one function per P instead of one shared */
};

/* A change of mean mutator utilisation (0..1) at a time (ns). */
typedef struct gt_mutator_util {
    int64_t time;
    double util;
} gt_mutator_util;

/* One of the worst windows (Go's UtilWindow). */
typedef struct gt_util_window {
    int64_t time;
    double util;
} gt_util_window;

typedef struct gt_mmu gt_mmu;

/* Go's MutatorUtilizationV2 fed one event at a time, then NewMMUCurve.
 * flags: GT_UTIL_*. NULL when memory runs out. */
GT_API gt_mmu *gt_mmu_new(unsigned flags);
/* 0, or -1 when memory runs out. */
GT_API int gt_mmu_event(gt_mmu *m, const gt_event *ev);
/* Ends the utilisation functions (a final 0 at the last event) and builds
 * the curve. 0, or -1 when memory runs out. Call once, after the last event. */
GT_API int gt_mmu_finish(gt_mmu *m);
GT_API void gt_mmu_free(gt_mmu *m);  /* NULL is fine */

/* The utilisation functions (one, or one per P with GT_UTIL_PER_PROC; none
 * for an empty trace). Valid until gt_mmu_free. */
GT_API size_t gt_mmu_series_count(const gt_mmu *m);
GT_API const gt_mutator_util *gt_mmu_series(const gt_mmu *m, size_t i, size_t *n);
/* Earliest and latest time over all series (0, 0 when there are none). */
GT_API void gt_mmu_bounds(const gt_mmu *m, int64_t *lo, int64_t *hi);

/* After gt_mmu_finish: the minimum mutator utilisation over all windows of
 * this duration (MMUCurve.MMU); 0 for windows <= 0 or an empty trace. */
GT_API double gt_mmu_at(gt_mmu *m, int64_t window);
/* The mutator utilisation distribution's quantiles for windows of this
 * duration (MMUCurve.MUD): out[i] for quantiles[i] (0..1), n values. As in Go
 * 1.27, whose accumulator stops before feeding the distribution when it
 * tracks no worst windows, every quantile comes out as the MMU of the window
 * (0 for windows <= 0). Returns 0, or -1 on no memory. */
GT_API int gt_mmu_mud(gt_mmu *m, int64_t window, const double *quantiles, size_t n, double *out);
/* The n worst disjoint windows of this duration (MMUCurve.Examples), lowest
 * utilisation first; returns how many were written (<= n). -1 on no memory. */
GT_API long gt_mmu_worst(gt_mmu *m, int64_t window, size_t n, gt_util_window *out);

/* ---------------------------------------------------------------- pprof */

/* The profiles of `go tool trace -pprof=TYPE` (cmd/trace/pprof.go): time
 * goroutines spend in a state, by the stack of the event that put them
 * there. */
typedef enum gt_pprof_type {
    GT_PPROF_SCHED = 0, /* Runnable: scheduler latency */
    GT_PPROF_SYNC,      /* Waiting on chan, select or sync */
    GT_PPROF_SYSCALL,   /* in a syscall */
    GT_PPROF_NET        /* Waiting on the network */
} gt_pprof_type;

/* Which goroutine time counts (the web UI's filters). Zero = everything, as
 * the command line does. */
typedef struct gt_pprof_filter {
    int by_name;            /* only goroutines whose start function is name */
    gt_str name;
    int by_region;          /* only time inside matching regions (outermost) */
    int by_region_type;     /* ... whose type is region_type */
    gt_str region_type;
    int by_pc;              /* ... whose start frame (gt_region_summary's
                             * start_frame) has this PC */
    uint64_t pc;
    int has_latmin;         /* ... lasting at least latmin ns */
    int64_t latmin;
    int has_latmax;         /* ... lasting at most latmax ns */
    int64_t latmax;
} gt_pprof_filter;

/* One sample: a stack (innermost frame first, at most 128 frames), how many
 * state episodes ended there, and their total duration. */
typedef struct gt_pprof_record {
    const gt_frame *frames;
    size_t n_frames;
    uint64_t count;
    int64_t time;
} gt_pprof_record;

typedef struct gt_pprof gt_pprof;

/* A profile built in a second pass over the trace: summary is the finalized
 * summary of the whole trace (goroutine lifetimes, regions), first/last the
 * times of the first and last event the profile will see. Returns NULL and
 * a message in err (Go's text for "failed to find matching goroutines for
 * name: NAME") when nothing matches, or on no memory. The summary must
 * outlive the profile. */
GT_API gt_pprof *gt_pprof_new(gt_pprof_type type, const gt_summary *summary, int64_t first, int64_t last,
                              const gt_pprof_filter *filter, gt_error *err);
/* 0, or -1 when memory runs out. */
GT_API int gt_pprof_event(gt_pprof *p, const gt_event *ev);
GT_API void gt_pprof_free(gt_pprof *p);  /* NULL is fine */

/* The records, in the order their stacks first gained time. */
GT_API size_t gt_pprof_record_count(const gt_pprof *p);
GT_API const gt_pprof_record *gt_pprof_record_at(const gt_pprof *p, size_t i);

/* Encodes the profile as Go's traceviewer.BuildProfile + profile.Write do,
 * before compression: a profile.proto message (sample types
 * contentions/count and delay/nanoseconds, period type trace/count). Returns
 * a malloc'd buffer and its length, or NULL on no memory. */
GT_API unsigned char *gt_pprof_encode(const gt_pprof *p, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
