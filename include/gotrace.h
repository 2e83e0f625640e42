/* gotrace.h — read Go execution traces (runtime/trace, go test -trace,
 * the flight recorder) exactly as Go 1.27's internal/trace does.
 *
 * Model. A reader yields events in timestamp order. Each event has a kind
 * (gt_event_kind), a time in nanoseconds, and the scheduling context it
 * happened in: goroutine, proc (P) and thread (M), each -1 when absent. Kind
 * specific details come from the gt_event_* accessors below.
 *
 * Lifetimes. Everything an accessor returns (strings, stacks, frames,
 * experimental batch data) belongs to the event's generation and stays valid
 * until the reader has returned the *second* Sync event after that event (that
 * is: the events of generation N, and everything they point to, live until the
 * Sync that starts generation N+2 is returned, or until gt_reader_free). The
 * gt_event structs themselves are plain values: copy them freely.
 * Consumers that keep data longer must copy it. Because of this rule the
 * reader holds at most a few generations in memory, in every mode
 * (gt_reader_next, gt_reader_next_batch, threaded).
 *
 * Errors. The library never prints, aborts or exits. Functions that can fail
 * fill a gt_error (code, message, byte offset, generation); see gt_error for
 * how long its message lives. Events returned
 * before an error stay valid under the rule above.
 *
 * Threads. A gt_reader is used by one thread at a time: the gt_reader_*
 * calls on one reader must not overlap. Distinct readers are independent.
 * The event accessors only read what the reader built (the few caches they
 * fill are filled under a lock and published once), so these may be called
 * from any number of threads at once, on the same or different events of one
 * reader, while the reader's own thread goes on calling gt_reader_next or
 * gt_reader_next_batch: gt_event_stack, gt_stack_len, gt_stack_frame,
 * gt_stack_frames, gt_event_metric, gt_event_label, gt_event_range,
 * gt_event_range_attributes, gt_event_task, gt_event_region, gt_event_log,
 * gt_event_state_transition, gt_event_sync, gt_event_sync_experimental_batch,
 * gt_event_experimental, gt_event_format, and the *_name functions. Not
 * gt_event_string: its calls on events of one reader must not overlap (its
 * text lives in a buffer of the reader; see there). The one condition is
 * the lifetime rule: the thread that reads must know that no other thread
 * still uses an event before it reads past the Sync that ends the event's
 * lifetime, or frees the reader. (tests/tsan checks this rule under
 * ThreadSanitizer: `make test-tsan`.)
 *
 * Strings in traces may hold any bytes, including NUL: they come as
 * (pointer, length) pairs and are not NUL-terminated.
 */
#ifndef GOTRACE_H
#define GOTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GT_BUILDING_SHARED)
#define GT_API __attribute__((visibility("default")))
#else
#define GT_API
#endif

/* ---------------------------------------------------------------- version */

/* The version of this header. The build refuses to compile the library when
 * these disagree with VERSION in the Makefile, which also versions the shared
 * library and gotrace.pc. GT_VERSION_NUMBER is MAJOR * 10000 + MINOR * 100 +
 * PATCH (0.1.0 is 100). */
#define GT_VERSION_MAJOR 0
#define GT_VERSION_MINOR 1
#define GT_VERSION_PATCH 0
#define GT_VERSION_NUMBER (GT_VERSION_MAJOR * 10000 + GT_VERSION_MINOR * 100 + GT_VERSION_PATCH)

/* The library's version as text, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"). */
GT_API const char *gt_version(void);
/* The library's GT_VERSION_NUMBER. A program or binding compares it with the
 * GT_VERSION_NUMBER it was compiled against to detect a library that is not
 * the one its header describes. */
GT_API int gt_version_number(void);

/* ---------------------------------------------------------------- memory */

/* Releases memory that the library allocated and handed over to the caller:
 * every function that does so says "release with gt_free" (gt_pprof_encode,
 * gt_builder_write_memory, ...). NULL is fine. Use it, not free(): the
 * caller's allocator may not be the library's (a binding that loads the
 * shared library, a program linked with another C runtime). Objects with
 * their own gt_*_free function are released with that one instead. */
GT_API void gt_free(void *p);

/* ---------------------------------------------------------------- sizes */

