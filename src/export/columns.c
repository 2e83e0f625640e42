/* src/export/columns.c — the row layer's tables as column arrays
 * (gotrace/columns.h).
 *
 * One gt_rows builder feeds a sink that appends each row of a wanted table
 * to that table's columns: every column of a table grows together (one
 * capacity per table, doubled when full), so appending a row is a store
 * per column. Text goes through one interner per column, whose entry
 * numbers are the dictionary indexes. Nothing is allocated per row but the
 * geometric growth and the interner's copies of new distinct strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "analysis/intern.h"
#include "gotrace/columns.h"
#include "reader/view.h"
#include "rows_typed.h"

typedef struct col {
    gt_rows_type type;
    int nullable;
    void *data;               /* int64_t, double, uint8_t or int32_t per row */
    uint8_t *nulls;           /* nullable columns only */
    gt_interner dict;         /* text: entry i + 1 is dictionary index i */
    char *dict_bytes;         /* the dictionary, as gt_columns_dict hands it */
    uint64_t *dict_offsets;
    size_t dict_built;        /* entries in dict_bytes */
    /* Recently seen text by address: the row layer passes the same few
     * strings (state names, reasons) from the same places, so most values
     * are found here, checked by content, without hashing them. */
    struct seen { const char *ptr; size_t len; int32_t code; } seen[16];
} col;

typedef struct tab {
    uint32_t n_columns;
    col *cols;
    uint64_t rows, cap;
    uint64_t ready;           /* rows whose pages are known mapped (see room) */
    int taken;                /* a column was handed over: drop the rows on */
} tab;

enum { READ_BATCH = 512 };

struct gt_columns {
    gt_rows *rows;
    uint32_t mask;
    int done;
    tab tabs[GT_ROWS_T_COUNT];
    /* g_transitions' typed rows (rows_typed.h): dictionary index + 1 of
     * each state number in from_state / to_state, and of each reason
     * number in reason (0: not yet interned) */
    int32_t state_code[2][256];
    int32_t *reason_code;
    size_t n_reason_code;
    gt_event evs[READ_BATCH];
};

static size_t elem_size(gt_rows_type t)
{
    switch (t) {
    case GT_ROWS_BOOL: return 1;
    case GT_ROWS_TEXT: return sizeof(int32_t);
    case GT_ROWS_DOUBLE: return sizeof(double);
    default: return sizeof(int64_t);
    }
}

/* Room for one more row in every column of tb. */
static int grow(tab *tb)
{
    uint64_t cap = tb->cap ? tb->cap * 2 : 1024;
    for (uint32_t j = 0; j < tb->n_columns; j++) {
        col *c = &tb->cols[j];
        void *d = realloc(c->data, (size_t)cap * elem_size(c->type));
        if (!d)
            return -1;
        c->data = d;
        if (c->nullable) {
            uint8_t *m = realloc(c->nulls, (size_t)cap);
            if (!m)
                return -1;
            c->nulls = m;
        }
    }
    tb->cap = cap;
    return 0;
}

/* Maps the pages of rows [from, to) of every column of tb ahead of the
 * stores, in one call per column: the kernel then fills them in a loop
 * instead of taking a page fault per 4 KiB (the faults were about a
 * quarter of the CPU time of filling g_transitions). A few pages at a time,
 * so that the zeroed pages are still in the cache when the rows land.
 * Linux 5.14 and later; only advice: where it fails, the stores fault as
 * before. */
