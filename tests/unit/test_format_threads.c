/* Formatting from many short-lived threads keeps nothing per thread (issue
 * 12, defect 6). The formatters once kept a growing buffer per thread that
 * was never freed: 1000 threads formatting one deep-stack event (half a
 * megabyte of text) added half a gigabyte of RSS. Here 1000 threads, four at
 * a time, each format the longest event of a trace with gt_event_format (at
 * the same time as the others: it must be thread-safe), gt_event_string
 * (under the caller's lock, as gotrace.h's rule for it asks) and
 * gt_raw_event_format; every text must equal the one formatted before on the
 * main thread, and resident memory may grow by at most RSS_LIMIT_MB.
 *
 * The trace is built here: one stack of 128 frames whose function and file
 * names are 1 KiB each, on a GoCreate's stack and new stack. The
 * reproduction of the issue (../shared/hostile/tls-leak-deepstack.trace) is
 * read too when present. Under AddressSanitizer (which holds freed memory
 * back) the RSS check is skipped; the texts are still compared.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/builder.h"
#include "gotrace/raw.h"

enum { NTHREADS = 1000, AT_ONCE = 4, FRAMES = 128, NAME_LEN = 1024, RSS_LIMIT_MB = 64 };

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size, resident;
    int ok = f && fscanf(f, "%ld %ld", &size, &resident) == 2;
    if (f)
        fclose(f);
    return ok ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

/* GoCreate with the deep stack as both its stack and the new goroutine's. */
static unsigned char *deep_stack_trace(size_t *len)
{
    static char names[2 * FRAMES][NAME_LEN + 1];
    gt_builder_frame frames[FRAMES];
    for (size_t i = 0; i < FRAMES; i++) {
        for (int k = 0; k < 2; k++) {
            char *s = names[2 * i + (size_t)k];
            memset(s, k ? 'f' : 'g', NAME_LEN);
            snprintf(s, NAME_LEN, "%s.frame%03zu", k ? "/src/file" : "main.func", i);
            s[strlen(s)] = '_';
            s[NAME_LEN] = '\0';
        }
        frames[i] = (gt_builder_frame){0x400000 + 16 * i, names[2 * i], names[2 * i + 1], 10 + i};
    }
    gt_error err;
    gt_builder *b = gt_builder_new(22, &err);
    if (!b)
        return NULL;
    gt_builder_gen *g = gt_builder_generation(b, 1);
    gt_builder_batch *m0 = gt_builder_batch_new(g, 0, 10);
    GT_EVENT(m0, "ProcStatus", GT_ARG("p", 0), GT_ARG("pstatus", 1));
    GT_EVENT(m0, "GoStatus", GT_ARG("g", 1), GT_ARG("m", 0), GT_ARG("gstatus", 2));
    GT_EVENT(m0, "GoCreate", GT_ARG("new_g", 2), GT_STK("new_stack", frames, FRAMES), GT_STK("stack", frames, FRAMES));
    unsigned char *data = NULL;
    if (gt_builder_error(b) || gt_builder_write_memory(b, &data, len, &err))
        data = NULL;
    gt_builder_free(b);
    return data;
}

/* What every thread formats, and the texts they must produce. */
typedef struct work {
    const unsigned char *data;
    size_t len;
    gt_event ev;           /* the event with the longest text */
    char *ev_text;
    size_t ev_len;
    size_t raw_index;      /* the raw event with the longest text */
    char *raw_text;
    size_t raw_len;
    pthread_mutex_t string_mu; /* gt_event_string: one call at a time per reader */
    int bad;               /* threads whose texts differed */
    pthread_mutex_t bad_mu;
} work;

/* Text i of the raw events of data into *text (malloc'd); its length, or
 * (size_t)-1 when the raw reader fails before it. */
static size_t raw_text(const unsigned char *data, size_t len, size_t index, char **text)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(data, len, &err);
    gt_raw_event ev;
    size_t n = (size_t)-1;
    *text = NULL;
    for (size_t i = 0; r && gt_raw_next(r, &ev) > 0; i++) {
        if (i != index)
            continue;
        n = gt_raw_event_format(gt_raw_version(r), &ev, NULL, 0);
        *text = malloc(n + 1);
        if (*text)
            gt_raw_event_format(gt_raw_version(r), &ev, *text, n + 1);
        break;
    }
    gt_raw_free(r);
    return n;
}

