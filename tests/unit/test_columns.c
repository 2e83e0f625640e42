/* gotrace/columns.h against the row layer it is built on: for each trace,
 * a gt_columns object and a gt_rows builder with a sink of the test's own
 * read the same trace through two readers in lockstep (K events at a
 * time), and the sink checks every row it gets against the next row held in
 * the columns: same tables, same row counts, every value (ints, bools, NULLs
 * through the mask, text through the dictionary). Done whole (K unlimited),
 * in chunks cleared after each read, and in chunks whose columns are taken
 * (gt_columns_take) and released; on tests/data traces, a few corpus traces
 * (skipped without ../shared) and a truncated trace, whose error and rows
 * read so far must match too. Also: only the tables asked for are held;
 * and with a table mask (gt_columns_new's tables, which the row layer gets
 * through gt_rows_set_tables and then skips the other tables' work), the
 * rows of the tables asked for are those of a builder without a mask (stack
 * IDs included), in the same order, and the others get none. */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/columns.h"

enum { MODE_WHOLE, MODE_CLEAR, MODE_TAKE };

typedef struct cmp {
    const gt_rows_table *tables;
    gt_columns *cols;
    uint32_t mask;                    /* the tables compared (the columns' mask) */
    uint64_t at[GT_ROWS_T_COUNT];     /* next row of the columns to compare */
    uint64_t rows[GT_ROWS_T_COUNT];   /* rows the sink got */
    /* taken arrays of the current chunk (MODE_TAKE), per table and column */
    const void *data[GT_ROWS_T_COUNT][32];
    const uint8_t *nulls[GT_ROWS_T_COUNT][32];
    char bad[512];
} cmp;

static int cmp_row(void *ctx, uint32_t t, const gt_rows_value *v)
{
    cmp *c = ctx;
    if (!(c->mask >> t & 1))
        return 0;  /* not asked of the columns: the checks below find none held */
    c->rows[t]++;
    if (c->bad[0])
        return 0;
    const gt_rows_table *tab = &c->tables[t];
    uint64_t i = c->at[t]++;
    if (i >= gt_columns_rows(c->cols, t)) {
        snprintf(c->bad, sizeof c->bad, "%s: row %llu not in the columns (%llu held)", tab->name,
                 (unsigned long long)i, (unsigned long long)gt_columns_rows(c->cols, t));
        return 0;
    }
    for (uint32_t j = 0; j < tab->n_columns && !c->bad[0]; j++) {
        const gt_rows_column *col = &tab->columns[j];
        const void *d = c->data[t][j] ? c->data[t][j] : gt_columns_data(c->cols, t, j);
        const uint8_t *m = c->nulls[t][j] ? c->nulls[t][j] : gt_columns_nulls(c->cols, t, j);
        int null = 0, same = 1;
        if (!d || (col->nullable && col->type != GT_ROWS_TEXT && !m) || (!col->nullable && m)) {
            snprintf(c->bad, sizeof c->bad, "%s.%s: arrays missing", tab->name, col->name);
            break;
        }
        switch (col->type) {
        case GT_ROWS_TEXT: {
            int32_t code = ((const int32_t *)d)[i];
            null = code < 0;
            if (!null) {
                const uint64_t *offs;
                uint32_t n;
                const char *bytes = gt_columns_dict(c->cols, t, j, &offs, &n);
                same = bytes && (uint32_t)code < n && offs[code + 1] - offs[code] == v[j].s.len &&
                       (!v[j].s.len || !memcmp(bytes + offs[code], v[j].s.ptr, v[j].s.len));
            }
            if (m && m[i] != null)
                same = 0;
            break;
        }
        case GT_ROWS_DOUBLE:
            null = m && m[i];
            same = null || ((const double *)d)[i] == v[j].d;
            break;
        case GT_ROWS_BOOL:
            null = m && m[i];
            same = null || ((const uint8_t *)d)[i] == (uint8_t)v[j].i;
            break;
        default:
            null = m && m[i];
            same = null ? ((const int64_t *)d)[i] == 0 : ((const int64_t *)d)[i] == v[j].i;
            break;
        }
        if (null != (v[j].null != 0) || !same)
            snprintf(c->bad, sizeof c->bad, "%s.%s row %llu: columns %s, rows %s%lld", tab->name, col->name,
                     (unsigned long long)i, null ? "NULL" : same ? "same" : "differ", v[j].null ? "NULL " : "",
                     (long long)v[j].i);
    }
    return 0;
}

