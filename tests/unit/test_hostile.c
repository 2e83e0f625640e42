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
#include <glob.h>
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
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif
/* The sanitizers reserve terabytes of shadow address space: no RLIMIT_AS. */
#define UNDER_SANITIZER (UNDER_ASAN || UNDER_TSAN)

/* A case that runs longer than this is taken to hang. It is CPU time
 * (RLIMIT_CPU, SIGXCPU), so that a loaded machine (CI, a fuzzer beside the
 * tests) cannot trip it; a wall-clock alarm ten times longer catches a case
 * blocked without spending CPU. */
#define CASE_CPU_SECONDS 60
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
       EV_PROC_STATUS = 13, EV_GO_CREATE = 14, EV_GO_SYSCALL_BEGIN = 22, EV_GO_SYSCALL_END = 23,
       EV_GO_STATUS = 25, EV_HEAP_ALLOC = 37, EV_USER_TASK_BEGIN = 40, EV_USER_TASK_END = 41,
       EV_USER_REGION_BEGIN = 42, EV_USER_REGION_END = 43, EV_USER_LOG = 44 };
enum { PROC_RUNNING = 1, GO_RUNNING = 2 };
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

/* Two million empty batches of one generation on four Ms. Every 7-byte
 * batch needs a record until its generation is ordered (gt_batch: 48 bytes,
 * as Go's batch struct, plus its index in its M's list), so this class gets
 * a cap of 8 x input: linear, with room for the geometric growth of the
 * batch array. At 4 x it passed by under 1 MB, and the CLI's fixed address
 * space (shared libraries: libsqlite3 since gotrace sql) used that up. */
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
    {"tiny-batches", INPUT_BINARY, tiny_batches, 8},
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

/* ------------------------------------------------------------ CLI inputs
 *
 * Traces for the CLI matrix below: valid Go 1.22 traces (Go's reader reads
 * them to the end) whose shape stresses one cost at a time. Each generation
 * has its Frequency batch, its strings and stacks, and per M one P and one
 * goroutine running through rounds of a syscall, a task with a region and a
 * log, a goroutine creation and a heap sample, every one naming a stack and
 * a string of the generation; so each command has work to do (tasks,
 * regions, goroutines, the syscall profile, the MMU's heap samples). */
typedef struct {
    unsigned gens;       /* generations */
    unsigned ms;         /* Ms (each with its own P and goroutine) */
    unsigned rounds;     /* rounds of events per M and generation */
    unsigned nstrings;   /* strings per generation (>= 1) */
    unsigned string_len; /* their length (Go's maximum: 1024) */
    unsigned nstacks;    /* stacks per generation (>= 1) */
    unsigned frames;     /* frames per stack (Go's maximum: 128) */
    uint64_t id_base;    /* string and stack k has ID id_base + k * id_stride */
    uint64_t id_stride;
} workload;

/* Batches stay under Go's 64 KB limit. */
#define BATCH_FILL 60000

static void event_args(bytes *d, uint8_t type, int n, const uint64_t *args)
{
    put(d, type);
    for (int i = 0; i < n; i++)
        uv(d, args[i]);
}
#define EVENT(d, type, ...) \
    event_args(d, type, sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t), (uint64_t[]){__VA_ARGS__})

static uint64_t workload_id(const workload *w, uint64_t k) { return w->id_base + k * w->id_stride; }

/* Writes d as a batch of its own when adding more would pass BATCH_FILL,
 * and starts the next one with its list header (0: none). */
static void flush_batch(bytes *o, bytes *d, size_t more, uint64_t gen, uint64_t m, uint64_t time, uint8_t header)
{
    size_t empty = header ? 1 : 0;
    if (d->n + more <= BATCH_FILL || d->n <= empty)
        return;
    batch(o, gen, m, time, d);
    d->n = 0;
    if (header)
        put(d, header);
}

