/* Fuzz target: the old-format (Go 1.11-1.21) reader. The first byte picks
 * the header version so that mutations spend their time on the body. The
 * trace is read with every accessor on every event, then one more way
 * (path, fd, pipe, stream, batches, threads: see modes.h), which must yield
 * the same events and error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"
#include "modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const headers[] = {"go 1.11 trace\0\0\0", "go 1.19 trace\0\0\0", "go 1.21 trace\0\0\0"};
    if (size < 1)
        return 0;
    uint8_t *buf = malloc(size - 1 + 16);
    if (!buf)
        return 0;
    memcpy(buf, headers[data[0] % 3], 16);
    memcpy(buf + 16, data + 1, size - 1);
    size_t len = size - 1 + 16;
    fuzz_outcome reference;
    fuzz_sink = fuzz_read_reference(buf, len, &reference);
    fuzz_cross_check(buf, len, &reference);
    free(buf);
    return 0;
}
