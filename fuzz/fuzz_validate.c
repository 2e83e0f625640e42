/* Fuzz target: the validator, over whatever the reader yields. */
#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "gotrace/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, size, &err);
    if (!r)
        return 0;
    gt_validator *v = gt_validator_new(gt_reader_version(r));
    if (v) {
        gt_event ev;
        uint64_t acc = 0;
        while (gt_reader_next(r, &ev) == 1)
            if (gt_validator_event(v, &ev) != 0)
                acc += gt_validator_message(v)[0];
        fuzz_sink = acc;
        gt_validator_free(v);
    }
    gt_reader_free(r);
    return 0;
}