/* Structs that callers allocate keep their size from version to version (the
 * library's private fields may change meaning, never size), and bindings
 * that mirror them can check their copy against the library at run time.
 * Where pointers are 64 bits the sizes are fixed and checked when the
 * library is built: gt_event 80 bytes, gt_stack 16, gt_error 40; every
 * enum has the size of int. */
GT_API size_t gt_event_size(void);
GT_API size_t gt_stack_size(void);
GT_API size_t gt_error_size(void);
/* sizeof any struct or enum type declared in this file, by its name (e.g.
 * "gt_frame", "gt_event_kind"); 0 for a name it does not know. */
GT_API size_t gt_type_size(const char *type_name);

/* ---------------------------------------------------------------- errors */

typedef enum gt_errcode {
    GT_ERR_NONE = 0,
    GT_ERR_IO,          /* reading the input failed (errno-level failure) */
    GT_ERR_FORMAT,      /* not a Go trace, or a version we cannot read */
    GT_ERR_UNSUPPORTED, /* a recognised version this build cannot read yet */
    GT_ERR_TRUNCATED,   /* the input ended inside an item */
    GT_ERR_MALFORMED,   /* bad encoding: varint, size, unknown event type, ... */
    GT_ERR_INVALID,     /* well-formed but inconsistent: ordering, states, IDs */
    GT_ERR_NOMEM,       /* memory ran out */
    GT_ERR_ARGUMENT     /* the caller passed something invalid */
} gt_errcode;

#define GT_NO_OFFSET UINT64_MAX

/* An error: what failed (code), where (offset, line, generation) and why
 * (message). The struct is a plain value of fixed size (40 bytes where
 * pointers are 64 bits, gt_error_size()); the message is not inside it.
 *
 * message is never NULL in a gt_error the library filled: a NUL-terminated
 * text, "" when there is no error, whole however long (never cut). Where it
 * lives, and so how long it stays valid:
 *   - An error returned by an object's getter (gt_reader_error,
 *     gt_raw_error, gt_builder_error, ...) belongs to that object, like
 *     sqlite3_errmsg: the message stays valid until the next call on that
 *     object (getters excepted) or its free: a copy of the struct made
 *     before the free does not keep the text.
 *   - An error filled through a `gt_error *err` parameter (the open
 *     functions that return NULL, gt_parse_duration, gt_builder_write_*, ...)
 *     has its message in storage of the calling thread, like dlerror: valid
 *     until the next library call on the same thread that fills a gt_error
 *     parameter with an error, or until the thread exits. The library frees
 *     it; the caller releases nothing.
 * Why thread storage rather than memory the caller frees: callers of the
 * open functions already ignore err on success and print it on failure, and
 * a thread's one message can neither leak nor be freed twice, whatever the
 * caller forgets. Copying a gt_error copies the pointer, not the text: a
 * caller that keeps a message longer than the above copies the text itself.
 * Read message after the call returns: `f(&err) ... err.message` as
 * arguments of one call may read the pointer before f fills it. When memory
 * for the text runs out, message is a static text saying so (code, offset,
 * line and generation stay exact).
 *
 * Callbacks that report an error through the library's err (gt_split_sink)
 * set code and point message to any text valid until they return; the
 * library copies it. owned is the library's bookkeeping: callers neither
 * read nor set it. */
typedef struct gt_error {
    gt_errcode code;
    uint32_t owned;      /* private to the library */
    uint64_t offset;     /* byte offset in the input, or GT_NO_OFFSET */
    uint64_t line;       /* 1-based line for text input, 0 otherwise */
    uint64_t generation; /* generation being read, 0 when unknown */
    const char *message; /* NUL-terminated, never NULL; Go's text where Go has one */
} gt_error;
/* 40 bytes where pointers are 64 bits (gt_error_size()). */

/* Static name of an error code ("truncated", "malformed", ...). */
GT_API const char *gt_errcode_name(gt_errcode code);

/* ---------------------------------------------------------------- values */

typedef struct gt_str {
    const char *ptr; /* not NUL-terminated; may be NULL when len == 0 */
    size_t len;
} gt_str;

typedef enum gt_value_kind { GT_VALUE_BAD = 0, GT_VALUE_UINT64, GT_VALUE_STRING } gt_value_kind;

