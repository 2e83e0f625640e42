/* gotrace sql: SQL (SQLite) over a trace's tables (gotrace/rows.h). The
 * trace is loaded into SQLite's private temporary on-disk database (deleted
 * when the command ends), so memory stays bounded whatever the trace; the
 * query's results are printed as an aligned table, CSV or JSON. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis_util.h"
#include "cli.h"
#include "export_rows.h"
#include "sqlite_db.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace sql [--csv | --json] [--from D] [--to D] FILE ['QUERY']\n\n"
               "Run SQL (SQLite's dialect) against the trace's tables and print the result\n"
               "as an aligned table (NULL shown as NULL), or as CSV or JSON. QUERY may hold\n"
               "several statements separated by ';': each one's rows are printed in turn.\n\n"
               "Without QUERY: an interactive prompt when standard input is a terminal\n"
               "(statements end with ';'; .tables, .schema [TABLE], .quit), else the SQL\n"
               "is read from standard input (then FILE cannot be -).\n\n"
               "Tables: traces, goroutines, goroutine_times, g_transitions, p_transitions,\n"
               "m_transitions, stacks, frames, cpu_samples, tasks, regions, region_times,\n"
               "logs, ranges, metrics, labels. Views: goroutine_groups (gotrace goroutines),\n"
               "task_types (gotrace tasks), region_types (gotrace regions), block_reasons,\n"
               "stack_text. Times and durations are in ns (the trace's clock: subtract\n"
               "traces.start_time for the time since the trace start). The man page\n"
               "documents every column; `gotrace export --format=sqlite` writes the same\n"
               "database to a file. Only the tables QUERY reads are loaded (all of them\n"
               "when a statement writes); the prompt loads each when first read.\n\n"
               "  --csv           CSV with a header line (RFC 4180; NULL is an empty field)\n"
               "  --json          each statement's rows as one JSON array of objects\n"
               "  --from D, --to D  the window (Go durations from the trace start): rows\n"
               "                  of events in it; goroutines, tasks and regions as\n"
               "                  gotrace goroutines/tasks/regions --from/--to give them\n\n"
               "Example:\n"
               "  gotrace sql trace.out 'SELECT reason, count(*), sum(duration) FROM g_transitions\n"
               "    WHERE to_state = '\\''Waiting'\\'' GROUP BY reason ORDER BY 3 DESC'\n\n"
               "FILE may be - for standard input, and gzip or zstd compressed.\n"
               "Exit: 0 ok, 1 broken trace (the rows read are queried) or a query failing\n"
               "as it runs, 2 usage or SQL error (syntax, unknown table or column),\n"
               "3 write error.\n");
}

enum { MODE_TABLE, MODE_CSV, MODE_JSON };

/* ------------------------------------------------------------- values */

static void put_csv_text(FILE *f, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    putc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            putc('"', f);
        putc(s[i], f);
    }
    putc('"', f);
}

/* A column's value as text for the table and CSV modes, into buf (cap
 * bytes) or as a pointer into SQLite's copy. NULL for SQL NULL. */
static const char *value_text(sqlite3_stmt *st, int i, char *buf, size_t cap, size_t *len)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        *len = 0;
        return NULL;
    case SQLITE_INTEGER:
        *len = (size_t)snprintf(buf, cap, "%lld", (long long)sqlite3_column_int64(st, i));
        return buf;
    case SQLITE_FLOAT:
        *len = (size_t)snprintf(buf, cap, "%.15g", sqlite3_column_double(st, i));
        return buf;
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        *len = (size_t)sqlite3_column_bytes(st, i);
        return s ? s : "";
    }
    }
}

static void put_json_value(FILE *f, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        fputs("null", f);
        break;
    case SQLITE_INTEGER:
        fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
            fputs("null", f);
        else
            fprintf(f, "%.17g", d);
        break;
    }
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        au_json_write_string(f, (gt_str){s ? s : "", (size_t)sqlite3_column_bytes(st, i)});
        break;
    }
    }
}

