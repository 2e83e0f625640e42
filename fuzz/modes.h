/* Reads one input through each way the public API offers -- memory, path,
 * file descriptor, pipe, stdio stream, gt_reader_next_batch, threaded
 * reading -- and reduces what each yields to an outcome (event count, a
 * digest of every event's gt_event_format text, the error's code, message
 * and offset) so that a harness can require the ways to agree.
 *
 * Which extra way an input takes comes from a hash of the whole input (not
 * from a selector byte), so that saved corpus files keep their meaning as
 * traces and every mutation of an input may take another way. The memory
 * way is the reference: the harness reads every input through it (with
 * every accessor) and then through the one extra way, and traps when the
 * outcomes differ. One extra way per input keeps the replay build cheap. */
#ifndef GT_FUZZ_MODES_H
#define GT_FUZZ_MODES_H

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exercise.h"
#include "gotrace.h"

typedef enum {
    FUZZ_MODE_MEMORY,      /* gt_reader_open_memory, gt_reader_next: the reference */
    FUZZ_MODE_PATH,        /* gt_reader_open_path on a memfd's /proc/self/fd path */
    FUZZ_MODE_FD,          /* gt_reader_open_fd on a memfd (a regular file) */
    FUZZ_MODE_PIPE,        /* gt_reader_open_fd on a pipe fed by a thread */
    FUZZ_MODE_STREAM,      /* gt_reader_open_stream on fmemopen */
    FUZZ_MODE_BATCH,       /* memory, gt_reader_next_batch with a hash-chosen cap */
    FUZZ_MODE_THREADED,    /* memory, gt_reader_set_threads(2), gt_reader_next */
    FUZZ_MODE_THREADED_FD_BATCH, /* memfd fd, two threads, gt_reader_next_batch */
    FUZZ_MODE_COUNT
} fuzz_mode;

static const char *const fuzz_mode_names[FUZZ_MODE_COUNT] = {
    "memory", "path", "fd", "pipe", "stream", "batch", "threaded", "threaded-fd-batch"};

/* Batch caps: one event at a time, a few, and the CLI's size. */
static const size_t fuzz_batch_caps[] = {1, 2, 3, 17, 4096};

typedef struct {
    int opened;           /* 0: the open call failed */
    gt_errcode code;      /* GT_ERR_NONE when the input read to its end */
    uint64_t offset;
    char message[8192];   /* the error's message, cut here when longer */
    uint64_t events;
    uint64_t digest;      /* FNV-1a over the events' formatted text */
} fuzz_outcome;

/* FNV-1a, 64 bits. */
static inline uint64_t fuzz_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}
#define FUZZ_FNV_SEED 0xcbf29ce484222325ull

static inline uint64_t fuzz_input_hash(const uint8_t *data, size_t size)
{
    return fuzz_fnv(FUZZ_FNV_SEED, data, size);
}

/* The extra way for an input, never the reference. */
static inline fuzz_mode fuzz_pick_mode(uint64_t hash)
{
    return (fuzz_mode)(1 + hash % (FUZZ_MODE_COUNT - 1));
}
static inline size_t fuzz_pick_cap(uint64_t hash)
{
    return fuzz_batch_caps[(hash >> 16) % (sizeof fuzz_batch_caps / sizeof *fuzz_batch_caps)];
}

static inline void fuzz_outcome_add_text(fuzz_outcome *o, const char *text, size_t n)
{
    o->digest = fuzz_fnv(o->digest, text, n);
    o->digest = fuzz_fnv(o->digest, "\n", 1);
    o->events++;
}

/* Adds one event's gt_event_format text (whole, however long). */
static inline void fuzz_outcome_add(fuzz_outcome *o, const gt_event *ev)
{
    char small[512];
    size_t n = gt_event_format(ev, small, sizeof small);
    if (n < sizeof small) {
        fuzz_outcome_add_text(o, small, n);
    } else {
        char *big = malloc(n + 1);
        if (!big)
            abort(); /* a harness failure, not a finding: the text is small */
        if (gt_event_format(ev, big, n + 1) != n)
            __builtin_trap(); /* the same event formats to another length */
        fuzz_outcome_add_text(o, big, n);
        free(big);
    }
}

static inline void fuzz_outcome_error(fuzz_outcome *o, const gt_error *e)
{
    if (!e)
        return;
    o->code = e->code;
    o->offset = e->offset;
    snprintf(o->message, sizeof o->message, "%s", e->message);
}

