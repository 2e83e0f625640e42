/* gotrace timeline: streams a trace into the Trace Event Format ("Chrome
 * JSON") that Perfetto (ui.perfetto.dev) and chrome://tracing import. The
 * slices come from the library's timeline tracker (gotrace/export.h), the
 * one goroutine accounting that `gotrace perfetto` uses too; this file only
 * writes what the tracker reports as JSON, and names the tracks.
 *
 * Tracks. pid 1 "Goroutines": one thread per goroutine (tid = goroutine ID)
 * with slices "running" / "syscall" (ph B/E), log events (ph i), regions
 * (async b/e, cat "region", id = goroutine ID). pid 2 "Procs": one thread per
 * P with a slice "G<id>" while a goroutine runs on it. pid 3 "Runtime":
 * metrics (counters, ph C) and ranges of global scope. pid 4 "Tasks": user
 * tasks (async b/e, cat "task", id = task ID). Ranges (cat "range") go to the
 * pid of their scope and are keyed by "id2":{"local":scope ID * 64 + range
 * name index} (one async track per scope and range name, as the tracker
 * nests them).
 *
 * Memory. What the tracker keeps (what is open now, and the distinct names);
 * this file keeps no per-goroutine state: a track is named (ph M) at the
 * transition that brings its goroutine or P into the trace.
 *
 * Times. "ts" is in microseconds since the first event, printed from integer
 * nanoseconds with three decimals. The tracker's accounting (export.h): a
 * goroutine first seen in an undetermined state has been in its state since
 * the last Sync, so that the "running" slices of a goroutine add up to the
 * execution time of `gotrace goroutines`; regions, tasks and ranges that
 * began before the trace are drawn from the last Sync. Whatever is still
 * open when the trace ends (or breaks) is closed at the last event's time. A
 * goroutine ID created again after its goroutine ended (cgo callbacks reuse
 * theirs) keeps one track showing every goroutine of that ID, with a new
 * thread_name at each creation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"
#include "gotrace/export.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace timeline [--goroutine ID] [-o OUT] FILE\n\n"
               "Convert the trace into the Trace Event Format JSON (\"Chrome JSON\") that\n"
               "Perfetto (ui.perfetto.dev) and chrome://tracing open, in bounded memory.\n"
               "One event object per line; \"ts\" in microseconds since the first event.\n\n"
               "  pid 1 Goroutines  a track per goroutine: \"running\" and \"syscall\" slices,\n"
               "                    log messages, regions (async, cat \"region\")\n"
               "  pid 2 Procs       a track per P: a slice \"G<id>\" while a goroutine runs\n"
               "  pid 3 Runtime     metrics (counters) and global ranges (GC, STW)\n"
               "  pid 4 Tasks       user tasks (async, cat \"task\")\n\n"
               "  --goroutine ID  only goroutine ID's tracks: its slices (and its \"G<ID>\"\n"
               "           slices on the Ps), regions, logs, tasks it began or ended, and\n"
               "           the ranges scoped to it; times still count from the trace's start\n"
               "  -o OUT   write to OUT (default, or -, standard output); OUT is replaced\n"
               "           only once complete, and may not be FILE\n"
               "Slices still open at the end are closed at the last event. On a broken\n"
               "trace the JSON still covers every event read, and the error follows on\n"
               "stderr. FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

enum { PID_GOROUTINES = 1, PID_PROCS = 2, PID_RUNTIME = 3, PID_TASKS = 4 };

/* ---------------------------------------------------------------- state */

typedef struct timeline {
    FILE *out;
    int64_t t0;        /* the first event's time: ts 0 */
    int64_t now;       /* the latest event's time */
    int any_event;
    int wrote_event;   /* whether a separator is due before the next event */
    int only;          /* --goroutine: only the tracks of goroutine only_g */
    int64_t only_g;
    gt_tl *tl;
    size_t out_len;  /* bytes waiting in out_buf */
    char out_buf[1 << 15];
} timeline;