static void workload_tables(bytes *o, const workload *w, uint64_t gen)
{
    bytes d = {0};
    char text[1100];
    put(&d, EV_STRINGS);
    for (unsigned k = 0; k < w->nstrings; k++) {
        int n = snprintf(text, sizeof text, "main.f%u_g%llu_", k, (unsigned long long)gen);
        size_t len = w->string_len > (unsigned)n ? w->string_len : (size_t)n;
        if (len > 1024)
            len = 1024;
        memset(text + n, 'x', len > (size_t)n ? len - (size_t)n : 0);
        flush_batch(o, &d, len + 24, gen, NO_THREAD, 1, EV_STRINGS);
        put(&d, EV_STRING);
        uv(&d, workload_id(w, k));
        uv(&d, len);
        put_raw(&d, text, len);
    }
    batch(o, gen, NO_THREAD, 1, &d);
    d.n = 0;
    put(&d, EV_STACKS);
    for (unsigned k = 0; k < w->nstacks; k++) {
        flush_batch(o, &d, 24 + (size_t)w->frames * 40, gen, NO_THREAD, 1, EV_STACKS);
        put(&d, EV_STACK);
        uv(&d, workload_id(w, k));
        uv(&d, w->frames);
        for (unsigned f = 0; f < w->frames; f++) {
            uv(&d, 0x400000 + ((uint64_t)k * w->frames + f) * 16); /* pc: distinct per frame */
            uv(&d, workload_id(w, (k + f) % w->nstrings));         /* function */
            uv(&d, workload_id(w, (k + 7 * f + 1) % w->nstrings)); /* file */
            uv(&d, f + 1);                                         /* line */
        }
    }
    batch(o, gen, NO_THREAD, 1, &d);
    free(d.b);
}

static void workload_trace(bytes *o, const workload *w)
{
    header_v2(o);
    uint64_t time = 1000, next_task = 1, next_goroutine = w->ms + 1;
    bytes d = {0};
    for (uint64_t gen = 1; gen <= w->gens; gen++) {
        frequency_batch(o, gen);
        workload_tables(o, w, gen);
        uint64_t gen_end = time;
        for (uint64_t m = 0; m < w->ms; m++) {
            uint64_t t = time, batch_time = time;
            d.n = 0;
            EVENT(&d, EV_PROC_STATUS, 1, m, PROC_RUNNING);
            EVENT(&d, EV_GO_STATUS, 1, m + 1, m, GO_RUNNING);
            t += 2;
            for (uint64_t r = 0; r < w->rounds; r++) {
                if (d.n > BATCH_FILL) {
                    batch(o, gen, m, batch_time, &d);
                    d.n = 0;
                    batch_time = t;
                }
                uint64_t k = m * w->rounds + r;
                uint64_t stack = workload_id(w, k % w->nstacks), name = workload_id(w, k % w->nstrings);
                uint64_t value = workload_id(w, (k + 1) % w->nstrings), task = next_task++;
                EVENT(&d, EV_GO_SYSCALL_BEGIN, 1, r + 1, stack); /* P sequence: 1, 2, ... per generation */
                EVENT(&d, EV_GO_SYSCALL_END, 1);
                EVENT(&d, EV_USER_TASK_BEGIN, 1, task, 0, name, stack);
                EVENT(&d, EV_USER_REGION_BEGIN, 1, task, name, stack);
                EVENT(&d, EV_USER_LOG, 1, task, name, value, stack);
                EVENT(&d, EV_USER_REGION_END, 1, task, name, stack);
                EVENT(&d, EV_USER_TASK_END, 1, task, stack);
                EVENT(&d, EV_GO_CREATE, 1, next_goroutine++, stack, stack);
                EVENT(&d, EV_HEAP_ALLOC, 1, 4096 * (k + 1));
                t += 9;
            }
            batch(o, gen, m, batch_time, &d);
            if (t > gen_end)
                gen_end = t;
        }
        time = gen_end + 10;
    }
    free(d.b);
}

/* The CLI inputs: each one cost at its extreme, within ~2 MB. */
typedef struct {
    const char *name;
    workload w;
} cli_case;

