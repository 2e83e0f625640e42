/* Loading a trace's tables into SQLite (sqlite_db.h). The schema is
 * gotrace/rows.h's. Rows are held MULTI at a time per table (their text
 * copied) and inserted by one prepared INSERT of MULTI rows, which halves
 * SQLite's cost per row against one INSERT per row; a transaction is
 * committed every TX_ROWS rows, so that neither SQLite's cache nor anything
 * of ours grows with the trace.
 *
 * Strings stored once: the text columns whose values come from small fixed
 * sets (state names, wait reasons, range, metric and label names; the list
 * `interned` below) are stored as integer keys into the table strings (id,
 * text), each distinct text once. Such a table is stored as TABLE_data, and
 * TABLE is a view over it with the schema's columns, the keys turned back
 * into their texts (see views()): queries (`WHERE reason = 'chan receive'`)
 * read it as they would the table. On the 100 MB benchmark trace this takes
 * g_transitions' 20 M rows from 988 MB to 702 MB and the load's CPU time
 * down by a tenth. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export_rows.h"
#include "sqlite_db.h"

enum { TX_ROWS = 200000, MULTI = 32 };

/* The columns stored as keys into strings: "table.column". Their values
 * are runtime names from fixed sets, so the distinct texts are few (and the
 * row layer holds them already). */
static const char *const interned[] = {
    "goroutine_times.kind", "goroutine_times.name", "g_transitions.from_state", "g_transitions.to_state",
    "g_transitions.reason", "p_transitions.from_state", "p_transitions.to_state", "m_transitions.action",
    "region_times.kind", "region_times.name", "ranges.name", "ranges.scope", "metrics.name", "labels.label",
    "labels.resource", NULL,
};

/* The column's place in interned + 1, or 0. */
static int is_interned(const char *table, const char *column)
{
    size_t tl = strlen(table);
    for (size_t i = 0; interned[i]; i++)
        if (!strncmp(interned[i], table, tl) && interned[i][tl] == '.' && !strcmp(interned[i] + tl + 1, column))
            return (int)i + 1;
    return 0;
}

