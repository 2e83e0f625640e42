/* A small streaming Parquet writer for the CLI (gotrace export
 * --format=parquet), written from the Parquet format specification
 * (apache/parquet-format: parquet.thrift, Encodings.md, LogicalTypes.md).
 *
 * One writer makes one file holding one flat table: every column is a
 * top-level field, REQUIRED or OPTIONAL, of one of four types:
 *
 *   PQ_INT64   INT64, annotated INTEGER(64, signed), or for a column of
 *              nanoseconds since the Unix epoch TIMESTAMP(NANOS) with
 *              isAdjustedToUTC false: DuckDB reads an adjusted (UTC)
 *              nanosecond timestamp as microseconds, losing the nanoseconds
 *   PQ_DOUBLE  DOUBLE
 *   PQ_TEXT    BYTE_ARRAY annotated STRING; bytes that are not UTF-8 are
 *              written as U+FFFD (a reader may refuse a STRING that is not)
 *   PQ_BOOL    BOOLEAN
 *
 * What the file holds: data pages (v1) compressed with zstd; INT64 values
 * DELTA_BINARY_PACKED (times and IDs in a few bytes each, and much less for
 * zstd to do), or PLAIN for a column chunk whose first page PLAIN
 * compresses to under 60% of that; DOUBLE and BOOLEAN values PLAIN; strings dictionary encoded
 * (a PLAIN dictionary
 * page, then RLE_DICTIONARY data pages) until a column chunk's dictionary
 * would pass pq_limits.dict_bytes, PLAIN from then to the chunk's end;
 * definition levels (RLE/bit-packed hybrid) for OPTIONAL columns;
 * statistics per column chunk (null_count, and min_value / max_value in the
 * type's order, with column_orders saying so). Row groups are written out
 * when they reach pq_limits.row_group_rows rows or row_group_bytes of
 * buffered pages, so memory stays bounded whatever the table's size: at
 * most one row group's compressed pages plus one open page per column.
 *
 * Use:
 *     pq_writer *w = pq_writer_new(f, cols, ncols, NULL);
 *     for each row:
 *         for each column c: pq_put_int64(w, c, v) / pq_put_text / ... / pq_put_null
 *         pq_end_row(w);
 *     pq_finish(w);            // the last row group and the footer
 *     pq_writer_free(w);
 *
 * Every function returns 0 or a PQ_ERR_* code; the first failure sticks
 * (later calls return it and do nothing), and pq_writer_message says what
 * happened; for PQ_ERR_WRITE, pq_writer_errno gives the failed write's errno.
 * The writer writes f sequentially with fwrite, checking every call; the
 * caller still flushes and closes f and checks that (cli_output_close). */
#ifndef GT_CLI_PARQUET_H
#define GT_CLI_PARQUET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { PQ_INT64, PQ_DOUBLE, PQ_TEXT, PQ_BOOL };

enum {
    PQ_OK = 0,
    PQ_ERR_WRITE,   /* writing f failed (pq_writer_errno) */
    PQ_ERR_MEMORY,  /* out of memory */
    PQ_ERR_ZSTD,    /* the compressor failed */
    PQ_ERR_USAGE    /* a call that breaks this contract (a wrong type, a NULL
                     * for a REQUIRED column, a row not complete, ...) */
};

typedef struct pq_column {
    const char *name;  /* copied */
    int type;          /* PQ_INT64, ... */
    int nullable;      /* OPTIONAL (may hold NULL) or REQUIRED */
    int timestamp;     /* PQ_INT64 only: nanoseconds since the Unix epoch */
} pq_column;

/* Sizes that bound a writer's memory and shape its file; 0 in any field
 * means its default. */
typedef struct pq_limits {
    size_t page_bytes;      /* a data page closes at this many bytes of encoded values (256 KiB) */
    size_t page_values;     /* ... or this many values, NULLs included (65536) */
    size_t dict_bytes;      /* a chunk's dictionary stops growing here (512 KiB) */
    size_t row_group_bytes; /* a row group is written at this many buffered bytes (8 MiB) */
    size_t row_group_rows;  /* ... or this many rows (1048576) */
    int zstd_level;         /* (1) */
} pq_limits;

typedef struct pq_writer pq_writer;

/* A writer of the table cols[0..ncols) to f, which must be at offset 0
 * (the writer counts the bytes it writes). lim: NULL for the defaults.
 * Writes nothing yet. NULL when out of memory or ncols < 1. */
pq_writer *pq_writer_new(FILE *f, const pq_column *cols, int ncols, const pq_limits *lim);

/* Adds a key/value pair to the file's key_value_metadata (copied). */
int pq_set_metadata(pq_writer *w, const char *key, const char *value);

/* The value of column col in the current row. Each column gets exactly one
 * value per row, in any order; the put must match the column's type. */
int pq_put_int64(pq_writer *w, int col, int64_t v);
int pq_put_double(pq_writer *w, int col, double v);
int pq_put_text(pq_writer *w, int col, const char *s, size_t len);
int pq_put_bool(pq_writer *w, int col, int v);
int pq_put_null(pq_writer *w, int col);  /* nullable columns only */

/* Ends the current row (every column must have its value). */
int pq_end_row(pq_writer *w);

/* Writes the open row group and the footer. The file is complete when this
 * returns 0 (and f is flushed and closed without error). */
int pq_finish(pq_writer *w);

/* Rows ended so far, and bytes written to f so far. */
int64_t pq_writer_rows(const pq_writer *w);
int64_t pq_writer_bytes(const pq_writer *w);

int pq_writer_errno(const pq_writer *w);
const char *pq_writer_message(const pq_writer *w);

void pq_writer_free(pq_writer *w);

/* gotrace export --format=parquet (cli/export_parquet.c), called by
 * cli/cmd_export.c: the traces files[0..nfiles) as Parquet files in the
 * directory out_dir (created when absent), one file per table of
 * gotrace/rows.h:
 *
 *   one trace, dataset 0:   out_dir/TABLE.parquet
 *   otherwise:              out_dir/TABLE/trace=NAME/part-0.parquet
 *
 * The second is a hive-partitioned dataset: NAME is the trace file's base
 * name without .gz / .zst and .trace, each byte other than [A-Za-z0-9._-]
 * replaced by '_' ("stdin" for -), and every file also has NAME in a first
 * column `trace`. Files and partitions already in out_dir are replaced
 * (each file only once complete: a temporary renamed) or kept; two traces
 * with one NAME are refused. from/to: the window of gt_rows_options (0 and
 * INT64_MAX: the whole trace). tables: the mask of the tables written (bit
 * t: gt_rows_tables()[t]), 0 for all. Returns the CLI's exit status (0, 1
 * a broken trace: its files still hold what was read, 2 usage, 3 write
 * error), messages printed. */
int cli_export_parquet(const char *const *files, int nfiles, const char *out_dir, int dataset, int64_t from,
                       int64_t to, uint32_t tables);

#endif
