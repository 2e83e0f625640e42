/* Compressed traces (gzip, zstd) for cli_input: the input's format from its
 * magic bytes, a streaming decoder into a file descriptor (a spool, or a
 * pipe fed by a thread), and what a file that is not a trace looks like.
 * Memory is bounded: fixed buffers, zlib's 32 KiB window, and zstd's window
 * up to its default limit (128 MiB, ZSTD_WINDOWLOG_LIMIT_DEFAULT; a frame
 * that needs more is refused with zstd's message). The library never sees
 * compression: it reads the decompressed bytes from the descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "cli.h"

int cli_sniff_format(const unsigned char *h, size_t n)
{
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return CLI_INPUT_GZIP;
    if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        return CLI_INPUT_ZSTD;
    return CLI_INPUT_PLAIN;
}

const char *cli_format_name(int format)
{
    return format == CLI_INPUT_GZIP ? "gzip" : format == CLI_INPUT_ZSTD ? "zstd" : "plain";
}

/* What the bytes h (the start of an input, n of them, and all of it when
 * n < cap) look like, as a noun phrase. */
static const char *describe(const unsigned char *h, size_t n)
{
    static const struct { const char *magic; size_t len; const char *what; } magics[] = {
        {"\x1f\x8b", 2, "gzip data"},          {"\x28\xb5\x2f\xfd", 4, "zstd data"},
        {"\xfd" "7zXZ", 5, "xz data"},         {"BZh", 3, "bzip2 data"},
        {"\x04\x22\x4d\x18", 4, "lz4 data"},   {"PK\x03\x04", 4, "a zip archive"},
        {"\x7f" "ELF", 4, "an ELF executable"}, {"%PDF", 4, "a PDF document"},
        {"\x89PNG", 4, "a PNG image"},
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].len && !memcmp(h, magics[i].magic, magics[i].len))
            return magics[i].what;
    size_t i = 0;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\t' || h[i] == '\r'))
        i++;
    if (n - i >= 8 && !memcmp(h + i, "Trace Go", 8))
        return "a trace in Go's text format";
    for (size_t k = 0; k < n; k++)
        if (h[k] == 0 || h[k] == 0x7f || (h[k] < 0x20 && !strchr("\t\n\r\f\v\b\x1b", h[k])))
            return "binary data";
    return "a text file";
}

void cli_describe(char *buf, size_t cap, int format, const unsigned char *raw, size_t raw_len,
                  const unsigned char *decoded, size_t decoded_len)
{
    const char *what = describe(raw, raw_len);
    if (format == CLI_INPUT_PLAIN && raw_len && !strcmp(what, "a trace in Go's text format"))
        snprintf(buf, cap, "this is a trace in Go's text format: gotrace convert --to=binary turns it into a trace");
    else if (format == CLI_INPUT_PLAIN)
        snprintf(buf, cap, raw_len ? "this is %s, not a Go execution trace" : "empty file", what);
    if (format == CLI_INPUT_PLAIN)
        return;
    if (decoded_len)
        snprintf(buf, cap, "this is %s data that is not a trace: it holds %s", cli_format_name(format),
                 describe(decoded, decoded_len));
    else
        snprintf(buf, cap, "this is %s data that is not a trace: it holds nothing", cli_format_name(format));
}

/* ------------------------------------------------------------ decoding */

/* Reads up to cap bytes (fewer only at the end). */
static ssize_t read_full(int fd, unsigned char *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}

ssize_t cli_read_head(int fd, unsigned char *buf, size_t cap) { return read_full(fd, buf, cap); }

typedef struct sink {
    int fd;
    int failed;  /* a write failed (errno in err) */
    int err;
    unsigned char *head;  /* the first decoded bytes are copied here */
    size_t head_cap, *head_len;
    pthread_mutex_t *lock;
} sink;

