/* The threading rule of gotrace.h ("Threads"), under ThreadSanitizer (issue
 * 12, defect 8): one thread reads a trace while four workers call every
 * event accessor, at the same time, on the same events.
 *
 * The reader thread reads batches (gt_reader_next_batch, small ones so that
 * there are many) and hands each batch to all four workers at once, so that
 * they fill and read the per-generation caches (stack frames, stack texts,
 * stop-the-world names, task types) concurrently, while the reader goes on
 * reading the next batch (and adding task types to the same generation's
 * table). The lifetime rule is kept: after a batch holding a Sync, the reader
 * waits until the workers are done with everything before reading on. Every
 * accessor runs unlocked except gt_event_string, whose calls on one reader
 * must not overlap (gotrace.h): the workers take a lock around it.
 *
 * Each trace is read single-threaded, with gt_reader_set_threads(r, 2) from
 * its path (batches read back by offset under the read-ahead thread's
 * input lock), and with 3 threads from a stdio stream (batch bytes copied
 * into each generation's own arena by the read-ahead thread).
 * Cases print "ok NAME" / "not ok NAME: reason" (tests/run.sh protocol):
 * the events must be read without error, and the workers' view of every
 * event (a hash over every accessor's result) must be the same in each
 * worker and equal to a plain single-threaded pass. ThreadSanitizer's own
 * reports go to stderr; tests/tsan/run.sh turns them into a failure.
 *
 *   accessors TRACE...
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"

enum { NWORKERS = 4, BATCH = 64 };

static int failures;
static pthread_mutex_t string_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

static uint64_t mix_u64(uint64_t h, uint64_t v) { return mix(h, &v, sizeof v); }
static uint64_t mix_str(uint64_t h, gt_str s) { return mix(mix_u64(h, s.len), s.ptr ? s.ptr : "", s.len); }

/* Every frame, one by one and as one array. */
static uint64_t walk_stack(uint64_t h, gt_stack s)
{
    size_t n = gt_stack_len(s);
    h = mix_u64(h, n);
    for (size_t i = 0; i < n; i++) {
        gt_frame f;
        if (gt_stack_frame(s, i, &f) == 0)
            h = mix_str(mix_str(mix_u64(mix_u64(h, f.pc), f.line), f.func), f.file);
    }
    const gt_frame *all;
    size_t na = gt_stack_frames(s, &all);
    h = mix_u64(h, na);
    for (size_t i = 0; i < na; i++)
        h = mix_str(mix_str(mix_u64(mix_u64(h, all[i].pc), all[i].line), all[i].func), all[i].file);
    return h;
}

static uint64_t mix_value(uint64_t h, gt_value v)
{
    return mix_str(mix_u64(mix_u64(h, (uint64_t)v.kind), v.u64), v.str);
}

