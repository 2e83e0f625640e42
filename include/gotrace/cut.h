/* gotrace/cut.h — cutting a Go execution trace of the v2 format (Go 1.22
 * and later) at generation boundaries: list its generations, write a
 * smaller trace holding some of them (`gotrace cut`), or split it into
 * consecutive pieces (`gotrace split`).
 *
 * A v2 trace is a header ("go 1.N trace\0\0\0") followed by generations,
 * each a run of batches that the runtime wrote between two trace advances
 * and that can be read on its own (this is what the flight recorder writes).
 * A cut is the input's header followed by a consecutive run of its
 * generations, copied byte for byte in the input's own wire format: Go 1.26
 * traces keep their EndOfGeneration bytes, older ones need nothing more.
 * Nothing is re-encoded, so go tool trace reads a cut like any trace.
 *
 * Generations are numbered 1, 2, ... in input order (the index), whatever
 * their numbers on the wire (a flight recording starts anywhere).
 *
 * Times. An event's time is computed as Go computes it from the wire, in
 * nanoseconds on the trace clock, but before Go's reader forces times to
 * increase strictly (a fix-up that moves an event later by at most the
 * overlap of two generations); Go converts each timestamp delta on its own
 * and this library a batch's sum of deltas, which can differ by rounding
 * when the trace clock's tick is not a whole number of nanoseconds. The
 * trace start is the time of the first event of Go's reader, the Sync that
 * opens the first generation: its earliest batch timestamp. Go's web UI
 * shows times relative to it. A generation spans from its earliest batch
 * timestamp (its Sync's time) to the time of its latest event or CPU
 * sample.
 *
 * Input. A regular file (gt_cutter_open) is read once, front to back, and
 * a kept generation is copied out of it by offset (pread). A pipe
 * (gt_cutter_open_stream), or any gt_source (gt_cutter_open_source: a
 * decompressor, a socket), is read once too, and what it gives is written to
 * a spool file the caller provides, from which kept generations are copied;
 * the spool's bytes of each generation are given back to the file system
 * (punched out) once the next one is asked for, so the spool holds about
 * one generation. Memory holds one batch at a time either way, whatever the
 * size of the trace or of its generations. Generations are decided on as
 * soon as they have been read and copied at once, so a cut stops reading at
 * the end of its window. The library never prints; the output is written
 * through a stdio stream it does not close, every write checked.
 *
 * Old-format traces (Go 1.11 to 1.21) have no generations and cannot be
 * cut: opening one fails with GT_ERR_UNSUPPORTED.
 */
#ifndef GOTRACE_CUT_H
#define GOTRACE_CUT_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_cut_gen {
    uint64_t index;    /* 1-based position in the input */
    uint64_t gen;      /* generation number on the wire */
    uint64_t offset;   /* input offset of its first batch */
    uint64_t size;     /* bytes of its batches (EndOfGeneration included) */
    uint64_t batches;  /* batches, EndOfGeneration included */
    int64_t start;     /* its span on the trace clock, ns (see Times above) */
    int64_t end;
} gt_cut_gen;

/* ------------------------------------------------------------ generations */

typedef struct gt_cutter gt_cutter;

/* Reads and checks the header of the trace in fd (Go's errors: "bad file
 * format: not a Go execution trace?", "unknown or unsupported trace version
 * go 1.N"; an old-format trace gives GT_ERR_UNSUPPORTED). NULL with err set
 * on failure. Neither fd is closed by gt_cutter_free.
 *   _open:        fd is a regular file, read from offset 0 (the file offset
 *                 moves);
 *   _open_stream: fd is read as it comes (a pipe); spool_fd is an empty
 *                 regular file (unlinked, say, in $TMPDIR) that receives
 *                 what is read, from which generations are copied (or -1
 *                 when nothing will be copied: listing). A generation's
 *                 bytes can be copied until the next gt_cutter_next call;
 *                 the header's, always;
 *   _open_source: as _open_stream, the input read through src's read
 *                 callback only (gotrace.h's gt_source: read_at and size
 *                 are not used), sequentially, on the calling thread, never
 *                 again after it returned 0 or failed; a negative return is
 *                 a GT_ERR_IO error ("read or spool: <strerror>" at open).
 *                 The cutter copies *src; src's close is called by
 *                 gt_cutter_free, or on failure (not for a NULL src or
 *                 src->read: GT_ERR_ARGUMENT). */
GT_API gt_cutter *gt_cutter_open(int fd, gt_error *err);
GT_API gt_cutter *gt_cutter_open_stream(int fd, int spool_fd, gt_error *err);
GT_API gt_cutter *gt_cutter_open_source(const gt_source *src, int spool_fd, gt_error *err);
GT_API void gt_cutter_free(gt_cutter *c);

