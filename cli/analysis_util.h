/* Helpers shared by the analysis commands (goroutines, tasks, regions, mmu,
 * pprof): a small JSON writer whose strings decode to what Go's
 * encoding/json writes for the same bytes, Go's Duration formatting, and the
 * streaming pass that feeds a trace to the analyses. */
#ifndef GT_CLI_ANALYSIS_UTIL_H
#define GT_CLI_ANALYSIS_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"
#include "cli.h"

/* ------------------------------------------------------------------ JSON */

typedef struct au_json {
    FILE *f;
    int depth;
    unsigned char first[64];  /* per depth: nothing written yet at this level */
} au_json;

void au_json_init(au_json *j, FILE *f);
/* Each takes the member key inside an object, or NULL inside an array. */
void au_json_object(au_json *j, const char *key);
void au_json_array(au_json *j, const char *key);
void au_json_end_object(au_json *j);
void au_json_end_array(au_json *j);
void au_json_i64(au_json *j, const char *key, int64_t v);
void au_json_u64(au_json *j, const char *key, uint64_t v);
void au_json_f64(au_json *j, const char *key, double v);
void au_json_str(au_json *j, const char *key, gt_str s);
void au_json_cstr(au_json *j, const char *key, const char *s);
void au_json_null(au_json *j, const char *key);
/* Writes s as a JSON string: invalid UTF-8 becomes U+FFFD, as in Go. */
void au_json_write_string(FILE *f, gt_str s);
/* The same without the quotes: writes a JSON string from several parts. */
void au_json_write_string_body(FILE *f, gt_str s);

/* Members exec_time ... range_time of a gt_exec_stats, as goref prints them. */
void au_json_stats(au_json *j, const gt_exec_stats *s);
/* A frame object: pc, func, file, line. */
void au_json_frame(au_json *j, const char *key, const gt_frame *f);
/* One region object (task, name, goroutine, start, end, frame, stats). */
void au_json_region(au_json *j, const gt_region_summary *r);

/* ------------------------------------------------------------- printing */

/* Go's time.Duration.String ("1.5ms", "0s", "2m3.000000001s"), by
 * gt_format_duration. buf >= 40. */
const char *au_duration(char *buf, int64_t ns);
/* A time of the trace as the text outputs print it: relative to the trace's
 * start (its first event), as a duration ("1.673534976s", as Go's web UI
 * shows times). --json keeps nanoseconds and gives trace_start_ns. */
const char *au_since(char *buf, int64_t t, int64_t start);
/* Byte-wise equality of two strings. */
/* Handles "--latmin D" or "--latmax D" (opt names which): parses D into that
 * bound and sets its has_ flag. Returns 0, or CLI_EXIT_USAGE with the message
 * printed for cmd. */
int au_latency_option(const char *cmd, const char *opt, const char *val, int *has_min, int64_t *min,
                      int *has_max, int64_t *max);

int au_str_eq(gt_str a, gt_str b);
/* Byte-wise order of two strings, shorter first on a common prefix (Go's string <). */
int au_str_cmp(gt_str a, gt_str b);
/* Prints s for a table: bytes that are not printable ASCII become \xNN. */
void au_print_str(FILE *f, gt_str s);

/* Go's traceviewer.TimeHistogram: five buckets per power of ten. */
typedef struct au_hist {
    long count;
    long buckets[128];
    int min_bucket, max_bucket;
} au_hist;

void au_hist_add(au_hist *h, int64_t d);
/* Lower bound of a bucket (BucketMin). */
int64_t au_hist_bucket_min(int bucket);
/* Prints "  >= MIN  COUNT  ####" lines, indented by indent. */
void au_hist_print(FILE *f, const au_hist *h, int indent);

/* --------------------------------------------------------------- passes */

/* Called for each event; returns 0, or -1 when memory ran out. */
typedef int (*au_event_fn)(void *ctx, const gt_event *ev);

typedef struct au_pass_result {
    uint64_t events;         /* events read before the end or the error */
    uint64_t valid_events;   /* events up to and including the last Sync when
                              * the trace broke; all of them otherwise */
    int failed;              /* the reader stopped with an error */
    gt_error error;
    cli_progress progress;   /* what the error lost */
} au_pass_result;

/* Prints a failed pass's error and what it lost (path names the trace). */
void au_report_failure(const char *path, const au_pass_result *res);

