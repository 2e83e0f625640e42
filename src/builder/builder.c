/* Trace builder: see include/gotrace/builder.h for the contract.
 *
 * Layout. Events live in one geometric array (their arguments in another,
 * their trailing data in a byte buffer); each batch threads its events as a
 * singly linked list of array indices, so events may be added to batches in
 * any interleaving, and edits (delete, duplicate) are O(1). Generations and
 * batches come from an arena so the handles given out stay put.
 *
 * Timestamps follow Go's testgen exactly (lastTs advanced by every timed
 * event and every batch whose time is set), so a generator transcribed from
 * Go's testdata/generators gives the same trace Go's would.
 */
#include "gotrace/builder.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "builder/builder_internal.h"
#include "common/cursor.h"
#include "common/error.h"
#include "wire/spec.h"

/* ------------------------------------------------------------ errors */

static int fail(gt_builder *b, gt_errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records the first error; later ones are ignored. Returns -1. */
static int fail(gt_builder *b, gt_errcode code, const char *fmt, ...)
{
    if (b->failed)
        return -1;
    b->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    gt_error_vset(&b->err, code, GT_NO_OFFSET, fmt, ap);
    va_end(ap);
    return -1;
}

static int nomem(gt_builder *b) { return fail(b, GT_ERR_NOMEM, "builder: out of memory"); }

/* For functions that return IDs: 0 after a failure (callers check the sticky
 * error). */
static uint64_t failed_id(int ignored) { (void)ignored; return 0; }

const gt_error *gt_builder_error(const gt_builder *b) { return b && b->failed ? &b->err : NULL; }

/* ------------------------------------------------------------ lifetime */

static gt_builder *gt_builder_new_impl(int version, gt_error *err)
{
    if (!gt_version_is_v2(version)) {
        gt_error_set(err, GT_ERR_ARGUMENT, GT_NO_OFFSET, "builder: unsupported trace version: go 1.%d", version);
        return NULL;
    }
    gt_builder *b = calloc(1, sizeof *b);
    if (!b) {
        gt_error_set(err, GT_ERR_NOMEM, GT_NO_OFFSET, "builder: out of memory");
        return NULL;
    }
    b->version = version;
    b->valid_timestamps = 1;
    gt_error_clear(&b->err);
    return b;
}

gt_builder *gt_builder_new(int version, gt_error *err)
{
    gt_error_init(err);
    gt_builder *ret = gt_builder_new_impl(version, err);
    gt_error_publish(err);
    return ret;
}

static void gen_free(gt_builder_gen *g)
{
    gt_u64map_free(&g->string_index);
    gt_buf_free(&g->strings);
    gt_u64map_free(&g->stack_index);
    gt_buf_free(&g->stacks);
    gt_u64map_free(&g->seqs);
}

void gt_builder_free(gt_builder *b)
{
    if (!b)
        return;
    gt_builder_gen **gens = (gt_builder_gen **)b->gens.data;
    for (size_t i = 0; i < b->gens.len / sizeof *gens; i++)
        gen_free(gens[i]);
    gt_arena_free(&b->arena);
    gt_buf_free(&b->gens);
    gt_buf_free(&b->batches);
    gt_buf_free(&b->events);
    gt_buf_free(&b->args);
    gt_buf_free(&b->data);
    gt_buf_free(&b->frames);
    gt_buf_free(&b->top);
    free(b->expect_pattern);
    gt_error_clear(&b->err);
    free(b);
}

int gt_builder_version(const gt_builder *b) { return b->version; }

void gt_builder_disable_timestamps(gt_builder *b) { b->valid_timestamps = 0; }

void gt_builder_expect_success(gt_builder *b)
{
    b->expect_failure = 0;
    free(b->expect_pattern);
    b->expect_pattern = NULL;
}

void gt_builder_expect_failure(gt_builder *b, const char *pattern)
{
    char *copy = strdup(pattern ? pattern : "");
    if (!copy) {
        nomem(b);
        return;
    }
    free(b->expect_pattern);
    b->expect_pattern = copy;
    b->expect_failure = 1;
}

/* ------------------------------------------------------------ specs */

/* The wire type of event `name` in the builder's version, or 0. */
static unsigned type_by_name(int version, const char *name)
{
    for (unsigned t = 1; t < GT_EV_MAX_EXPERIMENTAL; t++) {
        const gt_spec *s = gt_spec_get(version, t);
        if (s && s->name && !strcmp(s->name, name))
            return t;
    }
    return 0;
}

static int arg_index(const gt_spec *s, const char *name)
{
    for (int i = 0; i < s->nargs; i++)
        if (!strcmp(s->args[i], name))
            return i;
    return -1;
}

static int index_in(const uint8_t *list, uint8_t n, int i)
{
    for (uint8_t k = 0; k < n; k++)
        if (list[k] == i)
            return 1;
    return 0;
}

/* ------------------------------------------------------------ events */

/* Appends an event record; returns its index or -1. */
static int64_t push_event(gt_builder *b, gt_buf *list, unsigned type, const uint64_t *args, size_t nargs,
                          const void *data, size_t len)
{
    if (nargs > UINT32_MAX || len > UINT32_MAX)
        return fail(b, GT_ERR_ARGUMENT, "builder: event too large");
    gt_builder__event ev = {.type = (uint8_t)type, .batch = NO_INDEX, .next = NO_INDEX,
                 .args_off = b->args.len / sizeof(uint64_t), .nargs = (uint32_t)nargs,
                 .data_off = b->data.len, .data_len = (uint32_t)len};
    if (gt_buf_append(&b->args, args, nargs * sizeof *args) || gt_buf_append(&b->data, data, len))
        return nomem(b);
    if (gt_buf_append(list, &ev, sizeof ev))
        return nomem(b);
    return (int64_t)(list->len / sizeof ev - 1);
}

/* Links event index i at the end of batch bt. */
static void link_event(gt_builder *b, gt_builder_batch *bt, uint32_t i)
{
    gt_builder__event *evs = EVENTS(b);
    evs[i].batch = bt->index;
    if (bt->last == NO_INDEX)
        bt->first = i;
    else
        evs[bt->last].next = i;
    bt->last = i;
}

static int check_raw_count(gt_builder *b, unsigned type, size_t nargs)
{
    const gt_spec *s = gt_spec_get(b->version, type);
    if (!s)
        return fail(b, GT_ERR_ARGUMENT, "builder: event type %u does not exist in go 1.%d", type, b->version);
    if (s->is_stack) {
        if (nargs < 2 || (nargs - 2) % 4)
            return fail(b, GT_ERR_ARGUMENT, "builder: Stack takes id, nframes and 4 values per frame, got %zu values",
                        nargs);
        return 0;
    }
    if (nargs != s->nargs)
        return fail(b, GT_ERR_ARGUMENT, "builder: expected %u args for %s, got %zu", (unsigned)s->nargs, s->name,
                    nargs);
    return 0;
}

int gt_builder_top_event(gt_builder *b, unsigned type, const uint64_t *args, size_t nargs, const void *data,
                         size_t len)
{
    if (b->failed || check_raw_count(b, type, nargs))
        return -1;
    return push_event(b, &b->top, type, args, nargs, data, len) < 0 ? -1 : 0;
}

int64_t gt_builder_raw_event(gt_builder_batch *batch, unsigned type, const uint64_t *args, size_t nargs,
                             const void *data, size_t len)
{
    if (!batch)
        return -1;
    gt_builder *b = batch->g->b;
    if (b->failed || check_raw_count(b, type, nargs))
        return -1;
    int64_t i = push_event(b, &b->events, type, args, nargs, data, len);
    if (i < 0)
        return -1;
    link_event(b, batch, (uint32_t)i);
    const gt_spec *s = gt_spec_get(b->version, type);
    if (s->is_timed && b->valid_timestamps)
        b->last_ts += args[0];
    return i;
}

int64_t gt_builder_event_args(gt_builder_batch *batch, const char *event, const gt_builder_arg *args, size_t nargs)
{
    if (!batch)
        return -1;
    gt_builder *b = batch->g->b;
    if (b->failed)
        return -1;
    unsigned type = type_by_name(b->version, event ? event : "");
    if (!type)
        return fail(b, GT_ERR_ARGUMENT, "builder: invalid or unknown event %s in go 1.%d", event ? event : "(null)",
                    b->version);
    const gt_spec *s = gt_spec_get(b->version, type);
    if (s->is_stack || s->has_data)
        return fail(b, GT_ERR_ARGUMENT, "builder: %s carries trailing data: add it with gt_builder_raw_event",
                    s->name);
    uint64_t vals[GT_MAX_SPEC_ARGS] = {0};
    int given[GT_MAX_SPEC_ARGS] = {0};
    for (size_t k = 0; k < nargs; k++) {
        const gt_builder_arg *a = &args[k];
        int i = a->name ? arg_index(s, a->name) : -1;
        if (i < 0)
            return fail(b, GT_ERR_ARGUMENT, "builder: %s has no argument %s", s->name, a->name ? a->name : "(null)");
        if (given[i])
            return fail(b, GT_ERR_ARGUMENT, "builder: argument %s of %s given twice", a->name, s->name);
        given[i] = 1;
        switch (a->kind) {
        case GT_BARG_U64:
            vals[i] = a->value;
            break;
        case GT_BARG_STRING:
            if (!index_in(s->string_ids, s->nstring_ids, i))
                return fail(b, GT_ERR_ARGUMENT, "builder: argument %s of %s is not a string ID", a->name, s->name);
            vals[i] = gt_builder_string(batch->g, a->str ? a->str : "", a->str ? strlen(a->str) : 0);
            break;
        case GT_BARG_STACK:
            if (!index_in(s->stack_ids, s->nstack_ids, i))
                return fail(b, GT_ERR_ARGUMENT, "builder: argument %s of %s is not a stack ID", a->name, s->name);
            vals[i] = gt_builder_stack(batch->g, a->frames, a->nframes);
            break;
        default:
            return fail(b, GT_ERR_ARGUMENT, "builder: argument %s of %s has a bad kind", a->name, s->name);
        }
        if (b->failed)
            return -1;
    }
    for (int i = 0; i < s->nargs; i++) {
        if (given[i])
            continue;
        if (i == 0 && s->is_timed) {
            vals[0] = b->valid_timestamps ? 1 : 0;
            continue;
        }
        return fail(b, GT_ERR_ARGUMENT, "builder: expected %d args for %s, got %zu (missing %s)",
                    s->nargs - (s->is_timed ? 1 : 0), s->name, nargs, s->args[i]);
    }
    return gt_builder_raw_event(batch, type, vals, s->nargs, NULL, 0);
}

/* ------------------------------------------------------------ generations */

gt_builder_gen *gt_builder_generation(gt_builder *b, uint64_t gen)
{
    if (b->failed)
        return NULL;
    gt_builder_gen *g = gt_arena_alloc(&b->arena, sizeof *g);
    if (!g) {
        nomem(b);
        return NULL;
    }
    memset(g, 0, sizeof *g);
    g->b = b;
    g->gen = gen;
    g->freq = 15625000; /* Go's testgen default */
    if (gt_buf_append(&b->gens, &g, sizeof g)) {
        nomem(b);
        return NULL;
    }
    return g;
}

int gt_builder_sync(gt_builder_gen *g, uint64_t freq, uint64_t time, uint64_t mono, uint64_t wall_sec,
                    uint64_t wall_nsec)
{
    if (!g)
        return -1;
    gt_builder *b = g->b;
    if (b->failed)
        return -1;
    if (b->version < GT_GO125 && (mono || wall_sec || wall_nsec))
        return fail(b, GT_ERR_ARGUMENT, "builder: mono and wall args are not supported in go1.%d traces",
                    b->version);
    g->freq = freq;
    g->sync_time = time;
    g->mono = mono;
    g->wall_sec = wall_sec;
    g->wall_nsec = wall_nsec;
    return 0;
}

uint64_t gt_builder_string(gt_builder_gen *g, const char *s, size_t len)
{
    if (!g)
        return 0;
    gt_builder *b = g->b;
    if (b->failed || len == 0)
        return 0;
    uint64_t h = gt_hash_bytes(s, len);
    gt_builder__interned *entries = (gt_builder__interned *)g->strings.data;
    uint64_t *slot = gt_u64map_get(&g->string_index, h);
    for (uint32_t i = slot ? (uint32_t)(*slot - 1) : NO_INDEX; i != NO_INDEX; i = entries[i].prev)
        if (entries[i].len == len && !memcmp(b->data.data + entries[i].off, s, len))
            return (uint64_t)i + 1;
    gt_builder__interned e = {.off = b->data.len, .len = len, .prev = slot ? (uint32_t)(*slot - 1) : NO_INDEX};
    if (gt_buf_append(&b->data, s, len) || gt_buf_append(&g->strings, &e, sizeof e))
        return failed_id(nomem(b));
    uint64_t id = g->strings.len / sizeof e;
    if (gt_u64map_put(&g->string_index, h, id))
        return failed_id(nomem(b));
    return id;
}

uint64_t gt_builder_stack(gt_builder_gen *g, const gt_builder_frame *frames, size_t nframes)
{
    if (!g)
        return 0;
    gt_builder *b = g->b;
    if (b->failed || nframes == 0)
        return 0;
    if (nframes > GT_MAX_FRAMES_PER_STACK)
        return failed_id(fail(b, GT_ERR_ARGUMENT, "builder: stack of %zu frames, maximum is %d", nframes,
                              GT_MAX_FRAMES_PER_STACK));
    /* Intern the names first: they may grow builder.frames' neighbours. */
    size_t off = b->frames.len / sizeof(uint64_t);
    for (size_t i = 0; i < nframes; i++) {
        const gt_builder_frame *f = &frames[i];
        uint64_t q[4] = {f->pc, gt_builder_string(g, f->func ? f->func : "", f->func ? strlen(f->func) : 0),
                         gt_builder_string(g, f->file ? f->file : "", f->file ? strlen(f->file) : 0), f->line};
        if (b->failed)
            return 0;
        if (gt_buf_append(&b->frames, q, sizeof q))
            return failed_id(nomem(b));
    }
    const uint64_t *cand = (const uint64_t *)b->frames.data + off;
    uint64_t h = gt_hash_bytes(cand, nframes * 4 * sizeof(uint64_t));
    gt_builder__interned *entries = (gt_builder__interned *)g->stacks.data;
    uint64_t *slot = gt_u64map_get(&g->stack_index, h);
    for (uint32_t i = slot ? (uint32_t)(*slot - 1) : NO_INDEX; i != NO_INDEX; i = entries[i].prev) {
        const uint64_t *have = (const uint64_t *)b->frames.data + entries[i].off;
        if (entries[i].len == nframes && !memcmp(have, cand, nframes * 4 * sizeof(uint64_t))) {
            b->frames.len = off * sizeof(uint64_t); /* drop the candidate copy */
            return (uint64_t)i + 1;
        }
    }
    gt_builder__interned e = {.off = off, .len = nframes, .prev = slot ? (uint32_t)(*slot - 1) : NO_INDEX};
    if (gt_buf_append(&g->stacks, &e, sizeof e))
        return failed_id(nomem(b));
    uint64_t id = g->stacks.len / sizeof e;
    if (gt_u64map_put(&g->stack_index, h, id))
        return failed_id(nomem(b));
    return id;
}

uint64_t gt_builder_next_seq(gt_builder_gen *g, gt_resource_kind kind, int64_t id)
{
    if (!g || g->b->failed)
        return 0;
    int inserted;
    uint64_t *v = gt_u64map_upsert(&g->seqs, ((uint64_t)kind << 60) ^ (uint64_t)id, &inserted);
    if (!v)
        return failed_id(nomem(g->b));
    return ++*v;
}

/* ------------------------------------------------------------ batches */

gt_builder_batch *gt_builder_batch_new(gt_builder_gen *g, uint64_t m, uint64_t time)
{
    if (!g)
        return NULL;
    gt_builder *b = g->b;
    if (b->failed)
        return NULL;
    gt_builder_batch *bt = gt_arena_alloc(&b->arena, sizeof *bt);
    if (!bt) {
        nomem(b);
        return NULL;
    }
    *bt = (gt_builder_batch){.g = g, .index = (uint32_t)(b->batches.len / sizeof bt), .m = m,
                             .first = NO_INDEX, .last = NO_INDEX};
    if (b->valid_timestamps) {
        bt->time = time;
        b->last_ts = time;
    }
    if (gt_buf_append(&b->batches, &bt, sizeof bt)) {
        nomem(b);
        return NULL;
    }
    return bt;
}

/* ------------------------------------------------------------ edits */

size_t gt_builder_event_count(const gt_builder *b) { return NEVENTS(b); }

int gt_builder_event_get(const gt_builder *b, size_t ordinal, gt_builder_event_info *out)
{
    if (ordinal >= NEVENTS(b))
        return -1;
    const gt_builder__event *ev = &EVENTS(b)[ordinal];
    gt_builder_batch *bt = ((gt_builder_batch **)b->batches.data)[ev->batch];
    out->type = ev->type;
    out->name = gt_spec_name(ev->type);
    out->nargs = ev->nargs;
    out->args = ARGS(b) + ev->args_off;
    const gt_spec *s = gt_spec_get(b->version, ev->type);
    out->arg_names = s && !s->is_stack ? s->args : NULL;
    out->gen = bt->g->gen;
    out->m = bt->m;
    out->deleted = ev->deleted;
    return 0;
}

static gt_builder__event *edit_target(gt_builder *b, size_t ordinal)
{
    if (b->failed)
        return NULL;
    if (ordinal >= NEVENTS(b)) {
        fail(b, GT_ERR_ARGUMENT, "builder: no event %zu to edit", ordinal);
        return NULL;
    }
    return &EVENTS(b)[ordinal];
}

int gt_builder_edit_arg(gt_builder *b, size_t ordinal, const char *arg, uint64_t value)
{
    gt_builder__event *ev = edit_target(b, ordinal);
    if (!ev)
        return -1;
    const gt_spec *s = gt_spec_get(b->version, ev->type);
    int i = arg_index(s, arg ? arg : "");
    if (i < 0 || (uint32_t)i >= ev->nargs)
        return fail(b, GT_ERR_ARGUMENT, "builder: %s has no argument %s", s->name, arg ? arg : "(null)");
    ARGS(b)[ev->args_off + (size_t)i] = value;
    return 0;
}

int gt_builder_edit_delete(gt_builder *b, size_t ordinal)
{
    gt_builder__event *ev = edit_target(b, ordinal);
    if (!ev)
        return -1;
    ev->deleted = 1;
    return 0;
}

int gt_builder_edit_duplicate(gt_builder *b, size_t ordinal)
{
    if (!edit_target(b, ordinal))
        return -1;
    gt_builder__event copy = EVENTS(b)[ordinal];
    if (gt_buf_append(&b->events, &copy, sizeof copy))
        return nomem(b);
    uint32_t ci = (uint32_t)(NEVENTS(b) - 1);
    gt_builder__event *evs = EVENTS(b);
    evs[ordinal].next = ci;
    gt_builder_batch *bt = ((gt_builder_batch **)b->batches.data)[copy.batch];
    if (bt->last == ordinal)
        bt->last = ci;
    return 0;
}

int gt_builder_edit_batch_time(gt_builder *b, size_t ordinal, uint64_t time)
{
    gt_builder__event *ev = edit_target(b, ordinal);
    if (!ev)
        return -1;
    ((gt_builder_batch **)b->batches.data)[ev->batch]->time = time;
    return 0;
}

/* ------------------------------------------------------------ for the writer */

void gt_builder__raw(const gt_builder *b, const gt_builder__event *ev, gt_raw_event *out)
{
    *out = (gt_raw_event){.type = ev->type, .nargs = ev->nargs, .args = ARGS(b) + ev->args_off,
                          .data = ev->data_len ? (const uint8_t *)b->data.data + ev->data_off : NULL,
                          .data_len = ev->data_len};
}
