/* Old-format wire decoding: Go 1.27's tracev1/parser.go (readRawEvent,
 * collectBatchesAndCPUSamples, loadBatch, parseEvent) with its error texts.
 *
 * Layout. After the 16-byte header the file is a sequence of events:
 *
 *   byte 0:   type (low 6 bits) | narg-1 (high 2 bits; 3 = length-prefixed)
 *   String:   varint id, varint len, len bytes
 *   Batch:    varint pid (~0 = no P), varint ticks       [narg bits = 1]
 *   others:   narg varints (the timestamp delta first for timed events), or
 *             for narg bits = 3: varint byte length, that many bytes of
 *             varints; UserLog then has a varint length + string.
 *
 * Every event after a Batch header belongs to that batch (that P), up to the
 * next Batch. The first pass records where batches are and also reads each
 * one as loadBatch will, marking the batches whose load has effects or
 * fails (v1_batch.slow). The merge (order.c) loads batches when Go does:
 * a slow one goes through Go's steps then (table updates in Go's order,
 * errors in Go's order); then every batch's events are decoded from the
 * file one at a time as the merge takes them (gt_v1_batch_next), with no
 * checks left to make.
 *
 * Contract: never reads outside t->data[0, len); every failure is a
 * gt_error with Go's message and the offset of the event being read.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/error.h"
#include "v1/internal.h"

enum { RAW_OK = 0, RAW_EOF = 1, RAW_ERR = -1 };
enum { SKIP_ARGS = 1, SKIP_STRINGS = 2 };

static const char msg_varint[] = "malformatted base-128 varint";

int gt_v1_grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / sz)
            return -1;
        ncap *= 2;
    }
    void *n = realloc(*arr, ncap * sz);
    if (!n)
        return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

void *gt_v1_record(gt_u64map *index, void **arr, size_t *n, size_t *cap, size_t sz, uint64_t key)
{
    uint64_t *i = gt_u64map_get(index, key);
    if (i)
        return (char *)*arr + *i * sz;
    if (gt_v1_grow(arr, cap, *n + 1, sz) || gt_u64map_put(index, key, *n))
        return NULL;
    char *rec = (char *)*arr + *n * sz;
    memset(rec, 0, sz);
    (*n)++;
    return rec;
}

int gt_v1_map_compact(gt_u64map *m, size_t live)
{
    if (m->len < 2 * live + 4096)
        return 0;
    gt_u64map fresh = GT_U64MAP_INIT;
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i] && m->vals[i] && gt_u64map_put(&fresh, m->keys[i], m->vals[i])) {
            gt_u64map_free(&fresh);
            return -1;
        }
    gt_u64map_free(m);
    *m = fresh;
    return 0;
}

static int nomem(v1_parser *p) { return gt_error_set(p->err, GT_ERR_NOMEM, p->ev_off, "out of memory"); }

static inline int read_val(v1_parser *p, uint64_t *v)
{
    if (p->off < p->t->len && p->t->data[p->off] < 0x80) { /* most values */
        *v = p->t->data[p->off++];
        return 0;
    }
    gt_cursor c = {p->t->data + p->off, p->t->data + p->t->len};
    if (gt_varint(&c, v) != GT_VARINT_OK)
        return -1;
    p->off = (size_t)(c.p - p->t->data);
    return 0;
}

/* Go's readFull: fails when nothing is left or fewer than n bytes are. */
static const uint8_t *read_full(v1_parser *p, uint64_t n)
{
    if (p->off >= p->t->len || n > p->t->len - p->off)
        return NULL;
    const uint8_t *b = p->t->data + p->off;
    p->off += (size_t)n;
    return b;
}

static int discard(v1_parser *p, uint64_t n)
{
    if (n > p->t->len - p->off)
        return -1;
    p->off += (size_t)n;
    return 0;
}

static int fail(v1_parser *p, gt_errcode code, const char *msg)
{
    return gt_error_set(p->err, code, p->ev_off, "%s", msg);
}

