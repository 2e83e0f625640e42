/* gotrace export: a trace's tables (gotrace/rows.h) written for other
 * tools: --format=sqlite (one database file), --format=csv (a directory, one
 * file per table), --format=parquet (cli/parquet.h, when built in). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export_rows.h"
#include "sqlite_db.h"

/* The Parquet writer plugs in here: cli/parquet.h (h-parquet's) declares
 * cli_export_parquet (cli/export_parquet.c), which writes the same tables
 * from the same rows (export_rows.h) and returns an exit status. */
#if defined(__has_include)
#if __has_include("parquet.h")
#include "parquet.h"
#define HAVE_PARQUET 1
#endif
#endif

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace export --format=FORMAT [--tables LIST] [--from D] [--to D] FILE... -o OUT\n\n"
               "Write the trace's tables (those of gotrace sql, documented in the man page)\n"
               "for other tools, in bounded memory:\n\n"
               "  --format=sqlite   OUT is a SQLite database file with every table and the\n"
               "                    views of gotrace sql (one FILE)\n"
               "  --format=csv      OUT is a directory (created if needed) with one\n"
               "                    TABLE.csv per table: RFC 4180, a header line, NULL as\n"
               "                    an empty field (one FILE)\n"
               "  --format=parquet  OUT is a directory with one Parquet file per table;\n"
               "                    several FILEs (or --dataset) make a hive-partitioned\n"
               "                    dataset: OUT/TABLE/trace=NAME/part-0.parquet\n"
               "  -o OUT            the output; files are replaced only once complete\n"
               "  --tables LIST     only these tables (names separated by commas), for csv\n"
               "                    and parquet: less to write, and the work only the\n"
               "                    other tables need is skipped\n"
               "  --from D, --to D  the window (Go durations from the trace start): rows\n"
               "                    of events in it; goroutines, tasks and regions as\n"
               "                    gotrace goroutines/tasks/regions --from/--to give them\n\n"
               "On a broken trace the output holds every event read (traces.error says\n"
               "why it stopped) and the status is 1. FILE may be - for standard input, and\n"
               "gzip or zstd compressed. Exit: 0 ok, 1 broken trace, 2 usage, 3 write error.\n");
}

/* ---------------------------------------------------------------- CSV */

typedef struct csv_out {
    const gt_rows_table *tables;
    cli_output outs[GT_ROWS_T_COUNT];
    uint64_t rows;
} csv_out;

static void csv_text(FILE *f, gt_str s)
{
    int quote = 0;
    for (size_t i = 0; i < s.len && !quote; i++)
        quote = s.ptr[i] == ',' || s.ptr[i] == '"' || s.ptr[i] == '\r' || s.ptr[i] == '\n';
    if (!quote) {
        fwrite(s.ptr, 1, s.len, f);
        return;
    }
    putc('"', f);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '"')
            putc('"', f);
        putc(s.ptr[i], f);
    }
    putc('"', f);
}

static void csv_int(FILE *f, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), f);
}

static int csv_row(void *ctx, uint32_t t, const gt_rows_value *v)
{
    csv_out *c = ctx;
    FILE *f = c->outs[t].f;
    const gt_rows_table *tab = &c->tables[t];
    for (uint32_t j = 0; j < tab->n_columns; j++) {
        if (j)
            putc(',', f);
        if (v[j].null)
            continue;
        switch (tab->columns[j].type) {
        case GT_ROWS_TEXT: csv_text(f, v[j].s); break;
        case GT_ROWS_DOUBLE: fprintf(f, "%.17g", v[j].d); break;
        default: csv_int(f, v[j].i); break;
        }
    }
    fputs("\r\n", f);
    if ((++c->rows & 4095) == 0)
        for (uint32_t k = 0; k < GT_ROWS_T_COUNT; k++)
            if (c->outs[k].f && cli_write_check(c->outs[k].f))
                return CLI_EXIT_IO;
    return 0;
}

