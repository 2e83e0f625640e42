/* Minimal test helpers for the unit tests in tests/unit: each check prints "ok NAME" or
 * "not ok NAME: reason" (see tests/run.sh). */
#ifndef GT_TEST_CHECK_H
#define GT_TEST_CHECK_H

#include <stdio.h>

extern int check_failures;

/* CHECK_UNDER_ASAN: 1 when built with AddressSanitizer (gcc or clang),
 * which holds freed memory back, so RSS figures mean little. */
#if defined(__SANITIZE_ADDRESS__)
#define CHECK_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHECK_UNDER_ASAN 1
#endif
#endif
#ifndef CHECK_UNDER_ASAN
#define CHECK_UNDER_ASAN 0
#endif

/* Records one named case. Returns cond. */
int check(int cond, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports a skipped case. */
void check_skip(const char *name, const char *reason);
/* Exit status for main: 0 when nothing failed. */
int check_done(void);

/* Path of the shared reference data (../shared) or NULL when absent. */
const char *check_shared_dir(void);

/* Reads a whole file (gunzipped when it ends in .gz, via gzip -dc).
 * Returns malloc'd data (NUL-terminated) or NULL. */
char *check_read_file(const char *path, size_t *len);

#endif
