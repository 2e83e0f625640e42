/* Loading a trace's tables into SQLite (sqlite_db.h). The schema is
 * gotrace/rows.h's. Rows are held MULTI at a time per table (their text
 * copied) and inserted by one prepared INSERT of MULTI rows, which halves
 * SQLite's cost per row against one INSERT per row; a transaction is
 * committed every TX_ROWS rows, so that neither SQLite's cache nor anything
 * of ours grows with the trace. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export_rows.h"
#include "sqlite_db.h"

enum { TX_ROWS = 200000, MULTI = 32 };

const char *const cli_sqlite_views[] = {
    /* gotrace goroutines: goroutines grouped by start function, by total
     * execution time. */
    "CREATE VIEW goroutine_groups AS\n"
    "  SELECT name AS start_location, count(*) AS count, sum(exec_time) AS exec_time,\n"
    "         round(100.0 * sum(exec_time) / max(1, (SELECT sum(exec_time) FROM goroutines)), 1) AS exec_percent\n"
    "  FROM goroutines GROUP BY name ORDER BY exec_time DESC, name;",
    /* gotrace tasks: task types, their counts and the durations of the
     * complete ones. */
    "CREATE VIEW task_types AS\n"
    "  SELECT name AS type, count(*) AS count, count(duration) AS complete,\n"
    "         min(duration) AS min_duration, avg(duration) AS mean_duration, max(duration) AS max_duration\n"
    "  FROM tasks GROUP BY name ORDER BY name;",
    /* gotrace regions: regions by type and start frame. */
    "CREATE VIEW region_types AS\n"
    "  SELECT name AS type, function, file, line, pc, count(*) AS count, sum(duration) AS total_duration,\n"
    "         min(duration) AS min_duration, avg(duration) AS mean_duration, max(duration) AS max_duration\n"
    "  FROM regions GROUP BY name, function, file, line, pc ORDER BY name, function, file, line, pc;",
    /* Blocking by reason, over all goroutines (gotrace summary's table). */
    "CREATE VIEW block_reasons AS\n"
    "  SELECT name AS reason, count(DISTINCT goroutine) AS goroutines, sum(time) AS time\n"
    "  FROM goroutine_times WHERE kind = 'block' GROUP BY name ORDER BY time DESC, name;",
    /* Each stack's outermost-first frames as one text, for display. */
    "CREATE VIEW stack_text AS\n"
    "  SELECT stack, group_concat(function, ' <- ') AS frames\n"
    "  FROM (SELECT stack, function FROM frames ORDER BY stack, depth) GROUP BY stack;",
    NULL,
};

