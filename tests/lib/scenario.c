/* Scenario generators (see scenario.h). Timestamps come from the builder's
 * testgen rule (+1 per timed event), so order between batches of one
 * generation follows the order in which events are added here, except where
 * a scenario disables timestamps to make sequence numbers decide. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"
#include "gotrace/validate.h"

#define P(id) GT_ARG("p", id)
#define G(id) GT_ARG("g", id)
#define M(id) GT_ARG("m", id)
#define PSEQ(n) GT_ARG("p_seq", n)
#define GSEQ(n) GT_ARG("g_seq", n)
#define NOSTACK GT_ARG("stack", 0)

static void proc_status(gt_builder_batch *bt, int p, int status)
{
    GT_EVENT(bt, "ProcStatus", P(p), GT_ARG("pstatus", status));
}

static void go_status(gt_builder_batch *bt, int g, uint64_t m, int status)
{
    GT_EVENT(bt, "GoStatus", G(g), M(m), GT_ARG("gstatus", status));
}

/* M0 runs G1 on P0; G1 enters a syscall and blocks in it. */
static void g1_blocks_in_syscall_on_m0(gt_builder_gen *g)
{
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(1), NOSTACK);
    GT_EVENT(m0, "GoSyscallEndBlocked");
}

/* M1 steals P0 (p_seq 2) from M0: as a running goroutine G2 on P2, or as a
 * bare M (no P, no G), like sysmon. */
static void m1_steals_p0(gt_builder_gen *g, int bare_m)
{
    gt_builder_batch *m1 = gt_builder_batch_new(g, 1, 0);
    if (!bare_m) {
        proc_status(m1, 2, PROC_RUNNING);
        go_status(m1, 2, 1, GO_RUNNING);
    }
    GT_EVENT(m1, "ProcSteal", P(0), PSEQ(2), M(0));
}

/* A goroutine's syscall returns quickly: it keeps its P. */
static void syscall_fast(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(1), NOSTACK);
    GT_EVENT(m0, "GoSyscallEnd");
    GT_EVENT(m0, "GoBlock", GT_STR("reason_string", "chan receive"), NOSTACK);
}

/* The P of a goroutine in a syscall is stolen by a running goroutine. */
static void syscall_steal_simple(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    g1_blocks_in_syscall_on_m0(g);
    m1_steals_p0(g, 0);
}

/* The same, but the thief is a bare M (no P, no G), like sysmon. */
static void syscall_steal_simple_bare_m(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    g1_blocks_in_syscall_on_m0(g);
    m1_steals_p0(g, 1);
}

/* A goroutine's M steals back its own P on the way out of the syscall and
 * starts it again. Timestamps are off: sequence numbers order everything. */
static void syscall_steal_self(gt_builder *b)
{
    gt_builder_disable_timestamps(b);
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(1), NOSTACK);
    GT_EVENT(m0, "ProcSteal", P(0), PSEQ(2), M(0));
    GT_EVENT(m0, "ProcStart", P(0), PSEQ(3));
    GT_EVENT(m0, "GoSyscallEndBlocked");
}

/* The goroutine leaves its syscall on a new P (P1) while its old P0 is
 * stolen afterwards. */
static void reacquire_new_proc_common(gt_builder_gen *g)
{
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 1, PROC_IDLE);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(1), NOSTACK);
    GT_EVENT(m0, "ProcStart", P(1), PSEQ(1));
    GT_EVENT(m0, "GoSyscallEndBlocked");
}

static void syscall_steal_reacquire_new_proc(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    reacquire_new_proc_common(g);
    m1_steals_p0(g, 0);
}

static void syscall_steal_reacquire_new_proc_bare_m(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    reacquire_new_proc_common(g);
    m1_steals_p0(g, 1);
}

/* The syscall began in an earlier generation: the goroutine's status says
 * Syscall and P0's status says SyscallAbandoned. The goroutine already runs
 * on P1 when it leaves the syscall. */