/* Go's EvString in the second pass: adds the string to the table. */
static int read_string_event(v1_parser *p)
{
    uint64_t id, ln;
    if (read_val(p, &id))
        return fail(p, GT_ERR_MALFORMED, msg_varint);
    if (id == 0)
        return fail(p, GT_ERR_MALFORMED, "string has invalid id 0");
    gt_str existing;
    if (gt_table_string(p->t->table, id, &existing))
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "string has duplicate id %llu",
                            (unsigned long long)id);
    if (read_val(p, &ln))
        return fail(p, GT_ERR_MALFORMED, msg_varint);
    if (ln == 0)
        return fail(p, GT_ERR_MALFORMED, "string has invalid length 0");
    if (ln > 1000000)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "string has too large length %llu",
                            (unsigned long long)ln);
    const uint8_t *s = read_full(p, ln);
    if (!s)
        return fail(p, GT_ERR_TRUNCATED, "failed to read trace: unexpected EOF");
    if (gt_table_add_string(p->t->table, id, s, (size_t)ln) < 0)
        return nomem(p);
    if (id > p->t->max_string_id)
        p->t->max_string_id = id;
    return 0;
}

static int push_arg(v1_parser *p, uint64_t v)
{
    if (p->raw_nargs >= V1_MAX_RAW_ARGS) /* cannot happen: 2048 bytes hold at most 2048 varints */
        return fail(p, GT_ERR_MALFORMED, "too many arguments");
    p->raw_args[p->raw_nargs++] = v;
    return 0;
}

/* readRawEvent: decodes one event into p->raw_*. String events are consumed
 * here and come back as V1_EV_NONE. */