static const cli_case cli_cases[] = {
    /* Defect 1 of issue 12: one string and one stack of ID 2^20-1 in each of
     * thousands of generations. */
    {"sparse-ids-2^20-3000-gens", {3000, 1, 1, 1, 16, 1, 2, (1 << 20) - 1, 1}},
    /* IDs far apart near 2^40 (a map's work, an array's ruin). */
    {"sparse-ids-2^40", {200, 2, 4, 8, 16, 8, 4, (uint64_t)1 << 40, ((uint64_t)1 << 32) + 7}},
    /* Many small generations of ordinary IDs. */
    {"many-generations", {10000, 1, 1, 2, 8, 1, 2, 1, 1}},
    /* Many Ms (and Ps and goroutines) in a few generations. */
    {"many-ms", {2, 8000, 2, 16, 8, 16, 2, 1, 1}},
    /* One generation with 100,000 strings. */
    {"huge-string-table", {1, 4, 500, 100000, 12, 64, 2, 1, 1}},
    /* One generation with 25,000 stacks, most of them used. */
    {"huge-stack-table", {1, 8, 2500, 1000, 12, 25000, 3, 1, 1}},
    /* Stacks of Go's maximum depth (128 frames) naming strings of Go's
     * maximum length (1024 bytes). */
    {"deep-stacks-long-strings", {2, 2, 50, 300, 1024, 400, 128, 1, 1}},
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

/* In a child about to run one case: a hang guard of cpu_seconds of CPU
 * time, and ten times that of wall time (see CASE_CPU_SECONDS). */
static void limit_time(unsigned cpu_seconds)
{
    struct rlimit rl = {cpu_seconds, cpu_seconds + 5};
    setrlimit(RLIMIT_CPU, &rl);
    alarm(10 * cpu_seconds);
}

/* Whether a child's fatal signal is one of the hang guards'. */
static int timed_out(int sig) { return sig == SIGXCPU || sig == SIGALRM; }

static void cap_memory(uint64_t bytes_allowed)
{
    if (UNDER_SANITIZER)
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
    int failed = 0, formatted = 0;
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
                /* The message lives with the reader: format it before the free. */
                snprintf(msg, cap, "%s error: %.400s", gt_errcode_name(err.code), err.message);
                formatted = 1;
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
                snprintf(msg, cap, "%s error: %.400s", gt_errcode_name(err.code), err.message);
                formatted = 1;
            }
            gt_raw_free(r);
        }
    }
    if (failed && !formatted)
        snprintf(msg, cap, "%s error: %.400s", gt_errcode_name(err.code), err.message);
    else if (!failed)
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
        limit_time(CASE_CPU_SECONDS);
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

/* What a program run in a child did. */
typedef struct {
    int status;           /* waitpid status */
    double cpu_seconds;   /* user + system CPU of the child and what it waited for */
    double max_rss_mb;    /* its peak resident set (wait4's ru_maxrss); Linux carries
                             the forking parent's resident set at fork over exec
                             into it, so the parent forks small (the CLI matrix
                             frees its input first; a few MB) */
    char first_err[512];  /* first line of its standard error */
    int out_of_memory;    /* its standard error says it ran out of memory */
} program_run;

/* Waits for the child pid and fills out's status, CPU time and peak RSS. */
static void wait_child(pid_t pid, program_run *out)
{
    struct rusage ru;
    while (wait4(pid, &out->status, 0, &ru) < 0 && errno == EINTR)
        ;
    out->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                       (double)ru.ru_stime.tv_usec / 1e6;
    out->max_rss_mb = (double)ru.ru_maxrss / 1024;
}

/* Runs argv (argv[0] a path) with standard output to /dev/null and standard
 * error to errpath (read back into *out, then removed), under a CPU hang
 * guard of cpu_guard seconds and, when allowed is not 0, the memory cap
 * allowed (under ASan its per-allocation cap instead). Returns -1 when the
 * child could not be started. */
