/* Old event descriptions (tracev1.EventDescriptions, as of Go 1.27) and the
 * old Event.String(), which Go quotes into some of its error messages. */
#include <inttypes.h>
#include <stdio.h>

#include "v1/internal.h"

#define NARGS(...) (sizeof((const char *[]){NULL, __VA_ARGS__}) / sizeof(const char *) - 1)
#define FIELDS(s, nargs) (((1u << (nargs)) - 1) | ((s) ? V1_FIELD_STK : 0) | V1_FIELD_G)
/* X(fields): fields as for the others, then adjusted by X. */
#define DX(x, n, v, s, ...) {n, v, s, NARGS(__VA_ARGS__), {__VA_ARGS__}, x(FIELDS(s, NARGS(__VA_ARGS__)))}
#define SAME(f) (f)
#define G_IS_A0(f) ((f) & ~V1_FIELD_G)
#define INLINE_A3(f) ((f) | V1_FIELD_A3)
#define D(n, v, s, ...) DX(SAME, n, v, s, __VA_ARGS__)
#define D0(n, v, s) {n, v, s, 0, {NULL}, FIELDS(s, 0)}

/* min_version is the first trace version that has the event: every version
 * we read (11, 19, 21) has all of them but CPUSample (19). */
const v1_desc gt_v1_descs[V1_EV_COUNT] = {
    [V1_EV_NONE] = D0("None", 5, 0),
    [V1_EV_BATCH] = D("Batch", 5, 0, "p", "ticks"),
    [V1_EV_FREQUENCY] = D("Frequency", 5, 0, "freq"),
    [V1_EV_STACK] = D("Stack", 5, 0, "id", "siz"),
    [V1_EV_GOMAXPROCS] = D("Gomaxprocs", 5, 1, "procs"),
    [V1_EV_PROC_START] = D("ProcStart", 5, 0, "thread"),
    [V1_EV_PROC_STOP] = D0("ProcStop", 5, 0),
    [V1_EV_GC_START] = D("GCStart", 5, 1, "seq"),
    [V1_EV_GC_DONE] = D0("GCDone", 5, 0),
    [V1_EV_STW_START] = D("GCSTWStart", 5, 0, "kindid"),
    [V1_EV_STW_DONE] = D0("GCSTWDone", 5, 0),
    [V1_EV_GC_SWEEP_START] = D0("GCSweepStart", 5, 1),
    [V1_EV_GC_SWEEP_DONE] = D("GCSweepDone", 5, 0, "swept", "reclaimed"),
    [V1_EV_GO_CREATE] = D("GoCreate", 5, 1, "g", "stack"),
    [V1_EV_GO_START] = DX(G_IS_A0, "GoStart", 5, 0, "g", "seq"),
    [V1_EV_GO_END] = D0("GoEnd", 5, 0),
    [V1_EV_GO_STOP] = D0("GoStop", 5, 1),
    [V1_EV_GO_SCHED] = D0("GoSched", 5, 1),
    [V1_EV_GO_PREEMPT] = D0("GoPreempt", 5, 1),
    [V1_EV_GO_SLEEP] = D0("GoSleep", 5, 1),
    [V1_EV_GO_BLOCK] = D0("GoBlock", 5, 1),
    [V1_EV_GO_UNBLOCK] = D("GoUnblock", 5, 1, "g", "seq"),
    [V1_EV_GO_BLOCK_SEND] = D0("GoBlockSend", 5, 1),
    [V1_EV_GO_BLOCK_RECV] = D0("GoBlockRecv", 5, 1),
    [V1_EV_GO_BLOCK_SELECT] = D0("GoBlockSelect", 5, 1),
    [V1_EV_GO_BLOCK_SYNC] = D0("GoBlockSync", 5, 1),
    [V1_EV_GO_BLOCK_COND] = D0("GoBlockCond", 5, 1),
    [V1_EV_GO_BLOCK_NET] = D0("GoBlockNet", 5, 1),
    [V1_EV_GO_SYSCALL] = D0("GoSysCall", 5, 1),
    [V1_EV_GO_SYSEXIT] = D("GoSysExit", 5, 0, "g", "seq", "ts"),
    [V1_EV_GO_SYSBLOCK] = D0("GoSysBlock", 5, 0),
    [V1_EV_GO_WAITING] = D("GoWaiting", 5, 0, "g"),
    [V1_EV_GO_IN_SYSCALL] = D("GoInSyscall", 5, 0, "g"),
    [V1_EV_HEAP_ALLOC] = D("HeapAlloc", 5, 0, "mem"),
    [V1_EV_HEAP_GOAL] = D("HeapGoal", 5, 0, "mem"),
    [V1_EV_TIMER_GOROUTINE] = D("TimerGoroutine", 5, 0, "g"),
    [V1_EV_FUTILE_WAKEUP] = D0("FutileWakeup", 5, 0),
    [V1_EV_STRING] = D0("String", 7, 0),
    [V1_EV_GO_START_LOCAL] = DX(G_IS_A0, "GoStartLocal", 7, 0, "g"),
    [V1_EV_GO_UNBLOCK_LOCAL] = D("GoUnblockLocal", 7, 1, "g"),
    [V1_EV_GO_SYSEXIT_LOCAL] = D("GoSysExitLocal", 7, 0, "g", "ts"),
    [V1_EV_GO_START_LABEL] = DX(G_IS_A0, "GoStartLabel", 8, 0, "g", "seq", "labelid"),
    [V1_EV_GO_BLOCK_GC] = D0("GoBlockGC", 8, 1),
    [V1_EV_GC_MARK_ASSIST_START] = D0("GCMarkAssistStart", 9, 1),
    [V1_EV_GC_MARK_ASSIST_DONE] = D0("GCMarkAssistDone", 9, 0),
    [V1_EV_USER_TASK_CREATE] = D("UserTaskCreate", 11, 1, "taskid", "pid", "typeid"),
    [V1_EV_USER_TASK_END] = D("UserTaskEnd", 11, 1, "taskid"),
    [V1_EV_USER_REGION] = D("UserRegion", 11, 1, "taskid", "mode", "typeid"),
    [V1_EV_USER_LOG] = DX(INLINE_A3, "UserLog", 11, 1, "id", "keyid"),
    [V1_EV_CPU_SAMPLE] = D("CPUSample", 19, 1, "ts", "p", "g"),
};

size_t gt_v1_event_string(const v1_trace *t, const v1_event *ev, char *buf, size_t cap)
{
    const v1_desc *d = &gt_v1_descs[ev->type < V1_EV_COUNT ? ev->type : 0];
    int n = snprintf(buf, cap, "%" PRId64 " %s p=%" PRId32 " g=%" PRIu64 " stk=%" PRIu32, ev->ts, d->name, ev->p,
                     ev->g, ev->stk);
    size_t len = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < d->nargs; i++) {
        n = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, " %s=%" PRIu64, d->args[i],
                     v1_arg(t, ev, i));
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}