/* ---------------------------------------------------------------- output */

/* Output goes through out_buf: most of an event is short fixed text and
 * numbers, for which stdio's per-call cost would dominate. */
static void out_flush(timeline *t)
{
    fwrite(t->out_buf, 1, t->out_len, t->out);
    t->out_len = 0;
}

static void out_bytes(timeline *t, const char *p, size_t n)
{
    if (t->out_len + n > sizeof t->out_buf) {
        out_flush(t);
        if (n > sizeof t->out_buf) {
            fwrite(p, 1, n, t->out);
            return;
        }
    }
    memcpy(t->out_buf + t->out_len, p, n);
    t->out_len += n;
}

static void out_str(timeline *t, const char *s) { out_bytes(t, s, strlen(s)); }

static void out_char(timeline *t, char c)
{
    if (t->out_len == sizeof t->out_buf)
        out_flush(t);
    t->out_buf[t->out_len++] = c;
}

/* A JSON string: printable ASCII without quotes or backslashes (every name
 * the command makes up, most of the trace's) is copied as it is, anything
 * else goes through the shared escaper. */
static void out_json_str(timeline *t, gt_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out_flush(t);
            au_json_write_string(t->out, s);
            return;
        }
    }
    out_char(t, '"');
    out_bytes(t, s.ptr, s.len);
    out_char(t, '"');
}

static void out_i64(timeline *t, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    out_bytes(t, p, (size_t)(buf + sizeof buf - p));
}

/* Microseconds since t0 with three decimals, exact from nanoseconds. */
static void put_ts(timeline *t, int64_t ns)
{
    int64_t rel = ns - t->t0;
    if (rel < 0) {
        out_char(t, '-');
        rel = -rel;
    }
    out_i64(t, rel / 1000);
    int frac = (int)(rel % 1000);
    out_char(t, '.');
    out_char(t, (char)('0' + frac / 100));
    out_char(t, (char)('0' + frac / 10 % 10));
    out_char(t, (char)('0' + frac % 10));
}

/* Starts an event object: separator, ph, pid and tid. */
static void event_head(timeline *t, char ph, int pid, int64_t tid)
{
    out_str(t, t->wrote_event ? ",\n{\"ph\":\"" : "\n{\"ph\":\"");
    t->wrote_event = 1;
    out_char(t, ph);
    out_str(t, "\",\"pid\":");
    out_i64(t, pid);
    out_str(t, ",\"tid\":");
    out_i64(t, tid);
}

static void member_ts(timeline *t, int64_t ns)
{
    out_str(t, ",\"ts\":");
    put_ts(t, ns);
}

static void member_name(timeline *t, gt_str name)
{
    out_str(t, ",\"name\":");
    out_json_str(t, name);
}

static gt_str cstr(const char *s) { return (gt_str){s, strlen(s)}; }

/* ph M: a process's or a thread's name. */
static void write_metadata(timeline *t, const char *what, int pid, int64_t tid, gt_str name)
{
    event_head(t, 'M', pid, tid);
    member_name(t, cstr(what));
    out_str(t, ",\"args\":{\"name\":");
    out_json_str(t, name);
    out_str(t, "}}");
}

/* "G<id>" (letter G) or "P<id>" into buf, which holds 24 bytes. */
static gt_str numbered_name(char *buf, char letter, int64_t id)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (id < 0)
        *--p = '-';
    size_t n = (size_t)(digits + sizeof digits - p);
    buf[0] = letter;
    memcpy(buf + 1, p, n);
    return (gt_str){buf, n + 1};
}

/* ph B or E on a thread track. */
static void write_slice(timeline *t, char ph, int pid, int64_t tid, int64_t ns, gt_str name)
{
    event_head(t, ph, pid, tid);
    member_ts(t, ns);
    member_name(t, name);
    out_str(t, "}");
}

