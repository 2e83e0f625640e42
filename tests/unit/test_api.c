/* The embedding contract of include/: the header's version against the
 * library's, gt_free on what the library hands over, and the documented
 * struct sizes that bindings rely on. */
#include "check.h"

#include <gotrace.h>
#include <gotrace/builder.h>
#include <gotrace/check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_version(void)
{
    check(gt_version_number() == GT_VERSION_NUMBER, "version_number", "library %d, header %d",
          gt_version_number(), GT_VERSION_NUMBER);
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", GT_VERSION_MAJOR, GT_VERSION_MINOR, GT_VERSION_PATCH);
    check(strcmp(gt_version(), want) == 0, "version_string", "library \"%s\", header %s", gt_version(), want);
    check(GT_VERSION_NUMBER == GT_VERSION_MAJOR * 10000 + GT_VERSION_MINOR * 100 + GT_VERSION_PATCH,
          "version_number_digits", "GT_VERSION_NUMBER %d", GT_VERSION_NUMBER);
}

/* Each function that hands over memory, its result released with gt_free
 * (the sanitizer builds of `make test` report a leak or a bad free). */
static void test_gt_free(void)
{
    gt_free(NULL);
    gt_error err;
    gt_builder *b = gt_builder_new(25, &err);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = b ? gt_builder_write_memory(b, &data, &len, &err) : -1;
    check(rc == 0 && len >= 16 && memcmp(data, "go 1.25 trace", 13) == 0, "free_builder_write_memory",
          "rc %d len %zu: %s", rc, len, rc ? err.message : "");
    gt_free(data);
    gt_builder_free(b);

    gt_expectation *e = gt_expectation_parse("SUCCESS\n", 8, &err);
    char *why = NULL;
    rc = e ? gt_expectation_check(e, "boom", &why) : -1;
    check(rc == 1 && why && strstr(why, "boom"), "free_expectation_check", "rc %d why %s", rc, why ? why : "(null)");
    gt_free(why);
    gt_expectation_free(e);
}

/* The documented sizes, and gt_type_size knowing every struct and enum
 * typedef that gotrace.h declares (read from the header's text). */
static void test_sizes(void)
{
    check(gt_event_size() == sizeof(gt_event) && gt_stack_size() == sizeof(gt_stack) &&
              gt_error_size() == sizeof(gt_error),
          "sizes_match_header", "event %zu/%zu stack %zu/%zu error %zu/%zu", gt_event_size(), sizeof(gt_event),
          gt_stack_size(), sizeof(gt_stack), gt_error_size(), sizeof(gt_error));
    if (sizeof(void *) == 8)
        check(sizeof(gt_event) == 80 && sizeof(gt_stack) == 16 && sizeof(gt_error) == 40, "sizes_documented",
              "event %zu stack %zu error %zu", sizeof(gt_event), sizeof(gt_stack), sizeof(gt_error));
    check(gt_type_size("gt_event") == sizeof(gt_event) && gt_type_size("gt_frame") == sizeof(gt_frame) &&
              gt_type_size("gt_event_kind") == sizeof(gt_event_kind) && gt_type_size("gt_reader") == 0 &&
              gt_type_size("gt_no_such_type") == 0 && gt_type_size("") == 0 && gt_type_size(NULL) == 0,
          "type_size_by_name", "gt_event %zu gt_frame %zu gt_reader %zu", gt_type_size("gt_event"),
          gt_type_size("gt_frame"), gt_type_size("gt_reader"));

    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/include/gotrace.h", root ? root : ".");
    size_t len = 0;
    char *text = check_read_file(path, &len);
    if (!text) {
        check_skip("type_size_knows_every_type", "include/gotrace.h not found (run from the source tree)");
        return;
    }
    size_t seen = 0;
    char missing[512] = "";
    for (const char *p = text; (p = strstr(p, "typedef ")) != NULL; p += 8) {
        const char *q = p + 8;
        if (strncmp(q, "struct gt_", 10) == 0)
            q += 7;
        else if (strncmp(q, "enum gt_", 8) == 0)
            q += 5;
        else
            continue;
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789_");
        if (q[n] != ' ' || q[n + 1] != '{')
            continue; /* an opaque type (gt_reader): no size to tell */
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, q);
        seen++;
        if (gt_type_size(name) == 0 && strlen(missing) + n + 2 < sizeof missing) {
            strcat(missing, " ");
            strcat(missing, name);
        }
    }
    check(seen >= 25 && !missing[0], "type_size_knows_every_type", "%zu types in gotrace.h, unknown:%s", seen,
          missing);
    free(text);
}

/* gt_default_threads: 0 while the test hook is set (whatever its value),
 * else the online cores capped at GT_DEFAULT_THREADS_CAP. */
static void test_default_threads(void)
{
    const char *hook = getenv("GT_TEST_THREADS");
    char *saved = hook ? strdup(hook) : NULL;
    setenv("GT_TEST_THREADS", "2", 1);
    check(gt_default_threads() == 0, "default_threads_hook", "%d with GT_TEST_THREADS=2", gt_default_threads());
    setenv("GT_TEST_THREADS", "junk", 1);
    check(gt_default_threads() == 0, "default_threads_hook_any_value", "%d with GT_TEST_THREADS=junk",
          gt_default_threads());
    unsetenv("GT_TEST_THREADS");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores < 1 ? 1 : cores < GT_DEFAULT_THREADS_CAP ? (int)cores : GT_DEFAULT_THREADS_CAP;
    check(gt_default_threads() == want, "default_threads_cores", "%d, want %d (%ld cores)", gt_default_threads(),
          want, cores);
    check(GT_DEFAULT_THREADS_CAP >= 1 && GT_DEFAULT_THREADS_CAP <= GT_TEST_THREADS_MAX, "default_threads_cap_range",
          "GT_DEFAULT_THREADS_CAP %d", GT_DEFAULT_THREADS_CAP);
    if (saved)
        setenv("GT_TEST_THREADS", saved, 1);
    free(saved);
}

int main(void)
{
    test_version();
    test_gt_free();
    test_sizes();
    test_default_threads();
    return check_done();
}
