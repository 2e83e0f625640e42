/* Unit tests of the validator (src/validate): each check of Go's testtrace
 * Validator, fed hand-made events, must produce Go's exact message.
 *
 * Events are built the way the reader builds them (wire type, wire
 * arguments without the timestamp, the generation's table), so the public
 * accessors the validator uses see what they would see from a real trace. */
#include <string.h>

#include "check.h"
#include "event/table.h"
#include "gotrace/validate.h"
#include "wire/spec.h"

static gt_table *table;

static gt_event mk(unsigned type, int64_t time, int64_t m, int64_t p, int64_t g)
{
    gt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time = time;
    ev.thread = m;
    ev.proc = p;
    ev.goroutine = g;
    ev.kind = gt_event_kind_of_type(type);
    ev.priv_type = (uint8_t)type;
    ev.priv_table = table;
    return ev;
}

/* GoStatus for goroutine id seen in state old (gt_go_state) with wire status. */
static gt_event go_status(int64_t time, int64_t m, int64_t id, int old, uint64_t wire_status)
{
    gt_event ev = mk(GT_EV_GO_STATUS, time, m, -1, -1);
    ev.priv_args[0] = (uint64_t)id;
    ev.priv_args[1] = (uint64_t)m;
    ev.priv_args[2] = ((uint64_t)old << 32) | wire_status;
    return ev;
}

static gt_event proc_status(int64_t time, int64_t m, int64_t id, int old, uint64_t wire_status)
{
    gt_event ev = mk(GT_EV_PROC_STATUS, time, m, -1, -1);
    ev.priv_args[0] = (uint64_t)id;
    ev.priv_args[1] = wire_status;
    ev.priv_args[2] = (uint64_t)old;
    return ev;
}

static gt_event sync_event(int64_t time, int64_t n)
{
    gt_event ev = mk(GT_EV_SYNTH_SYNC, time, -1, -1, -1);
    ev.priv_args[0] = (uint64_t)n;
    return ev;
}

/* Feeds ev; checks that the validator's verdict is want ("" = consistent). */
static void expect(gt_validator *v, const gt_event *ev, const char *name, const char *want)
{
    int rc = gt_validator_event(v, ev);
    const char *got = gt_validator_message(v);
    check((rc == 0) == (*want == 0) && !strcmp(got, want), name, "got rc=%d \"%s\", want \"%s\"", rc, got, want);
}

static void test_timestamps_and_syncs(void)
{
    gt_validator *v = gt_validator_new(22);
    gt_event a = sync_event(10, 1);
    expect(v, &a, "first_sync", "");
    gt_event b = sync_event(10, 2);
    int rc = gt_validator_event(v, &b);
    const char *msg = gt_validator_message(v);
    const char *prefix = "timestamp out-of-order (want > 10) for M=-1 P=-1 G=-1 Sync Time=10";
    check(rc == -1 && !strncmp(msg, prefix, strlen(prefix)), "timestamp_not_increasing", "got \"%s\"", msg);
    gt_event c = sync_event(11, 4);
    expect(v, &c, "sync_not_sequential", "sync count is not sequential: expected 3, got 4");
    gt_validator_free(v);

    /* Go 1.25 and later: snapshots required (but not on the synthetic last
     * Sync), non-zero and increasing. */
    v = gt_validator_new(25);
    gt_event s1 = sync_event(5, 1);
    expect(v, &s1, "sync_no_clock_snapshot", "sync 1 has no clock snapshot");
    table->has_clock_snapshot = 1;
    table->freq = 1.0;
    table->snap_time = 100;
    table->snap_mono = 7;
    table->snap_wall_sec = 1740755049;
    table->snap_wall_nsec = 123;
    gt_event s2 = sync_event(6, 2);
    expect(v, &s2, "sync_after_one_without_snapshot", "");
    gt_event s3 = sync_event(7, 3);
    expect(v, &s3, "sync_non_increasing_clocks",
           "sync 3 has non-increasing wall time: 2025-02-28 15:04:09.000000123 +0000 UTC vs "
           "2025-02-28 15:04:09.000000123 +0000 UTC\n"
           "sync 3 has non-increasing mono time: 7 vs 7\n"
           "sync 3 has non-increasing trace time: 100 vs 100");
    table->snap_mono = 0;
    table->snap_time = 0;
    table->snap_wall_sec = -62135596800LL;
    table->snap_wall_nsec = 0;
    gt_validator_skip_clock_checks(v);
    gt_event s4 = sync_event(8, 4);
    expect(v, &s4, "sync_zero_clocks", "sync 4 has zero wall time\nsync 4 has zero mono time\nsync 4 has zero trace time");
    table->has_clock_snapshot = 0;
    gt_event s5 = sync_event(9, 5);
    expect(v, &s5, "synthetic_last_sync_skipped", "");
    gt_validator_free(v);

    /* Before 1.25 snapshots are not checked at all. */
    v = gt_validator_new(23);
    expect(v, &s1, "sync_snapshot_not_required_before_125", "");
    gt_validator_free(v);
}

