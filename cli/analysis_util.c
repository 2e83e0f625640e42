#include "analysis_util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gotrace/duration.h"

/* ------------------------------------------------------------------ JSON */

void au_json_init(au_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    j->first[0] = 1;
}

static void member(au_json *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = 0;
    if (key) {
        au_json_write_string(j->f, (gt_str){key, strlen(key)});
        fputc(':', j->f);
    }
}

static void open_level(au_json *j, const char *key, char c)
{
    member(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < (int)sizeof j->first)
        j->depth++;
    j->first[j->depth] = 1;
}

void au_json_object(au_json *j, const char *key) { open_level(j, key, '{'); }
void au_json_array(au_json *j, const char *key) { open_level(j, key, '['); }

static void close_level(au_json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    fputc(c, j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void au_json_end_object(au_json *j) { close_level(j, '}'); }
void au_json_end_array(au_json *j) { close_level(j, ']'); }

void au_json_i64(au_json *j, const char *key, int64_t v)
{
    member(j, key);
    fprintf(j->f, "%lld", (long long)v);
}

void au_json_u64(au_json *j, const char *key, uint64_t v)
{
    member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void au_json_f64(au_json *j, const char *key, double v)
{
    member(j, key);
    if (isnan(v) || isinf(v))
        fputs("null", j->f);
    else
        fprintf(j->f, "%.17g", v);
}

void au_json_str(au_json *j, const char *key, gt_str s)
{
    member(j, key);
    au_json_write_string(j->f, s);
}

void au_json_cstr(au_json *j, const char *key, const char *s)
{
    au_json_str(j, key, (gt_str){s, strlen(s)});
}

void au_json_null(au_json *j, const char *key)
{
    member(j, key);
    fputs("null", j->f);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_valid_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

void au_json_write_string(FILE *f, gt_str s)
{
    fputc('"', f);
    au_json_write_string_body(f, s);
    fputc('"', f);
}

void au_json_write_string_body(FILE *f, gt_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        unsigned c = p[i];
        if (c < 0x80) {
            switch (c) {
            case '"': fputs("\\\"", f); break;
            case '\\': fputs("\\\\", f); break;
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default:
                if (c < 0x20 || c == 0x7f)
                    fprintf(f, "\\u%04x", c);
                else
                    fputc((int)c, f);
            }
            i++;
            continue;
        }
        size_t n = utf8_valid_len(p + i, s.len - i);
        if (n == 0) {
            fputs("\\ufffd", f);  /* one replacement per bad byte, as Go does */
            i++;
        } else {
            fwrite(p + i, 1, n, f);
            i += n;
        }
    }
}

static void json_durations(au_json *j, const char *key, const gt_named_duration *d, size_t n)
{
    au_json_object(j, key);
    for (size_t i = 0; i < n; i++) {
        /* Keys may hold any bytes: write them through the string writer. */
        if (!j->first[j->depth])
            fputc(',', j->f);
        j->first[j->depth] = 0;
        au_json_write_string(j->f, d[i].name);
        fprintf(j->f, ":%lld", (long long)d[i].ns);
    }
    au_json_end_object(j);
}

void au_json_stats(au_json *j, const gt_exec_stats *s)
{
    au_json_i64(j, "exec_time", s->exec_time);
    au_json_i64(j, "sched_wait_time", s->sched_wait_time);
    au_json_i64(j, "syscall_time", s->syscall_time);
    au_json_i64(j, "syscall_block_time", s->syscall_block_time);
    au_json_i64(j, "total_time", s->total_time);
    au_json_i64(j, "unknown_time", gt_exec_stats_unknown_time(s));
    json_durations(j, "block_time", s->block, s->n_block);
    json_durations(j, "range_time", s->range, s->n_range);
}

void au_json_frame(au_json *j, const char *key, const gt_frame *f)
{
    au_json_object(j, key);
    au_json_u64(j, "pc", f->pc);
    au_json_str(j, "func", f->func);
    au_json_str(j, "file", f->file);
    au_json_u64(j, "line", f->line);
    au_json_end_object(j);
}

void au_json_region(au_json *j, const gt_region_summary *r)
{
    au_json_object(j, NULL);
    au_json_u64(j, "task", r->task);
    au_json_str(j, "name", r->name);
    au_json_i64(j, "goroutine", r->goroutine);
    if (r->start_kind == GT_REGION_EDGE_NONE)
        au_json_null(j, "start");
    else
        au_json_i64(j, "start", r->start);
    if (r->end_kind == GT_REGION_EDGE_NONE)
        au_json_null(j, "end");
    else
        au_json_i64(j, "end", r->end);
    au_json_frame(j, "frame", &r->start_frame);
    au_json_stats(j, &r->stats);
    au_json_end_object(j);
}

/* ------------------------------------------------------------- printing */

const char *au_duration(char *out, int64_t d)
{
    char buf[GT_DURATION_BUF];
    return strcpy(out, gt_format_duration(d, buf));
}

const char *au_since(char *out, int64_t t, int64_t start) { return au_duration(out, t - start); }

int au_latency_option(const char *cmd, const char *opt, const char *val, int *has_min, int64_t *min,
                      int *has_max, int64_t *max)
{
    int64_t ns;
    if (au_duration_option(cmd, opt, val, &ns))
        return CLI_EXIT_USAGE;
    if (!strcmp(opt, "--latmin"))
        *has_min = 1, *min = ns;
    else
        *has_max = 1, *max = ns;
    return 0;
}

int au_str_eq(gt_str a, gt_str b)
{
    return a.len == b.len && (a.len == 0 || !memcmp(a.ptr, b.ptr, a.len));
}

int au_str_cmp(gt_str a, gt_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

void au_print_str(FILE *f, gt_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else if (c >= 0x80)
            fputc(c, f);  /* keep UTF-8 text readable */
        else
            fprintf(f, "\\x%02x", c);
    }
}

void au_hist_add(au_hist *h, int64_t d)
{
    int bucket = 0;
    if (d > 0)
        bucket = (int)(log((double)d) / log(pow(10, 1.0 / 5)));
    if (bucket >= (int)(sizeof h->buckets / sizeof h->buckets[0]))
        bucket = (int)(sizeof h->buckets / sizeof h->buckets[0]) - 1;
    h->buckets[bucket]++;
    if (bucket < h->min_bucket || h->max_bucket == 0)
        h->min_bucket = bucket;
    if (bucket > h->max_bucket)
        h->max_bucket = bucket;
    h->count++;
}

int64_t au_hist_bucket_min(int bucket) { return (int64_t)exp((double)bucket * log(pow(10, 1.0 / 5))); }

void au_hist_print(FILE *f, const au_hist *h, int indent)
{
    if (h->count == 0)
        return;
    long max = 1;
    for (int i = h->min_bucket; i <= h->max_bucket; i++)
        if (h->buckets[i] > max)
            max = h->buckets[i];
    for (int i = h->min_bucket; i <= h->max_bucket; i++) {
        char d[40];
        fprintf(f, "%*s>= %-12s %6ld ", indent, "", au_duration(d, au_hist_bucket_min(i)), h->buckets[i]);
        for (long k = 0; k < h->buckets[i] * 40 / max; k++)
            fputc('#', f);
        fputc('\n', f);
    }
}

/* --------------------------------------------------------------- passes */

gt_window au_window = GT_WINDOW_ALL;

int au_windowed(void) { return au_window.from != 0 || au_window.to != INT64_MAX; }

int au_window_option(const char *cmd, const char *opt, int is_to, const char *val)
{
    int64_t ns;
    if (au_duration_option(cmd, opt, val, &ns))
        return CLI_EXIT_USAGE;
    if (is_to)
        au_window.to = ns;
    else
        au_window.from = ns;
    return 0;
}

void au_json_window(au_json *j, int64_t trace_start, int64_t end)
{
    if (!au_windowed())
        return;
    au_json_i64(j, "window_from_ns", au_window.from);
    au_json_i64(j, "window_to_ns", end - trace_start < au_window.to ? end - trace_start : au_window.to);
}

void au_print_window(FILE *f, int64_t trace_start, int64_t end)
{
    if (!au_windowed())
        return;
    char a[GT_DURATION_BUF], b[GT_DURATION_BUF];
    int64_t to = end - trace_start < au_window.to ? end - trace_start : au_window.to;
    fprintf(f, "Window: %s to %s (from the trace start)\n\n", gt_format_duration(au_window.from, a),
            gt_format_duration(to, b));
}

int au_window_ready(const char *cmd)
{
    gt_error err;
    if (gt_window_check(&au_window, &err))
        return cli_usage_error(cmd, "%s", err.message);
    return 0;
}

int au_pass_fd(const char *cmd, const char *path, int fd, uint64_t limit, au_event_fn fn, void *ctx,
               au_pass_result *res)
{
    memset(res, 0, sizeof *res);
    gt_error err;
    gt_reader *r = cli_reader_open_fd(fd, &err);
    if (!r) {
        if (err.code == GT_ERR_IO)
            return cli_usage_error(cmd, "cannot read %s: %s", path, err.message);
        cli_trace_error(path, &err);
        cli_input_explain(fd, &err);
        return CLI_EXIT_TRACE;
    }
    gt_event ev;
    uint64_t last_sync_end = 0;
    int64_t first = 0, last = 0;
    int past = 0;
    while (!past && res->events < limit && gt_reader_next(r, &ev) == 1) {
        if (res->events == 0)
            first = ev.time;
        last = ev.time;
        /* Events past the window are fed up to the next Sync. */
        past = gt_window_done(&au_window, first, &ev);
        res->events++;
        cli_progress_event(&res->progress, r, &ev);
        if (ev.kind == GT_EVENT_SYNC)
            last_sync_end = res->events;
        if (fn(ctx, &ev)) {
            gt_reader_free(r);
            fprintf(stderr, "gotrace %s: out of memory\n", cmd);
            return CLI_EXIT_TRACE;
        }
    }
    const gt_error *e = past ? NULL : gt_reader_error(r);
    cli_progress_finish(&res->progress, r);
    if (res->events < limit && e) {
        res->failed = 1;
        cli_error_keep(&res->error, e);
        res->valid_events = last_sync_end;
    } else {
        res->valid_events = res->events;
    }
    gt_reader_free(r);
    if (res->failed && res->valid_events == 0) {
        fprintf(stderr, "gotrace %s: failed to parse any useful part of the trace: %s\n", cmd, res->error.message);
        return CLI_EXIT_TRACE;
    }
    gt_error werr;
    if (res->events && gt_window_check_trace(&au_window, first, last, &werr))
        return cli_usage_error(cmd, "%s", werr.message);
    return 0;
}

int au_pass(const char *cmd, const char *path, uint64_t limit, au_event_fn fn, void *ctx, au_pass_result *res)
{
    cli_input in;
    int rc = cli_input_open(&in, cmd, path, 0);
    if (rc)
        return rc;
    rc = au_pass_fd(cmd, path, in.fd, limit, fn, ctx, res);
    /* Damaged compressed data (reported by the close) ends the trace there:
     * a broken trace, even when the reader found a clean end. */
    if (cli_input_close(&in) && !rc && !res->failed) {
        res->failed = 1;
        cli_error_static(&res->error, GT_ERR_TRUNCATED, "the trace ends where its compressed data broke");
    }
    return rc;
}

void au_report_failure(const char *path, const au_pass_result *res)
{
    cli_trace_error(path, &res->error);
    cli_report_loss(path, &res->progress);
}

static int summary_fn(void *ctx, const gt_event *ev) { return gt_summary_event(ctx, ev); }

int au_summarize_stream(const char *cmd, const char *path, au_stream *st, gt_summary **out, int *broken)
{
    *out = NULL;
    *broken = 0;
    gt_summary *s = gt_summary_new();
    if (!s) {
        fprintf(stderr, "gotrace %s: out of memory\n", cmd);
        return CLI_EXIT_TRACE;
    }
    gt_summary_set_window(s, &au_window);
    if (st) {
        st->summary = s;
        st->broken = 0;
        gt_summary_stream_regions(s, st->fn, st->ctx);
    }
    au_pass_result res;
    int rc = au_pass(cmd, path, UINT64_MAX, summary_fn, s, &res);
    if (rc) {
        gt_summary_free(s);
        return rc;
    }
    if (res.failed) {
        *broken = 1;
        au_report_failure(path, &res);
    }
    if (st)
        st->broken = *broken;
    if (gt_summary_finalize(s)) {
        gt_summary_free(s);
        fprintf(stderr, "gotrace %s: out of memory\n", cmd);
        return CLI_EXIT_TRACE;
    }
    if (st && st->fn && gt_summary_streamed_dropped(s)) {
        fprintf(stderr,
                "gotrace %s: the trace creates a goroutine ID again after it ended; Go's summary then "
                "forgets %llu regions of the first goroutine, which this streaming pass has counted: "
                "use --json for Go's figures\n",
                cmd, (unsigned long long)gt_summary_streamed_dropped(s));
        gt_summary_free(s);
        return CLI_EXIT_TRACE;
    }
    *out = s;
    return 0;
}

int au_summarize(const char *cmd, const char *path, gt_summary **out, int *broken)
{
    return au_summarize_stream(cmd, path, NULL, out, broken);
}

int64_t au_span_start(const gt_summary *s)
{
    int64_t start, end;
    gt_summary_span(s, &start, &end);
    return start;
}

int64_t au_trace_end(const gt_summary *s, int broken)
{
    return broken ? gt_summary_last_sync_time(s) : gt_summary_last_time(s);
}

int au_duration_option(const char *cmd, const char *opt, const char *val, int64_t *ns)
{
    gt_error err;
    size_t digits = strspn(val, "0123456789");
    if (digits > 0 && !val[digits]) {
        /* A bare number: nanoseconds, as these options always took. */
        errno = 0;
        unsigned long long v = strtoull(val, NULL, 10);
        if (errno || v > INT64_MAX)
            return cli_usage_error(cmd, "%s: %s nanoseconds is too long", opt, val);
        *ns = (int64_t)v;
        return 0;
    }
    if (gt_parse_duration(val, ns, &err))
        return cli_usage_error(cmd, "%s: %s", opt, err.message);
    if (*ns < 0)
        return cli_usage_error(cmd, "%s: a negative duration (%s)", opt, val);
    return 0;
}

int au_parse_pc(const char *s, uint64_t *pc)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 16);
    if (*end || errno)
        return -1;
    *pc = v;
    return 0;
}
