/* Internals shared by the raw readers and writers (src/wire/raw_*.c and
 * src/text/): the reader object, which is either a binary reader (over memory
 * or a file descriptor, through a bounded window) or a text reader, and the
 * spec lookup the raw layer uses. */
#ifndef GT_WIRE_RAW_INTERNAL_H
#define GT_WIRE_RAW_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/source.h"
#include "gotrace/raw.h"
#include "wire/spec.h"

enum gt_raw_source { GT_RAW_SRC_MEMORY, GT_RAW_SRC_SOURCE, GT_RAW_SRC_TEXT };

struct gt_raw_reader {
    enum gt_raw_source source;
    int version;
    int state;           /* 0 reading, 1 at end, -1 failed */
    int go_eof;          /* the failure is one Go's raw reader sees as io.EOF */
    gt_error err;

    /* gt_raw_spec(version, t) for every t, filled once the version is known:
     * one load per event instead of a lookup. */
    const gt_spec *specs[256];

    /* Arguments of the current event (frames of a Stack included); grows
     * geometrically and is reused, so events cost no allocation. */
    uint64_t *args;
    size_t args_cap;

    /* Binary input: the window [win, win_end) holds input bytes starting at
     * file offset win_offset; pos is the next unread byte. For memory input
     * the window is the whole buffer. */
    const uint8_t *win, *pos, *win_end;
    uint64_t win_offset;
    int input_eof;       /* nothing follows win_end */
    gt_source src;       /* GT_RAW_SRC_SOURCE: closed by gt_raw_free */
    gt_fd_source fd_state; /* src's state when it reads a descriptor */
    uint8_t *buf;        /* source input: the owned window buffer */
    size_t buf_cap;

    /* Another format's reader over this object (the text reader of
     * src/text sets it): gt_raw_next and gt_raw_bytes_read call these
     * instead of decoding binary input, so that this layer needs nothing
     * of the layers that build on it. */
    int (*next)(gt_raw_reader *r, gt_raw_event *ev);
    uint64_t (*bytes_read)(const gt_raw_reader *r);

    /* Text input. */
    void *owned;         /* a buffer the reader owns (freed by gt_raw_free) */
    const char *text;
    size_t text_len, text_pos;
    uint64_t line;       /* number of the last line read, 1-based */
    gt_buf data;         /* unquoted data of the current event */
};

/* The spec the raw layer uses for wire type t of version v, or NULL when Go's
 * raw reader would say "invalid event type". It follows Go's raw tables
 * (version.Specs()), with one deliberate extension: the experimental types
 * (128 and up) are known for every v2 version from 1.23, not only 1.26, so
 * that the alloc/free traces of Go 1.23-1.25 can be read. Like Go, the unnamed
 * slots of Go 1.26's table (types between EndOfGeneration and 128) are
 * zero-argument events with an empty name. */
const gt_spec *gt_raw_spec(int version, unsigned type);

/* Ensures r->args can hold n values. 0, or -1 when memory runs out. */
int gt_raw_args_reserve(gt_raw_reader *r, size_t n);

/* Allocates a zeroed reader; NULL when memory runs out. */
gt_raw_reader *gt_raw_reader_alloc(enum gt_raw_source source);

/* Records a failure on r (state -1) and returns -1. */
int gt_raw_fail(gt_raw_reader *r, gt_errcode code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends Go's raw Event.String() of ev (no newline) to out: the name, each
 * "arg=value", frames on tab-indented lines, and "\n\tdata=QUOTED" when
 * ev->data is not NULL. 0, or -1 when memory runs out. */
int gt_raw_event_append(gt_buf *out, int version, const gt_raw_event *ev);


#endif