static void gen_boundary_common(gt_builder_gen *g, int reacquire)
{
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    if (reacquire) {
        go_status(m0, 1, 0, GO_SYSCALL);
        proc_status(m0, 1, PROC_IDLE);
        GT_EVENT(m0, "ProcStart", P(1), PSEQ(1));
    } else {
        proc_status(m0, 1, PROC_RUNNING);
        go_status(m0, 1, 0, GO_SYSCALL);
    }
    GT_EVENT(m0, "GoSyscallEndBlocked");
}

static void steal_abandoned_p0(gt_builder_gen *g, int bare_m)
{
    gt_builder_batch *m1 = gt_builder_batch_new(g, 1, 0);
    if (!bare_m) {
        proc_status(m1, 2, PROC_RUNNING);
        go_status(m1, 2, 1, GO_RUNNING);
    }
    proc_status(m1, 0, PROC_SYSCALL_ABANDONED);
    GT_EVENT(m1, "ProcSteal", P(0), PSEQ(1), M(0));
}

static void syscall_steal_gen_boundary(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gen_boundary_common(g, 0);
    steal_abandoned_p0(g, 0);
}

static void syscall_steal_gen_boundary_bare_m(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gen_boundary_common(g, 0);
    steal_abandoned_p0(g, 1);
}

static void syscall_steal_gen_boundary_reacquire_new_proc(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gen_boundary_common(g, 1);
    steal_abandoned_p0(g, 0);
}

static void syscall_steal_gen_boundary_reacquire_new_proc_bare_m(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gen_boundary_common(g, 1);
    steal_abandoned_p0(g, 1);
}

/* Two syscalls in a row on M0, the second one blocking; a steal of P0 with
 * p_seq 3 must match the second syscall, not the first. No timestamps. */
static void syscall_steal_ambiguous(gt_builder *b)
{
    gt_builder_disable_timestamps(b);
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(1), NOSTACK);
    GT_EVENT(m0, "GoSyscallEnd");
    GT_EVENT(m0, "GoSyscallBegin", PSEQ(2), NOSTACK);
    GT_EVENT(m0, "GoSyscallEndBlocked");
    gt_builder_batch *m1 = gt_builder_batch_new(g, 1, 0);
    proc_status(m1, 2, PROC_RUNNING);
    go_status(m1, 2, 1, GO_RUNNING);
    GT_EVENT(m1, "ProcSteal", P(0), PSEQ(3), M(0));
}

/* A goroutine sat in a syscall the whole generation (its status comes from a
 * batch of no M); its P is stolen. */
static void syscall_steal_sitting_in_syscall(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_SYSCALL_ABANDONED);
    GT_EVENT(m0, "ProcSteal", P(0), PSEQ(1), M(1));
    gt_builder_batch *none = gt_builder_batch_new(g, GT_BUILDER_NO_THREAD, 0);
    go_status(none, 1, 1, GO_SYSCALL);
}

/* A C thread calls into Go (GoCreateSyscall), takes a P, runs, and leaves
 * through GoDestroySyscall; then a Go thread reusing thread ID 0 steals
 * that P. */
static void create_syscall_reuse_thread_id(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *c = gt_builder_batch_new(g, 0, 0);
    GT_EVENT(c, "GoCreateSyscall", GT_ARG("new_g", 4));
    GT_EVENT(c, "GoSyscallEndBlocked");
    proc_status(c, 0, PROC_IDLE);
    GT_EVENT(c, "ProcStart", P(0), PSEQ(1));
    go_status(c, 4, GT_BUILDER_NO_THREAD, GO_RUNNABLE);
    GT_EVENT(c, "GoStart", G(4), GSEQ(1));
    GT_EVENT(c, "GoSyscallBegin", PSEQ(2), NOSTACK);
    GT_EVENT(c, "GoDestroySyscall");
    gt_builder_batch *reuse = gt_builder_batch_new(g, 0, 0);
    proc_status(reuse, 1, PROC_IDLE);
    GT_EVENT(reuse, "ProcStart", P(1), PSEQ(1));
    GT_EVENT(reuse, "ProcSteal", P(0), PSEQ(3), M(0));
}

/* The same thread comes back into Go right after GoDestroySyscall while
 * still holding a P: the second GoSyscallEnd has no P to go back to. */
