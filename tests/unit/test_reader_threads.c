/* Threaded reading (gt_reader_set_threads) yields exactly what the
 * single-threaded reader does: every event's Event.String() with its stack
 * frames, in the same order, the same error text at the end, and every
 * borrowed pointer of the current and previous generation still readable
 * (checked under the sanitizers by walking them on each Sync).
 *
 * Inputs: examples/hello.trace, every trace of ../shared/corpus (skipped when
 * absent) and Go's test cases' binary encodings in ../shared/gotests/expected
 * (some of which end in errors). Each trace is read from its path (lazy file
 * mode: batches read back by offset while the read-ahead thread reads on),
 * from memory and from a stdio stream (batch bytes copied per generation),
 * with 2, 3 and 8 threads through gt_reader_next and with 3 through
 * gt_reader_next_batch, against a single-threaded gt_reader_next read (1
 * thread set explicitly, whatever GT_TEST_THREADS says). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace.h"

typedef struct {
    char *text;
    size_t len, cap;
    size_t events;
} transcript;

static void put(transcript *t, const char *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *nt = realloc(t->text, cap);
        if (!nt)
            abort();
        t->text = nt;
        t->cap = cap;
    }
    memcpy(t->text + t->len, p, n);
    t->len += n;
    t->text[t->len] = 0;
}

static void put_event(transcript *t, const gt_event *ev)
{
    char buf[4096];
    size_t n = gt_event_format(ev, buf, sizeof buf);
    put(t, buf, n < sizeof buf ? n : sizeof buf - 1);
    put(t, "\n", 1);
    gt_stack s = gt_event_stack(ev);
    for (size_t i = 0; i < gt_stack_len(s); i++) {
        gt_frame f;
        if (gt_stack_frame(s, i, &f) == 0) {
            int k = snprintf(buf, sizeof buf, "  %llx %.*s %.*s:%llu\n", (unsigned long long)f.pc, (int)f.func.len,
                             f.func.ptr ? f.func.ptr : "", (int)f.file.len, f.file.ptr ? f.file.ptr : "",
                             (unsigned long long)f.line);
            put(t, buf, (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
        }
    }
    t->events++;
}

enum how { SINGLE, THREADED_NEXT, THREADED_BATCH };
enum input { FROM_PATH, FROM_MEMORY, FROM_STREAM };

/* Reads the whole trace (from path, data or a stream over data) with
 * threads threads and returns its transcript, ending in "ERROR: message"
 * when reading failed. */
static transcript read_all(const char *path, const void *data, size_t len, enum input in, enum how how, int threads)
{
    transcript t = {0};
    gt_error err;
    FILE *fp = NULL;
    gt_reader *r = NULL;
    if (in == FROM_STREAM) {
        fp = fmemopen((void *)data, len, "rb");
        if (fp)
            r = gt_reader_open_stream(fp, &err);
        else
            err.message = "fmemopen failed";
    } else {
        r = in == FROM_MEMORY ? gt_reader_open_memory(data, len, &err) : gt_reader_open_path(path, &err);
    }
    if (!r) {
        put(&t, "OPEN ERROR: ", 12);
        put(&t, err.message, strlen(err.message));
        if (fp)
            fclose(fp);
        return t;
    }
    if (gt_reader_set_threads(r, how == SINGLE ? 1 : threads) != 0)
        put(&t, "set_threads failed\n", 19);
    /* Events of the previous generation must stay valid until the Sync
     * after next: keep them and walk them again at each Sync. */
    enum { KEEP = 64 };
    gt_event kept[KEEP];
    size_t nkept = 0;
    gt_event evs[300];
    for (;;) {
        size_t n;
        if (how == THREADED_BATCH) {
            n = gt_reader_next_batch(r, evs, sizeof evs / sizeof evs[0]);
        } else {
            n = gt_reader_next(r, &evs[0]) == 1;
        }
        size_t syncs_in_batch = 0;
        for (size_t i = 0; i < n; i++) {
            put_event(&t, &evs[i]);
            if (evs[i].kind == GT_EVENT_SYNC && ++syncs_in_batch == 2)
                put(&t, "A BATCH HOLDS TWO SYNCS\n", 24); /* gt_reader_next_batch ends before one */
            if (evs[i].kind == GT_EVENT_SYNC) {
                transcript scratch = {0};
                for (size_t k = 0; k < nkept; k++)
                    put_event(&scratch, &kept[k]);
                free(scratch.text);
                nkept = 0;
            } else if (nkept < KEEP) {
                kept[nkept++] = evs[i];
            }
        }
        if (n == 0)
            break;
    }
    const gt_error *e = gt_reader_error(r);
    if (e) {
        put(&t, "ERROR: ", 7);
        put(&t, e->message, strlen(e->message));
    }
    gt_reader_free(r);
    if (fp)
        fclose(fp);
    return t;
}

