/* src/export/rows_typed.h — inside the library: g_transitions rows as one
 * typed record each, for gt_columns (src/export/columns.c), which fills its
 * columns from it without a gt_rows_value per column (the table holds
 * nearly every row of a trace).
 *
 * The record carries exactly what the generic row would: ints by schema
 * column index, NULLs as bits, the two states as Go's state numbers
 * (gt_go_state_name gives the text) and the reason as the builder's reason
 * number with its text. gt_rows computes the record once; its generic sink
 * is built from it, so both paths give the same rows. */
#ifndef GT_EXPORT_ROWS_TYPED_H
#define GT_EXPORT_ROWS_TYPED_H

#include "gotrace/rows.h"

/* g_transitions' columns, in schema order. */
enum {
    GT_G_TIME,
    GT_G_GOROUTINE,
    GT_G_FROM_STATE,
    GT_G_TO_STATE,
    GT_G_REASON,
    GT_G_DURATION,
    GT_G_STACK,
    GT_G_CAUSE_GOROUTINE,
    GT_G_CAUSE_PROC,
    GT_G_CAUSE_THREAD,
    GT_G_CAUSE_STACK,
    GT_G_COLUMNS
};

typedef struct gt_rows_g_row {
    int64_t v[GT_G_COLUMNS];  /* int columns; 0 when NULL (text columns: 0) */
    uint32_t nulls;           /* bit j: column j is NULL */
    uint8_t from, to;         /* gt_go_state */
    uint32_t reason;          /* 1, 2, ... per distinct reason text; 0: NULL */
    gt_str reason_text;       /* valid during the call */
} gt_rows_g_row;

/* The typed sink for g_transitions: once set (before the first event), the
 * builder calls fn instead of the generic sink for that table's rows, with
 * the generic sink's ctx; its return value is taken as the sink's. */
typedef int (*gt_rows_g_fn)(void *ctx, const gt_rows_g_row *row);
void gt_rows_set_g_sink(gt_rows *r, gt_rows_g_fn fn);

#endif