/* Reads up to k events (0: all) of r into rows; at the end (or error) of r
 * finishes them. Mirrors gt_columns_read's reading. */
static int feed_rows(gt_rows *rows, gt_reader *r, uint64_t k, int *done)
{
    gt_event evs[64];
    uint64_t read = 0;
    while (!k || read < k) {
        size_t want = 64;
        if (k && k - read < want)
            want = (size_t)(k - read);
        size_t n = gt_reader_next_batch(r, evs, want);
        if (!n) {
            *done = 1;
            return gt_rows_finish(rows, gt_reader_error(r));
        }
        for (size_t i = 0; i < n; i++)
            if (gt_rows_event(rows, &evs[i]))
                return -1;
        read += n;
    }
    return 0;
}

static gt_reader *open_input(const char *path, const char *mem, size_t len)
{
    gt_error err;
    return mem ? gt_reader_open_memory(mem, len, &err) : gt_reader_open_path(path, &err);
}

/* One comparison; returns 0 when it could not run (unreadable header). */
static int compare_mask(const char *name, const char *path, const char *mem, size_t len, int mode, uint64_t k,
                        uint32_t mask)
{
    char label[600];
    snprintf(label, sizeof label, "columns_%s_%s%llu%s%x", name,
             mode == MODE_WHOLE ? "whole" : mode == MODE_CLEAR ? "clear" : "take", (unsigned long long)k,
             mask ? "_mask" : "", mask);
    gt_reader *r1 = open_input(path, mem, len), *r2 = open_input(path, mem, len);
    if (!r1 || !r2) {
        gt_reader_free(r1);
        gt_reader_free(r2);
        return 0;
    }
    uint32_t nt;
    cmp *c = calloc(1, sizeof *c);
    c->tables = gt_rows_tables(&nt);
    c->mask = mask ? mask : (uint32_t)((1ULL << GT_ROWS_T_COUNT) - 1);
    gt_rows_options o = {{"x.trace", 7}, gt_reader_version(r1), 0, INT64_MAX};
    c->cols = gt_columns_new(mask, &o);
    gt_rows_sink sink = {c, cmp_row};
    gt_rows *rows = gt_rows_new(&sink, &o);
    int done = 0, rc = 0;
    uint64_t held[GT_ROWS_T_COUNT] = {0};
    while (!rc && !done && !c->bad[0]) {
        int64_t n = gt_columns_read(c->cols, r1, k);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (mode == MODE_TAKE)
            for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
                for (uint32_t j = 0; j < c->tables[t].n_columns && j < 32; j++) {
                    c->data[t][j] = gt_columns_take(c->cols, t, j, 0);
                    c->nulls[t][j] = gt_columns_take(c->cols, t, j, 1);
                }
        rc = feed_rows(rows, r2, k, &done);
        if (done != gt_columns_done(c->cols))
            snprintf(c->bad, sizeof c->bad, "columns done %d, rows done %d", gt_columns_done(c->cols), done);
        for (uint32_t t = 0; t < GT_ROWS_T_COUNT && !c->bad[0]; t++) {
            if (c->at[t] != gt_columns_rows(c->cols, t))
                snprintf(c->bad, sizeof c->bad, "%s: %llu rows held, %llu from the row layer", c->tables[t].name,
                         (unsigned long long)gt_columns_rows(c->cols, t), (unsigned long long)c->at[t]);
            held[t] += gt_columns_rows(c->cols, t) - (mode == MODE_WHOLE ? held[t] : 0);
            if (mode != MODE_WHOLE)
                c->at[t] = 0;
            for (uint32_t j = 0; j < 32; j++) {
                gt_free((void *)c->data[t][j]);
                gt_free((void *)c->nulls[t][j]);
                c->data[t][j] = NULL;
                c->nulls[t][j] = NULL;
            }
            if (mode == MODE_CLEAR)
                gt_columns_clear(c->cols, t);
        }
    }
    const gt_error *e1 = gt_reader_error(r1), *e2 = gt_reader_error(r2);
    int same_err = (!e1 && !e2) || (e1 && e2 && e1->code == e2->code && e1->offset == e2->offset);
    uint64_t total = 0;
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++) {
        total += c->rows[t];
        if (!c->bad[0] && held[t] != c->rows[t])
            snprintf(c->bad, sizeof c->bad, "%s: %llu rows held in all, %llu from the row layer", c->tables[t].name,
                     (unsigned long long)held[t], (unsigned long long)c->rows[t]);
    }
    check(rc == 0 && done && same_err && !c->bad[0] && c->rows[GT_ROWS_T_TRACES] == (c->mask & 1), label,
          "status %d done %d same error %d traces rows %llu: %s", rc, done, same_err,
          (unsigned long long)c->rows[GT_ROWS_T_TRACES], c->bad);
    gt_rows_free(rows);
    gt_columns_free(c->cols);
    free(c);
    gt_reader_free(r1);
    gt_reader_free(r2);
    (void)total;
    return 1;
}