/* Calls every accessor on ev; returns a hash of what they said. */
static uint64_t touch(const gt_event *ev)
{
    uint64_t h = mix_u64(1469598103934665603ULL, (uint64_t)ev->time);
    h = mix_u64(mix_u64(mix_u64(h, (uint64_t)ev->goroutine), (uint64_t)ev->proc), (uint64_t)ev->thread);
    h = mix_str(h, (gt_str){gt_event_kind_name(ev->kind), strlen(gt_event_kind_name(ev->kind))});
    h = walk_stack(h, gt_event_stack(ev));
    gt_metric m;
    if (gt_event_metric(ev, &m) == 0)
        h = mix_value(mix_str(h, m.name), m.value);
    gt_label l;
    if (gt_event_label(ev, &l) == 0)
        h = mix_u64(mix_str(h, l.label), (uint64_t)l.resource.id);
    gt_range r;
    if (gt_event_range(ev, &r) == 0)
        h = mix_u64(mix_str(h, r.name), (uint64_t)r.scope.id);
    gt_range_attribute attrs[4];
    size_t na = gt_event_range_attributes(ev, attrs, 4);
    for (size_t i = 0; i < na && i < 4; i++)
        h = mix_value(mix_str(h, attrs[i].name), attrs[i].value);
    gt_task t;
    if (gt_event_task(ev, &t) == 0)
        h = mix_str(mix_u64(mix_u64(h, t.id), t.parent), t.type);
    gt_region rg;
    if (gt_event_region(ev, &rg) == 0)
        h = mix_str(mix_u64(h, rg.task), rg.type);
    gt_log lg;
    if (gt_event_log(ev, &lg) == 0)
        h = mix_str(mix_str(mix_u64(h, lg.task), lg.category), lg.message);
    gt_state_transition st;
    if (gt_event_state_transition(ev, &st) == 0) {
        h = mix_u64(mix_u64(mix_u64(h, (uint64_t)st.resource.id), (uint64_t)st.old_state), (uint64_t)st.new_state);
        h = mix_str(h, st.reason);
        h = mix_str(h, (gt_str){gt_go_state_name((gt_go_state)st.new_state), strlen(gt_go_state_name((gt_go_state)st.new_state))});
        h = walk_stack(h, st.stack);
    }
    gt_sync sy;
    if (gt_event_sync(ev, &sy) == 0) {
        h = mix_u64(mix_u64(h, (uint64_t)sy.n), sy.n_experimental_batches);
        for (size_t i = 0; i < sy.n_experimental_batches; i++) {
            gt_experimental_batch b;
            if (gt_event_sync_experimental_batch(ev, i, &b) == 0)
                h = mix(mix_str(h, b.experiment), b.data, b.len);
        }
    }
    gt_experimental x;
    if (gt_event_experimental(ev, &x) == 0) {
        h = mix_str(mix_str(h, x.name), x.experiment);
        for (size_t i = 0; i < x.nargs; i++)
            h = mix_value(mix_str(h, x.arg_names[i]), x.arg_values[i]);
    }
    char buf[512];
    size_t n = gt_event_format(ev, buf, sizeof buf);
    h = mix(h, buf, n < sizeof buf ? n : sizeof buf - 1);
    /* gt_event_string's text is the reader's: its calls must not overlap
     * (gotrace.h), so they take the caller's lock, as the header says. */
    pthread_mutex_lock(&string_mu);
    size_t len = 0;
    const char *s = gt_event_string(ev, &len);
    if (s)
        h = mix(h, s, len);
    pthread_mutex_unlock(&string_mu);
    return h;
}

/* ------------------------------------------------------------ the hand-over */

typedef struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gt_event evs[2][BATCH];   /* the batch the workers are on, and the next */
    size_t n[2];
    uint64_t round;           /* batches published so far */
    int done[NWORKERS];       /* rounds each worker finished */
    uint64_t finished[NWORKERS];
    int stop;
    uint64_t hash[NWORKERS];  /* each worker's hash over all events, in order */
} shared;

typedef struct worker_arg {
    shared *sh;
    int id;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    shared *sh = wa->sh;
    uint64_t seen = 0, h = 0;
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        while (sh->round == seen && !sh->stop)
            pthread_cond_wait(&sh->cv, &sh->mu);
        if (sh->round == seen) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        size_t slot = seen % 2, n = sh->n[slot];
        pthread_mutex_unlock(&sh->mu);
        for (size_t i = 0; i < n; i++)
            h = mix_u64(h, touch(&sh->evs[slot][i]));
        seen++;
        pthread_mutex_lock(&sh->mu);
        sh->finished[wa->id] = seen;
        sh->hash[wa->id] = h;
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
    }
    return NULL;
}

/* Waits until every worker has finished round r. Call with mu held. */
static void wait_finished(shared *sh, uint64_t r)
{
    for (;;) {
        int all = 1;
        for (int w = 0; w < NWORKERS; w++)
            all &= sh->finished[w] >= r;
        if (all)
            return;
        pthread_cond_wait(&sh->cv, &sh->mu);
    }
}

/* The error that ended a read ("" for none), for comparing reads. */
static void error_text(const gt_reader *r, char *out, size_t cap)
{
    const gt_error *e = gt_reader_error(r);
    snprintf(out, cap, "%s", e ? e->message : "");
}

/* Reads path with the workers; fills *hash with worker 0's hash and errtext
 * with the reader's error, and returns the number of events, or -1 (message
 * printed) when the trace cannot be opened or the workers disagree. */