sqlite3 *cli_sqlite_open(const char *cmd, const char *path)
{
    /* One thread uses SQLite: no mutexes, no memory statistics (which take
     * a global mutex on every allocation). Before SQLite initialises. */
    static int configured;
    if (!configured) {
        configured = 1;
        sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "gotrace %s: cannot create database %s: %s\n", cmd, *path ? path : "(temporary)",
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    /* A bulk load into a file nobody else has open: no journal, no syncs;
     * a bounded page cache (32 MiB). */
    const char *pragmas = "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                          "PRAGMA cache_size=-32768; PRAGMA temp_store=FILE;";
    char *msg = NULL;
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "gotrace %s: %s\n", cmd, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* The rows of one table waiting for their INSERT. */
typedef struct held {
    sqlite3_stmt *one, *multi;  /* INSERT of one row, of MULTI rows */
    gt_rows_value *vals;        /* MULTI rows of values; text: .s.len, and */
    size_t *off;                /* its offset in text */
    char *text;
    size_t text_len, text_cap;
    int n;                      /* rows held */
} held;

typedef struct loader {
    sqlite3 *db;
    const char *cmd;
    const gt_rows_table *tables;
    held h[GT_ROWS_T_COUNT];
    uint64_t in_tx;
} loader;

/* A failed SQLite call while loading: disk full, file too large, I/O error
 * are write errors (exit 3), the rest our own failure (exit 1). */
static int load_error(loader *L, int src)
{
    int code = src & 0xff;
    if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_READONLY) {
        fprintf(stderr, "gotrace: write error: %s\n", sqlite3_errmsg(L->db));
        return CLI_EXIT_IO;
    }
    fprintf(stderr, "gotrace %s: SQLite: %s\n", L->cmd, sqlite3_errmsg(L->db));
    return CLI_EXIT_TRACE;
}

static int exec(loader *L, const char *sql)
{
    int rc = sqlite3_exec(L->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : load_error(L, rc);
}

/* Binds held rows [from, from + n) of table t to st (from its first
 * parameter on) and runs it. */
static int insert(loader *L, uint32_t t, sqlite3_stmt *st, int from, int n)
{
    held *h = &L->h[t];
    const gt_rows_table *tab = &L->tables[t];
    int p = 1;
    for (int r = from; r < from + n; r++) {
        const gt_rows_value *v = &h->vals[(size_t)r * tab->n_columns];
        const size_t *off = &h->off[(size_t)r * tab->n_columns];
        for (uint32_t j = 0; j < tab->n_columns; j++, p++) {
            if (v[j].null)
                sqlite3_bind_null(st, p);
            else if (tab->columns[j].type == GT_ROWS_DOUBLE)
                sqlite3_bind_double(st, p, v[j].d);
            else if (tab->columns[j].type == GT_ROWS_TEXT)
                sqlite3_bind_text64(st, p, h->text + off[j], v[j].s.len, SQLITE_STATIC, SQLITE_UTF8);
            else
                sqlite3_bind_int64(st, p, v[j].i);
        }
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : load_error(L, rc);
}

/* Inserts whatever table t holds. */
static int drain(loader *L, uint32_t t)
{
    held *h = &L->h[t];
    int rc = 0;
    if (h->n == MULTI)
        rc = insert(L, t, h->multi, 0, MULTI);
    else
        for (int r = 0; r < h->n && !rc; r++)
            rc = insert(L, t, h->one, r, 1);
    h->n = 0;
    h->text_len = 0;
    return rc;
}

static int row(void *ctx, uint32_t t, const gt_rows_value *v)
{
    loader *L = ctx;
    held *h = &L->h[t];
    uint32_t nc = L->tables[t].n_columns;
    gt_rows_value *dst = &h->vals[(size_t)h->n * nc];
    size_t *off = &h->off[(size_t)h->n * nc];
    for (uint32_t j = 0; j < nc; j++) {
        dst[j] = v[j];
        if (v[j].null || L->tables[t].columns[j].type != GT_ROWS_TEXT)
            continue;
        if (h->text_cap - h->text_len < v[j].s.len + 1) {
            size_t cap = h->text_cap ? h->text_cap : 4096;
            while (cap - h->text_len < v[j].s.len + 1)
                cap *= 2;
            char *p = realloc(h->text, cap);
            if (!p)
                return -1;
            h->text = p;
            h->text_cap = cap;
        }
        if (v[j].s.len)
            memcpy(h->text + h->text_len, v[j].s.ptr, v[j].s.len);
        off[j] = h->text_len;
        h->text_len += v[j].s.len + 1;
    }
    int rc = 0;
    if (++h->n == MULTI && (rc = drain(L, t)))
        return rc;
    if (++L->in_tx >= TX_ROWS) {
        L->in_tx = 0;
        return exec(L, "COMMIT; BEGIN");
    }
    return 0;
}

/* The schema's documentation as two tables of the database itself:
 * schema_tables (name, doc) and schema_columns (table_name, column_name,
 * type, nullable, unit, doc), so that any SQLite tool shows what a column
 * means and its unit. */
static int describe(loader *L, uint32_t nt)
{
    int rc = exec(L, "CREATE TABLE schema_tables (name TEXT NOT NULL, doc TEXT NOT NULL);"
                     "CREATE TABLE schema_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,"
                     " type TEXT NOT NULL, nullable INTEGER NOT NULL, unit TEXT NOT NULL, doc TEXT NOT NULL)");
    sqlite3_stmt *tab = NULL, *col = NULL;
    if (!rc && (sqlite3_prepare_v2(L->db, "INSERT INTO schema_tables VALUES (?, ?)", -1, &tab, NULL) ||
                sqlite3_prepare_v2(L->db, "INSERT INTO schema_columns VALUES (?, ?, ?, ?, ?, ?)", -1, &col, NULL)))
        rc = load_error(L, sqlite3_errcode(L->db));
    static const char *const type_names[] = {"", "INT64", "DOUBLE", "TEXT", "BOOL"};
    for (uint32_t t = 0; t < nt && !rc; t++) {
        const gt_rows_table *T = &L->tables[t];
        sqlite3_bind_text(tab, 1, T->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(tab, 2, T->doc, -1, SQLITE_STATIC);
        int s = sqlite3_step(tab);
        sqlite3_reset(tab);
        if (s != SQLITE_DONE)
            rc = load_error(L, s);
        for (uint32_t j = 0; j < T->n_columns && !rc; j++) {
            const gt_rows_column *c = &T->columns[j];
            sqlite3_bind_text(col, 1, T->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(col, 2, c->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(col, 3, type_names[c->type], -1, SQLITE_STATIC);
            sqlite3_bind_int(col, 4, c->nullable);
            sqlite3_bind_text(col, 5, c->unit, -1, SQLITE_STATIC);
            sqlite3_bind_text(col, 6, c->doc, -1, SQLITE_STATIC);
            s = sqlite3_step(col);
            sqlite3_reset(col);
            if (s != SQLITE_DONE)
                rc = load_error(L, s);
        }
    }
    sqlite3_finalize(tab);
    sqlite3_finalize(col);
    return rc;
}

/* CREATE TABLE and the INSERT for every table. */
static int create(loader *L, uint32_t nt)
{
    char sql[4096];
    for (uint32_t t = 0; t < nt; t++) {
        const gt_rows_table *tab = &L->tables[t];
        size_t n = (size_t)snprintf(sql, sizeof sql, "CREATE TABLE %s (", tab->name);
        for (uint32_t j = 0; j < tab->n_columns && n < sizeof sql; j++) {
            const gt_rows_column *c = &tab->columns[j];
            const char *type = c->type == GT_ROWS_TEXT ? "TEXT" : c->type == GT_ROWS_DOUBLE ? "REAL" : "INTEGER";
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s %s%s", j ? ", " : "", c->name, type,
                                  c->nullable ? "" : " NOT NULL");
        }
        if (n + 2 >= sizeof sql)
            return CLI_EXIT_TRACE;
        memcpy(sql + n, ")", 2);
        int rc = exec(L, sql);
        if (rc)
            return rc;
        held *h = &L->h[t];
        h->vals = malloc((size_t)MULTI * tab->n_columns * sizeof *h->vals);
        h->off = malloc((size_t)MULTI * tab->n_columns * sizeof *h->off);
        if (!h->vals || !h->off)
            return CLI_EXIT_TRACE;
        for (int k = 0; k < 2; k++) {
            n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ", tab->name);
            for (int r = 0; r < (k ? MULTI : 1); r++)
                for (uint32_t j = 0; j < tab->n_columns && n < sizeof sql; j++)
                    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s%s", j ? "" : r ? ",(" : "(", j ? ",?" : "?",
                                          j == tab->n_columns - 1 ? ")" : "");
            if (n >= sizeof sql)
                return CLI_EXIT_TRACE;
            if ((rc = sqlite3_prepare_v2(L->db, sql, -1, k ? &h->multi : &h->one, NULL)) != SQLITE_OK)
                return load_error(L, rc);
        }
    }
    int rc = describe(L, nt);
    if (rc)
        return rc;
    for (size_t i = 0; cli_sqlite_views[i]; i++) {
        rc = exec(L, cli_sqlite_views[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int cli_sqlite_load(sqlite3 *db, const char *cmd, const char *path, int64_t from, int64_t to, int *loaded)
{
    uint32_t nt;
    loader L;
    memset(&L, 0, sizeof L);
    L.db = db;
    L.cmd = cmd;
    L.tables = gt_rows_tables(&nt);
    *loaded = 0;
    int rc = exec(&L, "BEGIN");
    if (!rc)
        rc = create(&L, nt);
    if (!rc) {
        gt_rows_sink sink = {&L, row};
        rc = cli_rows_run(cmd, path, NULL, from, to, &sink);
        /* A broken trace still gives the rows read. */
        if (rc == CLI_EXIT_OK || rc == CLI_EXIT_TRACE) {
            int crc = 0;
            for (uint32_t t = 0; t < nt && !crc; t++)
                crc = drain(&L, t);
            if (!crc)
                crc = exec(&L, "COMMIT");
            if (crc)
                rc = crc;
            else
                *loaded = 1;
        }
    }
    for (uint32_t t = 0; t < nt; t++) {
        sqlite3_finalize(L.h[t].one);
        sqlite3_finalize(L.h[t].multi);
        free(L.h[t].vals);
        free(L.h[t].off);
        free(L.h[t].text);
    }
    return rc;
}
