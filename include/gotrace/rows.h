/* gotrace/rows.h — a trace as the rows of relational tables: the one layer
 * behind `gotrace sql` and `gotrace export` (SQLite, CSV, Parquet).
 *
 * Schema. gt_rows_tables describes every table: its name, what a row is, and
 * its columns (name, type, whether it may be NULL, unit, meaning). The
 * schema is static data: writers create their tables from it, and the man
 * page documents it. GT_ROWS_T_* are the tables' indexes in that array.
 *
 * Rows. A gt_rows object takes events in reader order and calls the sink's
 * row function once per row, with one gt_rows_value per column of the table,
 * in schema order. Rows of different tables interleave; within a table they
 * come in no promised order (a transition's row, for example, is passed when
 * the next transition of the same goroutine gives its duration). Some tables
 * are complete only at gt_rows_finish (goroutines, tasks, traces: they need
 * the whole trace).
 *
 * Times are the trace's own clock in ns (as `gotrace goroutines --json`
 * prints them); traces.start_time is the first event's, so t - start_time is
 * the time since the trace began. Durations are in ns.
 *
 * Identity. Goroutine, P, thread and task IDs are the trace's. Stacks get a
 * trace-wide ID (1, 2, ... in the order they are first used; two stacks with
 * the same frames get the same ID, whatever generation they come from) and
 * are described once in `stacks` and `frames`; other tables refer to them by
 * that ID (NULL: no stack). Regions get IDs 1, 2, ... in the order they
 * finish.
 *
 * Accounting. The goroutine, task and region figures are those of the
 * library's goroutine analysis (gt_summary, gotrace/analysis.h), exactly:
 * `gotrace goroutines`, `tasks` and `regions` show the same numbers. Ranges
 * (GC, stop-the-world, sweep, mark assist) and thread transitions come from
 * the timeline tracker (gotrace/export.h).
 *
 * Memory. The object keeps one record per live goroutine, P and thread, per
 * distinct stack (its PCs), reason string and open range, plus what the
 * goroutine analysis keeps (per goroutine and task, not per event or
 * finished region). Nothing is allocated per event.
 *
 * Lifetimes. Text values passed to the sink are valid during the call only.
 *
 * Errors. Functions return 0, -1 when memory runs out, or the nonzero value
 * the sink returned (which stops the feeding). After an error the object may
 * only be freed. Nothing here prints or aborts.
 */
#ifndef GOTRACE_ROWS_H
#define GOTRACE_ROWS_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gt_rows_type {
    GT_ROWS_INT64 = 1,  /* int64_t in value.i */
    GT_ROWS_DOUBLE,     /* double in value.d */
    GT_ROWS_TEXT,       /* bytes in value.s (any bytes; usually UTF-8) */
    GT_ROWS_BOOL        /* 0 or 1 in value.i */
} gt_rows_type;

typedef struct gt_rows_column {
    const char *name;     /* lower case, [a-z0-9_] */
    gt_rows_type type;
    int nullable;         /* the value may be NULL */
    const char *unit;     /* "ns", "bytes", "" when none */
    const char *doc;      /* one sentence, for the man page and --help */
} gt_rows_column;

typedef struct gt_rows_table {
    const char *name;     /* lower case, [a-z_] */
    const char *doc;      /* what one row is */
    uint32_t n_columns;
    const gt_rows_column *columns;
} gt_rows_table;

/* The tables' indexes in gt_rows_tables. New tables are added at the end. */
enum {
    GT_ROWS_T_TRACES = 0,
    GT_ROWS_T_GOROUTINES,
    GT_ROWS_T_GOROUTINE_TIMES,
    GT_ROWS_T_G_TRANSITIONS,
    GT_ROWS_T_P_TRANSITIONS,
    GT_ROWS_T_M_TRANSITIONS,
    GT_ROWS_T_STACKS,
    GT_ROWS_T_FRAMES,
    GT_ROWS_T_CPU_SAMPLES,
    GT_ROWS_T_TASKS,
    GT_ROWS_T_REGIONS,
    GT_ROWS_T_REGION_TIMES,
    GT_ROWS_T_LOGS,
    GT_ROWS_T_RANGES,
    GT_ROWS_T_METRICS,
    GT_ROWS_T_LABELS,
    GT_ROWS_T_COUNT
};

