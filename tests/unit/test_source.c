/* gt_source (gotrace.h): every trace of tests/data and ../shared/corpus read
 * through a caller's callback source gives what reading it by path gives
 * (events as Go prints them, the final error's code, offset and message),
 * with reads of one byte at a time, with and without read_at (the lazy
 * path, which reads a new-format trace's event batches once), for the reader, the raw reader and the text reader; a callback that fails surfaces as
 * GT_ERR_IO with its errno's text and an offset no later than the bytes it
 * delivered; close is called exactly once, on success and on failure. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/raw.h"

typedef struct mem_src {
    const uint8_t *data;
    size_t len, pos;
    size_t chunk;     /* bytes per read at most */
    size_t fail_at;   /* read fails once pos reaches it (SIZE_MAX: never) */
    int closes;
    uint64_t delivered; /* bytes read and read_at handed out */
} mem_src;

static int64_t src_read(void *ctx, void *buf, size_t cap)
{
    mem_src *m = ctx;
    if (m->pos >= m->fail_at)
        return -EPIPE;
    size_t n = m->len - m->pos;
    if (n > cap)
        n = cap;
    if (n > m->chunk)
        n = m->chunk;
    if (m->fail_at != SIZE_MAX && m->pos + n > m->fail_at)
        n = m->fail_at - m->pos;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    m->delivered += n;
    return (int64_t)n;
}

static int64_t src_read_at(void *ctx, void *buf, size_t cap, uint64_t off)
{
    mem_src *m = ctx;
    if (off >= m->len)
        return 0;
    size_t n = m->len - (size_t)off;
    if (n > cap)
        n = cap;
    if (n > m->chunk)
        n = m->chunk;
    memcpy(buf, m->data + off, n);
    m->delivered += n;
    return (int64_t)n;
}

static void src_close(void *ctx) { ((mem_src *)ctx)->closes++; }

static gt_source make_source(mem_src *m, int with_read_at)
{
    gt_source s = {0};
    s.read = src_read;
    s.ctx = m;
    s.close = src_close;
    if (with_read_at) {
        s.read_at = src_read_at;
        s.size = m->len;
    }
    return s;
}

/* What a reader yields, in short: a hash of every event's Go text, the count
 * and the final error. */
typedef struct outcome {
    uint64_t hash, events;
    gt_errcode code;
    uint64_t offset;
    char message[1100];
} outcome;

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 1099511628211u;
}

static void finish(outcome *o, const gt_error *e)
{
    o->code = e ? e->code : GT_ERR_NONE;
    o->offset = e ? e->offset : 0;
    snprintf(o->message, sizeof o->message, "%s", e ? e->message : "");
}

static void drain(gt_reader *r, const gt_error *open_err, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->hash = 14695981039346656037u;
    if (!r) {
        finish(o, open_err);
        return;
    }
    gt_event ev;
    while (gt_reader_next(r, &ev) == 1) {
        size_t len;
        const char *s = gt_event_string(&ev, &len);
        if (s)
            hash_bytes(&o->hash, s, len);
        o->events++;
    }
    finish(o, gt_reader_error(r));
    gt_reader_free(r);
}

static void drain_raw(gt_raw_reader *r, const gt_error *open_err, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->hash = 14695981039346656037u;
    if (!r) {
        finish(o, open_err);
        return;
    }
    gt_raw_event ev;
    char buf[4096];
    while (gt_raw_next(r, &ev) == 1) {
        size_t n = gt_raw_event_format(gt_raw_version(r), &ev, buf, sizeof buf);
        hash_bytes(&o->hash, buf, n < sizeof buf ? n : sizeof buf - 1);
        o->events++;
    }
    finish(o, gt_raw_error(r));
    gt_raw_free(r);
}

static int same(const outcome *a, const outcome *b)
{
    return a->hash == b->hash && a->events == b->events && a->code == b->code && a->offset == b->offset &&
           strcmp(a->message, b->message) == 0;
}

/* The header's Go version (1.N -> N), or 0. */
static int header_version(const uint8_t *d, size_t n)
{
    int v = 0;
    if (n > 8 && memcmp(d, "go 1.", 5) == 0)
        for (size_t i = 5; i < n && d[i] >= '0' && d[i] <= '9'; i++)
            v = v * 10 + (d[i] - '0');
    return v;
}

