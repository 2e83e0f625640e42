/* gotrace export --format=parquet: the tables of gotrace/rows.h, one
 * Parquet file each (cli/parquet.c), for one trace or a hive-partitioned
 * dataset of many (cli/parquet.h says which files). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export_rows.h"
#include "gotrace/rows.h"
#include "parquet.h"

/* The dataset's partition name of a trace path (see parquet.h). */
static void trace_name(const char *path, char *name, size_t cap)
{
    if (!strcmp(path, "-")) {
        snprintf(name, cap, "stdin");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    static const char *const suffixes[] = {".gz", ".zst", ".trace"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && !memcmp(base + n - k, suffixes[i], k))
            n -= k;
    }
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                 c == '-';
        name[i] = ok ? c : '_';
    }
    name[n] = 0;
    if (!n || !strcmp(name, ".") || !strcmp(name, ".."))
        snprintf(name, cap, "trace");
}

/* The directories this export made, so that those left empty (no trace
 * written into them) are removed at the end. */
typedef struct made_dirs {
    char **v;
    size_t n, cap;
} made_dirs;

static void remember_dir(made_dirs *m, const char *dir)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 32;
        char **v = realloc(m->v, cap * sizeof *v);
        if (!v)
            return;  /* then that directory may stay behind, empty */
        m->v = v;
        m->cap = cap;
    }
    if ((m->v[m->n] = strdup(dir)))
        m->n++;
}

/* Removes the directories made that are empty, innermost (latest) first:
 * rmdir leaves any that holds a file. */
static void remove_empty_dirs(made_dirs *m)
{
    while (m->n > 0) {
        char *d = m->v[--m->n];
        rmdir(d);
        free(d);
    }
    free(m->v);
}

/* mkdir -p of path (its last component included), each directory made
 * remembered in m: 0, or -1 with errno. */
static int make_dirs(const char *path, made_dirs *m)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = 0;
        struct stat st;
        if (mkdir(buf, 0777) == 0) {
            remember_dir(m, buf);
        } else if (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (errno == EEXIST)
                errno = ENOTDIR;
            return -1;
        }
        if (!c)
            return 0;
        *p = c;
    }
}

/* One table's output while a trace is exported. */
typedef struct table_out {
    cli_output out;
    pq_writer *w;
    int open;
} table_out;

typedef struct job {
    const gt_rows_table *tables;
    uint32_t ntables;
    table_out *t;
    const char *name;  /* the trace column's value, or NULL: no such column */
    size_t name_len;
    int failed;        /* a writer failed: its table's index + 1 */
    made_dirs *made;
} job;

static int row(void *ctx, uint32_t table, const gt_rows_value *v)
{
    job *j = ctx;
    pq_writer *w = j->t[table].w;
    const gt_rows_table *tb = &j->tables[table];
    int col = 0, rc = 0;
    if (j->name)
        rc = pq_put_text(w, col++, j->name, j->name_len);
    for (uint32_t i = 0; i < tb->n_columns && !rc; i++, col++) {
        if (v[i].null) {
            rc = pq_put_null(w, col);
            continue;
        }
        switch (tb->columns[i].type) {
        case GT_ROWS_INT64: rc = pq_put_int64(w, col, v[i].i); break;
        case GT_ROWS_DOUBLE: rc = pq_put_double(w, col, v[i].d); break;
        case GT_ROWS_TEXT: rc = pq_put_text(w, col, v[i].s.len ? v[i].s.ptr : "", v[i].s.len); break;
        default: rc = pq_put_bool(w, col, v[i].i != 0); break;
        }
    }
    if (!rc)
        rc = pq_end_row(w);
    if (rc) {
        if (!j->failed)
            j->failed = (int)table + 1;
        return CLI_EXIT_IO;  /* export_one prints the writer's error */
    }
    return 0;
}

/* A writer's failure as the CLI reports it: the exit status. */
static int writer_error(pq_writer *w, const char *path)
{
    if (pq_writer_errno(w))
        return cli_write_error(pq_writer_errno(w));
    fprintf(stderr, "gotrace export: %s: %s\n", path, pq_writer_message(w));
    return CLI_EXIT_IO;
}

/* Whether a column holds nanoseconds since the Unix epoch (rows.h says so in
 * its description): such a column is a Parquet TIMESTAMP. */
static int is_timestamp(const gt_rows_column *c)
{
    return c->type == GT_ROWS_INT64 && !strcmp(c->unit, "ns") && strstr(c->doc, "since the Unix epoch");
}