static int read_raw(v1_parser *p, unsigned flags)
{
    if (p->off >= p->t->len)
        return RAW_EOF;
    p->ev_off = p->off;
    uint8_t b = p->t->data[p->off++];
    unsigned typ = b & 0x3f;
    unsigned narg = (unsigned)(b >> 6) + 1;
    if (typ == V1_EV_NONE || typ >= V1_EV_COUNT || gt_v1_descs[typ].min_version > p->t->version)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "unknown event type %u", typ);
    p->raw_nargs = 0;
    p->raw_sarg = (gt_str){"", 0};

    if (typ == V1_EV_STRING) {
        p->raw_type = V1_EV_NONE;
        if (!(flags & SKIP_STRINGS))
            return read_string_event(p) ? RAW_ERR : RAW_OK;
        uint64_t id, ln;
        if (read_val(p, &id) || read_val(p, &ln))
            return fail(p, GT_ERR_MALFORMED, msg_varint);
        (void)id;
        if (discard(p, ln))
            return fail(p, GT_ERR_TRUNCATED, "failed to read trace: EOF");
        return RAW_OK;
    }

    p->raw_type = (uint8_t)typ;
    if (typ == V1_EV_BATCH) {
        if (narg != 2)
            return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                                "EvBatch has wrong number of arguments: got %u, want 2", narg);
        uint64_t pid, ticks;
        if (read_val(p, &pid))
            return fail(p, GT_ERR_MALFORMED, msg_varint);
        /* Go prints math.MaxUint here, not MaxInt32. */
        if (pid != UINT64_MAX && pid > INT32_MAX)
            return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                                "processor ID %llu is larger than maximum of %llu", (unsigned long long)pid,
                                (unsigned long long)UINT64_MAX);
        if (read_val(p, &ticks))
            return fail(p, GT_ERR_MALFORMED, msg_varint);
        p->raw_batch_pid = pid == UINT64_MAX ? -1 : (int32_t)pid;
        p->raw_args[0] = pid;
        p->raw_args[1] = ticks;
        p->raw_nargs = 2;
        return RAW_OK;
    }

    char msg[160];
    if (narg <= 3) {
        for (unsigned i = 0; i < narg; i++) {
            uint64_t v;
            if (read_val(p, &v)) {
                snprintf(msg, sizeof msg, "failed to read event %u argument: %s", typ, msg_varint);
                return fail(p, GT_ERR_MALFORMED, msg);
            }
            if (!(flags & SKIP_ARGS))
                p->raw_args[p->raw_nargs++] = v;
        }
        return RAW_OK;
    }

    /* Length-prefixed arguments. */
    uint64_t blen;
    if (read_val(p, &blen)) {
        snprintf(msg, sizeof msg, "failed to read event %u argument: %s", typ, msg_varint);
        return fail(p, GT_ERR_MALFORMED, msg);
    }
    if (blen > 2048) {
        snprintf(msg, sizeof msg,
                 "failed to read event %u argument: length-prefixed argument too big: %llu bytes, limit is 2048", typ,
                 (unsigned long long)blen);
        return fail(p, GT_ERR_MALFORMED, msg);
    }
    if (!(flags & SKIP_ARGS) || typ == V1_EV_CPU_SAMPLE) {
        const uint8_t *buf = read_full(p, blen);
        if (!buf)
            return fail(p, GT_ERR_TRUNCATED, "failed to read trace: unexpected EOF");
        gt_cursor c = {buf, buf + blen};
        while (c.p < c.end) {
            uint64_t v;
            if (gt_varint(&c, &v) != GT_VARINT_OK)
                return fail(p, GT_ERR_MALFORMED, msg_varint);
            if (push_arg(p, v))
                return RAW_ERR;
        }
    } else if (discard(p, blen)) {
        return fail(p, GT_ERR_TRUNCATED, "failed to read trace: EOF");
    }
    if (typ == V1_EV_USER_LOG) {
        uint64_t sz;
        if (read_val(p, &sz))
            return fail(p, GT_ERR_MALFORMED, msg_varint);
        if (flags & SKIP_ARGS) {
            /* Go returns io.EOF here, which ends the first pass quietly. */
            if (discard(p, sz))
                return RAW_EOF;
        } else if (sz != 0) {
            if (sz > 1000000)
                return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "string is too large (len=%llu)",
                                    (unsigned long long)sz);
            const uint8_t *s = read_full(p, sz);
            if (!s)
                return fail(p, GT_ERR_TRUNCATED, "failed to read trace: unexpected EOF");
            p->raw_sarg = (gt_str){(const char *)s, (size_t)sz};
        }
    }
    return RAW_OK;
}

/* Go's rawEvent.argNum: arguments expected on the wire. */
static size_t arg_num(const v1_parser *p)
{
    const v1_desc *d = &gt_v1_descs[p->raw_type];
    if (p->raw_type == V1_EV_STACK)
        return p->raw_nargs;
    size_t n = d->nargs + (d->has_stack ? 1 : 0);
    switch (p->raw_type) {
    case V1_EV_BATCH: case V1_EV_FREQUENCY: case V1_EV_TIMER_GOROUTINE:
        return n;
    default:
        return n + 1;
    }
}

static v1_pid *pid_entry(v1_parser *p, int32_t pid, int create)
{
    int inserted = 0;
    uint64_t key = (uint32_t)pid;
    if (!create) {
        uint64_t *i = gt_u64map_get(&p->pid_index, key);
        return i ? &p->pids[*i] : NULL;
    }
    uint64_t *slot = gt_u64map_upsert(&p->pid_index, key, &inserted);
    if (!slot)
        return NULL;
    if (inserted) {
        if (gt_v1_grow((void **)&p->pids, &p->cappids, p->npids + 1, sizeof *p->pids)) {
            *slot = UINT64_MAX; /* dangling; the parse fails anyway */
            return NULL;
        }
        p->pids[p->npids] = (v1_pid){pid, V1_NONE, V1_NONE};
        *slot = p->npids++;
    }
    if (*slot == UINT64_MAX)
        return NULL;
    return &p->pids[*slot];
}

/* Types whose load updates the tables or numbers inline strings: a batch
 * with one of them is loaded the slow way (v1_batch.slow). */
