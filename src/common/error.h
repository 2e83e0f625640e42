/* Filling a gt_error. Messages follow Go's text where Go has one; otherwise
 * "what went wrong: key=value".
 *
 * Ownership. A gt_error inside the library may own its message: then
 * `owned` (gotrace.h's private field) is 1 and message points to a malloc'd
 * block of exactly its length, freed by gt_error_clear, gt_error_set (which
 * replaces it) or gt_error_move's source handing it over. Otherwise message
 * is a static text ("" or a literal) or points into storage someone else
 * owns. So inside the library:
 *   - a gt_error is initialised (GT_ERROR_INIT, gt_error_init or
 *     gt_error_clear on a zeroed one) before anything reads it;
 *   - it is never assigned by value from another that owns its message:
 *     gt_error_move hands the message over, gt_error_copy duplicates it;
 *   - one that may own a message is released with gt_error_clear when it
 *     dies (object free functions, locals before they go out of scope).
 * A caller's gt_error is neither initialised nor released: each public
 * function that takes `gt_error *err` starts with gt_error_init(err) (it
 * never reads what the caller left there) and ends with
 * gt_error_publish(err), which moves an owned message to the calling
 * thread's storage (gotrace.h states the lifetime), so the caller's struct
 * owns nothing and needs no release.
 *
 * A message that cannot be allocated degrades to gt_error_lost_text: the
 * code, offset, line and generation stay exact. */
#ifndef GT_COMMON_ERROR_H
#define GT_COMMON_ERROR_H

#include "gotrace.h"

#include <stdarg.h>
#include <stdlib.h>

extern const char gt_error_lost_text[];

#define GT_ERROR_INIT {GT_ERR_NONE, 0, GT_NO_OFFSET, 0, 0, ""}

/* Sets *err to "no error" without reading it (for a caller's struct, or a
 * local that holds garbage). NULL is allowed. */
static inline void gt_error_init(gt_error *err)
{
    if (!err)
        return;
    err->code = GT_ERR_NONE;
    err->owned = 0;
    err->offset = GT_NO_OFFSET;
    err->line = 0;
    err->generation = 0;
    err->message = "";
}

/* Sets *err (NULL is allowed: then nothing happens), replacing (and freeing)
 * the message it owned; the arguments may point into that old message. line
 * and generation are reset to 0; set them afterwards where known. Returns -1
 * so callers can write `return gt_error_set(...)`. */
int gt_error_set(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int gt_error_vset(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Frees the message *err owns and resets it to "no error" (NULL is
 * allowed). Inline: it runs once per ordering attempt, and only an error
 * that owns a message has anything to free. */
static inline void gt_error_clear(gt_error *err)
{
    if (!err)
        return;
    if (err->owned)
        free((void *)err->message);
    gt_error_init(err);
}

/* *dst = *src, with src's message handed over: src is left "no error".
 * dst's own message is freed first. dst == src is a no-op. */
void gt_error_move(gt_error *dst, gt_error *src);
/* *dst = *src with dst owning a copy of src's message (src may be anyone's,
 * e.g. another object's error, or a caller's callback result). dst's own
 * message is freed first. */
void gt_error_copy(gt_error *dst, const gt_error *src);
/* The end of a public function: err (NULL is allowed) keeps its fields and
 * its message text, but the text now lives in the calling thread's storage,
 * replacing the one published before on this thread. */
void gt_error_publish(gt_error *err);

/* A copy of s[0..len) as an owned NUL-terminated message of *err (code and
 * offset as given, line and generation 0). Returns -1. */
int gt_error_set_text(gt_error *err, gt_errcode code, uint64_t offset, const char *s, size_t len);

#endif
