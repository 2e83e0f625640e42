/* gotrace timeline: streams a trace into the Trace Event Format ("Chrome
 * JSON") that Perfetto (ui.perfetto.dev) and chrome://tracing import.
 *
 * Tracks. pid 1 "Goroutines": one thread per goroutine (tid = goroutine ID)
 * with slices "running" / "syscall" (ph B/E), log events (ph i), regions
 * (async b/e, cat "region", id = goroutine ID). pid 2 "Procs": one thread per
 * P with a slice "G<id>" while a goroutine runs on it. pid 3 "Runtime":
 * metrics (counters, ph C) and ranges of global scope. pid 4 "Tasks": user
 * tasks (async b/e, cat "task", id = task ID). Ranges (cat "range") go to the
 * pid of their scope and are keyed by "id2":{"local":scope ID}, because the
 * same number names a goroutine, a P and the global scope.
 *
 * Memory. The state kept is what is open now: live goroutines, Ps, open
 * regions, ranges and tasks, and the distinct names (region and task types,
 * range names) interned once each. Nothing is allocated per event; every
 * array grows geometrically and a destroyed goroutine's slot is freed.
 *
 * Times. "ts" is in microseconds since the first event, printed from integer
 * nanoseconds with three decimals. A goroutine first seen in an undetermined
 * state (it existed before the trace or the generation) is taken to have been
 * in its state since the last Sync, as Go's goroutine summary counts it, so
 * that the "running" slices of a goroutine add up to the execution time of
 * `gotrace goroutines`. Whatever is still open when the trace ends (or
 * breaks) is closed at the last event's time. One difference on purpose: a
 * goroutine ID created again after its goroutine ended (cgo callbacks reuse
 * theirs) keeps one track showing every goroutine of that ID, with a new
 * thread_name at each creation, where Go's summary keeps only the last. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_util.h"
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f, "usage: gotrace timeline [--goroutine ID] [-o OUT] FILE\n\n"
               "Convert the trace into the Trace Event Format JSON (\"Chrome JSON\") that\n"
               "Perfetto (ui.perfetto.dev) and chrome://tracing open, in bounded memory.\n"
               "One event object per line; \"ts\" in microseconds since the first event.\n\n"
               "  pid 1 Goroutines  a track per goroutine: \"running\" and \"syscall\" slices,\n"
               "                    log messages, regions (async, cat \"region\")\n"
               "  pid 2 Procs       a track per P: a slice \"G<id>\" while a goroutine runs\n"
               "  pid 3 Runtime     metrics (counters) and global ranges (GC, STW)\n"
               "  pid 4 Tasks       user tasks (async, cat \"task\")\n\n"
               "  --goroutine ID  only goroutine ID's tracks: its slices (and its \"G<ID>\"\n"
               "           slices on the Ps), regions, logs, tasks it began or ended, and\n"
               "           the ranges scoped to it; times still count from the trace's start\n"
               "  -o OUT   write to OUT (default, or -, standard output); OUT is replaced\n"
               "           only once complete, and may not be FILE\n"
               "Slices still open at the end are closed at the last event. On a broken\n"
               "trace the JSON still covers every event read, and the error follows on\n"
               "stderr. FILE may be - for standard input. Exit: 0 ok, 1 broken trace, 2 usage,\n"
               "3 write error.\n");
}

enum { PID_GOROUTINES = 1, PID_PROCS = 2, PID_RUNTIME = 3, PID_TASKS = 4 };

/* ------------------------------------------------------------ id tables */

/* An open-addressing table (linear probing, backward-shift deletion) of
 * fixed-size entries whose first member is their int64_t key. Entries move
 * on insertion (growth) and removal: pointers into it last until the next
 * insert or remove. */
typedef struct id_table {
    unsigned char *entries;
    unsigned char *used;
    size_t cap;  /* a power of two, or 0 */
    size_t count;
    size_t entry_size;
} id_table;

static size_t id_hash(int64_t key, size_t mask)
{
    uint64_t x = (uint64_t)key + 0x9e3779b97f4a7c15u;  /* splitmix64's finalizer */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return (size_t)(x ^ (x >> 31)) & mask;
}

static int64_t entry_key(const id_table *t, size_t i)
{
    int64_t key;
    memcpy(&key, t->entries + i * t->entry_size, sizeof key);
    return key;
}

static void *id_find(const id_table *t, int64_t key)
{
    if (!t->cap)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = id_hash(key, mask); t->used[i]; i = (i + 1) & mask)
        if (entry_key(t, i) == key)
            return t->entries + i * t->entry_size;
    return NULL;
}

