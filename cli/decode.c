/* Compressed traces (gzip, zstd) for cli_input: the input's format from its
 * magic bytes, a decompressing gt_source (cli_decode_source) that inflates
 * or decompresses on demand, in the thread that reads it, and what a file
 * that is not a trace looks like. Memory is bounded: fixed buffers, zlib's
 * 32 KiB window, and zstd's window up to its default limit (128 MiB,
 * ZSTD_WINDOWLOG_LIMIT_DEFAULT; a frame that needs more is refused with
 * zstd's message). The library never sees compression: it reads the
 * decompressed bytes through the source's read callback. */
#include <errno.h>
#include <limits.h>
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

enum { CHUNK = 1 << 16 };

struct cli_decode_source {
    int format;  /* CLI_INPUT_*: PLAIN copies (after the prefix) */
    int fd;
    /* Input bytes consumed while sniffing the format, given to the decoder
     * before fd's. */
    unsigned char prefix[CLI_INPUT_HEAD];
    size_t prefix_len, prefix_pos;
    /* Decoded bytes put back (cli_decode_source_unread), served first. */
    unsigned char *replay;
    size_t replay_len, replay_pos;
    int progress;        /* show cli_progress_spool over the input consumed */
    uint64_t consumed, total;
    z_stream z;
    int z_ready, ended;  /* gzip: inflateInit2 done; a member ended */
    ZSTD_DStream *zd;
    ZSTD_inBuffer ib;
    size_t last;         /* zstd: 0 at a frame's end */
    size_t avail;        /* bytes of in not yet given to the decoder (gzip: z.avail_in) */
    int pending;         /* the last call filled the output: more may come without input */
    int done;            /* the end, or a failure: read returns 0 from now on */
    int failed;          /* msg holds what went wrong */
    char msg[256];
    unsigned char head[CLI_INPUT_HEAD];  /* the first decoded bytes */
    size_t head_len;
    unsigned char in[CHUNK];
};