/* ------------------------------------------------------- table mode */

/* Rows are held back to size the columns: the first HOLD rows, then the
 * rest printed with those widths. */
enum { HOLD = 1000, MAX_WIDTH = 80 };

typedef struct cell {
    char *s;     /* display text (control bytes escaped), NULL for NULL */
    size_t len;  /* bytes */
    size_t width;  /* display columns */
    int right;   /* a number: aligned right */
} cell;

static size_t utf8_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* The display text of a value: control bytes as \n, \t, \xNN. */
static int make_cell(cell *c, sqlite3_stmt *st, int i)
{
    char num[64];
    size_t n;
    const char *s = value_text(st, i, num, sizeof num, &n);
    int type = sqlite3_column_type(st, i);
    c->right = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
    if (!s) {
        s = "NULL";
        n = 4;
    }
    char *d = malloc(n * 4 + 1);
    if (!d)
        return -1;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        unsigned char b = (unsigned char)s[j];
        if (b == '\n' || b == '\t' || b == '\r') {
            d[k++] = '\\';
            d[k++] = b == '\n' ? 'n' : b == '\t' ? 't' : 'r';
        } else if (b < 0x20 || b == 0x7f) {
            k += (size_t)snprintf(d + k, 5, "\\x%02x", b);
        } else {
            d[k++] = (char)b;
        }
    }
    d[k] = 0;
    c->s = d;
    c->len = k;
    c->width = utf8_width(d, k);
    return 0;
}

static void put_cell(FILE *f, const cell *c, size_t width, int last)
{
    size_t pad = width > c->width ? width - c->width : 0;
    if (c->right)
        fprintf(f, "%*s", (int)pad, "");
    fwrite(c->s, 1, c->len, f);
    if (!c->right && !last)
        fprintf(f, "%*s", (int)pad, "");
}

static void put_row(FILE *f, const cell *cells, const size_t *widths, int nc)
{
    for (int i = 0; i < nc; i++) {
        if (i)
            fputs("  ", f);
        put_cell(f, &cells[i], widths[i], i == nc - 1);
    }
    putc('\n', f);
}

/* ------------------------------------------------------------ running */

typedef struct runner {
    sqlite3 *db;
    int mode;
    FILE *out;
    int interactive;  /* errors are reported, not fatal */
    /* The prompt on a trace file: the tables each input reads are loaded
     * before it runs (NULL: everything was loaded first). */
    cli_sqlite_loader *lazy;
    const char *path;
    int64_t from, to;
    struct stat file;  /* path when the session began */
} runner;

/* Prints one prepared statement's rows. 0, or an exit status. */
/* Writes the held rows (when write is set): the header row first, then a
 * rule under it, then the rest; frees every held cell either way. */
static void put_held(FILE *f, cell *held, size_t nheld, const size_t *widths, int nc, int write)
{
    for (size_t k = 0; k < nheld; k++) {
        if (write) {
            put_row(f, &held[k * (size_t)nc], widths, nc);
            for (int i = 0; k == 0 && i < nc; i++) {
                for (size_t w = 0; w < widths[i]; w++)
                    putc('-', f);
                fputs(i == nc - 1 ? "\n" : "  ", f);
            }
        }
        for (int i = 0; i < nc; i++)
            free(held[k * (size_t)nc + i].s);
    }
}

