/* gt_event_format: Go's Event.String() (internal/trace/event.go), byte for
 * byte. Strings printed with %q go through gt_go_quote (strconv.Quote).
 * Stacks are formatted once per generation and cached in the event's table,
 * since the same stacks recur on many events. */
#include <inttypes.h>
#include <string.h>

#include "common/goquote.h"
#include "event/table.h"
#include "format/format.h"

static int quote(gt_buf *b, gt_str s) { return gt_go_quote(b, s.ptr ? s.ptr : "", s.len); }

static int put_str(gt_buf *b, gt_str s) { return s.len ? gt_buf_append(b, s.ptr, s.len) : 0; }

/* Value.String(): strings as they are, else "Value{Uint64(N)}". */
static int put_value(gt_buf *b, gt_value v)
{
    if (v.kind == GT_VALUE_STRING)
        return put_str(b, v.str);
    if (v.kind == GT_VALUE_UINT64)
        return gt_buf_printf(b, "Value{Uint64(%" PRIu64 ")}", v.u64);
    return gt_buf_puts(b, "Value{Bad}");
}

/* ResourceID.String(): "None" or "Kind(id)". */
static int put_resource(gt_buf *b, gt_resource r)
{
    if (r.kind == GT_RESOURCE_NONE)
        return gt_buf_puts(b, "None");
    return gt_buf_printf(b, "%s(%" PRId64 ")", gt_resource_kind_name(r.kind), r.id);
}

/* printStack(w, "\t", frames) */
static int put_stack_frames(gt_buf *b, gt_stack s)
{
    size_t n = gt_stack_len(s);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        gt_frame f;
        if (gt_stack_frame(s, i, &f) < 0)
            break;
        rc |= gt_buf_putc(b, '\t');
        rc |= put_str(b, f.func);
        rc |= gt_buf_printf(b, " @ 0x%" PRIx64 "\n\t\t", f.pc);
        rc |= put_str(b, f.file);
        rc |= gt_buf_printf(b, ":%" PRIu64 "\n", f.line);
    }
    return rc;
}

static int put_stack(gt_buf *b, gt_stack s)
{
    const gt_table *t = s.priv_table;
    if (!t || s.id == 0)
        return put_stack_frames(b, s);
    gt_str cached;
    if (gt_table_stack_text(t, s.id, &cached))
        return put_str(b, cached);
    size_t start = b->len;
    if (put_stack_frames(b, s))
        return -1;
    /* A failed cache insert only costs speed. */
    gt_table_put_stack_text(t, s.id, b->data + start, b->len - start);
    return 0;
}

/* Days since 1970-01-01 to civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int gt_format_rfc3339nano(gt_buf *out, int64_t sec, int32_t nsec)
{
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    int rc = 0;
    /* Go's appendInt(year, 4): sign, then at least 4 digits. */
    if (y < 0)
        rc |= gt_buf_printf(out, "-%04" PRId64, -y);
    else
        rc |= gt_buf_printf(out, "%04" PRId64, y);
    rc |= gt_buf_printf(out, "-%02u-%02uT%02u:%02u:%02u", mo, d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                        (unsigned)(rem % 60));
    if (nsec > 0) {
        char frac[16];
        snprintf(frac, sizeof frac, "%09d", (int)nsec);
        int n = 9;
        while (n > 0 && frac[n - 1] == '0')
            n--;
        rc |= gt_buf_putc(out, '.');
        rc |= gt_buf_append(out, frac, (size_t)n);
    }
    rc |= gt_buf_putc(out, 'Z');
    return rc;
}

/* key then a signed decimal: the hot path of every line, so no printf. */
static int put_key_i64(gt_buf *b, const char *key, size_t keylen, int64_t v)
{
    return gt_buf_append(b, key, keylen) | gt_buf_put_i64(b, v);
}
#define PUT_KEY_I64(b, key, v) put_key_i64((b), (key), sizeof(key) - 1, (v))

static int format_state_transition(gt_buf *b, const gt_event *ev)
{
    gt_state_transition st;
    if (gt_event_state_transition(ev, &st) < 0)
        return 0;
    int rc = 0;
    if (st.resource.kind == GT_RESOURCE_GOROUTINE || st.resource.kind == GT_RESOURCE_PROC) {
        int is_g = st.resource.kind == GT_RESOURCE_GOROUTINE;
        rc |= is_g ? PUT_KEY_I64(b, " GoID=", st.resource.id) : PUT_KEY_I64(b, " ProcID=", st.resource.id);
        rc |= gt_buf_putc(b, ' ');
        rc |= gt_buf_puts(b, is_g ? gt_go_state_name(st.old_state) : gt_proc_state_name(st.old_state));
        rc |= gt_buf_append(b, "->", 2);
        rc |= gt_buf_puts(b, is_g ? gt_go_state_name(st.new_state) : gt_proc_state_name(st.new_state));
    }
    rc |= gt_buf_puts(b, " Reason=");
    rc |= quote(b, st.reason);
    /* Go compares with NoStack: a handle with a table prints even when empty. */
    if (st.stack.priv_table) {
        rc |= gt_buf_puts(b, "\nTransitionStack=\n");
        rc |= put_stack(b, st.stack);
    }
    return rc;
}

