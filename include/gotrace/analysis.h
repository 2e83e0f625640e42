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
GT_API int64_t gt_mmu_worst(gt_mmu *m, int64_t window, size_t n, gt_util_window *out);

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
 * the encoded bytes (release with gt_free) and sets *len to their number, or
 * returns NULL on no memory. */
GT_API unsigned char *gt_pprof_encode(const gt_pprof *p, size_t *len);

/* ------------------------------------------------------------- overview */

/* What `gotrace summary` shows, computed in one pass over the events: the
 * trace's extent, the scheduler (GOMAXPROCS, goroutine counts, scheduling
 * latency), blocking by reason with its stacks, GC (cycles, stop-the-world,
 * mark assists, MMU, heap), goroutine groups, and user tasks and regions by
 * type. It builds on the analyses above instead of repeating them: a
 * streaming gt_summary (goroutine execution, block and range times, task and
 * region durations: the same figures as the goroutine and region analyses)
 * and a gt_mmu with the default flags (STW, background, assist, sweep: the
 * figures of `gotrace mmu`). Its own accounting covers only what those do not
 * record: counts of state episodes, their stacks, latency distributions,
 * GC ranges, metrics.
 *
 * Latency distributions (gt_latency_stats). count, total, min and max are
 * exact. Percentiles use the nearest-rank definition (the p-th percentile of
 * n values is the value at rank ceil(p/100 * n) in ascending order). A
 * distribution of at most 64 values keeps them all: its percentiles are
 * exact. Beyond, it counts values in logarithmic buckets: values below 32 ns
 * are exact, above that each power of two is split into 32 buckets, and a
 * percentile is reported as the upper edge of the bucket holding that rank,
 * clamped to [min, max]. So a reported percentile is never below the exact
 * one and at most 1/32 (3.2%) above it. A distribution costs a few bytes per
 * value up to 64 values, then the span of buckets its values reach (at most
 * 15 KiB).
 *
 * Memory grows with goroutines, threads, distinct reasons, stacks, task and
 * region types, and the summary's own records (see gt_summary_stream_regions:
 * regions are streamed, not kept), never with the number of events, except
 * the MMU's one point per change of utilisation.
 */

/* How many worst goroutines and top stacks per reason are kept. */
#define GT_OVERVIEW_TOP 5
/* How many GOMAXPROCS values are kept (the first value and the changes after
 * it, in time order); more changes are only counted. */
#define GT_OVERVIEW_MAX_GOMAXPROCS 32

typedef struct gt_latency_stats {
    uint64_t count;
    int64_t total;           /* exact sum */
    int64_t min, max;        /* exact; 0 when count is 0 */
    int64_t p50, p90, p99;   /* nearest rank; exact up to 64 values, else
                              * from the histogram (see above) */
} gt_latency_stats;

/* A value at a time (trace ns). */
typedef struct gt_value_at {
    int64_t time;
    int64_t value;
} gt_value_at;

/* One of the goroutines that waited longest to run. */
typedef struct gt_overview_wait {
    int64_t goroutine;
    gt_str name;        /* its start function, "" when unknown */
    int64_t time;       /* when it became runnable */
    int64_t latency;    /* until it left the runnable state */
} gt_overview_wait;

/* A stack at which goroutines blocked (innermost frame first, at most 128). */
typedef struct gt_overview_stack {
    const gt_frame *frames;
    size_t n_frames;
    uint64_t count;     /* episodes that began and ended in the trace */
    int64_t time;       /* their total duration */
} gt_overview_stack;

/* Blocking for one reason. The reason "syscall" collects time in system
 * calls: a goroutine's SyscallTime and SyscallBlockTime (and a Waiting
 * reason "syscall", if a trace has one). */
typedef struct gt_overview_block {
    gt_str reason;          /* Go's reason text, e.g. "chan receive", "sleep" */
    uint64_t count;         /* episodes that began in the trace */
    int64_t time;           /* the goroutine summaries' BlockTimeByReason for
                             * the reason, summed over goroutines: the time
                             * `gotrace goroutines` (and go tool trace) shows */
    size_t n_stacks;        /* the GT_OVERVIEW_TOP stacks with the most time */
    const gt_overview_stack *stacks;
} gt_overview_block;

/* Goroutines grouped by start function, as `gotrace goroutines` lists them. */
typedef struct gt_overview_group {
    gt_str name;            /* "" for goroutines without a known start function */
    uint64_t count;
    int64_t exec_time;      /* sum of the goroutines' ExecTime */
} gt_overview_group;

/* After gt_summary_finalize: the summary's goroutines grouped by start
 * function (go tool trace's goroutines page), by total execution time
 * (then name); the names live as long as the summary. Sets *n; returns the
 * array (release with gt_free; not NULL when *n is 0), or NULL on no memory.
 * `gotrace goroutines` and the overview's groups are this. */
GT_API gt_overview_group *gt_summary_groups(const gt_summary *s, size_t *n);

/* User tasks or regions of one type. */
typedef struct gt_overview_type {
    gt_str type;            /* "" for the unnamed regions a goroutine inherits */
    uint64_t count;         /* all of them, as go tool trace counts them */
    uint64_t complete;      /* with a known begin and end */
    gt_latency_stats duration;  /* tasks: complete ones only; regions: all,
                                 * an unknown begin or end taken as the trace's
                                 * first event or its end (as `gotrace regions`) */
} gt_overview_type;