static int run_program(char *const argv[], uint64_t allowed, unsigned cpu_guard, const char *errpath,
                       program_run *out)
{
    memset(out, 0, sizeof *out);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen(errpath, "w", stderr))
            _exit(99);
        if (UNDER_ASAN && allowed) {
            char opts[256];
            const char *old = getenv("ASAN_OPTIONS");
            snprintf(opts, sizeof opts, "%s%smax_allocation_size_mb=%llu:allocator_may_return_null=0:exitcode=86",
                     old ? old : "", old && *old ? ":" : "", (unsigned long long)(allowed >> 20));
            setenv("ASAN_OPTIONS", opts, 1);
        }
        if (allowed)
            cap_memory(allowed);
        limit_time(cpu_guard);
        execv(argv[0], argv);
        _exit(98);
    }
    wait_child(pid, out);
    FILE *f = fopen(errpath, "r");
    if (f) {
        char line[4096];
        int first = 1;
        while (fgets(line, sizeof line, f)) {
            if (first) {
                line[strcspn(line, "\n")] = 0;
                snprintf(out->first_err, sizeof out->first_err, "%.500s", line);
                first = 0;
            }
            if (strstr(line, "out of memory"))
                out->out_of_memory = 1;
        }
        fclose(f);
    }
    remove(errpath);
    return 0;
}

/* Runs the CLI on path under the memory cap. */
static const char *run_cli(const char *gotrace, const char *path, input_kind kind, uint64_t allowed, char *out,
                           size_t cap)
{
    char errpath[4200];
    snprintf(errpath, sizeof errpath, "%s.err", path);
    char *dump[] = {(char *)gotrace, "dump", (char *)path, NULL};
    char *convert[] = {(char *)gotrace, "convert", "--to=binary", (char *)path, "/dev/null", NULL};
    program_run run;
    if (run_program(kind == INPUT_BINARY ? dump : convert, allowed, CASE_CPU_SECONDS, errpath, &run) != 0)
        return "fork failed";
    snprintf(out, cap, "%.500s", run.first_err);
    if (WIFSIGNALED(run.status))
        return timed_out(WTERMSIG(run.status)) ? "the CLI did not finish in time" : "the CLI was killed";
    if (WEXITSTATUS(run.status) > 1)
        return "the CLI exited with status > 1";
    if (run.out_of_memory)
        return "the CLI ran out of memory under the cap";
    return NULL;
}

/* ------------------------------------------------------------ CLI matrix
 *
 * Every command on every input of cli_cases, and the library reading each
 * input the three ways the CLI does not all use (gt_reader_next,
 * gt_reader_next_batch of 4096, two threads), each run checked for:
 *  - an end by exit status 0 or 1 (not a signal, not 2+), without "out of
 *    memory" on stderr, under an address-space cap of CLI_MEMORY_CAP (no cap
 *    under the sanitizers, whose shadow memory needs terabytes of address
 *    space; under ASan each allocation is capped at that size instead);
 *  - CPU time (user + system, from wait4) within the size bound
 *    CLI_BASE_SECONDS + CLI_SECONDS_PER_MB x input MB, and when Go 1.27 is
 *    here (scripts/go127.sh) within GO_FACTOR x Go's CPU time reading the same
 *    file with `go tool trace -d=parsed` + GO_SLACK_SECONDS. Both bounds are
 *    multiplied by SANITIZER_FACTOR under a sanitizer;
 *  - peak RSS within the RSS bounds (below; not under a sanitizer).
 * The RLIMIT_CPU hang guard sits just above the bound, so a blow-up costs
 * the suite no more than the bound. See the constants for the reasons. */

/* 1 GB: the inputs are under 2 MB; Go's reader needs under 100 MB for each. */
#define CLI_MEMORY_CAP ((uint64_t)1 << 30)
/* The size bound. The CLI reads ordinary traces at 20-100 MB/s of CPU (make
 * bench), and these inputs, all tiny items, at no less than ~4 MB/s (see the
 * figures the test prints): 1 s + 1 s per MB leaves 4x room over the slowest
 * command on the largest input, while a cost that grows with IDs or with
 * generations x table size (issue 12 defect 1: 1.8 s for 97 KB) fails it. */
#define CLI_BASE_SECONDS 1.0
#define CLI_SECONDS_PER_MB 1.0
/* The bound relative to Go: Go's -d=parsed only parses and prints; gotrace's
 * commands parse and then analyse (goroutines, MMU, pprof), so they get 5x
 * Go's CPU time, plus 0.5 s for a small input where process start and
 * one-off set-up dominate both. */
