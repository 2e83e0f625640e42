/* gotrace/rows.h: the schema's shape, and the rows of the example trace
 * against the events the reader gives (one g_transitions / p_transitions /
 * metrics / ... row per event of that kind), the goroutine analysis (one
 * goroutines row per goroutine), the typing and NULL rules of the schema,
 * stacks described before they are used, the window, a table mask
 * (gt_rows_set_tables; test_columns compares masked rows value by value),
 * and a sink that stops the feeding. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/analysis.h"
#include "gotrace/rows.h"

static int name_ok(const char *s, int digits)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_' || (digits && *s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static void test_schema(void)
{
    uint32_t n = 0;
    const gt_rows_table *t = gt_rows_tables(&n);
    int ok = n == GT_ROWS_T_COUNT && t != NULL;
    char why[256] = "";
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = name_ok(t[i].name, 0) && t[i].doc && *t[i].doc && t[i].n_columns > 0;
        for (uint32_t j = 0; ok && j < i; j++)
            ok = strcmp(t[i].name, t[j].name) != 0;
        for (uint32_t c = 0; ok && c < t[i].n_columns; c++) {
            const gt_rows_column *col = &t[i].columns[c];
            ok = name_ok(col->name, 1) && col->type >= GT_ROWS_INT64 && col->type <= GT_ROWS_BOOL && col->unit &&
                 col->doc && *col->doc && (!*col->unit || !strcmp(col->unit, "ns"));
            for (uint32_t d = 0; ok && d < c; d++)
                ok = strcmp(col->name, t[i].columns[d].name) != 0;
            if (!ok)
                snprintf(why, sizeof why, "%s.%s", t[i].name, col->name);
        }
        if (!ok && !*why)
            snprintf(why, sizeof why, "table %s", t[i].name);
    }
    check(ok, "rows_schema", "bad: %s", why);
    check(!strcmp(t[GT_ROWS_T_G_TRANSITIONS].name, "g_transitions") && !strcmp(t[GT_ROWS_T_TRACES].name, "traces") &&
              !strcmp(t[GT_ROWS_T_LABELS].name, "labels"),
          "rows_schema_indexes", "GT_ROWS_T_* do not name their tables");
}

typedef struct counter {
    const gt_rows_table *tables;
    uint64_t rows[GT_ROWS_T_COUNT];
    int64_t max_stack;        /* highest stack ID described so far */
    char bad[256];
    int64_t lo, hi;           /* g_transitions times seen */
    int stop_after;           /* return 7 at this row (0: never) */
    int seen;
} counter;

static int count_row(void *ctx, uint32_t t, const gt_rows_value *v)
{
    counter *c = ctx;
    const gt_rows_table *tab = &c->tables[t];
    c->rows[t]++;
    for (uint32_t j = 0; j < tab->n_columns && !c->bad[0]; j++) {
        const gt_rows_column *col = &tab->columns[j];
        if (v[j].null && !col->nullable)
            snprintf(c->bad, sizeof c->bad, "%s.%s is NULL", tab->name, col->name);
        else if (!v[j].null && col->type == GT_ROWS_TEXT && !v[j].s.ptr)
            snprintf(c->bad, sizeof c->bad, "%s.%s: text without a pointer", tab->name, col->name);
        else if (!v[j].null && col->type == GT_ROWS_BOOL && v[j].i != 0 && v[j].i != 1)
            snprintf(c->bad, sizeof c->bad, "%s.%s: bool %lld", tab->name, col->name, (long long)v[j].i);
        else if (!v[j].null && !strcmp(col->name, "duration") && v[j].i < 0)
            snprintf(c->bad, sizeof c->bad, "%s.duration < 0", tab->name);
        else if (!v[j].null && (!strcmp(col->name, "stack") || !strcmp(col->name, "cause_stack")) &&
                 t != GT_ROWS_T_FRAMES && v[j].i > c->max_stack)
            snprintf(c->bad, sizeof c->bad, "%s.%s %lld used before it is described", tab->name, col->name,
                     (long long)v[j].i);
    }
    if (t == GT_ROWS_T_STACKS) {
        if (v[0].i != c->max_stack + 1 && !c->bad[0])
            snprintf(c->bad, sizeof c->bad, "stack %lld after %lld", (long long)v[0].i, (long long)c->max_stack);
        c->max_stack = v[0].i;
    }
    if (t == GT_ROWS_T_G_TRANSITIONS) {
        if (c->rows[t] == 1 || v[0].i < c->lo)
            c->lo = v[0].i;
        if (c->rows[t] == 1 || v[0].i > c->hi)
            c->hi = v[0].i;
    }
    return c->stop_after && ++c->seen == c->stop_after ? 7 : 0;
}