static int print_rows(runner *R, sqlite3_stmt *st)
{
    FILE *f = R->out;
    int nc = sqlite3_column_count(st), rc = 0, step;
    uint64_t nrows = 0;
    cell *held = NULL;
    size_t nheld = 0, *widths = NULL;
    int flushed = 0;
    if (nc > 0 && R->mode == MODE_CSV) {
        for (int i = 0; i < nc; i++) {
            const char *name = sqlite3_column_name(st, i);
            if (i)
                putc(',', f);
            put_csv_text(f, name ? name : "", name ? strlen(name) : 0);
        }
        fputs("\r\n", f);
    }
    if (R->mode == MODE_JSON && nc > 0)
        putc('[', f);
    if (R->mode == MODE_TABLE && nc > 0) {
        held = calloc((size_t)(HOLD + 1) * (size_t)nc, sizeof *held);
        widths = calloc((size_t)nc, sizeof *widths);
        if (!held || !widths) {
            free(held);
            free(widths);
            fprintf(stderr, "gotrace sql: out of memory\n");
            return CLI_EXIT_TRACE;
        }
        for (int i = 0; i < nc; i++) {
            const char *name = sqlite3_column_name(st, i);
            cell *c = &held[i];
            c->s = strdup(name ? name : "");
            if (!c->s)
                return CLI_EXIT_TRACE;
            c->len = strlen(c->s);
            c->width = utf8_width(c->s, c->len);
            widths[i] = c->width;
        }
        nheld = 1;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        nrows++;
        if (R->mode == MODE_CSV) {
            for (int i = 0; i < nc; i++) {
                char num[64];
                size_t n;
                const char *s = value_text(st, i, num, sizeof num, &n);
                if (i)
                    putc(',', f);
                if (s)
                    put_csv_text(f, s, n);
            }
            fputs("\r\n", f);
        } else if (R->mode == MODE_JSON) {
            fputs(nrows > 1 ? ",\n{" : "\n{", f);
            for (int i = 0; i < nc; i++) {
                const char *name = sqlite3_column_name(st, i);
                if (i)
                    putc(',', f);
                au_json_write_string(f, (gt_str){name ? name : "", name ? strlen(name) : 0});
                putc(':', f);
                put_json_value(f, st, i);
            }
            putc('}', f);
        } else {
            cell *row = flushed ? held : &held[nheld * (size_t)nc];
            for (int i = 0; i < nc; i++) {
                if (make_cell(&row[i], st, i)) {
                    fprintf(stderr, "gotrace sql: out of memory\n");
                    rc = CLI_EXIT_TRACE;
                    break;
                }
                if (!flushed && row[i].width > widths[i])
                    widths[i] = row[i].width < MAX_WIDTH ? row[i].width : MAX_WIDTH;
            }
            if (rc)
                break;
            if (flushed) {
                put_row(f, row, widths, nc);
                for (int i = 0; i < nc; i++)
                    free(row[i].s);
            } else if (++nheld == HOLD + 1) {
                /* The header, a rule, the rows held; the rest as they come. */
                put_held(f, held, nheld, widths, nc, 1);
                flushed = 1;
            }
        }
        if ((nrows & 1023) == 0 && (rc = cli_write_check(f)))
            break;
    }
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW) {
        fprintf(stderr, "gotrace sql: %s\n", sqlite3_errmsg(R->db));
        rc = CLI_EXIT_TRACE;
    }
    if (R->mode == MODE_JSON && nc > 0)
        fputs(nrows ? "\n]\n" : "]\n", f);
    if (R->mode == MODE_TABLE && nc > 0 && !flushed)
        put_held(f, held, nheld, widths, nc, !rc);
    if (R->mode == MODE_TABLE && nc > 0 && !rc && R->interactive)
        fprintf(f, "(%llu row%s)\n", (unsigned long long)nrows, nrows == 1 ? "" : "s");
    free(held);
    free(widths);
    return rc ? rc : cli_write_check(f);
}

/* Runs every statement of sql. 0, or CLI_EXIT_USAGE (SQL error), an exit
 * status of print_rows. */
static int run_sql(runner *R, const char *sql)
{
    const char *tail = sql;
    int first = 1;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(R->db, tail, -1, &st, &next) != SQLITE_OK) {
            fprintf(stderr, "gotrace sql: %s\n", sqlite3_errmsg(R->db));
            return CLI_EXIT_USAGE;
        }
        tail = next;
        if (!st)
            continue;
        if (!first && R->mode == MODE_TABLE && sqlite3_column_count(st) > 0)
            putc('\n', R->out);
        first = 0;
        int rc = print_rows(R, st);
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    return 0;
}

