/* Hostile sizes and counts: inputs that claim lengths, counts and IDs near
 * 2^64, or hold millions of tiny items, built here in memory (nothing big is
 * committed). Each must either read or fail with an error -- never be
 * killed, never run out of memory -- while memory stays within a small
 * multiple of the input: every case runs in a child process whose address
 * space is capped at 4 x input + 64 MB (RLIMIT_AS, as `ulimit -v` sets it;
 * one class with inherent per-item state gets 48 x, see below), twice:
 *   lib  the library in-process (gt_reader / the text reader) to the end;
 *   cli  the gotrace CLI ($GOTRACE) on the input written to a file
 *        (dump for binary traces, convert --to=binary for text).
 * Running out of memory under the cap is a failure, as that means the
 * reader believed a size the input does not back.
 *
 * Under AddressSanitizer the address-space cap cannot be used (the shadow
 * memory alone exceeds it); the cases then run without it, with ASan's
 * per-allocation cap for the CLI instead (max_allocation_size_mb). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/raw.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A case that runs longer than this is taken to hang. It is CPU time
 * (RLIMIT_CPU, SIGXCPU), so that a loaded machine (CI, a fuzzer beside the
 * tests) cannot trip it; a wall-clock alarm ten times longer catches a case
 * blocked without spending CPU. */
#define CASE_CPU_SECONDS 60
#define CASE_WALL_SECONDS (10 * CASE_CPU_SECONDS)
#define CAP_SLACK ((uint64_t)64 << 20)

/* ------------------------------------------------------------ byte builder */

typedef struct {
    uint8_t *b;
    size_t n, cap;
} bytes;