/* The version from the header (22, 23, 25 or 26) and the header's size. */
GT_API int gt_cutter_version(const gt_cutter *c);
GT_API uint64_t gt_cutter_header_size(const gt_cutter *c);

/* Reads the next generation: 1 with *g filled, 0 at the end of the trace,
 * -1 with err set (Go's message where Go's reader fails the same way: a
 * truncated generation, generations out of order, no frequency event, ...;
 * offset = the batch at fault). The batches are framed as Go's reader frames
 * them, and each event batch's events are decoded for their timestamps; the
 * events are not otherwise checked. A generation of a trace before Go 1.26
 * ends where the next one starts, so it is returned once the next one's first
 * batch has been read; as in Go's reader, a batch that cannot be read (or a
 * next generation whose first batch is broken) ends the generation, which is
 * returned first (without that batch), and the error comes at the next call.
 * After -1 every call returns -1 with the same error. */
GT_API int gt_cutter_next(gt_cutter *c, gt_cut_gen *g, gt_error *err);

/* The trace start (ns on the trace clock); valid once gt_cutter_next has
 * returned the first generation. */
GT_API int64_t gt_cutter_trace_start(const gt_cutter *c);

/* Copies the input's header, or the input bytes [offset, offset + size) (a
 * run of whole generations: from a gt_cut_gen's offset to another's offset +
 * size), to out. 0, or -1 with err set (GT_ERR_IO for a failed read or
 * write). */
GT_API int gt_cutter_write_header(gt_cutter *c, FILE *out, gt_error *err);
GT_API int gt_cutter_write(gt_cutter *c, uint64_t offset, uint64_t size, FILE *out, gt_error *err);

/* ------------------------------------------------------------ cut */

/* Which generations a cut keeps: by index (first..last, 1-based and
 * inclusive; last may be UINT64_MAX for "to the end"), or by time: the
 * generations whose span overlaps [from, to] (ns relative to the trace start,
 * inclusive; to may be INT64_MAX). A generation overlaps when it starts at or
 * before `to` and ends at or after `from`; reading stops at the first
 * generation that starts after `to`. */
typedef struct gt_cut_window {
    int by_index;
    uint64_t first, last;
    int64_t from, to;
} gt_cut_window;

typedef struct gt_cut_result {
    uint64_t first, last;  /* indices of the generations written */
    int64_t start, end;    /* their span, ns relative to the trace start */
    uint64_t bytes;        /* bytes written, header included */
} gt_cut_result;

/* Writes to out the header and the window's generations of the trace that
 * c has just opened (c is then used up; free it). Returns 0, or -1 with err
 * set: GT_ERR_ARGUMENT when the window holds no generation (the message says
 * how many generations the trace has and what it spans, in Go's duration
 * syntax), the errors of gt_cutter_next, or GT_ERR_IO. Output may have been
 * written before an error: write to a temporary file. */
GT_API int gt_cut(gt_cutter *c, FILE *out, const gt_cut_window *w, gt_cut_result *res, gt_error *err);

/* ------------------------------------------------------------ split */

typedef struct gt_split_piece {
    uint64_t number;       /* 0, 1, ... */
    uint64_t first, last;  /* indices of its generations */
    uint64_t bytes;        /* header included */
    int oversize;          /* larger than the limit: one generation alone is */
} gt_split_piece;

/* Where the pieces go: open returns the stream for piece `number` (NULL with
 * err set to stop); close is called once per opened piece, complete = 1 when
 * the piece is whole (its stream may be closed and kept), 0 when splitting
 * failed while it was being written (discard it); it returns 0, or -1 with
 * err set. To set err, a callback sets err->code and points err->message
 * at a text valid until it returns (the library copies it; gotrace.h,
 * gt_error). */
typedef struct gt_split_sink {
    FILE *(*open)(void *arg, uint64_t number, gt_error *err);
    int (*close)(void *arg, const gt_split_piece *piece, int complete, gt_error *err);
    void *arg;
} gt_split_sink;

/* Splits the trace that c has just opened (c is then used up; free it) into
 * consecutive pieces, each a valid trace (the header and whole generations),
 * each at most max_bytes unless a single generation with the header is
 * larger (then that piece holds it alone and is flagged oversize). A piece is closed when the next generation would not
 * fit. Every generation goes into exactly one piece, in order. Returns 0
 * (*pieces = number written), or -1 with err set (a trace with no
 * generation is GT_ERR_ARGUMENT). */
GT_API int gt_split(gt_cutter *c, uint64_t max_bytes, const gt_split_sink *sink, uint64_t *pieces, gt_error *err);

#ifdef __cplusplus
}
#endif

#endif