static int put(sink *s, const unsigned char *p, size_t n)
{
    if (s->head && *s->head_len < s->head_cap) {
        size_t k = n < s->head_cap - *s->head_len ? n : s->head_cap - *s->head_len;
        if (s->lock)
            pthread_mutex_lock(s->lock);
        memcpy(s->head + *s->head_len, p, k);
        *s->head_len += k;
        if (s->lock)
            pthread_mutex_unlock(s->lock);
    }
    while (n > 0) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->failed = 1;
            s->err = w < 0 ? errno : EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

enum { CHUNK = 1 << 16 };

/* The source: the prefix first (bytes already read while sniffing), then fd. */
typedef struct source {
    int fd;
    const unsigned char *prefix;
    size_t prefix_len;
    /* Main thread only (the progress line is not thread-safe): bytes
     * consumed, for cli_progress_spool, and fd's size when regular. */
    int progress;
    uint64_t consumed, total;
} source;

static ssize_t next_input(source *src, unsigned char *buf, size_t cap)
{
    if (src->prefix_len) {
        size_t k = src->prefix_len < cap ? src->prefix_len : cap;
        memcpy(buf, src->prefix, k);
        src->prefix += k;
        src->prefix_len -= k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t n = read(src->fd, buf, cap);
        if (n > 0 && src->progress) {
            src->consumed += (uint64_t)n;
            cli_progress_spool(src->consumed, src->total);
        }
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

static int copy_plain(source *src, sink *out, char *msg, size_t cap)
{
    static _Thread_local unsigned char buf[CHUNK];
    for (;;) {
        ssize_t n = next_input(src, buf, sizeof buf);
        if (n < 0) {
            snprintf(msg, cap, "read error: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        if (put(out, buf, (size_t)n))
            return -2;
    }
}

static int inflate_gzip(source *src, sink *out, char *msg, size_t cap)
{
    static _Thread_local unsigned char in[CHUNK], buf[CHUNK];
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: gzip only (no zlib or raw deflate); members one after another. */
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        snprintf(msg, cap, "gzip: out of memory");
        return -1;
    }
    int rc = 0, ended = 0;
    for (;;) {
        if (z.avail_in == 0) {
            ssize_t n = next_input(src, in, sizeof in);
            if (n < 0) {
                snprintf(msg, cap, "read error: %s", strerror(errno));
                rc = -1;
                break;
            }
            if (n == 0) {
                if (!ended) {
                    snprintf(msg, cap, "gzip: unexpected end of data (truncated file?)");
                    rc = -1;
                }
                break;
            }
            z.next_in = in;
            z.avail_in = (uInt)n;
        }
        if (ended) {
            /* Another member follows (as gzip -d reads concatenated files). */
            inflateReset(&z);
            ended = 0;
        }
        z.next_out = buf;
        z.avail_out = sizeof buf;
        int st = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof buf - z.avail_out;
        if (got && put(out, buf, got)) {
            rc = -2;
            break;
        }
        if (st == Z_STREAM_END) {
            ended = 1;
        } else if (st != Z_OK && !(st == Z_BUF_ERROR && z.avail_in == 0)) {
            snprintf(msg, cap, "gzip: %s", z.msg ? z.msg : st == Z_MEM_ERROR ? "out of memory" : "invalid data");
            rc = -1;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

static int decompress_zstd(source *src, sink *out, char *msg, size_t cap)
{
    static _Thread_local unsigned char in[CHUNK], buf[1 << 17];
    ZSTD_DStream *d = ZSTD_createDStream();
    if (!d || ZSTD_isError(ZSTD_initDStream(d))) {
        ZSTD_freeDStream(d);
        snprintf(msg, cap, "zstd: out of memory");
        return -1;
    }
    int rc = 0;
    size_t last = 0;  /* 0: at a frame's end */
    ZSTD_inBuffer ib = {in, 0, 0};
    for (;;) {
        if (ib.pos == ib.size) {
            ssize_t n = next_input(src, in, sizeof in);
            if (n < 0) {
                snprintf(msg, cap, "read error: %s", strerror(errno));
                rc = -1;
                break;
            }
            if (n == 0) {
                if (last != 0) {
                    snprintf(msg, cap, "zstd: unexpected end of data (truncated file?)");
                    rc = -1;
                }
                break;
            }
            ib.size = (size_t)n;
            ib.pos = 0;
        }
        ZSTD_outBuffer ob = {buf, sizeof buf, 0};
        last = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(last)) {
            snprintf(msg, cap, "zstd: %s", ZSTD_getErrorName(last));
            rc = -1;
            break;
        }
        if (ob.pos && put(out, buf, ob.pos)) {
            rc = -2;
            break;
        }
    }
    ZSTD_freeDStream(d);
    return rc;
}

static int decode(int format, source *src, sink *out, char *msg, size_t cap)
{
    switch (format) {
    case CLI_INPUT_GZIP: return inflate_gzip(src, out, msg, cap);
    case CLI_INPUT_ZSTD: return decompress_zstd(src, out, msg, cap);
    default: return copy_plain(src, out, msg, cap);
    }
}

int cli_decode_to(int format, int src_fd, const unsigned char *prefix, size_t prefix_len, int out_fd,
                  unsigned char *head, size_t head_cap, size_t *head_len, char *msg, size_t cap, int progress)
{
    source src = {src_fd, prefix, prefix_len, progress, prefix_len, 0};
    struct stat st;
    if (progress && fstat(src_fd, &st) == 0 && S_ISREG(st.st_mode))
        src.total = (uint64_t)st.st_size;
    sink out = {out_fd, 0, 0, head, head_cap, head_len, NULL};
    int rc = decode(format, &src, &out, msg, cap);
    if (progress)
        cli_progress_end();
    if (rc == -2)
        errno = out.err;
    return rc;
}

/* ------------------------------------------------- decoding in a thread */

struct cli_decoder {
    pthread_t thread;
    int format;
    source src;
    unsigned char prefix[CLI_INPUT_HEAD];
    int out;                 /* the pipe's write end, closed by the thread */
    int rc;                  /* decode's result */
    char msg[256];
    pthread_mutex_t lock;    /* guards head and head_len */
    unsigned char head[CLI_INPUT_HEAD];
    size_t head_len;
};

static void *decoder_main(void *arg)
{
    cli_decoder *d = arg;
    sink out = {d->out, 0, 0, d->head, sizeof d->head, &d->head_len, &d->lock};
    d->rc = decode(d->format, &d->src, &out, d->msg, sizeof d->msg);
    close(d->out);  /* the reader sees the end */
    return NULL;
}

cli_decoder *cli_decoder_start(int format, int src_fd, const unsigned char *prefix, size_t prefix_len, int *read_fd)
{
    cli_decoder *d = calloc(1, sizeof *d);
    int p[2];
    if (!d || prefix_len > sizeof d->prefix || pipe2(p, O_CLOEXEC)) {
        free(d);
        return NULL;
    }
    /* The pipe keeps its default size (64 KiB): what is read ahead of the
     * reader stays small, so a command that stops early (its output gone)
     * has consumed little more of its input than it used. */
    d->format = format;
    if (prefix_len)
        memcpy(d->prefix, prefix, prefix_len);
    d->src = (source){src_fd, d->prefix, prefix_len, 0, 0, 0};
    d->out = p[1];
    pthread_mutex_init(&d->lock, NULL);
    /* Every signal blocked in the thread: SIGINT and the like go to the main
     * thread (which removes temporaries), and a write to a pipe the reader
     * has closed fails with EPIPE instead of killing the command. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&d->thread, NULL, decoder_main, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        close(p[0]);
        close(p[1]);
        pthread_mutex_destroy(&d->lock);
        free(d);
        errno = err;
        return NULL;
    }
    *read_fd = p[0];
    return d;
}

int cli_decoder_stop(cli_decoder *d, int read_fd, char *msg, size_t cap)
{
    close(read_fd);  /* a thread still writing gets EPIPE and ends */
    pthread_join(d->thread, NULL);
    int rc = d->rc == -1 ? -1 : 0;  /* -2, a failed write: the reader stopped early */
    if (rc)
        snprintf(msg, cap, "%s", d->msg);
    pthread_mutex_destroy(&d->lock);
    free(d);
    return rc;
}

size_t cli_decoder_head(cli_decoder *d, unsigned char *buf, size_t cap)
{
    pthread_mutex_lock(&d->lock);
    size_t n = d->head_len < cap ? d->head_len : cap;
    memcpy(buf, d->head, n);
    pthread_mutex_unlock(&d->lock);
    return n;
}
