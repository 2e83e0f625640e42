/* gotrace/validate.h — check a stream of events for consistency with the
 * same checks and messages as Go 1.27's internal/trace/testtrace Validator.
 * Works on the public event API only. */
#ifndef GOTRACE_VALIDATE_H
#define GOTRACE_VALIDATE_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_validator gt_validator;

/* go_version is the trace header's version (22, 23, ...; 11/19/21 for old
 * traces), as Go's golden test sets Validator.GoVersion. NULL on no memory. */
GT_API gt_validator *gt_validator_new(int go_version);
/* Skips the clock snapshot checks, as Go does on coarse-clock platforms. */
GT_API void gt_validator_skip_clock_checks(gt_validator *v);

/* Checks the next event. Returns 0 when consistent; otherwise -1, and
 * gt_validator_message returns Go's error text for this event (all findings
 * joined with newlines, as errors.Join prints them). */
GT_API int gt_validator_event(gt_validator *v, const gt_event *ev);
GT_API const char *gt_validator_message(const gt_validator *v);

GT_API void gt_validator_free(gt_validator *v);

#ifdef __cplusplus
}
#endif

#endif
