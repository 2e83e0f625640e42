/* The embedding contract of include/: the header's version against the
 * library's, gt_free on what the library hands over, and the documented
 * struct sizes that bindings rely on. */
#include "check.h"

#include <gotrace.h>
#include <gotrace/builder.h>
#include <gotrace/check.h>

#include <stdio.h>
#include <string.h>

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

int main(void)
{
    test_version();
    test_gt_free();
    return check_done();
}
