/* Hostile string and stack IDs, and the memory the reader keeps (issue 12,
 * defects 1 and 7).
 *
 * (The ID index itself is tested in test_id_index.c.)
 *  - ids_bounded:*: 1000 generations each holding one string and one stack
 *    of ID 2^20-1 (../shared/hostile/dense-ids-1k-gens.trace, and the same
 *    shape built here) are read with gt_reader_next, with
 *    gt_reader_next_batch(4096), and threaded; every mode must give the same
 *    events, a batch may hold at most one Sync, and the peak RSS growth of
 *    the read must stay small (the reader
 *    once allocated, zeroed and scanned a 4 MiB array per table per
 *    generation and kept a batch's or a thread's worth of generations: 1 GB
 *    and 16 GB). Each read runs in a child process, under an address-space
 *    cap (except in sanitizer builds, whose shadow memory needs more) and a
 *    CPU-time cap.
 *  - ids_empty_batch:*: an event batch with no events, read from a path (its
 *    batches read back by offset), an fd, memory and a stream (clang's UBSan
 *    once found NULL + 0 on the path read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#if SANITIZED
/* Freed memory is kept in ASan's quarantine (256 MB by default), which would
 * count as growth here: keep it small. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=4"; }
#endif

enum { MAX_GROWTH_KB = 64 * 1024, AS_CAP_MB = 512, CPU_CAP_S = 120 };

/* ------------------------------------------------------------ building */

typedef struct bytes {
    unsigned char *p;
    size_t len, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_byte(bytes *b, unsigned char c) { put(b, &c, 1); }

static void put_uvarint(bytes *b, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(b, (unsigned char)(v | 0x80));
        v >>= 7;
    }
    put_byte(b, (unsigned char)v);
}

/* A batch of generation gen, thread m (UINT64_MAX: none), at time t. */
static void put_batch(bytes *out, uint64_t gen, uint64_t m, uint64_t t, const bytes *data)
{
    put_byte(out, 0x01); /* EvEventBatch */
    put_uvarint(out, gen);
    put_uvarint(out, m);
    put_uvarint(out, t);
    put_uvarint(out, data->len);
    if (data->len)
        put(out, data->p, data->len);
}

/* A go 1.26 trace of ngens generations. Each has its Sync batch
 * (Frequency, ClockSnapshot), one string and one stack of ID id (its one
 * frame names the string), a batch of M 1 with a ProcStatus, and
 * EndOfGeneration. With empty_batch, M 1 first has a batch with no events. */
static bytes build_trace(unsigned ngens, uint64_t id, int empty_batch)
{
    bytes out = {0};
    put(&out, "go 1.26 trace\0\0\0", 16);
    for (uint64_t gen = 1; gen <= ngens; gen++) {
        uint64_t t = 1000 + 10 * (gen - 1);
        bytes b = {0};
        put_byte(&b, 0x32);           /* Sync */
        put_byte(&b, 0x08);           /* Frequency */
        put_uvarint(&b, 15625000);
        put_byte(&b, 0x33);           /* ClockSnapshot: dt, mono, sec, nsec */
        put_uvarint(&b, 1);
        put_uvarint(&b, t);
        put_uvarint(&b, 1700000000);
        put_uvarint(&b, 1);
        put_batch(&out, gen, UINT64_MAX, t, &b);
        b.len = 0;
        put_byte(&b, 0x04);           /* Strings */
        put_byte(&b, 0x05);           /* String: id, len, bytes */
        put_uvarint(&b, id);
        put_uvarint(&b, 1);
        put_byte(&b, 'f');
        put_batch(&out, gen, UINT64_MAX, t, &b);
        b.len = 0;
        put_byte(&b, 0x02);           /* Stacks */
        put_byte(&b, 0x03);           /* Stack: id, n, then pc, func, file, line */
        put_uvarint(&b, id);
        put_uvarint(&b, 1);
        put_uvarint(&b, 0x1234);
        put_uvarint(&b, id);
        put_uvarint(&b, id);
        put_uvarint(&b, 1);
        put_batch(&out, gen, UINT64_MAX, t, &b);
        if (empty_batch) {
            b.len = 0;
            put_batch(&out, gen, 1, t + 1, &b);
        }
        b.len = 0;
        put_byte(&b, 0x0d);           /* ProcStatus: dt, p, status (idle) */
        put_uvarint(&b, 1);
        put_uvarint(&b, 0);
        put_uvarint(&b, 2);
        put_batch(&out, gen, 1, t + 1, &b);
        put_byte(&out, 0x34);         /* EndOfGeneration */
        free(b.p);
    }
    return out;
}

/* ------------------------------------------------------------ reading */