static void check_text(const char *path, const char *name)
{
    gt_error err;
    gt_raw_reader *r = gt_raw_open_path(path, &err);
    if (!r)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    gt_raw_writer *w = f ? gt_raw_writer_new(f, gt_raw_version(r), GT_RAW_TEXT, &err) : NULL;
    gt_raw_event ev;
    int ok = w != NULL;
    while (ok && gt_raw_next(r, &ev) == 1)
        ok = gt_raw_writer_write(w, &ev, &err) == 0;
    ok = gt_raw_writer_close(w, &err) == 0 && ok && !gt_raw_error(r);
    gt_raw_free(r);
    if (f)
        fclose(f);
    if (ok) {
        outcome want, got;
        drain_raw(gt_raw_open_text(text, len, &err), &err, &want);
        mem_src m = {(const uint8_t *)text, len, 0, len > (1u << 20) ? 4096 : 1, SIZE_MAX, 0, 0};
        gt_source s = make_source(&m, 0);
        drain_raw(gt_raw_open_text_source(&s, &err), &err, &got);
        char cname[1200];
        snprintf(cname, sizeof cname, "%s text", name);
        check(same(&want, &got) && m.closes == 1, cname,
              "memory: %llu events err '%s'; source: %llu events err '%s'", (unsigned long long)want.events,
              want.message, (unsigned long long)got.events, got.message);
        /* Failing half way: an I/O error at the offset reached. */
        mem_src fm = {(const uint8_t *)text, len, 0, 4096, len / 2, 0, 0};
        s = make_source(&fm, 0);
        gt_raw_reader *tr = gt_raw_open_text_source(&s, &err);
        snprintf(cname, sizeof cname, "%s text read error", name);
        check(!tr && err.code == GT_ERR_IO && err.offset == len / 2 && fm.closes == 1, cname, "%s at %llu",
              tr ? "opened" : err.message, (unsigned long long)err.offset);
        gt_raw_free(tr);
    }
    free(text);
}

static void check_trace(const char *path, const char *name)
{
    size_t len;
    uint8_t *data = (uint8_t *)check_read_file(path, &len);
    if (!check(data != NULL, name, "cannot read %s", path))
        return;
    gt_error err;
    outcome want, got;
    drain(gt_reader_open_path(path, &err), &err, &want);

    static const struct {
        size_t chunk;
        int read_at;
        const char *what;
    } modes[] = {{1, 0, "1-byte reads"}, {1, 1, "1-byte reads with read_at"}, {7, 1, "7-byte reads with read_at"},
                 {1 << 20, 0, "1 MiB reads"}, {4096, 1, "4 KiB reads with read_at"}};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        /* 1-byte reads of a big trace take long under the sanitizers and
         * prove nothing more than 7-byte ones. */
        if (modes[i].chunk == 1 && len > (4u << 20))
            continue;
        mem_src m = {data, len, 0, modes[i].chunk, SIZE_MAX, 0, 0};
        gt_source s = make_source(&m, modes[i].read_at);
        drain(gt_reader_open_source(&s, &err), &err, &got);
        char cname[1200];
        snprintf(cname, sizeof cname, "%s %s", name, modes[i].what);
        check(same(&want, &got) && m.closes == 1, cname,
              "path: %llu events hash %llx err %d@%llu '%s'; source: %llu events hash %llx err %d@%llu '%s', %d closes",
              (unsigned long long)want.events, (unsigned long long)want.hash, want.code,
              (unsigned long long)want.offset, want.message, (unsigned long long)got.events,
              (unsigned long long)got.hash, got.code, (unsigned long long)got.offset, got.message, m.closes);
        /* With read_at, a new-format trace's event batches are skipped on
         * the first pass and read once, when merged: 1.07-1.25 times the
         * trace's size in all on the corpus (it was about twice that).
         * Traces above 64 KiB only: in smaller ones the few KiB read
         * around each skip weigh more. */
        if (modes[i].read_at && modes[i].chunk > 7 && header_version(data, len) >= 22 && len > (64u << 10)) {
            snprintf(cname, sizeof cname, "%s %s reads each batch once", name, modes[i].what);
            check(m.delivered <= len + len * 3 / 10, cname, "the source delivered %llu bytes for a trace of %zu",
                  (unsigned long long)m.delivered, len);
        }
    }

    /* The raw reader: binary traces only (the text format has its own). */
    drain_raw(gt_raw_open_path(path, &err), &err, &want);
    {
        mem_src m = {data, len, 0, len > (4u << 20) ? 7 : 1, SIZE_MAX, 0, 0};
        gt_source s = make_source(&m, 0);
        drain_raw(gt_raw_open_source(&s, &err), &err, &got);
        char cname[1200];
        snprintf(cname, sizeof cname, "%s raw", name);
        check(same(&want, &got) && m.closes == 1, cname, "path: %llu events err '%s'; source: %llu events err '%s'",
              (unsigned long long)want.events, want.message, (unsigned long long)got.events, got.message);
    }

    /* The text reader: the trace in Go's text format (gt_raw_writer), read
     * from memory and through a source of short reads, alike. */
    check_text(path, name);

    /* A callback failing part way: GT_ERR_IO with EPIPE's text, at an
     * offset the source had reached; close still called once. */
    if (len > 64) {
        size_t at = len / 2;
        mem_src m = {data, len, 0, 4096, at, 0, 0};
        gt_source s = make_source(&m, 0);
        gt_reader *r = gt_reader_open_source(&s, &err);
        drain(r, &err, &got);
        char cname[1200];
        snprintf(cname, sizeof cname, "%s read error", name);
        /* The reader fails, whatever the trace; the I/O error carries the
         * callback's errno text and an offset the source had reached. Before
         * Go 1.26 a batch that cannot be read ends its generation, which is
         * checked first (as Go's readGenerationWithSpill does): that check
         * may fail before the I/O error is reported. */
        int io = got.code == GT_ERR_IO;
        check(got.code != GT_ERR_NONE && m.closes == 1 &&
                  (!io || (got.offset <= at && strstr(got.message, strerror(EPIPE)))) &&
                  (io || header_version(data, len) < 26),
              cname, "got %s at %llu: '%s' (failed at %zu), %d closes", gt_errcode_name(got.code),
              (unsigned long long)got.offset, got.message, at, m.closes);
    }
    free(data);
}