static int loads_slowly(unsigned typ)
{
    switch (typ) {
    case V1_EV_NONE: /* a String */
    case V1_EV_FREQUENCY: case V1_EV_STACK: case V1_EV_TIMER_GOROUTINE: case V1_EV_USER_LOG:
        return 1;
    default:
        return 0;
    }
}

/* collectBatchesAndCPUSamples: the first pass, with Go's errors. It also
 * reads each batch as loadBatch will (all arguments, their count) and marks
 * the batches whose load must go the slow way; the others are decoded
 * straight from the file during the merge with no checks left to make. */
static int collect(v1_parser *p)
{
    int32_t cur = 0;
    size_t batch = V1_NONE; /* the batch being read */
    /* The common events, read inline below: per type with up to 3 inline
     * arguments and no table update, the argument count loadBatch wants
     * (0: not such a type). */
    uint8_t plain_nargs[64] = {0};
    for (unsigned typ = 0; typ < V1_EV_COUNT; typ++) {
        if (typ == V1_EV_NONE || typ == V1_EV_BATCH || typ == V1_EV_CPU_SAMPLE || typ == V1_EV_STRING ||
            loads_slowly(typ) || gt_v1_descs[typ].min_version > p->t->version)
            continue;
        p->raw_type = (uint8_t)typ;
        plain_nargs[typ] = (uint8_t)arg_num(p);
    }
    const uint8_t *data = p->t->data;
    p->off = 16;
    for (;;) {
        int r;
        if (batch != V1_NONE && !p->batches[batch].slow && p->t->len - p->off > 1 + 3 * 10) {
            /* Fast path: a plain event with inline arguments, far from
             * the end. Anything else, and any varint error, goes to
             * read_raw, which reports it as Go does. */
            const uint8_t *s = data + p->off;
            unsigned typ = *s & 0x3f, narg = (unsigned)(*s >> 6) + 1;
            if (narg <= 3 && plain_nargs[typ]) {
                uint64_t v;
                unsigned i = 0;
                s++;
                while (i < narg && gt_varint_unbounded(&s, &v) == GT_VARINT_OK)
                    i++;
                if (i == narg) {
                    if (narg != plain_nargs[typ])
                        p->batches[batch].slow = 1;
                    p->off = (size_t)(s - data);
                    continue;
                }
            }
        }
        if (batch != V1_NONE && !p->batches[batch].slow) {
            /* As loadBatch reads it (strings only skipped: they make the
             * batch slow anyway). When that fails the load will fail:
             * read the event again as the first pass does. */
            size_t at = p->off;
            r = read_raw(p, SKIP_STRINGS);
            if (r == RAW_OK && p->raw_type != V1_EV_BATCH && p->raw_type != V1_EV_CPU_SAMPLE &&
                (loads_slowly(p->raw_type) || p->raw_nargs != arg_num(p)))
                p->batches[batch].slow = 1;
            if (r == RAW_ERR) {
                p->batches[batch].slow = 1;
                gt_error_clear(p->err);
                p->off = at;
                r = read_raw(p, SKIP_ARGS | SKIP_STRINGS);
            }
        } else {
            r = read_raw(p, SKIP_ARGS | SKIP_STRINGS);
        }
        if (r == RAW_EOF)
            break;
        if (r == RAW_ERR)
            return -1;
        if (p->raw_type == V1_EV_NONE)
            continue;
        if (p->raw_type == V1_EV_BATCH) {
            v1_pid *e = pid_entry(p, p->raw_batch_pid, 1);
            if (!e || gt_v1_grow((void **)&p->batches, &p->capbatches, p->nbatches + 1, sizeof *p->batches))
                return nomem(p);
            p->batches[p->nbatches] = (v1_batch){p->ev_off, V1_NONE, 0};
            if (e->tail == V1_NONE)
                e->head = p->nbatches;
            else
                p->batches[e->tail].next = p->nbatches;
            batch = e->tail = p->nbatches++;
            cur = p->raw_batch_pid;
        }
        if (!pid_entry(p, cur, 0))
            return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                                "read event %u with current P of %d, but P has no batches yet", p->raw_type, cur);
        if (p->raw_type != V1_EV_CPU_SAMPLE)
            continue;
        size_t narg = arg_num(p);
        if (p->raw_nargs != narg)
            return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                                "CPU sample has wrong number of arguments: want %zu, got %zu", narg, p->raw_nargs);
        /* args: timestamp delta (unused), real timestamp, P, G, stack. The
         * sample is timed by the signal handler's timestamp. */
        if (gt_v1_grow((void **)&p->cpu_samples, &p->capcpu, p->ncpu + 1, sizeof *p->cpu_samples))
            return nomem(p);
        v1_sample e = {(int64_t)p->raw_args[1], p->raw_args[3], p->raw_args[2], (uint32_t)p->raw_args[4]};
        p->cpu_samples[p->ncpu++] = e;
    }
    return 0;
}

