/* gotrace perfetto: a trace as Perfetto's native protobuf trace, written by
 * the library's exporter (gotrace/export.h), in bounded memory. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zstd.h>

#include "analysis_util.h"
#include "cli.h"
#include "gotrace/export.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace perfetto [--from D] [--to D] [--compress=METHOD] FILE -o OUT\n\n"
               "Convert the trace into Perfetto's protobuf trace format, for ui.perfetto.dev\n"
               "or trace_processor, in bounded memory. Tracks, under a process \"Go program\":\n\n"
               "  Ps          a track per P: which goroutine runs on it (\"G<id> <function>\")\n"
               "  Threads     a track per M: the P it holds; a child track: its syscalls\n"
               "  Goroutines  a group per start function, a track per goroutine with a slice\n"
               "              per state: Running, Runnable, Syscall, or the reason it waits\n"
               "              (\"chan receive\", \"sleep\", ...), with the stack that led there;\n"
               "              arrows from the goroutine that unblocked or created it; log\n"
               "              messages; child tracks: user regions, mark assists\n"
               "  Runtime     GC and stop-the-world slices, counters (metrics, goroutines by\n"
               "              state, threads in syscall)\n"
               "  Tasks       a track per user task, under its parent task\n\n"
               "  --from D, --to D   only this window, in Go's duration syntax (1.5s, 300ms)\n"
               "                     from the trace start (the first event); times in the\n"
               "                     output count from the trace start too\n"
               "  -o OUT             write to OUT (- for standard output, not a terminal);\n"
               "                     OUT is replaced only once complete, and may not be FILE\n"
               "  --compress=METHOD  how the packets are packed: deflate (the default:\n"
               "                     compressed_packets, which every Perfetto reads, at about\n"
               "                     an eighth of the size), zstd (zstd_compressed_packets,\n"
               "                     which Perfetto reads since 2025: faster, and a quarter\n"
               "                     smaller), none (plain packets, for protoc and other\n"
               "                     tools)\n"
               "  --no-compress      the same as --compress=none\n\n"
               "On a broken trace the output covers every event read, and the error follows\n"
               "on stderr. FILE may be - for standard input, and gzip or zstd compressed.\n"
               "Exit: 0 ok, 1 broken trace, 2 usage, 3 write error.\n");
}

/* The output: plain packets as the library writes them, or packed about
 * CHUNK bytes of packets at a time into one TracePacket each, well under
 * the 512 KiB Perfetto allows per compressed packet: by default in
 * compressed_packets (field 50: packets deflated in zlib's format, which
 * every Perfetto reads as if they were there in plain), or in
 * zstd_compressed_packets (field 133: a zstd frame; trace processors
 * before 2025 do not read it). The library hands over whole packets in
 * every write, so a chunk never splits one. The deflating is libdeflate's,
 * at level 1: on this output twice zlib's speed at its level 1, and smaller
 * (on 23 MB of packets: 514 against 267 MB/s, 8.9x against 7.8x); zstd's
 * is libzstd's level 1. */
enum { CHUNK = 256 << 10 };

enum packing { PACK_NONE, PACK_DEFLATE, PACK_ZSTD };

/* Packing on a thread of its own, when the command may keep two or more
 * busy (cli_work_threads): the exporter fills a chunk while the thread packs
 * and writes those before, in order, so the bytes are the same as packing
 * inline. Up to QUEUE filled chunks wait for it, so that neither side waits
 * for the other's slower moments. Until it is joined, only that thread
 * writes to the output and uses the compressor. */
enum { QUEUE = 8 };
typedef struct packer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *chunk[QUEUE];  /* chunk[i % QUEUE], head <= i < tail: handed over, not packed yet */
    size_t n_chunk[QUEUE];
    size_t head, tail;
    int stop;             /* no chunk comes after those queued */
    int rc;               /* the first failure: CLI_EXIT_IO (message printed) or -1 */
} packer;

typedef struct sink {
    FILE *f;
    enum packing packing;
    struct libdeflate_compressor *z;
    ZSTD_CCtx *zstd;
    unsigned char *plain, *packed;
    size_t n_plain, cap_packed;
    packer *pk;           /* NULL: packing inline */
} sink;

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static int put(sink *s, const void *data, size_t len)
{
    if (len && fwrite(data, 1, len, s->f) != len)
        return cli_write_check(s->f) ? CLI_EXIT_IO : cli_write_error(EIO);
    return cli_write_check(s->f);
}

/* Packs n bytes of packets at plain into one compressed packet and writes
 * it. */
