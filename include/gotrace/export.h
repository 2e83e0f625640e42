/* gotrace/export.h — a trace as a timeline: the one state tracker behind
 * gotrace's timeline exporters, and the Perfetto writer built on it.
 *
 * The tracker (gt_tl) takes events in reader order and calls a sink with
 * what a timeline shows, in time order:
 *
 *   slices     begin and end on a track; on one track slices nest:
 *              - goroutine tracks: one slice per state (Running, Runnable,
 *                Waiting with its reason, Syscall), back to back;
 *              - region tracks (one per goroutine): user regions, nested;
 *              - P tracks: which goroutine runs on the P;
 *              - thread (M) tracks: which P the thread holds; thread syscall
 *                tracks: the syscalls made on the thread;
 *              - range tracks, one per scope and range name: GC, stop-the-
 *                world, mark assist, sweep (scope: global, a P or a goroutine);
 *              - task tracks, one per user task.
 *   instants   on a goroutine track: logs, and the unblocking or creation of
 *              another goroutine (the start of a flow); CPU samples (with
 *              their stacks) and labels on the track of what they concern.
 *   flows      an id on an instant (unblock, create) and the same id on the
 *              begin of the target's next Running slice (unblock) or first
 *              slice (create).
 *   counters   metrics (heap live, heap goal, GOMAXPROCS, ...), goroutines
 *              running, runnable and waiting, threads in syscall.
 *
 * Accounting. The goroutine slices follow Go's goroutine summary
 * (gt_summary, `gotrace goroutines`): per goroutine, the Running slices add
 * up to its execution time and the Waiting slices of each reason to its
 * block time for that reason, with the same conventions: a goroutine first
 * seen in an undetermined state has been in its new state since the last
 * Sync (such a begin is marked `retro`: its time is the Sync's, earlier than
 * the event that revealed it), and whatever is open at the end closes at the
 * last event's time.
 *
 * Memory. The tracker keeps one record per live goroutine (its open slice
 * and open regions), per P and per thread, the open tasks and ranges, and
 * the distinct names it interns (reasons, region and task types, range
 * names, goroutine start functions). Nothing is allocated per event.
 *
 * Lifetimes. gt_str and gt_stack values passed to the sink follow the
 * reader's lifetime rule (gotrace.h) unless stated otherwise: a sink that
 * keeps them longer must copy them.
 *
 * Errors. Functions return 0, or -1 when memory runs out or the sink
 * returned nonzero (the sink's code is returned then). After an error the
 * object may only be freed. Nothing here prints or aborts.
 */
#ifndef GOTRACE_EXPORT_H
#define GOTRACE_EXPORT_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gt_tl_track_kind {
    GT_TL_TRACK_GOROUTINE = 1, /* id: goroutine */
    GT_TL_TRACK_REGIONS,       /* id: goroutine */
    GT_TL_TRACK_PROC,          /* id: P */
    GT_TL_TRACK_THREAD,        /* id: thread */
    GT_TL_TRACK_SYSCALLS,      /* id: thread */
    GT_TL_TRACK_RANGE,         /* id: scope's goroutine or P, 0 for global;
                                * scope: its kind; name: the range's index */
    GT_TL_TRACK_TASK           /* id: task */
} gt_tl_track_kind;

typedef struct gt_tl_track {
    gt_tl_track_kind kind;
    int64_t id;
    gt_resource_kind scope;  /* GT_TL_TRACK_RANGE: NONE (global), PROC or GOROUTINE */
    uint32_t range_index;    /* GT_TL_TRACK_RANGE: index of the range's name
                              * (gt_tl_range_name), below 64 */
} gt_tl_track;

typedef enum gt_tl_slice_kind {
    GT_TL_RUNNING = 1,  /* goroutine track */
    GT_TL_RUNNABLE,
    GT_TL_WAITING,      /* name: the reason ("chan receive", "sleep", ...) */
    GT_TL_SYSCALL,
    GT_TL_PROC_RUNS,    /* P track: goroutine runs on it */
    GT_TL_HOLDS_PROC,   /* thread track: the thread holds proc */
    GT_TL_THREAD_SYSCALL, /* syscalls track: goroutine's syscall */
    GT_TL_REGION,       /* regions track: name is the region type, task its task */
    GT_TL_RANGE,        /* range track: name is the range's */
    GT_TL_TASK          /* task track: name is the type, task and parent */
} gt_tl_slice_kind;