/* The MMU at one window. */
typedef struct gt_overview_mmu {
    int64_t window;
    int valid;              /* 0 when the window is longer than the trace */
    double mmu;             /* gt_mmu_at with the default flags */
} gt_mmu_point;

typedef struct gt_overview_result {
    /* The trace. */
    uint64_t events;
    int64_t start, end;         /* first and last event time; end is the last
                                 * Sync's when the trace broke (cmd/trace's end) */
    uint64_t syncs;             /* Sync events (a v2 trace: generations + 1) */
    int has_wall_clock;         /* a ClockSnapshot was seen (Go 1.25+) */
    int64_t wall_start_sec;     /* wall clock at `start`, from the first snapshot */
    int32_t wall_start_nsec;

    /* The scheduler. */
    int has_gomaxprocs;         /* a /sched/gomaxprocs:threads metric was seen */
    int64_t gomaxprocs_min, gomaxprocs_max;
    uint64_t gomaxprocs_changes;  /* times the value differed from the one before */
    size_t n_gomaxprocs;        /* <= GT_OVERVIEW_MAX_GOMAXPROCS */
    const gt_value_at *gomaxprocs;
    uint64_t goroutines;        /* goroutines in the summary */
    uint64_t goroutines_created;  /* NotExist -> another state */
    uint64_t goroutines_ended;    /* -> NotExist */
    uint64_t goroutines_peak;     /* most goroutines alive at one time: those
                                   * first seen in a state other than NotExist
                                   * count as alive from the trace's start */
    int64_t goroutines_peak_time; /* when the peak was first reached */
    uint64_t threads, procs;    /* distinct Ms and Ps that events ran on */
    int64_t sched_wait_time;    /* the summaries' SchedWaitTime, summed */
    gt_latency_stats sched_latency;  /* runnable -> leaving runnable, episodes
                                      * that began and ended in the trace */
    size_t n_worst;             /* <= GT_OVERVIEW_TOP, longest first */
    const gt_overview_wait *worst;

    /* Blocking, by total time (then count, then reason). */
    size_t n_block;
    const gt_overview_block *block;

    /* GC. */
    uint64_t gc_cycles;         /* "GC concurrent mark phase" ranges begun (or
                                 * active at the trace start) */
    uint64_t stw_count;         /* "stop-the-world (...)" ranges ended */
    int64_t stw_total, stw_max;
    uint64_t mark_assists;      /* "GC mark assist" ranges begun */
    int64_t mark_assist_time;   /* the summaries' RangeTime["GC mark assist"] */
    gt_mmu_point mmu[3];          /* windows 1ms, 10ms, 100ms */
    int has_heap;               /* /memory/classes/heap/objects:bytes */
    uint64_t heap_min, heap_max;
    int has_heap_goal;          /* /gc/heap/goal:bytes */
    uint64_t heap_goal_min, heap_goal_max;

    /* Goroutine groups by total execution time (then name). */
    size_t n_groups;
    const gt_overview_group *groups;
    /* Task and region types, by name. */
    size_t n_task_types;
    const gt_overview_type *task_types;
    size_t n_region_types;
    const gt_overview_type *region_types;
    uint64_t regions_dropped;   /* gt_summary_streamed_dropped: when not 0 the
                                 * region figures include regions Go forgets */
} gt_overview_result;

typedef struct gt_overview gt_overview;

/* A new overview; NULL when memory runs out. */
GT_API gt_overview *gt_overview_new(void);
/* Feeds one event in reader order. 0, or -1 when memory runs out (then the
 * object may only be freed). */
GT_API int gt_overview_event(gt_overview *o, const gt_event *ev);
/* Ends the pass. broken: the reader stopped with an error (the trace's end
 * is then its last Sync, where cmd/trace stops). 0, or -1 on no memory.
 * Call once. */
GT_API int gt_overview_finish(gt_overview *o, int broken);
/* The results after gt_overview_finish (NULL before), valid until
 * gt_overview_free. */
GT_API const gt_overview_result *gt_overview_get(const gt_overview *o);
/* The MMU's flags (those of `gotrace mmu` by default). */
#define GT_OVERVIEW_MMU_FLAGS (GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP)
/* Before gt_overview_finish: m (from gt_mmu_new(GT_OVERVIEW_MMU_FLAGS), fed,
 * not finished) replaces the overview's MMU, which is freed; o owns m. For a
 * broken trace Go computes the MMU over the events up to the last Sync only,
 * which one pass cannot know in advance: a caller that can read the input
 * again feeds those events to a new MMU and hands it over. */
GT_API void gt_overview_replace_mmu(gt_overview *o, gt_mmu *m);
/* The analyses underneath, finished, for more detail (owned by o). */
GT_API const gt_summary *gt_overview_summary(const gt_overview *o);
GT_API gt_mmu *gt_overview_mmu(const gt_overview *o);
GT_API void gt_overview_free(gt_overview *o);  /* NULL is fine */

#ifdef __cplusplus
}
#endif

#endif