typedef struct gt_value {
    gt_value_kind kind;
    uint64_t u64;  /* GT_VALUE_UINT64 */
    gt_str str;    /* GT_VALUE_STRING */
} gt_value;

#define GT_NO_GOROUTINE (-1)
#define GT_NO_PROC (-1)
#define GT_NO_THREAD (-1)
#define GT_NO_TASK UINT64_MAX
#define GT_BACKGROUND_TASK 0

typedef enum gt_resource_kind {
    GT_RESOURCE_NONE = 0,
    GT_RESOURCE_GOROUTINE,
    GT_RESOURCE_PROC,
    GT_RESOURCE_THREAD
} gt_resource_kind;

typedef struct gt_resource {
    gt_resource_kind kind;
    int64_t id;
} gt_resource;

typedef enum gt_go_state {
    GT_GO_UNDETERMINED = 0,
    GT_GO_NOT_EXIST,
    GT_GO_RUNNABLE,
    GT_GO_RUNNING,
    GT_GO_WAITING,
    GT_GO_SYSCALL
} gt_go_state;

typedef enum gt_proc_state {
    GT_PROC_UNDETERMINED = 0,
    GT_PROC_NOT_EXIST,
    GT_PROC_RUNNING,
    GT_PROC_IDLE
} gt_proc_state;

/* Go's names: "Undetermined", "NotExist", "Running", ... */
GT_API const char *gt_go_state_name(gt_go_state s);
GT_API const char *gt_proc_state_name(gt_proc_state s);
GT_API const char *gt_resource_kind_name(gt_resource_kind k);

/* ---------------------------------------------------------------- events */

typedef enum gt_event_kind {
    GT_EVENT_BAD = 0,
    GT_EVENT_SYNC,
    GT_EVENT_METRIC,
    GT_EVENT_LABEL,
    GT_EVENT_STACK_SAMPLE,
    GT_EVENT_RANGE_BEGIN,
    GT_EVENT_RANGE_ACTIVE,
    GT_EVENT_RANGE_END,
    GT_EVENT_TASK_BEGIN,
    GT_EVENT_TASK_END,
    GT_EVENT_REGION_BEGIN,
    GT_EVENT_REGION_END,
    GT_EVENT_LOG,
    GT_EVENT_STATE_TRANSITION,
    GT_EVENT_EXPERIMENTAL
} gt_event_kind;

/* Go's names: "Sync", "Metric", ..., "Bad" for anything else. */
GT_API const char *gt_event_kind_name(gt_event_kind k);

/* One event. The first five fields are public and read-only; the rest are
 * the library's and may change between versions, not in size (80 bytes where
 * pointers are 64 bits; gt_event_size()). */
typedef struct gt_event {
    int64_t time;       /* nanoseconds, strictly increasing along a reader */
    int64_t goroutine;  /* GT_NO_GOROUTINE when none */
    int64_t proc;       /* GT_NO_PROC when none */
    int64_t thread;     /* GT_NO_THREAD when none */
    gt_event_kind kind;

    uint8_t priv_type;        /* wire event type (internal) */
    uint64_t priv_args[4];    /* wire arguments, time excluded (internal) */
    const void *priv_table;   /* the generation's tables (internal) */
} gt_event;

/* A stack: a handle into the event's generation. id 0 is the empty stack.
 * 16 bytes where pointers are 64 bits (gt_stack_size()). */
typedef struct gt_stack {
    const void *priv_table;
    uint64_t id;
} gt_stack;

typedef struct gt_frame {
    uint64_t pc;
    gt_str func;
    gt_str file;
    uint64_t line;
} gt_frame;

/* The event's own stack (empty when it has none). */
GT_API gt_stack gt_event_stack(const gt_event *ev);
/* Number of frames; 0 for the empty stack. */
GT_API size_t gt_stack_len(gt_stack s);
/* Frame i (0 = innermost). Returns 0, or -1 when i is out of range. */
GT_API int gt_stack_frame(gt_stack s, size_t i, gt_frame *out);
/* All frames of the stack at once (0 = innermost): returns their number and
 * points *frames at a borrowed array of them, the same frames gt_stack_frame
 * gives one by one. The array belongs to the stack's generation and follows
 * the lifetime rule at the top of this file; the first call for a stack
 * builds it, later calls return it again. Returns 0 with *frames = NULL for
 * the empty stack, or when memory for the array runs out (gt_stack_len and
 * gt_stack_frame still work then). frames must not be NULL. */