typedef struct gt_tl_slice {
    gt_tl_track track;
    gt_tl_slice_kind kind;
    int64_t time;        /* the begin's or the end's */
    int64_t goroutine;   /* the goroutine of the slice (state, runs, syscall,
                          * region, goroutine range), else GT_NO_GOROUTINE */
    int64_t proc;        /* GT_TL_HOLDS_PROC: the P, else GT_NO_PROC */
    gt_str name;         /* interned by the tracker: valid until gt_tl_free */
    gt_stack stack;      /* begins: the stack of the transition or event that
                          * began the slice (may be empty); for slices begun
                          * again by gt_tl_reopen, empty */
    uint64_t flow_in;    /* begins: the flow ending here, or 0 */
    uint64_t task;       /* REGION, TASK: the task ID */
    uint64_t parent;     /* TASK: the parent task, or GT_NO_TASK */
    int retro;           /* begins: time is the last Sync's, earlier than the
                          * current event (see Accounting above) */
} gt_tl_slice;

typedef enum gt_tl_instant_kind {
    GT_TL_LOG = 1,   /* category, message, task */
    GT_TL_UNBLOCK,   /* target: the goroutine made runnable */
    GT_TL_CREATE,    /* target: the goroutine created */
    GT_TL_SAMPLE,    /* a CPU sample: stack; on the goroutine's track, or
                      * the thread's when it ran no goroutine */
    GT_TL_LABEL      /* message: the label (e.g. "GC (dedicated)"); on the
                      * labelled goroutine's, P's or thread's track */
} gt_tl_instant_kind;

typedef struct gt_tl_instant {
    gt_tl_instant_kind kind;
    gt_tl_track track;  /* a goroutine track (id -1: a log outside any
                         * goroutine), or for SAMPLE and LABEL a thread or P
                         * track */
    int64_t time;
    int64_t target;
    uint64_t flow_out;  /* UNBLOCK, CREATE: the flow starting here */
    gt_str category, message;  /* LOG, LABEL: follow the reader's lifetime rule */
    uint64_t task;
    gt_stack stack;     /* the event's stack (may be empty) */
} gt_tl_instant;

typedef enum gt_tl_counter_kind {
    GT_TL_METRIC = 1,          /* name: the metric's ("/gc/heap/goal:bytes") */
    GT_TL_GOROUTINES_RUNNING,
    GT_TL_GOROUTINES_RUNNABLE,
    GT_TL_GOROUTINES_WAITING,
    GT_TL_THREADS_IN_SYSCALL
} gt_tl_counter_kind;

/* Goroutine and thread counts are reported when they changed, at most once
 * per this many ns (and at gt_tl_reopen and gt_tl_close); metrics at every
 * Metric event. */
#define GT_TL_COUNTER_RESOLUTION 10000

typedef struct gt_tl_counter {
    gt_tl_counter_kind kind;
    uint32_t metric_index;  /* METRIC: a small index per distinct name */
    gt_str name;            /* METRIC: interned, valid until gt_tl_free */
    int64_t time;
    int64_t value;
} gt_tl_counter;

/* The sink. Each function returns 0 to go on, anything else to stop (the
 * tracker then returns that value). NULL members are skipped. */
typedef struct gt_tl_sink {
    void *ctx;
    int (*begin)(void *ctx, const gt_tl_slice *s);
    int (*end)(void *ctx, const gt_tl_slice *s);  /* the begin's fields, with the end time */
    int (*instant)(void *ctx, const gt_tl_instant *i);
    int (*counter)(void *ctx, const gt_tl_counter *c);
    /* A track will not be used again (its goroutine ended, its task ended):
     * the sink may forget it. Its ID may come back as a new track. */
    int (*retire)(void *ctx, const gt_tl_track *t);
} gt_tl_sink;

typedef struct gt_tl gt_tl;

/* A new tracker calling sink (copied). NULL when memory runs out. */
GT_API gt_tl *gt_tl_new(const gt_tl_sink *sink);
GT_API void gt_tl_free(gt_tl *tl);

/* Feeds the next event (reader order). */
GT_API int gt_tl_event(gt_tl *tl, const gt_event *ev);

/* Ends everything still open at time `at` (innermost first; gt_tl_close
 * with the last event's time is the end of a trace). The tracker's state is
 * kept: gt_tl_reopen begins it all again. */
GT_API int gt_tl_close(gt_tl *tl, int64_t at);

/* Begins again at time `at` every slice open now, and reports every
 * counter's current value: for a timeline that starts in the middle of the
 * trace (the caller's sink dropped what came before `at`). */
GT_API int gt_tl_reopen(gt_tl *tl, int64_t at);

/* The start function of a goroutine (the outermost frame of its first
 * stack), "" when unknown; interned, valid until gt_tl_free. */
GT_API gt_str gt_tl_goroutine_name(const gt_tl *tl, int64_t goroutine);

/* The name of range index i, "" when there is none. */
GT_API gt_str gt_tl_range_name(const gt_tl *tl, uint32_t i);

