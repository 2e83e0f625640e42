/* gotrace/builder.h — build Go execution traces (v2 formats: Go 1.22, 1.23,
 * 1.25, 1.26) event by event, for tests and tools. Modelled on Go's
 * internal/trace/internal/testgen: a trace has generations, a generation has
 * batches (one per M and stretch of time), a batch has events added by name
 * with named arguments, checked against the version's event specs.
 *
 * What the builder does for you:
 *  - batch headers and sizes;
 *  - timestamp deltas: each timed event advances the clock by 1 (Go's
 *    testgen rule) unless "dt" is given explicitly; a new batch's time is
 *    the time passed to gt_builder_batch_new;
 *  - strings and stacks interned per generation (IDs from 1, in insertion
 *    order, so output is deterministic), written in the generation's
 *    Strings/Stacks batches;
 *  - the generation's Frequency batch (before 1.25) or Sync batch with
 *    Frequency and ClockSnapshot (1.25+), and EndOfGeneration (1.26+).
 * It does not check that the trace is semantically valid: building broken
 * traces is the point.
 *
 * Errors. The first error sticks: later calls do nothing (functions that
 * return handles return NULL) and gt_builder_write* report it. So a
 * generator can make many calls and check once, at the end. Functions given
 * a NULL generation or batch handle (what a failed call returned) do nothing
 * and return -1, 0 or NULL. Nothing prints, aborts or exits.
 *
 * Ownership. gt_builder_new / gt_builder_free; generation and batch handles
 * are borrowed from the builder and live until gt_builder_free.
 * Threads: one builder per thread at a time.
 */
#ifndef GOTRACE_BUILDER_H
#define GOTRACE_BUILDER_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_builder gt_builder;
typedef struct gt_builder_gen gt_builder_gen;
typedef struct gt_builder_batch gt_builder_batch;

/* The thread ID of batches that belong to no M (Go's NoThread, written as
 * 18446744073709551615). */
#define GT_BUILDER_NO_THREAD UINT64_MAX

/* Creates a builder for trace version 22, 23, 25 or 26. NULL (err filled) for
 * another version or when memory runs out. */
GT_API gt_builder *gt_builder_new(int version, gt_error *err);
GT_API void gt_builder_free(gt_builder *b);  /* NULL is fine */
GT_API int gt_builder_version(const gt_builder *b);

/* The sticky error, or NULL when every call so far succeeded. */
GT_API const gt_error *gt_builder_error(const gt_builder *b);

/* Timed events added after this call get dt=0 and new batches time 0 (Go's
 * DisableTimestamps): for traces whose order must come from sequence numbers
 * alone. */
GT_API void gt_builder_disable_timestamps(gt_builder *b);

/* Expected outcome, written into `.test` output: SUCCESS (the default) or
 * FAILURE with a Go regexp the reader's error must match. The pattern is
 * copied. */
GT_API void gt_builder_expect_success(gt_builder *b);
GT_API void gt_builder_expect_failure(gt_builder *b, const char *pattern);

/* A raw event written before all generations, verbatim (no batch framing, no
 * checks but the argument count): for traces with deliberately bad framing.
 * type is the wire type; data may be NULL when len is 0. */
GT_API int gt_builder_top_event(gt_builder *b, unsigned type, const uint64_t *args, size_t nargs,
                                const void *data, size_t len);

/* ------------------------------------------------------------ generations */

/* Starts generation number gen (any number: out-of-order numbers are allowed
 * on purpose). Generations are written in creation order. */
GT_API gt_builder_gen *gt_builder_generation(gt_builder *b, uint64_t gen);

/* Sets the generation's clock data (Go's Generation.Sync). freq: ticks per
 * second (default 15625000). time: for 1.25+ the ClockSnapshot's timestamp,
 * before 1.25 the Frequency batch's timestamp (default 0). mono/wall: the
 * ClockSnapshot's values; must be 0 before 1.25 (an error otherwise). */
GT_API int gt_builder_sync(gt_builder_gen *g, uint64_t freq, uint64_t time, uint64_t mono, uint64_t wall_sec,
                           uint64_t wall_nsec);

/* Interns a string in the generation; returns its ID (0 for the empty
 * string, as in Go: ID 0 means "no string"). Returns 0 after an error too:
 * check gt_builder_error. */
GT_API uint64_t gt_builder_string(gt_builder_gen *g, const char *s, size_t len);

typedef struct gt_builder_frame {
    uint64_t pc;
    const char *func; /* NUL-terminated */
    const char *file; /* NUL-terminated */
    uint64_t line;
} gt_builder_frame;

/* Interns a stack (frames innermost first, at most 128) in the generation;
 * returns its ID (0 for the empty stack). Function and file names are
 * interned as strings. */
GT_API uint64_t gt_builder_stack(gt_builder_gen *g, const gt_builder_frame *frames, size_t nframes);

/* Sequence number helper: the next sequence number (1, 2, ...) of resource
 * (GT_RESOURCE_GOROUTINE or GT_RESOURCE_PROC) id in this generation. Go's
 * counters start over in every generation. */
GT_API uint64_t gt_builder_next_seq(gt_builder_gen *g, gt_resource_kind kind, int64_t id);

/* ------------------------------------------------------------ batches */

/* Starts a batch of thread m (GT_BUILDER_NO_THREAD for none) at time. */
GT_API gt_builder_batch *gt_builder_batch_new(gt_builder_gen *g, uint64_t m, uint64_t time);

/* A named argument. kind says how value is given:
 *  GT_BARG_U64:    value as is (an ID, a sequence number, a status, "dt", ...);
 *  GT_BARG_STRING: str (NUL-terminated) interned in the generation, its ID used;
 *  GT_BARG_STACK:  frames/nframes interned in the generation, its ID used. */
