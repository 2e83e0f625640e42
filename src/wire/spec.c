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
    [GT_EV_EVENT_BATCH] = {.name = "EventBatch", A("gen", "m", "time", "size")},
    [GT_EV_STACKS] = {.name = "Stacks"},
    [GT_EV_STACK] = {.name = "Stack", A("id", "nframes"), .is_stack = 1},
    [GT_EV_STRINGS] = {.name = "Strings"},
    [GT_EV_STRING] = {.name = "String", A("id"), .has_data = 1},
    [GT_EV_CPU_SAMPLES] = {.name = "CPUSamples"},
    [GT_EV_CPU_SAMPLE] = {.name = "CPUSample", A("time", "m", "p", "g", "stack"), STK1(4)},
    [GT_EV_FREQUENCY] = {.name = "Frequency", A("freq")},
    [GT_EV_EXPERIMENTAL_BATCH] = {.name = "ExperimentalBatch", A("exp", "gen", "m", "time"), .has_data = 1},
    [GT_EV_SYNC] = {.name = "Sync"},
    [GT_EV_END_OF_GENERATION] = {.name = "EndOfGeneration"},

    [GT_EV_PROCS_CHANGE] = {.name = "ProcsChange", A("dt", "procs_value", "stack"), TIMED, STK1(2)},
    [GT_EV_PROC_START] = {.name = "ProcStart", A("dt", "p", "p_seq"), TIMED},
    [GT_EV_PROC_STOP] = {.name = "ProcStop", A("dt"), TIMED},
    [GT_EV_PROC_STEAL] = {.name = "ProcSteal", A("dt", "p", "p_seq", "m"), TIMED},
    [GT_EV_PROC_STATUS] = {.name = "ProcStatus", A("dt", "p", "pstatus"), TIMED},
    [GT_EV_GO_CREATE] = {.name = "GoCreate", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2)},
    [GT_EV_GO_CREATE_SYSCALL] = {.name = "GoCreateSyscall", A("dt", "new_g"), TIMED},
    [GT_EV_GO_START] = {.name = "GoStart", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_DESTROY] = {.name = "GoDestroy", A("dt"), TIMED},
    [GT_EV_GO_DESTROY_SYSCALL] = {.name = "GoDestroySyscall", A("dt"), TIMED},
    [GT_EV_GO_STOP] = {.name = "GoStop", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_GO_BLOCK] = {.name = "GoBlock", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_GO_UNBLOCK] = {.name = "GoUnblock", A("dt", "g", "g_seq", "stack"), TIMED, STK1(3)},
    [GT_EV_GO_SYSCALL_BEGIN] = {.name = "GoSyscallBegin", A("dt", "p_seq", "stack"), TIMED, STK1(2)},
    [GT_EV_GO_SYSCALL_END] = {.name = "GoSyscallEnd", A("dt"), TIMED, .start_ev = GT_EV_GO_SYSCALL_BEGIN},
    [GT_EV_GO_SYSCALL_END_BLOCKED] = {.name = "GoSyscallEndBlocked", A("dt"), TIMED, .start_ev = GT_EV_GO_SYSCALL_BEGIN},
    [GT_EV_GO_STATUS] = {.name = "GoStatus", A("dt", "g", "m", "gstatus"), TIMED},
    [GT_EV_STW_BEGIN] = {.name = "STWBegin", A("dt", "kind_string", "stack"), TIMED, STK1(2), STR1(1)},
    [GT_EV_STW_END] = {.name = "STWEnd", A("dt"), TIMED, .start_ev = GT_EV_STW_BEGIN},
    [GT_EV_GC_ACTIVE] = {.name = "GCActive", A("dt", "gc_seq"), TIMED, .start_ev = GT_EV_GC_BEGIN},
    [GT_EV_GC_BEGIN] = {.name = "GCBegin", A("dt", "gc_seq", "stack"), TIMED, STK1(2)},
    [GT_EV_GC_END] = {.name = "GCEnd", A("dt", "gc_seq"), TIMED, .start_ev = GT_EV_GC_BEGIN},
    [GT_EV_GC_SWEEP_ACTIVE] = {.name = "GCSweepActive", A("dt", "p"), TIMED, .start_ev = GT_EV_GC_SWEEP_BEGIN},
    [GT_EV_GC_SWEEP_BEGIN] = {.name = "GCSweepBegin", A("dt", "stack"), TIMED, STK1(1)},
    [GT_EV_GC_SWEEP_END] = {.name = "GCSweepEnd", A("dt", "swept_value", "reclaimed_value"), TIMED, .start_ev = GT_EV_GC_SWEEP_BEGIN},
    [GT_EV_GC_MARK_ASSIST_ACTIVE] = {.name = "GCMarkAssistActive", A("dt", "g"), TIMED, .start_ev = GT_EV_GC_MARK_ASSIST_BEGIN},
    [GT_EV_GC_MARK_ASSIST_BEGIN] = {.name = "GCMarkAssistBegin", A("dt", "stack"), TIMED, STK1(1)},
    [GT_EV_GC_MARK_ASSIST_END] = {.name = "GCMarkAssistEnd", A("dt"), TIMED, .start_ev = GT_EV_GC_MARK_ASSIST_BEGIN},
    [GT_EV_HEAP_ALLOC] = {.name = "HeapAlloc", A("dt", "heapalloc_value"), TIMED},
    [GT_EV_HEAP_GOAL] = {.name = "HeapGoal", A("dt", "heapgoal_value"), TIMED},
    [GT_EV_GO_LABEL] = {.name = "GoLabel", A("dt", "label_string"), TIMED, STR1(1)},
    [GT_EV_USER_TASK_BEGIN] = {.name = "UserTaskBegin", A("dt", "task", "parent_task", "name_string", "stack"), TIMED, STK1(4), STR1(3)},
    [GT_EV_USER_TASK_END] = {.name = "UserTaskEnd", A("dt", "task", "stack"), TIMED, STK1(2)},
    [GT_EV_USER_REGION_BEGIN] = {.name = "UserRegionBegin", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2)},
    [GT_EV_USER_REGION_END] = {.name = "UserRegionEnd", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2), .start_ev = GT_EV_USER_REGION_BEGIN},
    [GT_EV_USER_LOG] = {.name = "UserLog", A("dt", "task", "key_string", "value_string", "stack"), TIMED, STK1(4), STR2(2, 3)},
    [GT_EV_GO_SWITCH] = {.name = "GoSwitch", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_SWITCH_DESTROY] = {.name = "GoSwitchDestroy", A("dt", "g", "g_seq"), TIMED},
    [GT_EV_GO_CREATE_BLOCKED] = {.name = "GoCreateBlocked", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2)},
    [GT_EV_GO_STATUS_STACK] = {.name = "GoStatusStack", A("dt", "g", "m", "gstatus", "stack"), TIMED, STK1(4)},
    [GT_EV_CLOCK_SNAPSHOT] = {.name = "ClockSnapshot", A("dt", "mono", "sec", "nsec"), TIMED},

    [GT_EV_SPAN] = {.name = "Span", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_SPAN_ALLOC] = {.name = "SpanAlloc", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_SPAN_FREE] = {.name = "SpanFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT] = {.name = "HeapObject", A("dt", "id", "type"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT_ALLOC] = {.name = "HeapObjectAlloc", A("dt", "id", "type"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_HEAP_OBJECT_FREE] = {.name = "HeapObjectFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK] = {.name = "GoroutineStack", A("dt", "id", "order"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK_ALLOC] = {.name = "GoroutineStackAlloc", A("dt", "id", "order"), TIMED, EXP(GT_EXP_ALLOC_FREE)},
    [GT_EV_GOROUTINE_STACK_FREE] = {.name = "GoroutineStackFree", A("dt", "id"), TIMED, EXP(GT_EXP_ALLOC_FREE)},

    [GT_EV_SYNTH_SYNC] = {.name = "Sync"},
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
