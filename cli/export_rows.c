/* The loop from a trace to table rows (export_rows.h). */
#include <string.h>

#include "cli.h"
#include "export_rows.h"
#include "gotrace/duration.h"
#include "gotrace/window.h"

int cli_window_arg(const char *cmd, const char *opt, const char *val, int64_t *ns)
{
    gt_error err;
    if (gt_parse_duration(val, ns, &err))
        return cli_usage_error(cmd, "%s: %s", opt, err.message);
    if (*ns < 0)
        return cli_usage_error(cmd, "%s: negative duration", opt);
    return 0;
}

int cli_table_index(const char *name, size_t len)
{
    uint32_t nt;
    const gt_rows_table *tables = gt_rows_tables(&nt);
    for (uint32_t t = 0; t < nt && t < 32; t++)
        if (strlen(tables[t].name) == len && !strncmp(tables[t].name, name, len))
            return (int)t;
    return -1;
}

int cli_tables_arg(const char *cmd, const char *list, uint32_t *mask)
{
    uint32_t nt;
    const gt_rows_table *tables = gt_rows_tables(&nt);
    *mask = 0;
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int t = cli_table_index(p, len);
        if (t < 0) {
            char names[1024];
            size_t at = 0;
            for (uint32_t k = 0; k < nt && at < sizeof names; k++)
                at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", k ? ", " : "", tables[k].name);
            return cli_usage_error(cmd, "--tables: no table '%.*s' (tables: %s)", (int)len, p, names);
        }
        *mask |= 1u << t;
        if (!end)
            return 0;
        p = end + 1;
    }
}

/* The sink cli_rows_run hands gt_rows: the caller's, without the traces row
 * when the caller's mask leaves it out (gt_rows always makes it: it says
 * the trace was read to its end or its error). */
typedef struct rows_filter {
    const gt_rows_sink *sink;
    uint32_t tables;
    int traced;
} rows_filter;

static int filter_row(void *ctx, uint32_t table, const gt_rows_value *values)
{
    rows_filter *f = ctx;
    if (table == GT_ROWS_T_TRACES) {
        f->traced = 1;
        if (f->tables && !(f->tables >> table & 1))
            return 0;
    }
    return f->sink->row(f->sink->ctx, table, values);
}

int cli_rows_run(const char *cmd, const char *path, const char *name, int64_t from, int64_t to, uint32_t tables,
                 const gt_rows_sink *sink, int *traced)
{
    *traced = 0;
    cli_input in;
    int rc = cli_input_open(&in, cmd, path, 0);
    if (rc)
        return rc;
    gt_error err;
    gt_reader *r = cli_input_reader(&in, &err);
    if (!r) {
        if (err.code == GT_ERR_IO) {
            rc = cli_usage_error(cmd, "cannot read %s: %s", path, err.message);
        } else {
            rc = cli_trace_error(path, &err);
            cli_input_explain(in.fd, &err);
        }
        int in_rc = cli_input_close(&in);
        return rc ? rc : in_rc;
    }
    if (!name)
        name = path;
    gt_rows_options o = {{name, strlen(name)}, gt_reader_version(r), from, to};
    rows_filter filter = {sink, tables, 0};
    gt_rows_sink filtered = {&filter, filter_row};
    gt_rows *rows = gt_rows_new(&filtered, &o);
    if (rows && tables)
        gt_rows_set_tables(rows, tables | 1u << GT_ROWS_T_TRACES);
    cli_progress progress = {0, 0, 0};
    rc = rows ? 0 : -1;
    enum { BATCH = 256 };
    gt_event evs[BATCH];
    size_t n = 1;
    uint64_t events = 0;
    int64_t first = 0, last = 0;
    while (!rc && n > 0) {
        n = gt_reader_next_batch(r, evs, BATCH);
        if (n) {
            if (!events)
                first = evs[0].time;
            last = evs[n - 1].time;
            events += n;
        }
        for (size_t i = 0; i < n && !rc; i++) {
            cli_progress_event(&progress, r, &evs[i]);
            rc = gt_rows_event(rows, &evs[i]);
        }
    }
    cli_progress_finish(&progress, r);
    if (!rc)
        rc = gt_rows_finish(rows, gt_reader_error(r));
    if (rc < 0) {
        fprintf(stderr, "gotrace %s: out of memory\n", cmd);
        rc = CLI_EXIT_TRACE;
    } else if (!rc && gt_reader_error(r)) {
        rc = cli_trace_error(path, gt_reader_error(r));
        cli_report_loss(path, &progress);
    }
    /* A window that starts after the last event read is the other
     * commands' usage error (gt_window_check_trace), not empty tables; the
     * callers keep nothing on a usage error. */
    gt_window w = {from, to};
    gt_error werr;
    if ((rc == CLI_EXIT_OK || rc == CLI_EXIT_TRACE) && events && gt_window_check_trace(&w, first, last, &werr))
        rc = cli_usage_error(cmd, "%s", werr.message);
    *traced = filter.traced;
    gt_rows_free(rows);
    gt_reader_free(r);
    int in_rc = cli_input_close(&in);
    return rc ? rc : in_rc;
}