static void reserve(bytes *o, size_t more)
{
    if (o->n + more <= o->cap)
        return;
    size_t c = o->cap ? o->cap : 4096;
    while (c < o->n + more)
        c *= 2;
    uint8_t *nb = realloc(o->b, c);
    if (!nb) {
        fprintf(stderr, "out of memory building a test input\n");
        exit(2);
    }
    o->b = nb;
    o->cap = c;
}
static void put(bytes *o, uint8_t c)
{
    reserve(o, 1);
    o->b[o->n++] = c;
}
static void put_raw(bytes *o, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL then */
    reserve(o, n);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put_str(bytes *o, const char *s) { put_raw(o, s, strlen(s)); }
static void uv(bytes *o, uint64_t v)
{
    while (v >= 0x80) {
        put(o, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(o, (uint8_t)v);
}

/* Go 1.22 wire types (tracev2 numbering). */
enum { EV_EVENT_BATCH = 1, EV_STACKS = 2, EV_STACK = 3, EV_STRINGS = 4, EV_STRING = 5, EV_FREQUENCY = 8,
       EV_PROC_STATUS = 13, EV_GO_CREATE = 14, EV_GO_STATUS = 25, EV_USER_TASK_BEGIN = 40 };
#define NO_THREAD UINT64_MAX

static void header_v2(bytes *o) { put_raw(o, "go 1.22 trace\0\0\0", 16); }

static void batch(bytes *o, uint64_t gen, uint64_t m, uint64_t time, const bytes *data)
{
    put(o, EV_EVENT_BATCH);
    uv(o, gen);
    uv(o, m);
    uv(o, time);
    uv(o, data->n);
    put_raw(o, data->b, data->n);
}

/* A frequency batch, so that the generation is otherwise valid. */
static void frequency_batch(bytes *o, uint64_t gen)
{
    bytes d = {0};
    put(&d, EV_FREQUENCY);
    uv(&d, 1000000000);
    batch(o, gen, NO_THREAD, 1, &d);
    free(d.b);
}

/* ------------------------------------------------------------ the inputs */

typedef enum { INPUT_BINARY, INPUT_TEXT } input_kind;

typedef struct {
    const char *name;
    input_kind kind;
    void (*build)(bytes *o);
    unsigned cap_factor;  /* memory cap: cap_factor x input + 64 MB */
} hostile_case;

/* A Strings or Stacks batch of one entry: its ID, its claimed length (bytes
 * or frames), then tail (may be NULL) as the entry's content. */
static void one_entry_batch(bytes *o, uint8_t list_type, uint8_t entry_type, uint64_t id, uint64_t claimed,
                            const bytes *tail)
{
    bytes d = {0};
    put(&d, list_type);
    put(&d, entry_type);
    uv(&d, id);
    uv(&d, claimed);
    if (tail)
        put_raw(&d, tail->b, tail->n);
    batch(o, 1, NO_THREAD, 1, &d);
    free(d.b);
}

/* A string whose length is 2^64-1, and nothing after it. */
static void string_len_max(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    one_entry_batch(o, EV_STRINGS, EV_STRING, 1, UINT64_MAX, NULL);
}

/* A string of 2^40 bytes claimed, 3 present. */
static void string_len_2p40(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes tail = {0};
    put_str(&tail, "abc");
    one_entry_batch(o, EV_STRINGS, EV_STRING, 1, (uint64_t)1 << 40, &tail);
    free(tail.b);
}

/* Stacks claiming 2^62 frames (one frame present) and 2^64-1 frames. */
static void stack_frames_huge(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes frame = {0};
    for (int i = 0; i < 4; i++)
        uv(&frame, (uint64_t)i + 1);
    one_entry_batch(o, EV_STACKS, EV_STACK, 1, (uint64_t)1 << 62, &frame);
    one_entry_batch(o, EV_STACKS, EV_STACK, 2, UINT64_MAX, NULL);
    free(frame.b);
}

/* A stack claiming one million frames in a 64 KB batch (it holds ~16000). */
static void stack_frames_million(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes frames = {0};
    while (frames.n < 60000)
        uv(&frames, 1);
    one_entry_batch(o, EV_STACKS, EV_STACK, 1, 1000000, &frames);
    free(frames.b);
}

/* Batch sizes: 2^64-1, just over Go's 64 KB maximum, and 64 KB, each
 * claimed by a batch (gen 1, M 0) with 10 bytes. */
static void batch_claiming(bytes *o, uint64_t size)
{
    header_v2(o);
    frequency_batch(o, 1);
    put(o, EV_EVENT_BATCH);
    uv(o, 1);
    uv(o, 0);
    uv(o, 1);
    uv(o, size);
    put_str(o, "0123456789");
}
static void batch_size_max(bytes *o) { batch_claiming(o, UINT64_MAX); }
static void batch_size_over_limit(bytes *o) { batch_claiming(o, (64 << 10) + 1); }
static void batch_size_short(bytes *o) { batch_claiming(o, 64 << 10); }

/* IDs near 2^64 everywhere: M, P, goroutine, string, stack and task IDs. */
static void ids_huge(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes d = {0};
    put(&d, EV_STRINGS);
    put(&d, EV_STRING);
    uv(&d, UINT64_MAX);
    uv(&d, 1);
    put(&d, 'x');
    batch(o, 1, NO_THREAD, 1, &d);
    d.n = 0;
    put(&d, EV_STACKS);
    put(&d, EV_STACK);
    uv(&d, UINT64_MAX - 1);
    uv(&d, 1);
    uv(&d, UINT64_MAX); /* pc */
    uv(&d, UINT64_MAX); /* func string */
    uv(&d, UINT64_MAX); /* file string */
    uv(&d, UINT64_MAX); /* line */
    batch(o, 1, NO_THREAD, 1, &d);
    d.n = 0;
    put(&d, EV_PROC_STATUS);
    uv(&d, 1);
    uv(&d, UINT64_MAX - 1); /* P */
    uv(&d, 1);              /* running */
    put(&d, EV_GO_STATUS);
    uv(&d, 1);
    uv(&d, UINT64_MAX - 1); /* G */
    uv(&d, UINT64_MAX - 2); /* M */
    uv(&d, 2);              /* running */
    put(&d, EV_GO_CREATE);
    uv(&d, 1);
    uv(&d, UINT64_MAX);     /* new G */
    uv(&d, UINT64_MAX - 1); /* its stack */
    uv(&d, UINT64_MAX - 1); /* creator's stack */
    put(&d, EV_USER_TASK_BEGIN);
    uv(&d, 1);
    uv(&d, UINT64_MAX); /* task */
    uv(&d, UINT64_MAX); /* parent */
    uv(&d, UINT64_MAX); /* name string */
    uv(&d, UINT64_MAX - 1);
    batch(o, 1, UINT64_MAX - 2, 2, &d);
    free(d.b);
}

/* Generation numbers 2^64-1, then a jump back to 1. */
static void generation_huge(bytes *o)
{
    header_v2(o);
    frequency_batch(o, UINT64_MAX);
    frequency_batch(o, UINT64_MAX - 1);
    frequency_batch(o, 1);
}

/* Two million empty batches of one generation on four Ms. */
static void tiny_batches(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes d = {0};
    for (uint64_t i = 0; i < 2000000; i++)
        batch(o, 1, i % 4, 1000 + i, &d);
}

/* Half a million one-event batches, each on its own M (13 bytes each).
 * Every M needs its own state whatever the encoding (Go's reader: its batch
 * list, cursor and ordering state, ~1.7 KB per M), so this class gets a
 * larger cap, still linear in the input: it catches per-M costs that grow
 * with anything but the input (e.g. a fixed 64 KB buffer per M). */
static void tiny_batches_distinct_m(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes d = {0};
    put(&d, EV_PROC_STATUS);
    uv(&d, 1);
    uv(&d, 0);
    uv(&d, 2); /* idle */
    for (uint64_t i = 0; i < 500000; i++)
        batch(o, 1, i, 1000 + i, &d);
    free(d.b);
}

/* Two million generations of one frequency batch each. */
static void tiny_generations(bytes *o)
{
    header_v2(o);
    for (uint64_t g = 1; g <= 2000000; g++)
        frequency_batch(o, g);
}

/* One million empty strings in 64 KB batches. */
static void many_strings(bytes *o)
{
    header_v2(o);
    frequency_batch(o, 1);
    bytes d = {0};
    uint64_t id = 1;
    for (int b = 0; b < 100; b++) {
        d.n = 0;
        put(&d, EV_STRINGS);
        for (int i = 0; i < 10000; i++, id++) {
            put(&d, EV_STRING);
            uv(&d, id);
            uv(&d, 0);
        }
        batch(o, 1, NO_THREAD, 1, &d);
    }
    free(d.b);
}

/* Old format: millions of tiny batches (EvBatch P=0, time), and a string
 * claiming 2^64-1 bytes. */
static void v1_tiny_batches(bytes *o)
{
    put_raw(o, "go 1.19 trace\0\0\0", 16);
    for (uint64_t i = 0; i < 2000000; i++) {
        put(o, 1 | 1 << 6); /* EvBatch, narg bits 1 */
        uv(o, 0);
        uv(o, 1000 + i);
    }
    put(o, 2); /* EvFrequency */
    uv(o, 1000000000);
}
/* Old format: two million 3-byte HeapAlloc events in one batch. Go's old
 * reader holds the whole trace as events before ordering it (so does ours),
 * which costs tens of bytes per event: a larger cap, as for per-M state. */
static void v1_many_events(bytes *o)
{
    put_raw(o, "go 1.19 trace\0\0\0", 16);
    put(o, 1 | 1 << 6); /* EvBatch P=0 time=1 */
    uv(o, 0);
    uv(o, 1);
    for (int i = 0; i < 2000000; i++) {
        put(o, 33 | 1 << 6); /* EvHeapAlloc: time delta, bytes */
        uv(o, 1);
        uv(o, (uint64_t)i & 0x7f);
    }
    put(o, 2); /* EvFrequency */
    uv(o, 1000000000);
}
static void v1_string_len_max(bytes *o)
{
    put_raw(o, "go 1.21 trace\0\0\0", 16);
    put(o, 37); /* EvString */
    uv(o, 1);
    uv(o, UINT64_MAX);
    put_str(o, "abc");
}

/* Text: a stack claiming 2^64-1 frames; a String data line of 16 MB of
 * escapes; a line of 200000 arguments; 500000 lines of one frame each under
 * one Stack (deep stack). */
/* A text trace: the batch line, then head, count copies of piece, tail. */
static void text_trace(bytes *o, const char *head, const char *piece, int count, const char *tail)
{
    put_str(o, "Trace Go1.22\nEventBatch gen=1 m=18446744073709551615 time=1 size=0\n");
    put_str(o, head);
    for (int i = 0; i < count; i++)
        put_str(o, piece);
    put_str(o, tail);
}
static void text_stack_count_max(bytes *o)
{
    text_trace(o, "Stacks\nStack id=1 nframes=18446744073709551615\n", "\tpc=1 func=1 file=1 line=1\n", 1, "");
}
static void text_long_escapes(bytes *o) { text_trace(o, "Strings\nString id=1\n\tdata=\"", "\\x00", 4 << 20, "\"\n"); }
static void text_many_args(bytes *o) { text_trace(o, "Frequency freq=1", " freq=1", 200000, "\n"); }
static void text_deep_stack(bytes *o)
{
    text_trace(o, "Stacks\nStack id=1 nframes=500000\n", "\tpc=1 func=1 file=1 line=1\n", 500000, "");
}

static const hostile_case cases[] = {
    {"string-len-max", INPUT_BINARY, string_len_max, 4},
    {"string-len-2^40", INPUT_BINARY, string_len_2p40, 4},
    {"stack-frames-huge", INPUT_BINARY, stack_frames_huge, 4},
    {"stack-frames-million", INPUT_BINARY, stack_frames_million, 4},
    {"batch-size-max", INPUT_BINARY, batch_size_max, 4},
    {"batch-size-over-limit", INPUT_BINARY, batch_size_over_limit, 4},
    {"batch-size-short", INPUT_BINARY, batch_size_short, 4},
    {"ids-huge", INPUT_BINARY, ids_huge, 4},
    {"generation-huge", INPUT_BINARY, generation_huge, 4},
    {"tiny-batches", INPUT_BINARY, tiny_batches, 4},
    {"tiny-batches-distinct-m", INPUT_BINARY, tiny_batches_distinct_m, 48},
    {"tiny-generations", INPUT_BINARY, tiny_generations, 4},
    {"many-strings", INPUT_BINARY, many_strings, 4},
    {"v1-tiny-batches", INPUT_BINARY, v1_tiny_batches, 4},
    {"v1-many-events", INPUT_BINARY, v1_many_events, 48},
    {"v1-string-len-max", INPUT_BINARY, v1_string_len_max, 4},
    {"text-stack-count-max", INPUT_TEXT, text_stack_count_max, 4},
    {"text-long-escapes", INPUT_TEXT, text_long_escapes, 4},
    {"text-many-args", INPUT_TEXT, text_many_args, 4},
    {"text-deep-stack", INPUT_TEXT, text_deep_stack, 4},
};

/* ------------------------------------------------------------ running */

/* Child exit statuses of the in-process run. */
enum { CHILD_READ = 0, CHILD_ERROR = 1, CHILD_NOMEM = 3 };

static uint64_t current_vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* In a child about to run one case: the hang guards above. */
static void limit_time(void)
{
    struct rlimit rl = {CASE_CPU_SECONDS, CASE_CPU_SECONDS + 5};
    setrlimit(RLIMIT_CPU, &rl);
    alarm(CASE_WALL_SECONDS);
}

/* Whether a child's fatal signal is one of the hang guards'. */
static int timed_out(int sig) { return sig == SIGXCPU || sig == SIGALRM; }

static void cap_memory(uint64_t bytes_allowed)
{
    if (UNDER_ASAN)
        return;
    struct rlimit rl = {bytes_allowed, bytes_allowed};
    setrlimit(RLIMIT_AS, &rl);
}

/* In the child: read the whole input with the library; exit with CHILD_*.
 * The error message goes to fd 3's pipe for the report. */
static int library_read(const bytes *in, input_kind kind, char *msg, size_t cap)
{
    gt_error err;
    memset(&err, 0, sizeof err);
    size_t events = 0;
    int failed = 0;
    if (kind == INPUT_BINARY) {
        gt_reader *r = gt_reader_open_memory(in->b, in->n, &err);
        if (!r) {
            failed = 1;
        } else {
            gt_event ev;
            while (gt_reader_next(r, &ev) == 1)
                events++;
            if (gt_reader_error(r)) {
                err = *gt_reader_error(r);
                failed = 1;
            }
            gt_reader_free(r);
        }
    } else {
        gt_raw_reader *r = gt_raw_open_text(in->b, in->n, &err);
        if (!r) {
            failed = 1;
        } else {
            gt_raw_event ev;
            int rc;
            while ((rc = gt_raw_next(r, &ev)) == 1)
                events++;
            if (rc < 0) {
                err = *gt_raw_error(r);
                failed = 1;
            }
            gt_raw_free(r);
        }
    }
    if (failed)
        snprintf(msg, cap, "%s error: %.400s", gt_errcode_name(err.code), err.message);
    else
        snprintf(msg, cap, "read %zu events", events);
    return !failed ? CHILD_READ : err.code == GT_ERR_NOMEM ? CHILD_NOMEM : CHILD_ERROR;
}

/* Runs fn in a child under the memory cap; returns a description of what
 * went wrong, or NULL. out receives the child's one-line message. */
static const char *run_library(const bytes *in, input_kind kind, uint64_t allowed, char *out, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0)
        return "pipe failed";
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return "fork failed";
    if (pid == 0) {
        close(fds[0]);
        cap_memory(current_vm_bytes() + allowed);
        limit_time();
        char msg[512];
        int rc = library_read(in, kind, msg, sizeof msg);
        if (write(fds[1], msg, strlen(msg)) < 0)
            rc = 2;
        _exit(rc);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], out, cap - 1);
    out[got > 0 ? got : 0] = 0;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status))
        return timed_out(WTERMSIG(status)) ? "the library did not finish in time" : "the library was killed";
    if (WEXITSTATUS(status) == CHILD_NOMEM)
        return "the library ran out of memory under the cap";
    if (WEXITSTATUS(status) != CHILD_READ && WEXITSTATUS(status) != CHILD_ERROR)
        return "the library run exited oddly";
    return NULL;
}