/* Slot for key in a table with room (cap > 0, load below one half). */
static size_t id_slot(const id_table *t, int64_t key)
{
    size_t mask = t->cap - 1, i = id_hash(key, mask);
    while (t->used[i] && entry_key(t, i) != key)
        i = (i + 1) & mask;
    return i;
}

static int id_grow(id_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    id_table bigger = {calloc(cap, t->entry_size), calloc(cap, 1), cap, t->count, t->entry_size};
    if (!bigger.entries || !bigger.used) {
        free(bigger.entries);
        free(bigger.used);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->used[i])
            continue;
        size_t j = id_slot(&bigger, entry_key(t, i));
        memcpy(bigger.entries + j * t->entry_size, t->entries + i * t->entry_size, t->entry_size);
        bigger.used[j] = 1;
    }
    free(t->entries);
    free(t->used);
    *t = bigger;
    return 0;
}

/* The entry for key, zeroed apart from its key when *created is set; NULL
 * when memory ran out. */
static void *id_insert(id_table *t, int64_t key, int *created)
{
    *created = 0;
    void *e = id_find(t, key);
    if (e)
        return e;
    if ((t->count + 1) * 2 > t->cap && id_grow(t))
        return NULL;
    size_t i = id_slot(t, key);
    e = t->entries + i * t->entry_size;
    memset(e, 0, t->entry_size);
    memcpy(e, &key, sizeof key);
    t->used[i] = 1;
    t->count++;
    *created = 1;
    return e;
}

static void id_remove(id_table *t, int64_t key)
{
    unsigned char *e = id_find(t, key);
    if (!e)
        return;
    size_t mask = t->cap - 1, hole = (size_t)(e - t->entries) / t->entry_size;
    t->used[hole] = 0;
    t->count--;
    /* Shift back the entries of the probe run that could not sit in the hole
     * while it was taken, so that lookups never stop early. */
    for (size_t j = (hole + 1) & mask; t->used[j]; j = (j + 1) & mask) {
        size_t home = id_hash(entry_key(t, j), mask);
        int home_in_run = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (home_in_run)
            continue;
        memcpy(t->entries + hole * t->entry_size, t->entries + j * t->entry_size, t->entry_size);
        t->used[hole] = 1;
        t->used[j] = 0;
        hole = j;
    }
}

static void id_free(id_table *t)
{
    free(t->entries);
    free(t->used);
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- names */

/* Distinct strings, each stored once: region and task types and range names
 * are few, and an open region or range then costs one index. Strings are
 * copied because an event's strings die two generations later. */
typedef struct name_pool {
    char *bytes;
    size_t len, cap;
    struct { size_t off, len; } *names;
    size_t n, names_cap;
    uint32_t *slots;  /* index + 1 into names, 0 = free; a power of two */
    size_t slots_cap;
} name_pool;

static size_t str_hash(gt_str s)
{
    uint64_t h = 0xcbf29ce484222325u;  /* FNV-1a */
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.ptr[i]) * 0x100000001b3u;
    return (size_t)h;
}

static gt_str pool_name(const name_pool *p, uint32_t id)
{
    return (gt_str){p->bytes + p->names[id].off, p->names[id].len};
}

static int grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *bigger = realloc(*arr, n * elem);
    if (!bigger)
        return -1;
    *arr = bigger;
    *cap = n;
    return 0;
}

/* The index of s, adding it when new. Returns 0, or -1 when memory ran out. */
static int pool_intern(name_pool *p, gt_str s, uint32_t *id)
{
    if ((p->n + 1) * 2 > p->slots_cap) {
        size_t cap = p->slots_cap ? p->slots_cap * 2 : 64;
        uint32_t *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t k = 0; k < p->n; k++) {
            size_t i = str_hash(pool_name(p, (uint32_t)k)) & (cap - 1);
            while (slots[i])
                i = (i + 1) & (cap - 1);
            slots[i] = (uint32_t)k + 1;
        }
        free(p->slots);
        p->slots = slots;
        p->slots_cap = cap;
    }
    size_t mask = p->slots_cap - 1, i = str_hash(s) & mask;
    for (; p->slots[i]; i = (i + 1) & mask)
        if (au_str_eq(pool_name(p, p->slots[i] - 1), s)) {
            *id = p->slots[i] - 1;
            return 0;
        }
    if (grow_array((void **)&p->bytes, &p->cap, p->len + s.len + 1, 1) ||
        grow_array((void **)&p->names, &p->names_cap, p->n + 1, sizeof *p->names))
        return -1;
    if (s.len)
        memcpy(p->bytes + p->len, s.ptr, s.len);
    p->names[p->n].off = p->len;
    p->names[p->n].len = s.len;
    p->len += s.len;
    p->slots[i] = (uint32_t)p->n + 1;
    *id = (uint32_t)p->n++;
    return 0;
}