typedef struct expect {
    uint64_t g, p, metrics, logs, labels, samples, events;
    size_t goroutines;
    int64_t first;
} expect;

/* Feeds path to a gt_rows (and a summary, for the expected figures).
 * Returns the last status of gt_rows_*. */
static int feed(const char *path, counter *c, expect *e, const gt_rows_options *o, gt_rows **out)
{
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r)
        return -100;
    uint32_t n;
    c->tables = gt_rows_tables(&n);
    gt_rows_sink sink = {c, count_row};
    gt_rows *rows = gt_rows_new(&sink, o);
    gt_summary *s = gt_summary_new();
    gt_event ev;
    int rc = 0;
    memset(e, 0, sizeof *e);
    while (gt_reader_next(r, &ev) == 1) {
        gt_state_transition st;
        if (!e->events++)
            e->first = ev.time;
        if (!gt_event_state_transition(&ev, &st)) {
            e->g += st.resource.kind == GT_RESOURCE_GOROUTINE;
            e->p += st.resource.kind == GT_RESOURCE_PROC;
        }
        e->metrics += ev.kind == GT_EVENT_METRIC;
        e->logs += ev.kind == GT_EVENT_LOG;
        e->labels += ev.kind == GT_EVENT_LABEL;
        e->samples += ev.kind == GT_EVENT_STACK_SAMPLE;
        gt_summary_event(s, &ev);
        if (!rc)
            rc = gt_rows_event(rows, &ev);
    }
    if (!rc)
        rc = gt_rows_finish(rows, gt_reader_error(r));
    gt_summary_finalize(s);
    e->goroutines = gt_summary_goroutine_count(s);
    gt_summary_free(s);
    gt_reader_free(r);
    *out = rows;
    return rc;
}