/* The next input bytes: the prefix first, then fd. */
static ssize_t next_input(cli_decode_source *d, unsigned char *buf, size_t cap)
{
    if (d->prefix_pos < d->prefix_len) {
        size_t k = d->prefix_len - d->prefix_pos < cap ? d->prefix_len - d->prefix_pos : cap;
        memcpy(buf, d->prefix + d->prefix_pos, k);
        d->prefix_pos += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t n = read(d->fd, buf, cap);
        if (n > 0 && d->progress) {
            d->consumed += (uint64_t)n;
            cli_progress_spool(d->consumed, d->total);
        }
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

/* Records the failure; the source ends (read returns 0), as the trace it
 * holds ends there; cli_input reports the message. */
static void fail(cli_decode_source *d, const char *fmt, const char *what)
{
    if (!d->failed)
        snprintf(d->msg, sizeof d->msg, fmt, what);
    d->failed = d->done = 1;
}

/* Refills the input buffer when it is empty: 1, or 0 at the end of the
 * input or on a read error (recorded). */
static int refill(cli_decode_source *d, const char *truncated)
{
    ssize_t n = next_input(d, d->in, sizeof d->in);
    if (n < 0) {
        fail(d, "read error: %s", strerror(errno));
        return 0;
    }
    if (n == 0) {
        if (truncated)
            fail(d, "%s: unexpected end of data (truncated file?)", truncated);
        d->done = 1;
        return 0;
    }
    d->avail = (size_t)n;
    return 1;
}

static size_t read_gzip(cli_decode_source *d, unsigned char *buf, size_t cap)
{
    z_stream *z = &d->z;
    z->next_out = buf;
    z->avail_out = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
    uInt want = z->avail_out;
    for (;;) {
        if (z->avail_in == 0 && !d->pending) {
            if (!refill(d, d->ended ? NULL : "gzip"))
                return want - z->avail_out;
            z->next_in = d->in;
            z->avail_in = (uInt)d->avail;
        }
        if (d->ended && z->avail_in) {
            /* Another member follows (as gzip -d reads concatenated files). */
            inflateReset(z);
            d->ended = 0;
        }
        int st = inflate(z, Z_NO_FLUSH);
        d->pending = z->avail_out == 0;
        if (st == Z_STREAM_END) {
            d->ended = 1;
            d->pending = 0;
        } else if (st != Z_OK && !(st == Z_BUF_ERROR && (z->avail_in == 0 || d->pending))) {
            fail(d, "gzip: %s", z->msg ? z->msg : st == Z_MEM_ERROR ? "out of memory" : "invalid data");
            return want - z->avail_out;
        } else if (st == Z_BUF_ERROR) {
            d->pending = 0;  /* nothing more without input */
        }
        if (z->avail_out < want)
            return want - z->avail_out;
    }
}

static size_t read_zstd(cli_decode_source *d, unsigned char *buf, size_t cap)
{
    ZSTD_outBuffer ob = {buf, cap, 0};
    for (;;) {
        if (d->ib.pos == d->ib.size && !d->pending) {
            if (!refill(d, d->last ? "zstd" : NULL))
                return ob.pos;
            d->ib = (ZSTD_inBuffer){d->in, d->avail, 0};
        }
        size_t before = ob.pos;
        d->last = ZSTD_decompressStream(d->zd, &ob, &d->ib);
        if (ZSTD_isError(d->last)) {
            fail(d, "zstd: %s", ZSTD_getErrorName(d->last));
            return ob.pos;
        }
        /* A full output may leave decoded bytes inside zstd: ask again
         * before reading more input. */
        d->pending = ob.pos == ob.size && ob.pos > before;
        if (ob.pos)
            return ob.pos;
    }
}

static int64_t source_read(void *ctx, void *buf, size_t cap)
{
    cli_decode_source *d = ctx;
    if (d->replay_pos < d->replay_len) {
        size_t k = d->replay_len - d->replay_pos < cap ? d->replay_len - d->replay_pos : cap;
        memcpy(buf, d->replay + d->replay_pos, k);
        d->replay_pos += k;
        return (int64_t)k;
    }
    if (d->done)
        return 0;
    size_t n;
    if (d->format == CLI_INPUT_GZIP) {
        n = read_gzip(d, buf, cap);
    } else if (d->format == CLI_INPUT_ZSTD) {
        n = read_zstd(d, buf, cap);
    } else {
        ssize_t k = next_input(d, buf, cap);
        if (k < 0)
            fail(d, "read error: %s", strerror(errno));
        else if (k == 0)
            d->done = 1;
        n = k > 0 ? (size_t)k : 0;
    }
    if (d->head_len < sizeof d->head) {
        size_t k = n < sizeof d->head - d->head_len ? n : sizeof d->head - d->head_len;
        memcpy(d->head + d->head_len, buf, k);
        d->head_len += k;
    }
    return (int64_t)n;
}

/* Sets up the decoder's state for a stream from the start. */
static int start(cli_decode_source *d)
{
    d->ib = (ZSTD_inBuffer){d->in, 0, 0};
    d->last = d->avail = 0;
    d->pending = d->done = d->ended = 0;
    if (d->format == CLI_INPUT_GZIP) {
        if (d->z_ready)
            return inflateReset(&d->z) == Z_OK ? 0 : -1;
        memset(&d->z, 0, sizeof d->z);
        /* 15 + 16: gzip only (no zlib or raw deflate). */
        if (inflateInit2(&d->z, 15 + 16) != Z_OK)
            return -1;
        d->z_ready = 1;
    } else if (d->format == CLI_INPUT_ZSTD) {
        if (!d->zd && !(d->zd = ZSTD_createDStream()))
            return -1;
        if (ZSTD_isError(ZSTD_initDStream(d->zd)))
            return -1;
    }
    return 0;
}

cli_decode_source *cli_decode_source_new(int format, int fd, const unsigned char *prefix, size_t prefix_len,
                                         int progress, gt_source *src)
{
    cli_decode_source *d = calloc(1, sizeof *d);
    if (!d || prefix_len > sizeof d->prefix) {
        free(d);
        errno = ENOMEM;
        return NULL;
    }
    d->format = format;
    d->fd = fd;
    if (prefix_len)
        memcpy(d->prefix, prefix, prefix_len);
    d->prefix_len = prefix_len;
    d->progress = progress;
    d->consumed = prefix_len;
    struct stat st;
    if (progress && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        d->total = (uint64_t)st.st_size;
    if (start(d)) {
        cli_decode_source_free(d);
        errno = ENOMEM;
        return NULL;
    }
    *src = (gt_source){0};
    src->read = source_read;
    src->ctx = d;
    return d;
}

int cli_decode_source_restart(cli_decode_source *d)
{
    struct stat st;
    if (fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode) || lseek(d->fd, 0, SEEK_SET) != 0)
        return -1;
    d->prefix_len = d->prefix_pos = 0;  /* the file holds them */
    free(d->replay);
    d->replay = NULL;
    d->replay_len = d->replay_pos = 0;
    return start(d);
}

int cli_decode_source_unread(cli_decode_source *d, const void *buf, size_t len)
{
    if (d->replay_pos < d->replay_len || !len)
        return d->replay_pos < d->replay_len ? -1 : 0;
    unsigned char *p = malloc(len);
    if (!p)
        return -1;
    memcpy(p, buf, len);
    free(d->replay);
    d->replay = p;
    d->replay_len = len;
    d->replay_pos = 0;
    return 0;
}

const char *cli_decode_source_error(const cli_decode_source *d) { return d->failed ? d->msg : NULL; }

size_t cli_decode_source_head(const cli_decode_source *d, unsigned char *buf, size_t cap)
{
    size_t n = d->head_len < cap ? d->head_len : cap;
    memcpy(buf, d->head, n);
    return n;
}

void cli_decode_source_free(cli_decode_source *d)
{
    if (!d)
        return;
    if (d->z_ready)
        inflateEnd(&d->z);
    ZSTD_freeDStream(d->zd);
    free(d->replay);
    free(d);
}