static void pool_free(name_pool *p)
{
    free(p->bytes);
    free(p->names);
    free(p->slots);
}

/* ---------------------------------------------------------------- state */

enum { SLICE_NONE, SLICE_RUNNING, SLICE_SYSCALL };

typedef struct goroutine_track {
    int64_t id;        /* key */
    int64_t proc;      /* the P whose track shows this goroutine running, or -1 */
    int64_t last_ts;   /* latest time written on this goroutine's track */
    int slice;         /* SLICE_*: the B slice open on the track */
    uint32_t *regions; /* open regions, outermost first (name pool indices) */
    size_t n_regions, cap_regions;
} goroutine_track;

typedef struct proc_track {
    int64_t id;         /* key */
    int64_t goroutine;  /* whose "G<id>" slice is open, or -1 */
    int64_t last_ts;
} proc_track;

typedef struct open_task {
    int64_t id;  /* key */
    uint32_t type;
} open_task;

typedef struct open_range {
    int pid;
    int64_t scope;  /* goroutine or P ID; 0 for the global scope */
    uint32_t name;
} open_range;

typedef struct timeline {
    FILE *out;
    int64_t t0;        /* the first event's time: ts 0 */
    int64_t now;       /* the latest event's time */
    int64_t sync_ts;   /* the latest Sync's time (t0 before any) */
    int any_event;
    int wrote_event;   /* whether a separator is due before the next event */
    int only;          /* --goroutine: only the tracks of goroutine only_g */
    int64_t only_g;
    id_table goroutines, procs, tasks;
    open_range *ranges;
    size_t n_ranges, cap_ranges;
    name_pool names;
    size_t out_len;  /* bytes waiting in out_buf */
    char out_buf[1 << 15];
} timeline;

/* ---------------------------------------------------------------- output */

/* Output goes through out_buf: most of an event is short fixed text and
 * numbers, for which stdio's per-call cost would dominate. */
static void out_flush(timeline *t)
{
    fwrite(t->out_buf, 1, t->out_len, t->out);
    t->out_len = 0;
}

static void out_bytes(timeline *t, const char *p, size_t n)
{
    if (t->out_len + n > sizeof t->out_buf) {
        out_flush(t);
        if (n > sizeof t->out_buf) {
            fwrite(p, 1, n, t->out);
            return;
        }
    }
    memcpy(t->out_buf + t->out_len, p, n);
    t->out_len += n;
}

static void out_str(timeline *t, const char *s) { out_bytes(t, s, strlen(s)); }

static void out_char(timeline *t, char c)
{
    if (t->out_len == sizeof t->out_buf)
        out_flush(t);
    t->out_buf[t->out_len++] = c;
}

/* A JSON string: printable ASCII without quotes or backslashes (every name
 * the command makes up, most of the trace's) is copied as it is, anything
 * else goes through the shared escaper. */
static void out_json_str(timeline *t, gt_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out_flush(t);
            au_json_write_string(t->out, s);
            return;
        }
    }
    out_char(t, '"');
    out_bytes(t, s.ptr, s.len);
    out_char(t, '"');
}

static void out_i64(timeline *t, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    out_bytes(t, p, (size_t)(buf + sizeof buf - p));
}

/* Microseconds since t0 with three decimals, exact from nanoseconds. */
static void put_ts(timeline *t, int64_t ns)
{
    int64_t rel = ns - t->t0;
    if (rel < 0) {
        out_char(t, '-');
        rel = -rel;
    }
    out_i64(t, rel / 1000);
    int frac = (int)(rel % 1000);
    out_char(t, '.');
    out_char(t, (char)('0' + frac / 100));
    out_char(t, (char)('0' + frac / 10 % 10));
    out_char(t, (char)('0' + frac % 10));
}

/* Starts an event object: separator, ph, pid and tid. */
static void event_head(timeline *t, char ph, int pid, int64_t tid)
{
    out_str(t, t->wrote_event ? ",\n{\"ph\":\"" : "\n{\"ph\":\"");
    t->wrote_event = 1;
    out_char(t, ph);
    out_str(t, "\",\"pid\":");
    out_i64(t, pid);
    out_str(t, ",\"tid\":");
    out_i64(t, tid);
}

static void member_ts(timeline *t, int64_t ns)
{
    out_str(t, ",\"ts\":");
    put_ts(t, ns);
}