static void prefault(tab *tb, uint64_t from, uint64_t to)
{
#ifdef MADV_POPULATE_WRITE
    const uintptr_t page = 4096;
    for (uint32_t j = 0; j < tb->n_columns; j++) {
        col *c = &tb->cols[j];
        for (int m = 0; m < 1 + (c->nullable != 0); m++) {
            size_t es = m ? 1 : elem_size(c->type);
            uintptr_t base = (uintptr_t)(m ? (void *)c->nulls : c->data);
            uintptr_t lo = (base + from * es) & ~(page - 1), hi = (base + to * es) & ~(page - 1);
            if (hi > lo)
                (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
        }
    }
#else
    (void)tb;
    (void)from;
    (void)to;
#endif
}

enum { PREFAULT_ROWS = 1 << 12 };

/* Room for row tb->rows: the columns grown when full, and for large
 * tables their next PREFAULT_ROWS rows' pages mapped ahead. */
static int room(tab *tb)
{
    if (tb->rows == tb->cap && grow(tb))
        return -1;
    if (tb->rows >= tb->ready) {
        uint64_t to = tb->rows + PREFAULT_ROWS < tb->cap ? tb->rows + PREFAULT_ROWS : tb->cap;
        if (tb->cap >= 4 * PREFAULT_ROWS)
            prefault(tb, tb->rows, to);
        tb->ready = to;
    }
    return 0;
}

/* memcmp(a, b, n) == 0 for the short strings of the cache, without a call:
 * a few loads for up to 16 bytes. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y, u, v;
    if (n >= 8 && n <= 16) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return x == y && u == v;
    }
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return !memcmp(a, b, n);
}

/* The dictionary index of str in text column k; -1 when memory runs out. */
static int32_t text_code(col *k, gt_str str)
{
    struct seen *e = &k->seen[((uintptr_t)str.ptr >> 3 ^ str.len) & 15];
    if (e->ptr && e->ptr == str.ptr && e->len == str.len && same_bytes(k->dict.strs[e->code].ptr, str.ptr, str.len))
        return e->code;
    size_t id = gt_intern_id(&k->dict, str);
    if (!id || id > INT32_MAX)
        return -1;
    e->ptr = str.ptr;
    e->len = str.len;
    e->code = (int32_t)(id - 1);
    return e->code;
}

static int put_row(void *ctx, uint32_t t, const gt_rows_value *v)
{
    gt_columns *c = ctx;
    if (t >= GT_ROWS_T_COUNT || !(c->mask >> t & 1))
        return 0;
    tab *tb = &c->tabs[t];
    if (tb->rows >= tb->ready && room(tb))
        return -1;
    uint64_t i = tb->rows;
    for (uint32_t j = 0; j < tb->n_columns; j++) {
        col *k = &tb->cols[j];
        int null = v[j].null != 0;
        if (k->nullable)
            k->nulls[i] = (uint8_t)null;
        switch (k->type) {
        case GT_ROWS_TEXT: {
            int32_t code = -1;
            if (!null && (code = text_code(k, v[j].s)) < 0)
                return -1;
            ((int32_t *)k->data)[i] = code;
            break;
        }
        case GT_ROWS_DOUBLE: ((double *)k->data)[i] = null ? 0 : v[j].d; break;
        case GT_ROWS_BOOL: ((uint8_t *)k->data)[i] = (uint8_t)(!null && v[j].i); break;
        default: ((int64_t *)k->data)[i] = null ? 0 : v[j].i; break;
        }
    }
    tb->rows = i + 1;
    return 0;
}

/* The dictionary index of state s in from_state (which 0) or to_state,
 * interned the first time: the fast path is one load. */
static int32_t intern_state(gt_columns *c, int which, uint8_t s)
{
    const char *name = gt_go_state_name((gt_go_state)s);
    int32_t code = text_code(&c->tabs[GT_ROWS_T_G_TRANSITIONS].cols[GT_G_FROM_STATE + which],
                             (gt_str){name, strlen(name)});
    if (code < 0)
        return -1;
    c->state_code[which][s] = code + 1;
    return code;
}

static inline int32_t state_code(gt_columns *c, int which, uint8_t s)
{
    int32_t v = c->state_code[which][s];
    return v ? v - 1 : intern_state(c, which, s);
}

static int32_t reason_code(gt_columns *c, const gt_rows_g_row *row)
{
    if (row->reason >= c->n_reason_code) {
        size_t n = c->n_reason_code ? c->n_reason_code : 64;
        while (n <= row->reason)
            n *= 2;
        int32_t *v = realloc(c->reason_code, n * sizeof *v);
        if (!v)
            return -1;
        memset(v + c->n_reason_code, 0, (n - c->n_reason_code) * sizeof *v);
        c->reason_code = v;
        c->n_reason_code = n;
    }
    int32_t *slot = &c->reason_code[row->reason];
    if (!*slot) {
        int32_t code = text_code(&c->tabs[GT_ROWS_T_G_TRANSITIONS].cols[GT_G_REASON], row->reason_text);
        if (code < 0)
            return -1;
        *slot = code + 1;
    }
    return *slot - 1;
}

/* A g_transitions row from its typed record: the stores of put_row, with
 * the columns' types and places known. */
static int put_g_row(void *ctx, const gt_rows_g_row *row)
{
    gt_columns *c = ctx;
    tab *tb = &c->tabs[GT_ROWS_T_G_TRANSITIONS];
    if (tb->rows >= tb->ready && room(tb))
        return -1;
    uint64_t i = tb->rows;
    col *k = tb->cols;
    int32_t from = state_code(c, 0, row->from), to = state_code(c, 1, row->to);
    int32_t reason = row->reason ? reason_code(c, row) : -1;
    if (from < 0 || to < 0 || (row->reason && reason < 0))
        return -1;
    ((int64_t *)k[GT_G_TIME].data)[i] = row->v[GT_G_TIME];
    ((int64_t *)k[GT_G_GOROUTINE].data)[i] = row->v[GT_G_GOROUTINE];
    ((int32_t *)k[GT_G_FROM_STATE].data)[i] = from;
    ((int32_t *)k[GT_G_TO_STATE].data)[i] = to;
    ((int32_t *)k[GT_G_REASON].data)[i] = reason;
    k[GT_G_REASON].nulls[i] = !row->reason;
    for (uint32_t j = GT_G_DURATION; j < GT_G_COLUMNS; j++) {
        ((int64_t *)k[j].data)[i] = row->v[j];
        k[j].nulls[i] = (uint8_t)(row->nulls >> j & 1);
    }
    tb->rows = i + 1;
    return 0;
}

gt_columns *gt_columns_new(uint32_t tables, const gt_rows_options *options)
{
    gt_columns *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->mask = tables ? tables : (uint32_t)((1ULL << GT_ROWS_T_COUNT) - 1);
    uint32_t n = 0;
    const gt_rows_table *schema = gt_rows_tables(&n);
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT && t < n; t++) {
        tab *tb = &c->tabs[t];
        tb->cols = calloc(schema[t].n_columns, sizeof *tb->cols);
        if (!tb->cols) {
            gt_columns_free(c);
            return NULL;
        }
        tb->n_columns = schema[t].n_columns;
        for (uint32_t j = 0; j < tb->n_columns; j++) {
            tb->cols[j].type = schema[t].columns[j].type;
            tb->cols[j].nullable = schema[t].columns[j].nullable;
            tb->cols[j].dict = (gt_interner)GT_INTERNER_INIT;
        }
    }
    gt_rows_sink sink = {c, put_row};
    c->rows = gt_rows_new(&sink, options);
    if (!c->rows) {
        gt_columns_free(c);
        return NULL;
    }
    gt_rows_set_tables(c->rows, c->mask);
    gt_rows_set_g_sink(c->rows, put_g_row);
    return c;
}