static int export_csv(const char *path, const char *dir, int64_t from, int64_t to, uint32_t tables)
{
    int made = mkdir(dir, 0777) == 0;
    if (!made && errno != EEXIST)
        return cli_usage_error("export", "cannot create directory %s: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
        return cli_usage_error("export", "%s is not a directory (--format=csv writes one file per table)", dir);
    uint32_t nt;
    csv_out c;
    memset(&c, 0, sizeof c);
    c.tables = gt_rows_tables(&nt);
    int rc = 0, traced = 0;
    for (uint32_t t = 0; t < nt && !rc; t++) {
        if (tables && !(tables >> t & 1))
            continue;
        size_t n = strlen(dir) + strlen(c.tables[t].name) + 8;
        char *file = malloc(n);
        if (!file) {
            rc = CLI_EXIT_TRACE;
            break;
        }
        snprintf(file, n, "%s/%s.csv", dir, c.tables[t].name);
        rc = cli_output_open(&c.outs[t], "export", file, path);
        /* cli_output keeps the path: freed after close */
        if (rc) {
            free(file);
            break;
        }
        const gt_rows_table *tab = &c.tables[t];
        for (uint32_t j = 0; j < tab->n_columns; j++)
            fprintf(c.outs[t].f, "%s%s", j ? "," : "", tab->columns[j].name);
        fputs("\r\n", c.outs[t].f);
    }
    if (!rc) {
        gt_rows_sink sink = {&c, csv_row};
        rc = cli_rows_run("export", path, NULL, from, to, tables, &sink, &traced);
    }
    /* A broken trace keeps the rows read; no trace at all, nothing. */
    int keep = rc == CLI_EXIT_OK || (rc == CLI_EXIT_TRACE && traced);
    for (uint32_t k = 0; k < nt; k++) {
        if (!c.outs[k].f)
            continue;
        if (keep && !cli_write_check(c.outs[k].f)) {
            int crc = cli_output_close(&c.outs[k]);
            if (crc)
                rc = crc, keep = 0;
        } else {
            if (keep)
                rc = CLI_EXIT_IO, keep = 0;
            cli_output_abort(&c.outs[k]);
        }
        free((char *)c.outs[k].path);
    }
    /* Nothing written: the directory made for it goes too. */
    if (made && !keep)
        rmdir(dir);
    return rc;
}

/* ------------------------------------------------------------- SQLite */

static int export_sqlite(const char *path, const char *out_path, int64_t from, int64_t to)
{
    if (!strcmp(out_path, "-"))
        return cli_usage_error("export", "--format=sqlite needs a file for -o, not standard output");
    /* The database is written to the temporary beside OUT that cli_output
     * made (its FILE stays empty), then renamed over OUT when complete. */
    cli_output out;
    int rc = cli_output_open(&out, "export", out_path, path);
    if (rc)
        return rc;
    if (!out.tmp) {
        cli_output_abort(&out);
        return cli_usage_error("export", "--format=sqlite needs a regular file for -o: %s", out_path);
    }
    sqlite3 *db = cli_sqlite_open("export", out.tmp);
    if (!db) {
        cli_output_abort(&out);
        return CLI_EXIT_IO;
    }
    int loaded;
    rc = cli_sqlite_load(db, "export", path, from, to, 0, &loaded);
    if (sqlite3_close(db) != SQLITE_OK && loaded) {
        fprintf(stderr, "gotrace: write error: closing the database failed\n");
        rc = CLI_EXIT_IO, loaded = 0;
    }
    if (!loaded) {
        cli_output_abort(&out);
        return rc;
    }
    int crc = cli_output_close(&out);
    return crc ? crc : rc;
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_FORMAT = 1, OPT_OUT, OPT_FROM, OPT_TO, OPT_DATASET, OPT_TABLES };
    static const cli_option opts[] = {{"format", 1, OPT_FORMAT},   {"o", 1, OPT_OUT},
                                      {"from", 1, OPT_FROM},       {"to", 1, OPT_TO},
                                      {"dataset", 0, OPT_DATASET}, {"tables", 1, OPT_TABLES},
                                      {NULL, 0, 0}};
    cli_args a;
    cli_args_init(&a, "export", argc, argv);
    const char *format = NULL, *out = NULL;
    int64_t from = 0, to = INT64_MAX;
    uint32_t tables = 0;
    int rc;
    for (int id; (id = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (id) {
        case OPT_FORMAT: format = a.value; break;
        case OPT_DATASET: break;
        case OPT_TABLES:
            if ((rc = cli_tables_arg("export", a.value, &tables)))
                return rc;
            break;
        case OPT_OUT: out = a.value; break;
        case OPT_FROM:
            if ((rc = cli_window_arg("export", "--from", a.value, &from)))
                return rc;
            break;
        case OPT_TO:
            if ((rc = cli_window_arg("export", "--to", a.value, &to)))
                return rc;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!format)
        return cli_usage_error("export", "missing --format (sqlite, csv or parquet)");
    if (from > to)
        return cli_usage_error("export", "--from is after --to");
    if (a.npos < 1)
        return cli_usage_error("export", "missing trace file");
    if (!out)
        return cli_usage_error("export", "missing -o OUT");
    if (!strcmp(format, "parquet")) {
#ifdef HAVE_PARQUET
        return cli_export_parquet(a.pos, a.npos, out, cli_option_given(&a, OPT_DATASET), from, to, tables);
#else
        return cli_usage_error("export", "--format=parquet is not built into this gotrace");
#endif
    }
    if (cli_option_given(&a, OPT_DATASET))
        return cli_usage_error("export", "--dataset is for --format=parquet");
    if (strcmp(format, "sqlite") && strcmp(format, "csv"))
        return cli_usage_error("export", "unknown --format '%s' (sqlite, csv or parquet)", format);
    if (a.npos > 1)
        return cli_usage_error("export", "--format=%s takes one trace file", format);
    if (!strcmp(format, "sqlite")) {
        if (tables)
            return cli_usage_error("export", "--tables is for --format=csv and parquet (the database's views "
                                             "read every table)");
        return export_sqlite(a.pos[0], out, from, to);
    }
    return export_csv(a.pos[0], out, from, to, tables);
}