enum mode { MODE_NEXT, MODE_BATCH, MODE_THREADS_BATCH, MODE_THREADS_NEXT, NMODES };
static const char *const mode_name[NMODES] = {"next", "batch4096", "threads2-batch4096", "threads2-next"};

/* What a child reports: the events it read, a hash of their text, whether
 * reading failed, and the growth of its peak RSS while reading. */
typedef struct outcome {
    uint64_t events, hash;
    uint64_t max_batch_syncs; /* the most Sync events one batch held */
    int failed;
    char error[1100];
    long growth_kb;
} outcome;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

static long rss_now_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long vm_size_bytes(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pages) != 1)
        pages = 0;
    fclose(f);
    return pages * sysconf(_SC_PAGESIZE);
}

/* Reads the whole trace (path, or data/len) in mode m into *o. */
static void read_trace(const char *path, const void *data, size_t len, enum mode m, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->hash = 1469598103934665603ULL;
    gt_error err;
    gt_reader *r = path ? gt_reader_open_path(path, &err) : gt_reader_open_memory(data, len, &err);
    if (!r) {
        o->failed = 1;
        snprintf(o->error, sizeof o->error, "open: %s", err.message);
        return;
    }
    if ((m == MODE_THREADS_BATCH || m == MODE_THREADS_NEXT) && gt_reader_set_threads(r, 2) != 0) {
        o->failed = 1;
        snprintf(o->error, sizeof o->error, "set_threads failed");
        gt_reader_free(r);
        return;
    }
    enum { CAP = 4096 };
    static gt_event evs[CAP];
    char text[4096];
    for (;;) {
        size_t n = m == MODE_BATCH || m == MODE_THREADS_BATCH ? gt_reader_next_batch(r, evs, CAP)
                                                               : (size_t)(gt_reader_next(r, evs) == 1);
        if (n == 0)
            break;
        uint64_t syncs = 0;
        for (size_t i = 0; i < n; i++)
            syncs += evs[i].kind == GT_EVENT_SYNC;
        if (syncs > o->max_batch_syncs)
            o->max_batch_syncs = syncs;
        for (size_t i = 0; i < n; i++) {
            size_t l = gt_event_format(&evs[i], text, sizeof text);
            o->hash = fnv(o->hash, text, l < sizeof text ? l : sizeof text - 1);
            const gt_frame *frames;
            size_t nf = gt_stack_frames(gt_event_stack(&evs[i]), &frames);
            o->hash = fnv(o->hash, &nf, sizeof nf);
        }
        o->events += n;
    }
    const gt_error *e = gt_reader_error(r);
    if (e) {
        o->failed = 1;
        snprintf(o->error, sizeof o->error, "%s", e->message);
    }
    gt_reader_free(r);
}

/* Runs read_trace in a child under the caps; 0, or -1 when the child died. */
static int read_in_child(const char *path, const void *data, size_t len, enum mode m, outcome *o, char *why,
                         size_t whylen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        struct rlimit cpu = {CPU_CAP_S, CPU_CAP_S};
        setrlimit(RLIMIT_CPU, &cpu);
        if (!SANITIZED) {
            rlim_t as = (rlim_t)vm_size_bytes() + (rlim_t)AS_CAP_MB * 1024 * 1024;
            struct rlimit lim = {as, as};
            setrlimit(RLIMIT_AS, &lim);
        }
        outcome res;
        long before = rss_now_kb();
        read_trace(path, data, len, m, &res);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        res.growth_kb = ru.ru_maxrss - before;
        ssize_t w = write(fds[1], &res, sizeof res);
        _exit(w == (ssize_t)sizeof res ? 0 : 3);
    }
    close(fds[1]);
    size_t got = 0;
    while (got < sizeof *o) {
        ssize_t k = read(fds[0], (char *)o + got, sizeof *o - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != sizeof *o || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            snprintf(why, whylen, "the read died of signal %d (CPU cap %d s, address-space cap %d MB)",
                     WTERMSIG(status), CPU_CAP_S, AS_CAP_MB);
        else
            snprintf(why, whylen, "the read exited with status %d", WEXITSTATUS(status));
        return -1;
    }
    return 0;
}

/* Reads the trace in every mode: each must finish with want_events events
 * and no error, within MAX_GROWTH_KB, and give the events of MODE_NEXT. */