static void drop_taken(gt_columns *c)
{
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
        if (c->tabs[t].taken)
            gt_columns_clear(c, t);
}

int64_t gt_columns_read(gt_columns *c, gt_reader *r, uint64_t max_events)
{
    if (c->done)
        return 0;
    drop_taken(c);
    uint64_t read = 0;
    for (;;) {
        size_t want = READ_BATCH;
        if (max_events && max_events - read < want)
            want = (size_t)(max_events - read);
        if (!want)
            return (int64_t)read;
        const gt_event *evs;
        size_t n = gt_reader_next_view(r, c->evs, want, &evs);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++)
            if (gt_rows_event(c->rows, &evs[i]))
                return -1;
        read += n;
    }
    c->done = 1;
    if (gt_rows_finish(c->rows, gt_reader_error(r)))
        return -1;
    return (int64_t)read;
}

int gt_columns_done(const gt_columns *c)
{
    return c->done;
}

static const col *column(const gt_columns *c, uint32_t t, uint32_t j)
{
    if (t >= GT_ROWS_T_COUNT || j >= c->tabs[t].n_columns || !c->tabs[t].rows)
        return NULL;
    return &c->tabs[t].cols[j];
}

uint64_t gt_columns_rows(const gt_columns *c, uint32_t t)
{
    return t < GT_ROWS_T_COUNT ? c->tabs[t].rows : 0;
}

