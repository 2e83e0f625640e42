/* Decoding the wire events inside one batch's data (no trace header, no
 * batch header) with the raw reader's decoder: for code above the wire layer
 * that needs the events of a batch it already framed (src/cut/ reads each
 * event's timestamp delta). One reader is reset per batch, so decoding costs
 * no allocation per batch. */
#ifndef GT_WIRE_RAW_FRAGMENT_H
#define GT_WIRE_RAW_FRAGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace/raw.h"

/* A reader for fragments of a version-`version` trace (a v2 version), with
 * no input yet: gt_raw_next returns 0 until a reset. NULL with err set when
 * memory runs out or the version is not v2. */
gt_raw_reader *gt_raw_fragment_new(int version, gt_error *err);

/* Points r at data[0..len), whose first byte is at input offset `offset`
 * (error offsets and event offsets are input offsets). The bytes must stay
 * unchanged while r reads them. Clears any earlier error. */
void gt_raw_fragment_reset(gt_raw_reader *r, const uint8_t *data, size_t len, uint64_t offset);

#endif
