/* The event-stream validator: a port of Go 1.27's
 * internal/trace/testtrace/validation.go, working only on the public event
 * API. Every check, its order and its message text follow Go's, so that
 * `gotrace test` output can be compared with Go's byte for byte.
 *
 * State kept (all in geometric arrays and hash maps, nothing per event):
 *   - the last timestamp and the last Sync;
 *   - goroutine and proc states, each with the scheduling context (thread)
 *     it is bound to while executing;
 *   - one scheduling context per thread: the G and P it runs;
 *   - active ranges per resource (a multiset of names, as Go's slices);
 *   - the type of every task begun and not yet ended.
 * Strings that must outlive their generation (range names, task types) are
 * interned once in a private string table. */
#include "gotrace/validate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/goquote.h"
#include "common/hash.h"

/* Go's time.Time{}.IsZero(): 0001-01-01 00:00:00 UTC in Unix seconds. */
#define GO_ZERO_TIME_UNIX (-62135596800LL)

/* Map values that stand for "absent" in maps that Go deletes from. */
#define DELETED UINT64_MAX

typedef struct sched_ctx {
    int64_t m, p, g;
} sched_ctx;

/* One interned string: bytes at strings.data[off..off+len), chained by hash. */
typedef struct interned {
    size_t off, len;
    uint64_t next; /* index + 1 of the next entry with the same hash, or 0 */
} interned;

/* One name active on one resource, with how many times it is active (Go
 * keeps a slice that may hold a name more than once). */
typedef struct range_node {
    uint64_t name;  /* interned index */
    uint64_t count;
    uint64_t next;  /* index + 1 of the resource's next node, or 0 */
} range_node;

typedef struct range_set {
    uint64_t total; /* active names on this resource, with repeats */
    uint64_t head;  /* index + 1 of the first node, or 0 */
} range_set;

struct gt_validator {
    int go_version;
    int skip_clock_checks;

    int64_t last_ts;
    gt_sync last_sync; /* n == 0 before the first Sync */

    /* goroutine / proc id -> state | (context index + 1) << 8 */
    gt_u64map goroutines, procs;
    /* thread id -> context index */
    gt_u64map threads;
    sched_ctx *ctxs;
    size_t nctxs, cap_ctxs;

    /* resource id -> range_set index, one map per resource kind */
    gt_u64map range_sets_by_kind[4];
    range_set *range_sets;
    size_t nrange_sets, cap_range_sets;
    range_node *range_nodes;
    size_t nrange_nodes, cap_range_nodes;

    /* task id -> interned type index, or DELETED */
    gt_u64map tasks;

    gt_buf strings;
    gt_u64map strings_by_hash; /* hash -> index + 1 of the first entry */
    interned *interned;
    size_t ninterned, cap_interned;

    gt_buf message;    /* findings of the last event, joined by newlines */
    int nomem;
};

