/* src/export/rows.c — a trace as table rows (gotrace/rows.h). */
#include <stdlib.h>
#include <string.h>

#include "gotrace/rows.h"

/* ------------------------------------------------------------- schema */

#define N(a) (uint32_t)(sizeof a / sizeof a[0])
#define I GT_ROWS_INT64
#define D GT_ROWS_DOUBLE
#define T GT_ROWS_TEXT
#define B GT_ROWS_BOOL

static const gt_rows_column col_traces[] = {
    {"file", T, 0, "", "the trace file as named on the command line (\"-\": standard input)"},
    {"go_version", I, 1, "", "the Go version of the trace format: 11 to 27 (1.11 to 1.27)"},
    {"start_time", I, 0, "ns", "time of the first event (trace clock)"},
    {"end_time", I, 0, "ns", "time of the last event"},
    {"duration", I, 0, "ns", "end_time - start_time"},
    {"wall_start", I, 1, "ns", "wall clock at start_time, ns since the Unix epoch, from the first clock snapshot (Go 1.25+)"},
    {"events", I, 0, "", "events read"},
    {"generations", I, 0, "", "Sync events read (generations, plus one in Go 1.22+ traces)"},
    {"error", T, 1, "", "why reading stopped early: the trace is broken after the last event read; NULL when complete"},
};
static const gt_rows_column col_goroutines[] = {
    {"id", I, 0, "", "goroutine ID"},
    {"name", T, 0, "", "start function (the outermost frame of its first stack), \"\" when unknown"},
    {"pc", I, 0, "", "program counter of that frame, 0 when unknown"},
    {"is_system", B, 0, "", "a runtime goroutine (Go's IsSystemGoroutine)"},
    {"creation_time", I, 1, "ns", "when it was created; NULL when before the trace"},
    {"creator", I, 1, "", "the goroutine that created it (NULL: none, or unknown)"},
    {"start_time", I, 1, "ns", "when it first ran; NULL when it never ran"},
    {"end_time", I, 1, "ns", "when it ended; NULL when it did not end in the trace"},
    {"exec_time", I, 0, "ns", "time running"},
    {"sched_wait_time", I, 0, "ns", "time runnable, waiting for a P"},
    {"syscall_time", I, 0, "ns", "time in system calls"},
    {"syscall_block_time", I, 0, "ns", "time blocked in system calls (the P taken away)"},
    {"block_time", I, 0, "ns", "time waiting, all reasons (goroutine_times has it by reason)"},
    {"unknown_time", I, 0, "ns", "time in the trace not covered by the five times above"},
    {"total_time", I, 0, "ns", "time the goroutine is present in the trace"},
};
static const gt_rows_column col_goroutine_times[] = {
    {"goroutine", I, 0, "", "goroutine ID"},
    {"kind", T, 0, "", "\"block\": time waiting for the reason in name; \"range\": time inside the runtime range name (e.g. \"GC mark assist\")"},
    {"name", T, 0, "", "the reason (\"chan receive\", \"sleep\", ...) or range name"},
    {"time", I, 0, "ns", "the time (0 when the goroutine met the reason or range without spending time)"},
};
static const gt_rows_column col_g_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 0, "", "the goroutine changing state"},
    {"from_state", T, 0, "", "Go's state name: Undetermined, NotExist, Runnable, Running, Waiting, Syscall"},
    {"to_state", T, 0, "", "the new state"},
    {"reason", T, 1, "", "why (\"chan receive\", \"sleep\", \"preempted\", ...), NULL when none"},
    {"duration", I, 1, "ns", "time until the goroutine's next transition; NULL when there is none in the trace"},
    {"stack", I, 1, "", "stacks.id: the goroutine's stack at the transition (for a creation: where it will start)"},
    {"cause_goroutine", I, 1, "", "the goroutine of the event (the creator, the unblocker, or the goroutine itself)"},
    {"cause_proc", I, 1, "", "the P of the event"},
    {"cause_thread", I, 1, "", "the thread (M) of the event"},
    {"cause_stack", I, 1, "", "stacks.id: the event's own stack (the creator's, the unblocker's)"},
};
static const gt_rows_column col_p_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"proc", I, 0, "", "the P changing state"},
    {"from_state", T, 0, "", "Undetermined, NotExist, Running or Idle"},
    {"to_state", T, 0, "", "the new state"},
    {"duration", I, 1, "ns", "time until the P's next transition; NULL when none"},
    {"cause_goroutine", I, 1, "", "the goroutine of the event"},
    {"cause_thread", I, 1, "", "the thread (M) of the event"},
};
static const gt_rows_column col_m_transitions[] = {
    {"time", I, 0, "ns", "when"},
    {"thread", I, 0, "", "the thread (M)"},
    {"action", T, 0, "", "\"acquire P\", \"release P\", \"syscall begin\", \"syscall end\""},
    {"proc", I, 1, "", "the P acquired or released"},
    {"goroutine", I, 1, "", "the goroutine in the system call"},
    {"duration", I, 1, "ns", "time until the thread's next transition; NULL when none"},
};
static const gt_rows_column col_stacks[] = {
    {"id", I, 0, "", "stack ID, stable within the trace"},
    {"depth", I, 0, "", "number of frames"},
    {"function", T, 0, "", "the innermost frame's function"},
};
static const gt_rows_column col_frames[] = {
    {"stack", I, 0, "", "stacks.id"},
    {"depth", I, 0, "", "0 for the innermost frame, then 1, 2, ... outwards"},
    {"function", T, 0, "", "function name"},
    {"file", T, 0, "", "source file"},
    {"line", I, 0, "", "source line"},
    {"pc", I, 0, "", "program counter"},
};
static const gt_rows_column col_cpu_samples[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 1, "", "the goroutine running, NULL when none"},
    {"proc", I, 1, "", "the P"},
    {"thread", I, 1, "", "the thread (M)"},
    {"stack", I, 1, "", "stacks.id"},
};
static const gt_rows_column col_tasks[] = {
    {"id", I, 0, "", "task ID (0: the background task)"},
    {"name", T, 0, "", "task type"},
    {"parent", I, 1, "", "parent task ID, NULL when none or unknown"},
    {"start_time", I, 1, "ns", "TaskBegin's time, NULL when before the trace"},
    {"end_time", I, 1, "ns", "TaskEnd's time, NULL when after the trace"},
    {"duration", I, 1, "ns", "end_time - start_time, NULL unless both are known"},
    {"start_goroutine", I, 1, "", "goroutine that began it"},
    {"end_goroutine", I, 1, "", "goroutine that ended it"},
    {"logs", I, 0, "", "log messages in the task"},
    {"regions", I, 0, "", "regions in the task"},
    {"goroutines", I, 0, "", "goroutines associated with the task"},
};
static const gt_rows_column col_regions[] = {
    {"id", I, 0, "", "region ID (1, 2, ... in the order regions finish)"},
    {"task", I, 0, "", "task ID (0: background)"},
    {"name", T, 0, "", "region type (\"\": the region a goroutine inherits from its creator's)"},
    {"goroutine", I, 0, "", "the goroutine it ran on"},
    {"start_time", I, 1, "ns", "begin, NULL when before the trace"},
    {"end_time", I, 1, "ns", "end, NULL when after the trace"},
    {"duration", I, 0, "ns", "from begin to end, an unknown begin taken as the trace's start and an unknown end as its end (as gotrace regions)"},
    {"function", T, 1, "", "the start frame's function (gotrace regions' grouping)"},
    {"file", T, 1, "", "the start frame's file"},
    {"line", I, 1, "", "the start frame's line"},
    {"pc", I, 1, "", "the start frame's PC"},
    {"exec_time", I, 0, "ns", "the goroutine's time running while in the region"},
    {"sched_wait_time", I, 0, "ns", "... runnable"},
    {"syscall_time", I, 0, "ns", "... in system calls"},
    {"syscall_block_time", I, 0, "ns", "... blocked in system calls"},
    {"block_time", I, 0, "ns", "... waiting (region_times has it by reason)"},
    {"unknown_time", I, 0, "ns", "... none of the above"},
    {"total_time", I, 0, "ns", "time the region was active"},
};
static const gt_rows_column col_region_times[] = {
    {"region", I, 0, "", "regions.id"},
    {"kind", T, 0, "", "\"block\" or \"range\", as goroutine_times"},
    {"name", T, 0, "", "reason or range name"},
    {"time", I, 0, "ns", "the time"},
};
static const gt_rows_column col_logs[] = {
    {"time", I, 0, "ns", "when"},
    {"goroutine", I, 1, "", "the goroutine that logged"},
    {"task", I, 0, "", "task ID (0: background)"},
    {"category", T, 0, "", "category"},
    {"message", T, 0, "", "message"},
    {"stack", I, 1, "", "stacks.id"},
};
static const gt_rows_column col_ranges[] = {
    {"name", T, 0, "", "e.g. \"GC concurrent mark phase\", \"stop-the-world (GC sweep termination)\", \"GC incremental sweep\", \"GC mark assist\""},
    {"scope", T, 0, "", "\"global\", \"proc\" or \"goroutine\""},
    {"scope_id", I, 1, "", "the P or goroutine ID; NULL for global ranges"},
    {"start_time", I, 0, "ns", "begin (the trace's start or the generation's for a range already active)"},
    {"end_time", I, 0, "ns", "end (the last event's time for a range still open)"},
    {"duration", I, 0, "ns", "end_time - start_time"},
    {"stack", I, 1, "", "stacks.id of the begin event"},
};
static const gt_rows_column col_metrics[] = {
    {"time", I, 0, "ns", "when"},
    {"name", T, 0, "", "the runtime/metrics name: \"/memory/classes/heap/objects:bytes\" (heap live), \"/gc/heap/goal:bytes\", \"/sched/gomaxprocs:threads\", ..."},
    {"value", I, 0, "", "the value, in the unit its name ends with (bytes, threads)"},
};
static const gt_rows_column col_labels[] = {
    {"time", I, 0, "ns", "when"},
    {"label", T, 0, "", "the label (e.g. \"GC (dedicated)\")"},
    {"resource", T, 0, "", "what is labelled: \"goroutine\", \"proc\" or \"thread\""},
    {"resource_id", I, 0, "", "its ID"},
};

