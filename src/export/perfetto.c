/* Perfetto's protobuf trace format from the timeline tracker (gotrace/
 * export.h has the layout). The encoder is protobuf's wire format written
 * directly: varints, and length-delimited fields whose contents are built
 * first in a scratch buffer, innermost message first, so every length is
 * known before it is written.
 *
 * Field numbers are perfetto_trace.proto's (Trace.packet 1; TracePacket:
 * timestamp 8, trusted_packet_sequence_id 10, track_event 11, interned_data
 * 12, sequence_flags 13, track_descriptor 60; and so on below).
 *
 * Size: most packets are a slice begin or end of a dozen bytes or so, so
 * the fields that repeat are kept short: the events of sequence 1 are
 * timed on an incremental clock (each timestamp the nanoseconds since the
 * sequence's previous one: one or two bytes instead of five), declared by a
 * ClockSnapshot and TracePacketDefaults in the packet that clears the
 * sequence's incremental state, as Perfetto's own SDK writes them; track
 * UUIDs are small numbers; event names, frames and callstacks are interned.
 * No event packet carries sequence_flags: SEQ_NEEDS_INCREMENTAL_STATE only
 * tells a reader to skip the packet while the sequence's incremental state
 * is invalid (packets were lost since its last clearing), and Perfetto
 * applies the defaults and resolves interned IDs whether or not it is set;
 * in a file written whole the state is valid from the first clearing on,
 * which comes before the first event packet. Two bytes less in each slice
 * begin and instant, about 6% of the packets' bytes.
 *
 * Memory: the interning tables (event names, function names, source files,
 * frames, callstacks) hold one generation: at every Sync they are emptied and
 * the next packet of sequence 1 says so (SEQ_INCREMENTAL_STATE_CLEARED). The
 * set of described tracks forgets the tracks the tracker retires. */
#include <stdlib.h>
#include <string.h>

#include "analysis/intern.h"
#include "common/hash.h"
#include "gotrace/export.h"
#include "gotrace/window.h"

/* ------------------------------------------------------------ encoding */

typedef struct pb {
    uint8_t *p;
    size_t n, cap;
    int failed;  /* memory ran out: the content is incomplete */
} pb;

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2 };

/* pb_reserve's rare path, out of line so that the common one stays two
 * instructions wherever it is inlined. */
static __attribute__((noinline)) int pb_grow(pb *b, size_t more)
{
    if (b->failed)
        return -1;
    void *arr = b->p;
    if (gt_grow_array(&arr, &b->cap, b->n + more, 1)) {
        b->failed = 1;
        return -1;
    }
    b->p = arr;
    return 0;
}

static inline int pb_reserve(pb *b, size_t more)
{
    if (b->n + more <= b->cap)
        return 0;
    return pb_grow(b, more);
}

/* Writes v at w, returns the byte after it. The writers below go through
 * a local pointer and store the buffer's length once: stores through a
 * uint8_t pointer may alias the length, which would otherwise be reloaded
 * and stored again for every byte. */