static int is_trace(const char *n)
{
    size_t l = strlen(n);
    return l > 6 && strcmp(n + l - 6, ".trace") == 0;
}

static void walk(const char *dir, const char *label, int depth)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return;
    for (int i = 0; i < n; i++) {
        const char *e = names[i]->d_name;
        char path[4096], name[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e);
        snprintf(name, sizeof name, "%s/%s", label, e);
        struct stat st;
        if (e[0] != '.' && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < 4)
                walk(path, name, depth + 1);
            else if (S_ISREG(st.st_mode) && is_trace(e))
                check_trace(path, name);
        }
        free(names[i]);
    }
    free(names);
}

static void check_arguments(void)
{
    gt_error err;
    /* Each open before its check: the message is read after the call. */
    int failed = !gt_reader_open_source(NULL, &err);
    check(failed && err.code == GT_ERR_ARGUMENT, "NULL source", "%s", err.message);
    gt_source s = {0};
    failed = !gt_reader_open_source(&s, &err);
    check(failed && err.code == GT_ERR_ARGUMENT, "source without read", "%s",
          err.message);
    failed = !gt_raw_open_source(&s, &err);
    check(failed && err.code == GT_ERR_ARGUMENT, "raw source without read", "%s",
          err.message);
    /* Not a trace: the header error, and close called. */
    static const uint8_t junk[] = "hello, this is not a trace at all";
    mem_src m = {junk, sizeof junk, 0, 3, SIZE_MAX, 0, 0};
    s = make_source(&m, 1);
    failed = !gt_reader_open_source(&s, &err);
    check(failed && err.code == GT_ERR_FORMAT && m.closes == 1, "source not a trace",
          "%s, %d closes", err.message, m.closes);
    /* Failing at once: an I/O error at offset 0. */
    mem_src f = {junk, sizeof junk, 0, 3, 0, 0, 0};
    s = make_source(&f, 0);
    failed = !gt_reader_open_source(&s, &err);
    check(failed && err.code == GT_ERR_IO && err.offset == 0 && f.closes == 1,
          "source failing at once", "%s at %llu", err.message, (unsigned long long)err.offset);
}

int main(void)
{
    check_arguments();
    walk("tests/data", "tests/data", 0);
    const char *shared = check_shared_dir();
    if (shared) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/corpus", shared);
        walk(dir, "corpus", 0);
    } else {
        check_skip("corpus", "no ../shared/corpus");
    }
    return check_done();
}
