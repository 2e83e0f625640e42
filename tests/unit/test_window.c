/* Windows of the MMU and the pprof profiles (gotrace/window.h) against
 * independent computations on real traces (tests/data/analysis, and corpus
 * traces when ../shared is there):
 *  - MMU: the windowed utilisation function is the whole trace's restricted
 *    to the window (the value in effect at its start, the changes inside, a
 *    final 0 at its end, also where the whole trace's ends at an earlier
 *    last change), and gt_mmu_at of the windowed MMU equals a
 *    brute-force minimum over that function, for several window sizes;
 *  - pprof (sched, sync): the windowed profile's total delay and count equal
 *    a brute-force replay: per goroutine, each episode (entering the state
 *    until leaving it) that ends in the window, clipped to the window and to
 *    the goroutine's interval [start_time, end_time or trace end] of the
 *    whole trace's summary (Go's pprofOverlappingDuration).
 *  - windows of the whole trace give the whole trace's figures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/analysis.h"
#include "gotrace/window.h"

/* Feeds every event of path to fn; returns the count, or -1. */
static long each_event(const char *path, int (*fn)(void *, const gt_event *), void *ctx)
{
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r)
        return -1;
    gt_event ev;
    long n = 0;
    while (gt_reader_next(r, &ev) == 1) {
        if (fn(ctx, &ev)) {
            n = -1;
            break;
        }
        n++;
    }
    gt_reader_free(r);
    return n;
}

static int mmu_fn(void *ctx, const gt_event *ev) { return gt_mmu_event(ctx, ev); }

typedef struct first_last {
    int64_t first, last;
    long n;
} first_last;

static int span_fn(void *ctx, const gt_event *ev)
{
    first_last *s = ctx;
    if (s->n++ == 0)
        s->first = ev->time;
    s->last = ev->time;
    return 0;
}

/* Integral of u (n points; the last is the end) from its start to t. */
static double integral(const gt_mutator_util *u, size_t n, int64_t t)
{
    double s = 0;
    for (size_t i = 0; i + 1 < n && u[i].time < t; i++) {
        int64_t e = u[i + 1].time < t ? u[i + 1].time : t;
        s += u[i].util * (double)(e - u[i].time);
    }
    return s;
}

/* The lowest mean utilisation of windows of length w inside u's span: the
 * minimum is reached with an edge of the window at a change of u. */
static double brute_mmu(const gt_mutator_util *u, size_t n, int64_t w)
{
    int64_t lo = u[0].time, hi = u[n - 1].time;
    double best = 1;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            int64_t s = u[i].time - (k ? w : 0);
            if (s < lo || s > hi - w)
                continue;
            double m = (integral(u, n, s + w) - integral(u, n, s)) / (double)w;
            if (m < best)
                best = m;
        }
    return best;
}

static void test_mmu(const char *name, const char *path, first_last sp)
{
    int64_t len = sp.last - sp.first;
    gt_window w = {len / 5, len / 5 * 3};
    gt_mmu *whole = gt_mmu_new(GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP);
    gt_mmu *win = gt_mmu_new(GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP);
    gt_mmu_set_window(win, &w);
    char n1[128];
    snprintf(n1, sizeof n1, "window/mmu-series/%s", name);
    if (!check(each_event(path, mmu_fn, whole) > 0 && each_event(path, mmu_fn, win) > 0 &&
                   gt_mmu_finish(whole) == 0 && gt_mmu_finish(win) == 0,
               n1, "reading failed")) {
        gt_mmu_free(whole);
        gt_mmu_free(win);
        return;
    }
    size_t nw, nv;
    const gt_mutator_util *uw = gt_mmu_series(whole, 0, &nw), *uv = gt_mmu_series(win, 0, &nv);
    if (!check(uw && uv && nv >= 2, n1, "no utilisation function (%zu, %zu points)", nw, nv)) {
        gt_mmu_free(whole);
        gt_mmu_free(win);
        return;
    }
    /* The whole function restricted to [f, e]. */
    int64_t f = sp.first + w.from, e = sp.first + w.to;
    gt_mutator_util *want = malloc((nw + 2) * sizeof *want);
    size_t k = 0;
    for (size_t i = 0; i < nw; i++) {
        if (uw[i].time <= f)
            want[k = 0] = (gt_mutator_util){f, uw[i].util}, k = 1;
        else if (uw[i].time < e)
            want[k++] = uw[i];
    }
    if (!k || want[k - 1].time < e)  /* the function lasts to the window's end */
        want[k++] = (gt_mutator_util){e, 0};
    int same = k == nv;
    for (size_t i = 0; same && i < k; i++)
        same = want[i].time == uv[i].time && want[i].util == uv[i].util;
    check(same, n1, "%zu points, the whole function restricted: %zu", nv, k);
    free(want);

    char n2[128];
    snprintf(n2, sizeof n2, "window/mmu-brute/%s", name);
    int64_t span = uv[nv - 1].time - uv[0].time, sizes[] = {span / 50, span / 7, span / 2, span};
    int ok = 1, compared = 0;
    for (int i = 0; i < 4 && ok; i++) {
        if (sizes[i] <= 0)
            continue;
        double got = gt_mmu_at(win, sizes[i]), want_mmu = brute_mmu(uv, nv, sizes[i]);
        /* Equal but for rounding: the sums run in another order. */
        ok = check(fabs(got - want_mmu) < 1e-6, n2, "window %lld ns: %.12f, brute force %.12f",
                   (long long)sizes[i], got, want_mmu);
        compared++;
    }
    if (ok)
        check(compared > 0, n2, "nothing compared");
    gt_mmu_free(whole);
    gt_mmu_free(win);
}