/* Reads path ("-" = stdin) and calls fn for each event; stops after limit
 * events when limit is not UINT64_MAX. Returns 0 when the trace was read
 * (possibly with an error afterwards, see res->failed), or an exit status
 * (CLI_EXIT_*) after printing a message: the file cannot be opened, nothing
 * valid was read, or memory ran out. */
int au_pass(const char *cmd, const char *path, uint64_t limit, au_event_fn fn, void *ctx, au_pass_result *res);
/* The same from the open input in (cli_input_reader: from its current
 * position; not closed); path names the trace in messages. For a second
 * pass over a cli_input (after cli_input_rewind). */
int au_pass_input(const char *cmd, const char *path, cli_input *in, uint64_t limit, au_event_fn fn, void *ctx,
                  au_pass_result *res);

/* Runs the Summarizer over path and finalizes it. Returns 0 and *out, or an
 * exit status after printing a message. A broken trace is reported on stderr
 * and *broken set; the summary still covers every event read, as Go's. */
int au_summarize(const char *cmd, const char *path, gt_summary **out, int *broken);

/* A streaming summary (gt_summary_stream_regions): regions go to fn(ctx, r)
 * as they finish. au_summarize_stream fills summary as soon as it exists and
 * broken before gt_summary_finalize, so fn can compute where a region cut by
 * the trace end ends (au_trace_end(summary, broken)): such regions only
 * finish in gt_summary_finalize. */
typedef struct au_stream {
    gt_region_fn fn;  /* NULL: regions are only counted */
    void *ctx;
    gt_summary *summary;
    int broken;
} au_stream;

/* au_summarize with a streaming summary when st is not NULL. Fails (exit
 * status, message) when the stream gave regions Go's summary drops
 * to fn (gt_summary_streamed_dropped): then the caller's figures would be
 * wrong. */
int au_summarize_stream(const char *cmd, const char *path, au_stream *st, gt_summary **out, int *broken);

/* Where the summary's analysis starts: its first event, or the window's
 * start (gt_summary_span): where regions and tasks begun before it begin. */
int64_t au_span_start(const gt_summary *s);

/* cmd/trace's endTime(): the last event's time, or the last Sync's when the
 * trace broke (Go keeps the events up to there). */
int64_t au_trace_end(const gt_summary *s, int broken);

/* Every duration option of the CLI (--from, --to, --latmin, --latmax,
 * --window): Go's syntax (gt_parse_duration: "1.5ms", "1m30s", "250000ns"),
 * or a bare whole number of nanoseconds ("250000"), never negative. Returns
 * 0 with *ns, or CLI_EXIT_USAGE after printing "gotrace CMD: OPT: REASON"
 * (Go's message for a bad duration). */
int au_duration_option(const char *cmd, const char *opt, const char *val, int64_t *ns);

/* ---------------------------------------------------------------- windows
 *
 * --from D --to D on every analysis command: the window (gotrace/window.h)
 * all passes and summaries of the command use. */

/* The command's window; {0, INT64_MAX} (none) unless set. */
extern gt_window au_window;

/* The options, for a command's cli_option table: {"from", 1, id}, {"to", 1, id}. */
#define AU_WINDOW_OPTIONS(from_id, to_id) {"from", 1, from_id}, {"to", 1, to_id}

/* Handles --from D or --to D (opt as written, a.spelling): parses D with
 * gt_parse_duration into au_window. 0, or CLI_EXIT_USAGE with the message
 * printed for cmd. */
int au_window_option(const char *cmd, const char *opt, int is_to, const char *val);

/* After the options: refuses a window that ends before it starts. 0, or
 * CLI_EXIT_USAGE with the message. */
int au_window_ready(const char *cmd);

/* Whether a window was given. */
int au_windowed(void);
/* With a window: "window_from_ns", "window_to_ns" (ns from the trace start;
 * to is the trace's end when --to was not given or beyond it: end is where
 * the analysis ended, on the trace clock) / a "Window: FROM to TO" line and a
 * blank line. Nothing without one. */
void au_json_window(au_json *j, int64_t trace_start, int64_t end);
void au_print_window(FILE *f, int64_t trace_start, int64_t end);

/* Every pass (au_pass, au_pass_input, au_summarize*) stops after the first
 * event past au_window's end, and fails with CLI_EXIT_USAGE and a message
 * when the window starts after the trace's last event. au_summarize*
 * gives the summary the window. */

/* Parses a PC in hexadecimal, with or without 0x (go tool trace's pc=
 * parameter is bare hex). Returns 0 or -1. */
int au_parse_pc(const char *s, uint64_t *pc);

#endif