/* Runs the CLI on path under the memory cap. */
static const char *run_cli(const char *gotrace, const char *path, input_kind kind, uint64_t allowed, char *out,
                           size_t cap)
{
    char errpath[4200];
    snprintf(errpath, sizeof errpath, "%s.err", path);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return "fork failed";
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen(errpath, "w", stderr))
            _exit(99);
        if (UNDER_ASAN) {
            char opts[256];
            const char *old = getenv("ASAN_OPTIONS");
            snprintf(opts, sizeof opts, "%s%smax_allocation_size_mb=%llu:allocator_may_return_null=0:exitcode=86",
                     old ? old : "", old && *old ? ":" : "", (unsigned long long)(allowed >> 20));
            setenv("ASAN_OPTIONS", opts, 1);
        }
        cap_memory(allowed);
        limit_time();
        if (kind == INPUT_BINARY)
            execl(gotrace, gotrace, "dump", path, (char *)NULL);
        else
            execl(gotrace, gotrace, "convert", "--to=binary", path, "/dev/null", (char *)NULL);
        _exit(98);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    FILE *f = fopen(errpath, "r");
    out[0] = 0;
    if (f) {
        if (!fgets(out, (int)cap, f))
            out[0] = 0;
        out[strcspn(out, "\n")] = 0;
        fclose(f);
    }
    remove(errpath);
    if (WIFSIGNALED(status))
        return timed_out(WTERMSIG(status)) ? "the CLI did not finish in time" : "the CLI was killed";
    if (WEXITSTATUS(status) > 1)
        return "the CLI exited with status > 1";
    if (strstr(out, "out of memory"))
        return "the CLI ran out of memory under the cap";
    return NULL;
}

