/* Fragment readers: a memory raw reader without a header (see
 * raw_fragment.h). */
#include "wire/raw_fragment.h"

#include "common/error.h"
#include "wire/raw_internal.h"

gt_raw_reader *gt_raw_fragment_new(int version, gt_error *err)
{
    if (!gt_version_is_v2(version)) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "no wire events in a go 1.%d trace", version);
        return NULL;
    }
    gt_raw_reader *r = gt_raw_reader_alloc(GT_RAW_SRC_MEMORY);
    if (!r || gt_raw_args_reserve(r, GT_MAX_SPEC_ARGS + 4)) {
        gt_raw_free(r);
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
        return NULL;
    }
    r->version = version;
    for (unsigned t = 0; t < 256; t++)
        r->specs[t] = gt_raw_spec(version, t);
    static const uint8_t none[1];
    gt_raw_fragment_reset(r, none, 0, 0);
    return r;
}

void gt_raw_fragment_reset(gt_raw_reader *r, const uint8_t *data, size_t len, uint64_t offset)
{
    r->win = r->pos = data;
    r->win_end = data + len;
    r->win_offset = offset;
    r->input_eof = 1;
    r->state = 0;
    r->go_eof = 0;
    gt_error_clear(&r->err);
}