/* A memfd holding the input (the file the path and fd ways read), or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    int fd;
    const uint8_t *data;
    size_t size;
} fuzz_pipe_feed;

/* Writes the input into the pipe until done or the reader closes its end. */
static void *fuzz_pipe_writer(void *arg)
{
    fuzz_pipe_feed *f = arg;
    size_t done = 0;
    while (done < f->size) {
        ssize_t w = write(f->fd, f->data + done, f->size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

/* Called on every event after its text is added, to add more to the
 * outcome (a harness's own checks, e.g. the validator's findings). */
typedef void (*fuzz_event_hook)(void *ctx, const gt_reader *r, const gt_event *ev, fuzz_outcome *o);

/* Reads r to its end through next or next_batch (cap events at a time) and
 * fills o; frees r. */
static inline void fuzz_drain(gt_reader *r, size_t batch_cap, fuzz_outcome *o, fuzz_event_hook hook, void *ctx)
{
    o->opened = 1;
    if (batch_cap == 0) {
        gt_event ev;
        while (gt_reader_next(r, &ev) == 1) {
            fuzz_outcome_add(o, &ev);
            if (hook)
                hook(ctx, r, &ev, o);
        }
    } else {
        gt_event *evs = malloc(batch_cap * sizeof *evs);
        if (!evs)
            abort();
        size_t n;
        /* A batch may end early at a generation boundary: the end is an
         * empty batch. Every event of a batch is valid until the next call. */
        while ((n = gt_reader_next_batch(r, evs, batch_cap)) > 0)
            for (size_t i = 0; i < n; i++) {
                fuzz_outcome_add(o, &evs[i]);
                if (hook)
                    hook(ctx, r, &evs[i], o);
            }
        free(evs);
    }
    fuzz_outcome_error(o, gt_reader_error(r));
    gt_reader_free(r);
}

/* Reads the input one way into *o, calling hook (may be NULL) on every
 * event. Returns 0, or -1 when the way could not be set up here (no memfd,
 * no pipe): then *o means nothing. */
static inline int fuzz_read_mode_hooked(const uint8_t *data, size_t size, fuzz_mode mode, size_t batch_cap,
                                        fuzz_outcome *o, fuzz_event_hook hook, void *ctx)
{
    memset(o, 0, sizeof *o);
    o->digest = FUZZ_FNV_SEED;
    gt_error err;
    memset(&err, 0, sizeof err);
    gt_reader *r = NULL;
    int fd = -1;
    FILE *stream = NULL;
    pthread_t writer;
    int writing = 0;
    fuzz_pipe_feed feed;

    switch (mode) {
    case FUZZ_MODE_MEMORY:
    case FUZZ_MODE_BATCH:
    case FUZZ_MODE_THREADED:
        r = gt_reader_open_memory(data, size, &err);
        break;
    case FUZZ_MODE_PATH: {
        if ((fd = fuzz_memfd(data, size)) < 0)
            return -1;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        r = gt_reader_open_path(path, &err);
        break;
    }
    case FUZZ_MODE_FD:
    case FUZZ_MODE_THREADED_FD_BATCH:
        if ((fd = fuzz_memfd(data, size)) < 0)
            return -1;
        r = gt_reader_open_fd(fd, &err);
        break;
    case FUZZ_MODE_PIPE: {
        int fds[2];
        if (pipe(fds) != 0)
            return -1;
        /* The reader may stop early: the writer then gets EPIPE, not a
         * signal. */
        signal(SIGPIPE, SIG_IGN);
        feed = (fuzz_pipe_feed){fds[1], data, size};
        if (pthread_create(&writer, NULL, fuzz_pipe_writer, &feed) != 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        writing = 1;
        fd = fds[0];
        r = gt_reader_open_fd(fd, &err);
        break;
    }
    case FUZZ_MODE_STREAM:
        /* fmemopen of an empty buffer is not portable: read "" via a pipe-less
         * empty stream instead. */
        stream = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
        if (!stream)
            return -1;
        r = gt_reader_open_stream(stream, &err);
        break;
    default:
        return -1;
    }

    if (r && (mode == FUZZ_MODE_THREADED || mode == FUZZ_MODE_THREADED_FD_BATCH) &&
        gt_reader_set_threads(r, 2) != 0)
        abort(); /* documented to succeed before the first read */
    if (r)
        fuzz_drain(r, mode == FUZZ_MODE_BATCH || mode == FUZZ_MODE_THREADED_FD_BATCH ? batch_cap : 0, o, hook, ctx);
    else
        fuzz_outcome_error(o, &err);
    if (stream)
        fclose(stream);
    if (fd >= 0)
        close(fd);
    if (writing)
        pthread_join(writer, NULL);
    return 0;
}

static inline int fuzz_read_mode(const uint8_t *data, size_t size, fuzz_mode mode, size_t batch_cap,
                                 fuzz_outcome *o)
{
    return fuzz_read_mode_hooked(data, size, mode, batch_cap, o, NULL, NULL);
}

/* Traps unless b (read the extra way) equals a (the reference). Names the
 * difference on stderr first so that a finding explains itself. */
static inline void fuzz_require_same(const fuzz_outcome *a, const fuzz_outcome *b, fuzz_mode mode, size_t cap)
{
    const char *what = a->opened != b->opened ? "open result"
                     : a->events != b->events ? "event count"
                     : a->digest != b->digest ? "event text"
                     : a->code != b->code     ? "error code"
                     : a->offset != b->offset ? "error offset"
                     : strcmp(a->message, b->message) ? "error message"
                                                      : NULL;
    if (!what)
        return;
    fprintf(stderr,
            "fuzz: %s differs between memory and %s (batch cap %zu):\n"
            "  memory: opened=%d events=%llu code=%d offset=%llu message=%s\n"
            "  %s: opened=%d events=%llu code=%d offset=%llu message=%s\n",
            what, fuzz_mode_names[mode], cap, a->opened, (unsigned long long)a->events, (int)a->code,
            (unsigned long long)a->offset, a->message, fuzz_mode_names[mode], b->opened,
            (unsigned long long)b->events, (int)b->code, (unsigned long long)b->offset, b->message);
    __builtin_trap();
}

/* The reference: the memory way, every accessor called on every event.
 * Its digest is of gt_event_string's text, the other ways' of
 * gt_event_format's, so the comparison also holds the two to one text. The
 * byte counts must stay within the input. */
static inline uint64_t fuzz_read_reference(const uint8_t *data, size_t size, fuzz_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->digest = FUZZ_FNV_SEED;
    gt_error err;
    memset(&err, 0, sizeof err);
    gt_reader *r = gt_reader_open_memory(data, size, &err);
    if (!r) {
        fuzz_outcome_error(o, &err);
        return (uint64_t)gt_errcode_name(err.code)[0];
    }
    o->opened = 1;
    uint64_t acc = (uint64_t)gt_reader_version(r);
    gt_event ev;
    while (gt_reader_next(r, &ev) == 1) {
        acc += fuzz_exercise_event(&ev);
        size_t len = 0;
        const char *text = gt_event_string(&ev, &len);
        if (!text)
            abort(); /* out of memory: a harness failure */
        fuzz_outcome_add_text(o, text, len);
    }
    if (gt_reader_bytes_total(r) != size || gt_reader_bytes_read(r) > size)
        __builtin_trap();
    fuzz_outcome_error(o, gt_reader_error(r));
    acc += (uint64_t)gt_errcode_name(o->code)[0];
    gt_reader_free(r);
    return acc;
}

/* The cross-check of a harness: reads the input the extra way its hash
 * picks and compares with the reference outcome. FUZZ_ALL_MODES in the
 * environment reads it every way instead (for checking a corpus by hand). */
static inline void fuzz_cross_check(const uint8_t *data, size_t size, const fuzz_outcome *reference)
{
    uint64_t h = fuzz_input_hash(data, size);
    size_t cap = fuzz_pick_cap(h);
    fuzz_outcome other;
    if (getenv("FUZZ_ALL_MODES")) {
        for (int m = 1; m < FUZZ_MODE_COUNT; m++)
            for (size_t c = 0; c < sizeof fuzz_batch_caps / sizeof *fuzz_batch_caps; c++) {
                size_t each = fuzz_batch_caps[c];
                if (c > 0 && m != FUZZ_MODE_BATCH && m != FUZZ_MODE_THREADED_FD_BATCH)
                    break;
                if (fuzz_read_mode(data, size, (fuzz_mode)m, each, &other) == 0)
                    fuzz_require_same(reference, &other, (fuzz_mode)m, each);
            }
        return;
    }
    fuzz_mode mode = fuzz_pick_mode(h);
    if (fuzz_read_mode(data, size, mode, cap, &other) == 0)
        fuzz_require_same(reference, &other, mode, cap);
}

#endif
