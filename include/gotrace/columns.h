/* gotrace/columns.h — the tables of gotrace/rows.h as typed column arrays,
 * filled in bulk: the layer under the Python package's DataFrames (and any
 * caller that wants whole columns rather than one sink call per row).
 *
 * A gt_columns object reads a reader's events itself (gt_columns_read, many
 * events per call), feeds them to a gt_rows builder and appends each row of
 * the tables it was asked for to that table's columns. The rows, their
 * values and their order within a table are exactly those a gt_rows sink
 * gets (so those of `gotrace export`). g_transitions, most of a trace's
 * rows, is filled from one typed record per row rather than one
 * gt_rows_value per column; the result is the same.
 *
 * Column arrays, by the schema's type (gt_rows_tables):
 *   GT_ROWS_INT64   int64_t per row
 *   GT_ROWS_DOUBLE  double per row
 *   GT_ROWS_BOOL    uint8_t per row, 0 or 1
 *   GT_ROWS_TEXT    int32_t per row: an index into the column's dictionary
 *                   (its distinct strings, numbered 0, 1, ... in the order
 *                   first seen), -1 for NULL
 * A column the schema says may be NULL has a null mask (uint8_t per row,
 * 1: NULL), text columns too; a NULL stores 0 in the data array (-1 for
 * text). A column that is never NULL has no mask.
 *
 * Lifetimes. Pointers returned by the accessors stay valid until the next
 * gt_columns_read, gt_columns_clear or gt_columns_free on the object.
 *
 * Errors. gt_columns_read returns -1 when memory runs out (the object may
 * then only be freed). A reader error is not one of the object's: reading
 * stops, the rows are finished as gt_rows_finish does with that error (the
 * traces row's error column), and the caller finds it in gt_reader_error.
 * Nothing here prints or aborts.
 */
#ifndef GOTRACE_COLUMNS_H
#define GOTRACE_COLUMNS_H

#include "gotrace.h"
#include "gotrace/rows.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gt_columns gt_columns;

/* A new object collecting the tables whose bits are set in tables (bit t:
 * gt_rows_tables()[t]; 0: every table). options as gt_rows_new's (NULL:
 * whole trace, no file name). NULL when memory runs out. The row builder
 * gets the same mask (gt_rows_set_tables): asking for fewer tables skips
 * the work only the others need (g_transitions alone: neither the
 * goroutine analysis nor the timeline tracker), so ask only for what is
 * used. */
GT_API gt_columns *gt_columns_new(uint32_t tables, const gt_rows_options *options);

/* Reads up to max_events events of r (0: no limit) and appends their rows.
 * When r has no more events (its end, or an error), finishes the rows
 * (gt_rows_finish with gt_reader_error(r)). Returns the number of events
 * read (0 once finished: later calls do nothing), or -1 when memory runs
 * out. Feed one reader from its start, and nothing else, to one object. */
GT_API int64_t gt_columns_read(gt_columns *c, gt_reader *r, uint64_t max_events);

/* 1 once the rows are finished. */
GT_API int gt_columns_done(const gt_columns *c);

/* Rows held for table t (0 for a table not collected or unknown). */
GT_API uint64_t gt_columns_rows(const gt_columns *c, uint32_t t);

/* Column col of table t: the array described above (NULL when the table
 * holds no rows, or t or col is out of range). */
GT_API const void *gt_columns_data(const gt_columns *c, uint32_t t, uint32_t col);

/* The null mask of column col of table t, NULL when the column is never
 * NULL (or the table holds no rows). */
GT_API const uint8_t *gt_columns_nulls(const gt_columns *c, uint32_t t, uint32_t col);

/* The dictionary of text column col of table t: *n strings, string i being
 * bytes [offsets[i], offsets[i + 1]) of the returned buffer (*offsets
 * points to *n + 1 offsets). NULL with *n = 0 for a column that is not text
 * or holds no strings; NULL with *n > 0 when memory runs out. */
GT_API const char *gt_columns_dict(gt_columns *c, uint32_t t, uint32_t col, const uint64_t **offsets,
                                   uint32_t *n);

/* Hands column col of table t over to the caller: its data array
 * (nulls = 0) or its null mask (nulls = 1), trimmed to the rows held,
 * released with gt_free; NULL when there is none (no rows, or no mask).
 * Saves a copy for callers that keep whole columns. Once any column of t is
 * taken, gt_columns_data and gt_columns_nulls return NULL for what was
 * taken, and the next gt_columns_read or gt_columns_clear drops the table's
 * rows (as gt_columns_clear): take every column wanted before reading on. */
GT_API void *gt_columns_take(gt_columns *c, uint32_t t, uint32_t col, int nulls);

/* Drops the rows held for table t (its dictionaries are kept, so indexes
 * stay meaningful): a caller may take a table's rows N at a time, clearing
 * after each gt_columns_read. */
GT_API void gt_columns_clear(gt_columns *c, uint32_t t);

GT_API void gt_columns_free(gt_columns *c);  /* NULL is fine */

#ifdef __cplusplus
}
#endif

#endif
