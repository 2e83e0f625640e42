/* Old-format (Go 1.11-1.21) input is read only as far as Go's first pass
 * needs to fail (issue 12, "bound the v1 path"): a v1 header followed by
 * megabytes of garbage fails with Go's message and offset, the same as
 * when the whole input is in memory, after reading a small prefix of a file
 * or a pipe. Valid old traces still read whole: tests/unit/test_v1.c and
 * tests/scripts/v1.sh.
 *
 *   test_v1_bound             run the tests
 *   test_v1_bound --write DIR write the generated traces (to compare with
 *                             `go tool trace -d=parsed`)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gotrace.h"
#include "tbuf.h"

enum { GARBAGE = 8 << 20, PREFIX_EVENTS = 20000 };

/* Old event types used here (the runtime's trace.go). */
enum { EV_BATCH = 1, EV_GO_SCHED = 17 };

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void put_random(tbuf *t, size_t n, uint64_t seed)
{
    uint8_t chunk[4096];
    for (size_t done = 0; done < n;) {
        for (size_t i = 0; i < sizeof chunk; i += 8) {
            uint64_t v = next_random(&seed);
            memcpy(chunk + i, &v, 8);
        }
        size_t k = n - done < sizeof chunk ? n - done : sizeof chunk;
        put(t, chunk, k);
        done += k;
    }
}

/* A Go 1.21 header, a Batch of P 0, then `events` GoSched events (two
 * inline arguments: timestamp delta and stack). */
static tbuf v1_prefix(size_t events)
{
    tbuf t = header(21);
    put_byte(&t, EV_BATCH | 1 << 6);
    put_uv(&t, 0); /* P */
    put_uv(&t, 1); /* ticks */
    for (size_t i = 0; i < events; i++) {
        put_byte(&t, EV_GO_SCHED | 1 << 6);
        put_uv(&t, 1 + i % 300);
        put_uv(&t, 0);
    }
    return t;
}

typedef struct trace_case {
    const char *name;
    tbuf t;
    const char *message; /* Go's text */
    uint64_t offset;     /* GT_NO_OFFSET: not known beforehand */
} trace_case;

static void make_cases(trace_case *c)
{
    /* Valid events, then type 63 (no such old event), then garbage. */
    c[0].name = "v1-bound-unknown-type";
    c[0].t = v1_prefix(PREFIX_EVENTS);
    c[0].offset = c[0].t.len;
    put_byte(&c[0].t, 63);
    put_random(&c[0].t, GARBAGE, 1);
    c[0].message = "unknown event type 63";

    /* A length-prefixed argument list longer than Go allows. */
    c[1].name = "v1-bound-arg-too-big";
    c[1].t = v1_prefix(PREFIX_EVENTS);
    c[1].offset = c[1].t.len;
    put_byte(&c[1].t, EV_GO_SCHED | 3 << 6);
    put_uv(&c[1].t, 4096);
    put_random(&c[1].t, GARBAGE, 2);
    c[1].message = "failed to read event 17 argument: length-prefixed argument too big: 4096 bytes, limit is 2048";

    /* An event before any batch. */
    c[2].name = "v1-bound-no-batch";
    c[2].t = header(21);
    c[2].offset = c[2].t.len;
    put_byte(&c[2].t, EV_GO_SCHED | 1 << 6);
    put_uv(&c[2].t, 1);
    put_uv(&c[2].t, 0);
    put_random(&c[2].t, GARBAGE, 3);
    c[2].message = "read event 17 with current P of 0, but P has no batches yet";

    /* Random bytes right after a batch header: the first error Go's first
     * pass meets in them (the text is what Go 1.27 prints for this input). */
    c[3].name = "v1-bound-random";
    c[3].t = v1_prefix(0);
    c[3].offset = GT_NO_OFFSET;
    put_random(&c[3].t, GARBAGE, 4);
    c[3].message = "failed to read event 10 argument: length-prefixed argument too big: 6538 bytes, limit is 2048";
}

static int write_file(const char *path, const tbuf *t)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(t->p, 1, t->len, f) != t->len;
    return fclose(f) || bad ? -1 : 0;
}

