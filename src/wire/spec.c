/* Event specification data: a transcription of Go 1.27's
 * internal/trace/tracev2 spec table. Arguments of timed events start with
 * "dt", the timestamp delta. */
#include "wire/spec.h"

#include <stddef.h>

#define A(...) .nargs = sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), .args = {__VA_ARGS__}
#define STR1(a) .nstring_ids = 1, .string_ids = {a}
#define STR2(a, b) .nstring_ids = 2, .string_ids = {a, b}
#define STK1(a) .nstack_ids = 1, .stack_ids = {a}
#define STK2(a, b) .nstack_ids = 2, .stack_ids = {a, b}
#define TIMED .is_timed = 1
#define EXP(e) .experiment = e

static const gt_spec specs[256] = {
    [GT_EV_EVENT_BATCH] = {"EventBatch", A("gen", "m", "time", "size")},
    [GT_EV_STACKS] = {"Stacks"},
    [GT_EV_STACK] = {"Stack", A("id", "nframes"), .is_stack = 1},
    [GT_EV_STRINGS] = {"Strings"},
    [GT_EV_STRING] = {"String", A("id"), .has_data = 1},
    [GT_EV_CPU_SAMPLES] = {"CPUSamples"},
    [GT_EV_CPU_SAMPLE] = {"CPUSample", A("time", "m", "p", "g", "stack"), STK1(4)},
    [GT_EV_FREQUENCY] = {"Frequency", A("freq")},
    [GT_EV_EXPERIMENTAL_BATCH] = {"ExperimentalBatch", A("exp", "gen", "m", "time"), .has_data = 1},
    [GT_EV_SYNC] = {"Sync"},
    [GT_EV_END_OF_GENERATION] = {"EndOfGeneration"},

    [GT_EV_PROCS_CHANGE] = {"ProcsChange", A("dt", "procs_value", "stack"), TIMED, STK1(2)},
    [GT_EV_PROC_START] = {"ProcStart", A("dt", "p", "p_seq"), TIMED},
    [GT_EV_PROC_STOP] = {"ProcStop", A("dt"), TIMED},
    [GT_EV_PROC_STEAL] = {"ProcSteal", A("dt", "p", "p_seq", "m"), TIMED},
    [GT_EV_PROC_STATUS] = {"ProcStatus", A("dt", "p", "pstatus"), TIMED},
    [GT_EV_GO_CREATE] = {"GoCreate", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2)},
    [GT_EV_GO_CREATE_SYSCALL] = {"GoCreateSyscall", A("dt", "new_g"), TIMED},
    [GT_EV_GO_START] = {"GoStart", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_DESTROY] = {"GoDestroy", A("dt"), TIMED},
    [GT_EV_GO_DESTROY_SYSCALL] = {"GoDestroySyscall", A("dt"), TIMED},
    [GT_EV_GO_STOP] = {"GoStop", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_GO_BLOCK] = {"GoBlock", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_GO_UNBLOCK] = {"GoUnblock", A("dt", "g", "g_seq", "stack"), TIMED, STK1(3)},
    [GT_EV_GO_SYSCALL_BEGIN] = {"GoSyscallBegin", A("dt", "p_seq", "stack"), TIMED, STK1(2)},
    [GT_EV_GO_SYSCALL_END] = {"GoSyscallEnd", A("dt"), TIMED, .start_ev = GT_EV_GO_SYSCALL_BEGIN},
    [GT_EV_GO_SYSCALL_END_BLOCKED] = {"GoSyscallEndBlocked", A("dt"), TIMED, .start_ev = GT_EV_GO_SYSCALL_BEGIN},
    [GT_EV_GO_STATUS] = {"GoStatus", A("dt", "g", "m", "gstatus"), TIMED},
    [GT_EV_STW_BEGIN] = {"STWBegin", A("dt", "kind_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_STW_END] = {"STWEnd", A("dt"), TIMED, .start_ev = GT_EV_STW_BEGIN},
    [GT_EV_GC_ACTIVE] = {"GCActive", A("dt", "gc_seq"), TIMED, .start_ev = GT_EV_GC_BEGIN},
    [GT_EV_GC_BEGIN] = {"GCBegin", A("dt", "gc_seq", "stack"), TIMED, STK1(2)},
    [GT_EV_GC_END] = {"GCEnd", A("dt", "gc_seq"), TIMED, .start_ev = GT_EV_GC_BEGIN},
    [GT_EV_GC_SWEEP_ACTIVE] = {"GCSweepActive", A("dt", "p"), TIMED, .start_ev = GT_EV_GC_SWEEP_BEGIN},
    [GT_EV_GC_SWEEP_BEGIN] = {"GCSweepBegin", A("dt", "stack"), TIMED, STK1(1)},
    [GT_EV_GC_SWEEP_END] = {"GCSweepEnd", A("dt", "swept_value", "reclaimed_value"), TIMED, .start_ev = GT_EV_GC_SWEEP_BEGIN},
    [GT_EV_GC_MARK_ASSIST_ACTIVE] = {"GCMarkAssistActive", A("dt", "g"), TIMED, .start_ev = GT_EV_GC_MARK_ASSIST_BEGIN},
    [GT_EV_GC_MARK_ASSIST_BEGIN] = {"GCMarkAssistBegin", A("dt", "stack"), TIMED, STK1(1)},
    [GT_EV_GC_MARK_ASSIST_END] = {"GCMarkAssistEnd", A("dt"), TIMED, .start_ev = GT_EV_GC_MARK_ASSIST_BEGIN},
    [GT_EV_HEAP_ALLOC] = {"HeapAlloc", A("dt", "heapalloc_value"), TIMED},
    [GT_EV_HEAP_GOAL] = {"HeapGoal", A("dt", "heapgoal_value"), TIMED},
    [GT_EV_GO_LABEL] = {"GoLabel", A("dt", "label_string"), TIMED, STR1(1)},
    [GT_EV_USER_TASK_BEGIN] = {"UserTaskBegin", A("dt", "task", "parent_task", "name_string", "stack"), TIMED, STK1(4), STR1(3)},
    [GT_EV_USER_TASK_END] = {"UserTaskEnd", A("dt", "task", "stack"), TIMED, STK1(2)},
    [GT_EV_USER_REGION_BEGIN] = {"UserRegionBegin", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2)},
    [GT_EV_USER_REGION_END] = {"UserRegionEnd", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2), .start_ev = GT_EV_USER_REGION_BEGIN},
    [GT_EV_USER_LOG] = {"UserLog", A("dt", "task", "key_string", "value_string", "stack"), TIMED, STK1(4), STR2(2, 3)},
    [GT_EV_GO_SWITCH] = {"GoSwitch", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_SWITCH_DESTROY] = {"GoSwitchDestroy", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_CREATE_BLOCKED] = {"GoCreateBlocked", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2)},
    [GT_EV_GO_STATUS_STACK] = {"GoStatusStack", A("dt", "g", "m", "gstatus", "stack"), TIMED, STK1(4)},
    [GT_EV_CLOCK_SNAPSHOT] = {"ClockSnapshot", A("dt", "mono", "sec", "nsec"), TIMED},

    [GT_EV_SPAN] = {"Span", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_SPAN_ALLOC] = {"SpanAlloc", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_SPAN_FREE] = {"SpanFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT] = {"HeapObject", A("dt", "id", "type"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT_ALLOC] = {"HeapObjectAlloc", A("dt", "id", "type"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT_FREE] = {"HeapObjectFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK] = {"GoroutineStack", A("dt", "id", "order"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK_ALLOC] = {"GoroutineStackAlloc", A("dt", "id", "order"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK_FREE] = {"GoroutineStackFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},

    [GT_EV_SYNTH_SYNC] = {"Sync"},
};

int gt_version_valid(int v)
{
    switch (v) {
    case GT_GO111: case GT_GO119: case GT_GO121:
    case GT_GO122: case GT_GO123: case GT_GO125: case GT_GO126:
        return 1;
    }
    return 0;
}

int gt_version_is_v2(int v)
{
    return v == GT_GO122 || v == GT_GO123 || v == GT_GO125 || v == GT_GO126;
}

unsigned gt_spec_count(int v)
{
    switch (v) {
    case GT_GO122: return GT_EV_USER_LOG + 1;
    case GT_GO123: return GT_EV_EXPERIMENTAL_BATCH + 1;
    case GT_GO125: return GT_EV_CLOCK_SNAPSHOT + 1;
    case GT_GO126: return GT_EV_END_OF_GENERATION + 1;
    }
    return 0;
}

const gt_spec *gt_spec_get(int v, unsigned t)
{
    if (t == 0 || t >= GT_EV_MAX_EXPERIMENTAL)
        return NULL;
    if (t < GT_EV_NUM)
        return t < gt_spec_count(v) ? &specs[t] : NULL;
    if (t > GT_EV_MAX_EVENT && v >= GT_GO123 && gt_version_is_v2(v))
        return &specs[t];
    return NULL;
}

const gt_spec *gt_spec_any(unsigned t)
{
    if (t == 0 || t >= GT_EV_MAX_EXPERIMENTAL || !specs[t].name)
        return NULL;
    return &specs[t];
}

int gt_spec_raw_known(int v, unsigned t)
{
    if (t == 0 || t >= GT_EV_MAX_EXPERIMENTAL)
        return 0;
    if (t < GT_EV_NUM)
        return t < gt_spec_count(v);
    return t > GT_EV_MAX_EVENT && v == GT_GO126;
}

const char *gt_spec_name(unsigned t)
{
    return t < 256 ? specs[t].name : NULL;
}

const char *gt_experiment_name(unsigned e)
{
    static const char *const names[] = {"None", "AllocFree"};
    return e < GT_EXP_NUM ? names[e] : NULL;
}