static void *format_once(void *arg)
{
    work *w = arg;
    int bad = 0;
    char *buf = malloc(w->ev_len + 1);
    if (!buf || gt_event_format(&w->ev, buf, w->ev_len + 1) != w->ev_len || memcmp(buf, w->ev_text, w->ev_len))
        bad = 1;
    free(buf);
    pthread_mutex_lock(&w->string_mu);
    size_t slen = 0;
    const char *s = gt_event_string(&w->ev, &slen);
    if (!s || slen != w->ev_len || memcmp(s, w->ev_text, slen))
        bad = 1;
    pthread_mutex_unlock(&w->string_mu);
    char *raw = NULL;
    size_t rn = raw_text(w->data, w->len, w->raw_index, &raw);
    if (rn != w->raw_len || !raw || memcmp(raw, w->raw_text, rn))
        bad = 1;
    free(raw);
    if (bad) {
        pthread_mutex_lock(&w->bad_mu);
        w->bad++;
        pthread_mutex_unlock(&w->bad_mu);
    }
    return NULL;
}

static void run_case(const char *name, const unsigned char *data, size_t len)
{
    char cname[256];
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    if (!r) {
        check(0, name, "open: %s", err.message);
        return;
    }
    work w;
    memset(&w, 0, sizeof w);
    w.data = data;
    w.len = len;
    pthread_mutex_init(&w.string_mu, NULL);
    pthread_mutex_init(&w.bad_mu, NULL);
    /* The trace is one generation: every event stays valid to the end. */
    gt_event ev;
    size_t events = 0;
    while (gt_reader_next(r, &ev) > 0) {
        size_t n = gt_event_format(&ev, NULL, 0);
        if (n > w.ev_len) {
            w.ev = ev;
            w.ev_len = n;
        }
        events++;
    }
    w.ev_text = malloc(w.ev_len + 1);
    gt_event_format(&w.ev, w.ev_text, w.ev_len + 1);
    gt_raw_reader *raw = gt_raw_open_memory(data, len, &err);
    gt_raw_event rev;
    for (size_t i = 0; raw && gt_raw_next(raw, &rev) > 0; i++) {
        size_t n = gt_raw_event_format(gt_raw_version(raw), &rev, NULL, 0);
        if (n > w.raw_len) {
            w.raw_len = n;
            w.raw_index = i;
        }
    }
    gt_raw_free(raw);
    w.raw_len = raw_text(data, len, w.raw_index, &w.raw_text);
    snprintf(cname, sizeof cname, "%s-setup", name);
    if (!check(!gt_reader_error(r) && events > 2 && w.ev_len > 256 * 1024 && w.raw_text, cname,
               "error %s, %zu events, longest text %zu bytes (want > 256 KiB), raw text %s",
               gt_reader_error(r) ? gt_reader_error(r)->message : "none", events, w.ev_len,
               w.raw_text ? "made" : "missing"))
        goto done;

    /* One round first: caches (the stack's text, the allocator's arenas)
     * are made once, not per thread. */
    pthread_t th[AT_ONCE];
    pthread_create(&th[0], NULL, format_once, &w);
    pthread_join(th[0], NULL);
    long before = rss_kb(), peak = before, after = before;
    size_t started = 1;
    while (started < NTHREADS) {
        size_t k = 0;
        for (; k < AT_ONCE && started < NTHREADS; k++, started++)
            if (pthread_create(&th[k], NULL, format_once, &w))
                break;
        for (size_t i = 0; i < k; i++)
            pthread_join(th[i], NULL);
        after = rss_kb();
        if (after > peak)
            peak = after;
        /* Stop early once the bound is broken: the old code would go on
         * to half a gigabyte. */
        if (!CHECK_UNDER_ASAN && after - before > RSS_LIMIT_MB * 1024L)
            break;
    }
    snprintf(cname, sizeof cname, "%s-texts", name);
    check(w.bad == 0, cname, "%d of %zu threads formatted a different text", w.bad, started);
    snprintf(cname, sizeof cname, "%s-rss", name);
    if (CHECK_UNDER_ASAN || before < 0)
        check_skip(cname, CHECK_UNDER_ASAN ? "AddressSanitizer holds freed memory back" : "no /proc/self/statm");
    else
        check(started == NTHREADS && peak - before <= RSS_LIMIT_MB * 1024L, cname,
              "RSS grew by %ld KiB (limit %d MiB) over %zu threads formatting a %zu-byte text", peak - before,
              RSS_LIMIT_MB, started, w.ev_len);
done:
    free(w.ev_text);
    free(w.raw_text);
    pthread_mutex_destroy(&w.string_mu);
    pthread_mutex_destroy(&w.bad_mu);
    gt_reader_free(r);
}

int main(void)
{
    size_t len;
    unsigned char *data = deep_stack_trace(&len);
    if (!check(data != NULL, "format-threads-build", "the builder failed"))
        return check_done();
    run_case("format-threads-generated", data, len);
    free(data);

    const char *shared = check_shared_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/hostile/tls-leak-deepstack.trace", shared ? shared : "");
    char *file = shared ? check_read_file(path, &len) : NULL;
    if (!file) {
        check_skip("format-threads-shared", shared ? "no hostile/tls-leak-deepstack.trace" : "no ../shared");
        return check_done();
    }
    run_case("format-threads-shared", (const unsigned char *)file, len);
    free(file);
    return check_done();
}
