/* gotrace/duration.h — durations written as Go writes them: parsing with the
 * rules and messages of Go's time.ParseDuration ("1.5s", "300ms", "250000ns",
 * "1m30s", "2h45m", "-1.5h"), and formatting as Go's time.Duration.String
 * ("1.673534976s", "12.5ms", "0s"). Every --from/--to option of the CLI
 * reads its value with gt_parse_duration.
 */
#ifndef GOTRACE_DURATION_H
#define GOTRACE_DURATION_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses s (NUL-terminated) as Go's time.ParseDuration does: an optional
 * sign, then one or more decimal numbers each with a unit (ns, us, µs, μs,
 * ms, s, m, h); "0" alone needs no unit. Fractions are converted exactly as
 * Go converts them. Returns 0 and sets *ns, or -1 with err (may be NULL) set
 * to GT_ERR_ARGUMENT and Go's message: `time: invalid duration "x"`,
 * `time: missing unit in duration "1"`, `time: unknown unit "d" in duration
 * "1d"`. Values beyond int64 nanoseconds (about 292 years) are invalid. */
GT_API int gt_parse_duration(const char *s, int64_t *ns, gt_error *err);

/* Formats ns exactly as Go's time.Duration.String(): at most 32 bytes and a
 * NUL, so buf should hold GT_DURATION_BUF bytes. Returns buf. */
enum { GT_DURATION_BUF = 33 };
GT_API char *gt_format_duration(int64_t ns, char buf[GT_DURATION_BUF]);

#ifdef __cplusplus
}
#endif

#endif
