/* Windows of the analyses (gotrace/window.h): checks shared by every
 * analysis; each analysis applies its window in its own file. */
#include <stdint.h>

#include "analysis/intern.h"
#include "common/error.h"
#include "gotrace/duration.h"
#include "gotrace/window.h"

static int gt_window_check_impl(const gt_window *w, gt_error *err)
{
    char a[GT_DURATION_BUF], b[GT_DURATION_BUF];
    if (w->from < 0 || w->to < 0)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                            "the window starts before the trace (a negative time)");
    if (w->from > w->to)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "the window ends before it starts (from %s, to %s)",
                            gt_format_duration(w->from, a), gt_format_duration(w->to, b));
    return 0;
}

int gt_window_check(const gt_window *w, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_window_check_impl(w, err);
    gt_error_publish(err);
    return ret;
}

static int gt_window_check_trace_impl(const gt_window *w, int64_t first, int64_t last, gt_error *err)
{
    char a[GT_DURATION_BUF], b[GT_DURATION_BUF];
    if (w->from > last - first)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                            "the window starts at %s, after the end of the trace at %s",
                            gt_format_duration(w->from, a), gt_format_duration(last - first, b));
    return 0;
}

int gt_window_check_trace(const gt_window *w, int64_t first, int64_t last, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_window_check_trace_impl(w, first, last, err);
    gt_error_publish(err);
    return ret;
}

int gt_window_done(const gt_window *w, int64_t first, const gt_event *ev)
{
    return ev->kind == GT_EVENT_SYNC && w->to != INT64_MAX && ev->time > gt_window_at(first, w->to);
}

int64_t gt_window_at(int64_t first, int64_t rel)
{
    return first > 0 && rel > INT64_MAX - first ? INT64_MAX : first + rel;
}