static void create_syscall_with_p(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *c = gt_builder_batch_new(g, 0, 0);
    GT_EVENT(c, "GoCreateSyscall", GT_ARG("new_g", 4));
    proc_status(c, 0, PROC_IDLE);
    GT_EVENT(c, "ProcStart", P(0), PSEQ(1));
    GT_EVENT(c, "GoSyscallEndBlocked");
    GT_EVENT(c, "GoStart", G(4), GSEQ(1));
    GT_EVENT(c, "GoSyscallBegin", PSEQ(2), NOSTACK);
    GT_EVENT(c, "GoDestroySyscall");
    GT_EVENT(c, "GoCreateSyscall", GT_ARG("new_g", 4));
    GT_EVENT(c, "GoSyscallEnd");
    GT_EVENT(c, "GoSyscallBegin", PSEQ(3), NOSTACK);
    GT_EVENT(c, "GoDestroySyscall");
}

/* A thread without a P destroys its goroutine in a syscall; the thread ID is
 * then reused by a thread that was never in Go. */
static void create_syscall_reuse_thread_id_no_p(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *c = gt_builder_batch_new(g, 0, 0);
    GT_EVENT(c, "GoCreateSyscall", GT_ARG("new_g", 4));
    GT_EVENT(c, "GoDestroySyscall");
    gt_builder_batch *reuse = gt_builder_batch_new(g, 0, 0);
    GT_EVENT(reuse, "GoCreateSyscall", GT_ARG("new_g", 5));
    GT_EVENT(reuse, "GoSyscallEndBlocked");
    proc_status(reuse, 0, PROC_IDLE);
    GT_EVENT(reuse, "ProcStart", P(0), PSEQ(1));
    GT_EVENT(reuse, "GoStart", G(5), GSEQ(1));
    GT_EVENT(reuse, "GoStop", GT_STR("reason_string", "preempted"), NOSTACK);
}

/* A goroutine is created on a P that runs no goroutine (as the runtime does
 * for new Ms), then started. */
static void go_create_without_running_g(gt_builder *b)
{
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 0);
    proc_status(m0, 0, PROC_RUNNING);
    GT_EVENT(m0, "GoCreate", GT_ARG("new_g", 5), GT_ARG("new_stack", 0), NOSTACK);
    GT_EVENT(m0, "GoStart", G(5), GSEQ(1));
    GT_EVENT(m0, "GoStop", GT_STR("reason_string", "whatever"), NOSTACK);
}

/* A task begins in generation 1 and ends in generation 2. */
static void task_across_generations(gt_builder *b)
{
    gt_builder_gen *g1 = gt_builder_generation(b, 1);
    gt_builder_batch *a = gt_builder_batch_new(g1, 0, 0);
    proc_status(a, 0, PROC_RUNNING);
    go_status(a, 1, 0, GO_RUNNING);
    GT_EVENT(a, "UserTaskBegin", GT_ARG("task", 2), GT_ARG("parent_task", 0), GT_STR("name_string", "my task"),
             NOSTACK);
    gt_builder_gen *g2 = gt_builder_generation(b, 2);
    gt_builder_batch *c = gt_builder_batch_new(g2, 0, 5);
    proc_status(c, 0, PROC_RUNNING);
    go_status(c, 1, 0, GO_RUNNING);
    GT_EVENT(c, "UserTaskEnd", GT_ARG("task", 2), NOSTACK);
}

/* Goroutine sequence numbers restart in every generation: G1's GoStart with
 * g_seq=2 on M1 in generation 2 must wait for M0's GoStart g_seq=1 there,
 * even though M1's batch comes first in time. */
static void confuse_seq_across_generations(gt_builder *b)
{
    gt_builder_gen *g1 = gt_builder_generation(b, 1);
    gt_builder_batch *a = gt_builder_batch_new(g1, 0, 0);
    proc_status(a, 0, PROC_RUNNING);
    go_status(a, 1, 0, GO_RUNNING);
    GT_EVENT(a, "GoStop", GT_STR("reason_string", "whatever"), NOSTACK);
    gt_builder_batch *c = gt_builder_batch_new(g1, 1, 0);
    proc_status(c, 1, PROC_RUNNING);
    GT_EVENT(c, "GoStart", G(1), GSEQ(1));
    GT_EVENT(c, "GoStop", GT_STR("reason_string", "whatever"), NOSTACK);

    gt_builder_gen *g2 = gt_builder_generation(b, 2);
    gt_builder_batch *d = gt_builder_batch_new(g2, 1, 3);
    proc_status(d, 1, PROC_RUNNING);
    GT_EVENT(d, "GoStart", G(1), GSEQ(2));
    gt_builder_batch *e = gt_builder_batch_new(g2, 0, 5);
    proc_status(e, 0, PROC_RUNNING);
    go_status(e, 1, 0, GO_RUNNABLE);
    GT_EVENT(e, "GoStart", G(1), GSEQ(1));
    GT_EVENT(e, "GoStop", GT_STR("reason_string", "whatever"), NOSTACK);
}