/* Time of the first and the latest event fed (0 before any). */
GT_API int64_t gt_tl_first_time(const gt_tl *tl);
GT_API int64_t gt_tl_last_time(const gt_tl *tl);

/* Flow IDs are 1, 2, ... in the order their instants are reported; this is
 * the next one. */
GT_API uint64_t gt_tl_next_flow(const gt_tl *tl);

/* ------------------------------------------------------------ perfetto */

/* Writes Perfetto's protobuf trace format (a stream of TracePackets,
 * perfetto_trace.proto's Trace message) from a tracker's output.
 *
 * Layout. A process "Go program"; under it tracks "Ps" (a track per P),
 * "Threads" (a track per M, with a syscall child track), "Goroutines" (a
 * group per start function, a track per goroutine, with a regions child),
 * "Runtime" (range tracks of global scope, counters), "Tasks" (a track per
 * task, under its parent when the parent is known). Slice names: state
 * names, "G<id> <function>" on P tracks, "P<id>" on thread tracks.
 *
 * Sequences. Packet sequence 1 carries everything in time order, with
 * interned event names, function names, source files, frames and
 * callstacks; its incremental state is cleared at every Sync of the trace
 * (SEQ_INCREMENTAL_STATE_CLEARED), and within a generation whenever the
 * tables pass 32768 entries, so they hold a bounded part of one generation.
 * Sequence 2 carries only retro begins (all at Sync times, so in time order
 * too), with plain names. A track whose goroutine or task ended is forgotten
 * and described again if its ID comes back: a new description of a
 * goroutine track starts a new goroutine. Instants: "unblock G<id>" and
 * "create G<id>" (flow sources), logs (named by category, the message and
 * task as debug annotations), "CPU sample" (with its callstack), labels.
 *
 * Window. Only [from, to] is written, in ns since the first event: slices
 * open at `from` begin there, and everything ends at `to` (or at the last
 * event). A goroutine the trace shows first after `to`, in the generation
 * that holds `to`, has been in its state since that generation's Sync (as
 * the analyses' windows count it, gotrace/window.h): its slice runs from
 * there, or `from`, to `to`; so events are taken up to the next Sync after
 * `to`. Pass from = 0, to = INT64_MAX for the whole trace. Timestamps in
 * the output are ns since the first event.
 *
 * Output goes to a write callback (return 0, or nonzero to stop: the
 * functions then return it). */
typedef struct gt_perfetto gt_perfetto;
typedef int (*gt_write_fn)(void *ctx, const void *data, size_t len);

GT_API gt_perfetto *gt_perfetto_new(gt_write_fn write, void *ctx, int64_t from, int64_t to);
GT_API void gt_perfetto_free(gt_perfetto *p);
/* Feeds the next event. Returns 0, 1 at the first Sync after the window's
 * end (feed no more, call gt_perfetto_finish), or -1 / the write
 * callback's code. */
GT_API int gt_perfetto_event(gt_perfetto *p, const gt_event *ev);
/* Ends what is open (at the window's end, or the last event) and flushes. */
GT_API int gt_perfetto_finish(gt_perfetto *p);

/* ------------------------------------------------------------- strip */

/* A whole trace downsampled for an overview (the strip of `gotrace report`),
 * and the distributions of the durations its timeline shows, made in one
 * pass in memory bounded by the number of buckets, Ps, live goroutines and
 * distinct names, never by the number of events. It is built on the
 * tracker above (gt_tl), so its times follow the same accounting.
 *
 * Buckets. Time from the first event is cut into at most `buckets` equal
 * buckets of bucket_ns each. The width starts at 1 ns and doubles (adjacent
 * buckets merged in pairs) whenever an event falls past the last bucket, so
 * at the end between buckets/2 and buckets of them are used (fewer for a
 * trace shorter than `buckets` ns). Per track and bucket:
 *  - busy: ns of the bucket covered (a P running a goroutine, a GC or
 *    stop-the-world range in progress), 0 .. bucket_ns;
 *  - group (P tracks): the goroutine group (start function) that held the
 *    majority of the busy time. It is a weighted majority vote, kept under
 *    merging: when one group ran more than half of the busy time it is that
 *    group; otherwise it is one of the groups that ran there.
 * Counters keep per bucket the largest value in force during the bucket.
 *
 * Durations. Episodes that began and ended within the trace, by kind and
 * name: scheduling latency (a goroutine's Runnable slices), blocking (its
 * Waiting slices by reason; its Syscall slices under "syscall"), tasks (by
 * type, from TaskBegin to TaskEnd) and regions (by type, from RegionBegin
 * to RegionEnd or to the end of its goroutine). A slice whose begin the
 * tracker marks retro, and a slice still open at the trace's end, are not
 * episodes. Each is counted in Go's traceviewer.TimeHistogram buckets (five
 * per power of ten, as go tool trace's pages: bucket i holds durations d
 * with floor(log(d) / log(10^(1/5))) = i, 0 for d <= 1 ns) and the
 * GT_STRIP_SLOWEST longest are kept. */

