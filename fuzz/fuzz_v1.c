/* Fuzz target: the old-format (Go 1.11-1.21) reader. The first byte picks
 * the header version so that mutations spend their time on the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "gotrace.h"

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
    gt_error err;
    gt_reader *r = gt_reader_open_memory(buf, size - 1 + 16, &err);
    if (r) {
        gt_event ev;
        uint64_t acc = 0;
        while (gt_reader_next(r, &ev) == 1)
            acc += fuzz_exercise_event(&ev);
        fuzz_sink = acc;
        gt_reader_free(r);
    }
    free(buf);
    return 0;
}
