/* The CLI's Parquet writer: see parquet.h for what it writes. Written from
 * the specification (apache/parquet-format's parquet.thrift for the
 * metadata, Encodings.md for PLAIN, RLE_DICTIONARY and the RLE/bit-packed
 * hybrid); the metadata goes out in Thrift's compact protocol.
 *
 * File layout: "PAR1", then per row group one column chunk per column
 * (an optional dictionary page, then data pages), then the FileMetaData,
 * its length (4 bytes, little endian) and "PAR1". A column chunk's pages
 * must be contiguous, so a row group's pages are kept in memory (compressed)
 * until the row group is complete; that is what pq_limits bounds. */
#include "parquet.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

enum {
    DEF_PAGE_BYTES = 256 << 10,
    DEF_PAGE_VALUES = 65536,
    DEF_DICT_BYTES = 512 << 10,
    DEF_ROW_GROUP_BYTES = 8 << 20,
    DEF_ROW_GROUP_ROWS = 1 << 20,
    DEF_ZSTD_LEVEL = 1,
    /* String statistics longer than this are left out (a reader may not
     * want to hold them; they are rarely useful for pruning). */
    STAT_TEXT_MAX = 256
};

/* parquet.thrift's enums. */
enum { T_BOOLEAN = 0, T_INT64 = 2, T_DOUBLE = 5, T_BYTE_ARRAY = 6 };
enum { CONV_UTF8 = 0, CONV_INT_64 = 18 };
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1 };
enum { ENC_PLAIN = 0, ENC_RLE = 3, ENC_DELTA_BINARY_PACKED = 5, ENC_RLE_DICTIONARY = 8 };
enum { CODEC_ZSTD = 6 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };

/* Thrift compact protocol type codes. */
enum { CT_TRUE = 1, CT_FALSE = 2, CT_BYTE = 3, CT_I16 = 4, CT_I32 = 5, CT_I64 = 6, CT_BINARY = 8, CT_LIST = 9,
       CT_STRUCT = 12 };

typedef struct pbuf {
    unsigned char *p;
    size_t len, cap;
} pbuf;

typedef struct pq_col {
    char *name;
    int type, nullable, timestamp;
    int64_t given;  /* the row (pq_writer.rows + 1) it last had a value for */

    /* The open data page. */
    pbuf vals;          /* PLAIN values (PQ_BOOL: one byte per value, packed when the page closes) */
    uint32_t *idx;      /* dictionary indices, when the page is dictionary encoded */
    size_t nidx, idx_cap;
    uint8_t *lev;       /* definition levels (nullable columns), page_n of them */
    size_t lev_cap;
    size_t page_n;      /* values in the page, NULLs included */

    /* The column chunk of the open row group. */
    pbuf chunk;         /* its data pages, headers and compressed bodies */
    int64_t chunk_n, chunk_nulls, chunk_raw;  /* values, NULLs, uncompressed bytes (with headers) */
    int plain_pages, dict_pages, delta_pages;
    int int_encoding;   /* PQ_INT64: ENC_PLAIN or ENC_DELTA_BINARY_PACKED for the chunk, 0 undecided */

    /* The chunk's dictionary (PQ_TEXT): its PLAIN encoding, each entry's
     * offset in it and hash, and an open-addressing table of entry + 1. */
    int dict_on;        /* new values still go to the dictionary */
    pbuf dict;
    uint32_t ndict, dict_cap;
    uint32_t *doff, *dhash;
    uint32_t *slot;
    size_t nslot;       /* a power of two, or 0 */
    uint32_t last;      /* the entry of the column's last value + 1, or 0 */

    /* The chunk's statistics. */
    int has_minmax;
    int64_t imin, imax;
    double dmin, dmax;
    int bmin, bmax;
    pbuf smin, smax;
} pq_col;

typedef struct kv {
    char *key, *value;
} kv;

struct pq_writer {
    FILE *f;
    pq_col *cols;
    int ncols;
    pq_limits lim;
    int err, err_errno;
    char msg[160];
    int64_t offset;      /* bytes written */
    int64_t rows;        /* rows ended */
    int given;           /* columns with a value in the current row */
    int64_t rg_rows;     /* rows of the open row group */
    size_t buffered;     /* bytes of the open row group's closed pages */
    int started;         /* "PAR1" written */
    ZSTD_CCtx *zc;
    pbuf raw, comp, hdr, fix;  /* scratch: a page, compressed, its header, fixed UTF-8 */
    pbuf raw2, comp2;    /* the other encoding of a page, when trying both */
    pbuf rgs;            /* the RowGroup structs written so far, serialized */
    int nrg;
    kv *meta;
    int nmeta;
};

/* ------------------------------------------------------------ errors */

static int fail(pq_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(pq_writer *w, int code, const char *fmt, ...)
{
    if (w->err)
        return w->err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    w->err = code;
    return code;
}

static int oom(pq_writer *w) { return fail(w, PQ_ERR_MEMORY, "out of memory"); }

/* ----------------------------------------------------------- buffers */

/* Grows b for n more bytes: 0, or -1 with the writer failed. */
static int pb_grow(pq_writer *w, pbuf *b, size_t n)
{
    if (w->err)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            oom(w);
            return -1;
        }
        cap *= 2;
    }
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
        oom(w);
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Room for n more bytes in b: 0, or -1 with the writer failed. */
static inline int pb_reserve(pq_writer *w, pbuf *b, size_t n)
{
    return b->cap - b->len >= n ? 0 : pb_grow(w, b, n);
}

static void pb_add(pq_writer *w, pbuf *b, const void *src, size_t n)
{
    if (n && pb_reserve(w, b, n) == 0) {
        memcpy(b->p + b->len, src, n);
        b->len += n;
    }
}

static void pb_byte(pq_writer *w, pbuf *b, unsigned v)
{
    if (pb_reserve(w, b, 1) == 0)
        b->p[b->len++] = (unsigned char)v;
}

static void pb_le32(pq_writer *w, pbuf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    pb_add(w, b, x, 4);
}