/* ph b or e: an async event of category cat. Ranges pass id2_local and are
 * keyed by "id2":{"local":id} (unique per pid), the others by "id". */
static void write_async(timeline *t, char ph, int pid, int64_t tid, int64_t ns, gt_str name, const char *cat,
                        int64_t id, int id2_local)
{
    event_head(t, ph, pid, tid);
    member_ts(t, ns);
    member_name(t, name);
    out_str(t, ",\"cat\":\"");
    out_str(t, cat);
    out_str(t, id2_local ? "\",\"id2\":{\"local\":" : "\",\"id\":");
    out_i64(t, id);
    out_str(t, id2_local ? "}}" : "}");
}

/* -------------------------------------------------------------- tracks */

/* A track's thread_name is written where its goroutine or P first appears
 * in the trace: a transition from NotExist or Undetermined (a goroutine ID
 * created again gets a new name). The name of a goroutine created by
 * GoCreate is "G<id> <function>" (the first frame of the new goroutine's
 * stack), else "G<id>". */
static void name_goroutine(timeline *t, int64_t id, gt_stack start_stack)
{
    const gt_frame *frames;
    char buf[24];
    gt_str name = numbered_name(buf, 'G', id);
    if (!gt_stack_is_empty(start_stack) && gt_stack_frames(start_stack, &frames) > 0) {
        event_head(t, 'M', PID_GOROUTINES, id);
        member_name(t, cstr("thread_name"));
        out_str(t, ",\"args\":{\"name\":\"");
        out_bytes(t, name.ptr, name.len);
        out_char(t, ' ');
        out_flush(t);
        au_json_write_string_body(t->out, frames[0].func);
        out_str(t, "\"}}");
    } else {
        write_metadata(t, "thread_name", PID_GOROUTINES, id, name);
    }
}

static void name_new_track(timeline *t, const gt_event *ev)
{
    gt_state_transition st;
    if (ev->kind != GT_EVENT_STATE_TRANSITION || gt_event_state_transition(ev, &st) ||
        st.old_state == st.new_state)
        return;
    if (st.resource.kind == GT_RESOURCE_GOROUTINE &&
        (st.old_state == GT_GO_NOT_EXIST || st.old_state == GT_GO_UNDETERMINED)) {
        if (!t->only || st.resource.id == t->only_g)
            name_goroutine(t, st.resource.id, st.old_state == GT_GO_NOT_EXIST ? st.stack : (gt_stack){NULL, 0});
    } else if (st.resource.kind == GT_RESOURCE_PROC &&
               (st.old_state == GT_PROC_NOT_EXIST || st.old_state == GT_PROC_UNDETERMINED)) {
        char buf[24];
        write_metadata(t, "thread_name", PID_PROCS, st.resource.id, numbered_name(buf, 'P', st.resource.id));
    }
}

/* ------------------------------------------------------------- the sink */

/* Writes a begin (B, b) or an end (E, e) of what this format shows: running
 * and syscall slices, P slices, regions, tasks and ranges. Ranges are keyed
 * by "id2":{"local":scope ID * 64 + the range name's index}: the same number
 * names a goroutine, a P and the global scope, and each range name has its
 * own async track, where slices nest. */