static const gt_rows_table tables[GT_ROWS_T_COUNT] = {
    {"traces", "one row per trace", N(col_traces), col_traces},
    {"goroutines", "one row per goroutine, with the goroutine analysis' time breakdown (gotrace goroutines)",
     N(col_goroutines), col_goroutines},
    {"goroutine_times", "a goroutine's block time by reason and time in runtime ranges", N(col_goroutine_times),
     col_goroutine_times},
    {"g_transitions", "one row per goroutine state transition", N(col_g_transitions), col_g_transitions},
    {"p_transitions", "one row per P state transition", N(col_p_transitions), col_p_transitions},
    {"m_transitions", "one row per thread acquiring or releasing a P, or entering or leaving a system call",
     N(col_m_transitions), col_m_transitions},
    {"stacks", "one row per distinct stack", N(col_stacks), col_stacks},
    {"frames", "one row per frame of each distinct stack", N(col_frames), col_frames},
    {"cpu_samples", "one row per CPU profile sample", N(col_cpu_samples), col_cpu_samples},
    {"tasks", "one row per user task (gotrace tasks)", N(col_tasks), col_tasks},
    {"regions", "one row per user region, with the goroutine's time breakdown inside it (gotrace regions)",
     N(col_regions), col_regions},
    {"region_times", "a region's block time by reason and time in runtime ranges", N(col_region_times),
     col_region_times},
    {"logs", "one row per user log message", N(col_logs), col_logs},
    {"ranges", "one row per runtime range: GC phases, stop-the-world, sweeping, mark assists", N(col_ranges),
     col_ranges},
    {"metrics", "one row per metric sample (heap live, heap goal, GOMAXPROCS, ...)", N(col_metrics), col_metrics},
    {"labels", "one row per label event (e.g. a goroutine doing GC work)", N(col_labels), col_labels},
};

#undef I
#undef D
#undef T
#undef B

const gt_rows_table *gt_rows_tables(uint32_t *n)
{
    if (n)
        *n = GT_ROWS_T_COUNT;
    return tables;
}

/* First commit: the schema; the row builder follows. */
struct gt_rows {
    gt_rows_sink sink;
    uint64_t counts[GT_ROWS_T_COUNT];
};

gt_rows *gt_rows_new(const gt_rows_sink *sink, const gt_rows_options *options)
{
    (void)options;
    gt_rows *r = calloc(1, sizeof *r);
    if (r)
        r->sink = *sink;
    return r;
}

int gt_rows_event(gt_rows *r, const gt_event *ev)
{
    (void)r;
    (void)ev;
    return 0;
}

int gt_rows_finish(gt_rows *r, const gt_error *err)
{
    (void)r;
    (void)err;
    return 0;
}

void gt_rows_free(gt_rows *r)
{
    free(r);
}

uint64_t gt_rows_count(const gt_rows *r, uint32_t t)
{
    return t < GT_ROWS_T_COUNT ? r->counts[t] : 0;
}