#define GO_FACTOR 5.0
#define GO_SLACK_SECONDS 0.5
/* Peak RSS (wait4's ru_maxrss), without sanitizers (ASan's shadow and
 * quarantine inflate it): RSS_BASE_MB + RSS_PER_INPUT x the input, and when
 * Go is here RSS_GO_FACTOR x Go's peak + RSS_BASE_MB. The reader holds one
 * generation at a time (here up to the whole 2 MB input) in a few times its
 * bytes, and the analyses keep per-goroutine, per-task and per-region state
 * of tens of bytes per event: 72 MB at most on these inputs when this was
 * written (Go: 16-56 MB), against bounds of 120-130 MB. State that grows
 * with the number of generations, or with IDs, fails it. */
#define RSS_BASE_MB 64.0
#define RSS_PER_INPUT 32.0
#define RSS_GO_FACTOR 4.0
/* ASan+UBSan costs 2-4x CPU on this code, TSan 5-15x. */
#define SANITIZER_FACTOR (UNDER_TSAN ? 15.0 : UNDER_ASAN ? 6.0 : 1.0)

typedef struct {
    const char *label;
    const char *args[7]; /* "@IN": the input; "@OUT": a scratch output file;
                            "@PREFIX": a scratch prefix (files PREFIX.*) */
} cli_command;

static const cli_command cli_commands[] = {
    {"dump", {"dump", "@IN"}},
    {"dump-wire", {"dump", "--wire", "@IN"}},
    {"dump-footprint", {"dump", "--footprint", "@IN"}},
    {"validate", {"validate", "@IN"}},
    {"goroutines", {"goroutines", "@IN"}},
    {"goroutines-json", {"goroutines", "--json", "@IN"}},
    {"tasks", {"tasks", "@IN"}},
    {"tasks-json", {"tasks", "--json", "@IN"}},
    {"regions", {"regions", "@IN"}},
    {"mmu", {"mmu", "@IN"}},
    {"pprof-sched", {"pprof", "--type=sched", "-o", "@OUT", "@IN"}},
    {"pprof-sync", {"pprof", "--type=sync", "-o", "@OUT", "@IN"}},
    {"pprof-syscall", {"pprof", "--type=syscall", "-o", "@OUT", "@IN"}},
    {"pprof-net", {"pprof", "--type=net", "-o", "@OUT", "@IN"}},
    {"timeline", {"timeline", "@IN"}},
    {"convert-text", {"convert", "--to=text", "@IN", "-"}},
    {"convert-binary", {"convert", "--to=binary", "@IN", "-"}},
    /* Commands newer than the matrix run when this build has them. */
    {"summary", {"summary", "@IN"}},
    {"cut-list", {"cut", "--list", "@IN"}},
    {"cut-generations", {"cut", "--generations", "2-", "@IN", "-"}},
    {"cut-window", {"cut", "--from", "1us", "--to", "1ms", "@IN", "-"}},
    {"split", {"split", "--size", "100kB", "@IN", "@PREFIX"}},
};
#define N_CLI_COMMANDS (sizeof cli_commands / sizeof *cli_commands)

/* The first line a shell command prints, or NULL. */
static char *command_line_output(const char *cmd, char *buf, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    char *got = fgets(buf, (int)cap, p);
    int rc = pclose(p);
    if (!got || rc != 0)
        return NULL;
    buf[strcspn(buf, "\n")] = 0;
    return buf[0] ? buf : NULL;
}

/* Go 1.27's trace tool binary (run directly, so that `go tool` does not add
 * its own start-up to the time), or NULL with the reason in why. */
static const char *go_trace_tool(char *buf, size_t cap, const char **why)
{
    const char *root = getenv("ROOT");
    char cmd[4400], go[4096];
    snprintf(cmd, sizeof cmd, "sh '%.4000s/scripts/go127.sh' 2>/dev/null", root ? root : ".");
    if (!command_line_output(cmd, go, sizeof go)) {
        *why = "no Go 1.27 (scripts/go127.sh)";
        return NULL;
    }
    snprintf(cmd, sizeof cmd, "'%.4000s' tool -n trace 2>/dev/null", go);
    if (!command_line_output(cmd, buf, cap)) {
        *why = "`go tool -n trace` failed";
        return NULL;
    }
    return buf;
}

