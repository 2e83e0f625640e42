/* Traces built byte by byte in tests: a growable byte buffer and the wire
 * format's pieces (uvarints, a v2 header). Memory exhaustion aborts: these are
 * tests. */
#ifndef GT_TEST_TBUF_H
#define GT_TEST_TBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf;

void put(tbuf *t, const void *p, size_t n);
void put_byte(tbuf *t, uint8_t b);
void put_uv(tbuf *t, uint64_t v);
/* A new buffer holding the header "go 1.<version> trace" padded to 16 bytes. */
tbuf header(int version);

#endif