static int write_tl_slice(timeline *t, const gt_tl_slice *s, int begin)
{
    char buf[24];
    int64_t id = s->track.id;
    switch (s->kind) {
    case GT_TL_RUNNING:
    case GT_TL_SYSCALL:
        write_slice(t, begin ? 'B' : 'E', PID_GOROUTINES, id, s->time,
                    cstr(s->kind == GT_TL_RUNNING ? "running" : "syscall"));
        break;
    case GT_TL_PROC_RUNS:
        write_slice(t, begin ? 'B' : 'E', PID_PROCS, id, s->time, numbered_name(buf, 'G', s->goroutine));
        break;
    case GT_TL_REGION:
        write_async(t, begin ? 'b' : 'e', PID_GOROUTINES, id, s->time, s->name, "region", id, 0);
        break;
    case GT_TL_TASK:
        write_async(t, begin ? 'b' : 'e', PID_TASKS, 0, s->time, s->name, "task", (int64_t)s->task, 0);
        break;
    case GT_TL_RANGE: {
        int pid = s->track.scope == GT_RESOURCE_GOROUTINE ? PID_GOROUTINES
                  : s->track.scope == GT_RESOURCE_PROC    ? PID_PROCS
                                                          : PID_RUNTIME;
        write_async(t, begin ? 'b' : 'e', pid, id, s->time, s->name, "range", id * 64 + (int64_t)s->track.range_index,
                    1);
        break;
    }
    default:
        break;  /* Runnable, Waiting, threads: not in this format */
    }
    return 0;
}

static int sink_begin(void *ctx, const gt_tl_slice *s) { return write_tl_slice(ctx, s, 1); }
static int sink_end(void *ctx, const gt_tl_slice *s) { return write_tl_slice(ctx, s, 0); }

static int sink_instant(void *ctx, const gt_tl_instant *in)
{
    timeline *t = ctx;
    if (in->kind != GT_TL_LOG)
        return 0;
    int pid = PID_RUNTIME;
    int64_t tid = 0;
    if (in->track.id >= 0) {
        pid = PID_GOROUTINES;
        tid = in->track.id;
    }
    event_head(t, 'i', pid, tid);
    member_ts(t, in->time);
    member_name(t, in->category.len ? in->category : cstr("log"));
    out_str(t, ",\"s\":\"t\",\"args\":{\"message\":");
    out_json_str(t, in->message);
    out_str(t, "}}");
    return 0;
}

static int sink_counter(void *ctx, const gt_tl_counter *c)
{
    timeline *t = ctx;
    if (c->kind != GT_TL_METRIC)
        return 0;  /* goroutine and thread counts: not in this format */
    event_head(t, 'C', PID_RUNTIME, 0);
    member_ts(t, c->time);
    member_name(t, c->name);
    out_str(t, ",\"args\":{\"value\":");
    if (c->value < 0) {  /* a uint64 value above INT64_MAX */
        out_flush(t);
        fprintf(t->out, "%llu", (unsigned long long)(uint64_t)c->value);
    } else {
        out_i64(t, c->value);
    }
    out_str(t, "}}");
    return 0;
}

/* With --goroutine ID, whether ev belongs on ID's tracks: its state
 * transitions (whoever makes them), the ranges scoped to it, and its other
 * events (regions, tasks, logs); not metrics, nor other goroutines' or the
 * runtime's ranges, nor the transitions it makes of other goroutines. Only
 * these events (and the Syncs) reach the tracker. */
static int on_only_goroutine(const timeline *t, const gt_event *ev)
{
    gt_state_transition st;
    gt_range r;
    switch (ev->kind) {
    case GT_EVENT_SYNC: return 1;
    case GT_EVENT_METRIC: return 0;
    case GT_EVENT_STATE_TRANSITION:
        return !gt_event_state_transition(ev, &st) && st.resource.kind == GT_RESOURCE_GOROUTINE &&
               st.resource.id == t->only_g;
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        return !gt_event_range(ev, &r) && r.scope.kind == GT_RESOURCE_GOROUTINE && r.scope.id == t->only_g;
    default: return ev->goroutine == t->only_g;
    }
}

/* Returns 0, or nonzero when memory ran out. */
static int on_event(timeline *t, const gt_event *ev)
{
    if (!t->any_event) {
        t->any_event = 1;
        t->t0 = ev->time;
    }
    t->now = ev->time;
    name_new_track(t, ev);
    if (t->only && !on_only_goroutine(t, ev))
        return 0;
    return gt_tl_event(t->tl, ev);
}