/* ---------------------------------------------------------------- pprof */

enum { MAXG = 1 << 16 };

typedef struct replay {
    const gt_summary *s;
    int state;             /* GT_GO_RUNNABLE or GT_GO_WAITING */
    int64_t from, to, end; /* window (trace clock), trace end */
    int64_t *since;        /* per goroutine: episode start, or -1 */
    int64_t total;
    uint64_t count;
} replay;

/* Go's pprof.go: a Waiting reason mentioning a channel, select or sync. */
static int sync_reason(gt_str r)
{
    static const char *const words[] = {"chan", "sync", "select"};
    for (size_t w = 0; w < 3; w++)
        for (size_t i = 0, n = strlen(words[w]); i + n <= r.len; i++)
            if (!memcmp(r.ptr + i, words[w], n))
                return 1;
    return 0;
}

static int replay_fn(void *ctx, const gt_event *ev)
{
    replay *p = ctx;
    gt_state_transition st;
    if (ev->time > p->to || ev->kind != GT_EVENT_STATE_TRANSITION || gt_event_state_transition(ev, &st) ||
        st.resource.kind != GT_RESOURCE_GOROUTINE || st.resource.id < 0 || st.resource.id >= MAXG)
        return 0;
    int64_t id = st.resource.id;
    if (p->since[id] < 0) {
        if (st.new_state == p->state && (p->state == GT_GO_RUNNABLE || sync_reason(st.reason)))
            p->since[id] = ev->time;
        return 0;
    }
    if (st.new_state == p->state)
        return 0;
    int64_t a = p->since[id] > p->from ? p->since[id] : p->from, b = ev->time;
    p->since[id] = -1;
    const gt_goroutine_summary *g = gt_summary_find_goroutine(p->s, id);
    if (!g || b < a)
        return 0;
    int64_t gs = g->start_time, ge = g->end_time ? g->end_time : p->end;
    if (ge < a || b < gs)
        return 0;
    int64_t s = a > gs ? a : gs, e = b < ge ? b : ge;
    if (e - s > 0) {
        p->total += e - s;
        p->count++;
    }
    return 0;
}

static int summary_fn(void *ctx, const gt_event *ev) { return gt_summary_event(ctx, ev); }
static int pprof_fn(void *ctx, const gt_event *ev) { return gt_pprof_event(ctx, ev); }

static void test_pprof(const char *name, const char *path, first_last sp, gt_pprof_type type, int state)
{
    int64_t len = sp.last - sp.first;
    gt_window windows[] = {{len / 5, len / 5 * 3}, {0, INT64_MAX}, {len / 3, INT64_MAX}};
    gt_summary *s = gt_summary_new();
    char nm[160];
    snprintf(nm, sizeof nm, "window/pprof-%s/%s", type == GT_PPROF_SCHED ? "sched" : "sync", name);
    if (!check(s && each_event(path, summary_fn, s) > 0 && gt_summary_finalize(s) == 0, nm, "summary failed")) {
        gt_summary_free(s);
        return;
    }
    int64_t *since = malloc(MAXG * sizeof *since);
    int ok = 1, nonzero = 0;
    for (size_t wi = 0; wi < 3 && ok; wi++) {
        gt_window *w = &windows[wi];
        gt_error err;
        gt_pprof *p = gt_pprof_new(type, s, sp.first, sp.last, NULL, &err);
        if (!check(p != NULL, nm, "gt_pprof_new: %s", err.message))
            break;
        gt_pprof_set_window(p, w);
        each_event(path, pprof_fn, p);
        int64_t total = 0;
        uint64_t count = 0;
        for (size_t i = 0; i < gt_pprof_record_count(p); i++) {
            total += gt_pprof_record_at(p, i)->time;
            count += gt_pprof_record_at(p, i)->count;
        }
        gt_pprof_free(p);
        for (size_t i = 0; i < MAXG; i++)
            since[i] = -1;
        replay rp = {s, state, sp.first + w->from, w->to == INT64_MAX ? INT64_MAX : sp.first + w->to, sp.last,
                     since, 0, 0};
        each_event(path, replay_fn, &rp);
        ok = check(total == rp.total && count == rp.count, nm,
                   "window %zu: profile %lld ns in %llu episodes, replay %lld ns in %llu", wi, (long long)total,
                   (unsigned long long)count, (long long)rp.total, (unsigned long long)rp.count);
        nonzero += total > 0;
    }
    if (ok)
        check(nonzero > 0, nm, "no delay in any window: nothing compared");
    free(since);
    gt_summary_free(s);
}

static void test_trace(const char *name, const char *path)
{
    first_last sp = {0, 0, 0};
    char nm[160];
    snprintf(nm, sizeof nm, "window/read/%s", name);
    if (!check(each_event(path, span_fn, &sp) > 0 && sp.last > sp.first, nm, "cannot read %s", path))
        return;
    test_mmu(name, path, sp);
    test_pprof(name, path, sp, GT_PPROF_SCHED, GT_GO_RUNNABLE);
    test_pprof(name, path, sp, GT_PPROF_SYNC, GT_GO_WAITING);
}

int main(void)
{
    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/analysis/gcstress.go127.trace", root && *root ? root : ".");
    test_trace("gcstress.go127", path);
    const char *shared = check_shared_dir();
    static const char *const corpus[] = {"gcstress.go122", "httpserve.go125", "multigen.go126"};
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        if (!shared) {
            check_skip("window/corpus", "no ../shared");
            break;
        }
        snprintf(path, sizeof path, "%s/corpus/%s.trace", shared, corpus[i]);
        test_trace(corpus[i], path);
    }
    return check_done();
}