static void test_goroutines(void)
{
    gt_validator *v = gt_validator_new(22);
    gt_event e = go_status(1, 0, 1, GT_GO_UNDETERMINED, GT_WGO_RUNNING);
    expect(v, &e, "go_status_running", "");
    e = go_status(2, 0, 2, GT_GO_UNDETERMINED, GT_WGO_RUNNING);
    expect(v, &e, "two_goroutines_one_thread",
           "tried to run goroutine 2 when one was already executing (1) on thread 0");
    e = mk(GT_EV_GO_START, 3, 1, 0, -1);
    e.priv_args[0] = 5;
    expect(v, &e, "bad_old_state_unregistered", "bad old state for unregistered goroutine 5: Runnable");
    e = go_status(4, 3, 6, GT_GO_UNDETERMINED, GT_WGO_WAITING);
    expect(v, &e, "go_status_waiting", "");
    e = mk(GT_EV_GO_SYSCALL_END, 5, 3, 0, 6);
    expect(v, &e, "bad_old_state", "bad old state for goroutine 6: got Syscall, want Waiting");
    e = go_status(6, -1, 7, GT_GO_UNDETERMINED, GT_WGO_SYSCALL);
    expect(v, &e, "must_have_thread", "must have thread, but thread ID is none");
    e = mk(GT_EV_GO_SYSCALL_END_BLOCKED, 7, 4, -1, 7);
    expect(v, &e, "stop_unbound", "stopping goroutine 7 not bound to any active context");
    e = go_status(8, 0, 8, GT_GO_UNDETERMINED, GT_WGO_BAD);
    expect(v, &e, "transition_to_undetermined", "transition to undetermined state for goroutine 8");
    gt_event s = sync_event(9, 1);
    expect(v, &s, "sync_1", "");
    s = sync_event(10, 2);
    expect(v, &s, "sync_2", "");
    e = go_status(11, 5, 9, GT_GO_UNDETERMINED, GT_WGO_WAITING);
    expect(v, &e, "undetermined_after_sync", "undetermined goroutine 9 after first global sync");
    gt_validator_free(v);

    /* Traces older than Go 1.22 may lack the thread of a goroutine first
     * seen in a syscall. */
    v = gt_validator_new(21);
    e = go_status(1, -1, 3, GT_GO_UNDETERMINED, GT_WGO_SYSCALL);
    expect(v, &e, "old_trace_lenient_syscall", "");
    gt_validator_free(v);
}

static void test_procs(void)
{
    gt_validator *v = gt_validator_new(22);
    gt_event e = proc_status(1, 0, 0, GT_PROC_UNDETERMINED, GT_WPROC_RUNNING);
    expect(v, &e, "proc_status_running", "");
    e = proc_status(2, 0, 1, GT_PROC_UNDETERMINED, GT_WPROC_RUNNING);
    expect(v, &e, "two_procs_one_thread", "tried to run proc 1 when one was already executing (0) on thread 0");
    /* Thread 0 now runs proc 1, so stopping proc 0 (bound to thread 0 too)
     * is from the wrong context. */
    e = mk(GT_EV_PROC_STOP, 3, 0, 0, -1);
    expect(v, &e, "stop_proc_not_running",
           "tried to stop proc 0 when it wasn't currently executing (currently executing 1) on thread 0");
    e = mk(GT_EV_PROC_START, 4, 1, -1, -1);
    e.priv_args[0] = 2;
    expect(v, &e, "proc_start_unregistered", "bad old state for unregistered proc 2: Idle");
    gt_validator_free(v);
}

