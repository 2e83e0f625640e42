#include "build_trace.h"

#include <stdio.h>

enum { GO_RUNNING = 2, PROC_RUNNING = 1 };

gt_builder_batch *begin_trace(gt_builder **b)
{
    gt_error err;
    *b = gt_builder_new(22, &err);
    if (!*b)
        return NULL;
    gt_builder_gen *g = gt_builder_generation(*b, 1);
    gt_builder_sync(g, 1000000000, 0, 0, 0, 0);
    gt_builder_batch *m = gt_builder_batch_new(g, 0, 1000);
    GT_EVENT(m, "ProcStatus", GT_ARG("dt", 0), GT_ARG("p", 0), GT_ARG("pstatus", PROC_RUNNING));
    GT_EVENT(m, "GoStatus", GT_ARG("dt", 0), GT_ARG("g", 1), GT_ARG("m", 0), GT_ARG("gstatus", GO_RUNNING));
    return m;
}

unsigned char *finish_trace(gt_builder *b, size_t *len)
{
    gt_error err;
    unsigned char *data = NULL;
    if (gt_builder_write_memory(b, &data, len, &err)) {
        fprintf(stderr, "builder: %s\n", err.message);
        data = NULL;
    }
    gt_builder_free(b);
    return data;
}