/* Bytes from an event's start that decide every first-pass error except
 * running out of input: the type byte, a length varint, 2048 bytes of
 * length-prefixed arguments and UserLog's string length varint (Batch and
 * inline events need fewer). */
enum { V1_SCAN_SPAN = 1 + 10 + 2048 + 10 };

void gt_v1_scanner_init(v1_scanner *s, int version)
{
    memset(s, 0, sizeof *s);
    s->t.version = version;
    s->p.t = &s->t;
    s->p.err = &s->err;
    s->off = 16;
}

int gt_v1_scan(v1_scanner *s, const uint8_t *data, size_t len)
{
    v1_parser *p = &s->p;
    s->t.data = data;
    s->t.len = len;
    p->off = s->off;
    while (len - p->off >= V1_SCAN_SPAN) {
        size_t at = p->off;
        /* Fast path: an event with inline arguments after a Batch, whose
         * varints are all well formed; anything else goes to read_raw. */
        const uint8_t *b = data + at;
        unsigned typ = *b & 0x3f, narg = (unsigned)(*b >> 6) + 1;
        if (s->seen_batch && narg <= 3 && typ != V1_EV_NONE && typ < V1_EV_COUNT && typ != V1_EV_STRING &&
            typ != V1_EV_BATCH && typ != V1_EV_CPU_SAMPLE && gt_v1_descs[typ].min_version <= s->t.version) {
            uint64_t v;
            unsigned i = 0;
            b++;
            while (i < narg && gt_varint_unbounded(&b, &v) == GT_VARINT_OK)
                i++;
            if (i == narg) {
                p->off = (size_t)(b - data);
                continue;
            }
        }
        int r = read_raw(p, SKIP_ARGS | SKIP_STRINGS);
        /* A skip past the available bytes: decided by what comes next. */
        if (r == RAW_EOF || (r == RAW_ERR && s->err.code == GT_ERR_TRUNCATED)) {
            p->off = at;
            break;
        }
        if (r == RAW_ERR)
            return 1;
        if (p->raw_type == V1_EV_NONE)
            continue;
        if (p->raw_type == V1_EV_BATCH) {
            s->seen_batch = 1;
            continue;
        }
        /* The checks collect makes, in its order. */
        if (!s->seen_batch) {
            gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                         "read event %u with current P of 0, but P has no batches yet", p->raw_type);
            return 1;
        }
        if (p->raw_type == V1_EV_CPU_SAMPLE && p->raw_nargs != arg_num(p)) {
            gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                         "CPU sample has wrong number of arguments: want %zu, got %zu", arg_num(p), p->raw_nargs);
            return 1;
        }
    }
    s->off = p->off;
    return 0;
}