int main(void)
{
    test_schema();
    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/hello.trace", root && *root ? root : ".");

    counter c;
    expect e;
    gt_rows *rows;
    memset(&c, 0, sizeof c);
    int rc = feed(path, &c, &e, NULL, &rows);
    check(rc == 0, "rows_hello_feed", "status %d", rc);
    check(!c.bad[0], "rows_hello_values", "%s", c.bad);
    check(c.rows[GT_ROWS_T_G_TRANSITIONS] == e.g && e.g > 0, "rows_hello_g_transitions", "%llu rows, %llu events",
          (unsigned long long)c.rows[GT_ROWS_T_G_TRANSITIONS], (unsigned long long)e.g);
    check(c.rows[GT_ROWS_T_P_TRANSITIONS] == e.p && e.p > 0, "rows_hello_p_transitions", "%llu rows, %llu events",
          (unsigned long long)c.rows[GT_ROWS_T_P_TRANSITIONS], (unsigned long long)e.p);
    check(c.rows[GT_ROWS_T_METRICS] == e.metrics && c.rows[GT_ROWS_T_LOGS] == e.logs &&
              c.rows[GT_ROWS_T_LABELS] == e.labels && c.rows[GT_ROWS_T_CPU_SAMPLES] == e.samples,
          "rows_hello_event_tables", "metrics %llu/%llu logs %llu/%llu labels %llu/%llu samples %llu/%llu",
          (unsigned long long)c.rows[GT_ROWS_T_METRICS], (unsigned long long)e.metrics,
          (unsigned long long)c.rows[GT_ROWS_T_LOGS], (unsigned long long)e.logs,
          (unsigned long long)c.rows[GT_ROWS_T_LABELS], (unsigned long long)e.labels,
          (unsigned long long)c.rows[GT_ROWS_T_CPU_SAMPLES], (unsigned long long)e.samples);
    check(c.rows[GT_ROWS_T_GOROUTINES] == e.goroutines && c.rows[GT_ROWS_T_TRACES] == 1,
          "rows_hello_goroutines", "%llu rows, %zu goroutines, %llu traces rows",
          (unsigned long long)c.rows[GT_ROWS_T_GOROUTINES], e.goroutines,
          (unsigned long long)c.rows[GT_ROWS_T_TRACES]);
    check(c.rows[GT_ROWS_T_STACKS] > 0 && c.rows[GT_ROWS_T_FRAMES] >= c.rows[GT_ROWS_T_STACKS],
          "rows_hello_stacks", "%llu stacks, %llu frames", (unsigned long long)c.rows[GT_ROWS_T_STACKS],
          (unsigned long long)c.rows[GT_ROWS_T_FRAMES]);
    int same = 1;
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
        same &= gt_rows_count(rows, t) == c.rows[t];
    check(same && gt_rows_count(rows, GT_ROWS_T_COUNT) == 0, "rows_count", "gt_rows_count differs from the sink");
    gt_rows_free(rows);

    /* A window of 1 ms from 1 ms: only transitions in it. */
    counter w;
    memset(&w, 0, sizeof w);
    gt_rows_options o = {{"w", 1}, 0, 1000000, 2000000};
    rc = feed(path, &w, &e, &o, &rows);
    check(rc == 0 && w.rows[GT_ROWS_T_G_TRANSITIONS] > 0 &&
              w.rows[GT_ROWS_T_G_TRANSITIONS] < c.rows[GT_ROWS_T_G_TRANSITIONS] && w.lo >= e.first + 1000000 &&
              w.hi <= e.first + 2000000,
          "rows_window", "status %d, %llu rows in [%lld, %lld]", rc,
          (unsigned long long)w.rows[GT_ROWS_T_G_TRANSITIONS], (long long)(w.lo - e.first), (long long)(w.hi - e.first));
    gt_rows_free(rows);

    /* A table mask: only those tables reach the sink and are counted, as
     * many rows as without the mask; set after the first event, ignored. */
    counter m;
    memset(&m, 0, sizeof m);
    {
        gt_error err;
        gt_reader *r = gt_reader_open_path(path, &err);
        gt_rows_sink sink = {&m, count_row};
        uint32_t nt;
        m.tables = gt_rows_tables(&nt);
        rows = gt_rows_new(&sink, NULL);
        gt_rows_set_tables(rows, 1u << GT_ROWS_T_G_TRANSITIONS | 1u << GT_ROWS_T_STACKS);
        gt_event ev;
        rc = 0;
        int first = 1;
        while (r && !rc && gt_reader_next(r, &ev) == 1) {
            rc = gt_rows_event(rows, &ev);
            if (first)
                gt_rows_set_tables(rows, 0);  /* too late: ignored */
            first = 0;
        }
        if (!rc)
            rc = gt_rows_finish(rows, NULL);
        int only = 1;
        for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
            if (t != GT_ROWS_T_G_TRANSITIONS && t != GT_ROWS_T_STACKS)
                only &= m.rows[t] == 0 && gt_rows_count(rows, t) == 0;
        check(r && rc == 0 && only && !m.bad[0] &&
                  m.rows[GT_ROWS_T_G_TRANSITIONS] == c.rows[GT_ROWS_T_G_TRANSITIONS] &&
                  m.rows[GT_ROWS_T_STACKS] == c.rows[GT_ROWS_T_STACKS] &&
                  gt_rows_count(rows, GT_ROWS_T_G_TRANSITIONS) == c.rows[GT_ROWS_T_G_TRANSITIONS],
              "rows_set_tables", "status %d, other tables' rows %s, %llu g_transitions (%llu without a mask): %s", rc,
              only ? "none" : "some", (unsigned long long)m.rows[GT_ROWS_T_G_TRANSITIONS],
              (unsigned long long)c.rows[GT_ROWS_T_G_TRANSITIONS], m.bad);
        gt_rows_free(rows);
        gt_reader_free(r);
    }

    /* A sink that stops: its status comes back, and stays. */
    counter s;
    memset(&s, 0, sizeof s);
    s.stop_after = 10;
    rc = feed(path, &s, &e, NULL, &rows);
    int again = gt_rows_finish(rows, NULL);
    uint64_t total = 0;
    for (uint32_t t = 0; t < GT_ROWS_T_COUNT; t++)
        total += s.rows[t];
    check(rc == 7 && again == 7 && total == 10, "rows_sink_stops", "status %d then %d, %llu rows", rc, again,
          (unsigned long long)total);
    gt_rows_free(rows);
    gt_rows_free(NULL);
    return check_done();
}