/* -------------------------------------------------------- interactive */

static int dot_command(runner *R, char *line)
{
    char *arg = line + strcspn(line, " \t\r\n");
    *arg++ = 0;
    arg += strspn(arg, " \t");
    arg[strcspn(arg, " \t\r\n;")] = 0;
    if (!strcmp(line, ".quit") || !strcmp(line, ".exit"))
        return 1;
    if (!strcmp(line, ".tables"))
        run_sql(R, "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY type, name");
    else if (!strcmp(line, ".schema")) {
        sqlite3_stmt *st;
        const char *q = *arg ? "SELECT sql FROM sqlite_schema WHERE name = ?1"
                             : "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name";
        if (sqlite3_prepare_v2(R->db, q, -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
            while (sqlite3_step(st) == SQLITE_ROW)
                fprintf(R->out, "%s;\n", (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
    } else
        fprintf(stderr, "unknown command %s: .tables, .schema [TABLE], .quit\n", line);
    return 0;
}

/* Loads the tables the statements sql read that are not loaded yet,
 * naming them on stderr first (a load reads the whole trace again). */
static int load_for(runner *R, const char *sql, int *loaded)
{
    uint32_t nt;
    const gt_rows_table *tables = gt_rows_tables(&nt);
    *loaded = 1;
    if (!cli_sqlite_loader_missing(R->lazy, 0))
        return CLI_EXIT_OK;
    uint32_t need = cli_sqlite_tables_read(sql);
    if (!need) {
        /* A first statement that cannot be prepared (a typo) does not run,
         * so it needs no table: run_sql reports it at once. */
        sqlite3_stmt *st = NULL;
        int bad = sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK;
        sqlite3_finalize(st);
        if (bad)
            return CLI_EXIT_OK;
    }
    uint32_t missing = cli_sqlite_loader_missing(R->lazy, need);
    struct stat now;
    if (missing && (stat(R->path, &now) != 0 || now.st_size != R->file.st_size ||
                    now.st_mtim.tv_sec != R->file.st_mtim.tv_sec || now.st_mtim.tv_nsec != R->file.st_mtim.tv_nsec ||
                    now.st_ino != R->file.st_ino)) {
        /* Tables of two different traces must not meet in one database. */
        fprintf(stderr, "gotrace sql: %s changed since the session began: its tables cannot be loaded\n", R->path);
        *loaded = 0;
        return CLI_EXIT_TRACE;
    }
    if (missing) {
        fputs("gotrace sql: loading", stderr);
        for (uint32_t t = 0; t < nt; t++)
            if (missing >> t & 1)
                fprintf(stderr, " %s", tables[t].name);
        fputc('\n', stderr);
    }
    return cli_sqlite_loader_load(R->lazy, R->path, R->from, R->to, need, loaded);
}

static int interactive(runner *R)
{
    R->interactive = 1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap), line[4096];
    if (!buf)
        return CLI_EXIT_TRACE;
    buf[0] = 0;
    fprintf(stderr, "gotrace sql: SQLite %s. End statements with ';'. .tables, .schema [TABLE], .quit\n",
            sqlite3_libversion());
    for (;;) {
        fputs(len ? "   ...> " : "gotrace> ", stdout);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            break;
        if (!len && line[0] == '.') {
            if (dot_command(R, line))
                break;
            continue;
        }
        size_t n = strlen(line);
        if (len + n + 1 > cap) {
            char *b = realloc(buf, cap = (len + n + 1) * 2);
            if (!b)
                break;
            buf = b;
        }
        memcpy(buf + len, line, n + 1);
        len += n;
        if (sqlite3_complete(buf)) {
            int loaded = 1, rc = R->lazy ? load_for(R, buf, &loaded) : CLI_EXIT_OK;
            if (!loaded) {
                /* The trace read before cannot be read now, or SQLite
                 * cannot write: the tables would be partial. */
                free(buf);
                return rc;
            }
            run_sql(R, buf);
            len = 0;
            buf[0] = 0;
            fflush(stdout);
        }
    }
    free(buf);
    putc('\n', stdout);
    return 0;
}

static int read_stdin(char **out)
{
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            } else {
                buf = b;
            }
        }
    }
    if (!buf)
        return -1;
    buf[len] = 0;
    *out = buf;
    return 0;
}