static int pack(sink *s, const unsigned char *plain, size_t n_plain)
{
    size_t packed_len;
    unsigned char key[2];  /* the TracePacket field's key, a two-byte varint */
    if (s->packing == PACK_ZSTD) {
        packed_len = ZSTD_compressCCtx(s->zstd, s->packed, s->cap_packed, plain, n_plain, 1);
        if (ZSTD_isError(packed_len))  /* never: cap_packed is zstd's bound */
            return -1;
        key[0] = 0xaa, key[1] = 0x08;  /* 133 << 3 | 2 */
    } else {
        packed_len = libdeflate_zlib_compress(s->z, plain, n_plain, s->packed, s->cap_packed);
        if (!packed_len)  /* never: cap_packed is libdeflate's bound */
            return -1;
        key[0] = 0x92, key[1] = 0x03;  /* 50 << 3 | 2 */
    }
    unsigned char head[24];
    size_t inner = sizeof key + put_varint(head, packed_len) + packed_len;
    size_t n = 0;
    head[n++] = 0x0a;  /* Trace.packet */
    n += put_varint(head + n, inner);
    head[n++] = key[0];
    head[n++] = key[1];
    n += put_varint(head + n, packed_len);
    int rc = put(s, head, n);
    return rc ? rc : put(s, s->packed, packed_len);
}

static void *packer_main(void *arg)
{
    sink *s = arg;
    packer *pk = s->pk;
    pthread_mutex_lock(&pk->mu);
    for (;;) {
        while (pk->head == pk->tail && !pk->stop)
            pthread_cond_wait(&pk->cv, &pk->mu);
        if (pk->head == pk->tail)
            break;
        size_t i = pk->head % QUEUE;
        pthread_mutex_unlock(&pk->mu);
        int rc = pk->rc ? 0 : pack(s, pk->chunk[i], pk->n_chunk[i]);
        pthread_mutex_lock(&pk->mu);
        if (rc && !pk->rc)
            pk->rc = rc;
        pk->head++;
        pthread_cond_broadcast(&pk->cv);
    }
    pthread_mutex_unlock(&pk->mu);
    return NULL;
}

static void packer_free(packer *pk)
{
    for (size_t i = 0; i < QUEUE; i++)
        free(pk->chunk[i]);
    free(pk);
}

/* Starts the packing thread; on any failure the sink packs inline. */
static void packer_start(sink *s)
{
    packer *pk = calloc(1, sizeof *pk);
    if (!pk)
        return;
    for (size_t i = 0; i < QUEUE; i++) {
        if (!(pk->chunk[i] = malloc(CHUNK))) {
            packer_free(pk);
            return;
        }
    }
    pthread_mutex_init(&pk->mu, NULL);
    pthread_cond_init(&pk->cv, NULL);
    s->pk = pk;
    if (pthread_create(&pk->thread, NULL, packer_main, s) != 0) {
        s->pk = NULL;
        pthread_cond_destroy(&pk->cv);
        pthread_mutex_destroy(&pk->mu);
        packer_free(pk);
    }
}

/* Lets the thread pack and write the chunks handed over, joins it, and
 * returns its first failure (0: none). Nothing without a thread. */
static int packer_stop(sink *s)
{
    packer *pk = s->pk;
    if (!pk)
        return 0;
    pthread_mutex_lock(&pk->mu);
    pk->stop = 1;
    pthread_cond_broadcast(&pk->cv);
    pthread_mutex_unlock(&pk->mu);
    pthread_join(pk->thread, NULL);
    int rc = pk->rc;
    pthread_cond_destroy(&pk->cv);
    pthread_mutex_destroy(&pk->mu);
    packer_free(pk);
    s->pk = NULL;
    return rc;
}

/* Packs what is buffered: inline, or handed to the packing thread (once
 * the queue has room), whose failure so far it returns. */
static int flush_chunk(sink *s)
{
    if (!s->n_plain)
        return 0;
    packer *pk = s->pk;
    if (!pk) {
        int rc = pack(s, s->plain, s->n_plain);
        s->n_plain = 0;
        return rc;
    }
    pthread_mutex_lock(&pk->mu);
    while (pk->tail - pk->head == QUEUE && !pk->rc)
        pthread_cond_wait(&pk->cv, &pk->mu);
    int rc = pk->rc;
    if (!rc) {
        /* The slot's buffer was packed already: it becomes the one filled. */
        size_t i = pk->tail % QUEUE;
        unsigned char *filled = s->plain;
        s->plain = pk->chunk[i];
        pk->chunk[i] = filled;
        pk->n_chunk[i] = s->n_plain;
        pk->tail++;
        pthread_cond_broadcast(&pk->cv);
    }
    pthread_mutex_unlock(&pk->mu);
    s->n_plain = 0;
    return rc;
}

static int write_out(void *ctx, const void *data, size_t len)
{
    sink *s = ctx;
    if (s->packing == PACK_NONE)
        return put(s, data, len);
    const unsigned char *p = data;
    if (s->n_plain + len > CHUNK) {
        int rc = flush_chunk(s);
        if (rc)
            return rc;
    }
    if (len > CHUNK)  /* never: the library writes at most ~64 KiB at once */
        return -1;
    memcpy(s->plain + s->n_plain, p, len);
    s->n_plain += len;
    return 0;
}

