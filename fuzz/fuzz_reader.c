/* Fuzz target: the binary reader (any version, old formats included) through
 * every event, with every accessor called on every event; then the same
 * input read one more way (path, fd, pipe, stream, batches, threads: see
 * modes.h), which must yield the same events and error; then the raw
 * reader's footprint of the same input, whose invariants are checked. */
#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "gotrace/raw.h"
#include "modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

/* gt_raw_footprint: every type once, in non-increasing bytes, the counts
 * adding up to the events, and the bytes (shortest re-encodings, header
 * excluded) within the input. A violation traps. */
static void check_footprint(const uint8_t *data, size_t size)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(data, size, &err);
    if (!r)
        return;
    gt_raw_footprint_row rows[256];
    uint64_t events, input;
    if (gt_raw_footprint(r, rows, &events, &input) == 0) {
        uint8_t seen[256] = {0};
        uint64_t count = 0, bytes = 0;
        for (size_t i = 0; i < 256; i++) {
            if (rows[i].type > 255 || seen[rows[i].type]++ || (i > 0 && rows[i].bytes > rows[i - 1].bytes))
                __builtin_trap();
            count += rows[i].count;
            bytes += rows[i].bytes;
        }
        if (count != events || input != size || bytes > size - 16)
            __builtin_trap();
    }
    gt_raw_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome reference;
    fuzz_sink = fuzz_read_reference(data, size, &reference);
    fuzz_cross_check(data, size, &reference);
    check_footprint(data, size);
    return 0;
}
