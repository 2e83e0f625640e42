/* Growable byte buffer (geometric growth). Used for output formatting and for
 * data that must outlive an input window. All functions return 0 on success and
 * -1 when memory runs out; the buffer is then unchanged. */
#ifndef GT_COMMON_BUF_H
#define GT_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct gt_buf {
    char *data;
    size_t len;
    size_t cap;
    int borrowed; /* data is the caller's storage (gt_buf_init_storage) */
} gt_buf;

#define GT_BUF_INIT {NULL, 0, 0, 0}

/* A buffer that starts in the caller's storage (e.g. an array on the stack)
 * and moves to the heap only when it outgrows it: formatting short texts
 * then allocates nothing. gt_buf_free frees only heap memory. */
static inline void gt_buf_init_storage(gt_buf *b, char *storage, size_t cap)
{
    b->data = storage;
    b->len = 0;
    b->cap = cap;
    b->borrowed = 1;
}

/* Makes room for extra more bytes (the growing part, out of line). */
int gt_buf_grow(gt_buf *b, size_t extra);
static inline int gt_buf_reserve(gt_buf *b, size_t extra)
{
    return b->cap - b->len >= extra ? 0 : gt_buf_grow(b, extra);
}
/* The appends are inline: formatters call them several times per event. */
static inline int gt_buf_append(gt_buf *b, const void *p, size_t n)
{
    if (gt_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}
static inline int gt_buf_putc(gt_buf *b, char c)
{
    if (b->len == b->cap && gt_buf_grow(b, 1))
        return -1;
    b->data[b->len++] = c;
    return 0;
}
static inline int gt_buf_puts(gt_buf *b, const char *s) { return gt_buf_append(b, s, strlen(s)); }
int gt_buf_printf(gt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gt_buf_vprintf(gt_buf *b, const char *fmt, va_list ap);
int gt_buf_put_u64(gt_buf *b, uint64_t v);
int gt_buf_put_i64(gt_buf *b, int64_t v);
void gt_buf_reset(gt_buf *b);  /* len = 0, keeps memory */
void gt_buf_free(gt_buf *b);
/* Copies the text in b into buf as snprintf does: at most cap - 1 bytes and
 * a NUL (nothing when cap is 0). */
void gt_buf_copy_out(const gt_buf *b, char *buf, size_t cap);

#endif