/* Generation 1 holds a GoCreate without a P; generation 2's batch header
 * claims more bytes than there are. The first problem must be reported. */
static void fail_first_gen_first(gt_builder *b)
{
    const uint64_t freq_batch[] = {1, 0, 0, 5};
    const uint64_t freq[] = {15625000};
    const uint64_t create_batch[] = {1, 0, 0, 5};
    const uint64_t create[] = {0, 1, 0, 0};
    const uint64_t bad_batch[] = {2, 0, 0, 50};
    gt_builder_top_event(b, 1 /* EventBatch */, freq_batch, 4, NULL, 0);
    gt_builder_top_event(b, 8 /* Frequency */, freq, 1, NULL, 0);
    gt_builder_top_event(b, 1, create_batch, 4, NULL, 0);
    gt_builder_top_event(b, 14 /* GoCreate */, create, 4, NULL, 0);
    gt_builder_top_event(b, 1, bad_batch, 4, NULL, 0);
}

/* Strings, stacks and a goroutine's life: create with stacks, start, block
 * with a reason, unblock, run to GoDestroy; a region and a log in a task. */
static void stacks_and_strings(gt_builder *b)
{
    static const gt_builder_frame create_site[] = {
        {0x401000, "main.main", "/app/main.go", 12},
        {0x402000, "runtime.main", "/go/src/runtime/proc.go", 283},
    };
    static const gt_builder_frame worker_start[] = {{0x403000, "main.worker", "/app/main.go", 30}};
    static const gt_builder_frame block_site[] = {
        {0x404000, "runtime.chanrecv1", "/go/src/runtime/chan.go", 489},
        {0x403010, "main.worker", "/app/main.go", 31},
    };
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 10);
    proc_status(m0, 0, PROC_RUNNING);
    go_status(m0, 1, 0, GO_RUNNING);
    GT_EVENT(m0, "GoCreate", GT_ARG("new_g", 7), GT_STK("new_stack", worker_start, 1), GT_STK("stack", create_site, 2));
    GT_EVENT(m0, "UserTaskBegin", GT_ARG("task", 3), GT_ARG("parent_task", 0), GT_STR("name_string", "job"),
             GT_STK("stack", create_site, 2));
    GT_EVENT(m0, "UserRegionBegin", GT_ARG("task", 3), GT_STR("name_string", "phase one"), NOSTACK);
    GT_EVENT(m0, "UserLog", GT_ARG("task", 3), GT_STR("key_string", "step"), GT_STR("value_string", "a \"quoted\" value"),
             NOSTACK);
    GT_EVENT(m0, "UserRegionEnd", GT_ARG("task", 3), GT_STR("name_string", "phase one"), NOSTACK);
    GT_EVENT(m0, "GoStop", GT_STR("reason_string", "preempted"), GT_STK("stack", create_site, 2));
    GT_EVENT(m0, "GoStart", G(7), GSEQ(1));
    GT_EVENT(m0, "GoBlock", GT_STR("reason_string", "chan receive"), GT_STK("stack", block_site, 2));
    GT_EVENT(m0, "GoStart", G(1), GSEQ(1));
    GT_EVENT(m0, "GoUnblock", G(7), GSEQ(2), GT_STK("stack", create_site, 2));
    GT_EVENT(m0, "UserTaskEnd", GT_ARG("task", 3), NOSTACK);
    GT_EVENT(m0, "GoStop", GT_STR("reason_string", "preempted"), NOSTACK);
    GT_EVENT(m0, "GoStart", G(7), GSEQ(3));
    GT_EVENT(m0, "GoDestroy");
    GT_EVENT(m0, "ProcStop");
}

