/* Fuzz target: the text-format reader, and every event it yields formatted
 * as Go's raw Event.String(). */
#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "gotrace/raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_text(data, size, &err);
    if (!r)
        return 0;
    gt_raw_event ev;
    uint64_t acc = 0;
    char buf[128];
    while (gt_raw_next(r, &ev) == 1)
        acc += gt_raw_event_format(gt_raw_version(r), &ev, buf, sizeof buf) + ev.nargs + ev.data_len;
    fuzz_sink = acc;
    gt_raw_free(r);
    return 0;
}