/* Removes the files PREFIX.* (what split wrote). */
static void remove_matching(const char *prefix)
{
    char pattern[4300];
    snprintf(pattern, sizeof pattern, "%s.*", prefix);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++)
            remove(g.gl_pathv[i]);
    globfree(&g);
}

static int gotrace_has_command(const char *gotrace, const char *command, const char *dir)
{
    char errpath[4200];
    snprintf(errpath, sizeof errpath, "%s/probe.err", dir);
    char *argv[] = {(char *)gotrace, (char *)command, "--help", NULL};
    program_run run;
    return run_program(argv, 0, 10, errpath, &run) == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0;
}

static int write_file(const char *path, const bytes *in)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(in->b, 1, in->n, f) == in->n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* One input's bounds (see the CLI matrix's comment) and the running record
 * of its slowest and largest run. */
typedef struct {
    double size_cpu, go_cpu, go_cpu_bound, cpu_guard; /* seconds; go_cpu < 0: no Go */
    double size_rss, go_rss, go_rss_bound;            /* MB; go_rss < 0: no Go */
    double slowest_cpu, largest_rss;
    const char *slowest, *largest;
} run_bounds;

/* Checks one run against the bounds and records it. */
static void judge_run(const char *name, const char *label, const program_run *run, run_bounds *b)
{
    int code = WIFEXITED(run->status) ? WEXITSTATUS(run->status) : -1;
    const char *why = WIFSIGNALED(run->status) ? (timed_out(WTERMSIG(run->status)) ? "hit the CPU guard"
                                                                                  : "killed by a signal")
                    : code > 1                 ? "exit status > 1"
                    : run->out_of_memory       ? "ran out of memory under the 1 GB cap"
                    : run->cpu_seconds > b->size_cpu ? "CPU time over the size bound"
                    : b->go_cpu >= 0 && run->cpu_seconds > b->go_cpu_bound ? "CPU time over the Go bound"
                    : !UNDER_SANITIZER && run->max_rss_mb > b->size_rss ? "peak RSS over the size bound"
                    : !UNDER_SANITIZER && b->go_rss >= 0 && run->max_rss_mb > b->go_rss_bound
                        ? "peak RSS over the Go bound"
                        : NULL;
    check(why == NULL, name,
          "%s (%.2f s CPU: size bound %.2f s, Go %.3f s, Go bound %.2f s; %.1f MB RSS: size bound %.1f MB, "
          "Go %.1f MB, Go bound %.1f MB; exit %d, signal %d; stderr: %s)",
          why, run->cpu_seconds, b->size_cpu, b->go_cpu, b->go_cpu_bound, run->max_rss_mb, b->size_rss, b->go_rss,
          b->go_rss_bound, code, WIFSIGNALED(run->status) ? WTERMSIG(run->status) : 0, run->first_err);
    if (run->cpu_seconds > b->slowest_cpu) {
        b->slowest_cpu = run->cpu_seconds;
        b->slowest = label;
    }
    if (run->max_rss_mb > b->largest_rss) {
        b->largest_rss = run->max_rss_mb;
        b->largest = label;
    }
}

/* The library's ways of reading in the matrix: what the CLI does not use
 * (gt_reader_next; gt_reader_next_batch; two threads), each of which must
 * hold no more than a bounded number of generations. */
typedef enum { LIB_NEXT, LIB_BATCH, LIB_THREADS } lib_mode;
static const char *const lib_mode_labels[] = {"lib-next", "lib-batch-4096", "lib-threads-2"};

/* Reads path to its end one way in a forked child under the CLI's memory cap
 * and the CPU guard; the child exits 0 (read), 1 (error) or 3 (out of
 * memory, reported as out_of_memory). */