int gt_format_event(gt_buf *b, const gt_event *ev)
{
    int rc = PUT_KEY_I64(b, "M=", ev->thread);
    rc |= PUT_KEY_I64(b, " P=", ev->proc);
    rc |= PUT_KEY_I64(b, " G=", ev->goroutine);
    rc |= gt_buf_putc(b, ' ');
    rc |= gt_buf_puts(b, gt_event_kind_name(gt_event_kind_of_type(ev->priv_type)));
    rc |= PUT_KEY_I64(b, " Time=", ev->time);
    switch (gt_event_kind_of_type(ev->priv_type)) {
    case GT_EVENT_METRIC: {
        gt_metric m;
        if (gt_event_metric(ev, &m) == 0) {
            rc |= gt_buf_puts(b, " Name=");
            rc |= quote(b, m.name);
            rc |= gt_buf_puts(b, " Value=");
            rc |= put_value(b, m.value);
        }
        break;
    }
    case GT_EVENT_LABEL: {
        gt_label l;
        if (gt_event_label(ev, &l) == 0) {
            rc |= gt_buf_puts(b, " Label=");
            rc |= quote(b, l.label);
            rc |= gt_buf_puts(b, " Resource=");
            rc |= put_resource(b, l.resource);
        }
        break;
    }
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END: {
        gt_range r;
        if (gt_event_range(ev, &r) == 0) {
            rc |= gt_buf_puts(b, " Name=");
            rc |= quote(b, r.name);
            rc |= gt_buf_puts(b, " Scope=");
            rc |= put_resource(b, r.scope);
        }
        if (gt_event_kind_of_type(ev->priv_type) == GT_EVENT_RANGE_END) {
            gt_range_attribute attrs[4];
            size_t n = gt_event_range_attributes(ev, attrs, 4);
            rc |= gt_buf_puts(b, " Attributes=[");
            for (size_t i = 0; i < n && i < 4; i++) {
                if (i)
                    rc |= gt_buf_putc(b, ' ');
                rc |= quote(b, attrs[i].name);
                rc |= gt_buf_putc(b, '=');
                rc |= put_value(b, attrs[i].value);
            }
            rc |= gt_buf_putc(b, ']');
        }
        break;
    }
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END: {
        gt_task t;
        if (gt_event_task(ev, &t) == 0) {
            rc |= gt_buf_printf(b, " ID=%" PRIu64 " Parent=%" PRIu64 " Type=", t.id, t.parent);
            rc |= quote(b, t.type);
        }
        break;
    }
    case GT_EVENT_REGION_BEGIN:
    case GT_EVENT_REGION_END: {
        gt_region r;
        if (gt_event_region(ev, &r) == 0) {
            rc |= gt_buf_printf(b, " Task=%" PRIu64 " Type=", r.task);
            rc |= quote(b, r.type);
        }
        break;
    }
    case GT_EVENT_LOG: {
        gt_log l;
        if (gt_event_log(ev, &l) == 0) {
            rc |= gt_buf_printf(b, " Task=%" PRIu64 " Category=", l.task);
            rc |= quote(b, l.category);
            rc |= gt_buf_puts(b, " Message=");
            rc |= quote(b, l.message);
        }
        break;
    }
    case GT_EVENT_STATE_TRANSITION:
        rc |= format_state_transition(b, ev);
        break;
    case GT_EVENT_EXPERIMENTAL: {
        gt_experimental x;
        if (gt_event_experimental(ev, &x) == 0) {
            rc |= gt_buf_puts(b, " Name=");
            rc |= put_str(b, x.name);
            rc |= gt_buf_puts(b, " Args=[");
            for (size_t i = 0; i < x.nargs; i++) {
                if (i)
                    rc |= gt_buf_puts(b, ", ");
                rc |= put_str(b, x.arg_names[i]);
                rc |= gt_buf_putc(b, '=');
                rc |= put_value(b, x.arg_values[i]);
            }
            rc |= gt_buf_putc(b, ']');
        }
        break;
    }
    case GT_EVENT_SYNC: {
        gt_sync s;
        if (gt_event_sync(ev, &s) == 0) {
            rc |= gt_buf_printf(b, " N=%" PRId64, s.n);
            if (s.has_clock_snapshot) {
                rc |= gt_buf_printf(b, " Trace=%" PRId64 " Mono=%" PRIu64 " Wall=", s.clock.trace, s.clock.mono);
                rc |= gt_format_rfc3339nano(b, s.clock.wall_sec, s.clock.wall_nsec);
            }
        }
        break;
    }
    default:
        break;
    }
    gt_stack stk = gt_event_stack(ev);
    if (stk.priv_table) {
        rc |= gt_buf_puts(b, "\nStack=\n");
        rc |= put_stack(b, stk);
    }
    return rc ? -1 : 0;
}

/* The text lives in the event's table (its generation), reused by every
 * call on events of that table and freed with it: no buffer per thread
 * (threads that come and go would each leave one behind), and none global.
 * gotrace.h states the rule this needs: gt_event_string calls on events of
 * one reader do not overlap. An event of no generation (not from a reader)
 * has nowhere to keep its text: NULL. */
const char *gt_event_string(const gt_event *ev, size_t *len)
{
    gt_table *t = (gt_table *)(uintptr_t)ev->priv_table;
    if (!t)
        return NULL;
    gt_buf *text = &t->event_text;
    gt_buf_reset(text);
    if (gt_format_event(text, ev) < 0 || gt_buf_putc(text, '\0') < 0)
        return NULL;
    text->len--;
    if (len)
        *len = text->len;
    return text->data;
}

size_t gt_event_format(const gt_event *ev, char *buf, size_t cap)
{
    /* Formatted on the stack; a longer text (deep stacks, long strings)
     * goes through the heap, freed before returning. Nothing is kept
     * between calls, so any thread may call this at any time. */
    char small[1024];
    gt_buf text;
    gt_buf_init_storage(&text, small, sizeof small);
    if (gt_format_event(&text, ev) < 0)
        text.len = 0; /* memory ran out: "" */
    gt_buf_copy_out(&text, buf, cap);
    size_t n = text.len;
    gt_buf_free(&text);
    return n;
}