static void member_name(timeline *t, gt_str name)
{
    out_str(t, ",\"name\":");
    out_json_str(t, name);
}

static gt_str cstr(const char *s) { return (gt_str){s, strlen(s)}; }

/* ph M: a process's or a thread's name. */
static void write_metadata(timeline *t, const char *what, int pid, int64_t tid, gt_str name)
{
    event_head(t, 'M', pid, tid);
    member_name(t, cstr(what));
    out_str(t, ",\"args\":{\"name\":");
    out_json_str(t, name);
    out_str(t, "}}");
}

/* "G<id>" (letter G) or "P<id>" into buf, which holds 24 bytes. */
static gt_str numbered_name(char *buf, char letter, int64_t id)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (id < 0)
        *--p = '-';
    size_t n = (size_t)(digits + sizeof digits - p);
    buf[0] = letter;
    memcpy(buf + 1, p, n);
    return (gt_str){buf, n + 1};
}

/* ph B or E on a thread track. */
static void write_slice(timeline *t, char ph, int pid, int64_t tid, int64_t ns, gt_str name)
{
    event_head(t, ph, pid, tid);
    member_ts(t, ns);
    member_name(t, name);
    out_str(t, "}");
}

/* ph b or e: an async event of category cat. Ranges pass id2_local and are
 * keyed by "id2":{"local":id} (unique per pid), the others by "id". */
static void write_async(timeline *t, char ph, int pid, int64_t tid, int64_t ns, gt_str name, const char *cat,
                        int64_t id, int id2_local)
{
    event_head(t, ph, pid, tid);
    member_ts(t, ns);
    member_name(t, name);
    out_str(t, ",\"cat\":\"");
    out_str(t, cat);
    out_str(t, id2_local ? "\",\"id2\":{\"local\":" : "\",\"id\":");
    out_i64(t, id);
    out_str(t, id2_local ? "}}" : "}");
}

/* -------------------------------------------------------------- tracks */

/* The goroutine's track, created (with its thread_name) on first use. The
 * name is "G<id> <start function>" when created by the GoCreate of
 * start_stack (the new goroutine's stack), else "G<id>". NULL on no memory. */
static goroutine_track *goroutine_get(timeline *t, int64_t id, gt_stack start_stack)
{
    int created;
    goroutine_track *g = id_insert(&t->goroutines, id, &created);
    if (!g || !created)
        return g;
    g->proc = -1;
    g->last_ts = t->t0;
    const gt_frame *frames;
    char buf[24];
    gt_str name = numbered_name(buf, 'G', id);
    if (!gt_stack_is_empty(start_stack) && gt_stack_frames(start_stack, &frames) > 0) {
        event_head(t, 'M', PID_GOROUTINES, id);
        member_name(t, cstr("thread_name"));
        out_str(t, ",\"args\":{\"name\":\"");
        out_bytes(t, name.ptr, name.len);
        out_char(t, ' ');
        out_flush(t);
        au_json_write_string_body(t->out, frames[0].func);
        out_str(t, "\"}}");
    } else {
        write_metadata(t, "thread_name", PID_GOROUTINES, id, name);
    }
    return g;
}

static proc_track *proc_get(timeline *t, int64_t id)
{
    int created;
    proc_track *p = id_insert(&t->procs, id, &created);
    if (p && created) {
        char buf[24];
        p->goroutine = -1;
        p->last_ts = t->t0;
        write_metadata(t, "thread_name", PID_PROCS, id, numbered_name(buf, 'P', id));
    }
    return p;
}

static gt_str slice_name(int slice) { return cstr(slice == SLICE_RUNNING ? "running" : "syscall"); }

/* Ends the "G<id>" slice of goroutine g on its P, if one is open. */
static void end_proc_slice(timeline *t, goroutine_track *g, int64_t ns)
{
    if (g->proc < 0)
        return;
    proc_track *p = id_find(&t->procs, g->proc);
    if (p && p->goroutine == g->id) {
        char buf[24];
        write_slice(t, 'E', PID_PROCS, p->id, ns, numbered_name(buf, 'G', g->id));
        p->goroutine = -1;
        p->last_ts = ns;
    }
    g->proc = -1;
}

static void end_goroutine_slice(timeline *t, goroutine_track *g, int64_t ns)
{
    if (g->slice != SLICE_NONE) {
        write_slice(t, 'E', PID_GOROUTINES, g->id, ns, slice_name(g->slice));
        g->slice = SLICE_NONE;
        g->last_ts = ns;
    }
    end_proc_slice(t, g, ns);
}