int cmd_perfetto(int argc, char **argv)
{
    const char *path = NULL, *out_path = NULL;
    int64_t from = 0, to = INT64_MAX;
    int rc;
    enum packing packing = PACK_DEFLATE;
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_OUT = 1, OPT_FROM, OPT_TO, OPT_NO_COMPRESS, OPT_COMPRESS };
    static const cli_option opts[] = {
        {"o", 1, OPT_OUT},           {"from", 1, OPT_FROM},         {"to", 1, OPT_TO},
        {"no-compress", 0, OPT_NO_COMPRESS}, {"compress", 1, OPT_COMPRESS}, {NULL, 0, 0},
    };
    cli_args a;
    cli_args_init(&a, "perfetto", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        switch (opt) {
        case OPT_OUT: out_path = a.value; break;
        case OPT_FROM:
        case OPT_TO:
            if (au_duration_option("perfetto", a.spelling, a.value, opt == OPT_FROM ? &from : &to))
                return CLI_EXIT_USAGE;
            break;
        case OPT_NO_COMPRESS: packing = PACK_NONE; break;
        case OPT_COMPRESS:
            if (!strcmp(a.value, "deflate"))
                packing = PACK_DEFLATE;
            else if (!strcmp(a.value, "zstd"))
                packing = PACK_ZSTD;
            else if (!strcmp(a.value, "none"))
                packing = PACK_NONE;
            else
                return cli_usage_error("perfetto", "--compress: no method '%s' (deflate, zstd or none)", a.value);
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;
    if (!out_path)
        return cli_usage_error("perfetto", "missing -o OUT (- for standard output)");
    if (from > to)
        return cli_usage_error("perfetto", "--from is after --to");
    if (!strcmp(out_path, "-") && isatty(STDOUT_FILENO))
        return cli_usage_error("perfetto", "refusing to write binary output to a terminal");

    /* The output first (a refusal comes before the input is read); the
     * input through cli_input, which also reads gzip and zstd traces. */
    cli_output out;
    cli_input in;
    if ((rc = cli_open_in_out(&in, &out, "perfetto", path, out_path, 0)))
        return rc;
    gt_error err;
    gt_reader *r = cli_input_reader(&in, &err);
    if (!r && err.code == GT_ERR_IO) {
        cli_output_abort(&out);
        cli_input_close(&in);
        return cli_usage_error("perfetto", "cannot read %s: %s", path, err.message);
    }
    sink snk = {out.f, packing, NULL, NULL, NULL, NULL, 0, 0, NULL};
    if (packing == PACK_DEFLATE && (snk.z = libdeflate_alloc_compressor(1)) != NULL)
        snk.cap_packed = libdeflate_zlib_compress_bound(snk.z, CHUNK);
    if (packing == PACK_ZSTD && (snk.zstd = ZSTD_createCCtx()) != NULL)
        snk.cap_packed = ZSTD_compressBound(CHUNK);
    if (snk.cap_packed) {
        snk.plain = malloc(CHUNK);
        snk.packed = malloc(snk.cap_packed);
    }
    gt_perfetto *pf =
        (packing == PACK_NONE || (snk.plain && snk.packed)) ? gt_perfetto_new(write_out, &snk, from, to) : NULL;
    if (pf && packing != PACK_NONE && cli_work_threads() > 1)
        packer_start(&snk);
    int write_rc = 0, no_memory = !pf;
    cli_progress progress = {0, 0, 0};
    if (r && pf) {
        enum { BATCH = 256 };
        gt_event evs[BATCH];
        size_t n;
        int stop = 0;
        do {
            n = gt_reader_next_batch(r, evs, BATCH);
            for (size_t i = 0; i < n && !stop; i++) {
                cli_progress_event(&progress, r, &evs[i]);
                rc = gt_perfetto_event(pf, &evs[i]);
                stop = rc != 0;
                if (rc == CLI_EXIT_IO)
                    write_rc = rc;
                else if (rc < 0)
                    no_memory = 1;
            }
        } while (n > 0 && !stop);
        cli_progress_finish(&progress, r);
    }
    int finishing = pf && !write_rc && !no_memory;
    if (finishing) {
        rc = gt_perfetto_finish(pf);
        if (!rc && packing != PACK_NONE)
            rc = flush_chunk(&snk);
    }
    /* The packing thread is joined here on every path, once it has written
     * what it holds. Its failure counts when nothing failed before: after
     * a failure (stopped early) the first one is reported. */
    int pack_rc = packer_stop(&snk);
    if (finishing) {
        if (!rc)
            rc = pack_rc;
        if (rc == CLI_EXIT_IO)
            write_rc = rc;
        else if (rc)
            no_memory = 1;
    }
    if (!write_rc)
        write_rc = cli_write_check(out.f);
    if (write_rc)
        cli_output_abort(&out);
    else
        write_rc = cli_output_close(&out);

    rc = cli_end_status("perfetto", path, write_rc, no_memory, r ? NULL : &err, in.fd, r ? gt_reader_error(r) : NULL,
                        &progress);
    gt_perfetto_free(pf);
    gt_reader_free(r);
    free(snk.plain);
    free(snk.packed);
    if (snk.z)
        libdeflate_free_compressor(snk.z);
    ZSTD_freeCCtx(snk.zstd);
    int in_rc = cli_input_close(&in);
    return rc ? rc : in_rc;
}