/* The schema: *n is set to the number of tables (GT_ROWS_T_COUNT). Static:
 * valid for the life of the program. */
GT_API const gt_rows_table *gt_rows_tables(uint32_t *n);

/* One value of a row. */
typedef struct gt_rows_value {
    int64_t i;     /* INT64, BOOL */
    double d;      /* DOUBLE */
    gt_str s;      /* TEXT: valid during the sink call only */
    int null;      /* 1: NULL (the other fields are then 0) */
} gt_rows_value;

/* The sink: row gets the table's index and n_columns values. It returns 0 to
 * go on, anything else to stop (gt_rows_* then return that value). */
typedef struct gt_rows_sink {
    void *ctx;
    int (*row)(void *ctx, uint32_t table, const gt_rows_value *values);
} gt_rows_sink;

typedef struct gt_rows_options {
    gt_str file;          /* traces.file: the trace's name as the user gave it */
    int go_version;       /* traces.go_version: gt_reader_version(), 0 unknown */
    /* Window, in ns since the first event: rows of events outside it are
     * not passed, nor ranges that do not overlap it; goroutines, tasks and
     * regions (and their times) are those of the goroutine analysis in
     * that window (gotrace/window.h), as `gotrace goroutines --from --to`
     * shows them. The traces row still describes the whole trace. 0 and
     * INT64_MAX for the whole trace. */
    int64_t from, to;
} gt_rows_options;

typedef struct gt_rows gt_rows;

/* A new row builder calling sink (copied); options may be NULL (whole
 * trace, no file name). NULL when memory runs out. */
GT_API gt_rows *gt_rows_new(const gt_rows_sink *sink, const gt_rows_options *options);
/* Passes only the rows of the tables whose bits are set in tables (bit t:
 * gt_rows_tables()[t]; 0, the default: every table), and skips the work
 * the others alone need: the goroutine analysis unless goroutines,
 * goroutine_times, tasks, regions or region_times are asked for; the
 * timeline tracker unless m_transitions or ranges are; the pending
 * transitions of g_ and p_transitions not asked for; stack IDs unless a
 * table holding them (or stacks, frames) is. The rows passed, their values
 * and their order within each table are those a builder without the mask
 * passes for that table. Stack IDs too: without the tracker, the stack of
 * each RangeBegin and RangeActive event takes its ID where the tracker's
 * range would; the two differ only for a range begun again while open, or
 * beyond the tracker's 64 distinct range names, when the event has a stack
 * not seen before (the IDs are then numbered in another order). Only before
 * the first event (ignored after it). Tables not asked for get no rows and
 * count 0 in gt_rows_count. */
GT_API void gt_rows_set_tables(gt_rows *r, uint32_t tables);
/* Feeds the next event (reader order). */
GT_API int gt_rows_event(gt_rows *r, const gt_event *ev);
/* Ends the trace: passes what was pending (the last transition of each
 * goroutine, P and thread, with a NULL duration; open ranges, ended at the
 * last event), then goroutines, tasks, regions not yet passed, and the
 * traces row. err: the reader's error when it stopped on one (the traces
 * row's error column), else NULL. Call once. */
GT_API int gt_rows_finish(gt_rows *r, const gt_error *err);
GT_API void gt_rows_free(gt_rows *r);  /* NULL is fine */

/* Rows passed so far to the sink for table t (0 for an unknown t). */
GT_API uint64_t gt_rows_count(const gt_rows *r, uint32_t t);

#ifdef __cplusplus
}
#endif

#endif
