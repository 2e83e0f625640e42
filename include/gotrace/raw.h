/* gotrace/raw.h — raw wire events: the trace as written, in file order,
 * without ordering or checks (what `go tool trace -d=wire` shows), in the
 * binary format and in Go's text format (the `.test` files), plus writers for
 * both. Used by `gotrace dump --wire`, `gotrace convert`, the trace builder
 * and the tests.
 *
 * Contract on hostile input: readers never read outside their input, never
 * allocate more than a small multiple of the input size, and report every
 * malformation as a gt_error with the byte offset (binary) or line (text).
 */
#ifndef GOTRACE_RAW_H
#define GOTRACE_RAW_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_raw_event {
    uint8_t type;           /* wire event type */
    size_t nargs;           /* all arguments, frame fields of Stack included */
    const uint64_t *args;   /* borrowed: valid until the next call on the reader */
    const uint8_t *data;    /* trailing data (String, ExperimentalBatch) or NULL */
    size_t data_len;
    uint64_t offset;        /* binary: byte offset of the type byte; text: line */
} gt_raw_event;

typedef struct gt_raw_reader gt_raw_reader;

/* Binary readers. The header is read and checked before they return, with
 * Go's error texts ("bad file format: not a Go execution trace?", "unknown or
 * unsupported trace version go 1.N"). Any valid version opens; old-format
 * files (1.11-1.21) have no raw v2 events, so their first gt_raw_next fails
 * with GT_ERR_UNSUPPORTED and Go's "invalid event type: N". path "-" is
 * stdin. Files and descriptors are read sequentially through a bounded window
 * (pipes work; memory does not grow with the input); _fd does not close fd.
 *
 * Known types: Go's raw tables for the version, plus the experimental types
 * (128 and up) for every version from 1.23 (Go's own raw reader knows them
 * only for 1.26). */
GT_API gt_raw_reader *gt_raw_open_path(const char *path, gt_error *err);
GT_API gt_raw_reader *gt_raw_open_memory(const void *data, size_t len, gt_error *err);
GT_API gt_raw_reader *gt_raw_open_fd(int fd, gt_error *err);
/* Binary reader over a caller's source (gotrace.h's gt_source: read only,
 * never read_at; close is called by gt_raw_free, or on failure). The
 * descriptor of _fd, the stream of a source, belong to the reader until
 * gt_raw_free: the caller must not use them before. */
GT_API gt_raw_reader *gt_raw_open_source(const gt_source *src, gt_error *err);
/* Text format reader over a buffer kept alive by the caller. Errors carry
 * Go's texts and gt_error.line (offset = byte offset of that line). */
GT_API gt_raw_reader *gt_raw_open_text(const void *data, size_t len, gt_error *err);
/* The text reader over a source (gotrace.h's gt_source): the text format is
 * parsed whole, so the source is read to its end into a buffer the reader
 * owns (its close is called before this returns, on success or failure), then
 * read as gt_raw_open_text reads memory. A read failure is GT_ERR_IO at the
 * offset reached; NULL src or read is GT_ERR_ARGUMENT. */
GT_API gt_raw_reader *gt_raw_open_text_source(const gt_source *src, gt_error *err);

GT_API int gt_raw_version(const gt_raw_reader *r);
/* 1 = *ev filled, 0 = end of input, -1 = error (gt_raw_error). */
GT_API int gt_raw_next(gt_raw_reader *r, gt_raw_event *ev);
GT_API const gt_error *gt_raw_error(const gt_raw_reader *r);
/* 1 when the reader failed because the input ended where Go's raw reader
 * sees a plain io.EOF (at the start of an argument, or inside data bytes) and
 * so stops without an error; 0 otherwise. The error itself is still
 * GT_ERR_TRUNCATED with the offset. */
GT_API int gt_raw_error_is_eof(const gt_raw_reader *r);
GT_API uint64_t gt_raw_bytes_read(const gt_raw_reader *r);
GT_API void gt_raw_free(gt_raw_reader *r);

/* Name of a wire type for a version, as Go prints it ("Invalid(N)" for an
 * unknown type byte N; "Invalid" for a type above 255, which no byte holds).
 * Always a static string: valid forever, safe from any thread. */
GT_API const char *gt_raw_event_name(int version, unsigned type);

/* Formats ev exactly as Go's raw Event.String() (no trailing newline).
 * snprintf-style: writes at most cap bytes including a NUL and returns the
 * full length. Keeps nothing between calls (no per-thread or global
 * buffer): any number of threads may call it at once. */
GT_API size_t gt_raw_event_format(int version, const gt_raw_event *ev, char *buf, size_t cap);

/* Go's `go tool trace -d=footprint`: how many events of each wire type the
 * trace holds and how many bytes they take. An event's bytes are its size
 * re-encoded with shortest varints (Go's raw Event.EncodedSize): the type
 * byte, every argument (frame fields of Stack included) and, for String and
 * ExperimentalBatch, the data length and data. */
typedef struct gt_raw_footprint_row {
    unsigned type;
    char name[24];      /* Go's: the version's name for the type, "" where the
                         * version's table has a gap, "<unknown (N)>" past it;
                         * but an experimental type that occurs in a 1.23 or
                         * 1.25 trace (where Go's raw reader stops) is named */
    uint64_t count, bytes;
} gt_raw_footprint_row;

/* Reads every remaining event of r and fills rows[256], one per type, in
 * Go's order: by bytes, largest first, and types with equal bytes as Go's
 * unstable sort leaves them. *events gets the number of events read and
 * *input_bytes the input's size, header included (what Go's percentages
 * divide by). Like Go, an input that ends inside an event
 * (gt_raw_error_is_eof) counts as the end. Returns 0, or -1 on any other
 * error (gt_raw_error; the outputs are then unspecified). */
GT_API int gt_raw_footprint(gt_raw_reader *r, gt_raw_footprint_row rows[256], uint64_t *events,
                            uint64_t *input_bytes);

/* Writers: binary (with the "go 1.N trace" header) or text ("Trace Go1.N").
 * Each writes to a stdio stream it does not close.
 *   GT_RAW_BINARY: shortest varints everywhere, as Go's raw.Writer (this is
 *     how Go's tests encode the .test traces).
 *   GT_RAW_BINARY_RUNTIME: as the Go runtime lays batches out: the size
 *     argument of EventBatch and the data length of ExperimentalBatch are
 *     varints padded to 10 bytes (the runtime reserves the room before it
 *     knows the value). Re-encoding a runtime
 *     trace this way reproduces it byte for byte.
 *   GT_RAW_TEXT: Go's text format; events with data always get their data
 *     line (data="" when empty), so the text reads back. */
typedef struct gt_raw_writer gt_raw_writer;
enum { GT_RAW_BINARY = 0, GT_RAW_TEXT = 1, GT_RAW_BINARY_RUNTIME = 2 };
GT_API gt_raw_writer *gt_raw_writer_new(FILE *out, int version, int format, gt_error *err);
/* Writes one event: checks its type and argument count against the version.
 * 0 or -1 (err filled). */
GT_API int gt_raw_writer_write(gt_raw_writer *w, const gt_raw_event *ev, gt_error *err);
/* Flushes and frees. Returns 0, or -1 when a write failed. NULL is fine. */
GT_API int gt_raw_writer_close(gt_raw_writer *w, gt_error *err);

#ifdef __cplusplus
}
#endif

#endif