static inline uint8_t *put_varint(uint8_t *w, uint64_t v)
{
    while (v >= 0x80) {
        *w++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *w++ = (uint8_t)v;
    return w;
}

/* n bytes, width <= n <= 2 * width, as two moves of width bytes that may
 * overlap (the first and the last width bytes), not a loop of bytes; both
 * loaded before either is stored. width is a constant wherever this is
 * inlined, so each memcpy is one load or one store. */
static inline uint8_t *put_overlapping(uint8_t *w, const uint8_t *s, size_t n, size_t width)
{
    uint64_t head, tail;
    memcpy(&head, s, width);
    memcpy(&tail, s + n - width, width);
    memcpy(w, &head, width);
    memcpy(w + n - width, &tail, width);
    return w + n;
}

static inline uint8_t *put_bytes(uint8_t *w, const uint8_t *s, size_t n)
{
    if (n > 16)
        return (uint8_t *)memcpy(w, s, n) + n;
    if (n >= 8)  /* most: a track event of a dozen bytes */
        return put_overlapping(w, s, n, 8);
    if (n >= 4)  /* a slice end's event: 4 to 7 bytes */
        return put_overlapping(w, s, n, 4);
    for (size_t i = 0; i < n; i++)
        w[i] = s[i];
    return w + n;
}

static inline void pb_varint(pb *b, uint64_t v)
{
    if (pb_reserve(b, 10))
        return;
    b->n = (size_t)(put_varint(b->p + b->n, v) - b->p);
}

static inline void pb_raw(pb *b, const void *p, size_t n)
{
    if (n == 0 || pb_reserve(b, n))
        return;
    b->n = (size_t)(put_bytes(b->p + b->n, p, n) - b->p);
}

static inline void pb_key(pb *b, uint32_t field, int wt) { pb_varint(b, (uint64_t)field << 3 | (uint64_t)wt); }

static inline void pb_uint(pb *b, uint32_t field, uint64_t v)
{
    if (pb_reserve(b, 20))
        return;
    uint8_t *w = put_varint(b->p + b->n, (uint64_t)field << 3 | WT_VARINT);
    b->n = (size_t)(put_varint(w, v) - b->p);
}

static inline void pb_fixed64(pb *b, uint32_t field, uint64_t v)
{
    if (pb_reserve(b, 18))
        return;
    uint8_t *w = put_varint(b->p + b->n, (uint64_t)field << 3 | WT_FIXED64);
    for (int i = 0; i < 8; i++)  /* little-endian whatever the host's order */
        w[i] = (uint8_t)(v >> (8 * i));
    b->n = (size_t)(w + 8 - b->p);
}

static inline void pb_bytes(pb *b, uint32_t field, const void *p, size_t n)
{
    pb_key(b, field, WT_LEN);
    pb_varint(b, n);
    pb_raw(b, p, n);
}

static void pb_str(pb *b, uint32_t field, gt_str s) { pb_bytes(b, field, s.ptr, s.len); }
static void pb_cstr(pb *b, uint32_t field, const char *s) { pb_bytes(b, field, s, strlen(s)); }
static void pb_msg(pb *b, uint32_t field, const pb *m) { pb_bytes(b, field, m->p, m->n); }

/* ----------------------------------------------------- field numbers */

enum {
    TRACE_PACKET = 1,
    TP_CLOCK_SNAPSHOT = 6, TP_TIMESTAMP = 8, TP_SEQ_ID = 10, TP_TRACK_EVENT = 11, TP_INTERNED = 12,
    TP_SEQ_FLAGS = 13, TP_CLOCK_ID = 58, TP_DEFAULTS = 59, TP_TRACK_DESCRIPTOR = 60,
    TPD_CLOCK_ID = 58, CS_CLOCKS = 1, CL_ID = 1, CL_TIMESTAMP = 2, CL_INCREMENTAL = 3,
    CLOCK_BOOTTIME = 6,     /* the default clock, trace time: absolute times */
    CLOCK_INCREMENTAL = 64, /* sequence 1's own clock (64-127: sequence-scoped) */
    SEQ_CLEARED = 1,
    TE_DEBUG = 4, TE_TYPE = 9, TE_NAME_IID = 10, TE_TRACK_UUID = 11, TE_NAME = 23, TE_COUNTER_VALUE = 30,
    TE_FLOW_IDS = 47, TE_TERMINATING_FLOW_IDS = 48, TE_CALLSTACK_IID = 56,
    TYPE_BEGIN = 1, TYPE_END = 2, TYPE_INSTANT = 3, TYPE_COUNTER = 4,
    TD_UUID = 1, TD_NAME = 2, TD_PROCESS = 3, TD_PARENT = 5, TD_COUNTER = 8,
    PD_PID = 1, PD_NAME = 6,
    CD_UNIT = 3, UNIT_COUNT = 2, UNIT_BYTES = 3,
    DA_STRING = 6, DA_NAME = 10, DA_UINT = 3,
    ID_EVENT_NAMES = 2, ID_FUNCTION_NAMES = 5, ID_FRAMES = 6, ID_CALLSTACKS = 7, ID_SOURCE_PATHS = 18,
    EN_IID = 1, EN_NAME = 2, IS_IID = 1, IS_STR = 2,
    FR_IID = 1, FR_FUNCTION = 2, FR_SOURCE = 5, FR_LINE = 6,
    CS_IID = 1, CS_FRAMES = 2
};

/* ------------------------------------------------------------ tracks */

/* Track UUIDs: (id + 1) << 4 | kind, or ((id + 1) << 6 | sub) << 4 | kind
 * for the kinds with a sub-index (ranges, counters): small, so that most
 * take two bytes in every event. Kinds 1-7 are the tracker's
 * (gt_tl_track_kind), the rest are this writer's; kind 0 is the process. */
enum {
    K_GROUP = 8,       /* id: one of the G_* below */
    K_FUNCTION = 9,    /* id: the index of a start function */
    K_COUNTER = 10,    /* id: counter kind; sub: metric index (METRIC) */
    UUID_PROCESS = 1 << 4
};
enum { G_PROCS, G_THREADS, G_GOROUTINES, G_RUNTIME, G_TASKS, G_UNKNOWN_FUNCTION };

static uint64_t uuid_of(uint64_t kind, int64_t id, uint64_t sub)
{
    uint64_t u = (uint64_t)(id + 1);
    if (kind == GT_TL_TRACK_RANGE || kind == K_COUNTER)
        u = u << 6 | (sub & 63);
    return u << 4 | kind;
}

static uint64_t track_uuid(const gt_tl_track *t)
{
    return uuid_of((uint64_t)t->kind, t->id, t->kind == GT_TL_TRACK_RANGE ? t->range_index : 0);
}

/* UUIDs below this are looked up in a bitmap (128 KiB, its pages touched
 * only as the IDs get there) instead of the map: goroutine IDs up to 65535,
 * every P and M of most traces. (Below 4095 goroutines, 8 KiB, a tenth of
 * the slice begins of a 100 MB trace went through the map, 6% of the CPU
 * time of `gotrace perfetto`.) */
enum { DESCRIBED_SMALL = 1 << 20 };

/* A direct-mapped cache of the last iids found in a map by key, in front of
 * the maps looked up at every slice begin (name_cache, stacks): a hit costs
 * a multiply and a compare instead of a hash and a probe. iid 0: empty.
 * Emptied with the maps. */
enum { MEMO = 256 };
typedef struct memo {
    uint64_t key, iid;
} memo;

static inline memo *memo_slot(memo *m, uint64_t key) { return &m[(key * 0x9e3779b97f4a7c15ULL) >> 56]; }

/* The names cached by key (cached_name_iid), one map per kind of key, so
 * that a key is never packed with anything: a goroutine ID takes all 64
 * bits. */
enum name_kind {
    NAME_TEXT,            /* key: the address of a stable name (the tracker's, or a literal) */
    NAME_PROC_RUNS,       /* key: a goroutine; "G7 main.f" */
    NAME_THREAD_SYSCALL,  /* key: a goroutine; "G7 syscall" */
    NAME_HOLDS_PROC,      /* key: a P; "P3" */
    NAME_UNBLOCK,         /* key: the goroutine unblocked; "unblock G7" */
    NAME_CREATE,          /* key: the goroutine created; "create G7" */
    NAME_KINDS
};

/* The memo in front of the name maps, by kind and key. iid fits 32 bits:
 * the interning starts over past MAX_INTERNED entries. */
typedef struct name_memo {
    uint64_t key;
    uint32_t kind, iid;
} name_memo;

static inline name_memo *name_memo_slot(name_memo *m, enum name_kind kind, uint64_t key)
{
    return &m[((key + ((uint64_t)kind << 56)) * 0x9e3779b97f4a7c15ULL) >> 56];
}

struct gt_perfetto {
    gt_write_fn write;
    void *write_ctx;
    int rc;               /* the first failure: a write's code, or -1 (memory) */
    gt_tl *tl;
    int64_t from, to;     /* window, ns since the first event */
    int64_t t0;           /* the first event's time */
    int any, started, done;
    int tail;             /* past the window's end, reading to the next Sync for retro begins */
    uint64_t min_flow;    /* flows begun before the window are not drawn */
    gt_u64map described;  /* uuid -> 1 while described */
    uint64_t described_small[DESCRIBED_SMALL / 64];  /* the same, for uuids below DESCRIBED_SMALL */
    gt_interner functions_seen;  /* start functions, for the group tracks */
    gt_u64map function_group;    /* interned pointer -> group index + 1 */
    uint64_t n_function_groups;
    /* Interning of sequence 1, one generation at a time. */
    int clear_pending;
    uint64_t clock;       /* the incremental clock: the last event's time */
    gt_interner names, funcs, files;  /* iid = index + 1 */
    size_t names_sent, funcs_sent, files_sent;
    gt_u64map frames;     /* pc -> iid */
    gt_u64map stacks;     /* stack id -> iid */
    gt_u64map name_cache[NAME_KINDS];  /* by name_kind: key -> iid */
    uint64_t state_iid[GT_TL_SYSCALL + 1];  /* Running, Runnable, Syscall -> iid, 0: none yet */
    name_memo name_memo[MEMO];  /* name_cache */
    memo stack_memo[MEMO];      /* stacks */
    uint64_t n_frames, n_stacks;
    pb out, packet, event, interned, scratch, scratch2;
    char namebuf[512];
};

static int fail(gt_perfetto *p, int rc)
{
    if (!p->rc)
        p->rc = rc;
    return p->rc;
}

static int flush_out(gt_perfetto *p)
{
    if (p->out.failed)
        return fail(p, -1);
    if (p->out.n && !p->rc) {
        int rc = p->write(p->write_ctx, p->out.p, p->out.n);
        if (rc)
            fail(p, rc);
    }
    p->out.n = 0;
    return p->rc;
}

/* Trace.packet = p->packet; p->packet is emptied. */
static int put_packet(gt_perfetto *p)
{
    if (p->packet.failed)
        return fail(p, -1);
    pb_msg(&p->out, TRACE_PACKET, &p->packet);
    p->packet.n = 0;
    if (p->out.n >= 1 << 16)
        return flush_out(p);
    return p->out.failed ? fail(p, -1) : p->rc;
}

static void describe_begin(gt_perfetto *p, uint64_t uuid, uint64_t parent)
{
    p->packet.n = p->scratch.n = 0;
    pb_uint(&p->scratch, TD_UUID, uuid);
    if (parent)
        pb_uint(&p->scratch, TD_PARENT, parent);
}

static int describe_end(gt_perfetto *p, uint64_t uuid)
{
    pb_uint(&p->packet, TP_SEQ_ID, 1);
    pb_msg(&p->packet, TP_TRACK_DESCRIPTOR, &p->scratch);
    if (uuid < DESCRIBED_SMALL)
        p->described_small[uuid / 64] |= (uint64_t)1 << (uuid % 64);
    else if (gt_u64map_put(&p->described, uuid, 1))
        return fail(p, -1);
    return put_packet(p);
}

static inline int is_described(const gt_perfetto *p, uint64_t uuid)
{
    if (uuid < DESCRIBED_SMALL)
        return (p->described_small[uuid / 64] >> (uuid % 64)) & 1;
    const uint64_t *v = gt_u64map_get(&p->described, uuid);
    return v && *v;
}

static int describe_named(gt_perfetto *p, uint64_t uuid, uint64_t parent, gt_str name)
{
    describe_begin(p, uuid, parent);
    pb_str(&p->scratch, TD_NAME, name);
    return describe_end(p, uuid);
}

static gt_str cstr(const char *s) { return (gt_str){s, strlen(s)}; }

static uint64_t group_uuid(int group) { return uuid_of(K_GROUP, group, 0); }

static int describe_groups(gt_perfetto *p)
{
    static const char *const names[] = {"Ps", "Threads", "Goroutines", "Runtime", "Tasks", "(start function unknown)"};
    describe_begin(p, UUID_PROCESS, 0);
    pb proc = {0};
    pb_uint(&proc, PD_PID, 1);
    pb_cstr(&proc, PD_NAME, "Go program");
    pb_msg(&p->scratch, TD_PROCESS, &proc);
    free(proc.p);
    if (proc.failed || describe_end(p, UUID_PROCESS))
        return fail(p, -1);
    for (int g = 0; g < (int)(sizeof names / sizeof names[0]); g++) {
        uint64_t parent = g == G_UNKNOWN_FUNCTION ? group_uuid(G_GOROUTINES) : UUID_PROCESS;
        if (describe_named(p, group_uuid(g), parent, cstr(names[g])))
            return p->rc;
    }
    return 0;
}

/* prefix, the decimal id then, when given, a space and text (cut to the
 * buffer). Written by hand: this names a slice at every goroutine start. */
static gt_str numbered(gt_perfetto *p, const char *prefix, int64_t id, gt_str text)
{
    size_t len = strlen(prefix);
    memcpy(p->namebuf, prefix, len);
    char digits[24], *d = digits + sizeof digits;
    uint64_t u = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
    do
        *--d = (char)('0' + u % 10);
    while (u /= 10);
    if (id < 0)
        *--d = '-';
    memcpy(p->namebuf + len, d, (size_t)(digits + sizeof digits - d));
    len += (size_t)(digits + sizeof digits - d);
    if (text.len && len + 1 < sizeof p->namebuf) {
        size_t k = text.len < sizeof p->namebuf - len - 1 ? text.len : sizeof p->namebuf - len - 1;
        p->namebuf[len++] = ' ';
        memcpy(p->namebuf + len, text.ptr, k);
        len += k;
    }
    return (gt_str){p->namebuf, len};
}

static int ensure_track(gt_perfetto *p, const gt_tl_track *t);

static int ensure_goroutine(gt_perfetto *p, int64_t id)
{
    gt_tl_track t = {GT_TL_TRACK_GOROUTINE, id, GT_RESOURCE_NONE, 0};
    return ensure_track(p, &t);
}

/* The group of goroutines starting in function fn. */
static int function_group(gt_perfetto *p, gt_str fn, uint64_t *uuid)
{
    if (!fn.len) {
        *uuid = group_uuid(G_UNKNOWN_FUNCTION);
        return 0;
    }
    gt_str key = gt_intern(&p->functions_seen, fn);
    if (!key.ptr)
        return fail(p, -1);
    int inserted;
    uint64_t *v = gt_u64map_upsert(&p->function_group, (uint64_t)(uintptr_t)key.ptr, &inserted);
    if (!v)
        return fail(p, -1);
    if (inserted)
        *v = ++p->n_function_groups;
    *uuid = uuid_of(K_FUNCTION, (int64_t)*v, 0);
    if (!is_described(p, *uuid))
        return describe_named(p, *uuid, group_uuid(G_GOROUTINES), key);
    return 0;
}

static int ensure_track(gt_perfetto *p, const gt_tl_track *t)
{
    uint64_t uuid = track_uuid(t);
    if (is_described(p, uuid))
        return 0;
    uint64_t parent = 0;
    gt_str name = {"", 0};
    int rc;
    switch (t->kind) {
    case GT_TL_TRACK_GOROUTINE:
        if (t->id < 0) {
            parent = group_uuid(G_RUNTIME);
            name = cstr("logs without goroutine");
            break;
        }
        name = gt_tl_goroutine_name(p->tl, t->id);
        if ((rc = function_group(p, name, &parent)))
            return rc;
        name = numbered(p, "G", t->id, name);
        break;
    case GT_TL_TRACK_REGIONS:
        if ((rc = ensure_goroutine(p, t->id)))
            return rc;
        parent = uuid_of(GT_TL_TRACK_GOROUTINE, t->id, 0);
        name = numbered(p, "G", t->id, cstr("regions"));
        break;
    case GT_TL_TRACK_PROC:
        parent = group_uuid(G_PROCS);
        name = numbered(p, "P", t->id, name);
        break;
    case GT_TL_TRACK_THREAD:
        parent = group_uuid(G_THREADS);
        name = numbered(p, "M", t->id, name);
        break;
    case GT_TL_TRACK_SYSCALLS: {
        gt_tl_track m = {GT_TL_TRACK_THREAD, t->id, GT_RESOURCE_NONE, 0};
        if ((rc = ensure_track(p, &m)))
            return rc;
        parent = track_uuid(&m);
        name = numbered(p, "M", t->id, cstr("syscalls"));
        break;
    }
    case GT_TL_TRACK_RANGE:
        name = gt_tl_range_name(p->tl, t->range_index);
        if (t->scope == GT_RESOURCE_NONE) {
            parent = group_uuid(G_RUNTIME);
        } else {
            gt_tl_track owner = {t->scope == GT_RESOURCE_PROC ? GT_TL_TRACK_PROC : GT_TL_TRACK_GOROUTINE, t->id,
                                 GT_RESOURCE_NONE, 0};
            if ((rc = ensure_track(p, &owner)))
                return rc;
            parent = track_uuid(&owner);
        }
        break;
    case GT_TL_TRACK_TASK:
        parent = group_uuid(G_TASKS);
        break;  /* described by task_track, which knows the parent and type */
    }
    return describe_named(p, uuid, parent, name);
}

static int ensure_task_track(gt_perfetto *p, const gt_tl_slice *s)
{
    uint64_t uuid = track_uuid(&s->track);
    if (is_described(p, uuid))
        return 0;
    uint64_t parent = group_uuid(G_TASKS);
    if (s->parent != GT_NO_TASK) {
        uint64_t pu = uuid_of(GT_TL_TRACK_TASK, (int64_t)s->parent, 0);
        if (is_described(p, pu))
            parent = pu;
    }
    return describe_named(p, uuid, parent, numbered(p, "task ", (int64_t)s->task, s->name));
}

/* ------------------------------------------------------------ interning */

/* The iid of s in table in (its index + 1). */
static uint64_t intern_iid(gt_perfetto *p, gt_interner *in, gt_str s)
{
    size_t id = gt_intern_id(in, s);
    if (!id)
        fail(p, -1);
    return id;
}

static void emit_new_strings(gt_perfetto *p, gt_interner *in, size_t *sent, uint32_t field, uint32_t iid_field,
                             uint32_t str_field)
{
    for (; *sent < in->n; (*sent)++) {
        p->scratch2.n = 0;
        pb_uint(&p->scratch2, iid_field, *sent + 1);
        pb_str(&p->scratch2, str_field, in->strs[*sent]);
        pb_msg(&p->interned, field, &p->scratch2);
    }
}

static uint64_t name_iid(gt_perfetto *p, gt_str name) { return intern_iid(p, &p->names, name); }

/* The iid of the stack's callstack, interning its frames; 0 for none. */
static uint64_t callstack_iid(gt_perfetto *p, gt_stack st)
{
    if (gt_stack_is_empty(st))
        return 0;
    memo *m = memo_slot(p->stack_memo, st.id);
    if (m->iid && m->key == st.id)
        return m->iid;
    int inserted;
    uint64_t *v = gt_u64map_upsert(&p->stacks, st.id, &inserted);
    if (!v) {
        fail(p, -1);
        return 0;
    }
    if (!inserted) {
        *m = (memo){st.id, *v};
        return *v;
    }
    uint64_t iid = *v = ++p->n_stacks;
    *m = (memo){st.id, iid};
    const gt_frame *frames;
    size_t n = gt_stack_frames(st, &frames);
    pb cs = {0};
    pb_uint(&cs, CS_IID, iid);
    for (size_t i = n; i-- > 0;) {  /* outermost first */
        const gt_frame *f = &frames[i];
        uint64_t *fv = gt_u64map_upsert(&p->frames, f->pc, &inserted);
        if (!fv) {
            fail(p, -1);
            break;
        }
        if (inserted) {
            *fv = ++p->n_frames;
            uint64_t fn = intern_iid(p, &p->funcs, f->func), file = intern_iid(p, &p->files, f->file);
            emit_new_strings(p, &p->funcs, &p->funcs_sent, ID_FUNCTION_NAMES, IS_IID, IS_STR);
            emit_new_strings(p, &p->files, &p->files_sent, ID_SOURCE_PATHS, IS_IID, IS_STR);
            p->scratch2.n = 0;
            pb_uint(&p->scratch2, FR_IID, *fv);
            pb_uint(&p->scratch2, FR_FUNCTION, fn);
            pb_uint(&p->scratch2, FR_SOURCE, file);
            pb_uint(&p->scratch2, FR_LINE, f->line);
            pb_msg(&p->interned, ID_FRAMES, &p->scratch2);
        }
        pb_uint(&cs, CS_FRAMES, *fv);
    }
    if (cs.failed)
        fail(p, -1);
    pb_msg(&p->interned, ID_CALLSTACKS, &cs);
    free(cs.p);
    return iid;
}

/* --------------------------------------------------------------- events */

static void reset_interning(gt_perfetto *p);

/* Interned entries kept at most: past this many, the interning starts over
 * (the next packet clears the sequence's incremental state), so a generation
 * with hundreds of thousands of goroutines, each naming its own slices
 * ("G123 main.f"), still holds a bounded table. */
enum { MAX_INTERNED = 1 << 15 };

/* A TrackEvent's first fields at w, type and track (at most EVENT_HEAD
 * bytes); returns the byte after them. */
enum { EVENT_HEAD = 3 + 10 };
static inline uint8_t *put_event_head(uint8_t *w, int type, uint64_t uuid)
{
    *w++ = TE_TYPE << 3 | WT_VARINT;
    *w++ = (uint8_t)type;  /* TYPE_*: one byte */
    *w++ = TE_TRACK_UUID << 3 | WT_VARINT;
    return put_varint(w, uuid);
}

/* Starts a TrackEvent of type on uuid (p->event), before anything of it is
 * interned. */
static inline void event_begin(gt_perfetto *p, int type, uint64_t uuid)
{
    if (p->names.n + p->funcs.n + p->files.n + p->n_frames + p->n_stacks > MAX_INTERNED)
        reset_interning(p);
    p->event.n = p->interned.n = 0;
    if (pb_reserve(&p->event, EVENT_HEAD))
        return;
    p->event.n = (size_t)(put_event_head(p->event.p, type, uuid) - p->event.p);
}

/* Wraps p->event (and new interned data) in a packet of sequence 1 at t. */
static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes p->event (and new interned data) as a packet of sequence 1 at t,
 * straight into the output: the packet's length is summed from its fields
 * first (every key here is one byte), so it needs no buffer of its own. */
/* The packet that clears sequence 1's incremental state at time ts: its
 * defaults (timestamps on the incremental clock) and a ClockSnapshot that
 * starts that clock at ts, beside the trace clock (BOOTTIME, whose times
 * are absolute: the snapshot makes it the trace's time, as without one). */
static int clear_state(gt_perfetto *p, uint64_t ts)
{
    pb *c = &p->scratch, *k = &p->scratch2;
    p->packet.n = c->n = 0;
    pb_uint(&p->packet, TP_SEQ_ID, 1);
    pb_uint(&p->packet, TP_SEQ_FLAGS, SEQ_CLEARED);
    pb_uint(c, TPD_CLOCK_ID, CLOCK_INCREMENTAL);
    pb_msg(&p->packet, TP_DEFAULTS, c);
    c->n = k->n = 0;
    pb_uint(k, CL_ID, CLOCK_BOOTTIME);
    pb_uint(k, CL_TIMESTAMP, ts);
    pb_msg(c, CS_CLOCKS, k);
    k->n = 0;
    pb_uint(k, CL_ID, CLOCK_INCREMENTAL);
    pb_uint(k, CL_TIMESTAMP, ts);
    pb_uint(k, CL_INCREMENTAL, 1);
    pb_msg(c, CS_CLOCKS, k);
    pb_msg(&p->packet, TP_CLOCK_SNAPSHOT, c);
    if (c->failed || k->failed)
        return fail(p, -1);
    p->clock = ts;
    p->clear_pending = 0;
    return put_packet(p);
}

static int write_event_general(gt_perfetto *p, uint64_t ts, const uint8_t *ev, size_t n);

/* The short packets, written in place in the output: an event of a few
 * bytes, nothing interned, on the incremental clock. The packet's key and
 * a one-byte length come first, then short_head's fields, then the
 * event's length and bytes. short_packet: whether a packet at ts may be
 * one, with room for n bytes after short_head's. */
enum { SHORT_HEAD = 1 + 10 + 2 + 1 };  /* short_head's bytes at most */
static inline int short_packet(const gt_perfetto *p, uint64_t ts, size_t n)
{
    return !p->clear_pending && ts >= p->clock && p->out.n + 2 + SHORT_HEAD + n <= p->out.cap;
}

/* At w, the fields of a short packet before its event's length: the time
 * at ts on the incremental clock, sequence 1, the TrackEvent's key. */
static inline uint8_t *short_head(gt_perfetto *p, uint8_t *w, uint64_t ts)
{
    *w++ = TP_TIMESTAMP << 3 | WT_VARINT;
    w = put_varint(w, ts - p->clock);
    p->clock = ts;
    *w++ = TP_SEQ_ID << 3 | WT_VARINT;
    *w++ = 1;
    *w++ = TP_TRACK_EVENT << 3 | WT_LEN;
    return w;
}

/* The output up to w, flushed past 64 KiB. */
static inline int short_done(gt_perfetto *p, uint8_t *w)
{
    pb *o = &p->out;
    o->n = (size_t)(w - o->p);
    if (o->n >= 1 << 16)
        return flush_out(p);
    return p->rc;
}

/* Writes the TrackEvent ev[0..n) and p->interned (which may be empty) as a
 * packet of sequence 1 at t. Inlined, with event_end, into each sink (gcc
 * left both out of line, 2% more instructions, once write_end took
 * sink_end's packets). */
static inline __attribute__((always_inline)) int write_event(gt_perfetto *p, int64_t t, const uint8_t *ev, size_t n)
{
    uint64_t ts = (uint64_t)(t - p->t0);
    if (!p->interned.n && n < 0x80 && short_packet(p, ts, 1 + n + 1)) {  /* + 1: a widened length */
        /* Most packets. The one-byte length is filled in at the end, or,
         * rarely, widened to two. */
        uint8_t *start = p->out.p + p->out.n, *w = short_head(p, start + 2, ts);
        *w++ = (uint8_t)n;
        w = put_bytes(w, ev, n);
        size_t len = (size_t)(w - start - 2);
        start[0] = TRACE_PACKET << 3 | WT_LEN;
        if (len < 0x80) {
            start[1] = (uint8_t)len;
        } else {  /* at most 15 + 127: two bytes */
            memmove(start + 3, start + 2, len);
            start[1] = (uint8_t)(len | 0x80);
            start[2] = (uint8_t)(len >> 7);
            w++;
        }
        return short_done(p, w);
    }
    return write_event_general(p, ts, ev, n);
}

/* Writes a slice end (nearly half the packets: an event of type and track
 * alone, nothing interned) at t on track uuid: in place as a short packet,
 * whose length always takes one byte, else through write_event_general. */
static inline int write_end(gt_perfetto *p, int64_t t, uint64_t uuid)
{
    uint64_t ts = (uint64_t)(t - p->t0);
    p->interned.n = 0;
    if (short_packet(p, ts, 1 + EVENT_HEAD)) {
        uint8_t *start = p->out.p + p->out.n, *w = short_head(p, start + 2, ts);
        uint8_t *ev = w + 1;
        w = put_event_head(ev, TYPE_END, uuid);
        ev[-1] = (uint8_t)(w - ev);
        start[0] = TRACE_PACKET << 3 | WT_LEN;
        start[1] = (uint8_t)(w - start - 2);  /* at most SHORT_HEAD + 1 + EVENT_HEAD */
        return short_done(p, w);
    }
    uint8_t ev[EVENT_HEAD];
    return write_event_general(p, ts, ev, (size_t)(put_event_head(ev, TYPE_END, uuid) - ev));
}

/* write_event's other packets, out of line (the short path then needs few
 * registers): those that clear the sequence's state first, carry interned
 * data, go back in time, or hold a larger event. */
static __attribute__((noinline)) int write_event_general(gt_perfetto *p, uint64_t ts, const uint8_t *ev, size_t n)
{
    pb *o = &p->out;
    if (p->clear_pending) {
        /* clear_state uses scratch2, which the interned data is built in:
         * that is already copied into p->interned. */
        int rc = clear_state(p, ts);
        if (rc)
            return rc;
    }
    /* Never backwards on the incremental clock: a time before the last
     * (none is expected: the tracker reports in time order) is written
     * absolute, on the trace clock. */
    int absolute = ts < p->clock;
    uint64_t tv = absolute ? ts : ts - p->clock;
    if (!absolute)
        p->clock = ts;
    size_t len = 1 + varint_size(tv) + (absolute ? 3 : 0) + 2 + 1 + varint_size(n) + n;
    if (p->interned.n)
        len += 1 + varint_size(p->interned.n) + p->interned.n;
    if (pb_reserve(o, 11 + len))
        return fail(p, -1);
    uint8_t *w = o->p + o->n;
    *w++ = TRACE_PACKET << 3 | WT_LEN;
    w = put_varint(w, len);
    *w++ = TP_TIMESTAMP << 3 | WT_VARINT;
    w = put_varint(w, tv);
    if (absolute) {
        w = put_varint(w, TP_CLOCK_ID << 3 | WT_VARINT);
        *w++ = CLOCK_BOOTTIME;
    }
    *w++ = TP_SEQ_ID << 3 | WT_VARINT;
    *w++ = 1;
    if (p->interned.n) {
        *w++ = TP_INTERNED << 3 | WT_LEN;
        w = put_varint(w, p->interned.n);
        w = put_bytes(w, p->interned.p, p->interned.n);
    }
    *w++ = TP_TRACK_EVENT << 3 | WT_LEN;
    w = put_varint(w, n);
    w = put_bytes(w, ev, n);
    o->n = (size_t)(w - o->p);
    if (o->n >= 1 << 16)
        return flush_out(p);
    return p->rc;
}

static inline __attribute__((always_inline)) int event_end(gt_perfetto *p, int64_t t)
{
    if (p->names_sent < p->names.n)
        emit_new_strings(p, &p->names, &p->names_sent, ID_EVENT_NAMES, EN_IID, EN_NAME);
    if (p->event.failed || p->interned.failed || p->scratch2.failed)
        return fail(p, -1);
    return write_event(p, t, p->event.p, p->event.n);
}

/* The name of kind: text for NAME_TEXT, else the kind's prefix, the
 * number id and, when given, text (numbered). */
static gt_str make_name(gt_perfetto *p, enum name_kind kind, int64_t id, gt_str text)
{
    static const char *const prefix[NAME_KINDS] = {"", "G", "G", "P", "unblock G", "create G"};
    return kind == NAME_TEXT ? text : numbered(p, prefix[kind], id, text);
}

/* cached_name_iid's miss, out of line: the map, and the name made and
 * interned when the map has none. */
static __attribute__((noinline)) uint64_t cached_name_slow(gt_perfetto *p, name_memo *m, enum name_kind kind,
                                                           uint64_t key, gt_str text)
{
    int inserted;
    uint64_t *v = gt_u64map_upsert(&p->name_cache[kind], key, &inserted);
    if (!v) {
        fail(p, -1);
        return 0;
    }
    if (inserted)
        *v = name_iid(p, make_name(p, kind, (int64_t)key, text));
    *m = (name_memo){key, kind, (uint32_t)*v};
    return *v;
}

/* The iid of the name of kind and key (for the numbered kinds, key is the
 * number), from the caches cleared with the interning, so that the name is
 * made from text (make_name) and hashed only the first time. Inline: the
 * memo's hit is a few instructions, the call more. */
static inline uint64_t cached_name_iid(gt_perfetto *p, enum name_kind kind, uint64_t key, gt_str text)
{
    name_memo *m = name_memo_slot(p->name_memo, kind, key);
    if (m->iid && m->key == key && m->kind == kind)
        return m->iid;
    return cached_name_slow(p, m, kind, key, text);
}

/* A slice's name as make_name takes it: the kind returned, *id and *text. */
static inline enum name_kind slice_name_parts(gt_perfetto *p, const gt_tl_slice *s, int64_t *id, gt_str *text)
{
    *id = 0;
    switch (s->kind) {
    case GT_TL_RUNNING:
        *text = cstr("Running");
        return NAME_TEXT;
    case GT_TL_RUNNABLE:
        *text = cstr("Runnable");
        return NAME_TEXT;
    case GT_TL_SYSCALL:
        *text = cstr("Syscall");
        return NAME_TEXT;
    case GT_TL_WAITING:
        *text = s->name.len ? s->name : cstr("Waiting");
        return NAME_TEXT;
    case GT_TL_PROC_RUNS:
        *id = s->goroutine;
        *text = gt_tl_goroutine_name(p->tl, s->goroutine);
        return NAME_PROC_RUNS;
    case GT_TL_THREAD_SYSCALL:
        *id = s->goroutine;
        *text = cstr("syscall");
        return NAME_THREAD_SYSCALL;
    case GT_TL_HOLDS_PROC:
        *id = s->proc;
        *text = (gt_str){"", 0};
        return NAME_HOLDS_PROC;
    default:
        *text = s->name;
        return NAME_TEXT;
    }
}

static gt_str slice_name(gt_perfetto *p, const gt_tl_slice *s)
{
    int64_t id;
    gt_str text;
    enum name_kind kind = slice_name_parts(p, s, &id, &text);
    return make_name(p, kind, id, text);
}

/* The iid of a slice's name: the fixed state names by kind, the others
 * through cached_name_iid (the tracker's names by their stable addresses,
 * the numbered names, "G12 main.worker", by kind and ID). */
static uint64_t slice_name_iid(gt_perfetto *p, const gt_tl_slice *s)
{
    if (s->kind == GT_TL_RUNNING || s->kind == GT_TL_RUNNABLE || s->kind == GT_TL_SYSCALL) {
        if (!p->state_iid[s->kind])
            p->state_iid[s->kind] = name_iid(p, slice_name(p, s));
        return p->state_iid[s->kind];
    }
    int64_t id;
    gt_str text;
    enum name_kind kind = slice_name_parts(p, s, &id, &text);
    if (kind == NAME_TEXT)
        return cached_name_iid(p, kind, (uint64_t)(uintptr_t)text.ptr, text);
    if (kind == NAME_PROC_RUNS && !text.len)  /* named later: "G7" now, "G7 main.f" then */
        return name_iid(p, make_name(p, kind, id, text));
    return cached_name_iid(p, kind, (uint64_t)id, text);
}

static int sink_begin(void *ctx, const gt_tl_slice *s);
static int sink_end(void *ctx, const gt_tl_slice *s);

/* A goroutine first seen after the window's end, in the generation that
 * holds it, has been in its state since that generation's Sync (the
 * tracker's retro begin): within the window, from there (or the window's
 * start) to the window's end, as the window of gotrace goroutines counts
 * it. */
static int tail_retro_slice(gt_perfetto *p, const gt_tl_slice *s)
{
    p->started = 1;
    int rc = sink_begin(p, s);
    if (!rc) {
        gt_tl_slice end = *s;
        end.time = gt_window_at(p->t0, p->to);
        end.retro = 0;
        rc = sink_end(p, &end);
    }
    p->started = 0;
    return rc;
}

static int sink_begin(void *ctx, const gt_tl_slice *s)
{
    gt_perfetto *p = ctx;
    if (!p->started)
        return p->tail && s->retro ? tail_retro_slice(p, s) : 0;
    uint64_t uuid = track_uuid(&s->track);
    if (!is_described(p, uuid)) {  /* checked here first: nearly always described */
        int rc = s->kind == GT_TL_TASK ? ensure_task_track(p, s) : ensure_track(p, &s->track);
        if (rc)
            return rc;
    }
    if (s->retro) {
        gt_str name = slice_name(p, s);
        /* Sequence 2: begins at Sync times (or the window's start, if
         * later), plain names, no interning. */
        int64_t t = s->time, start = p->t0 + p->from;
        if (p->from > 0 && t < start)
            t = start;
        p->event.n = 0;
        pb_uint(&p->event, TE_TYPE, TYPE_BEGIN);
        pb_uint(&p->event, TE_TRACK_UUID, uuid);
        pb_str(&p->event, TE_NAME, name);
        p->packet.n = 0;
        pb_uint(&p->packet, TP_TIMESTAMP, (uint64_t)(t - p->t0));
        pb_uint(&p->packet, TP_SEQ_ID, 2);
        pb_msg(&p->packet, TP_TRACK_EVENT, &p->event);
        return p->event.failed ? fail(p, -1) : put_packet(p);
    }
    event_begin(p, TYPE_BEGIN, uuid);
    pb_uint(&p->event, TE_NAME_IID, slice_name_iid(p, s));
    uint64_t cs = callstack_iid(p, s->stack);
    if (cs)
        pb_uint(&p->event, TE_CALLSTACK_IID, cs);
    if (s->flow_in && s->flow_in >= p->min_flow)
        pb_fixed64(&p->event, TE_TERMINATING_FLOW_IDS, s->flow_in);
    return event_end(p, s->time);
}

static int sink_end(void *ctx, const gt_tl_slice *s)
{
    gt_perfetto *p = ctx;
    if (!p->started)
        return 0;
    return write_end(p, s->time, track_uuid(&s->track));
}

static int sink_instant(void *ctx, const gt_tl_instant *in)
{
    gt_perfetto *p = ctx;
    if (!p->started)
        return 0;
    uint64_t uuid = track_uuid(&in->track);
    if (!is_described(p, uuid)) {
        int rc = ensure_track(p, &in->track);
        if (rc)
            return rc;
    }
    gt_str name = {"", 0};
    if (in->kind == GT_TL_LOG)
        name = in->category.len ? in->category : cstr("log");
    else if (in->kind == GT_TL_SAMPLE)
        name = cstr("CPU sample");
    else if (in->kind == GT_TL_LABEL)
        name = in->message;
    event_begin(p, TYPE_INSTANT, uuid);
    uint64_t iid;
    if (in->kind == GT_TL_UNBLOCK || in->kind == GT_TL_CREATE)  /* named once per target and interning */
        iid = cached_name_iid(p, in->kind == GT_TL_UNBLOCK ? NAME_UNBLOCK : NAME_CREATE, (uint64_t)in->target,
                              (gt_str){"", 0});
    else
        iid = name_iid(p, name);
    pb_uint(&p->event, TE_NAME_IID, iid);
    uint64_t cs = callstack_iid(p, in->stack);
    if (cs)
        pb_uint(&p->event, TE_CALLSTACK_IID, cs);
    if (in->kind == GT_TL_LOG) {
        p->scratch.n = 0;
        pb_cstr(&p->scratch, DA_NAME, "message");
        pb_str(&p->scratch, DA_STRING, in->message);
        pb_msg(&p->event, TE_DEBUG, &p->scratch);
        p->scratch.n = 0;
        pb_cstr(&p->scratch, DA_NAME, "task");
        pb_uint(&p->scratch, DA_UINT, in->task);
        pb_msg(&p->event, TE_DEBUG, &p->scratch);
    }
    if (in->flow_out)
        pb_fixed64(&p->event, TE_FLOW_IDS, in->flow_out);
    if (p->scratch.failed)
        return fail(p, -1);
    return event_end(p, in->time);
}

static int sink_counter(void *ctx, const gt_tl_counter *c)
{
    gt_perfetto *p = ctx;
    if (!p->started)
        return 0;
    uint64_t uuid = uuid_of(K_COUNTER, c->kind, c->kind == GT_TL_METRIC ? c->metric_index : 0);
    if (!is_described(p, uuid)) {
        static const char *const names[] = {"", "", "Goroutines running", "Goroutines runnable",
                                            "Goroutines waiting", "Threads in syscall"};
        gt_str name = c->kind == GT_TL_METRIC ? c->name : cstr(names[c->kind]);
        int bytes = name.len > 6 && !memcmp(name.ptr + name.len - 6, ":bytes", 6);
        describe_begin(p, uuid, group_uuid(G_RUNTIME));
        pb_str(&p->scratch, TD_NAME, name);
        p->scratch2.n = 0;
        pb_uint(&p->scratch2, CD_UNIT, bytes ? UNIT_BYTES : UNIT_COUNT);
        pb_msg(&p->scratch, TD_COUNTER, &p->scratch2);
        int rc = describe_end(p, uuid);
        if (rc)
            return rc;
    }
    event_begin(p, TYPE_COUNTER, uuid);
    pb_uint(&p->event, TE_COUNTER_VALUE, (uint64_t)c->value);
    return event_end(p, c->time);
}

static int sink_retire(void *ctx, const gt_tl_track *t)
{
    gt_perfetto *p = ctx;
    uint64_t uuid = track_uuid(t);
    if (uuid < DESCRIBED_SMALL)
        p->described_small[uuid / 64] &= ~((uint64_t)1 << (uuid % 64));
    else
        gt_u64map_remove(&p->described, uuid);
    return 0;
}

/* ------------------------------------------------------------ the rest */

/* Empties the interning tables; the next packet of sequence 1 says so. */
static void reset_interning(gt_perfetto *p)
{
    gt_interner_free(&p->names);
    gt_interner_free(&p->funcs);
    gt_interner_free(&p->files);
    p->names_sent = p->funcs_sent = p->files_sent = 0;
    gt_u64map_clear(&p->frames);
    gt_u64map_clear(&p->stacks);
    for (int k = 0; k < NAME_KINDS; k++)
        gt_u64map_clear(&p->name_cache[k]);
    memset(p->state_iid, 0, sizeof p->state_iid);
    memset(p->name_memo, 0, sizeof p->name_memo);
    memset(p->stack_memo, 0, sizeof p->stack_memo);
    p->n_frames = p->n_stacks = 0;
    p->clear_pending = 1;
}

gt_perfetto *gt_perfetto_new(gt_write_fn write, void *ctx, int64_t from, int64_t to)
{
    gt_perfetto *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->write = write;
    p->write_ctx = ctx;
    p->from = from;
    p->to = to;
    p->clear_pending = 1;
    p->min_flow = 1;
    gt_tl_sink sink = {p, sink_begin, sink_end, sink_instant, sink_counter, sink_retire};
    p->tl = gt_tl_new(&sink);
    if (!p->tl) {
        free(p);
        return NULL;
    }
    return p;
}

void gt_perfetto_free(gt_perfetto *p)
{
    if (!p)
        return;
    gt_tl_free(p->tl);
    gt_u64map_free(&p->described);
    gt_interner_free(&p->functions_seen);
    gt_u64map_free(&p->function_group);
    gt_interner_free(&p->names);
    gt_interner_free(&p->funcs);
    gt_interner_free(&p->files);
    gt_u64map_free(&p->frames);
    gt_u64map_free(&p->stacks);
    for (int k = 0; k < NAME_KINDS; k++)
        gt_u64map_free(&p->name_cache[k]);
    free(p->out.p);
    free(p->packet.p);
    free(p->event.p);
    free(p->interned.p);
    free(p->scratch.p);
    free(p->scratch2.p);
    free(p);
}

/* The window's start, at `at`: what is open begins there, and flows begun
 * before it are not drawn. 0, or the failure (also in p->rc). */
static int start_window(gt_perfetto *p, int64_t at)
{
    p->started = 1;
    p->min_flow = gt_tl_next_flow(p->tl);
    int rc = gt_tl_reopen(p->tl, at);
    return rc ? fail(p, rc) : 0;
}

int gt_perfetto_event(gt_perfetto *p, const gt_event *ev)
{
    if (p->rc)
        return p->rc;
    if (p->done)
        return 1;
    if (!p->any) {
        p->any = 1;
        p->t0 = ev->time;
        if (describe_groups(p))
            return p->rc;
    }
    int64_t rel = ev->time - p->t0;
    if (rel > p->to && !p->tail) {
        /* The window ends: what is open ends at its end (begun at its
         * start if no event fell inside it). The rest of the generation is
         * still read, for the goroutines it shows first (tail_retro_slice). */
        if (!p->started && start_window(p, p->t0 + p->from))
            return p->rc;
        int rc = gt_tl_close(p->tl, gt_window_at(p->t0, p->to));
        if (rc)
            return fail(p, rc);
        p->started = 0;
        p->tail = 1;
    }
    if (p->tail) {
        if (ev->kind == GT_EVENT_SYNC) {
            p->done = 1;
            return 1;
        }
        int rc = gt_tl_event(p->tl, ev);
        return rc ? fail(p, rc) : p->rc;
    }
    if (ev->kind == GT_EVENT_SYNC)
        reset_interning(p);
    if (!p->started && rel >= p->from && start_window(p, p->from > 0 ? p->t0 + p->from : ev->time))
        return p->rc;
    int rc = gt_tl_event(p->tl, ev);
    if (rc)
        return fail(p, rc);
    return p->rc;
}

int gt_perfetto_finish(gt_perfetto *p)
{
    if (p->rc)
        return p->rc;
    if (p->started) {  /* the trace ended inside the window */
        int rc = gt_tl_close(p->tl, gt_tl_last_time(p->tl));
        if (rc)
            return fail(p, rc);
    }
    return flush_out(p);
}