/* Index of the inline string s, added when new (Go's inlineStringsMapping). */
static int inline_string(v1_parser *p, gt_str s, uint64_t *id)
{
    v1_trace *t = p->t;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (uint8_t)s.ptr[i]) * 1099511628211ULL;
    int inserted = 0;
    uint64_t *head = gt_u64map_upsert(&t->inline_index, h, &inserted);
    if (!head)
        return nomem(p);
    for (uint64_t i = *head; i; i = t->inline_chain[i - 1]) {
        gt_str c = t->inline_strs[i - 1];
        if (c.len == s.len && (s.len == 0 || memcmp(c.ptr, s.ptr, s.len) == 0)) {
            *id = i - 1;
            return 0;
        }
    }
    size_t cap = t->capinline;
    if (gt_v1_grow((void **)&t->inline_strs, &t->capinline, t->ninline + 1, sizeof *t->inline_strs))
        return nomem(p);
    if (cap != t->capinline) {
        size_t *n = realloc(t->inline_chain, t->capinline * sizeof *n);
        if (!n)
            return nomem(p);
        t->inline_chain = n;
    }
    t->inline_strs[t->ninline] = s;
    t->inline_chain[t->ninline] = *head;
    *head = ++t->ninline;
    *id = t->ninline - 1;
    return 0;
}

static int parse_stack(v1_parser *p)
{
    v1_trace *t = p->t;
    if (p->raw_nargs < 2)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                            "EvStack has wrong number of arguments: want at least 2, got %zu", p->raw_nargs);
    uint64_t size = p->raw_args[1];
    if (size > 1000)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "EvStack has bad number of frames: %llu",
                            (unsigned long long)size);
    uint64_t want = 2 + 4 * size;
    if (p->raw_nargs != want)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off,
                            "EvStack has wrong number of arguments: want %llu, got %zu", (unsigned long long)want,
                            p->raw_nargs);
    uint32_t id = (uint32_t)p->raw_args[0];
    if (id == 0 || size == 0)
        return 0;
    if (gt_v1_grow((void **)&t->pcs, &t->cappcs, t->npcs + size, sizeof *t->pcs))
        return nomem(p);
    size_t off = t->npcs;
    for (size_t i = 0; i < size; i++) {
        const uint64_t *f = &p->raw_args[2 + i * 4];
        t->pcs[t->npcs++] = f[0];
        gt_frame_rec fr = {f[0], f[1], f[2], (uint64_t)(int64_t)f[3]};
        if (gt_table_add_frame(t->table, &fr))
            return nomem(p);
    }
    int inserted = 0;
    uint64_t *slot = gt_u64map_upsert(&t->stack_index, id, &inserted);
    if (!slot)
        return nomem(p);
    if (inserted) {
        if (gt_v1_grow((void **)&t->stacks, &t->capstacks, t->nstacks + 1, sizeof *t->stacks))
            return nomem(p);
        *slot = t->nstacks++;
    }
    t->stacks[*slot] = (v1_stack_rec){off, (uint32_t)size, id};
    return 0;
}

int gt_v1_stack_exists(const v1_trace *t, uint32_t id)
{
    if (t->stack_bits)
        return id < t->nstack_bits && (t->stack_bits[id / 64] >> (id % 64) & 1);
    const uint64_t *i = gt_u64map_get(&t->stack_index, id);
    return i && t->stacks[*i].n > 0;
}

int gt_v1_stack_bits_build(v1_trace *t)
{
    uint32_t max = 0;
    for (size_t i = 0; i < t->nstacks; i++)
        if (t->stacks[i].id > max)
            max = t->stacks[i].id;
    /* Dense enough: at most 64 bits per stack, or 8 KiB. */
    size_t nbits = (size_t)max + 1;
    if (nbits > 64 * t->nstacks + 65536)
        return 0;
    t->stack_bits = calloc((nbits + 63) / 64, sizeof *t->stack_bits);
    if (!t->stack_bits)
        return -1;
    t->nstack_bits = nbits;
    for (size_t i = 0; i < t->nstacks; i++)
        if (t->stacks[i].n > 0)
            t->stack_bits[t->stacks[i].id / 64] |= (uint64_t)1 << (t->stacks[i].id % 64);
    return 0;
}