const cli_sqlite_view cli_sqlite_views[] = {
    /* gotrace goroutines: goroutines grouped by start function, by total
     * execution time. */
    {"goroutine_groups",
    "  SELECT name AS start_location, count(*) AS count, sum(exec_time) AS exec_time,\n"
    "         round(100.0 * sum(exec_time) / max(1, (SELECT sum(exec_time) FROM goroutines)), 1) AS exec_percent\n"
    "  FROM goroutines GROUP BY name ORDER BY exec_time DESC, name;"},
    /* gotrace tasks: task types, their counts and the durations of the
     * complete ones. */
    {"task_types",
    "  SELECT name AS type, count(*) AS count, count(duration) AS complete,\n"
    "         min(duration) AS min_duration, avg(duration) AS mean_duration, max(duration) AS max_duration\n"
    "  FROM tasks GROUP BY name ORDER BY name;"},
    /* gotrace regions: regions by type and start frame. */
    {"region_types",
    "  SELECT name AS type, function, file, line, pc, count(*) AS count, sum(duration) AS total_duration,\n"
    "         min(duration) AS min_duration, avg(duration) AS mean_duration, max(duration) AS max_duration\n"
    "  FROM regions GROUP BY name, function, file, line, pc ORDER BY name, function, file, line, pc;"},
    /* Blocking by reason, over all goroutines (gotrace summary's table). */
    {"block_reasons",
    "  SELECT name AS reason, count(DISTINCT goroutine) AS goroutines, sum(time) AS time\n"
    "  FROM goroutine_times WHERE kind = 'block' GROUP BY name ORDER BY time DESC, name;"},
    /* Each stack's outermost-first frames as one text, for display. */
    {"stack_text",
    "  SELECT stack, group_concat(function, ' <- ') AS frames\n"
    "  FROM (SELECT stack, function FROM frames ORDER BY stack, depth) GROUP BY stack;"},
    {NULL, NULL},
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

/* The distinct texts of the interned columns: an open-addressing table of
 * indexes into ent (id = index + 1), their bytes in one buffer. */
typedef struct strtab {
    struct ent {
        size_t off, len;
        uint64_t hash;
        uint32_t columns;  /* bit k: used by interned[k] */
    } *ent;
    size_t n, cap;     /* entries; cap of ent */
    uint32_t *slot;    /* index + 1, 0 empty; nslot a power of 2 > 2 n */
    size_t nslot;
    char *bytes;
    size_t bytes_len, bytes_cap;
    sqlite3_stmt *insert;  /* INSERT INTO strings VALUES (?, ?) */
    uint32_t recent[256];  /* ent index + 1 by recent_slot(): most texts are found here, unhashed */
} strtab;

typedef struct loader {
    sqlite3 *db;
    const char *cmd;
    const gt_rows_table *tables;
    held h[GT_ROWS_T_COUNT];
    uint8_t *intern[GT_ROWS_T_COUNT];  /* per column: its place in interned + 1, 0 text as it is; NULL: none */
    strtab st;
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
            else if (tab->columns[j].type == GT_ROWS_TEXT && !(L->intern[t] && L->intern[t][j]))
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

/* Appends s and a NUL to the buffer *buf (*len used of *cap), grown as
 * needed; *off: where s went. 0, or -1 when memory runs out. */
static int append_text(char **buf, size_t *len, size_t *cap, gt_str s, size_t *off)
{
    if (*cap - *len < s.len + 1) {
        size_t c = *cap ? *cap : 4096;
        while (c - *len < s.len + 1)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p)
            return -1;
        *buf = p;
        *cap = c;
    }
    if (s.len)
        memcpy(*buf + *len, s.ptr, s.len);
    (*buf)[*len + s.len] = 0;
    *off = *len;
    *len += s.len + 1;
    return 0;
}

static size_t recent_slot(gt_str s)
{
    return s.len ? (s.len * 31u + (uint8_t)s.ptr[0] + 7u * (uint8_t)s.ptr[s.len - 1] + 3u * (uint8_t)s.ptr[s.len / 2]) & 255
                 : 0;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211u;
    return h;
}

/* *id: the key of text s in strings, inserted when new. 0, -1 when memory
 * runs out, or the exit status of an SQLite failure (message printed). */
static int intern(loader *L, gt_str s, uint32_t column, int64_t *id)
{
    strtab *T = &L->st;
    size_t r = recent_slot(s);
    if (T->recent[r]) {
        struct ent *e = &T->ent[T->recent[r] - 1];
        if (e->len == s.len && (!s.len || !memcmp(T->bytes + e->off, s.ptr, s.len))) {
            e->columns |= column;
            *id = T->recent[r];
            return 0;
        }
    }
    uint64_t h = hash_bytes(s.ptr, s.len);
    size_t i = T->nslot ? h & (T->nslot - 1) : 0;
    for (; T->nslot && T->slot[i]; i = (i + 1) & (T->nslot - 1)) {
        struct ent *e = &T->ent[T->slot[i] - 1];
        if (e->hash == h && e->len == s.len && (!s.len || !memcmp(T->bytes + e->off, s.ptr, s.len))) {
            e->columns |= column;
            *id = T->recent[r] = T->slot[i];
            return 0;
        }
    }
    if (T->n == UINT32_MAX - 1)
        return -1;
    if (T->n == T->cap) {
        size_t cap = T->cap ? 2 * T->cap : 64;
        void *p = realloc(T->ent, cap * sizeof *T->ent);
        if (!p)
            return -1;
        T->ent = p;
        T->cap = cap;
    }
    size_t off;
    if (append_text(&T->bytes, &T->bytes_len, &T->bytes_cap, s, &off))
        return -1;
    if (2 * (T->n + 1) >= T->nslot) {
        size_t nslot = T->nslot ? 2 * T->nslot : 256;
        uint32_t *slot = calloc(nslot, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t k = 0; k < T->n; k++) {
            size_t j = T->ent[k].hash & (nslot - 1);
            while (slot[j])
                j = (j + 1) & (nslot - 1);
            slot[j] = (uint32_t)k + 1;
        }
        free(T->slot);
        T->slot = slot;
        T->nslot = nslot;
        for (i = h & (nslot - 1); slot[i]; i = (i + 1) & (nslot - 1))
            ;
    }
    T->ent[T->n] = (struct ent){off, s.len, h, column};
    T->slot[i] = T->recent[r] = (uint32_t)++T->n;
    sqlite3_bind_int64(T->insert, 1, (int64_t)T->n);
    sqlite3_bind_text64(T->insert, 2, s.len ? s.ptr : "", s.len, SQLITE_TRANSIENT, SQLITE_UTF8);
    int rc = sqlite3_step(T->insert);
    sqlite3_reset(T->insert);
    *id = (int64_t)T->n;
    return rc == SQLITE_DONE ? 0 : load_error(L, rc);
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
        if (L->intern[t] && L->intern[t][j]) {
            int rc = intern(L, v[j].s, 1u << (L->intern[t][j] - 1), &dst[j].i);
            if (rc)
                return rc;
            continue;
        }
        if (append_text(&h->text, &h->text_len, &h->text_cap, v[j].s, &off[j]))
            return -1;
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

/* CREATE TABLE (and for a table with interned columns, TABLE_data and the
 * view TABLE) and the INSERTs for every table. */
static int create(loader *L, uint32_t nt)
{
    char sql[8192];
    int rc = exec(L, "CREATE TABLE strings (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
    if (rc)
        return rc;
    if ((rc = sqlite3_prepare_v2(L->db, "INSERT INTO strings VALUES (?, ?)", -1, &L->st.insert, NULL)) != SQLITE_OK)
        return load_error(L, rc);
    for (uint32_t t = 0; t < nt; t++) {
        const gt_rows_table *tab = &L->tables[t];
        int any = 0;
        for (uint32_t j = 0; j < tab->n_columns; j++)
            any |= tab->columns[j].type == GT_ROWS_TEXT && is_interned(tab->name, tab->columns[j].name);
        if (any) {
            if (!(L->intern[t] = calloc(tab->n_columns, 1)))
                return CLI_EXIT_TRACE;
            for (uint32_t j = 0; j < tab->n_columns; j++)
                L->intern[t][j] =
                    (uint8_t)(tab->columns[j].type == GT_ROWS_TEXT ? is_interned(tab->name, tab->columns[j].name) : 0);
        }
        const char *suffix = any ? "_data" : "";
        size_t n = (size_t)snprintf(sql, sizeof sql, "CREATE TABLE %s%s (", tab->name, suffix);
        for (uint32_t j = 0; j < tab->n_columns && n < sizeof sql; j++) {
            const gt_rows_column *c = &tab->columns[j];
            const char *type = c->type == GT_ROWS_TEXT && !(any && L->intern[t][j]) ? "TEXT"
                               : c->type == GT_ROWS_DOUBLE                        ? "REAL"
                                                                                  : "INTEGER";
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s %s%s", j ? ", " : "", c->name, type,
                                  c->nullable ? "" : " NOT NULL");
        }
        if (n + 2 >= sizeof sql)
            return CLI_EXIT_TRACE;
        memcpy(sql + n, ")", 2);
        if ((rc = exec(L, sql)))
            return rc;
        held *h = &L->h[t];
        h->vals = malloc((size_t)MULTI * tab->n_columns * sizeof *h->vals);
        h->off = malloc((size_t)MULTI * tab->n_columns * sizeof *h->off);
        if (!h->vals || !h->off)
            return CLI_EXIT_TRACE;
        for (int k = 0; k < 2; k++) {
            n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s%s VALUES ", tab->name, suffix);
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
    return describe(L, nt);
}

/* Appends the SQL literal of text s (bytes as they are; a text holding a NUL
 * as a blob cast to TEXT). */
static void literal(sqlite3_str *q, const char *s, size_t n)
{
    if (!memchr(s, 0, n)) {
        sqlite3_str_appendf(q, "%.*Q", (int)n, s);
        return;
    }
    sqlite3_str_appendall(q, "CAST(X'");
    for (size_t i = 0; i < n; i++)
        sqlite3_str_appendf(q, "%02x", (unsigned)(uint8_t)s[i]);
    sqlite3_str_appendall(q, "' AS TEXT)");
}

/* The views, once every row is in: TABLE over TABLE_data for each table
 * with interned columns, then cli_sqlite_views. An interned column reads
 * CASE key WHEN 1 THEN 'text' ... END over the texts that column holds
 * (SQLite evaluates that inline, so a filter on it stays a scan of the data
 * table: a join or an automatic index over 20 M rows is what a JOIN to
 * strings costs some queries); a column holding more than MAX_CASE texts
 * reads (SELECT text FROM strings WHERE id = key) instead. */
static int views(loader *L, uint32_t nt)
{
    enum { MAX_CASE = 64 };
    const strtab *T = &L->st;
    for (uint32_t t = 0; t < nt; t++) {
        if (!L->intern[t])
            continue;
        const gt_rows_table *tab = &L->tables[t];
        sqlite3_str *q = sqlite3_str_new(L->db);
        sqlite3_str_appendf(q, "CREATE VIEW %s AS SELECT", tab->name);
        for (uint32_t j = 0; j < tab->n_columns; j++) {
            const char *c = tab->columns[j].name;
            sqlite3_str_appendall(q, j ? ",\n  " : "\n  ");
            if (!L->intern[t][j]) {
                sqlite3_str_appendall(q, c);
                continue;
            }
            uint32_t bit = 1u << (L->intern[t][j] - 1);
            size_t used = 0;
            for (size_t k = 0; k < T->n; k++)
                used += (T->ent[k].columns & bit) != 0;
            if (used > MAX_CASE) {
                sqlite3_str_appendf(q, "(SELECT text FROM strings WHERE id = %s) AS %s", c, c);
                continue;
            }
            sqlite3_str_appendf(q, "CASE %s", c);
            for (size_t k = 0; k < T->n; k++)
                if (T->ent[k].columns & bit) {
                    sqlite3_str_appendf(q, " WHEN %lld THEN ", (sqlite3_int64)k + 1);
                    literal(q, T->bytes + T->ent[k].off, T->ent[k].len);
                }
            /* A column nothing was stored in still has a type: NULL. */
            sqlite3_str_appendf(q, "%s END AS %s", used ? "" : " WHEN 0 THEN ''", c);
        }
        sqlite3_str_appendf(q, "\nFROM %s_data", tab->name);
        char *sql = sqlite3_str_finish(q);
        if (!sql)
            return CLI_EXIT_TRACE;
        int rc = exec(L, sql);
        sqlite3_free(sql);
        if (rc)
            return rc;
    }
    for (const cli_sqlite_view *v = cli_sqlite_views; v->name; v++) {
        char *sql = sqlite3_mprintf("CREATE VIEW %s AS\n%s", v->name, v->select);
        int rc = sql ? exec(L, sql) : CLI_EXIT_TRACE;
        sqlite3_free(sql);
        if (rc)
            return rc;
    }
    return 0;
}

static void loader_free(loader *L, uint32_t nt)
{
    for (uint32_t t = 0; t < nt; t++) {
        sqlite3_finalize(L->h[t].one);
        sqlite3_finalize(L->h[t].multi);
        free(L->h[t].vals);
        free(L->h[t].off);
        free(L->h[t].text);
        free(L->intern[t]);
    }
    sqlite3_finalize(L->st.insert);
    free(L->st.ent);
    free(L->st.slot);
    free(L->st.bytes);
}

/* What the authorizer learns while the statements are prepared. */
typedef struct reads {
    uint32_t mask;  /* tables read */
    int all;        /* something needs every table */
} reads;

/* Table t's bit when name is t or t_data. */
static uint32_t table_bit(const char *name)
{
    size_t n = strlen(name);
    if (n > 5 && !strcmp(name + n - 5, "_data"))
        n -= 5;
    int t = cli_table_index(name, n);
    return t < 0 ? 0 : 1u << t;
}

/* sqlite3_set_authorizer callback: SQLite names every table a statement
 * reads, the tables under a view too (inner then names the view). The
 * strings table read directly holds every table's texts, so it needs them
 * all; read through a view it serves that view's table. A pragma (also
 * as a table, pragma_NAME), dbstat (the pages each table takes) or an
 * ATTACH may look at anything: every table. So does a transaction the user
 * opens (BEGIN, SAVEPOINT): the prompt's later loads could not open theirs. */
static int note_read(void *ctx, int action, const char *a, const char *b, const char *db, const char *inner)
{
    reads *R = ctx;
    (void)b;
    (void)db;
    if (action == SQLITE_READ && a) {
        if ((!strcmp(a, "strings") && !inner) || !strncmp(a, "pragma_", 7) || !strcmp(a, "dbstat"))
            R->all = 1;
        R->mask |= table_bit(a);
    } else if (action == SQLITE_PRAGMA || action == SQLITE_ATTACH || action == SQLITE_DETACH ||
               action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT) {
        R->all = 1;
    }
    return SQLITE_OK;
}

uint32_t cli_sqlite_tables_read(const char *sql)
{
    uint32_t nt;
    loader L;
    memset(&L, 0, sizeof L);
    L.cmd = "sql";
    L.tables = gt_rows_tables(&nt);
    reads R = {0, 0};
    if (sqlite3_open_v2(":memory:", &L.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        sqlite3_close(L.db);
        return 0;
    }
    /* The same schema, empty: create's tables and views' views (with no
     * texts stored, every interned column is a CASE over nothing). */
    if (exec(&L, "BEGIN") || create(&L, nt) || views(&L, nt))
        R.all = 1;
    loader_free(&L, nt);
    sqlite3_set_authorizer(L.db, note_read, &R);
    const char *tail = sql;
    while (!R.all && tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        /* A statement that fails to prepare (an error, or one that needs
         * what an earlier statement would create) or that writes: the
         * statements run on every table, as they would have. */
        if (sqlite3_prepare_v2(L.db, tail, -1, &st, &next) != SQLITE_OK || (st && !sqlite3_stmt_readonly(st)))
            R.all = 1;
        sqlite3_finalize(st);
        tail = next;
    }
    sqlite3_close(L.db);
    return R.all ? 0 : R.mask | 1u << GT_ROWS_T_TRACES;
}

struct cli_sqlite_loader {
    loader L;
    uint32_t nt;
    uint32_t loaded;  /* tables whose rows are in */
    int created;      /* the tables, their INSERTs and schema_* are there */
};

cli_sqlite_loader *cli_sqlite_loader_new(sqlite3 *db, const char *cmd)
{
    cli_sqlite_loader *S = calloc(1, sizeof *S);
    if (!S)
        return NULL;
    S->L.db = db;
    S->L.cmd = cmd;
    S->L.tables = gt_rows_tables(&S->nt);
    return S;
}

void cli_sqlite_loader_free(cli_sqlite_loader *S)
{
    if (!S)
        return;
    loader_free(&S->L, S->nt);
    free(S);
}

/* Drops the views views() made, before it makes them again over more
 * tables; views of the user's own are left alone. */
static int drop_views(loader *L, uint32_t nt)
{
    char sql[256];
    for (uint32_t t = 0; t < nt; t++) {
        if (!L->intern[t])
            continue;
        snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %s", L->tables[t].name);
        int rc = exec(L, sql);
        if (rc)
            return rc;
    }
    for (const cli_sqlite_view *v = cli_sqlite_views; v->name; v++) {
        snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %s", v->name);
        int rc = exec(L, sql);
        if (rc)
            return rc;
    }
    return 0;
}

/* The mask of every table of the schema. */
static uint32_t all_tables(const cli_sqlite_loader *S)
{
    return (uint32_t)((1ULL << S->nt) - 1);
}

int cli_sqlite_loader_load(cli_sqlite_loader *S, const char *path, int64_t from, int64_t to, uint32_t tables,
                           int *loaded)
{
    loader *L = &S->L;
    uint32_t want = cli_sqlite_loader_missing(S, tables);
    *loaded = 0;
    if (S->created && !want) {
        *loaded = 1;
        return CLI_EXIT_OK;
    }
    int rc = exec(L, "BEGIN");
    if (!rc && !S->created && !(rc = create(L, S->nt)))
        S->created = 1;
    if (!rc && S->loaded)
        rc = drop_views(L, S->nt);
    if (!rc) {
        gt_rows_sink sink = {L, row};
        int traced = 0;
        L->in_tx = 0;
        rc = cli_rows_run(L->cmd, path, NULL, from, to, want == all_tables(S) ? 0 : want, &sink, &traced);
        /* A broken trace still gives the rows read; an input that is not
         * a trace at all (no traces row) gives nothing. */
        if (rc == CLI_EXIT_OK || (rc == CLI_EXIT_TRACE && traced)) {
            int crc = 0;
            for (uint32_t t = 0; t < S->nt && !crc; t++)
                crc = drain(L, t);
            if (!crc)
                crc = views(L, S->nt);
            if (!crc)
                crc = exec(L, "COMMIT");
            if (crc) {
                rc = crc;
            } else {
                *loaded = 1;
                S->loaded |= want;
            }
        }
    }
    return rc;
}

uint32_t cli_sqlite_loader_missing(const cli_sqlite_loader *S, uint32_t tables)
{
    return (tables ? tables | 1u << GT_ROWS_T_TRACES : all_tables(S)) & ~S->loaded;
}

int cli_sqlite_load(sqlite3 *db, const char *cmd, const char *path, int64_t from, int64_t to, uint32_t tables,
                    int *loaded)
{
    cli_sqlite_loader *S = cli_sqlite_loader_new(db, cmd);
    if (!S) {
        fprintf(stderr, "gotrace %s: out of memory\n", cmd);
        *loaded = 0;
        return CLI_EXIT_TRACE;
    }
    int rc = cli_sqlite_loader_load(S, path, from, to, tables, loaded);
    cli_sqlite_loader_free(S);
    return rc;
}