/* Closes g's open regions above depth keep, innermost first. */
static void close_regions(timeline *t, goroutine_track *g, size_t keep, int64_t ns)
{
    while (g->n_regions > keep) {
        uint32_t name = g->regions[--g->n_regions];
        write_async(t, 'e', PID_GOROUTINES, g->id, ns, pool_name(&t->names, name), "region", g->id, 0);
    }
}

/* ------------------------------------------------------------- events */

static int on_goroutine_transition(timeline *t, const gt_event *ev, const gt_state_transition *st)
{
    int64_t id = st->resource.id;
    if (st->old_state == st->new_state)
        return 0;  /* a status at a generation's start: nothing changes */
    goroutine_track *g =
        goroutine_get(t, id, st->old_state == GT_GO_NOT_EXIST ? st->stack : (gt_stack){NULL, 0});
    if (!g)
        return -1;
    /* Go's summary counts a goroutine first seen undetermined as in its new
     * state since the last Sync. */
    int64_t since = ev->time;
    if (st->old_state == GT_GO_UNDETERMINED)
        since = t->sync_ts > g->last_ts ? t->sync_ts : g->last_ts;
    int slice = st->new_state == GT_GO_RUNNING ? SLICE_RUNNING : st->new_state == GT_GO_SYSCALL ? SLICE_SYSCALL
                                                                                               : SLICE_NONE;
    end_goroutine_slice(t, g, ev->time);
    if (st->new_state == GT_GO_NOT_EXIST) {
        close_regions(t, g, 0, ev->time);
        free(g->regions);
        id_remove(&t->goroutines, id);
        return 0;
    }
    if (slice != SLICE_NONE) {
        write_slice(t, 'B', PID_GOROUTINES, id, since, slice_name(slice));
        g->slice = slice;
        g->last_ts = since;
    }
    if (slice == SLICE_RUNNING && ev->proc != GT_NO_PROC) {
        proc_track *p = proc_get(t, ev->proc);
        if (!p)
            return -1;
        char buf[24];
        if (p->goroutine >= 0) {  /* not in a consistent trace: keep the track nested */
            goroutine_track *other = id_find(&t->goroutines, p->goroutine);
            write_slice(t, 'E', PID_PROCS, p->id, ev->time, numbered_name(buf, 'G', p->goroutine));
            if (other)
                other->proc = -1;
            p->last_ts = ev->time;
        }
        int64_t start = since > p->last_ts ? since : p->last_ts;
        write_slice(t, 'B', PID_PROCS, p->id, start, numbered_name(buf, 'G', id));
        p->goroutine = id;
        p->last_ts = start;
        g->proc = p->id;  /* g stays put: only the procs table changed */
    }
    return 0;
}

static int on_region(timeline *t, const gt_event *ev)
{
    gt_region r;
    if (ev->goroutine == GT_NO_GOROUTINE || gt_event_region(ev, &r))
        return 0;
    goroutine_track *g = goroutine_get(t, ev->goroutine, (gt_stack){NULL, 0});
    uint32_t name;
    if (!g || pool_intern(&t->names, r.type, &name))
        return -1;
    if (ev->kind == GT_EVENT_REGION_BEGIN) {
        if (grow_array((void **)&g->regions, &g->cap_regions, g->n_regions + 1, sizeof *g->regions))
            return -1;
        g->regions[g->n_regions++] = name;
        write_async(t, 'b', PID_GOROUTINES, g->id, ev->time, r.type, "region", g->id, 0);
        return 0;
    }
    size_t k = g->n_regions;
    while (k > 0 && g->regions[k - 1] != name)
        k--;
    if (k > 0) {  /* ends regions opened inside it but not ended, innermost first */
        close_regions(t, g, k - 1, ev->time);
    } else if (g->n_regions == 0) {
        /* Began before the trace: drawn from its start. An end that matches
         * no region while others are open is dropped, since a region from
         * the start would not nest with them. */
        write_async(t, 'b', PID_GOROUTINES, g->id, t->t0, r.type, "region", g->id, 0);
        write_async(t, 'e', PID_GOROUTINES, g->id, ev->time, r.type, "region", g->id, 0);
    }
    return 0;
}

