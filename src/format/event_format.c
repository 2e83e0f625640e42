/* gt_event_format: Go's Event.String() (first step: the common prefix). */
#include <stdio.h>

#include "gotrace.h"

size_t gt_event_format(const gt_event *ev, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "M=%lld P=%lld G=%lld %s Time=%lld", (long long)ev->thread, (long long)ev->proc,
                     (long long)ev->goroutine, gt_event_kind_name(ev->kind), (long long)ev->time);
    return n < 0 ? 0 : (size_t)n;
}
