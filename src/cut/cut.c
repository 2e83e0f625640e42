/* Cutting v2 traces at generation boundaries (see gotrace/cut.h).
 *
 * One pass frames the batches with the generation layer's gt_batch_read
 * (Go's readBatch), groups them into generations as Go's reader does (an
 * EndOfGeneration byte from Go 1.26, a batch of the next generation before),
 * and decodes what the time span needs with the raw decoder: the Frequency
 * of the sync batch, the timestamp deltas of event batches, the times of CPU
 * samples. Only a generation's totals are kept. The bytes of a generation
 * that is kept are then copied out of the file by offset (pread): memory
 * holds one batch and one copy buffer, whatever the trace's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/source.h"
#include "event/table.h"
#include "gen/batch.h"
#include "gen/input.h"
#include "gotrace/cut.h"
#include "gotrace/duration.h"
#include "wire/raw_fragment.h"
#include "wire/spec.h"

enum {
    HEADER_PREFIX = 4096,  /* bytes read to find the header (Go's is 16) */
    COPY_CHUNK = 1 << 20
};

/* What a generation has shown so far. */
typedef struct gen_acc {
    uint64_t gen;
    uint64_t offset, end;    /* input bytes [offset, end) */
    uint64_t batches;
    uint64_t event_batches;
    uint64_t min_ts;         /* raw ticks: Go's minTs, over all batches (0 = unset) */
    uint64_t max_ts;         /* raw ticks: the latest event or CPU sample */
    uint64_t freq;           /* Frequency: ticks per second, 0 = none yet */
    int has_clock_snapshot;
    int complete;            /* Go 1.26+: EndOfGeneration read */
} gen_acc;

/* Stream mode: what the input (a source: the caller's, or a descriptor's)
 * gives is read through a stdio stream whose reads also write it to the
 * spool at its input offset, so that the generations can be copied from
 * there by offset. */
typedef struct spool_tee {
    gt_source src;
    gt_fd_source fd_state;   /* src's state when it reads a descriptor */
    int src_ended;           /* src's read returned 0 or failed: not called again */
    int spool_fd;
    uint64_t spooled;        /* bytes written to the spool = bytes read */
    uint8_t *pending;        /* read (and spooled) already: served first */
    size_t npending, pending_pos;
} spool_tee;

struct gt_cutter {
    int src_fd;              /* where generations are copied from: the input or the spool */
    int version;
    uint64_t header_size;
    gt_input in;
    FILE *stream;            /* stream mode: the tee's stream */
    spool_tee *tee;
    uint64_t released;       /* stream mode: spool bytes [header_size, released) given back */
    uint64_t release_to;     /* ... up to here at the next gt_cutter_next */
    gt_raw_reader *frag;
    gen_acc cur;             /* generation being read */
    int has_cur;             /* cur holds at least one batch */
    uint64_t returned;       /* generations returned so far */
    int64_t trace_start;
    int state;               /* 0 reading, 1 at the end, -1 failed */
    gt_error err;
    uint8_t *copy;           /* COPY_CHUNK bytes, allocated on first copy */
};