static int on_task(timeline *t, const gt_event *ev)
{
    gt_task task;
    if (gt_event_task(ev, &task))
        return 0;
    int64_t key = (int64_t)task.id;
    if (ev->kind == GT_EVENT_TASK_BEGIN) {
        int created;
        open_task *o = id_insert(&t->tasks, key, &created);
        if (!o)
            return -1;
        if (!created)  /* the ID begun again: end the first one, keeping b/e paired */
            write_async(t, 'e', PID_TASKS, 0, ev->time, pool_name(&t->names, o->type), "task", key, 0);
        if (pool_intern(&t->names, task.type, &o->type))
            return -1;
        write_async(t, 'b', PID_TASKS, 0, ev->time, task.type, "task", key, 0);
        return 0;
    }
    open_task *o = id_find(&t->tasks, key);
    if (o) {
        write_async(t, 'e', PID_TASKS, 0, ev->time, pool_name(&t->names, o->type), "task", key, 0);
        id_remove(&t->tasks, key);
    } else {  /* began before the trace */
        write_async(t, 'b', PID_TASKS, 0, t->t0, task.type, "task", key, 0);
        write_async(t, 'e', PID_TASKS, 0, ev->time, task.type, "task", key, 0);
    }
    return 0;
}

static int same_scope(const open_range *a, const open_range *b) { return a->pid == b->pid && a->scope == b->scope; }

static void write_range(timeline *t, char ph, const open_range *r, int64_t ns)
{
    write_async(t, ph, r->pid, r->scope, ns, pool_name(&t->names, r->name), "range", r->scope, 1);
}

/* Ends open range i at ns. Ranges of one scope share an async track, where
 * slices must nest, but ranges need not (a STW may begin before and end
 * after another range of its goroutine): those opened after i on its scope
 * are ended first and begun again at ns. The list keeps opening order. */
static void end_range(timeline *t, size_t i, int64_t ns)
{
    for (size_t j = t->n_ranges; j-- > i + 1;)
        if (same_scope(&t->ranges[j], &t->ranges[i]))
            write_range(t, 'e', &t->ranges[j], ns);
    write_range(t, 'e', &t->ranges[i], ns);
    for (size_t j = i + 1; j < t->n_ranges; j++)
        if (same_scope(&t->ranges[j], &t->ranges[i]))
            write_range(t, 'b', &t->ranges[j], ns);
    memmove(&t->ranges[i], &t->ranges[i + 1], (t->n_ranges - i - 1) * sizeof *t->ranges);
    t->n_ranges--;
}

static int on_range(timeline *t, const gt_event *ev)
{
    gt_range r;
    if (gt_event_range(ev, &r))
        return 0;
    open_range key = {PID_RUNTIME, 0, 0};
    if (r.scope.kind == GT_RESOURCE_GOROUTINE) {
        key.pid = PID_GOROUTINES;
        key.scope = r.scope.id;
        if (!goroutine_get(t, r.scope.id, (gt_stack){NULL, 0}))
            return -1;
    } else if (r.scope.kind == GT_RESOURCE_PROC) {
        key.pid = PID_PROCS;
        key.scope = r.scope.id;
        if (!proc_get(t, r.scope.id))
            return -1;
    }
    if (pool_intern(&t->names, r.name, &key.name))
        return -1;
    size_t i = 0;
    while (i < t->n_ranges && !(t->ranges[i].pid == key.pid && t->ranges[i].scope == key.scope &&
                                t->ranges[i].name == key.name))
        i++;
    int open = i < t->n_ranges;
    if (ev->kind == GT_EVENT_RANGE_END) {
        if (open)
            end_range(t, i, ev->time);
        else {  /* began before the trace */
            write_async(t, 'b', key.pid, key.scope, t->t0, r.name, "range", key.scope, 1);
            write_async(t, 'e', key.pid, key.scope, ev->time, r.name, "range", key.scope, 1);
        }
        return 0;
    }
    if (open)
        return 0;  /* RangeActive of a range already shown */
    if (grow_array((void **)&t->ranges, &t->cap_ranges, t->n_ranges + 1, sizeof *t->ranges))
        return -1;
    t->ranges[t->n_ranges++] = key;
    /* RangeActive: in progress since before this generation's Sync. */
    write_async(t, 'b', key.pid, key.scope, ev->kind == GT_EVENT_RANGE_ACTIVE ? t->sync_ts : ev->time, r.name, "range",
                key.scope, 1);
    return 0;
}

static int on_log(timeline *t, const gt_event *ev)
{
    gt_log log;
    if (gt_event_log(ev, &log))
        return 0;
    int pid = PID_RUNTIME;
    int64_t tid = 0;
    if (ev->goroutine != GT_NO_GOROUTINE) {
        if (!goroutine_get(t, ev->goroutine, (gt_stack){NULL, 0}))
            return -1;
        pid = PID_GOROUTINES;
        tid = ev->goroutine;
    }
    event_head(t, 'i', pid, tid);
    member_ts(t, ev->time);
    member_name(t, log.category.len ? log.category : cstr("log"));
    out_str(t, ",\"s\":\"t\",\"args\":{\"message\":");
    out_json_str(t, log.message);
    out_str(t, "}}");
    return 0;
}