static void test_ranges_tasks_labels(void)
{
    gt_validator *v = gt_validator_new(22);
    gt_event e = mk(GT_EV_GC_BEGIN, 1, 0, 0, 1);
    expect(v, &e, "gc_begin", "");
    e.time = 2;
    expect(v, &e, "range_begun_twice", "already active range \"GC concurrent mark phase\" on None begun again");
    e = mk(GT_EV_GC_SWEEP_END, 3, 0, 4, 1);
    expect(v, &e, "range_inactive_end", "inactive range \"GC incremental sweep\" on Proc(4) ended");

    e = go_status(4, 0, 1, GT_GO_UNDETERMINED, GT_WGO_RUNNING);
    expect(v, &e, "assist_goroutine", "");
    e = mk(GT_EV_GC_MARK_ASSIST_BEGIN, 5, 0, -1, 1);
    expect(v, &e, "assist_begin", "");
    e = mk(GT_EV_GO_DESTROY, 6, 0, -1, 1);
    expect(v, &e, "died_with_ranges", "goroutine 1 died with active ranges");

    uint64_t type_id = 1;
    gt_table_add_string(table, type_id, "work", 4);
    e = mk(GT_EV_USER_TASK_BEGIN, 7, 0, -1, 2);
    e.priv_args[0] = 0;
    e.priv_args[1] = 0;
    e.priv_args[2] = type_id;
    expect(v, &e, "task_invalid_ids",
           "found invalid task ID for task of type work\nfound background task as the parent for task of type work");
    e.time = 8;
    e.priv_args[0] = 9;
    e.priv_args[1] = GT_NO_TASK;
    expect(v, &e, "task_begin", "");
    gt_event end = mk(GT_EV_USER_TASK_END, 9, 0, -1, 2);
    end.priv_args[0] = 9;
    end.priv_args[2] = GT_NO_TASK;
    end.priv_args[3] = gt_table_add_extra(table, "play", 4);
    expect(v, &end, "task_end_type_mismatch", "task end type \"play\" doesn't match task start type \"work\" for task 9");
    end.time = 10;
    expect(v, &end, "task_end_after_end_ignored", "");

    gt_event l = mk(GT_EV_GO_LABEL, 11, 0, -1, 77);
    l.priv_args[0] = 0;
    expect(v, &l, "label_checks", "invalid label \"\"\nlabel for invalid goroutine 77");
    gt_validator_free(v);
}

static void test_stacks(void)
{
    gt_validator *v = gt_validator_new(22);
    uint64_t pcs[2] = {0x10, 0x20};
    gt_table_add_stack(table, 5, pcs, 2);
    gt_table_add_string(table, 10, "main.f", 6);
    gt_table_add_string(table, 11, "f.go", 4);
    gt_frame_rec f = {0x10, 10, 11, 3};
    gt_table_add_frame(table, &f);
    gt_event e = go_status(1, 0, 1, GT_GO_UNDETERMINED, GT_WGO_RUNNING);
    expect(v, &e, "stack_goroutine", "");
    /* GoStop: the event's stack is also the transition's stack, so Go
     * reports the incomplete second frame twice. */
    e = mk(GT_EV_GO_STOP, 2, 0, -1, 1);
    const gt_spec *spec = gt_spec_any(GT_EV_GO_STOP);
    e.priv_args[spec->stack_ids[0] - 1] = 5;
    expect(v, &e, "stack_frame_missing_info",
           "invalid stack frame trace.StackFrame{PC:0x20, Func:\"\", File:\"\", Line:0x0}: missing information\n"
           "invalid stack frame trace.StackFrame{PC:0x20, Func:\"\", File:\"\", Line:0x0}: missing information");
    gt_validator_free(v);
}

int main(void)
{
    table = gt_table_new();
    if (!check(table != NULL, "table", "no memory"))
        return check_done();
    test_timestamps_and_syncs();
    test_goroutines();
    test_procs();
    test_ranges_tasks_labels();
    test_stacks();
    gt_table_free(table);
    return check_done();
}
