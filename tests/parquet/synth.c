/* pq-synth: drives the CLI's Parquet writer (cli/parquet.c) directly for
 * tests/scripts/parquet.sh, which reads the file back with DuckDB.
 *
 *   pq-synth OUT.parquet EXPECTED ROWS [small]
 *
 * writes a synthetic table of ROWS rows to OUT.parquet and the values it
 * holds to EXPECTED, one row per line, tab-separated, in the form
 * tests/scripts/duckdb_query.mjs --exact prints them: integers in decimal,
 * doubles as the hex of their bits, strings as the hex of their UTF-8
 * bytes, booleans true/false, NULL as NULL. "small" sets limits that make
 * many pages and row groups of 1000 rows, and a dictionary that overflows
 * (PLAIN from then on) in every row group. The table has NULLs in every
 * nullable column, extreme integers and doubles (-0, infinities, NaN),
 * strings that are empty, long (past the statistics' and a small page's
 * size; every 13th row with "small", every 1001st without),
 * not UTF-8 (written as U+FFFD), and a column that is always NULL.
 * Exit status: 0, 3 when the writer failed (its message on stderr), 2 on
 * usage. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet.h"

enum { C_ID, C_TS, C_V, C_D, C_B, C_CAT, C_NAME, C_LONG, C_NONE, C_FLAG, NCOL };

static const pq_column cols[NCOL] = {
    {"id", PQ_INT64, 0, 0},   {"ts", PQ_INT64, 0, 1},    {"v", PQ_INT64, 1, 0},    {"d", PQ_DOUBLE, 1, 0},
    {"b", PQ_BOOL, 1, 0},     {"cat", PQ_TEXT, 0, 0},    {"name", PQ_TEXT, 1, 0},  {"long", PQ_TEXT, 1, 0},
    {"none", PQ_TEXT, 1, 0},  {"flag", PQ_BOOL, 0, 0},
};

/* Knuth's MMIX LCG, high bits: reproducible values for both files. */
static uint64_t rng = 1;
static uint64_t next(void) { return (rng = rng * 6364136223846793005u + 1442695040888963407u) >> 11; }

static void hex(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", (unsigned char)s[i]);
}

/* What a string reads back as: each byte that does not begin well-formed
 * UTF-8 becomes U+FFFD (only 0xff and 0xc0 occur here). */
static void text(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xff || c == 0xc0)
            fputs("efbfbd", f);
        else
            fprintf(f, "%02x", c);
    }
}

static int check(pq_writer *w, int rc)
{
    if (rc) {
        fprintf(stderr, "pq-synth: %s\n", pq_writer_message(w));
        exit(3);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "small"))) {
        fprintf(stderr, "usage: pq-synth OUT.parquet EXPECTED ROWS [small]\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "wb"), *exp = fopen(argv[2], "w");
    if (!out || !exp) {
        perror("pq-synth");
        return 2;
    }
    long rows = atol(argv[3]);
    pq_limits small = {.page_bytes = 4096, .page_values = 100, .dict_bytes = 2048,
                       .row_group_bytes = 1 << 20, .row_group_rows = 1000, .zstd_level = 3};
    pq_writer *w = pq_writer_new(out, cols, NCOL, argc == 5 ? &small : NULL);
    if (!w) {
        fprintf(stderr, "pq-synth: out of memory\n");
        return 3;
    }
    check(w, pq_set_metadata(w, "gotrace.test", "synthetic"));
    static const char *const cats[] = {"", "running", "runnable", "héllo wörld", "bad\xff\x62yte", "\xc0", "日本語"};
    static const int64_t ints[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 1234567890123};
    static const double dbls[] = {-0.0, 0.0, INFINITY, -INFINITY, NAN, 1e-300, -1e300, 0.1, 3.5};
    static char buf[20000];
    for (long i = 0; i < rows; i++) {
        uint64_t r = next();
        check(w, pq_put_int64(w, C_ID, i));
        int64_t ts = 1700000000000000000 + i * 1000 + (int64_t)(r % 1000);
        check(w, pq_put_int64(w, C_TS, ts));
        fprintf(exp, "%ld\t%" PRId64, i, ts);

        if (i % 3 == 0) {
            check(w, pq_put_null(w, C_V));
            fputs("\tNULL", exp);
        } else {
            int64_t v = i % 7 == 1 ? ints[(i / 7) % 6] : (int64_t)(r >> 20) - (1 << 30);
            check(w, pq_put_int64(w, C_V, v));
            fprintf(exp, "\t%" PRId64, v);
        }

        if (i % 5 == 0) {
            check(w, pq_put_null(w, C_D));
            fputs("\tNULL", exp);
        } else {
            double d = i % 4 == 1 ? dbls[(i / 4) % 9] : (double)(int64_t)(r % 2000000) / 64.0 - 10000;
            check(w, pq_put_double(w, C_D, d));
            uint64_t bits;
            memcpy(&bits, &d, 8);
            fprintf(exp, "\t0x%016" PRIx64, bits);
        }

        if (i % 4 == 3) {
            check(w, pq_put_null(w, C_B));
            fputs("\tNULL", exp);
        } else {
            int b = (r >> 7) & 1;
            check(w, pq_put_bool(w, C_B, b));
            fputs(b ? "\ttrue" : "\tfalse", exp);
        }

        /* Runs of one category, long enough for RLE runs of indices. */
        const char *cat = cats[(i / 10 + (i % 10 == 9)) % 7];
        check(w, pq_put_text(w, C_CAT, cat, strlen(cat)));
        fputc('\t', exp);
        text(exp, cat, strlen(cat));

        if (i % 11 == 5) {
            check(w, pq_put_null(w, C_NAME));
            fputs("\tNULL", exp);
        } else {
            /* Mostly distinct: the small dictionary fills in each row group. */
            int n = snprintf(buf, sizeof buf, "goroutine-%ld-%" PRIu64, i % 600 == 0 ? 0 : i, r % 100000);
            check(w, pq_put_text(w, C_NAME, buf, (size_t)n));
            fputc('\t', exp);
            hex(exp, buf, (size_t)n);
        }

        if (i % 2 == 0) {
            check(w, pq_put_null(w, C_LONG));
            fputs("\tNULL", exp);
        } else {
            size_t n = i % (argc == 5 ? 13 : 1001) == 1 ? 300 + (r % 12000) : r % 40;
            for (size_t k = 0; k < n; k++)
                buf[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
            check(w, pq_put_text(w, C_LONG, buf, n));
            fputc('\t', exp);
            hex(exp, buf, n);
        }

        check(w, pq_put_null(w, C_NONE));
        fputs("\tNULL", exp);

        int flag = i % 17 < 9;
        check(w, pq_put_bool(w, C_FLAG, flag));
        fputs(flag ? "\ttrue\n" : "\tfalse\n", exp);
        check(w, pq_end_row(w));
    }
    check(w, pq_finish(w));
    pq_writer_free(w);
    if (fclose(out) != 0 || ferror(exp) || fclose(exp) != 0) {
        perror("pq-synth: write");
        return 3;
    }
    return 0;
}
