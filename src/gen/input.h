/* Sequential byte input for the reader: a caller's memory buffer, or a
 * gt_source (gotrace.h: the caller's callbacks, or the library's own for a
 * descriptor or a stdio stream), read front to back exactly once.
 *
 * Memory inputs are used in place (no copy). Sources are read in chunks into
 * a window that only ever holds unconsumed bytes, so memory stays bounded by
 * the largest item read (a batch is at most 64 KiB), never by the trace
 * size.
 *
 * Status codes follow Go's io / encoding/binary errors so that callers can
 * reproduce Go's messages ("EOF", "unexpected EOF", varint overflow).
 */
#ifndef GT_GEN_INPUT_H
#define GT_GEN_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/arena.h"
#include "common/source.h"

enum gt_in_status {
    GT_IN_OK = 0,
    GT_IN_EOF = 1,            /* nothing left (io.EOF) */
    GT_IN_UNEXPECTED_EOF = 2, /* input ended inside an item (io.ErrUnexpectedEOF) */
    GT_IN_OVERFLOW = 3,       /* varint longer than 64 bits */
    GT_IN_IOERR = 4           /* the source's read failed: see err_no */
};

enum gt_in_kind { GT_IN_MEMORY, GT_IN_SOURCE };

typedef struct gt_input {
    enum gt_in_kind kind;
    gt_source src;        /* GT_IN_SOURCE; closed by gt_in_free */
    gt_fd_source fd_state; /* src's state when it reads a descriptor */
    const uint8_t *win;   /* window: memory input itself, or buf */
    size_t pos, len;      /* consumed / valid bytes of the window */
    uint8_t *buf;         /* owned window storage (sources) */
    size_t cap;
    uint64_t base;        /* absolute offset of win[0] */
    uint64_t total;       /* input size when known, else 0 */
    int at_eof;
    int err_no;
    /* Set by the first gt_in_skip that leaves the window: read's position
     * is behind, so the window is filled with read_at from then on. */
    int positional;
} gt_input;

void gt_in_init_memory(gt_input *in, const void *p, size_t n);
/* A copy of *src is kept; total is src->size. */
void gt_in_init_source(gt_input *in, const gt_source *src);
/* gt_source_from_fd / gt_source_from_stream (common/source.h) as the source;
 * in must not move while it is used (the source points into it). Setting
 * in->fd_state.own afterwards makes gt_in_free close fd. */
void gt_in_init_fd(gt_input *in, int fd);
void gt_in_init_stream(gt_input *in, FILE *fp);
/* Frees the window and closes the source. */
void gt_in_free(gt_input *in);
/* Whether the input can be read again by offset (gt_in_read_at). */
static inline int gt_in_can_read_at(const gt_input *in)
{
    return in->kind == GT_IN_SOURCE && in->src.read_at && in->total > 0;
}
/* Reads exactly n bytes at offset (from the start of the input) through the
 * source's read_at. 0; or -1 with *got the bytes read and *err_no the
 * failure (0 when the input ended first). */
int gt_in_read_at(const gt_input *in, void *buf, size_t n, uint64_t offset, size_t *got, int *err_no);

/* Absolute offset of the next unread byte. */
static inline uint64_t gt_in_offset(const gt_input *in) { return in->base + in->pos; }

/* One byte: GT_IN_OK, GT_IN_EOF or GT_IN_IOERR. */
int gt_in_byte(gt_input *in, uint8_t *out);

/* Go's binary.ReadUvarint over the input: GT_IN_OK, GT_IN_EOF (no byte),
 * GT_IN_UNEXPECTED_EOF (ended inside), GT_IN_OVERFLOW, GT_IN_IOERR. Bytes
 * read before a failure stay consumed, as in Go. */
int gt_in_uvarint(gt_input *in, uint64_t *out);

/* Whether the next n bytes can be skipped without reading them: the input
 * can be read by offset and its known size holds them. */
static inline int gt_in_can_skip(const gt_input *in, uint64_t n)
{
    return gt_in_can_read_at(in) && n <= in->total && gt_in_offset(in) <= in->total - n;
}
/* The next byte without consuming it, or NULL at the end of the input or on
 * an I/O error (err_no set). Valid until the next call on in. */
const uint8_t *gt_in_peek(gt_input *in);
/* Consumes n bytes without reading those the window does not hold yet.
 * Only after gt_in_can_skip(in, n). */
void gt_in_skip(gt_input *in, uint64_t n);

/* Reads up to n bytes and sets *out to them: in place for memory inputs,
 * else copied into arena; with arena NULL, in place in the window, valid
 * only until the next call on in. Returns how many bytes were available (< n at the
 * end of the input or on an I/O error; *out is then NULL). Returns
 * (size_t)-1 when the arena cannot grow. */
size_t gt_in_take(gt_input *in, size_t n, gt_arena *arena, const uint8_t **out);

/* Reads all the remaining input into a malloc'd buffer (for old formats, which
 * are parsed whole). prefix/npre is prepended. After each chunk read, stop
 * (when not NULL) is called with arg and the data so far; when it returns
 * non-zero, reading stops there and *data holds only what was read so far.
 * Returns 0 or -1 (I/O error or memory). */
int gt_in_slurp(gt_input *in, const uint8_t *prefix, size_t npre, uint8_t **data, size_t *len,
                int (*stop)(void *arg, const uint8_t *data, size_t len), void *arg);

#endif