int cmd_sql(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_CSV = 1, OPT_JSON, OPT_FROM, OPT_TO };
    static const cli_option opts[] = {
        {"csv", 0, OPT_CSV}, {"json", 0, OPT_JSON}, {"from", 1, OPT_FROM}, {"to", 1, OPT_TO}, {NULL, 0, 0}};
    cli_args a;
    cli_args_init(&a, "sql", argc, argv);
    int mode = MODE_TABLE, rc;
    int64_t from = 0, to = INT64_MAX;
    for (int id; (id = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (id) {
        case OPT_CSV: mode = MODE_CSV; break;
        case OPT_JSON: mode = MODE_JSON; break;
        case OPT_FROM:
            if ((rc = cli_window_arg("sql", "--from", a.value, &from)))
                return rc;
            break;
        case OPT_TO:
            if ((rc = cli_window_arg("sql", "--to", a.value, &to)))
                return rc;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_option_given(&a, OPT_CSV) && cli_option_given(&a, OPT_JSON))
        return cli_usage_error("sql", "--csv and --json exclude each other");
    if (from > to)
        return cli_usage_error("sql", "--from is after --to");
    if (a.npos < 1)
        return cli_usage_error("sql", "missing trace file");
    if (a.npos > 2)
        return cli_usage_error("sql", "FILE and one QUERY expected (quote the query)");
    const char *path = a.pos[0], *query = a.npos == 2 ? a.pos[1] : NULL;
    int tty = !query && isatty(STDIN_FILENO);
    if (!query && !strcmp(path, "-"))
        return cli_usage_error("sql", "the trace comes from standard input: give the QUERY as an argument");

    /* The statements, when they are known before the load (an argument, or
     * all of a standard input that is not a terminal): only the tables they
     * read are loaded. */
    char *stdin_sql = NULL;
    if (!query && !tty) {
        if (read_stdin(&stdin_sql)) {
            fprintf(stderr, "gotrace sql: out of memory\n");
            return CLI_EXIT_TRACE;
        }
        query = stdin_sql;
    }
    /* The prompt on a file that can be read again loads tables as the
     * statements need them: first the traces row alone, which says whether
     * this is a trace (and reports a broken one). */
    struct stat st;
    memset(&st, 0, sizeof st);
    int lazy = tty && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    uint32_t tables = query ? cli_sqlite_tables_read(query) : lazy ? 1u << GT_ROWS_T_TRACES : 0;
    sqlite3 *db = cli_sqlite_open("sql", "");
    cli_sqlite_loader *S = db ? cli_sqlite_loader_new(db, "sql") : NULL;
    if (!S) {
        if (db)
            fprintf(stderr, "gotrace sql: out of memory\n");
        sqlite3_close(db);
        free(stdin_sql);
        return CLI_EXIT_TRACE;
    }
    int loaded;
    int load_rc = cli_sqlite_loader_load(S, path, from, to, tables, &loaded);
    if (!loaded) {
        cli_sqlite_loader_free(S);
        sqlite3_close(db);
        free(stdin_sql);
        return load_rc;
    }
    runner R = {db, mode, stdout, 0, lazy ? S : NULL, path, from, to, st};
    rc = query ? run_sql(&R, query) : interactive(&R);
    free(stdin_sql);
    cli_sqlite_loader_free(S);
    sqlite3_close(db);
    if (rc == CLI_EXIT_IO || load_rc == CLI_EXIT_OK)
        return rc;
    return load_rc;
}