static void compare_one(const char *name, const char *path)
{
    size_t len = 0;
    char *data = check_read_file(path, &len);
    transcript want = read_all(path, NULL, 0, FROM_PATH, SINGLE, 1);
    static const char *const how_name[] = {"single", "next", "batch"};
    static const char *const in_name[] = {"file", "memory", "stream"};
    static const struct {
        enum how how;
        int threads;
    } runs[] = {{THREADED_NEXT, 2}, {THREADED_NEXT, 3}, {THREADED_NEXT, 8}, {THREADED_BATCH, 3}};
    for (int in = FROM_PATH; in <= FROM_STREAM; in++) {
        for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
            char case_name[512];
            snprintf(case_name, sizeof case_name, "threads:%s:%s:%s:%d", name, in_name[in], how_name[runs[k].how],
                     runs[k].threads);
            if (in != FROM_PATH && !data) {
                check(0, case_name, "cannot read %s", path);
                continue;
            }
            transcript got = read_all(path, data, len, (enum input)in, runs[k].how, runs[k].threads);
            size_t at = 0;
            while (at < want.len && at < got.len && want.text[at] == got.text[at])
                at++;
            check(got.len == want.len && at == want.len, case_name,
                  "differs from the single-threaded read at byte %zu of %zu (%zu vs %zu events)", at, want.len,
                  got.events, want.events);
            free(got.text);
        }
    }
    free(want.text);
    free(data);
}

/* Every NAME ending in suffix in dir, in sorted order. */
static void compare_dir(const char *dir, const char *suffix, const char *label)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        check_skip(label, "cannot list the directory");
        return;
    }
    size_t sl = strlen(suffix);
    for (int i = 0; i < n; i++) {
        const char *f = names[i]->d_name;
        size_t fl = strlen(f);
        if (fl > sl && strcmp(f + fl - sl, suffix) == 0) {
            char path[1024], name[512];
            snprintf(path, sizeof path, "%s/%s", dir, f);
            snprintf(name, sizeof name, "%s/%.*s", label, (int)(fl - sl), f);
            compare_one(name, path);
        }
        free(names[i]);
    }
    free(names);
}

int main(void)
{
    compare_one("hello", "examples/hello.trace");

    /* Arguments are checked; a started reader refuses. */
    gt_error err;
    gt_reader *r = gt_reader_open_path("examples/hello.trace", &err);
    if (check(r != NULL, "threads:set:open", "%s", r ? "" : err.message)) {
        check(gt_reader_set_threads(r, 0) == -1, "threads:set:zero", "0 threads accepted");
        check(gt_reader_set_threads(r, 2) == 0, "threads:set:two", "2 threads refused");
        gt_event ev;
        check(gt_reader_next(r, &ev) == 1, "threads:set:first", "no first event");
        check(gt_reader_set_threads(r, 1) == -1, "threads:set:started", "accepted after reading began");
        /* Freed with the producer thread still running ahead. */
        gt_reader_free(r);
    }

    const char *shared = check_shared_dir();
    if (!shared) {
        check_skip("threads:corpus", "../shared is absent");
        check_skip("threads:gotests", "../shared is absent");
        return check_done();
    }
    char dir[1024];
    /* Freed after one generation while the producer and the read-ahead
     * thread still run (a trace of many generations, from a file). */
    snprintf(dir, sizeof dir, "%s/corpus/multigen.go125.trace", shared);
    for (int threads = 2; threads <= 8; threads *= 2) {
        char case_name[64];
        snprintf(case_name, sizeof case_name, "threads:free_early:%d", threads);
        r = gt_reader_open_path(dir, &err);
        if (!check(r != NULL, case_name, "%s", r ? "" : err.message))
            continue;
        gt_reader_set_threads(r, threads);
        gt_event ev;
        int syncs = 0, st;
        while ((st = gt_reader_next(r, &ev)) == 1 && !(ev.kind == GT_EVENT_SYNC && ++syncs == 2))
            ;
        check(st == 1, case_name, "the trace ended before its second Sync");
        gt_reader_free(r);
    }
    snprintf(dir, sizeof dir, "%s/corpus", shared);
    compare_dir(dir, ".trace", "corpus");
    snprintf(dir, sizeof dir, "%s/gotests/expected", shared);
    compare_dir(dir, ".trace", "gotests");
    return check_done();
}