static void on_metric(timeline *t, const gt_event *ev)
{
    gt_metric m;
    if (gt_event_metric(ev, &m) || m.value.kind != GT_VALUE_UINT64)
        return;
    event_head(t, 'C', PID_RUNTIME, 0);
    member_ts(t, ev->time);
    member_name(t, m.name);
    out_str(t, ",\"args\":{\"value\":");
    if (m.value.u64 > INT64_MAX) {
        out_flush(t);
        fprintf(t->out, "%llu", (unsigned long long)m.value.u64);
    } else {
        out_i64(t, (int64_t)m.value.u64);
    }
    out_str(t, "}}");
}

/* With --goroutine ID, whether ev belongs on ID's tracks: its state
 * transitions (whoever makes them), the ranges scoped to it, and its other
 * events (regions, tasks, logs); not metrics, nor other goroutines' or the
 * runtime's ranges, nor the transitions it makes of other goroutines. */
static int on_only_goroutine(const timeline *t, const gt_event *ev)
{
    gt_state_transition st;
    gt_range r;
    switch (ev->kind) {
    case GT_EVENT_METRIC: return 0;
    case GT_EVENT_STATE_TRANSITION:
        return !gt_event_state_transition(ev, &st) && st.resource.kind == GT_RESOURCE_GOROUTINE &&
               st.resource.id == t->only_g;
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        return !gt_event_range(ev, &r) && r.scope.kind == GT_RESOURCE_GOROUTINE && r.scope.id == t->only_g;
    default: return ev->goroutine == t->only_g;
    }
}

/* Returns 0, or -1 when memory ran out. */
static int on_event(timeline *t, const gt_event *ev)
{
    if (!t->any_event) {
        t->any_event = 1;
        t->t0 = t->sync_ts = ev->time;
    }
    t->now = ev->time;
    /* ts stays relative to the trace's first event; Syncs still count. */
    if (t->only && ev->kind != GT_EVENT_SYNC && !on_only_goroutine(t, ev))
        return 0;
    switch (ev->kind) {
    case GT_EVENT_SYNC:
        t->sync_ts = ev->time;
        return 0;
    case GT_EVENT_STATE_TRANSITION: {
        gt_state_transition st;
        if (gt_event_state_transition(ev, &st) || st.resource.kind != GT_RESOURCE_GOROUTINE)
            return 0;
        return on_goroutine_transition(t, ev, &st);
    }
    case GT_EVENT_REGION_BEGIN:
    case GT_EVENT_REGION_END:
        return on_region(t, ev);
    case GT_EVENT_TASK_BEGIN:
    case GT_EVENT_TASK_END:
        return on_task(t, ev);
    case GT_EVENT_RANGE_BEGIN:
    case GT_EVENT_RANGE_ACTIVE:
    case GT_EVENT_RANGE_END:
        return on_range(t, ev);
    case GT_EVENT_LOG:
        return on_log(t, ev);
    case GT_EVENT_METRIC:
        on_metric(t, ev);
        return 0;
    default:
        return 0;
    }
}

/* Closes everything still open at the last event's time: each goroutine's
 * regions (innermost first) and slice, ranges and tasks. */
static void close_all(timeline *t)
{
    int64_t end = t->now;
    for (size_t i = 0; i < t->goroutines.cap; i++) {
        if (!t->goroutines.used[i])
            continue;
        goroutine_track *g = (goroutine_track *)(t->goroutines.entries + i * t->goroutines.entry_size);
        close_regions(t, g, 0, end);
        end_goroutine_slice(t, g, end);
    }
    while (t->n_ranges > 0)  /* the latest opened first: innermost on its track */
        write_range(t, 'e', &t->ranges[--t->n_ranges], end);
    for (size_t i = 0; i < t->tasks.cap; i++) {
        if (!t->tasks.used[i])
            continue;
        const open_task *o = (const open_task *)(t->tasks.entries + i * t->tasks.entry_size);
        write_async(t, 'e', PID_TASKS, 0, end, pool_name(&t->names, o->type), "task", o->id, 0);
    }
}

static void timeline_free(timeline *t)
{
    for (size_t i = 0; i < t->goroutines.cap; i++)
        if (t->goroutines.used[i])
            free(((goroutine_track *)(t->goroutines.entries + i * t->goroutines.entry_size))->regions);
    id_free(&t->goroutines);
    id_free(&t->procs);
    id_free(&t->tasks);
    free(t->ranges);
    pool_free(&t->names);
}