/* parseEvent's checks and table updates for the raw event; its event is
 * built later from the file by gt_v1_batch_next. 0 or -1. */
static int load_event(v1_parser *p)
{
    v1_trace *t = p->t;
    const v1_desc *d = &gt_v1_descs[p->raw_type];
    size_t narg = arg_num(p);
    if (p->raw_nargs != narg)
        return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "%s has wrong number of arguments: want %zu, got %zu",
                            d->name, narg, p->raw_nargs);
    const uint64_t *a = p->raw_args;
    uint64_t unused;
    switch (p->raw_type) {
    case V1_EV_BATCH:
        if (a[0] != UINT64_MAX && a[0] > INT32_MAX)
            return gt_error_set(p->err, GT_ERR_MALFORMED, p->ev_off, "processor ID %llu is larger than maximum of %d",
                                (unsigned long long)a[0], INT32_MAX);
        return 0;
    case V1_EV_FREQUENCY:
        t->ticks_per_sec = (int64_t)a[0];
        if (t->ticks_per_sec <= 0)
            return fail(p, GT_ERR_INVALID, "time stamps out of order");
        return 0;
    case V1_EV_TIMER_GOROUTINE:
        if (gt_u64map_put(&t->timer_goids, a[0], 1))
            return nomem(p);
        return 0;
    case V1_EV_STACK:
        return parse_stack(p);
    case V1_EV_USER_LOG:
        return inline_string(p, p->raw_sarg, &unused);
    default:
        return 0;
    }
}

int gt_v1_load_batch(v1_parser *p, v1_proc *proc)
{
    v1_pid *e = pid_entry(p, proc->pid, 0);
    if (!e || e->head == V1_NONE)
        return 0;
    size_t b = e->head;
    e->head = p->batches[b].next;
    if (e->head == V1_NONE)
        e->tail = V1_NONE;
    p->off = p->batches[b].offset;
    if (p->batches[b].slow) {
        int got_header = 0;
        for (;;) {
            int r = read_raw(p, 0);
            if (r == RAW_EOF)
                break;
            if (r == RAW_ERR)
                return -1;
            if (p->raw_type == V1_EV_NONE || p->raw_type == V1_EV_CPU_SAMPLE)
                continue;
            if (p->raw_type == V1_EV_BATCH) {
                if (got_header)
                    break;
                got_header = 1;
            }
            if (load_event(p))
                return -1;
        }
    }
    /* The header (checked): Batch pid ticks. The time restarts from it;
     * the goroutine carries over from the P's previous batch. */
    const uint8_t *s = p->t->data + p->batches[b].offset + 1;
    uint64_t pid, ticks;
    s = v1_get_uvarint(s, &pid);
    s = v1_get_uvarint(s, &ticks);
    proc->last_ts = (int64_t)ticks;
    proc->wpos = (size_t)(s - p->t->data);
    proc->in_batch = 1;
    return 1;
}