static int run_library_mode(const char *path, lib_mode mode, unsigned cpu_guard, program_run *out)
{
    memset(out, 0, sizeof *out);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        cap_memory(CLI_MEMORY_CAP);
        limit_time(cpu_guard);
        gt_error err;
        gt_reader *r = gt_reader_open_path(path, &err);
        if (!r)
            _exit(err.code == GT_ERR_NOMEM ? 3 : 1);
        if (mode == LIB_THREADS && gt_reader_set_threads(r, 2) != 0)
            _exit(4);
        enum { CAP = 4096 };
        static gt_event evs[CAP];
        if (mode == LIB_NEXT)
            while (gt_reader_next(r, &evs[0]) == 1)
                ;
        else
            while (gt_reader_next_batch(r, evs, CAP) > 0)
                ;
        const gt_error *e = gt_reader_error(r);
        _exit(!e ? 0 : e->code == GT_ERR_NOMEM ? 3 : 1);
    }
    wait_child(pid, out);
    if (WIFEXITED(out->status) && WEXITSTATUS(out->status) == 3) {
        out->out_of_memory = 1;
        out->status = 1 << 8; /* an exit status of 1, judged by out_of_memory */
    }
    return 0;
}

static void cli_matrix(const char *gotrace, const char *dir)
{
    char tool_buf[4096];
    const char *no_go = NULL;
    const char *go_tool = go_trace_tool(tool_buf, sizeof tool_buf, &no_go);
    int available[N_CLI_COMMANDS];
    for (size_t j = 0; j < N_CLI_COMMANDS; j++)
        available[j] = gotrace_has_command(gotrace, cli_commands[j].args[0], dir);
    printf("# hostile-cli bounds: CPU <= (%.1f s + %.1f s/MB) x %.0f; Go: <= (%.0f x Go + %.1f s) x %.0f%s%s\n",
           CLI_BASE_SECONDS, CLI_SECONDS_PER_MB, SANITIZER_FACTOR, GO_FACTOR, GO_SLACK_SECONDS, SANITIZER_FACTOR,
           go_tool ? "" : "; Go bound skipped: ", go_tool ? "" : no_go);

    for (size_t i = 0; i < sizeof cli_cases / sizeof *cli_cases; i++) {
        const cli_case *c = &cli_cases[i];
        bytes in = {0};
        workload_trace(&in, &c->w);
        char path[4096], out_path[4200], err_path[4200], prefix[4200], name[256];
        snprintf(path, sizeof path, "%s/%s.trace", dir, c->name);
        snprintf(out_path, sizeof out_path, "%s.out", path);
        snprintf(prefix, sizeof prefix, "%s.split", path);
        snprintf(err_path, sizeof err_path, "%s.err", path);
        double mb = (double)in.n / (1 << 20);
        double size_bound = (CLI_BASE_SECONDS + CLI_SECONDS_PER_MB * mb) * SANITIZER_FACTOR;
        snprintf(name, sizeof name, "hostile-cli:%s:write", c->name);
        int written = write_file(path, &in) == 0;
        size_t input_bytes = in.n;
        free(in.b); /* before the children fork: see program_run.max_rss_mb */
        if (!check(written, name, "cannot write %s", path))
            continue;

        /* Go's time, once per input. The input must read in Go: otherwise
         * the generator, not gotrace, is wrong. */
        double go_cpu = -1, go_rss = -1;
        snprintf(name, sizeof name, "hostile-cli:%s:go", c->name);
        if (!go_tool) {
            check_skip(name, no_go);
        } else {
            char *argv[] = {(char *)go_tool, "-d=parsed", path, NULL};
            program_run run;
            if (run_program(argv, 0, 300, err_path, &run) != 0) {
                check(0, name, "cannot start %s", go_tool);
            } else if (check(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, name,
                             "Go does not read the generated trace (status %d): %s", run.status, run.first_err)) {
                go_cpu = run.cpu_seconds;
                go_rss = run.max_rss_mb;
            }
        }
        run_bounds b = {
            .size_cpu = size_bound,
            .go_cpu = go_cpu,
            .go_cpu_bound = go_cpu >= 0 ? (GO_FACTOR * go_cpu + GO_SLACK_SECONDS) * SANITIZER_FACTOR : 0,
            .size_rss = RSS_BASE_MB + RSS_PER_INPUT * mb,
            .go_rss = go_rss,
            .go_rss_bound = go_rss >= 0 ? RSS_GO_FACTOR * go_rss + RSS_BASE_MB : 0,
            .slowest = "none",
            .largest = "none",
        };
        b.cpu_guard = (go_cpu >= 0 && b.go_cpu_bound < size_bound ? b.go_cpu_bound : size_bound) + 2;

        for (size_t j = 0; j < N_CLI_COMMANDS; j++) {
            const cli_command *cmd = &cli_commands[j];
            snprintf(name, sizeof name, "hostile-cli:%s:%s", c->name, cmd->label);
            if (!available[j]) {
                check_skip(name, "this gotrace does not have the command");
                continue;
            }
            char *argv[10];
            size_t n = 0;
            argv[n++] = (char *)gotrace;
            for (size_t k = 0; k < sizeof cmd->args / sizeof *cmd->args && cmd->args[k]; k++)
                argv[n++] = !strcmp(cmd->args[k], "@IN")     ? path
                          : !strcmp(cmd->args[k], "@OUT")    ? out_path
                          : !strcmp(cmd->args[k], "@PREFIX") ? prefix
                                                             : (char *)cmd->args[k];
            argv[n] = NULL;
            program_run run;
            if (run_program(argv, CLI_MEMORY_CAP, (unsigned)b.cpu_guard, err_path, &run) != 0) {
                check(0, name, "cannot start %s", gotrace);
                continue;
            }
            remove(out_path);
            remove_matching(prefix);
            judge_run(name, cmd->label, &run, &b);
        }
        for (lib_mode m = LIB_NEXT; m <= LIB_THREADS; m++) {
            snprintf(name, sizeof name, "hostile-cli:%s:%s", c->name, lib_mode_labels[m]);
            program_run run;
            if (run_library_mode(path, m, (unsigned)b.cpu_guard, &run) != 0)
                check(0, name, "fork failed");
            else
                judge_run(name, lib_mode_labels[m], &run, &b);
        }
        printf("# hostile-cli:%s: %zu bytes; Go %.3f s CPU, %.1f MB; slowest %s: %.3f s CPU; largest %s: %.1f MB\n",
               c->name, input_bytes, go_cpu, go_rss, b.slowest, b.slowest_cpu, b.largest, b.largest_rss);
        remove(path);
    }
}