int main(void)
{
    const char *gotrace = getenv("GOTRACE");
    struct stat st;
    if (!gotrace || stat(gotrace, &st) != 0)
        gotrace = NULL;
    char dir[] = "/tmp/gt-hostile-XXXXXX";
    if (!mkdtemp(dir)) {
        check(0, "hostile:setup", "mkdtemp failed");
        return check_done();
    }
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const hostile_case *c = &cases[i];
        bytes in = {0};
        c->build(&in);
        uint64_t allowed = c->cap_factor * (uint64_t)in.n + CAP_SLACK;
        char name[128], msg[600];

        snprintf(name, sizeof name, "hostile:%s:lib", c->name);
        const char *why = run_library(&in, c->kind, allowed, msg, sizeof msg);
        if (check(why == NULL, name, "%s (%zu input bytes; %s)", why, in.n, msg))
            printf("# %s: %zu bytes: %s\n", name, in.n, msg);

        snprintf(name, sizeof name, "hostile:%s:cli", c->name);
        if (!gotrace) {
            check_skip(name, "GOTRACE is not set to the gotrace binary");
        } else {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, c->name);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(in.b, 1, in.n, f) != in.n) {
                check(0, name, "cannot write %s", path);
            } else {
                fclose(f);
                f = NULL;
                why = run_cli(gotrace, path, c->kind, allowed, msg, sizeof msg);
                if (check(why == NULL, name, "%s (%zu input bytes; stderr: %s)", why, in.n, msg))
                    printf("# %s: %s\n", name, msg[0] ? msg : "read fine");
            }
            if (f)
                fclose(f);
            remove(path);
        }
        free(in.b);
    }
    rmdir(dir);
    return check_done();
}
