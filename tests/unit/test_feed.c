/* gotrace/feed.h: the analyses fed from a reader in one call (in chunks of
 * 1, 333 and all events) end with the same goroutine summaries and MMU as
 * the same analyses fed event by event; a truncated trace ends the feeding
 * with done set and the reader's error, having fed the same events. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/feed.h"

typedef struct result {
    size_t goroutines;
    int64_t exec, total, block;  /* summed over goroutines */
    double mmu[3];
    uint64_t events;
    int err;
} result;

static const int64_t windows[3] = {100000, 1000000, 10000000};

/* A reader over mem and fresh analyses; 0, or -1 when it cannot open. */
static int start(const char *mem, size_t len, gt_reader **r, gt_summary **s, gt_mmu **m, result *out)
{
    gt_error err;
    memset(out, 0, sizeof *out);
    *r = gt_reader_open_memory(mem, len, &err);
    if (!*r)
        return -1;
    *s = gt_summary_new();
    *m = gt_mmu_new(GT_UTIL_STW | GT_UTIL_BACKGROUND | GT_UTIL_ASSIST | GT_UTIL_SWEEP);
    return 0;
}

static void stop(gt_reader *r, gt_summary *s, gt_mmu *m)
{
    gt_summary_free(s);
    gt_mmu_free(m);
    gt_reader_free(r);
}

static void finish(gt_summary *s, gt_mmu *m, gt_reader *r, result *out)
{
    gt_summary_finalize(s);
    gt_mmu_finish(m);
    out->goroutines = gt_summary_goroutine_count(s);
    for (size_t i = 0; i < out->goroutines; i++) {
        const gt_goroutine_summary *g = gt_summary_goroutine(s, i);
        out->exec += g->stats.exec_time;
        out->total += g->stats.total_time;
        for (size_t j = 0; j < g->stats.n_block; j++)
            out->block += g->stats.block[j].ns;
    }
    for (int i = 0; i < 3; i++)
        out->mmu[i] = gt_mmu_at(m, windows[i]);
    const gt_error *e = gt_reader_error(r);
    out->err = e ? (int)e->code : 0;
}

static int by_hand(const char *mem, size_t len, result *out)
{
    gt_reader *r;
    gt_summary *s;
    gt_mmu *m;
    if (start(mem, len, &r, &s, &m, out))
        return -1;
    gt_event ev;
    while (gt_reader_next(r, &ev) == 1) {
        out->events++;
        gt_summary_event(s, &ev);
        gt_mmu_event(m, &ev);
    }
    finish(s, m, r, out);
    stop(r, s, m);
    return 0;
}

static int fed(const char *mem, size_t len, uint64_t chunk, result *out)
{
    gt_reader *r;
    gt_summary *s;
    gt_mmu *m;
    if (start(mem, len, &r, &s, &m, out))
        return -1;
    int done = 0, rc = 0;
    while (!done && !rc) {
        int64_t n = gt_feed_analyses(r, chunk, s, m, NULL, &done);
        if (n < 0 || (chunk && (uint64_t)n > chunk))
            rc = -1;
        else
            out->events += (uint64_t)n;
    }
    if (!rc)
        finish(s, m, r, out);
    stop(r, s, m);
    return rc;
}

static void compare(const char *name, const char *mem, size_t len)
{
    result want, got;
    if (by_hand(mem, len, &want)) {
        check(0, name, "cannot open");
        return;
    }
    static const uint64_t chunks[3] = {0, 1, 333};
    for (int i = 0; i < 3; i++) {
        char label[256];
        snprintf(label, sizeof label, "feed_%s_chunk%llu", name, (unsigned long long)chunks[i]);
        int rc = fed(mem, len, chunks[i], &got);
        check(rc == 0 && got.events == want.events && got.goroutines == want.goroutines && got.exec == want.exec &&
                  got.total == want.total && got.block == want.block && got.err == want.err &&
                  !memcmp(got.mmu, want.mmu, sizeof got.mmu) && want.events > 0,
              label, "rc %d events %llu/%llu goroutines %zu/%zu exec %lld/%lld error %d/%d", rc,
              (unsigned long long)got.events, (unsigned long long)want.events, got.goroutines, want.goroutines,
              (long long)got.exec, (long long)want.exec, got.err, want.err);
    }
}

int main(void)
{
    const char *root = getenv("ROOT");
    if (!root || !*root)
        root = ".";
    static const char *const traces[] = {"tests/data/analysis/annotate.go127.trace",
                                         "tests/data/analysis/gcstress.go127.trace", "examples/hello.trace"};
    for (size_t i = 0; i < sizeof traces / sizeof *traces; i++) {
        char path[4096], name[256];
        snprintf(path, sizeof path, "%s/%s", root, traces[i]);
        const char *base = strrchr(traces[i], '/') + 1;
        snprintf(name, sizeof name, "%.*s", (int)(strchr(base, '.') - base), base);
        size_t len = 0;
        char *data = check_read_file(path, &len);
        if (!data) {
            check(0, name, "cannot read %s", path);
            continue;
        }
        compare(name, data, len);
        if (i == 0) {
            result r;
            by_hand(data, len * 2 / 3, &r);
            check(r.err != 0, "feed_truncated_is_broken", "a trace cut at 2/3 read without error");
            compare("truncated", data, len * 2 / 3);
        }
        free(data);
    }
    return check_done();
}