/* Writes the CLI matrix's inputs into dir as NAME.trace, to reproduce a
 * failure by hand. */
static int write_cli_inputs(const char *dir)
{
    int status = 0;
    for (size_t i = 0; i < sizeof cli_cases / sizeof *cli_cases; i++) {
        bytes in = {0};
        workload_trace(&in, &cli_cases[i].w);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.trace", dir, cli_cases[i].name);
        if (write_file(path, &in) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            status = 1;
        } else {
            printf("%s %zu\n", path, in.n);
        }
        free(in.b);
    }
    return status;
}

/* GT_HOSTILE_PART=lib runs only the sizes-and-counts cases, =cli only the CLI
 * matrix; unset, both. GT_HOSTILE_WRITE=DIR only writes the CLI matrix's
 * inputs into DIR. */
int main(void)
{
    if (getenv("GT_HOSTILE_WRITE"))
        return write_cli_inputs(getenv("GT_HOSTILE_WRITE"));
    /* Without --threads, the gotrace CLI reads on up to 3 threads unless
     * GT_TEST_THREADS says otherwise; the first part's caps (4 x input +
     * 64 MB of address space) have no room for two more threads' stacks
     * and malloc arenas (why make test-threads leaves this test out).
     * tests/run.sh sets 1 as well; this is for a run by hand. */
    setenv("GT_TEST_THREADS", "1", 0);
    const char *gotrace = getenv("GOTRACE");
    const char *part = getenv("GT_HOSTILE_PART");
    struct stat st;
    if (!gotrace || stat(gotrace, &st) != 0)
        gotrace = NULL;
    char dir[] = "/tmp/gt-hostile-XXXXXX";
    if (!mkdtemp(dir)) {
        check(0, "hostile:setup", "mkdtemp failed");
        return check_done();
    }
    for (size_t i = 0; i < sizeof cases / sizeof *cases && !(part && !strcmp(part, "cli")); i++) {
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
    if (!(part && !strcmp(part, "lib"))) {
        if (gotrace)
            cli_matrix(gotrace, dir);
        else
            check_skip("hostile-cli", "GOTRACE is not set to the gotrace binary");
    }
    rmdir(dir);
    return check_done();
}