GT_API size_t gt_stack_frames(gt_stack s, const gt_frame **frames);
/* Whether two handles name the same stack of the same generation: stacks of
 * one generation can be cached by id. */
static inline int gt_stack_is_empty(gt_stack s) { return s.id == 0; }

/* Kind-specific details. Each returns 0 and fills *out, or -1 (and leaves
 * *out alone) when the event is not of that kind. */

typedef struct gt_metric {
    gt_str name;     /* e.g. "/sched/gomaxprocs:threads" */
    gt_value value;
} gt_metric;
GT_API int gt_event_metric(const gt_event *ev, gt_metric *out);

typedef struct gt_label {
    gt_str label;
    gt_resource resource;
} gt_label;
GT_API int gt_event_label(const gt_event *ev, gt_label *out);

typedef struct gt_range {
    gt_str name;         /* e.g. "GC concurrent mark phase" */
    gt_resource scope;
} gt_range;
GT_API int gt_event_range(const gt_event *ev, gt_range *out);

typedef struct gt_range_attribute {
    gt_str name;
    gt_value value;
} gt_range_attribute;
/* RangeEnd attributes: writes up to cap into out, returns how many there are
 * (0 for other kinds). */
GT_API size_t gt_event_range_attributes(const gt_event *ev, gt_range_attribute *out, size_t cap);

typedef struct gt_task {
    uint64_t id;
    uint64_t parent;  /* GT_NO_TASK when unknown */
    gt_str type;
} gt_task;
GT_API int gt_event_task(const gt_event *ev, gt_task *out);

typedef struct gt_region {
    uint64_t task;
    gt_str type;
} gt_region;
GT_API int gt_event_region(const gt_event *ev, gt_region *out);

typedef struct gt_log {
    uint64_t task;
    gt_str category;
    gt_str message;
} gt_log;
GT_API int gt_event_log(const gt_event *ev, gt_log *out);

typedef struct gt_state_transition {
    gt_resource resource;  /* GT_RESOURCE_GOROUTINE or GT_RESOURCE_PROC */
    int old_state;         /* gt_go_state or gt_proc_state, by resource */
    int new_state;
    gt_str reason;
    gt_stack stack;        /* the transitioning goroutine's stack, may be empty */
} gt_state_transition;
GT_API int gt_event_state_transition(const gt_event *ev, gt_state_transition *out);

typedef struct gt_clock_snapshot {
    int64_t trace;       /* trace time, ns */
    uint64_t mono;       /* monotonic clock, ns */
    int64_t wall_sec;    /* wall clock: seconds since the Unix epoch */
    int32_t wall_nsec;   /* and nanoseconds, 0..999999999 */
} gt_clock_snapshot;

typedef struct gt_sync {
    int64_t n;                    /* 1 for the first Sync, then +1 each */
    int has_clock_snapshot;
    gt_clock_snapshot clock;
    size_t n_experimental_batches;
} gt_sync;
GT_API int gt_event_sync(const gt_event *ev, gt_sync *out);

typedef struct gt_experimental_batch {
    gt_str experiment;   /* e.g. "AllocFree" */
    int64_t thread;
    const uint8_t *data;
    size_t len;
} gt_experimental_batch;
/* Batch i (0 <= i < n_experimental_batches) of a Sync event; 0 or -1. */
GT_API int gt_event_sync_experimental_batch(const gt_event *ev, size_t i, gt_experimental_batch *out);

#define GT_MAX_EXPERIMENTAL_ARGS 4
typedef struct gt_experimental {
    gt_str name;         /* e.g. "HeapObjectAlloc" */
    gt_str experiment;   /* e.g. "AllocFree" */
    size_t nargs;
    gt_str arg_names[GT_MAX_EXPERIMENTAL_ARGS];
    gt_value arg_values[GT_MAX_EXPERIMENTAL_ARGS];
} gt_experimental;
GT_API int gt_event_experimental(const gt_event *ev, gt_experimental *out);