const void *gt_columns_data(const gt_columns *c, uint32_t t, uint32_t j)
{
    const col *k = column(c, t, j);
    return k ? k->data : NULL;
}

const uint8_t *gt_columns_nulls(const gt_columns *c, uint32_t t, uint32_t j)
{
    const col *k = column(c, t, j);
    return k && k->nullable ? k->nulls : NULL;
}

const char *gt_columns_dict(gt_columns *c, uint32_t t, uint32_t j, const uint64_t **offsets, uint32_t *n)
{
    *n = 0;
    *offsets = NULL;
    if (t >= GT_ROWS_T_COUNT || j >= c->tabs[t].n_columns)
        return NULL;
    col *k = &c->tabs[t].cols[j];
    if (k->type != GT_ROWS_TEXT || !k->dict.n)
        return NULL;
    *n = (uint32_t)k->dict.n;
    if (k->dict_built != k->dict.n) {
        size_t total = 0;
        for (size_t i = 0; i < k->dict.n; i++)
            total += k->dict.strs[i].len;
        char *bytes = malloc(total + 1);
        uint64_t *offs = malloc((k->dict.n + 1) * sizeof *offs);
        if (!bytes || !offs) {
            free(bytes);
            free(offs);
            return NULL;
        }
        size_t at = 0;
        for (size_t i = 0; i < k->dict.n; i++) {
            offs[i] = at;
            if (k->dict.strs[i].len)
                memcpy(bytes + at, k->dict.strs[i].ptr, k->dict.strs[i].len);
            at += k->dict.strs[i].len;
        }
        offs[k->dict.n] = at;
        free(k->dict_bytes);
        free(k->dict_offsets);
        k->dict_bytes = bytes;
        k->dict_offsets = offs;
        k->dict_built = k->dict.n;
    }
    *offsets = k->dict_offsets;
    return k->dict_bytes;
}

void *gt_columns_take(gt_columns *c, uint32_t t, uint32_t j, int nulls)
{
    if (t >= GT_ROWS_T_COUNT || j >= c->tabs[t].n_columns || !c->tabs[t].rows)
        return NULL;
    tab *tb = &c->tabs[t];
    col *k = &tb->cols[j];
    void **slot = nulls ? (void **)&k->nulls : &k->data;
    void *p = *slot;
    if (!p)
        return NULL;
    size_t size = (size_t)tb->rows * (nulls ? 1 : elem_size(k->type));
    void *trimmed = realloc(p, size);
    *slot = NULL;
    tb->taken = 1;
    return trimmed ? trimmed : p;
}

/* A table whose columns were taken reallocates them all on the next row:
 * the capacity is per table. */
void gt_columns_clear(gt_columns *c, uint32_t t)
{
    if (t >= GT_ROWS_T_COUNT)
        return;
    tab *tb = &c->tabs[t];
    tb->rows = 0;
    tb->ready = 0;
    if (tb->taken) {
        for (uint32_t j = 0; j < tb->n_columns; j++) {
            free(tb->cols[j].data);
            free(tb->cols[j].nulls);
            tb->cols[j].data = NULL;
            tb->cols[j].nulls = NULL;
        }
        tb->cap = 0;
        tb->taken = 0;
    }
}

void gt_columns_free(gt_columns *c)
{
    if (!c)
        return;
    gt_rows_free(c->rows);
    free(c->reason_code);
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++) {
        tab *tb = &c->tabs[t];
        for (uint32_t j = 0; tb->cols && j < tb->n_columns; j++) {
            col *k = &tb->cols[j];
            free(k->data);
            free(k->nulls);
            free(k->dict_bytes);
            free(k->dict_offsets);
            gt_interner_free(&k->dict);
        }
        free(tb->cols);
    }
    free(c);
}