static int nomem(gt_error *err) { return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory"); }

/* ---------------------------------------------------------------- open */

static int pread_full(int fd, void *buf, size_t n, uint64_t off, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(fd, (uint8_t *)buf + *got, n - *got, (off_t)(off + *got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        *got += (size_t)k;
    }
    return 0;
}

static int pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
    for (size_t done = 0; done < n;) {
        ssize_t k = pwrite(fd, (const uint8_t *)buf + done, n - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

/* The tee's read: pending bytes first, then the input, spooled. */
static ssize_t tee_read(void *cookie, char *buf, size_t n)
{
    spool_tee *t = cookie;
    if (t->pending_pos < t->npending) {
        size_t k = t->npending - t->pending_pos < n ? t->npending - t->pending_pos : n;
        memcpy(buf, t->pending + t->pending_pos, k);
        t->pending_pos += k;
        return (ssize_t)k;
    }
    if (t->src_ended)
        return 0;
    int64_t k = t->src.read(t->src.ctx, buf, n);
    if (k <= 0) {
        t->src_ended = 1;
        if (k < 0)
            errno = gt_source_errno(k);
        return k < 0 ? -1 : 0;
    }
    if ((size_t)k > n)
        k = (int64_t)n;
    if (t->spool_fd >= 0 && pwrite_full(t->spool_fd, buf, (size_t)k, t->spooled) < 0)
        return -1;
    t->spooled += (uint64_t)k;
    return (ssize_t)k;
}

/* Reads the first bytes of the input (at most HEADER_PREFIX) and checks the
 * header: its version and size, or -1 with err set. */
static int read_header(const uint8_t *prefix, size_t got, int *version, uint64_t *size, gt_error *err)
{
    /* The raw reader scans the header as Go's fmt.Fscanf does. */
    gt_raw_reader *hr = gt_raw_open_memory(prefix, got, err);
    if (!hr)
        return -1;
    *version = gt_raw_version(hr);
    *size = gt_raw_bytes_read(hr);
    gt_raw_free(hr);
    if (!gt_version_is_v2(*version))
        return gt_error_set(err, GT_ERR_UNSUPPORTED, 0,
                            "cannot cut a go 1.%d trace: the old format (Go 1.11 to 1.21) has no generations; only "
                            "Go 1.22 and later traces can be cut",
                            *version);
    return 0;
}

static gt_cutter *new_cutter(int version, uint64_t header_size, gt_error *err)
{
    gt_cutter *c = calloc(1, sizeof *c);
    if (!c || !(c->frag = gt_raw_fragment_new(version, err))) {
        free(c);
        nomem(err);
        return NULL;
    }
    c->version = version;
    c->header_size = header_size;
    c->released = c->release_to = header_size;
    gt_error_clear(&c->err);
    gt_error_clear(err);
    return c;
}

static gt_cutter *gt_cutter_open_impl(int fd, gt_error *err)
{
    uint8_t prefix[HEADER_PREFIX];
    size_t got;
    int version;
    uint64_t header_size;
    if (pread_full(fd, prefix, sizeof prefix, 0, &got) < 0) {
        gt_error_set(err, GT_ERR_IO, 0, "read: %s%s", strerror(errno),
                     errno == ESPIPE ? " (a pipe needs gt_cutter_open_stream)" : "");
        return NULL;
    }
    if (read_header(prefix, got, &version, &header_size, err) < 0)
        return NULL;
    if (lseek(fd, (off_t)header_size, SEEK_SET) < 0) {
        gt_error_set(err, GT_ERR_IO, header_size, "lseek: %s", strerror(errno));
        return NULL;
    }
    gt_cutter *c = new_cutter(version, header_size, err);
    if (!c)
        return NULL;
    c->src_fd = fd;
    gt_in_init_fd(&c->in, fd);
    c->in.base = header_size; /* offsets are input offsets */
    return c;
}

gt_cutter *gt_cutter_open(int fd, gt_error *err)
{
    gt_error_init(err);
    gt_cutter *ret = gt_cutter_open_impl(fd, err);
    gt_error_publish(err);
    return ret;
}

/* src: the source to read, or NULL for fd's. src's close is called on
 * failure, or by gt_cutter_free. */
static gt_cutter *gt_cutter_open_stream_impl(const gt_source *src, int fd, int spool_fd, gt_error *err)
{
    spool_tee *t = calloc(1, sizeof *t);
    uint8_t *prefix = malloc(HEADER_PREFIX);
    if (!t || !prefix) {
        free(t);
        free(prefix);
        if (src) {
            gt_source s = *src;
            gt_source_close(&s);
        }
        nomem(err);
        return NULL;
    }
    if (src) {
        t->src = *src;
    } else {
        gt_source_from_fd(&t->src, &t->fd_state, fd, 0);
    }
    t->spool_fd = spool_fd;
    size_t got = 0;
    while (got < HEADER_PREFIX) {
        ssize_t k = tee_read(t, (char *)prefix + got, HEADER_PREFIX - got);
        if (k < 0) {
            gt_error_set(err, GT_ERR_IO, got, "read or spool: %s", strerror(errno));
            goto fail;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    int version;
    uint64_t header_size;
    if (read_header(prefix, got, &version, &header_size, err) < 0)
        goto fail;
    /* The bytes after the header are read again, from memory. */
    t->pending = prefix;
    t->npending = got;
    t->pending_pos = (size_t)header_size;
    cookie_io_functions_t io = {.read = tee_read};
    gt_cutter *c = new_cutter(version, header_size, err);
    FILE *f = c ? fopencookie(t, "r", io) : NULL;
    if (!f || setvbuf(f, NULL, _IOFBF, 1 << 18) != 0) {
        if (f)
            fclose(f);
        gt_cutter_free(c);
        nomem(err);
        goto fail;
    }
    c->tee = t;
    c->stream = f;
    c->src_fd = spool_fd;
    gt_in_init_stream(&c->in, f);
    c->in.base = header_size;
    return c;
fail:
    gt_source_close(&t->src);
    free(prefix);
    free(t);
    return NULL;
}

gt_cutter *gt_cutter_open_stream(int fd, int spool_fd, gt_error *err)
{
    gt_error_init(err);
    gt_cutter *ret = gt_cutter_open_stream_impl(NULL, fd, spool_fd, err);
    gt_error_publish(err);
    return ret;
}

gt_cutter *gt_cutter_open_source(const gt_source *src, int spool_fd, gt_error *err)
{
    gt_error_init(err);
    gt_cutter *ret = NULL;
    if (!src || !src->read)
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "gt_cutter_open_source: no source or no read callback");
    else
        ret = gt_cutter_open_stream_impl(src, -1, spool_fd, err);
    gt_error_publish(err);
    return ret;
}

void gt_cutter_free(gt_cutter *c)
{
    if (!c)
        return;
    gt_in_free(&c->in);
    if (c->stream)
        fclose(c->stream);
    if (c->tee) {
        free(c->tee->pending);
        gt_source_close(&c->tee->src);
    }
    free(c->tee);
    gt_raw_free(c->frag);
    free(c->copy);
    gt_error_clear(&c->err);
    free(c);
}

/* Stream mode: gives the spool's bytes of the generations returned so far
 * back to the file system (a hole), so that the spool holds about one
 * generation; the header stays. Best effort: a file system that
 * cannot punch holes keeps them. */
static void release_spool(gt_cutter *c)
{
    if (!c->tee || c->release_to <= c->released)
        return;
    fallocate(c->src_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)c->released,
              (off_t)(c->release_to - c->released));
    c->released = c->release_to;
}

int gt_cutter_version(const gt_cutter *c) { return c->version; }
uint64_t gt_cutter_header_size(const gt_cutter *c) { return c->header_size; }
int64_t gt_cutter_trace_start(const gt_cutter *c) { return c->trace_start; }

/* ---------------------------------------------------------------- scan */

static int fail(gt_cutter *c, gt_error *err, uint64_t gen)
{
    c->err.generation = gen;
    c->state = -1;
    if (err)
        gt_error_copy(err, &c->err);
    return -1;
}

/* Decodes b's events with the raw decoder, calling back per event. */
static int each_event(gt_cutter *c, const gt_batch *b, int (*f)(gen_acc *, const gt_raw_event *, uint64_t *),
                      uint64_t *state)
{
    gt_raw_fragment_reset(c->frag, b->data, b->len, b->offset);
    gt_raw_event ev;
    int st;
    while ((st = gt_raw_next(c->frag, &ev)) > 0)
        if (f(&c->cur, &ev, state) < 0) {
            c->err.offset = ev.offset;
            return -1;
        }
    if (st < 0) {
        gt_error_copy(&c->err, gt_raw_error(c->frag));
        return -1;
    }
    return 0;
}

/* Sync batch: the frequency (and, from Go 1.25, the clock snapshot Go
 * requires). Errors are Go's. */
static int sync_event(gen_acc *g, const gt_raw_event *ev, uint64_t *unused)
{
    (void)unused;
    if (ev->type == GT_EV_FREQUENCY) {
        if (g->freq)
            return -1;
        g->freq = ev->args[0];
        if (!g->freq)
            return -1;
    } else if (ev->type == GT_EV_CLOCK_SNAPSHOT) {
        g->has_clock_snapshot = 1;
    }
    return 0;
}

/* Event batch: *ts runs from the batch's timestamp through each delta. */
static int timed_event(gen_acc *g, const gt_raw_event *ev, uint64_t *ts)
{
    const gt_spec *s = gt_spec_any(ev->type);
    if (!s || !s->is_timed || s->nargs == 0)
        return -1;
    *ts += ev->args[0];
    if (*ts > g->max_ts)
        g->max_ts = *ts;
    return 0;
}

static int cpu_sample(gen_acc *g, const gt_raw_event *ev, uint64_t *unused)
{
    (void)unused;
    if (ev->type == GT_EV_CPU_SAMPLE && ev->args[0] > g->max_ts)
        g->max_ts = ev->args[0];
    return 0;
}

/* Adds batch b (read from input offset `at`, ending at the current offset)
 * to the current generation. */
static int absorb(gt_cutter *c, const gt_batch *b, uint64_t gen, uint64_t at)
{
    gen_acc *g = &c->cur;
    if (!c->has_cur) {
        memset(g, 0, sizeof *g);
        g->gen = gen;
        g->offset = at;
        c->has_cur = 1;
    }
    g->batches++;
    g->end = gt_in_offset(&c->in);
    if (gt_batch_is_end_of_generation(b)) {
        g->complete = 1;
        return 0;
    }
    if (g->min_ts == 0 || b->time < g->min_ts)
        g->min_ts = b->time;
    if (b->exp != GT_EXP_NONE || gt_batch_is_strings(b) || gt_batch_is_stacks(b))
        return 0;
    if (gt_batch_is_sync(b, c->version)) {
        uint64_t freq_before = g->freq;
        if (each_event(c, b, sync_event, NULL) == 0)
            return 0;
        if (c->err.code == GT_ERR_NONE) /* sync_event refused */
            gt_error_set(&c->err, GT_ERR_INVALID, c->err.offset, "%s",
                         freq_before ? "found multiple frequency events" : "invalid frequency 0");
        return -1;
    }
    if (gt_batch_is_cpu_samples(b))
        return each_event(c, b, cpu_sample, NULL);
    g->event_batches++;
    uint64_t ts = b->time;
    if (each_event(c, b, timed_event, &ts) == 0)
        return 0;
    if (c->err.code == GT_ERR_NONE) {
        uint64_t off = c->err.offset;
        uint8_t type = b->data[off - b->offset];
        gt_error_set(&c->err, GT_ERR_MALFORMED, off, "found event without a timestamp: type=%u", type);
    }
    return -1;
}

/* The checks Go makes once a generation has been read, and its span. */
static int finish(gt_cutter *c, gt_cut_gen *out)
{
    const gen_acc *g = &c->cur;
    if (!g->freq)
        return gt_error_set(&c->err, GT_ERR_INVALID, g->offset, "no frequency event found");
    if (c->version >= GT_GO125 && !g->has_clock_snapshot)
        return gt_error_set(&c->err, GT_ERR_INVALID, g->offset, "no clock snapshot event found");
    double freq = 1.0 / ((double)g->freq / 1e9); /* Go's frequency */
    out->index = ++c->returned;
    c->release_to = g->end; /* at the next call */
    out->gen = g->gen;
    out->offset = g->offset;
    out->size = g->end - g->offset;
    out->batches = g->batches;
    out->start = gt_time_mul(freq, g->min_ts);
    /* A generation without events ends where it starts. */
    out->end = g->max_ts > g->min_ts ? gt_time_mul(freq, g->max_ts) : out->start;
    if (out->index == 1)
        c->trace_start = out->start;
    c->has_cur = 0;
    return 0;
}

/* A generation is whole, but what follows it is broken: it is returned now
 * (1) and the failure at the next call, as Go's reader yields a generation
 * before the error met reading past it (before Go 1.26). */
static int defer_failure(gt_cutter *c, uint64_t gen)
{
    c->err.generation = gen;
    c->state = -1;
    return 1;
}

/* Before Go 1.26, a batch that cannot be read ends the generation being
 * read, as in Go: it is returned if it is complete enough (its frequency),
 * and the batch's error comes at the next call. */
static int finish_then_fail(gt_cutter *c, gt_cut_gen *out, gt_error *err, uint64_t gen)
{
    /* A copy: finish reads c->err (whether a batch error is pending). */
    gt_error batch_err = GT_ERROR_INIT;
    gt_error_copy(&batch_err, &c->err);
    if (finish(c, out) < 0) {
        gt_error_clear(&batch_err);
        return fail(c, err, gen);
    }
    gt_error_move(&c->err, &batch_err);
    return defer_failure(c, gen);
}

static int gt_cutter_next_impl(gt_cutter *c, gt_cut_gen *out, gt_error *err)
{
    release_spool(c);
    if (c->state > 0)
        return 0;
    if (c->state < 0) {
        if (err)
            gt_error_copy(err, &c->err);
        return -1;
    }
    for (;;) {
        gt_batch b;
        uint64_t gen;
        uint64_t at = gt_in_offset(&c->in);
        int st = gt_batch_read(&c->in, NULL, 0, &b, &gen, &c->err);
        if (st == GT_BATCH_ERR) {
            uint64_t gen_at_fault = c->has_cur ? c->cur.gen : 0;
            if (c->version < GT_GO126 && c->has_cur)
                return finish_then_fail(c, out, err, gen_at_fault);
            return fail(c, err, gen_at_fault);
        }
        if (st == GT_BATCH_EOF) {
            c->state = 1;
            if (!c->has_cur)
                return 0;
            if (c->version >= GT_GO126) {
                /* Go: a generation without its EndOfGeneration is an error
                 * once it holds event batches, else the end. */
                if (c->cur.event_batches == 0)
                    return 0;
                gt_error_set(&c->err, GT_ERR_TRUNCATED, at, "incomplete generation found; trace likely truncated");
                return fail(c, err, c->cur.gen);
            }
            if (finish(c, out) < 0)
                return fail(c, err, c->cur.gen);
            return 1;
        }
        int eog = gt_batch_is_end_of_generation(&b);
        if (!eog && gen == 0) {
            gt_error_set(&c->err, GT_ERR_INVALID, at, "invalid generation number %llu", (unsigned long long)gen);
            return fail(c, err, c->has_cur ? c->cur.gen : 0);
        }
        if (c->version < GT_GO126 && c->has_cur && gen != c->cur.gen) {
            if (gen != c->cur.gen + 1) {
                gt_error_set(&c->err, GT_ERR_INVALID, at, "generations out of order");
                return fail(c, err, c->cur.gen);
            }
            /* The next generation starts: this one is whole. */
            gt_cut_gen done;
            if (finish(c, &done) < 0)
                return fail(c, err, c->cur.gen);
            *out = done;
            if (absorb(c, &b, gen, at) < 0)
                return defer_failure(c, gen);
            return 1;
        }
        if (c->version >= GT_GO126 && c->has_cur && !eog && gen != c->cur.gen) {
            gt_error_set(&c->err, GT_ERR_INVALID, at,
                         "broken trace: missing end-of-generation event, or generations are interleaved");
            return fail(c, err, c->cur.gen);
        }
        if (absorb(c, &b, gen, at) < 0)
            return fail(c, err, c->cur.gen);
        if (eog) {
            if (finish(c, out) < 0)
                return fail(c, err, c->cur.gen);
            return 1;
        }
    }
}

int gt_cutter_next(gt_cutter *c, gt_cut_gen *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_cutter_next_impl(c, out, err);
    gt_error_publish(err);
    return ret;
}

/* ---------------------------------------------------------------- copy */

static int write_all(FILE *out, const void *p, size_t n, gt_error *err)
{
    if (n && fwrite(p, 1, n, out) != n)
        return gt_error_set(err, GT_ERR_IO, GT_NO_OFFSET, "write: %s", strerror(errno ? errno : EIO));
    return 0;
}

static int gt_cutter_write_impl(gt_cutter *c, uint64_t offset, uint64_t size, FILE *out, gt_error *err)
{
    if (!c->copy && !(c->copy = malloc(COPY_CHUNK)))
        return nomem(err);
    while (size > 0) {
        size_t want = size < COPY_CHUNK ? (size_t)size : COPY_CHUNK, got;
        if (pread_full(c->src_fd, c->copy, want, offset, &got) < 0)
            return gt_error_set(err, GT_ERR_IO, offset, "read: %s", strerror(errno));
        if (got < want)
            return gt_error_set(err, GT_ERR_IO, offset + got, "read: the input shrank while being cut");
        errno = 0;
        if (write_all(out, c->copy, got, err) < 0)
            return -1;
        offset += got;
        size -= got;
    }
    return 0;
}

int gt_cutter_write(gt_cutter *c, uint64_t offset, uint64_t size, FILE *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_cutter_write_impl(c, offset, size, out, err);
    gt_error_publish(err);
    return ret;
}

static int gt_cutter_write_header_impl(gt_cutter *c, FILE *out, gt_error *err)
{
    return gt_cutter_write(c, 0, c->header_size, out, err);
}

int gt_cutter_write_header(gt_cutter *c, FILE *out, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_cutter_write_header_impl(c, out, err);
    gt_error_publish(err);
    return ret;
}

/* ---------------------------------------------------------------- cut */

static int in_window(const gt_cut_window *w, const gt_cut_gen *g, int64_t trace_start)
{
    if (w->by_index)
        return g->index >= w->first && g->index <= w->last;
    return g->start - trace_start <= w->to && g->end - trace_start >= w->from;
}

static int past_window(const gt_cut_window *w, const gt_cut_gen *g, int64_t trace_start)
{
    return w->by_index ? g->index > w->last : g->start - trace_start > w->to;
}

/* The message for a window that holds no generation: reads the rest of the
 * trace to say what it holds. */
static int empty_window(gt_cutter *c, const gt_cut_window *w, uint64_t n, int64_t end, gt_error *err)
{
    gt_cut_gen g;
    int st;
    while ((st = gt_cutter_next(c, &g, err)) > 0) {
        n = g.index;
        if (g.end > end)
            end = g.end;
    }
    if (st < 0)
        return -1;
    if (n == 0)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "the trace holds no generation");
    char a[GT_DURATION_BUF], b[GT_DURATION_BUF], e[GT_DURATION_BUF];
    if (w->by_index)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                            "no generation %llu: the trace has %llu generation%s, numbered from 1",
                            (unsigned long long)w->first, (unsigned long long)n, n == 1 ? "" : "s");
    gt_format_duration(w->from, a);
    gt_format_duration(end - c->trace_start, e);
    if (w->to == INT64_MAX)
        snprintf(b, sizeof b, "the end");
    else
        gt_format_duration(w->to, b);
    return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET,
                        "no generation overlaps the window %s to %s: the trace's %llu generation%s span 0s to %s", a,
                        b, (unsigned long long)n, n == 1 ? "" : "s", e);
}

static int gt_cut_impl(gt_cutter *c, FILE *out, const gt_cut_window *w, gt_cut_result *res, gt_error *err)
{
    memset(res, 0, sizeof *res);
    gt_cut_gen g;
    int st;
    uint64_t seen = 0;
    int64_t last_end = INT64_MIN;
    while ((st = gt_cutter_next(c, &g, err)) > 0) {
        seen = g.index;
        if (g.end > last_end)
            last_end = g.end;
        int64_t t0 = c->trace_start;
        if (past_window(w, &g, t0))
            break;
        if (!in_window(w, &g, t0))
            continue;
        if (res->first == 0) {
            if (gt_cutter_write_header(c, out, err) < 0)
                goto fail;
            res->first = g.index;
            res->start = g.start - t0;
            res->bytes = c->header_size;
        }
        if (gt_cutter_write(c, g.offset, g.size, out, err) < 0)
            goto fail;
        res->last = g.index;
        res->end = g.end - t0 > res->end ? g.end - t0 : res->end;
        res->bytes += g.size;
        /* The last generation asked for: what follows is not read (a time
         * window has to read the next generation to see that it starts
         * after the window). */
        if (w->by_index && g.index == w->last)
            break;
    }
    if (st < 0)
        goto fail;
    if (res->first == 0 && empty_window(c, w, seen, last_end, err) < 0)
        return -1;
    return 0;
fail:
    return -1;
}

int gt_cut(gt_cutter *c, FILE *out, const gt_cut_window *w, gt_cut_result *res, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_cut_impl(c, out, w, res, err);
    gt_error_publish(err);
    return ret;
}

/* ---------------------------------------------------------------- split */

/* The sink's callbacks fill a gt_error of their own, whose message may be
 * any text valid until they return (gotrace.h): err gets a copy. */
static FILE *sink_open(const gt_split_sink *sink, uint64_t number, gt_error *err)
{
    gt_error e = GT_ERROR_INIT;
    FILE *f = sink->open(sink->arg, number, &e);
    if (!f && err)
        gt_error_copy(err, &e);
    return f;
}

static int sink_close(const gt_split_sink *sink, const gt_split_piece *piece, int complete, gt_error *err)
{
    gt_error e = GT_ERROR_INIT;
    int rc = sink->close(sink->arg, piece, complete, &e);
    if (rc < 0 && err)
        gt_error_copy(err, &e);
    return rc;
}

static int gt_split_impl(gt_cutter *c, uint64_t max_bytes, const gt_split_sink *sink, uint64_t *pieces, gt_error *err)
{
    *pieces = 0;
    gt_split_piece p;
    memset(&p, 0, sizeof p);
    FILE *out = NULL;
    gt_cut_gen g;
    int st;
    while ((st = gt_cutter_next(c, &g, err)) > 0) {
        if (out && p.bytes + g.size > max_bytes) {
            out = NULL;
            if (sink_close(sink, &p, 1, err) < 0)
                goto fail;
            (*pieces)++;
            p.number++;
        }
        if (!out) {
            if (!(out = sink_open(sink, p.number, err)))
                goto fail;
            p.first = g.index;
            p.bytes = c->header_size;
            p.oversize = 0;
            if (gt_cutter_write_header(c, out, err) < 0)
                goto fail;
        }
        if (gt_cutter_write(c, g.offset, g.size, out, err) < 0)
            goto fail;
        p.last = g.index;
        p.bytes += g.size;
        if (p.bytes > max_bytes)
            p.oversize = 1;
    }
    if (st < 0)
        goto fail;
    if (!out)
        return gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "the trace holds no generation");
    out = NULL;
    if (sink_close(sink, &p, 1, err) < 0)
        goto fail;
    (*pieces)++;
    return 0;
fail:
    if (out)
        sink->close(sink->arg, &p, 0, NULL);
    return -1;
}

int gt_split(gt_cutter *c, uint64_t max_bytes, const gt_split_sink *sink, uint64_t *pieces, gt_error *err)
{
    gt_error_init(err);
    int ret = gt_split_impl(c, max_bytes, sink, pieces, err);
    gt_error_publish(err);
    return ret;
}