typedef struct pipe_writer {
    int fd;
    const tbuf *t;
    size_t written;
} pipe_writer;

static void *write_pipe(void *arg)
{
    pipe_writer *w = arg;
    while (w->written < w->t->len) {
        ssize_t k = write(w->fd, w->t->p + w->written, w->t->len - w->written);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* EPIPE: the reader has stopped reading */
        w->written += (size_t)k;
    }
    close(w->fd);
    return NULL;
}

static int same_error(const gt_error *a, const gt_error *b)
{
    return a->code == b->code && a->offset == b->offset && !strcmp(a->message, b->message);
}

/* Reading stops within this many bytes after the error: the reader's read
 * window (256 KiB) twice over, and the span the first pass may look ahead. */
#define READ_SLACK (1u << 20)

static void run_case(const trace_case *c)
{
    char name[256];
    gt_error mem;
    gt_reader *r = gt_reader_open_memory(c->t.p, c->t.len, &mem);
    /* mem's message lives in this thread's storage only until the next
     * failing open below: keep a copy to compare with. */
    static char mem_message[4096];
    snprintf(mem_message, sizeof mem_message, "%s", mem.message);
    mem.message = mem_message;
    snprintf(name, sizeof name, "%s-memory", c->name);
    if (r) {
        check(0, name, "opened: the garbage was accepted");
        gt_reader_free(r);
        return;
    }
    check(mem.code == GT_ERR_MALFORMED && (c->offset == GT_NO_OFFSET ? mem.offset < READ_SLACK : mem.offset == c->offset) &&
              !strcmp(mem.message, c->message),
          name, "code %d offset %llu (want %llu) message \"%s\"", mem.code, (unsigned long long)mem.offset,
          (unsigned long long)c->offset, mem.message);

    /* A regular file through its descriptor: how far it was read is the
     * descriptor's position afterwards. */
    char path[] = "/tmp/gt-v1-bound-XXXXXX";
    int fd = mkstemp(path);
    snprintf(name, sizeof name, "%s-file", c->name);
    if (fd < 0 || write_file(path, &c->t) < 0) {
        check(0, name, "cannot write %s", path);
    } else {
        gt_error err;
        r = gt_reader_open_fd(fd, &err);
        off_t pos = lseek(fd, 0, SEEK_CUR);
        check(!r && same_error(&err, &mem) && pos >= 0 && (uint64_t)pos < mem.offset + READ_SLACK, name,
              "read %lld of %zu bytes; error code %d offset %llu message \"%s\"", (long long)pos, c->t.len,
              err.code, (unsigned long long)err.offset, err.message);
        gt_reader_free(r);
    }
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }

    /* A pipe: the writer learns how much was taken when the reader closes
     * its end. */
    int p[2];
    snprintf(name, sizeof name, "%s-pipe", c->name);
    if (pipe(p)) {
        check(0, name, "pipe: %s", strerror(errno));
        return;
    }
    pipe_writer w = {p[1], &c->t, 0};
    pthread_t th;
    if (pthread_create(&th, NULL, write_pipe, &w)) {
        check(0, name, "cannot start the writer");
        close(p[0]);
        close(p[1]);
        return;
    }
    gt_error err;
    r = gt_reader_open_fd(p[0], &err);
    close(p[0]);
    pthread_join(th, NULL);
    /* The pipe itself holds up to 1 MiB more than the reader took. */
    check(!r && same_error(&err, &mem) && w.written < mem.offset + 2 * READ_SLACK, name,
          "wrote %zu of %zu bytes; error code %d offset %llu message \"%s\"", w.written, c->t.len, err.code,
          (unsigned long long)err.offset, err.message);
    gt_reader_free(r);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    trace_case cases[4];
    make_cases(cases);
    size_t n = sizeof cases / sizeof cases[0];
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        for (size_t i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.trace", argv[2], cases[i].name);
            if (write_file(path, &cases[i].t) < 0) {
                fprintf(stderr, "cannot write %s\n", path);
                return 1;
            }
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        run_case(&cases[i]);
        free(cases[i].t.p);
    }
    return check_done();
}