int gt_v1_batch_next(v1_parser *p, v1_proc *pr, v1_event *ev)
{
    const uint8_t *data = p->t->data, *end = data + p->t->len;
    const uint8_t *s = data + pr->wpos;
    for (;;) {
        if (s >= end)
            return 0;
        unsigned typ = *s & 0x3f, narg = (unsigned)(*s >> 6) + 1;
        if (typ == V1_EV_BATCH)
            return 0;
        s++;
        uint64_t a[8] = {0}, v, inline_id = 0;
        size_t n = 0;
        if (typ == V1_EV_STRING) {
            s = v1_get_uvarint(s, &v);
            s = v1_get_uvarint(s, &v);
            s += v;
            continue;
        }
        if (narg <= 3) {
            for (unsigned i = 0; i < narg; i++)
                s = v1_get_uvarint(s, &a[i]);
            n = narg;
        } else {
            uint64_t blen;
            s = v1_get_uvarint(s, &blen);
            const uint8_t *args_end = s + blen;
            if (typ == V1_EV_STACK || typ == V1_EV_CPU_SAMPLE) {
                s = args_end;
                continue;
            }
            while (s < args_end) {
                s = v1_get_uvarint(s, &v);
                if (n < 8)
                    a[n++] = v;
            }
            if (typ == V1_EV_USER_LOG) {
                s = v1_get_uvarint(s, &v);
                gt_str str = {v ? (const char *)s : "", (size_t)v};
                s += v;
                /* Found: the batch's slow load numbered it. */
                if (inline_string(p, str, &inline_id))
                    return -1;
            }
        }
        switch (typ) {
        case V1_EV_FREQUENCY: case V1_EV_STACK: case V1_EV_TIMER_GOROUTINE: case V1_EV_CPU_SAMPLE:
            continue;
        default:
            break;
        }
        /* parseEvent: a[0] is the time delta, then the named arguments,
         * then the stack when the type has one. */
        const v1_desc *d = &gt_v1_descs[typ];
        /* The batch was checked: n == 1 + nargs + has_stack. Plain
         * loads from a[] (a copy through a temporary array costs a
         * store-forwarding stall per event). */
        size_t nargs = d->nargs;
        ev->type = (uint8_t)typ;
        ev->flags = 0;
        ev->p = pr->pid;
        ev->ts = (int64_t)((uint64_t)pr->last_ts + a[0]);
        pr->last_ts = ev->ts;
        ev->a0 = nargs > 0 ? a[1] : 0;
        ev->a1 = nargs > 1 ? a[2] : 0;
        ev->a2 = nargs > 2 ? a[3] : 0;
        ev->a3 = inline_id;
        ev->stk = d->has_stack ? (uint32_t)a[1 + nargs] : 0;
        ev->g = pr->last_g;
        switch (typ) {
        case V1_EV_GO_START: case V1_EV_GO_START_LOCAL: case V1_EV_GO_START_LABEL:
            pr->last_g = ev->a0;
            ev->g = ev->a0;
            break;
        case V1_EV_GO_END: case V1_EV_GO_STOP: case V1_EV_GO_SCHED: case V1_EV_GO_PREEMPT:
        case V1_EV_GO_SLEEP: case V1_EV_GO_BLOCK: case V1_EV_GO_BLOCK_SEND: case V1_EV_GO_BLOCK_RECV:
        case V1_EV_GO_BLOCK_SELECT: case V1_EV_GO_BLOCK_SYNC: case V1_EV_GO_BLOCK_COND: case V1_EV_GO_BLOCK_NET:
        case V1_EV_GO_SYSBLOCK: case V1_EV_GO_BLOCK_GC:
            pr->last_g = 0;
            break;
        case V1_EV_GO_SYSEXIT: case V1_EV_GO_WAITING: case V1_EV_GO_IN_SYSCALL:
            ev->g = ev->a0;
            break;
        default:
            break;
        }
        pr->wpos = (size_t)(s - data);
        return 1;
    }
}

static void parser_free(v1_parser *p)
{
    free(p->batches);
    free(p->pids);
    free(p->cpu_samples);
    gt_u64map_free(&p->pid_index);
}

int gt_v1_parse(v1_trace *t, gt_error *err)
{
    v1_parser *p = calloc(1, sizeof *p);
    if (!p)
        return gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "out of memory");
    p->t = t;
    p->err = err;
    int rc = collect(p);
    if (rc == 0)
        rc = gt_v1_order(p);
    parser_free(p);
    free(p);
    return rc;
}

void gt_v1_trace_free(v1_trace *t)
{
    free(t->stream);
    free(t->moved);
    free(t->stack_bits);
    free(t->inline_strs);
    free(t->inline_chain);
    gt_u64map_free(&t->inline_index);
    gt_u64map_free(&t->stack_index);
    free(t->stacks);
    free(t->pcs);
    gt_u64map_free(&t->timer_goids);
    memset(t, 0, sizeof *t);
}