typedef enum gt_builder_arg_kind { GT_BARG_END = 0, GT_BARG_U64, GT_BARG_STRING, GT_BARG_STACK } gt_builder_arg_kind;

typedef struct gt_builder_arg {
    gt_builder_arg_kind kind;
    const char *name;
    uint64_t value;
    const char *str;
    const gt_builder_frame *frames;
    size_t nframes;
} gt_builder_arg;

#define GT_ARG(name, v) ((gt_builder_arg){GT_BARG_U64, (name), (uint64_t)(v), NULL, NULL, 0})
#define GT_STR(name, s) ((gt_builder_arg){GT_BARG_STRING, (name), 0, (s), NULL, 0})
#define GT_STK(name, fr, n) ((gt_builder_arg){GT_BARG_STACK, (name), 0, NULL, (fr), (n)})
#define GT_BUILDER_END ((gt_builder_arg){GT_BARG_END, NULL, 0, NULL, NULL, 0})

/* Adds event `event` (Go's name, e.g. "GoStart") to the batch. Every argument
 * of the version's spec must be given exactly once, by name, in any order;
 * "dt" may be omitted for timed events (then it is 1, or 0 when timestamps
 * are disabled). Unknown event or argument names, missing or repeated
 * arguments are errors (-1, sticky). Returns the event's ordinal (0, 1, ...
 * over the whole builder, in call order) or -1. */
GT_API int64_t gt_builder_event_args(gt_builder_batch *batch, const char *event, const gt_builder_arg *args,
                                     size_t nargs);
/* The same with the arguments written out in the call (C only):
 *     GT_EVENT(batch, "GoStart", GT_ARG("g", 5), GT_ARG("g_seq", 1));
 *     GT_EVENT(batch, "GoSyscallEnd");
 * It calls gt_builder_event_args on an array (a compound literal ended by
 * GT_BUILDER_END, which nargs leaves out) rather than passing structs through
 * a variadic function, which bindings cannot call. Each argument is evaluated
 * once: the operand of sizeof is not. */
#define GT_EVENT(batch, ...)                                                                                \
    gt_builder_event_args((batch), GT_BUILDER_EVENT_NAME_(__VA_ARGS__, 0), GT_BUILDER_EVENT_ARRAY_(__VA_ARGS__), \
                          sizeof GT_BUILDER_EVENT_ARRAY_(__VA_ARGS__) / sizeof(gt_builder_arg) - 1)
#define GT_BUILDER_EVENT_NAME_(event, ...) event
#define GT_BUILDER_EVENT_ARGS_(event, ...) __VA_ARGS__
#define GT_BUILDER_EVENT_ARRAY_(...) ((const gt_builder_arg[]){GT_BUILDER_EVENT_ARGS_(__VA_ARGS__, GT_BUILDER_END)})

/* Adds a raw event to the batch: wire type, all arguments (dt included for
 * timed events; id, nframes and 4 values per frame for Stack), trailing data.
 * Only the argument count is checked. Returns the ordinal or -1. */
GT_API int64_t gt_builder_raw_event(gt_builder_batch *batch, unsigned type, const uint64_t *args, size_t nargs,
                                    const void *data, size_t len);

/* ------------------------------------------------------------ edits
 * For mutation tests: change events after they were added, by ordinal.
 * Batch sizes are recomputed when writing. */

/* Number of events added to batches so far (ordinals 0..n-1). */
GT_API size_t gt_builder_event_count(const gt_builder *b);

typedef struct gt_builder_event_info {
    unsigned type;
    const char *name;        /* Go's event name */
    size_t nargs;
    const uint64_t *args;    /* borrowed until the next call on the builder */
    const char *const *arg_names; /* the spec's names of args[0..nargs) (static);
                                     NULL for Stack */
    uint64_t gen;            /* generation number of its batch */
    uint64_t m;              /* its batch's thread */
    int deleted;
} gt_builder_event_info;

/* Fills *out for event ordinal. 0, or -1 when out of range (not sticky). */
GT_API int gt_builder_event_get(const gt_builder *b, size_t ordinal, gt_builder_event_info *out);
/* Sets argument `arg` (a spec name, "dt" included) of event ordinal. */
GT_API int gt_builder_edit_arg(gt_builder *b, size_t ordinal, const char *arg, uint64_t value);
/* Drops event ordinal from the output. */
GT_API int gt_builder_edit_delete(gt_builder *b, size_t ordinal);
/* Writes event ordinal twice, the copy right after it. */
GT_API int gt_builder_edit_duplicate(gt_builder *b, size_t ordinal);
/* Sets the time of the batch holding event ordinal. */
GT_API int gt_builder_edit_batch_time(gt_builder *b, size_t ordinal, uint64_t time);

/* ------------------------------------------------------------ output */

/* Writes the trace in the binary wire format (header "go 1.N trace"). */
GT_API int gt_builder_write_binary(gt_builder *b, FILE *out, gt_error *err);
/* Writes a `.test` file: "-- expect --", SUCCESS or FAILURE "regexp" (Go
 * quoted), "-- trace --", then the trace in Go's text format. */
GT_API int gt_builder_write_test(gt_builder *b, FILE *out, gt_error *err);
/* Binary output into a buffer the library allocates: *data (release with
 * gt_free) and its length *len. 0, or -1 with *err filled. */
GT_API int gt_builder_write_memory(gt_builder *b, unsigned char **data, size_t *len, gt_error *err);

#ifdef __cplusplus
}
#endif

#endif