static void write_header(timeline *t)
{
    out_str(t, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
    write_metadata(t, "process_name", PID_GOROUTINES, 0, cstr("Goroutines"));
    write_metadata(t, "process_name", PID_PROCS, 0, cstr("Procs"));
    write_metadata(t, "process_name", PID_RUNTIME, 0, cstr("Runtime"));
    write_metadata(t, "thread_name", PID_RUNTIME, 0, cstr("Runtime"));
    write_metadata(t, "process_name", PID_TASKS, 0, cstr("Tasks"));
    write_metadata(t, "thread_name", PID_TASKS, 0, cstr("Tasks"));
}

int cmd_timeline(int argc, char **argv)
{
    const char *path = NULL, *out_path = "-";
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_OUT = 1, OPT_GOROUTINE };
    static const cli_option opts[] = {{"o", 1, OPT_OUT}, {"goroutine", 1, OPT_GOROUTINE}, {NULL, 0, 0}};
    int only = 0;
    int64_t only_g = 0;
    cli_args a;
    cli_args_init(&a, "timeline", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        char *end;
        switch (opt) {
        case OPT_OUT: out_path = a.value; break;
        case OPT_GOROUTINE:
            errno = 0;
            only_g = strtoll(a.value, &end, 10);
            if (end == a.value || *end || errno || only_g < 0)
                return cli_usage_error("timeline", "bad goroutine ID '%s'", a.value);
            only = 1;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;

    /* The output is opened first: a refusal (the input itself) comes
     * before the input is touched, and OUT is replaced only once complete. */
    cli_output out;
    int rc = cli_output_open(&out, "timeline", out_path, path);
    if (rc)
        return rc;
    cli_input in;
    if ((rc = cli_input_open(&in, "timeline", path, 0)) != 0) {
        cli_output_abort(&out);
        return rc;
    }
    gt_error err;
    gt_reader *r = cli_reader_open_fd(in.fd, &err);
    if (!r && err.code == GT_ERR_IO) {
        cli_output_abort(&out);
        cli_input_close(&in);
        return cli_usage_error("timeline", "cannot read %s: %s", path, err.message);
    }
    timeline t;
    memset(&t, 0, sizeof t);
    t.out = out.f;
    t.only = only;
    t.only_g = only_g;
    gt_tl_sink sink = {&t, sink_begin, sink_end, sink_instant, sink_counter, NULL};
    t.tl = gt_tl_new(&sink);
    setvbuf(t.out, NULL, _IOFBF, 1 << 16);  /* the output is large: fewer writes */
    write_header(&t);

    int no_memory = !t.tl, write_rc = 0;
    cli_progress progress = {0, 0, 0};
    if (r && t.tl) {
        enum { BATCH = 256 };
        gt_event evs[BATCH];
        size_t n;
        do {
            n = gt_reader_next_batch(r, evs, BATCH);
            for (size_t i = 0; i < n && !no_memory; i++) {
                cli_progress_event(&progress, r, &evs[i]);
                no_memory = on_event(&t, &evs[i]) != 0;
            }
            write_rc = cli_write_check(t.out);  /* stop reading at the first failed write */
        } while (n > 0 && !no_memory && !write_rc);
        cli_progress_finish(&progress, r);
    }
    if (!write_rc) {
        if (t.tl && !no_memory)  /* whatever is open ends at the last event */
            no_memory = gt_tl_close(t.tl, t.now) != 0;
        out_str(&t, "\n]}\n");
        out_flush(&t);
    }
    /* The JSON of a broken trace is kept (it covers every event read); a
     * failed write leaves OUT as it was. */
    if (write_rc)
        cli_output_abort(&out);
    else
        write_rc = cli_output_close(&out);

    rc = cli_end_status("timeline", path, write_rc, no_memory, r ? NULL : &err, in.fd, r ? gt_reader_error(r) : NULL,
                        &progress);
    gt_reader_free(r);
    gt_tl_free(t.tl);
    int in_rc = cli_input_close(&in);
    return rc ? rc : in_rc;
}