#define GT_STRIP_MAX_PROCS 256     /* Ps beyond these are counted, not drawn */
#define GT_STRIP_SLOWEST 5
#define GT_STRIP_HIST_BUCKETS 96   /* enough for any int64 duration */

typedef struct gt_strip_bucket {
    int64_t busy;     /* ns of the bucket covered */
    int64_t lead;     /* the majority vote's margin (internal) */
    uint32_t group;   /* P tracks: index + 1 of the majority group, 0 none */
} gt_strip_bucket;

typedef enum gt_strip_band_kind {
    GT_STRIP_GC = 0,  /* "GC concurrent mark phase" in progress */
    GT_STRIP_STW      /* a "stop-the-world (...)" range in progress */
} gt_strip_band_kind;

typedef enum gt_strip_counter_kind {
    GT_STRIP_HEAP = 0,      /* metric /memory/classes/heap/objects:bytes */
    GT_STRIP_GOROUTINES     /* goroutines running, runnable or waiting */
} gt_strip_counter_kind;

typedef enum gt_strip_dur_kind {
    GT_STRIP_SCHED = 1,  /* name "" */
    GT_STRIP_BLOCK,      /* name: the reason */
    GT_STRIP_TASK,       /* name: the task type */
    GT_STRIP_REGION      /* name: the region type */
} gt_strip_dur_kind;

typedef struct gt_strip_instance {
    int64_t start;       /* trace time */
    int64_t duration;
    int64_t goroutine;   /* GT_NO_GOROUTINE for tasks */
    uint64_t task;       /* tasks and regions: the task ID */
} gt_strip_instance;

typedef struct gt_strip_durations {
    gt_strip_dur_kind kind;
    gt_str name;                  /* valid until gt_strip_free */
    uint64_t count;
    int64_t total, max;
    uint64_t buckets[GT_STRIP_HIST_BUCKETS];
    size_t n_slowest;             /* <= GT_STRIP_SLOWEST, longest first */
    gt_strip_instance slowest[GT_STRIP_SLOWEST];
} gt_strip_durations;

typedef struct gt_strip gt_strip;

/* A new strip of at most `buckets` buckets (clamped to 2 .. 65536). NULL
 * when memory runs out. */
GT_API gt_strip *gt_strip_new(uint32_t buckets);
GT_API void gt_strip_free(gt_strip *s);  /* NULL is fine */
/* Feeds the next event (reader order): 0, or -1 when memory runs out. */
GT_API int gt_strip_event(gt_strip *s, const gt_event *ev);
/* Ends what is open at the last event's time. 0 or -1. Call once; the
 * results below are defined afterwards. */
GT_API int gt_strip_finish(gt_strip *s);

/* The first event's time, the buckets' width and how many are used. */
GT_API int64_t gt_strip_start(const gt_strip *s);
GT_API int64_t gt_strip_bucket_ns(const gt_strip *s);
GT_API uint32_t gt_strip_bucket_count(const gt_strip *s);

/* P tracks, by P ID: the buckets (gt_strip_bucket_count of them) and the P
 * in *proc. dropped: Ps seen beyond GT_STRIP_MAX_PROCS. */
GT_API size_t gt_strip_proc_count(const gt_strip *s);
GT_API const gt_strip_bucket *gt_strip_proc(const gt_strip *s, size_t i, int64_t *proc);
GT_API uint64_t gt_strip_procs_dropped(const gt_strip *s);
/* Goroutine groups named by gt_strip_bucket.group: start function, "" when
 * unknown; in the order first seen. */
GT_API size_t gt_strip_group_count(const gt_strip *s);
GT_API gt_str gt_strip_group_name(const gt_strip *s, size_t i);
/* A band's buckets (busy only). */
GT_API const gt_strip_bucket *gt_strip_band(const gt_strip *s, gt_strip_band_kind b);
/* A counter's largest value per bucket (a bucket before the first sample
 * holds -1), or NULL when the counter never had a value. */
GT_API const int64_t *gt_strip_counter(const gt_strip *s, gt_strip_counter_kind c);

/* The duration distributions, in the order first seen. */
GT_API size_t gt_strip_durations_count(const gt_strip *s);
GT_API const gt_strip_durations *gt_strip_durations_at(const gt_strip *s, size_t i);
/* The smallest duration of histogram bucket i (Go's BucketMin). */
GT_API int64_t gt_strip_hist_bucket_min(int i);
/* The histogram bucket of duration d. */
GT_API int gt_strip_hist_bucket(int64_t d);

#ifdef __cplusplus
}
#endif

#endif