/* Grows *arr (of elements of size elem) so that it holds at least n + 1. */
static int grow_array(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

gt_validator *gt_validator_new(int go_version)
{
    gt_validator *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->go_version = go_version;
    return v;
}

void gt_validator_skip_clock_checks(gt_validator *v)
{
    v->skip_clock_checks = 1;
}

void gt_validator_free(gt_validator *v)
{
    if (!v)
        return;
    gt_u64map_free(&v->goroutines);
    gt_u64map_free(&v->procs);
    gt_u64map_free(&v->threads);
    free(v->ctxs);
    for (size_t i = 0; i < 4; i++)
        gt_u64map_free(&v->range_sets_by_kind[i]);
    free(v->range_sets);
    free(v->range_nodes);
    gt_u64map_free(&v->tasks);
    gt_buf_free(&v->strings);
    gt_u64map_free(&v->strings_by_hash);
    free(v->interned);
    gt_buf_free(&v->message);
    free(v);
}

const char *gt_validator_message(const gt_validator *v)
{
    return v->message.len ? v->message.data : "";
}

/* ------------------------------------------------------------ findings */

/* Starts a new finding: findings are joined with newlines (errors.Join). */
static gt_buf *finding(gt_validator *v)
{
    if (v->message.len && gt_buf_putc(&v->message, '\n'))
        v->nomem = 1;
    return &v->message;
}

static void put_quoted(gt_validator *v, gt_buf *b, gt_str s)
{
    if (gt_go_quote(b, s.ptr, s.len))
        v->nomem = 1;
}

static void put_str(gt_validator *v, gt_buf *b, gt_str s)
{
    if (gt_buf_append(b, s.ptr, s.len))
        v->nomem = 1;
}

static void put(gt_validator *v, gt_buf *b, const char *s)
{
    if (gt_buf_puts(b, s))
        v->nomem = 1;
}

static void put_i64(gt_validator *v, gt_buf *b, int64_t x)
{
    if (gt_buf_put_i64(b, x))
        v->nomem = 1;
}

static void put_u64(gt_validator *v, gt_buf *b, uint64_t x)
{
    if (gt_buf_put_u64(b, x))
        v->nomem = 1;
}

/* A ResourceID as Go's String() prints it: "None" or "Goroutine(5)". */
static void put_resource(gt_validator *v, gt_buf *b, gt_resource r)
{
    put(v, b, gt_resource_kind_name(r.kind));
    if (r.kind == GT_RESOURCE_NONE)
        return;
    put(v, b, "(");
    put_i64(v, b, r.id);
    put(v, b, ")");
}

/* The event as Go's %+v prints it, which is its String(). */
static void put_event(gt_validator *v, gt_buf *b, const gt_event *ev)
{
    size_t need = gt_event_format(ev, NULL, 0);
    if (gt_buf_reserve(b, need + 1)) {
        v->nomem = 1;
        return;
    }
    gt_event_format(ev, b->data + b->len, need + 1);
    b->len += need;
}

/* Howard Hinnant's civil_from_days: proleptic Gregorian date of a day count
 * since 1970-01-01. Works for every int64 day count the callers pass. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t year = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = year + (*m <= 2);
}

/* A wall clock as Go's time.Time.String() prints a time.Unix value in UTC
 * (the oracle runs with TZ=UTC): "2006-01-02 15:04:05.999999999 +0000 UTC",
 * the fraction without trailing zeros and absent when zero. */
static void put_wall(gt_validator *v, gt_buf *b, int64_t sec, int32_t nsec)
{
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    int failed;
    if (year < 0)
        failed = gt_buf_printf(b, "-%04" PRId64, -year);
    else
        failed = gt_buf_printf(b, "%04" PRId64, year);
    failed |= gt_buf_printf(b, "-%02u-%02u %02u:%02u:%02u", month, day, (unsigned)(rem / 3600),
                        (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    if (nsec > 0) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%09d", (int)nsec);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0')
            frac[--n] = '\0';
        failed |= gt_buf_puts(b, frac);
    }
    failed |= gt_buf_puts(b, " +0000 UTC");
    if (failed)
        v->nomem = 1;
}

/* ------------------------------------------------------------ strings */

/* Returns the index of s in the string table, adding it if new; DELETED
 * when memory runs out. */
static uint64_t intern(gt_validator *v, gt_str s)
{
    uint64_t h = gt_hash_bytes(s.ptr, s.len);
    int inserted = 0;
    uint64_t *first = gt_u64map_upsert(&v->strings_by_hash, h, &inserted);
    if (!first)
        goto nomem;
    for (uint64_t i = *first; i; i = v->interned[i - 1].next) {
        const interned *e = &v->interned[i - 1];
        if (e->len == s.len && (!s.len || !memcmp(v->strings.data + e->off, s.ptr, s.len)))
            return i - 1;
    }
    if (grow_array((void **)&v->interned, &v->cap_interned, v->ninterned, sizeof *v->interned))
        goto nomem;
    interned *e = &v->interned[v->ninterned];
    e->off = v->strings.len;
    e->len = s.len;
    e->next = *first;
    if (gt_buf_append(&v->strings, s.ptr, s.len))
        goto nomem;
    *first = ++v->ninterned;
    return v->ninterned - 1;
nomem:
    v->nomem = 1;
    return DELETED;
}

static gt_str interned_str(const gt_validator *v, uint64_t i)
{
    /* Empty strings may come before any byte was stored (data still NULL),
     * and NULL + 0 is undefined. */
    size_t len = v->interned[i].len;
    gt_str s = {len ? v->strings.data + v->interned[i].off : NULL, len};
    return s;
}

/* ------------------------------------------------------------ ranges */

static range_set *find_range_set(gt_validator *v, gt_resource r, int create)
{
    if ((unsigned)r.kind > 3)
        return NULL;
    gt_u64map *m = &v->range_sets_by_kind[r.kind];
    if (!create) {
        uint64_t *i = gt_u64map_get(m, (uint64_t)r.id);
        return i ? &v->range_sets[*i] : NULL;
    }
    int inserted = 0;
    uint64_t *i = gt_u64map_upsert(m, (uint64_t)r.id, &inserted);
    if (!i)
        goto nomem;
    if (inserted) {
        if (grow_array((void **)&v->range_sets, &v->cap_range_sets, v->nrange_sets, sizeof *v->range_sets))
            goto nomem;
        v->range_sets[v->nrange_sets] = (range_set){0, 0};
        *i = v->nrange_sets++;
    }
    return &v->range_sets[*i];
nomem:
    v->nomem = 1;
    return NULL;
}

static range_node *find_range(gt_validator *v, const range_set *set, uint64_t name)
{
    for (uint64_t i = set ? set->head : 0; i; i = v->range_nodes[i - 1].next)
        if (v->range_nodes[i - 1].name == name)
            return &v->range_nodes[i - 1];
    return NULL;
}

static int has_range(gt_validator *v, gt_resource r, uint64_t name)
{
    range_node *n = find_range(v, find_range_set(v, r, 0), name);
    return n && n->count;
}

static int has_any_range(gt_validator *v, gt_resource r)
{
    range_set *set = find_range_set(v, r, 0);
    return set && set->total;
}

static void add_range(gt_validator *v, gt_resource r, uint64_t name)
{
    range_set *set = find_range_set(v, r, 1);
    if (!set)
        return;
    range_node *n = find_range(v, set, name);
    if (!n) {
        size_t set_index = (size_t)(set - v->range_sets);
        if (grow_array((void **)&v->range_nodes, &v->cap_range_nodes, v->nrange_nodes, sizeof *v->range_nodes)) {
            v->nomem = 1;
            return;
        }
        set = &v->range_sets[set_index];
        n = &v->range_nodes[v->nrange_nodes++];
        *n = (range_node){name, 0, set->head};
        set->head = v->nrange_nodes;
    }
    n->count++;
    set->total++;
}

static void delete_range(gt_validator *v, gt_resource r, uint64_t name)
{
    range_set *set = find_range_set(v, r, 0);
    range_node *n = find_range(v, set, name);
    if (n && n->count) {
        n->count--;
        set->total--;
    }
}

/* ------------------------------------------------------------ contexts */

static sched_ctx *ctx_at(gt_validator *v, uint64_t binding)
{
    return binding ? &v->ctxs[binding - 1] : NULL;
}

static int is_lenient_syscall(const gt_validator *v, const gt_event *ev)
{
    /* Traces older than Go 1.22 have no thread for goroutines found already
     * in a syscall, so Undetermined->Syscall may lack one there. */
    if (v->go_version >= 22 || ev->kind != GT_EVENT_STATE_TRANSITION)
        return 0;
    gt_state_transition tr;
    if (gt_event_state_transition(ev, &tr))
        return 0;
    return tr.resource.kind == GT_RESOURCE_GOROUTINE && tr.old_state == GT_GO_UNDETERMINED &&
           tr.new_state == GT_GO_SYSCALL;
}

/* The scheduling context of the event's thread, created on first use; as a
 * binding value (index + 1), or 0 when the event lacks a required thread. */
static uint64_t get_or_create_thread(gt_validator *v, const gt_event *ev)
{
    int64_t m = ev->thread;
    if (m == GT_NO_THREAD && !is_lenient_syscall(v, ev)) {
        put(v, finding(v), "must have thread, but thread ID is none");
        return 0;
    }
    int inserted = 0;
    uint64_t *slot = gt_u64map_upsert(&v->threads, (uint64_t)m, &inserted);
    if (!slot)
        goto nomem;
    if (inserted) {
        if (grow_array((void **)&v->ctxs, &v->cap_ctxs, v->nctxs, sizeof *v->ctxs))
            goto nomem;
        v->ctxs[v->nctxs] = (sched_ctx){m, GT_NO_PROC, GT_NO_GOROUTINE};
        *slot = v->nctxs++;
    }
    return *slot + 1;
nomem:
    v->nomem = 1;
    return 0;
}

/* ------------------------------------------------------------ checks */

static void check_stack(gt_validator *v, gt_stack stk)
{
    size_t n = gt_stack_len(stk);
    /* The first frame may be entirely zero (Go allows it, reason unknown). */
    for (size_t i = 1; i < n; i++) {
        gt_frame f;
        if (gt_stack_frame(stk, i, &f))
            break;
        if (f.func.len && f.file.len && f.pc && f.line)
            continue;
        gt_buf *b = finding(v);
        if (gt_buf_printf(b, "invalid stack frame trace.StackFrame{PC:0x%" PRIx64 ", Func:", f.pc))
            v->nomem = 1;
        put_quoted(v, b, f.func);
        put(v, b, ", File:");
        put_quoted(v, b, f.file);
        if (gt_buf_printf(b, ", Line:0x%" PRIx64 "}: missing information", f.line))
            v->nomem = 1;
    }
}

/* Starts the finding "sync N TEXT" and returns the buffer to go on. */
static gt_buf *sync_finding(gt_validator *v, int64_t n, const char *text)
{
    gt_buf *b = finding(v);
    put(v, b, "sync ");
    put_i64(v, b, n);
    put(v, b, text);
    return b;
}

static void check_sync(gt_validator *v, const gt_event *ev)
{
    gt_sync s;
    if (gt_event_sync(ev, &s))
        return;
    if (s.n != v->last_sync.n + 1) {
        gt_buf *b = finding(v);
        put(v, b, "sync count is not sequential: expected ");
        put_i64(v, b, v->last_sync.n + 1);
        put(v, b, ", got ");
        put_i64(v, b, s.n);
    }
    /* The reader's synthetic Sync at the end of a trace has no clock
     * snapshot; Go skips those. */
    if (v->go_version >= 25 && !(s.n > 1 && !s.has_clock_snapshot)) {
        const gt_clock_snapshot *c = &s.clock, *last = &v->last_sync.clock;
        if (!s.has_clock_snapshot) {
            sync_finding(v, s.n, " has no clock snapshot");
        } else {
            if (c->wall_sec == GO_ZERO_TIME_UNIX && c->wall_nsec == 0) {
                sync_finding(v, s.n, " has zero wall time");
            }
            if (c->mono == 0) {
                sync_finding(v, s.n, " has zero mono time");
            }
            if (c->trace == 0) {
                sync_finding(v, s.n, " has zero trace time");
            }
            /* Go dereferences the previous snapshot here and would crash
             * if it had none; we skip the comparison instead. */
            if (!v->skip_clock_checks && s.n >= 2 && v->last_sync.has_clock_snapshot) {
                int after = c->wall_sec > last->wall_sec ||
                            (c->wall_sec == last->wall_sec && c->wall_nsec > last->wall_nsec);
                if (!after) {
                    gt_buf *b = sync_finding(v, s.n, " has non-increasing wall time: ");
                    put_wall(v, b, c->wall_sec, c->wall_nsec);
                    put(v, b, " vs ");
                    put_wall(v, b, last->wall_sec, last->wall_nsec);
                }
                if (!(c->mono > last->mono)) {
                    gt_buf *b = sync_finding(v, s.n, " has non-increasing mono time: ");
                    put_u64(v, b, c->mono);
                    put(v, b, " vs ");
                    put_u64(v, b, last->mono);
                }
                if (!(c->trace > last->trace)) {
                    gt_buf *b = sync_finding(v, s.n, " has non-increasing trace time: ");
                    put_i64(v, b, c->trace);
                    put(v, b, " vs ");
                    put_i64(v, b, last->trace);
                }
            }
        }
    }
    v->last_sync = s;
}

static void check_metric(gt_validator *v, const gt_event *ev)
{
    gt_metric m;
    if (gt_event_metric(ev, &m))
        return;
    /* runtime/metrics names are "name:unit". */
    if (!m.name.len || !memchr(m.name.ptr, ':', m.name.len)) {
        gt_buf *b = finding(v);
        put(v, b, "invalid metric name ");
        put_quoted(v, b, m.name);
    }
    if (m.value.kind == GT_VALUE_BAD)
        put(v, finding(v), "invalid value");
}

static void check_label(gt_validator *v, const gt_event *ev)
{
    gt_label l;
    if (gt_event_label(ev, &l))
        return;
    if (!l.label.len) {
        gt_buf *b = finding(v);
        put(v, b, "invalid label ");
        put_quoted(v, b, l.label);
    }
    const gt_u64map *known = NULL;
    const char *what = NULL;
    switch (l.resource.kind) {
    case GT_RESOURCE_NONE:
        put(v, finding(v), "label resource none");
        break;
    case GT_RESOURCE_GOROUTINE:
        known = &v->goroutines;
        what = "label for invalid goroutine ";
        break;
    case GT_RESOURCE_PROC:
        known = &v->procs;
        what = "label for invalid proc ";
        break;
    case GT_RESOURCE_THREAD:
        known = &v->threads;
        what = "label for invalid thread ";
        break;
    }
    if (known && !gt_u64map_get(known, (uint64_t)l.resource.id)) {
        gt_buf *b = finding(v);
        put(v, b, what);
        put_i64(v, b, l.resource.id);
    }
}

/* The goroutine and proc state machines share their shape; these name the
 * differences. */
typedef struct machine {
    const char *noun;              /* "goroutine" or "proc" */
    int undetermined, not_exist;
    int (*executing)(int state);
    const char *(*state_name)(int state);
} machine;

static int go_executing(int s) { return s == GT_GO_RUNNING || s == GT_GO_SYSCALL; }
static int proc_executing(int s) { return s == GT_PROC_RUNNING; }
static const char *go_name(int s) { return gt_go_state_name((gt_go_state)s); }
static const char *proc_name(int s) { return gt_proc_state_name((gt_proc_state)s); }

static const machine go_machine = {"goroutine", GT_GO_UNDETERMINED, GT_GO_NOT_EXIST, go_executing, go_name};
static const machine proc_machine = {"proc", GT_PROC_UNDETERMINED, GT_PROC_NOT_EXIST, proc_executing, proc_name};

static void check_transition(gt_validator *v, const gt_event *ev)
{
    gt_state_transition tr;
    if (gt_event_state_transition(ev, &tr))
        return;
    check_stack(v, tr.stack);

    int is_go = tr.resource.kind == GT_RESOURCE_GOROUTINE;
    if (!is_go && tr.resource.kind != GT_RESOURCE_PROC)
        return;
    const machine *mc = is_go ? &go_machine : &proc_machine;
    gt_u64map *states = is_go ? &v->goroutines : &v->procs;
    int64_t id = tr.resource.id;
    int old = tr.old_state, new_state = tr.new_state;
    gt_buf *b;

    if (new_state == mc->undetermined) {
        b = finding(v);
        if (gt_buf_printf(b, "transition to undetermined state for %s %" PRId64, mc->noun, id))
            v->nomem = 1;
    }
    if (v->last_sync.n > 1 && old == mc->undetermined) {
        b = finding(v);
        if (gt_buf_printf(b, "undetermined %s %" PRId64 " after first global sync", mc->noun, id))
            v->nomem = 1;
    }
    if (new_state == mc->not_exist && has_any_range(v, tr.resource)) {
        b = finding(v);
        if (gt_buf_printf(b, "%s %" PRId64 " died with active ranges", mc->noun, id))
            v->nomem = 1;
    }

    int inserted = 0;
    uint64_t *slot = gt_u64map_upsert(states, (uint64_t)id, &inserted);
    if (!slot) {
        v->nomem = 1;
        return;
    }
    if (!inserted) {
        int last = (int)(*slot & 0xff);
        if (old != last) {
            b = finding(v);
            if (gt_buf_printf(b, "bad old state for %s %" PRId64 ": got %s, want %s", mc->noun, id,
                              mc->state_name(old), mc->state_name(last)))
                v->nomem = 1;
        }
        *slot = (*slot & ~(uint64_t)0xff) | (uint64_t)(new_state & 0xff);
    } else {
        if (old != mc->undetermined && old != mc->not_exist) {
            b = finding(v);
            if (gt_buf_printf(b, "bad old state for unregistered %s %" PRId64 ": %s", mc->noun, id,
                              mc->state_name(old)))
                v->nomem = 1;
        }
        *slot = (uint64_t)(new_state & 0xff);
    }

    if (mc->executing(new_state)) {
        uint64_t binding = get_or_create_thread(v, ev);
        /* Creating a context may have grown the map: look the slot up again. */
        slot = gt_u64map_get(states, (uint64_t)id);
        sched_ctx *ctx = ctx_at(v, binding);
        if (!ctx || !slot)
            return;
        int64_t *running = is_go ? &ctx->g : &ctx->p;
        if (*running != -1 && *running != id) {
            b = finding(v);
            if (gt_buf_printf(b, "tried to run %s %" PRId64 " when one was already executing (%" PRId64
                              ") on thread %" PRId64, mc->noun, id, *running, ev->thread))
                v->nomem = 1;
        }
        *running = id;
        *slot = (*slot & 0xff) | (binding << 8);
    } else if (mc->executing(old)) {
        if (is_go) {
            /* The goroutine stops itself, so the two stacks are one. */
            gt_stack es = gt_event_stack(ev);
            if (tr.stack.priv_table != es.priv_table || tr.stack.id != es.id)
                put(v, finding(v), "StateTransition.Stack doesn't match Event.Stack");
        }
        sched_ctx *ctx = ctx_at(v, *slot >> 8);
        if (!ctx) {
            b = finding(v);
            if (gt_buf_printf(b, "stopping %s %" PRId64 " not bound to any active context", mc->noun, id))
                v->nomem = 1;
            return;
        }
        int64_t *running = is_go ? &ctx->g : &ctx->p;
        if (*running != id) {
            b = finding(v);
            /* Go names the event's thread for goroutines and the context's
             * thread for procs. */
            if (gt_buf_printf(b, "tried to stop %s %" PRId64 " when it wasn't currently executing "
                              "(currently executing %" PRId64 ") on thread %" PRId64, mc->noun, id, *running,
                              is_go ? ev->thread : ctx->m))
                v->nomem = 1;
        }
        *running = -1;
        *slot &= 0xff;
    }
}

/* Appends the finding "PREFIX "name" on Scope SUFFIX". */
static void range_finding(gt_validator *v, const char *prefix, const gt_range *r, const char *suffix)
{
    gt_buf *b = finding(v);
    put(v, b, prefix);
    put_quoted(v, b, r->name);
    put(v, b, " on ");
    put_resource(v, b, r->scope);
    put(v, b, suffix);
}

static void check_range(gt_validator *v, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return;
    uint64_t name = intern(v, r.name);
    if (name == DELETED)
        return;
    switch (ev->kind) {
    case GT_EVENT_RANGE_BEGIN:
        if (has_range(v, r.scope, name))
            range_finding(v, "already active range ", &r, " begun again");
        add_range(v, r.scope, name);
        break;
    case GT_EVENT_RANGE_ACTIVE:
        if (!has_range(v, r.scope, name))
            add_range(v, r.scope, name);
        break;
    default:
        if (!has_range(v, r.scope, name))
            range_finding(v, "inactive range ", &r, " ended");
        delete_range(v, r.scope, name);
        break;
    }
}

static void check_task(gt_validator *v, const gt_event *ev)
{
    gt_task t;
    if (gt_event_task(ev, &t))
        return;
    gt_buf *b;
    if (ev->kind == GT_EVENT_TASK_BEGIN) {
        /* No event is ever emitted for the background task. */
        if (t.id == GT_NO_TASK || t.id == GT_BACKGROUND_TASK) {
            b = finding(v);
            put(v, b, "found invalid task ID for task of type ");
            put_str(v, b, t.type);
        }
        if (t.parent == GT_BACKGROUND_TASK) {
            b = finding(v);
            put(v, b, "found background task as the parent for task of type ");
            put_str(v, b, t.type);
        }
        uint64_t type = intern(v, t.type);
        if (type != DELETED && gt_u64map_put(&v->tasks, t.id, type))
            v->nomem = 1;
        return;
    }
    /* A task may end without a visible begin; only check what was seen. */
    uint64_t *type = gt_u64map_get(&v->tasks, t.id);
    if (!type || *type == DELETED)
        return;
    gt_str begun = interned_str(v, *type);
    if (begun.len != t.type.len || (begun.len && memcmp(begun.ptr, t.type.ptr, begun.len))) {
        b = finding(v);
        put(v, b, "task end type ");
        put_quoted(v, b, t.type);
        put(v, b, " doesn't match task start type ");
        put_quoted(v, b, begun);
        put(v, b, " for task ");
        put_u64(v, b, t.id);
    }
    *type = DELETED;
}

int gt_validator_event(gt_validator *v, const gt_event *ev)
{
    gt_buf_reset(&v->message);
    v->nomem = 0;

    if (v->last_ts != 0 && ev->time <= v->last_ts) {
        gt_buf *b = finding(v);
        put(v, b, "timestamp out-of-order (want > ");
        put_i64(v, b, v->last_ts);
        put(v, b, ") for ");
        put_event(v, b, ev);
    } else {
        v->last_ts = ev->time;
    }

    check_stack(v, gt_event_stack(ev));

    switch (ev->kind) {
    case GT_EVENT_SYNC:
        check_sync(v, ev);
        break;
    case GT_EVENT_METRIC:
        check_metric(v, ev);
        break;
    case GT_EVENT_LABEL:
        check_label(v, ev);
        break;
    case GT_EVENT_STATE_TRANSITION:
        check_transition(v, ev);
        break;
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        check_range(v, ev);
        break;
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END:
        check_task(v, ev);
        break;
    default:
        /* Stack samples, logs and experimental events carry nothing more to
         * check beyond their stack. */
        break;
    }
    if (v->nomem)
        put(v, finding(v), "validator: out of memory");
    if (!v->message.len)
        return 0;
    if (gt_buf_putc(&v->message, '\0'))
        return -1;
    v->message.len--;
    return -1;
}