static inline void le64(unsigned char *x, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(x, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
#endif
}

static void pb_uvarint(pq_writer *w, pbuf *b, uint64_t v)
{
    unsigned char x[10];
    size_t n = 0;
    while (v >= 0x80) {
        x[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    x[n++] = (unsigned char)v;
    pb_add(w, b, x, n);
}

static void pb_free(pbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------- Thrift compact protocol
 *
 * A struct is its fields, each a header (the field id as a delta from the
 * previous field's when that is 1..15, else in full) and a value, then a
 * stop byte. Integers are zigzag varints, binary is a varint length and the
 * bytes, a bool field's value is its type code, a list is a header (size
 * and element type) and the elements. */

enum { TW_DEPTH = 8 };

typedef struct tw {
    pq_writer *w;
    pbuf *b;
    int depth;
    int last[TW_DEPTH];
} tw;

static void tw_init(tw *t, pq_writer *w, pbuf *b)
{
    memset(t, 0, sizeof *t);
    t->w = w;
    t->b = b;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static void tw_field(tw *t, int id, int type)
{
    int delta = id - t->last[t->depth];
    if (delta > 0 && delta <= 15) {
        pb_byte(t->w, t->b, (unsigned)(delta << 4 | type));
    } else {
        pb_byte(t->w, t->b, (unsigned)type);
        pb_uvarint(t->w, t->b, zigzag(id));
    }
    t->last[t->depth] = id;
}

static void tw_i32(tw *t, int id, int32_t v)
{
    tw_field(t, id, CT_I32);
    pb_uvarint(t->w, t->b, zigzag(v));
}

static void tw_i64(tw *t, int id, int64_t v)
{
    tw_field(t, id, CT_I64);
    pb_uvarint(t->w, t->b, zigzag(v));
}

static void tw_i8(tw *t, int id, int v)
{
    tw_field(t, id, CT_BYTE);
    pb_byte(t->w, t->b, (unsigned)v & 0xff);
}

static void tw_bool(tw *t, int id, int v) { tw_field(t, id, v ? CT_TRUE : CT_FALSE); }

static void tw_binary(tw *t, int id, const void *p, size_t n)
{
    tw_field(t, id, CT_BINARY);
    pb_uvarint(t->w, t->b, n);
    pb_add(t->w, t->b, p, n);
}

/* The start of a struct: a field (id > 0) or a list element (id 0). */
static void tw_begin(tw *t, int id)
{
    if (id)
        tw_field(t, id, CT_STRUCT);
    t->depth++;  /* never past TW_DEPTH: the nesting is this file's */
    t->last[t->depth] = 0;
}

static void tw_end(tw *t)
{
    pb_byte(t->w, t->b, 0);
    t->depth--;
}

static void tw_list(tw *t, int id, int elem_type, size_t n)
{
    tw_field(t, id, CT_LIST);
    if (n < 15) {
        pb_byte(t->w, t->b, (unsigned)(n << 4 | (size_t)elem_type));
    } else {
        pb_byte(t->w, t->b, 0xf0u | (unsigned)elem_type);
        pb_uvarint(t->w, t->b, n);
    }
}

/* ---------------------------------------------------------- encodings */

static inline uint32_t level_at(const void *v, int wide, size_t i)
{
    return wide ? ((const uint32_t *)v)[i] : ((const uint8_t *)v)[i];
}

/* The RLE/bit-packed hybrid encoding of n values of bit width bw (1..32):
 * uint32_t values when wide, else uint8_t. A run of 8 or more equal values
 * is an RLE run; the rest goes in bit-packed runs of whole groups of 8
 * (up to 63 groups, so that the header is one byte), the last group padded
 * with zeros. */
static void rle_hybrid(pq_writer *w, pbuf *out, const void *v, int wide, size_t n, int bw)
{
    size_t i = 0;
    size_t vbytes = ((size_t)bw + 7) / 8;
    while (i < n) {
        uint32_t x = level_at(v, wide, i);
        size_t r = 1;
        while (i + r < n && level_at(v, wide, i + r) == x)
            r++;
        if (r >= 8) {
            pb_uvarint(w, out, (uint64_t)r << 1);
            for (size_t k = 0; k < vbytes; k++)
                pb_byte(w, out, (x >> (8 * k)) & 0xff);
            i += r;
            continue;
        }
        /* Bit-packed groups from i, until a run of 8 starts at a group's
         * boundary. */
        size_t j = i, groups = 0;
        while (j < n && groups < 63) {
            j += 8;
            groups++;
            if (j >= n)
                break;
            uint32_t y = level_at(v, wide, j);
            size_t k = 1;
            while (k < 8 && j + k < n && level_at(v, wide, j + k) == y)
                k++;
            if (k == 8)
                break;
        }
        pb_uvarint(w, out, (uint64_t)groups << 1 | 1);
        if (pb_reserve(w, out, groups * (size_t)bw) != 0)
            return;
        uint64_t acc = 0;
        int nbits = 0;
        for (size_t k = i; k < i + groups * 8; k++) {
            uint64_t val = k < n ? level_at(v, wide, k) : 0;
            acc |= val << nbits;
            nbits += bw;
            while (nbits >= 8) {
                out->p[out->len++] = (unsigned char)acc;
                acc >>= 8;
                nbits -= 8;
            }
        }
        i = j < n ? j : n;
    }
}

static int bit_width(uint32_t max)
{
    int bw = 1;
    while (bw < 32 && (max >> bw) != 0)
        bw++;
    return bw;
}

/* ----------------------------------------------------------- UTF-8 */

/* The length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;  /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[k] < 0x80 || s[k] > 0xbf)
            return 0;
    return len;
}

/* s as valid UTF-8: s itself, or w->fix with each byte that does not start
 * a well-formed sequence replaced by U+FFFD. */
static const char *valid_utf8(pq_writer *w, const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = *len, i = 0;
    while (i < n && u[i] < 0x80)
        i++;
    for (size_t k; i < n; i += k)
        if ((k = utf8_seq(u + i, n - i)) == 0)
            break;
    if (i == n)
        return s;
    w->fix.len = 0;
    pb_add(w, &w->fix, s, i);
    while (i < n) {
        size_t k = utf8_seq(u + i, n - i);
        if (k) {
            pb_add(w, &w->fix, u + i, k);
            i += k;
        } else {
            pb_add(w, &w->fix, "\xef\xbf\xbd", 3);
            i++;
        }
    }
    *len = w->fix.len;
    return w->err ? s : (const char *)w->fix.p;
}

/* --------------------------------------------------------- the writer */

pq_writer *pq_writer_new(FILE *f, const pq_column *cols, int ncols, const pq_limits *lim)
{
    if (ncols < 1)
        return NULL;
    pq_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->f = f;
    w->ncols = ncols;
    if (lim)
        w->lim = *lim;
    if (!w->lim.page_bytes)
        w->lim.page_bytes = DEF_PAGE_BYTES;
    if (!w->lim.page_values)
        w->lim.page_values = DEF_PAGE_VALUES;
    if (!w->lim.dict_bytes)
        w->lim.dict_bytes = DEF_DICT_BYTES;
    if (!w->lim.row_group_bytes)
        w->lim.row_group_bytes = DEF_ROW_GROUP_BYTES;
    if (!w->lim.row_group_rows)
        w->lim.row_group_rows = DEF_ROW_GROUP_ROWS;
    if (!w->lim.zstd_level)
        w->lim.zstd_level = DEF_ZSTD_LEVEL;
    w->cols = calloc((size_t)ncols, sizeof *w->cols);
    w->zc = ZSTD_createCCtx();
    if (!w->cols || !w->zc) {
        pq_writer_free(w);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        pq_col *c = &w->cols[i];
        c->name = strdup(cols[i].name);
        if (!c->name) {
            pq_writer_free(w);
            return NULL;
        }
        c->type = cols[i].type;
        c->nullable = cols[i].nullable != 0;
        c->timestamp = cols[i].type == PQ_INT64 && cols[i].timestamp;
        c->dict_on = c->type == PQ_TEXT;
    }
    return w;
}

int pq_set_metadata(pq_writer *w, const char *key, const char *value)
{
    if (w->err)
        return w->err;
    kv *m = realloc(w->meta, (size_t)(w->nmeta + 1) * sizeof *m);
    if (!m)
        return oom(w);
    w->meta = m;
    m[w->nmeta].key = strdup(key);
    m[w->nmeta].value = strdup(value);
    w->nmeta++;
    if (!m[w->nmeta - 1].key || !m[w->nmeta - 1].value)
        return oom(w);
    return 0;
}

static int put_bytes(pq_writer *w, const void *p, size_t n)
{
    if (w->err)
        return w->err;
    if (n && fwrite(p, 1, n, w->f) != n) {
        w->err_errno = errno ? errno : EIO;
        return fail(w, PQ_ERR_WRITE, "write error: %s", strerror(w->err_errno));
    }
    w->offset += (int64_t)n;
    return 0;
}

static int start(pq_writer *w)
{
    if (w->started)
        return w->err;
    w->started = 1;
    return put_bytes(w, "PAR1", 4);
}

/* zstd's compression of src[0..n) into w->comp. */
static int compress(pq_writer *w, const void *src, size_t n)
{
    size_t bound = ZSTD_compressBound(n);
    w->comp.len = 0;
    if (pb_reserve(w, &w->comp, bound) != 0)
        return w->err;
    size_t z = ZSTD_compressCCtx(w->zc, w->comp.p, bound, src, n, w->lim.zstd_level);
    if (ZSTD_isError(z))
        return fail(w, PQ_ERR_ZSTD, "zstd: %s", ZSTD_getErrorName(z));
    w->comp.len = z;
    return 0;
}

/* Appends v's low w bits (0..64) to the bits in *acc (*nbits of them,
 * fewer than 8), LSB first, moving whole bytes out to out (room reserved). */
static inline void put_bits(pbuf *out, uint64_t *acc, int *nbits, uint64_t v, int w)
{
    while (w > 0) {
        int k = w > 32 ? 32 : w;
        *acc |= (v & ((1ull << k) - 1)) << *nbits;
        *nbits += k;
        while (*nbits >= 8) {
            out->p[out->len++] = (unsigned char)*acc;
            *acc >>= 8;
            *nbits -= 8;
        }
        v >>= k;
        w -= k;
    }
}

/* DELTA_BINARY_PACKED (Encodings.md) of the n PLAIN int64 values at vals:
 * a header (block size 128, 4 miniblocks of 32, n, the first value), then
 * per block of 128 deltas its least delta and each miniblock's deltas less
 * that, bit-packed at the miniblock's width. A page's times or IDs take a
 * few bytes each instead of eight, which also spares zstd most of its work. */
static void delta_binary_packed(pq_writer *w, pbuf *out, const unsigned char *vals, size_t n)
{
    enum { BLOCK = 128, MINIBLOCKS = 4, MINI = BLOCK / MINIBLOCKS };
    if (pb_reserve(w, out, n * 8 + (n / BLOCK + 1) * 16 + 40) != 0)
        return;
    pb_uvarint(w, out, BLOCK);
    pb_uvarint(w, out, MINIBLOCKS);
    pb_uvarint(w, out, n);
    uint64_t prev;
    memcpy(&prev, vals, 8);
    pb_uvarint(w, out, zigzag((int64_t)prev));
    for (size_t i = 1; i < n; i += BLOCK) {
        size_t m = n - i < BLOCK ? n - i : BLOCK;
        uint64_t d[BLOCK];
        int64_t min = INT64_MAX;
        for (size_t k = 0; k < m; k++) {
            uint64_t v;
            memcpy(&v, vals + 8 * (i + k), 8);
            d[k] = v - prev;  /* wraps, as the decoder's sum does */
            prev = v;
            if ((int64_t)d[k] < min)
                min = (int64_t)d[k];
        }
        pb_uvarint(w, out, zigzag(min));
        unsigned char width[MINIBLOCKS];
        for (size_t b = 0; b < MINIBLOCKS; b++) {
            uint64_t max = 0;
            for (size_t k = b * MINI; k < (b + 1) * MINI && k < m; k++)
                if (d[k] - (uint64_t)min > max)
                    max = d[k] - (uint64_t)min;
            width[b] = (unsigned char)(max ? 64 - __builtin_clzll(max) : 0);
        }
        pb_add(w, out, width, MINIBLOCKS);
        if (w->err)
            return;
        /* Miniblocks past the last value are absent; the last one present
         * is padded to 32 values. */
        for (size_t b = 0; b < MINIBLOCKS && b * MINI < m; b++) {
            uint64_t acc = 0;
            int nbits = 0, bw = width[b];
            for (size_t k = m; k < (b + 1) * MINI; k++)
                d[k] = (uint64_t)min;  /* padding: 0 once less min */
            if (bw > 32) {
                for (size_t k = b * MINI; k < (b + 1) * MINI; k++)
                    put_bits(out, &acc, &nbits, d[k] - (uint64_t)min, bw);
                continue;
            }
            /* 32 values of bw <= 32 bits: whole 32-bit words, none left over. */
            for (size_t k = b * MINI; k < (b + 1) * MINI; k++) {
                acc |= (d[k] - (uint64_t)min) << nbits;
                nbits += bw;
                if (nbits >= 32) {
                    unsigned char *p = out->p + out->len;
                    p[0] = (unsigned char)acc, p[1] = (unsigned char)(acc >> 8), p[2] = (unsigned char)(acc >> 16),
                    p[3] = (unsigned char)(acc >> 24);
                    out->len += 4;
                    acc >>= 32;
                    nbits -= 32;
                }
            }
        }
    }
}

/* Closes column c's open page: its levels and values (w->raw), compressed,
 * after its header, at the end of the column chunk. */
static void encode_page(pq_writer *w, pq_col *c, int dict, int delta)
{
    pbuf *raw = &w->raw;
    raw->len = 0;
    if (c->nullable) {
        pb_le32(w, raw, 0);
        size_t at = raw->len;
        rle_hybrid(w, raw, c->lev, 0, c->page_n, 1);
        if (!w->err) {
            uint32_t n = (uint32_t)(raw->len - at);
            unsigned char *p = raw->p + at - 4;
            p[0] = (unsigned char)n, p[1] = (unsigned char)(n >> 8), p[2] = (unsigned char)(n >> 16),
            p[3] = (unsigned char)(n >> 24);
        }
    }
    if (dict) {
        uint32_t max = 0;
        for (size_t i = 0; i < c->nidx; i++)
            if (c->idx[i] > max)
                max = c->idx[i];
        int bw = bit_width(max);
        pb_byte(w, raw, (unsigned)bw);
        rle_hybrid(w, raw, c->idx, 1, c->nidx, bw);
    } else if (delta) {
        delta_binary_packed(w, raw, c->vals.p, c->vals.len / 8);
    } else if (c->type == PQ_BOOL) {
        size_t n = c->vals.len;
        if (pb_reserve(w, raw, (n + 7) / 8) == 0) {
            for (size_t i = 0; i < n; i += 8) {
                unsigned byte = 0;
                for (size_t k = 0; k < 8 && i + k < n; k++)
                    byte |= (unsigned)c->vals.p[i + k] << k;
                raw->p[raw->len++] = (unsigned char)byte;
            }
        }
    } else {
        pb_add(w, raw, c->vals.p, c->vals.len);
    }
}

static void swap_pbuf(pbuf *a, pbuf *b)
{
    pbuf t = *a;
    *a = *b;
    *b = t;
}

static int close_page(pq_writer *w, pq_col *c)
{
    if (!c->page_n || w->err)
        return w->err;
    int dict = c->nidx > 0;  /* a page is one encoding: the dictionary closes pages when it fills */
    int delta = 0;
    pbuf *raw = &w->raw;
    if (c->type == PQ_INT64 && c->vals.len > 0) {
        /* DELTA_BINARY_PACKED suits times and IDs that move little, PLAIN
         * (and zstd) values that jump about but repeat, such as durations:
         * the chunk's first page is compressed both ways, and that decides
         * for the rest of the chunk. DELTA unless PLAIN compresses to under
         * 60% of it: zstd's time goes with its input, and PLAIN pages are
         * 8 bytes a value where DELTA's are a few bits (on go127-100MB,
         * PLAIN whenever smaller gave 104 MB in 7.6 s of CPU, this rule
         * 113 MB in 6.9 s, DELTA always 125 MB in 6.7 s). */
        if (!c->int_encoding) {
            encode_page(w, c, 0, 0);
            if (w->err || compress(w, raw->p, raw->len) != 0)
                return w->err;
            swap_pbuf(&w->raw, &w->raw2);
            swap_pbuf(&w->comp, &w->comp2);
            encode_page(w, c, 0, 1);
            if (w->err || compress(w, raw->p, raw->len) != 0)
                return w->err;
            c->int_encoding = w->comp2.len * 5 < w->comp.len * 3 ? ENC_PLAIN : ENC_DELTA_BINARY_PACKED;
            if (c->int_encoding == ENC_PLAIN) {
                swap_pbuf(&w->raw, &w->raw2);
                swap_pbuf(&w->comp, &w->comp2);
            }
            delta = c->int_encoding == ENC_DELTA_BINARY_PACKED;
            goto compressed;
        }
        delta = c->int_encoding == ENC_DELTA_BINARY_PACKED;
    }
    encode_page(w, c, dict, delta);
    if (w->err)
        return w->err;
    if (raw->len > INT32_MAX)
        return fail(w, PQ_ERR_USAGE, "column %s: a page of %zu bytes is too large for Parquet", c->name, raw->len);
    if (compress(w, raw->p, raw->len) != 0)
        return w->err;
compressed:;
    pbuf *h = &w->hdr;
    h->len = 0;
    tw t;
    tw_init(&t, w, h);
    tw_i32(&t, 1, PAGE_DATA);
    tw_i32(&t, 2, (int32_t)raw->len);
    tw_i32(&t, 3, (int32_t)w->comp.len);
    tw_begin(&t, 5);  /* DataPageHeader */
    tw_i32(&t, 1, (int32_t)c->page_n);
    tw_i32(&t, 2, dict ? ENC_RLE_DICTIONARY : delta ? ENC_DELTA_BINARY_PACKED : ENC_PLAIN);
    tw_i32(&t, 3, ENC_RLE);
    tw_i32(&t, 4, ENC_RLE);
    tw_end(&t);
    pb_byte(w, h, 0);

    size_t before = c->chunk.len;
    pb_add(w, &c->chunk, h->p, h->len);
    pb_add(w, &c->chunk, w->comp.p, w->comp.len);
    if (w->err)
        return w->err;
    w->buffered += c->chunk.len - before;
    c->chunk_raw += (int64_t)(h->len + raw->len);
    if (dict)
        c->dict_pages++;
    else if (delta)
        c->delta_pages++;
    else
        c->plain_pages++;
    c->page_n = 0;
    c->nidx = 0;
    c->vals.len = 0;
    return 0;
}

/* A value (or NULL) is going into column col: checks and its level. The
 * column, or NULL when the writer has failed. */
static inline pq_col *begin_value(pq_writer *w, int col, int type, int null)
{
    if (w->err)
        return NULL;
    if (col < 0 || col >= w->ncols) {
        fail(w, PQ_ERR_USAGE, "no column %d", col);
        return NULL;
    }
    pq_col *c = &w->cols[col];
    int twice = c->given == w->rows + 1;
    if (twice || (null ? !c->nullable : c->type != type)) {
        fail(w, PQ_ERR_USAGE, "column %s: %s", c->name,
             twice ? "two values in one row" : null ? "NULL in a REQUIRED column" : "wrong type");
        return NULL;
    }
    if (c->nullable) {
        if (c->page_n == c->lev_cap) {
            size_t cap = c->lev_cap ? c->lev_cap * 2 : 1024;
            uint8_t *p = realloc(c->lev, cap);
            if (!p) {
                oom(w);
                return NULL;
            }
            c->lev = p;
            c->lev_cap = cap;
        }
        c->lev[c->page_n] = !null;
    }
    c->given = w->rows + 1;
    w->given++;
    return c;
}

/* After a value went into c's page: closes the page when it is full. */
static inline int end_value(pq_writer *w, pq_col *c)
{
    c->page_n++;
    c->chunk_n++;
    if (c->page_n >= w->lim.page_values || c->vals.len >= w->lim.page_bytes)
        return close_page(w, c);
    return w->err;
}

int pq_put_null(pq_writer *w, int col)
{
    pq_col *c = begin_value(w, col, -1, 1);
    if (!c)
        return w->err;
    c->chunk_nulls++;
    return end_value(w, c);
}

int pq_put_int64(pq_writer *w, int col, int64_t v)
{
    pq_col *c = begin_value(w, col, PQ_INT64, 0);
    if (!c)
        return w->err;
    if (pb_reserve(w, &c->vals, 8) != 0)
        return w->err;
    le64(c->vals.p + c->vals.len, (uint64_t)v);
    c->vals.len += 8;
    if (!c->has_minmax) {
        c->imin = c->imax = v;
        c->has_minmax = 1;
    } else if (v < c->imin) {
        c->imin = v;
    } else if (v > c->imax) {
        c->imax = v;
    }
    return end_value(w, c);
}

int pq_put_double(pq_writer *w, int col, double v)
{
    pq_col *c = begin_value(w, col, PQ_DOUBLE, 0);
    if (!c)
        return w->err;
    if (pb_reserve(w, &c->vals, 8) != 0)
        return w->err;
    uint64_t bits;
    memcpy(&bits, &v, 8);
    le64(c->vals.p + c->vals.len, bits);
    c->vals.len += 8;
    /* NaN takes no part in the statistics (parquet.thrift, ColumnOrder). */
    if (!isnan(v)) {
        if (!c->has_minmax) {
            c->dmin = c->dmax = v;
            c->has_minmax = 1;
        } else if (v < c->dmin) {
            c->dmin = v;
        } else if (v > c->dmax) {
            c->dmax = v;
        }
    }
    return end_value(w, c);
}

int pq_put_bool(pq_writer *w, int col, int v)
{
    pq_col *c = begin_value(w, col, PQ_BOOL, 0);
    if (!c)
        return w->err;
    v = v != 0;
    pb_byte(w, &c->vals, (unsigned)v);
    if (!c->has_minmax) {
        c->bmin = c->bmax = v;
        c->has_minmax = 1;
    } else {
        c->bmin &= v;
        c->bmax |= v;
    }
    return end_value(w, c);
}

/* Unsigned bytewise order, a prefix first (the order of STRING). */
static int text_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = n ? memcmp(a, b, n) : 0;  /* an empty value's buffer may be NULL */
    return r ? r : (an > bn) - (an < bn);
}

static void text_stats(pq_writer *w, pq_col *c, const char *s, size_t len)
{
    if (!c->has_minmax || text_cmp(s, len, c->smin.p, c->smin.len) < 0) {
        c->smin.len = 0;
        pb_add(w, &c->smin, s, len);
    }
    if (!c->has_minmax || text_cmp(s, len, c->smax.p, c->smax.len) > 0) {
        c->smax.len = 0;
        pb_add(w, &c->smax, s, len);
    }
    c->has_minmax = 1;
}

static uint32_t hash_text(const char *s, size_t len)
{
    /* Eight bytes at a time, multiplied in, then a final mix so that the
     * low bits index well. Not for hostile input: a bad hash only slows. */
    uint64_t h = 0x9e3779b97f4a7c15u ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t k;
        memcpy(&k, s + i, 8);
        h = (h ^ k) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    if (i < len) {
        /* Byte by byte: a short memcpy into k stalls on store forwarding. */
        uint64_t k = 0;
        for (size_t j = len; j > i; j--)
            k = k << 8 | (unsigned char)s[j - 1];
        h = (h ^ k) * 0xff51afd7ed558ccdu;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 29;
    return (uint32_t)h;
}

static int dict_grow(pq_writer *w, pq_col *c)
{
    if (c->ndict == c->dict_cap) {
        uint32_t cap = c->dict_cap ? c->dict_cap * 2 : 256;
        uint32_t *o = realloc(c->doff, cap * sizeof *o);
        if (!o)
            return oom(w);
        c->doff = o;
        uint32_t *hh = realloc(c->dhash, cap * sizeof *hh);
        if (!hh)
            return oom(w);
        c->dhash = hh;
        c->dict_cap = cap;
    }
    if ((size_t)c->ndict + 1 > c->nslot / 2) {
        size_t n = c->nslot ? c->nslot * 2 : 512;
        uint32_t *s = calloc(n, sizeof *s);
        if (!s)
            return oom(w);
        for (uint32_t e = 0; e < c->ndict; e++) {
            size_t k = c->dhash[e] & (n - 1);
            while (s[k])
                k = (k + 1) & (n - 1);
            s[k] = e + 1;
        }
        free(c->slot);
        c->slot = s;
        c->nslot = n;
    }
    return 0;
}

/* Whether the first k and the last k bytes of a[0..n) and b[0..n) agree
 * (k <= n <= 2 k: all n bytes then). Called with a constant k, so that
 * the copies become loads. */
static inline int ends_same(const unsigned char *a, const char *b, size_t n, size_t k)
{
    uint64_t a0 = 0, b0 = 0, a1 = 0, b1 = 0;
    memcpy(&a0, a, k);
    memcpy(&b0, b, k);
    memcpy(&a1, a + n - k, k);
    memcpy(&b1, b + n - k, k);
    return a0 == b0 && a1 == b1;
}

/* Whether a[0..n) equals b[0..n): inline for the short texts most columns
 * hold (state names, reasons), where calling memcmp cost more than the
 * comparison. */
static inline int same_bytes(const unsigned char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16)
        return ends_same(a, b, n, 8);
    if (n >= 4 && n < 8)
        return ends_same(a, b, n, 4);
    if (n < 4) {
        unsigned d = 0;
        for (size_t i = 0; i < n; i++)
            d |= a[i] ^ (unsigned char)b[i];
        return d == 0;
    }
    return memcmp(a, b, n) == 0;
}

/* Whether dictionary entry e of c holds s. */
static inline int dict_entry_is(const pq_col *c, uint32_t e, const char *s, size_t len)
{
    const unsigned char *p = c->dict.p + c->doff[e];
    uint32_t n = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return n == len && same_bytes(p + 4, s, len);
}

/* The dictionary index of s in c's chunk dictionary, added if new: 0, or
 * 1 when the dictionary is full (c->dict_on is then cleared). */
static int dict_index(pq_writer *w, pq_col *c, const char *s, size_t len, uint32_t *index)
{
    /* Values often repeat the one before: no hashing then (pq_put_text
     * has looked already, unless the bytes were not UTF-8). */
    if (c->last && s == (const char *)w->fix.p && dict_entry_is(c, c->last - 1, s, len)) {
        *index = c->last - 1;
        return 0;
    }
    uint32_t h = hash_text(s, len);
    size_t mask = c->nslot - 1, k = c->nslot ? h & mask : 0;
    if (c->nslot) {
        for (uint32_t e; (e = c->slot[k]) != 0; k = (k + 1) & mask) {
            e--;
            if (c->dhash[e] == h && dict_entry_is(c, e, s, len)) {
                *index = e;
                c->last = e + 1;
                return 0;
            }
        }
    }
    if (c->dict.len + 4 + len > w->lim.dict_bytes || c->ndict == UINT32_MAX - 1) {
        c->dict_on = 0;
        return 1;
    }
    if (dict_grow(w, c) != 0)
        return w->err;
    mask = c->nslot - 1;
    k = h & mask;
    while (c->slot[k])
        k = (k + 1) & mask;
    uint32_t e = c->ndict++;
    c->slot[k] = e + 1;
    c->dhash[e] = h;
    c->doff[e] = (uint32_t)c->dict.len;
    c->last = e + 1;
    pb_le32(w, &c->dict, (uint32_t)len);
    pb_add(w, &c->dict, s, len);
    text_stats(w, c, s, len);  /* every value of the chunk is in its dictionary */
    *index = e;
    return w->err;
}

int pq_put_text(pq_writer *w, int col, const char *s, size_t len)
{
    pq_col *c = begin_value(w, col, PQ_TEXT, 0);
    if (!c)
        return w->err;
    if (len > INT32_MAX)
        return fail(w, PQ_ERR_USAGE, "column %s: a string of %zu bytes", c->name, len);
    /* The value the column had last: its dictionary entry holds valid
     * UTF-8, so the same bytes need no check. */
    int again = c->dict_on && c->last && dict_entry_is(c, c->last - 1, s, len);
    if (!again)
        s = valid_utf8(w, s, &len);
    if (c->dict_on) {
        uint32_t index = c->last - 1;
        int full = again ? 0 : dict_index(w, c, s, len, &index);
        if (w->err)
            return w->err;
        if (!full) {
            if (c->nidx == c->idx_cap) {
                size_t cap = c->idx_cap ? c->idx_cap * 2 : 1024;
                uint32_t *p = realloc(c->idx, cap * sizeof *p);
                if (!p)
                    return oom(w);
                c->idx = p;
                c->idx_cap = cap;
            }
            c->idx[c->nidx++] = index;
            return end_value(w, c);
        }
        /* The dictionary is full: its page closes, PLAIN from here to the
         * chunk's end. This value's level is already in the page: move it. */
        if (c->page_n) {
            uint8_t level = c->nullable ? c->lev[c->page_n] : 1;
            if (close_page(w, c) != 0)
                return w->err;
            if (c->nullable)
                c->lev[0] = level;
        }
    }
    if (pb_reserve(w, &c->vals, 4 + len) != 0)
        return w->err;
    pb_le32(w, &c->vals, (uint32_t)len);
    pb_add(w, &c->vals, s, len);
    text_stats(w, c, s, len);
    return end_value(w, c);
}

/* Writes the open row group: each column's dictionary page and data
 * pages, and its RowGroup struct into w->rgs. */
static int flush_row_group(pq_writer *w)
{
    for (int i = 0; i < w->ncols; i++)
        if (close_page(w, &w->cols[i]) != 0)
            return w->err;
    if (!w->rg_rows)
        return 0;
    if (start(w) != 0)
        return w->err;
    if (w->nrg == INT16_MAX)
        return fail(w, PQ_ERR_USAGE, "more than %d row groups", INT16_MAX);

    pbuf *rg = &w->rgs;
    tw t;
    tw_init(&t, w, rg);
    tw_begin(&t, 0);  /* RowGroup, a list element */
    tw_list(&t, 1, CT_STRUCT, (size_t)w->ncols);
    int64_t rg_start = w->offset, total_raw = 0;
    for (int i = 0; i < w->ncols; i++) {
        pq_col *c = &w->cols[i];
        int64_t chunk_start = w->offset, raw = c->chunk_raw;
        int has_dict = c->type == PQ_TEXT && c->ndict > 0;
        if (has_dict) {
            if (compress(w, c->dict.p, c->dict.len) != 0)
                return w->err;
            pbuf *h = &w->hdr;
            h->len = 0;
            tw ht;
            tw_init(&ht, w, h);
            tw_i32(&ht, 1, PAGE_DICTIONARY);
            tw_i32(&ht, 2, (int32_t)c->dict.len);
            tw_i32(&ht, 3, (int32_t)w->comp.len);
            tw_begin(&ht, 7);  /* DictionaryPageHeader */
            tw_i32(&ht, 1, (int32_t)c->ndict);
            tw_i32(&ht, 2, ENC_PLAIN);
            tw_end(&ht);
            pb_byte(w, h, 0);
            if (w->err || put_bytes(w, h->p, h->len) != 0 || put_bytes(w, w->comp.p, w->comp.len) != 0)
                return w->err;
            raw += (int64_t)(h->len + c->dict.len);
        }
        int64_t data_start = w->offset;
        if (put_bytes(w, c->chunk.p, c->chunk.len) != 0)
            return w->err;
        int64_t compressed = w->offset - chunk_start;
        total_raw += raw;

        tw_begin(&t, 0);  /* ColumnChunk */
        tw_i64(&t, 2, chunk_start);
        tw_begin(&t, 3);  /* ColumnMetaData */
        tw_i32(&t, 1, c->type == PQ_INT64 ? T_INT64 : c->type == PQ_DOUBLE ? T_DOUBLE
                      : c->type == PQ_TEXT ? T_BYTE_ARRAY : T_BOOLEAN);
        int encs[4], nenc = 0;
        if (has_dict || c->plain_pages)
            encs[nenc++] = ENC_PLAIN;
        if (c->nullable)
            encs[nenc++] = ENC_RLE;
        if (c->delta_pages)
            encs[nenc++] = ENC_DELTA_BINARY_PACKED;
        if (c->dict_pages)
            encs[nenc++] = ENC_RLE_DICTIONARY;
        tw_list(&t, 2, CT_I32, (size_t)nenc);
        for (int k = 0; k < nenc; k++)
            pb_uvarint(w, rg, zigzag(encs[k]));
        tw_list(&t, 3, CT_BINARY, 1);
        pb_uvarint(w, rg, strlen(c->name));
        pb_add(w, rg, c->name, strlen(c->name));
        tw_i32(&t, 4, CODEC_ZSTD);
        tw_i64(&t, 5, c->chunk_n);
        tw_i64(&t, 6, raw);
        tw_i64(&t, 7, compressed);
        tw_i64(&t, 9, data_start);
        if (has_dict)
            tw_i64(&t, 11, chunk_start);
        tw_begin(&t, 12);  /* Statistics */
        tw_i64(&t, 3, c->chunk_nulls);
        if (c->has_minmax) {
            unsigned char mx[8], mn[8];
            switch (c->type) {
            case PQ_INT64:
                le64(mx, (uint64_t)c->imax);
                le64(mn, (uint64_t)c->imin);
                tw_binary(&t, 5, mx, 8);
                tw_binary(&t, 6, mn, 8);
                break;
            case PQ_DOUBLE: {
                /* A zero maximum is written +0.0 and a zero minimum -0.0
                 * (parquet.thrift, ColumnOrder). */
                double dmax = c->dmax == 0 ? 0.0 : c->dmax, dmin = c->dmin == 0 ? -0.0 : c->dmin;
                uint64_t b;
                memcpy(&b, &dmax, 8);
                le64(mx, b);
                memcpy(&b, &dmin, 8);
                le64(mn, b);
                tw_binary(&t, 5, mx, 8);
                tw_binary(&t, 6, mn, 8);
                break;
            }
            case PQ_BOOL:
                mx[0] = (unsigned char)c->bmax;
                mn[0] = (unsigned char)c->bmin;
                tw_binary(&t, 5, mx, 1);
                tw_binary(&t, 6, mn, 1);
                break;
            default:
                if (c->smax.len <= STAT_TEXT_MAX)
                    tw_binary(&t, 5, c->smax.p, c->smax.len);
                if (c->smin.len <= STAT_TEXT_MAX)
                    tw_binary(&t, 6, c->smin.p, c->smin.len);
                break;
            }
        }
        tw_end(&t);  /* Statistics */
        tw_end(&t);  /* ColumnMetaData */
        tw_end(&t);  /* ColumnChunk */

        /* The next chunk starts afresh. */
        c->chunk.len = 0;
        c->chunk_n = c->chunk_nulls = c->chunk_raw = 0;
        c->plain_pages = c->dict_pages = c->delta_pages = 0;
        c->int_encoding = 0;
        c->has_minmax = 0;
        c->dict_on = c->type == PQ_TEXT;
        c->dict.len = 0;
        c->ndict = 0;
        c->last = 0;
        if (c->nslot)
            memset(c->slot, 0, c->nslot * sizeof *c->slot);
    }
    tw_i64(&t, 2, total_raw);
    tw_i64(&t, 3, w->rg_rows);
    tw_i64(&t, 5, rg_start);
    tw_i64(&t, 6, w->offset - rg_start);
    tw_field(&t, 7, CT_I16);
    pb_uvarint(w, rg, zigzag(w->nrg));
    tw_end(&t);  /* RowGroup */
    w->nrg++;
    w->rg_rows = 0;
    w->buffered = 0;
    return w->err;
}

int pq_end_row(pq_writer *w)
{
    if (w->err)
        return w->err;
    /* Each column's value came once (begin_value): a count says whether
     * all did, and the loop runs only to name the one missing. */
    if (w->given != w->ncols)
        for (int i = 0; i < w->ncols; i++)
            if (w->cols[i].given != w->rows + 1)
                return fail(w, PQ_ERR_USAGE, "column %s: no value in row %lld", w->cols[i].name, (long long)w->rows);
    w->given = 0;
    w->rows++;
    w->rg_rows++;
    if ((size_t)w->rg_rows >= w->lim.row_group_rows || w->buffered >= w->lim.row_group_bytes)
        return flush_row_group(w);
    return 0;
}

static void tw_string(tw *t, int id, const char *s) { tw_binary(t, id, s, strlen(s)); }

int pq_finish(pq_writer *w)
{
    if (w->err)
        return w->err;
    for (int i = 0; i < w->ncols; i++)
        if (w->cols[i].given == w->rows + 1)
            return fail(w, PQ_ERR_USAGE, "column %s: a row not ended", w->cols[i].name);
    if (flush_row_group(w) != 0 || start(w) != 0)
        return w->err;

    pbuf *m = &w->hdr;
    m->len = 0;
    tw t;
    tw_init(&t, w, m);
    tw_i32(&t, 1, 2);  /* version */
    tw_list(&t, 2, CT_STRUCT, (size_t)w->ncols + 1);
    tw_begin(&t, 0);   /* the root */
    tw_string(&t, 4, "schema");
    tw_i32(&t, 5, w->ncols);
    tw_end(&t);
    for (int i = 0; i < w->ncols; i++) {
        pq_col *c = &w->cols[i];
        tw_begin(&t, 0);
        tw_i32(&t, 1, c->type == PQ_INT64 ? T_INT64 : c->type == PQ_DOUBLE ? T_DOUBLE
                      : c->type == PQ_TEXT ? T_BYTE_ARRAY : T_BOOLEAN);
        tw_i32(&t, 3, c->nullable ? REP_OPTIONAL : REP_REQUIRED);
        tw_string(&t, 4, c->name);
        if (c->type == PQ_TEXT) {
            tw_i32(&t, 6, CONV_UTF8);
            tw_begin(&t, 10);  /* LogicalType */
            tw_begin(&t, 1);   /* STRING */
            tw_end(&t);
            tw_end(&t);
        } else if (c->type == PQ_INT64 && c->timestamp) {
            /* TIMESTAMP(NANOS, UTC) has no ConvertedType. */
            tw_begin(&t, 10);
            tw_begin(&t, 8);   /* TIMESTAMP */
            tw_bool(&t, 1, 0); /* isAdjustedToUTC: see parquet.h */
            tw_begin(&t, 2);   /* unit */
            tw_begin(&t, 3);   /* NANOS */
            tw_end(&t);
            tw_end(&t);
            tw_end(&t);
            tw_end(&t);
        } else if (c->type == PQ_INT64) {
            tw_i32(&t, 6, CONV_INT_64);
            tw_begin(&t, 10);
            tw_begin(&t, 10);  /* INTEGER */
            tw_i8(&t, 1, 64);
            tw_bool(&t, 2, 1);
            tw_end(&t);
            tw_end(&t);
        }
        tw_end(&t);
    }
    tw_i64(&t, 3, w->rows);
    tw_list(&t, 4, CT_STRUCT, (size_t)w->nrg);
    pb_add(w, m, w->rgs.p, w->rgs.len);
    if (w->nmeta) {
        tw_list(&t, 5, CT_STRUCT, (size_t)w->nmeta);
        for (int i = 0; i < w->nmeta; i++) {
            tw_begin(&t, 0);
            tw_string(&t, 1, w->meta[i].key);
            tw_string(&t, 2, w->meta[i].value);
            tw_end(&t);
        }
    }
    tw_string(&t, 6, "gotrace version " GT_VERSION_STRING);
    /* Every column's statistics are in its type's order. */
    tw_list(&t, 7, CT_STRUCT, (size_t)w->ncols);
    for (int i = 0; i < w->ncols; i++) {
        tw_begin(&t, 0);  /* ColumnOrder */
        tw_begin(&t, 1);  /* TYPE_ORDER */
        tw_end(&t);
        tw_end(&t);
    }
    pb_byte(w, m, 0);
    if (w->err)
        return w->err;
    if (m->len > UINT32_MAX)
        return fail(w, PQ_ERR_USAGE, "the footer is too large");
    pb_le32(w, m, (uint32_t)m->len);
    pb_add(w, m, "PAR1", 4);
    if (w->err)
        return w->err;
    return put_bytes(w, m->p, m->len);
}

int64_t pq_writer_rows(const pq_writer *w) { return w->rows; }
int64_t pq_writer_bytes(const pq_writer *w) { return w->offset; }
int pq_writer_errno(const pq_writer *w) { return w->err_errno; }
const char *pq_writer_message(const pq_writer *w) { return w->err ? w->msg : ""; }

void pq_writer_free(pq_writer *w)
{
    if (!w)
        return;
    for (int i = 0; w->cols && i < w->ncols; i++) {
        pq_col *c = &w->cols[i];
        free(c->name);
        pb_free(&c->vals);
        free(c->idx);
        free(c->lev);
        pb_free(&c->chunk);
        pb_free(&c->dict);
        free(c->doff);
        free(c->dhash);
        free(c->slot);
        pb_free(&c->smin);
        pb_free(&c->smax);
    }
    free(w->cols);
    for (int i = 0; i < w->nmeta; i++) {
        free(w->meta[i].key);
        free(w->meta[i].value);
    }
    free(w->meta);
    pb_free(&w->raw);
    pb_free(&w->comp);
    pb_free(&w->raw2);
    pb_free(&w->comp2);
    pb_free(&w->hdr);
    pb_free(&w->fix);
    pb_free(&w->rgs);
    ZSTD_freeCCtx(w->zc);
    free(w);
}