static int compare(const char *name, const char *path, const char *mem, size_t len, int mode, uint64_t k)
{
    return compare_mask(name, path, mem, len, mode, k, 0);
}

#define BIT(t) (1u << GT_ROWS_T_##t)
/* Masks that switch off the goroutine analysis, the timeline tracker, the
 * stack IDs or the pending transitions, alone and together. */
static const uint32_t masks[] = {
    BIT(G_TRANSITIONS),
    BIT(G_TRANSITIONS) | BIT(TRACES),
    BIT(STACKS) | BIT(FRAMES),
    BIT(P_TRANSITIONS) | BIT(METRICS) | BIT(LABELS),
    BIT(RANGES),
    BIT(M_TRANSITIONS) | BIT(TRACES),
    BIT(GOROUTINES) | BIT(GOROUTINE_TIMES),
    BIT(TASKS) | BIT(REGIONS) | BIT(REGION_TIMES),
    BIT(CPU_SAMPLES) | BIT(LOGS),
};
#undef BIT

/* Every mask, whole, and one in chunks. */
static void compare_masks(const char *name, const char *path, const char *mem, size_t len)
{
    for (size_t i = 0; i < sizeof masks / sizeof *masks; i++)
        compare_mask(name, path, mem, len, MODE_WHOLE, 0, masks[i]);
    compare_mask(name, path, mem, len, MODE_TAKE, 7, masks[0]);
}

static void compare_all_modes(const char *name, const char *path, const char *mem, size_t len)
{
    if (!compare(name, path, mem, len, MODE_WHOLE, 0))
        return;
    compare_masks(name, path, mem, len);
    compare(name, path, mem, len, MODE_WHOLE, 5);
    compare(name, path, mem, len, MODE_CLEAR, 100);
    compare(name, path, mem, len, MODE_TAKE, 7);
}