/* Opens table t's output and writer. 0 or the exit status (message printed). */
static int open_table(job *j, uint32_t t, const char *out_dir, int dataset, const char *input)
{
    const gt_rows_table *tb = &j->tables[t];
    char dir[PATH_MAX], path[PATH_MAX];
    int n = dataset ? snprintf(dir, sizeof dir, "%s/%s/trace=%s", out_dir, tb->name, j->name)
                    : snprintf(dir, sizeof dir, "%s", out_dir);
    if (n < 0 || n >= (int)sizeof dir ||
        snprintf(path, sizeof path, dataset ? "%s/part-0.parquet" : "%s/%s.parquet", dir, tb->name) >=
            (int)sizeof path) {
        fprintf(stderr, "gotrace export: %s: %s\n", dir, strerror(ENAMETOOLONG));
        return CLI_EXIT_USAGE;
    }
    if (make_dirs(dir, j->made) != 0) {
        fprintf(stderr, "gotrace export: cannot create %s: %s\n", dir, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    int rc = cli_output_open(&j->t[t].out, "export", path, input);
    if (rc)
        return rc;
    j->t[t].open = 1;
    pq_column cols[64];
    int nc = 0;
    if (dataset)
        cols[nc++] = (pq_column){"trace", PQ_TEXT, 0, 0};
    for (uint32_t i = 0; i < tb->n_columns && nc < (int)(sizeof cols / sizeof cols[0]); i++) {
        const gt_rows_column *c = &tb->columns[i];
        int type = c->type == GT_ROWS_INT64 ? PQ_INT64 : c->type == GT_ROWS_DOUBLE ? PQ_DOUBLE
                   : c->type == GT_ROWS_TEXT ? PQ_TEXT : PQ_BOOL;
        cols[nc++] = (pq_column){c->name, type, c->nullable, is_timestamp(c)};
    }
    j->t[t].w = pq_writer_new(j->t[t].out.f, cols, nc, NULL);
    if (!j->t[t].w || pq_set_metadata(j->t[t].w, "gotrace.table", tb->name) ||
        pq_set_metadata(j->t[t].w, "gotrace.doc", tb->doc)) {
        fprintf(stderr, "gotrace export: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    return 0;
}

/* Exports one trace: every table's output opened, the rows written as
 * cli_rows_run reads them, then every file completed and renamed. Returns
 * the exit status; *stop set when the others should not be tried (a write
 * error). */
static int export_one(const char *path, const char *name, const char *out_dir, int dataset, int64_t from,
                      int64_t to, uint32_t wanted, made_dirs *made, int *stop)
{
    uint32_t nt;
    const gt_rows_table *tables = gt_rows_tables(&nt);
    table_out *outs = calloc(nt, sizeof *outs);
    if (!outs) {
        fprintf(stderr, "gotrace export: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    job j = {tables, nt, outs, dataset ? name : NULL, strlen(name), 0, made};
    int rc = 0, traced = 0;
    for (uint32_t t = 0; t < nt && !rc; t++)
        if (!wanted || wanted >> t & 1)
            rc = open_table(&j, t, out_dir, dataset, path);
    if (rc) {
        *stop = 1;
    } else {
        gt_rows_sink sink = {&j, row};
        rc = cli_rows_run("export", path, NULL, from, to, wanted, &sink, &traced);
    }
    /* The rows are complete once the traces row came (gt_rows_finish ran):
     * a broken trace's files hold what was read. Otherwise (not a trace,
     * no memory, a write error) nothing is kept. */
    int complete = traced && !j.failed && (rc == CLI_EXIT_OK || rc == CLI_EXIT_TRACE);
    for (uint32_t t = 0; t < nt && complete; t++)
        if (outs[t].w && pq_finish(outs[t].w)) {
            j.failed = (int)t + 1;
            complete = 0;
        }
    if (j.failed) {
        rc = writer_error(outs[j.failed - 1].w, outs[j.failed - 1].out.path);
        *stop = 1;
    }
    /* Every table complete: flush and rename them all; the first failure
     * leaves the rest as they were. */
    for (uint32_t t = 0; t < nt && complete; t++) {
        if (!outs[t].open)
            continue;
        int close_rc = cli_write_check(outs[t].out.f);
        if (!close_rc)
            close_rc = cli_output_close(&outs[t].out);
        outs[t].open = 0;
        if (close_rc) {
            rc = close_rc;
            *stop = 1;
            complete = 0;
        }
    }
    for (uint32_t t = 0; t < nt; t++) {
        if (outs[t].open)
            cli_output_abort(&outs[t].out);
        pq_writer_free(outs[t].w);
    }
    free(outs);
    return rc;
}

int cli_export_parquet(const char *const *files, int nfiles, const char *out_dir, int dataset, int64_t from,
                       int64_t to, uint32_t tables)
{
    enum { NAME_MAX_LEN = 200 };
    if (nfiles < 1)
        return cli_usage_error("export", "missing trace file");
    dataset = dataset || nfiles > 1;
    char (*names)[NAME_MAX_LEN + 1] = calloc((size_t)nfiles, sizeof *names);
    if (!names) {
        fprintf(stderr, "gotrace export: out of memory\n");
        return CLI_EXIT_TRACE;
    }
    int rc = 0;
    for (int i = 0; i < nfiles && !rc; i++) {
        trace_name(files[i], names[i], sizeof names[i]);
        for (int k = 0; k < i && !rc; k++)
            if (!strcmp(names[k], names[i]))
                rc = cli_usage_error("export", "%s and %s would be the same partition trace=%s", files[k], files[i],
                                     names[i]);
    }
    made_dirs made = {NULL, 0, 0};
    if (!rc && make_dirs(out_dir, &made) != 0) {
        fprintf(stderr, "gotrace export: cannot create %s: %s\n", out_dir, strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    /* A broken trace does not stop the others; a write error does. */
    int worst = rc, stop = rc != 0;
    for (int i = 0; i < nfiles && !stop; i++) {
        rc = export_one(files[i], names[i], out_dir, dataset, from, to, tables, &made, &stop);
        if (rc > worst || (rc && !worst))
            worst = rc;
    }
    /* A trace that was not written (missing, not a trace, a write error)
     * leaves no empty directory of ours behind. */
    remove_empty_dirs(&made);
    free(names);
    return worst;
}
