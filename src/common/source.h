/* The library's own gt_source implementations (gotrace.h): a file
 * descriptor and a stdio stream, the inputs behind every gt_*_open_fd,
 * _path and _stream. The readers only ever see a gt_source. */
#ifndef GT_COMMON_SOURCE_H
#define GT_COMMON_SOURCE_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"

/* State of a descriptor source; must stay at its address while the source
 * is in use (the source's ctx points at it). */
typedef struct gt_fd_source {
    int fd;
    int own;        /* close fd when the source is closed */
    uint64_t start; /* the descriptor's position when the source was made */
} gt_fd_source;

/* A source reading fd sequentially with read(2) from its current position.
 * When fd is a regular file the source also has read_at (pread(2) relative
 * to that position, which it never moves) and size (the bytes from there to
 * the end), so that a reader may read it lazily. With own, closing the
 * source closes fd. */
void gt_source_from_fd(gt_source *s, gt_fd_source *state, int fd, int own);

/* A source reading fp with fread; no read_at, no size; fp is not closed. */
void gt_source_from_stream(gt_source *s, FILE *fp);

/* The errno a source call's negative return stands for: -ret when it is a
 * plausible errno, else EIO. */
int gt_source_errno(int64_t ret);

/* Calls s->close (when set) once, and clears it. */
void gt_source_close(gt_source *s);

#endif