static void only_some_tables(const char *path)
{
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r) {
        check(0, "columns_mask", "cannot open %s", path);
        return;
    }
    gt_columns *c = gt_columns_new(1u << GT_ROWS_T_G_TRANSITIONS | 1u << GT_ROWS_T_TRACES, NULL);
    while (gt_columns_read(c, r, 0) > 0)
        ;
    int ok = gt_columns_done(c) && gt_columns_rows(c, GT_ROWS_T_G_TRANSITIONS) > 0 &&
             gt_columns_rows(c, GT_ROWS_T_TRACES) == 1;
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
        if (t != GT_ROWS_T_G_TRANSITIONS && t != GT_ROWS_T_TRACES)
            ok &= gt_columns_rows(c, t) == 0 && gt_columns_data(c, t, 0) == NULL;
    const uint64_t *offs;
    uint32_t n;
    /* to_state of g_transitions: a dictionary of Go's state names */
    const char *d = gt_columns_dict(c, GT_ROWS_T_G_TRANSITIONS, 3, &offs, &n);
    ok &= d && n >= 2 && n <= 6 && gt_columns_nulls(c, GT_ROWS_T_G_TRANSITIONS, 0) == NULL &&
          gt_columns_nulls(c, GT_ROWS_T_G_TRANSITIONS, 5) != NULL && gt_columns_data(c, GT_ROWS_T_COUNT, 0) == NULL &&
          gt_columns_data(c, GT_ROWS_T_TRACES, 99) == NULL && gt_columns_read(c, r, 0) == 0;
    gt_columns_dict(c, GT_ROWS_T_G_TRANSITIONS, 0, &offs, &n);
    ok &= n == 0;
    check(ok, "columns_mask", "tables not asked for are held, or the accessors' edges differ");
    gt_columns_free(c);
    gt_reader_free(r);
    gt_columns_free(NULL);
}

int main(void)
{
    const char *root = getenv("ROOT");
    if (!root || !*root)
        root = ".";
    char pat[4096], name[512];
    static const char *const dirs[] = {"tests/data/*.trace", "tests/data/*/*.trace", "tests/data/*/*/*.trace",
                                       "examples/*.trace"};
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        snprintf(pat, sizeof pat, "%s/%s", root, dirs[d]);
        glob_t g;
        if (glob(pat, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                const char *rel = g.gl_pathv[i] + strlen(root) + 1;
                snprintf(name, sizeof name, "%s", rel);
                for (char *p = name; *p; p++)
                    if (*p == '/' || *p == '.')
                        *p = '_';
                /* The mutants are many and small: whole only. */
                if (strstr(rel, "mutants/"))
                    compare(name, g.gl_pathv[i], NULL, 0, MODE_WHOLE, 0);
                else
                    compare_all_modes(name, g.gl_pathv[i], NULL, 0);
            }
        }
        globfree(&g);
    }

    snprintf(pat, sizeof pat, "%s/tests/data/analysis/annotate.go127.trace", root);
    only_some_tables(pat);

    /* A truncated trace: rows up to the error, the same error. */
    size_t len = 0;
    char *data = check_read_file(pat, &len);
    if (data && len > 100) {
        compare_all_modes("truncated_annotate", NULL, data, len * 2 / 3);
        compare_all_modes("truncated_annotate_early", NULL, data, len / 5);
    } else {
        check(0, "columns_truncated", "cannot read %s", pat);
    }
    free(data);

    const char *shared = check_shared_dir();
    static const char *const corpus[] = {"allocfree.go127.trace", "gcstress.go122.trace", "httpserve.go125.trace",
                                         "multigen.go126.trace"};
    for (size_t i = 0; i < sizeof corpus / sizeof *corpus; i++) {
        snprintf(name, sizeof name, "corpus_%s", corpus[i]);
        for (char *p = name; *p; p++)
            if (*p == '.')
                *p = '_';
        if (!shared) {
            check_skip(name, "no ../shared");
            continue;
        }
        snprintf(pat, sizeof pat, "%s/corpus/%s", shared, corpus[i]);
        compare(name, pat, NULL, 0, MODE_WHOLE, 0);
        compare(name, pat, NULL, 0, MODE_TAKE, 4096);
        compare_masks(name, pat, NULL, 0);
    }
    return check_done();
}