/* Formats the event exactly as Go's Event.String() does (no trailing newline
 * beyond what Go writes). Writes at most cap bytes including a NUL and returns
 * the full length, like snprintf. Keeps nothing between calls (no
 * per-thread or shared buffer): any number of threads may call it at once,
 * on the same or different events. */
GT_API size_t gt_event_format(const gt_event *ev, char *buf, size_t cap);
/* The same text without a copy into the caller's buffer: returns a borrowed
 * NUL-terminated string and sets *len (len may be NULL) to its length. The
 * string lives in a buffer that belongs to the event's reader (it is freed
 * with the reader's data, never per thread) and stays valid until the next
 * gt_event_string call on any event of the same reader, or until the
 * event's lifetime ends (top of this file), whichever comes first.
 * Threads: calls on events of one reader must not overlap (one thread at a
 * time, or the caller's lock); calls on events of different readers are
 * independent. From several threads at once, use gt_event_format. NULL when
 * memory runs out, or for an event that comes from no reader. */
GT_API const char *gt_event_string(const gt_event *ev, size_t *len);

/* ---------------------------------------------------------------- reader */

typedef struct gt_reader gt_reader;

/* Input. The readers of this library (gt_reader_*, and the binary gt_raw_*
 * of gotrace/raw.h) read a memory buffer in place, or else through a
 * gt_source: the caller's callbacks, or the library's own for a path, a
 * descriptor or a stdio stream. A source the
 * caller fills in (any language that can make a C callback can feed a
 * reader: a decompressor, a socket, a Python file object):
 *
 *   read     required. Reads up to cap (> 0) bytes into buf and returns how
 *            many (short reads are fine), 0 at the end of the input, or a
 *            negative value on failure: -errno gives the error the message
 *            "read error: <strerror>", any other negative value counts as
 *            -EIO. The reader then fails with GT_ERR_IO at the offset of the
 *            first byte it did not get. After 0 or a failure, read is not
 *            called again.
 *   read_at  optional (NULL). Reads up to cap bytes at an offset from the
 *            start of the input (the first byte read returns is offset 0),
 *            with read's return values, without disturbing read's position.
 *            With read_at and size both set, the v2 reader reads lazily: it
 *            keeps only where each event batch lies and reads it again by
 *            offset while merging, instead of holding whole generations.
 *   size     the input's size in bytes when known, else 0
 *            (gt_reader_bytes_total).
 *   close    optional (NULL). Called once with ctx when the reader is freed,
 *            or when opening fails; the reader calls no callback after it.
 *
 * The reader copies *src (the struct may be temporary); ctx must stay valid
 * until close is called or the reader is freed. Callbacks are called only
 * while a reader call runs (gt_reader_open_source, gt_reader_next,
 * gt_reader_next_batch, gt_reader_free), never two at once, but not always
 * on the calling thread: in threaded mode (gt_reader_set_threads) the
 * reader's own threads call read and read_at. Old-format traces
 * (Go <= 1.21) are read whole first. A memory buffer needs no source
 * (gt_reader_open_memory reads it in place). */
typedef struct gt_source {
    int64_t (*read)(void *ctx, void *buf, size_t cap);
    int64_t (*read_at)(void *ctx, void *buf, size_t cap, uint64_t offset);
    uint64_t size;
    void *ctx;
    void (*close)(void *ctx);
} gt_source;

/* Open a reader. On failure returns NULL and fills *err (err may be NULL).
 * The header is read and checked before these return.
 *   _source: the caller's source (above); its close is called on failure
 *            too. NULL src or NULL src->read is GT_ERR_ARGUMENT (then close
 *            is not called).
 *   _path:   a file path, opened read-only and closed by gt_reader_free;
 *            "-" is standard input (as _fd(0)).
 *   _memory: a buffer the caller keeps alive and unchanged until free; read
 *            in place, never copied.
 *   _fd:     a file descriptor, not closed. Read sequentially with read(2)
 *            from its current position (pipes and sockets work); when it is
 *            a regular file, the reader also reads it back with pread(2) at
 *            offsets from that position (lazy reading: memory does not hold
 *            whole generations). The descriptor belongs to the reader until
 *            gt_reader_free: the caller must not read, seek, close or write
 *            it (nor truncate the file) before then.
 *   _stream: a stdio stream, read sequentially with fread, never read back;
 *            not closed. As for _fd, the caller must not use it until
 *            gt_reader_free. */
