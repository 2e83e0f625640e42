/* Event specifications of the v2 wire formats (Go 1.22, 1.23, 1.25, 1.26),
 * kept as data in one place. Index = wire event type byte.
 *
 * A version's table is a prefix of the full table: 1.22 ends at UserLog,
 * 1.23 at ExperimentalBatch, 1.25 at ClockSnapshot, 1.26 has everything.
 * Experimental types (128..136) exist in every version that has
 * ExperimentalBatch for the reader; Go's raw (wire) reader only knows them
 * for 1.26 (see gt_spec_raw_count).
 */
#ifndef GT_WIRE_SPEC_H
#define GT_WIRE_SPEC_H

#include <stdint.h>

enum gt_ev {
    GT_EV_NONE = 0,
    GT_EV_EVENT_BATCH, GT_EV_STACKS, GT_EV_STACK, GT_EV_STRINGS, GT_EV_STRING,
    GT_EV_CPU_SAMPLES, GT_EV_CPU_SAMPLE, GT_EV_FREQUENCY,
    GT_EV_PROCS_CHANGE, GT_EV_PROC_START, GT_EV_PROC_STOP, GT_EV_PROC_STEAL, GT_EV_PROC_STATUS,
    GT_EV_GO_CREATE, GT_EV_GO_CREATE_SYSCALL, GT_EV_GO_START, GT_EV_GO_DESTROY,
    GT_EV_GO_DESTROY_SYSCALL, GT_EV_GO_STOP, GT_EV_GO_BLOCK, GT_EV_GO_UNBLOCK,
    GT_EV_GO_SYSCALL_BEGIN, GT_EV_GO_SYSCALL_END, GT_EV_GO_SYSCALL_END_BLOCKED, GT_EV_GO_STATUS,
    GT_EV_STW_BEGIN, GT_EV_STW_END,
    GT_EV_GC_ACTIVE, GT_EV_GC_BEGIN, GT_EV_GC_END, GT_EV_GC_SWEEP_ACTIVE, GT_EV_GC_SWEEP_BEGIN,
    GT_EV_GC_SWEEP_END, GT_EV_GC_MARK_ASSIST_ACTIVE, GT_EV_GC_MARK_ASSIST_BEGIN,
    GT_EV_GC_MARK_ASSIST_END, GT_EV_HEAP_ALLOC, GT_EV_HEAP_GOAL,
    GT_EV_GO_LABEL, GT_EV_USER_TASK_BEGIN, GT_EV_USER_TASK_END, GT_EV_USER_REGION_BEGIN,
    GT_EV_USER_REGION_END, GT_EV_USER_LOG,
    GT_EV_GO_SWITCH, GT_EV_GO_SWITCH_DESTROY, GT_EV_GO_CREATE_BLOCKED,  /* 1.23 */
    GT_EV_GO_STATUS_STACK,                                             /* 1.23 */
    GT_EV_EXPERIMENTAL_BATCH,                                          /* 1.23 */
    GT_EV_SYNC, GT_EV_CLOCK_SNAPSHOT,                                  /* 1.25 */
    GT_EV_END_OF_GENERATION,                                           /* 1.26 */
    GT_EV_NUM,

    GT_EV_MAX_EVENT = 127,
    GT_EV_SPAN = 128, GT_EV_SPAN_ALLOC, GT_EV_SPAN_FREE,
    GT_EV_HEAP_OBJECT, GT_EV_HEAP_OBJECT_ALLOC, GT_EV_HEAP_OBJECT_FREE,
    GT_EV_GOROUTINE_STACK, GT_EV_GOROUTINE_STACK_ALLOC, GT_EV_GOROUTINE_STACK_FREE,
    GT_EV_MAX_EXPERIMENTAL,

    /* Not a wire type: the reader's synthetic Sync event. */
    GT_EV_SYNTH_SYNC = 255
};

enum gt_experiment { GT_EXP_NONE = 0, GT_EXP_ALLOC_FREE = 1, GT_EXP_NUM };

/* Go's tracev2.GoStatus and tracev2.ProcStatus (wire values). */
enum gt_wire_go_status { GT_WGO_BAD = 0, GT_WGO_RUNNABLE, GT_WGO_RUNNING, GT_WGO_SYSCALL, GT_WGO_WAITING };
enum gt_wire_proc_status {
    GT_WPROC_BAD = 0, GT_WPROC_RUNNING, GT_WPROC_IDLE, GT_WPROC_SYSCALL, GT_WPROC_SYSCALL_ABANDONED
};

enum {
    GT_MAX_BATCH_SIZE = 64 << 10,
    GT_MAX_FRAMES_PER_STACK = 128,
    GT_MAX_TRAILER_DATA = 1 << 10,
    GT_MAX_TIMED_ARGS = 5,   /* including the timestamp delta */
    GT_MAX_SPEC_ARGS = 5
};

typedef struct gt_spec {
    const char *name;         /* NULL: no such event */
    uint8_t nargs;
    const char *args[GT_MAX_SPEC_ARGS];
    uint8_t nstring_ids;
    uint8_t string_ids[2];    /* argument indices that are string IDs */
    uint8_t nstack_ids;
    uint8_t stack_ids[2];     /* argument indices that are stack IDs; first = the event's own */
    uint8_t start_ev;         /* for range ends: the begin event */
    uint8_t is_timed;
    uint8_t has_data;         /* trailing varint length + bytes */
    uint8_t is_stack;         /* trailing frames: args[1] groups of 4 varints */
    uint8_t experiment;       /* enum gt_experiment */
} gt_spec;

/* Versions. */
enum { GT_GO111 = 11, GT_GO119 = 19, GT_GO121 = 21, GT_GO122 = 22, GT_GO123 = 23, GT_GO125 = 25, GT_GO126 = 26 };

/* 1 for any version Go knows (old or new), else 0. */
int gt_version_valid(int v);
/* 1 for the v2 versions 22, 23, 25, 26. */
int gt_version_is_v2(int v);

/* The spec of event type t in version v, or NULL when t is not an event of v
 * for the reader. Experimental types are known to every v2 version >= 1.23. */
const gt_spec *gt_spec_get(int v, unsigned t);

/* The spec of type t in the full table, whatever the version: Go's ordering
 * reader (batchcursor) looks timed events up here, not per version. */
const gt_spec *gt_spec_any(unsigned t);

/* Number of leading (non-experimental) types of version v: types 1..n-1. */
unsigned gt_spec_count(int v);

/* Whether Go's raw wire reader (go tool trace -d=wire) knows type t in v: it
 * only knows experimental types for 1.26. */
int gt_spec_raw_known(int v, unsigned t);

/* Name of event type t in v as Go's Version.EventName prints it. */
const char *gt_spec_name(unsigned t);

/* Experiment names: "None", "AllocFree". NULL when out of range. */
const char *gt_experiment_name(unsigned e);

#endif
