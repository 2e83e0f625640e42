#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gt_error_set(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    err->offset = offset;
    err->line = 0;
    err->generation = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

const char *gt_errcode_name(gt_errcode code)
{
    switch (code) {
    case GT_ERR_NONE: return "none";
    case GT_ERR_IO: return "io";
    case GT_ERR_FORMAT: return "format";
    case GT_ERR_UNSUPPORTED: return "unsupported";
    case GT_ERR_TRUNCATED: return "truncated";
    case GT_ERR_MALFORMED: return "malformed";
    case GT_ERR_INVALID: return "invalid";
    case GT_ERR_NOMEM: return "out of memory";
    case GT_ERR_ARGUMENT: return "argument";
    }
    return "unknown";
}

/* The Makefile passes its VERSION split in three (GT_MAKE_VERSION_*): the
 * header's numbers must say the same, and fit GT_VERSION_NUMBER's digits. */
_Static_assert(GT_VERSION_MAJOR == GT_MAKE_VERSION_MAJOR && GT_VERSION_MINOR == GT_MAKE_VERSION_MINOR &&
                   GT_VERSION_PATCH == GT_MAKE_VERSION_PATCH,
               "GT_VERSION_* in include/gotrace.h differ from VERSION in the Makefile");
_Static_assert(GT_VERSION_MINOR < 100 && GT_VERSION_PATCH < 100, "GT_VERSION_NUMBER holds two digits each");

const char *gt_version(void) { return GT_VERSION_STRING; }

int gt_version_number(void) { return GT_VERSION_NUMBER; }