static void write_header(timeline *t)
{
    out_str(t, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
    write_metadata(t, "process_name", PID_GOROUTINES, 0, cstr("Goroutines"));
    write_metadata(t, "process_name", PID_PROCS, 0, cstr("Procs"));
    write_metadata(t, "process_name", PID_RUNTIME, 0, cstr("Runtime"));
    write_metadata(t, "thread_name", PID_RUNTIME, 0, cstr("Runtime"));
    write_metadata(t, "process_name", PID_TASKS, 0, cstr("Tasks"));
    write_metadata(t, "thread_name", PID_TASKS, 0, cstr("Tasks"));
}

int cmd_timeline(int argc, char **argv)
{
    const char *path = NULL, *out_path = "-";
    if (cli_wants_help(argc, argv)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    enum { OPT_OUT = 1, OPT_GOROUTINE };
    static const cli_option opts[] = {{"o", 1, OPT_OUT}, {"goroutine", 1, OPT_GOROUTINE}, {NULL, 0, 0}};
    int only = 0;
    int64_t only_g = 0;
    cli_args a;
    cli_args_init(&a, "timeline", argc, argv);
    for (int opt; (opt = cli_next_option(&a, opts)) != CLI_OPT_END;) {
        char *end;
        switch (opt) {
        case OPT_OUT: out_path = a.value; break;
        case OPT_GOROUTINE:
            errno = 0;
            only_g = strtoll(a.value, &end, 10);
            if (end == a.value || *end || errno || only_g < 0)
                return cli_usage_error("timeline", "bad goroutine ID '%s'", a.value);
            only = 1;
            break;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &path))
        return CLI_EXIT_USAGE;

    /* The output is opened first: a refusal (the input itself) comes
     * before the input is touched, and OUT is replaced only once complete. */
    cli_output out;
    int rc = cli_output_open(&out, "timeline", out_path, path);
    if (rc)
        return rc;
    cli_input in;
    if ((rc = cli_input_open(&in, "timeline", path, 0)) != 0) {
        cli_output_abort(&out);
        return rc;
    }
    gt_error err;
    gt_reader *r = gt_reader_open_fd(in.fd, &err);
    if (!r && err.code == GT_ERR_IO) {
        cli_output_abort(&out);
        cli_input_close(&in);
        return cli_usage_error("timeline", "cannot read %s: %s", path, err.message);
    }
    timeline t;
    memset(&t, 0, sizeof t);
    t.goroutines.entry_size = sizeof(goroutine_track);
    t.procs.entry_size = sizeof(proc_track);
    t.tasks.entry_size = sizeof(open_task);
    t.out = out.f;
    t.only = only;
    t.only_g = only_g;
    setvbuf(t.out, NULL, _IOFBF, 1 << 16);  /* the output is large: fewer writes */
    write_header(&t);

    int no_memory = 0, write_rc = 0;
    cli_progress progress = {0, 0, 0};
    if (r) {
        enum { BATCH = 256 };
        gt_event evs[BATCH];
        size_t n;
        do {
            n = gt_reader_next_batch(r, evs, BATCH);
            for (size_t i = 0; i < n && !no_memory; i++) {
                cli_progress_event(&progress, r, &evs[i]);
                no_memory = on_event(&t, &evs[i]) != 0;
            }
            write_rc = cli_write_check(t.out);  /* stop reading at the first failed write */
        } while (n > 0 && !no_memory && !write_rc);
        cli_progress_finish(&progress, r);
    }
    if (!write_rc) {
        close_all(&t);
        out_str(&t, "\n]}\n");
        out_flush(&t);
    }
    /* The JSON of a broken trace is kept (it covers every event read); a
     * failed write leaves OUT as it was. */
    if (write_rc)
        cli_output_abort(&out);
    else
        write_rc = cli_output_close(&out);

    if (write_rc) {
        rc = CLI_EXIT_IO;
    } else if (no_memory) {
        fprintf(stderr, "gotrace timeline: out of memory\n");
        rc = CLI_EXIT_TRACE;
    } else if (!r) {
        rc = cli_trace_error(path, &err);
        cli_input_explain(in.fd, &err);
    } else if (gt_reader_error(r)) {
        rc = cli_trace_error(path, gt_reader_error(r));
        cli_report_loss(path, &progress);
    }
    gt_reader_free(r);
    timeline_free(&t);
    int in_rc = cli_input_close(&in);
    return rc ? rc : in_rc;
}