static long read_shared(const char *name, const char *path, int threads, uint64_t *hash, char *errtext,
                        size_t errcap)
{
    gt_error err;
    FILE *fp = NULL;
    gt_reader *r;
    if (threads == 3) {
        fp = fopen(path, "rb");
        if (!fp) {
            printf("not ok %s: cannot open %s\n", name, path);
            return -1;
        }
        r = gt_reader_open_stream(fp, &err);
    } else {
        r = gt_reader_open_path(path, &err);
    }
    if (!r) {
        printf("not ok %s: open: %s\n", name, err.message);
        if (fp)
            fclose(fp);
        return -1;
    }
    if (threads > 1)
        gt_reader_set_threads(r, threads);
    static shared sh;
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    pthread_t th[NWORKERS];
    worker_arg wa[NWORKERS];
    for (int w = 0; w < NWORKERS; w++) {
        wa[w] = (worker_arg){&sh, w};
        pthread_create(&th[w], NULL, worker, &wa[w]);
    }
    long events = 0;
    for (uint64_t k = 0;; k++) {
        size_t slot = k % 2;
        /* The workers may still be on batch k - 1, in the other slot. */
        size_t n = gt_reader_next_batch(r, sh.evs[slot], BATCH);
        pthread_mutex_lock(&sh.mu);
        if (k > 0)
            wait_finished(&sh, k); /* slot is reused only after round k - 1 */
        if (n == 0) {
            pthread_mutex_unlock(&sh.mu);
            break;
        }
        sh.n[slot] = n;
        sh.round = k + 1;
        pthread_cond_broadcast(&sh.cv);
        int has_sync = 0;
        for (size_t i = 0; i < n; i++)
            has_sync |= sh.evs[slot][i].kind == GT_EVENT_SYNC;
        /* The next read may end the lifetime of what the workers hold. */
        if (has_sync)
            wait_finished(&sh, k + 1);
        pthread_mutex_unlock(&sh.mu);
        events += (long)n;
    }
    pthread_mutex_lock(&sh.mu);
    sh.stop = 1;
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.mu);
    for (int w = 0; w < NWORKERS; w++)
        pthread_join(th[w], NULL);
    error_text(r, errtext, errcap);
    int same = 1;
    for (int w = 1; w < NWORKERS; w++)
        same &= sh.hash[w] == sh.hash[0];
    *hash = sh.hash[0];
    long ret = events;
    if (!same) {
        printf("not ok %s: the workers saw different values\n", name);
        ret = -1;
    }
    gt_reader_free(r);
    if (fp)
        fclose(fp);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    return ret;
}

/* The same hash from one thread, event by event. */
static long read_plain(const char *path, uint64_t *hash, char *errtext, size_t errcap)
{
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    if (!r)
        return -1;
    gt_event ev;
    long events = 0;
    uint64_t h = 0;
    while (gt_reader_next(r, &ev) == 1) {
        h = mix_u64(h, touch(&ev));
        events++;
    }
    error_text(r, errtext, errcap);
    gt_reader_free(r);
    *hash = h;
    return events;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: accessors TRACE...\n");
        return 2;
    }
    for (int a = 1; a < argc; a++) {
        const char *path = argv[a];
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        uint64_t want_hash = 0;
        static char want_err[1100], got_err[1100];
        long want = read_plain(path, &want_hash, want_err, sizeof want_err);
        for (int threads = 1; threads <= 3; threads++) {
            char name[300];
            snprintf(name, sizeof name, "tsan_accessors:%s:threads%d", base, threads);
            uint64_t hash = 0;
            long got = read_shared(name, path, threads, &hash, got_err, sizeof got_err);
            if (got < 0) {
                failures++;
                continue;
            }
            if (want < 0 || got != want || hash != want_hash || strcmp(got_err, want_err) != 0) {
                printf("not ok %s: %ld events (single-threaded pass: %ld), same values: %s, error '%s' (single: "
                       "'%s')\n",
                       name, got, want, hash == want_hash ? "yes" : "no", got_err, want_err);
                failures++;
                continue;
            }
            printf("ok %s\n", name);
        }
    }
    return failures ? 1 : 0;
}