GT_API gt_reader *gt_reader_open_source(const gt_source *src, gt_error *err);
GT_API gt_reader *gt_reader_open_path(const char *path, gt_error *err);
GT_API gt_reader *gt_reader_open_memory(const void *data, size_t len, gt_error *err);
GT_API gt_reader *gt_reader_open_fd(int fd, gt_error *err);
GT_API gt_reader *gt_reader_open_stream(FILE *stream, gt_error *err);

/* Frees the reader and everything its events point to. NULL is fine. */
GT_API void gt_reader_free(gt_reader *r);

/* The trace's Go version from its header: 11, 19, 21, 22, 23, 25 or 26. */
GT_API int gt_reader_version(const gt_reader *r);

/* Next event. Returns 1 and fills *ev, 0 at the end of the trace, or -1 on
 * error (see gt_reader_error). After 0 or -1 every later call returns the
 * same. */
GT_API int gt_reader_next(gt_reader *r, gt_event *ev);

/* Up to cap next events into evs. Returns how many were written: 0 only at
 * the end of the trace or on an error (tell them apart with
 * gt_reader_error), so loop until it returns 0. Before that it may return
 * fewer than cap: a batch ends early at a generation boundary so that it
 * never holds more than one Sync, nor events of more than two generations
 * (the Sync that would end the lifetime of events earlier in the batch is
 * returned first by the next call). Every event of a batch follows the
 * lifetime rule at the top of this file. */
GT_API size_t gt_reader_next_batch(gt_reader *r, gt_event *evs, size_t cap);

/* Threaded reading: with threads >= 2, a second thread reads, merges and
 * orders the trace ahead of the caller, handing events over in chunks, so
 * that the caller's own work on the events runs in parallel, and a third
 * reads and parses whole generations (batches, string and stack tables, CPU
 * samples) ahead of the ordering, at most two generations ahead; any
 * threads >= 2 starts these two today. Events, their
 * order, errors and lifetimes are exactly those of the single-threaded
 * reader; the reader is still used by one caller thread at a time. The
 * reading thread runs at most a few generations ahead of the caller (it
 * waits when it is further ahead), so memory stays bounded as in
 * single-threaded mode whatever the trace. Call
 * before the first gt_reader_next / gt_reader_next_batch. Returns 0, or -1
 * (threads < 1, or reading has started). Old-format traces (Go <= 1.21) are
 * read single-threaded. If a thread cannot be started the reader silently
 * does without it. Without a call, the environment variable GT_TEST_THREADS
 * (a test hook: the suite's `make test-threads`) gives the default when it
 * holds 1 to GT_TEST_THREADS_MAX, else the default is 1. */
GT_API int gt_reader_set_threads(gt_reader *r, int threads);

/* The largest GT_TEST_THREADS the reader takes as its default (see
 * gt_reader_set_threads; a larger value reads as 1, like any that is not a
 * number from 1 up). It bounds the hook only: gt_reader_set_threads takes
 * any threads >= 1. A caller that mirrors the reader's default, as the
 * gotrace command does for its own threads, bounds the hook the same way. */
#define GT_TEST_THREADS_MAX 64

/* The threads a caller should ask gt_reader_set_threads for when its user
 * named none: the online cores, at most GT_DEFAULT_THREADS_CAP (more gives
 * nothing today: the reader starts two threads for any threads >= 2, and
 * an exporter's packing one more); 0, meaning "make no call, the reader's
 * own default applies", while the GT_TEST_THREADS hook is set, so that the
 * test suite decides. The gotrace command and the Python package take their
 * default from here. */
#define GT_DEFAULT_THREADS_CAP 3
GT_API int gt_default_threads(void);

/* The error that stopped the reader, or NULL when it has not failed. */
GT_API const gt_error *gt_reader_error(const gt_reader *r);

/* Input bytes consumed so far, and the input's size when known (else 0: a
 * pipe, a stream, a source without size). */
GT_API uint64_t gt_reader_bytes_read(const gt_reader *r);
GT_API uint64_t gt_reader_bytes_total(const gt_reader *r);

#ifdef __cplusplus
}
#endif

#endif