/* The 1.25 sync batch (Frequency + ClockSnapshot) in every generation. */
static void sync_clock_snapshots(gt_builder *b)
{
    gt_builder_gen *g1 = gt_builder_generation(b, 1);
    gt_builder_sync(g1, 1000000000, 10, 99, 1740755049, 123);
    gt_builder_batch *a = gt_builder_batch_new(g1, 1, 15);
    proc_status(a, 0, PROC_RUNNING);
    go_status(a, 1, 1, GO_RUNNING);
    GT_EVENT(a, "GoStop", GT_STR("reason_string", "preempted"), NOSTACK);
    gt_builder_gen *g2 = gt_builder_generation(b, 2);
    gt_builder_sync(g2, 500000000, 20, 199, 1740755050, 123);
    gt_builder_batch *c = gt_builder_batch_new(g2, 1, 40);
    proc_status(c, 0, PROC_RUNNING);
    go_status(c, 1, 1, GO_RUNNABLE);
    GT_EVENT(c, "GoStart", G(1), GSEQ(1));
}

const scenario scenarios[] = {
    {"syscall-fast", 22, NULL, syscall_fast, NULL},
    {"syscall-fast-go126", 26, NULL, syscall_fast, NULL},
    {"syscall-steal-simple", 22, "go122-syscall-steal-proc-simple", syscall_steal_simple, NULL},
    {"syscall-steal-simple-go123", 23, NULL, syscall_steal_simple, NULL},
    {"syscall-steal-simple-go125", 25, NULL, syscall_steal_simple, NULL},
    {"syscall-steal-simple-go126", 26, NULL, syscall_steal_simple, NULL},
    {"syscall-steal-simple-bare-m", 22, "go122-syscall-steal-proc-simple-bare-m", syscall_steal_simple_bare_m, NULL},
    {"syscall-steal-self", 22, "go122-syscall-steal-proc-self", syscall_steal_self, NULL},
    {"syscall-steal-reacquire-new-proc", 22, "go122-syscall-steal-proc-reacquire-new-proc",
     syscall_steal_reacquire_new_proc, NULL},
    {"syscall-steal-reacquire-new-proc-bare-m", 22, "go122-syscall-steal-proc-reacquire-new-proc-bare-m",
     syscall_steal_reacquire_new_proc_bare_m, NULL},
    {"syscall-steal-gen-boundary", 22, "go122-syscall-steal-proc-gen-boundary", syscall_steal_gen_boundary, NULL},
    {"syscall-steal-gen-boundary-bare-m", 22, "go122-syscall-steal-proc-gen-boundary-bare-m",
     syscall_steal_gen_boundary_bare_m, NULL},
    {"syscall-steal-gen-boundary-reacquire-new-proc", 22, "go122-syscall-steal-proc-gen-boundary-reacquire-new-proc",
     syscall_steal_gen_boundary_reacquire_new_proc, NULL},
    {"syscall-steal-gen-boundary-reacquire-new-proc-bare-m", 22,
     "go122-syscall-steal-proc-gen-boundary-reacquire-new-proc-bare-m",
     syscall_steal_gen_boundary_reacquire_new_proc_bare_m, NULL},
    {"syscall-steal-ambiguous", 22, "go122-syscall-steal-proc-ambiguous", syscall_steal_ambiguous, NULL},
    {"syscall-steal-sitting-in-syscall", 22, "go122-syscall-steal-proc-sitting-in-syscall",
     syscall_steal_sitting_in_syscall, NULL},
    {"create-syscall-reuse-thread-id", 22, "go122-create-syscall-reuse-thread-id", create_syscall_reuse_thread_id,
     NULL},
    {"create-syscall-reuse-thread-id-no-p", 22, NULL, create_syscall_reuse_thread_id_no_p, NULL},
    {"create-syscall-with-p", 22, "go122-create-syscall-with-p", create_syscall_with_p,
     "expected a proc but didn't have one"},
    {"go-create-without-running-g", 22, "go122-go-create-without-running-g", go_create_without_running_g, NULL},
    {"task-across-generations", 22, "go122-task-across-generations", task_across_generations, NULL},
    {"task-across-generations-go126", 26, NULL, task_across_generations, NULL},
    {"confuse-seq-across-generations", 22, "go122-confuse-seq-across-generations", confuse_seq_across_generations,
     NULL},
    {"fail-first-gen-first", 22, "go122-fail-first-gen-first", fail_first_gen_first,
     "expected a proc but didn't have one"},
    {"stacks-and-strings", 22, NULL, stacks_and_strings, NULL},
    {"stacks-and-strings-go126", 26, NULL, stacks_and_strings, NULL},
    {"sync-clock-snapshots", 25, NULL, sync_clock_snapshots, NULL},
    {"sync-clock-snapshots-go126", 26, NULL, sync_clock_snapshots, NULL},
};
const size_t n_scenarios = sizeof scenarios / sizeof scenarios[0];

