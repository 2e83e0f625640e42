/* Fuzz target: the binary reader (any version, old formats included) through
 * every event, with every accessor called on every event. */
#include <stddef.h>
#include <stdint.h>

#include "exercise.h"
#include "gotrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, size, &err);
    if (!r)
        return 0;
    gt_event ev;
    uint64_t acc = 0;
    while (gt_reader_next(r, &ev) == 1)
        acc += fuzz_exercise_event(&ev);
    const gt_error *e = gt_reader_error(r);
    if (e)
        acc += e->offset + e->message[0];
    fuzz_sink = acc;
    gt_reader_free(r);
    return 0;
}
