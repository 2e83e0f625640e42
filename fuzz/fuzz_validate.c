/* Fuzz target: the validator, over whatever the reader yields: read from
 * memory, then one more way (path, fd, pipe, stream, batches, threads: see
 * modes.h), whose events and validator findings must be the same. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gotrace.h"
#include "gotrace/validate.h"
#include "modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The validator of one read, made at its first event (it needs the
 * reader's version). */
typedef struct {
    gt_validator *v;
} validation;

/* Adds each finding's message to the outcome. */
static void validate_event(void *ctx, const gt_reader *r, const gt_event *ev, fuzz_outcome *o)
{
    validation *c = ctx;
    if (!c->v && !(c->v = gt_validator_new(gt_reader_version(r))))
        return;
    if (gt_validator_event(c->v, ev) != 0) {
        const char *msg = gt_validator_message(c->v);
        o->digest = fuzz_fnv(o->digest, msg, strlen(msg) + 1);
    }
}

static int read_validated(const uint8_t *data, size_t size, fuzz_mode mode, size_t cap, fuzz_outcome *o)
{
    validation c = {NULL};
    int rc = fuzz_read_mode_hooked(data, size, mode, cap, o, validate_event, &c);
    gt_validator_free(c.v);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome reference, other;
    if (read_validated(data, size, FUZZ_MODE_MEMORY, 0, &reference) != 0)
        return 0;
    uint64_t h = fuzz_input_hash(data, size);
    fuzz_mode mode = fuzz_pick_mode(h);
    size_t cap = fuzz_pick_cap(h);
    if (read_validated(data, size, mode, cap, &other) == 0)
        fuzz_require_same(&reference, &other, mode, cap);
    return 0;
}