gt_builder *scenario_build(const scenario *s, gt_error *err)
{
    gt_builder *b = gt_builder_new(s->version, err);
    if (!b)
        return NULL;
    s->build(b);
    if (s->expect_error)
        gt_builder_expect_failure(b, s->expect_error);
    const gt_error *e = gt_builder_error(b);
    if (e) {
        /* The message lives with the builder: err gets a copy in storage
         * of this file, valid until the next scenario fails to build. */
        static char kept[8192];
        if (err) {
            *err = *e;
            snprintf(kept, sizeof kept, "%s", e->message);
            err->message = kept;
        }
        gt_builder_free(b);
        return NULL;
    }
    return b;
}

unsigned char *scenario_binary(const scenario *s, size_t *len, gt_error *err)
{
    gt_builder *b = scenario_build(s, err);
    if (!b)
        return NULL;
    unsigned char *data = NULL;
    if (gt_builder_write_memory(b, &data, len, err))
        data = NULL;
    gt_builder_free(b);
    return data;
}

static void append(scenario_run *run, const char *s, size_t n)
{
    char *t = realloc(run->text, run->len + n + 1);
    if (!t)
        abort(); /* test code: out of memory is fatal */
    memcpy(t + run->len, s, n);
    run->len += n;
    t[run->len] = 0;
    run->text = t;
}

void scenario_read(const void *data, size_t len, int validate, scenario_run *run)
{
    memset(run, 0, sizeof *run);
    append(run, "", 0);
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    if (!r) {
        run->failed = 1;
        snprintf(run->error, sizeof run->error, "%s", err.message);
        return;
    }
    gt_validator *v = validate ? gt_validator_new(gt_reader_version(r)) : NULL;
    run->validated = v != NULL;
    gt_event ev;
    char line[4096];
    int rc;
    while ((rc = gt_reader_next(r, &ev)) == 1) {
        size_t n = gt_event_format(&ev, line, sizeof line);
        if (n >= sizeof line) {
            char *big = malloc(n + 1);
            if (!big)
                abort();
            gt_event_format(&ev, big, n + 1);
            append(run, big, n);
            free(big);
        } else {
            append(run, line, n);
        }
        append(run, "\n", 1);
        run->nevents++;
        if (v && gt_validator_event(v, &ev) && !run->validator_error[0])
            snprintf(run->validator_error, sizeof run->validator_error, "%s", gt_validator_message(v));
    }
    if (rc < 0) {
        const gt_error *e = gt_reader_error(r);
        run->failed = 1;
        snprintf(run->error, sizeof run->error, "%s", e ? e->message : "(no error message)");
    }
    gt_validator_free(v);
    gt_reader_free(r);
}

void scenario_run_free(scenario_run *run)
{
    free(run->text);
    run->text = NULL;
}

int scenario_parse_status(const char *status, int *exit_code, const char **msg, size_t *msg_len)
{
    if (strncmp(status, "exit=", 5))
        return -1;
    char *end;
    long code = strtol(status + 5, &end, 10);
    if (end == status + 5 || *end != '\n')
        return -1;
    *exit_code = (int)code;
    *msg = end + 1;
    *msg_len = strlen(end + 1);
    if (*msg_len && (*msg)[*msg_len - 1] == '\n')
        (*msg_len)--;
    return 0;
}