static void check_bounded(const char *name, const char *path, const void *data, size_t len, uint64_t want_events)
{
    outcome first = {0};
    int have_first = 0;
    for (int m = 0; m < NMODES; m++) {
        char case_name[200], why[300] = "";
        snprintf(case_name, sizeof case_name, "ids_bounded:%s:%s", name, mode_name[m]);
        outcome o;
        if (read_in_child(path, data, len, (enum mode)m, &o, why, sizeof why) < 0) {
            check(0, case_name, "%s", why);
            continue;
        }
        int same = !have_first || (o.events == first.events && o.hash == first.hash);
        /* A batch holds at most one Sync (gt_reader_next_batch's contract). */
        check(!o.failed && o.events == want_events && o.growth_kb < MAX_GROWTH_KB && same && o.max_batch_syncs <= 1,
              case_name, "%llu events (want %llu), error '%s', peak RSS grew %ld KB (limit %d KB), %llu Syncs in one batch%s",
              (unsigned long long)o.events, (unsigned long long)want_events, o.failed ? o.error : "",
              o.growth_kb, MAX_GROWTH_KB, (unsigned long long)o.max_batch_syncs,
              same ? "" : ", events differ from gt_reader_next's");
        if (!have_first && !o.failed) {
            first = o;
            have_first = 1;
        }
    }
}

static void test_bounded(void)
{
    /* Per generation a Sync and a ProcStatus; then the final Sync. */
    const unsigned ngens = 1000;
    const uint64_t want = 2 * ngens + 1;
    bytes t = build_trace(ngens, (1u << 20) - 1, 0);
    check_bounded("built-memory", NULL, t.p, t.len, want);
    char path[] = "/tmp/gotrace-test-ids-XXXXXX";
    int fd = mkstemp(path);
    if (check(fd >= 0 && write(fd, t.p, t.len) == (ssize_t)t.len, "ids_bounded:write-temp", "cannot write %s",
              path))
        check_bounded("built-path", path, NULL, 0, want);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    free(t.p);

    const char *shared = check_shared_dir();
    if (!shared) {
        check_skip("ids_bounded:hostile", "../shared is absent");
        return;
    }
    char hostile[4096];
    snprintf(hostile, sizeof hostile, "%s/hostile/dense-ids-1k-gens.trace", shared);
    if (access(hostile, R_OK) != 0) {
        check_skip("ids_bounded:hostile", "no hostile/dense-ids-1k-gens.trace in ../shared");
        return;
    }
    check_bounded("hostile-path", hostile, NULL, 0, want);
}

/* ------------------------------------------------------------ empty batch */

/* Reads a trace by every opening: 3 events (Sync, ProcStatus, Sync) and no
 * error each time. */
static void check_empty_batch(const char *name, const char *path, uint64_t want)
{
    size_t len = 0;
    char *data = check_read_file(path, &len);
    static const char *const how[] = {"path", "fd", "memory", "stream"};
    for (int k = 0; k < 4; k++) {
        char case_name[200];
        snprintf(case_name, sizeof case_name, "ids_empty_batch:%s:%s", name, how[k]);
        gt_error err;
        gt_reader *r = NULL;
        int fd = -1;
        FILE *f = NULL;
        if (k == 0)
            r = gt_reader_open_path(path, &err);
        else if (k == 1 && (fd = open(path, O_RDONLY)) >= 0)
            r = gt_reader_open_fd(fd, &err);
        else if (k == 2 && data)
            r = gt_reader_open_memory(data, len, &err);
        else if (k == 3 && (f = fopen(path, "rb")))
            r = gt_reader_open_stream(f, &err);
        if (!r) {
            check(0, case_name, "open failed");
            continue;
        }
        gt_event ev;
        uint64_t n = 0;
        while (gt_reader_next(r, &ev) == 1)
            n++;
        const gt_error *e = gt_reader_error(r);
        check(!e && n == want, case_name, "%llu events (want %llu), error '%s'", (unsigned long long)n,
              (unsigned long long)want, e ? e->message : "");
        gt_reader_free(r);
        if (fd >= 0)
            close(fd);
        if (f)
            fclose(f);
    }
    free(data);
}

static void test_empty_batch(void)
{
    bytes t = build_trace(3, 1, 1);
    char path[] = "/tmp/gotrace-test-empty-XXXXXX";
    int fd = mkstemp(path);
    if (check(fd >= 0 && write(fd, t.p, t.len) == (ssize_t)t.len, "ids_empty_batch:write-temp",
              "cannot write %s", path))
        check_empty_batch("built", path, 2 * 3 + 1);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    free(t.p);
    const char *shared = check_shared_dir();
    char hostile[4096];
    if (shared)
        snprintf(hostile, sizeof hostile, "%s/hostile/empty-batch.trace", shared);
    if (!shared || access(hostile, R_OK) != 0) {
        check_skip("ids_empty_batch:hostile", "no ../shared/hostile/empty-batch.trace");
        return;
    }
    check_empty_batch("hostile", hostile, 3);
}

int main(void)
{
    test_empty_batch();
    test_bounded();
    return check_done();
}
