/* Names and the text form of raw events: Go's Version.EventName and raw
 * Event.String(), which is also one event of the text format. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/goquote.h"
#include "wire/raw_internal.h"

static const char *const frame_fields[4] = {"pc", "func", "file", "line"};

/* Go's "Invalid(N)" for every event type byte, written once: the names
 * are static strings, shared by all threads, with nothing per thread. */
static char invalid_names[256][sizeof "Invalid(255)"];
static pthread_once_t invalid_names_once = PTHREAD_ONCE_INIT;

static void init_invalid_names(void)
{
    for (unsigned t = 0; t < 256; t++)
        snprintf(invalid_names[t], sizeof invalid_names[t], "Invalid(%u)", t);
}

const char *gt_raw_event_name(int version, unsigned type)
{
    if (!gt_version_valid(version))
        return "<invalid trace version>";
    if (!gt_version_is_v2(version))
        return "<v1 trace event type>";
    const gt_spec *spec = gt_raw_spec(version, type);
    if (spec && spec->name[0])
        return spec->name;
    if (type > 255)
        return "Invalid";
    pthread_once(&invalid_names_once, init_invalid_names);
    return invalid_names[type];
}

/* Appends [sep]name=value; sep 0 means none. */
static int put_arg(gt_buf *out, char sep, const char *name, uint64_t value)
{
    if ((sep && gt_buf_putc(out, sep)) || gt_buf_puts(out, name) || gt_buf_putc(out, '='))
        return -1;
    return gt_buf_put_u64(out, value);
}

int gt_raw_event_append(gt_buf *out, int version, const gt_raw_event *ev)
{
    const gt_spec *spec = gt_raw_spec(version, ev->type);
    if (!spec)
        return gt_buf_puts(out, gt_raw_event_name(version, ev->type));
    size_t nargs = spec->nargs < ev->nargs ? spec->nargs : ev->nargs;
    if (gt_buf_puts(out, spec->name))
        return -1;
    for (size_t i = 0; i < nargs; i++)
        if (put_arg(out, ' ', spec->args[i], ev->args[i]))
            return -1;
    if (spec->is_stack) {
        for (size_t i = nargs; i < ev->nargs; i++) {
            size_t field = (i - nargs) % 4;
            if (field == 0 && gt_buf_append(out, "\n\t", 2))
                return -1;
            if (put_arg(out, field == 0 ? '\0' : ' ', frame_fields[field], ev->args[i]))
                return -1;
        }
    }
    if (ev->data) {
        if (gt_buf_puts(out, "\n\tdata=") || gt_go_quote(out, ev->data, ev->data_len))
            return -1;
    }
    return 0;
}

size_t gt_raw_event_format(int version, const gt_raw_event *ev, char *buf, size_t cap)
{
    /* Formatted on the stack; only a longer text (a stack's frames, long
     * data) goes through the heap, freed before returning: nothing is kept
     * between calls, so any thread may call this at any time. */
    char small[1024];
    gt_buf text;
    gt_buf_init_storage(&text, small, sizeof small);
    if (gt_raw_event_append(&text, version, ev))
        text.len = 0;
    gt_buf_copy_out(&text, buf, cap);
    size_t n = text.len;
    gt_buf_free(&text);
    return n;
}
