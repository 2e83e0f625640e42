#include "event/table.h"

#include <stdlib.h>
#include <string.h>

gt_table *gt_table_new(void)
{
    gt_table *t = calloc(1, sizeof *t);
    return t;
}

static void id_index_free(gt_id_index *x)
{
    free(x->slot);
    gt_u64map_free(&x->sparse);
    memset(x, 0, sizeof *x);
}

/* Records id -> index; id must be absent. 0, or -1 when memory runs out. */
static int id_index_put(gt_id_index *x, uint64_t id, size_t index)
{
    if (index >= UINT32_MAX - 1)
        return -1;
    if (id >= GT_TABLE_DENSE_IDS)
        return gt_u64map_put(&x->sparse, id, index);
    if (id >= x->nslot) {
        size_t n = x->nslot ? x->nslot : 256;
        while (n <= id)
            n *= 2;
        uint32_t *ns = realloc(x->slot, n * sizeof *ns);
        if (!ns)
            return -1;
        memset(ns + x->nslot, 0, (n - x->nslot) * sizeof *ns);
        x->slot = ns;
        x->nslot = n;
    }
    x->slot[id] = (uint32_t)index + 1;
    return 0;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int gt_id_index_each(const gt_id_index *x, int (*f)(uint64_t id, size_t index, void *arg), void *arg)
{
    for (size_t id = 0; id < x->nslot; id++)
        if (x->slot[id]) {
            int rc = f(id, x->slot[id] - 1, arg);
            if (rc)
                return rc;
        }
    if (!x->sparse.len)
        return 0;
    /* Only hostile traces get here: sort the large IDs. */
    uint64_t *ids = malloc(x->sparse.len * sizeof *ids);
    if (!ids)
        return -1;
    size_t k = 0;
    for (size_t j = 0; j < x->sparse.cap; j++)
        if (x->sparse.used[j])
            ids[k++] = x->sparse.keys[j];
    qsort(ids, k, sizeof *ids, u64_cmp);
    int rc = 0;
    for (size_t i = 0; i < k && !rc; i++)
        rc = f(ids[i], (size_t)*gt_u64map_get(&x->sparse, ids[i]), arg);
    free(ids);
    return rc;
}

void gt_table_free(gt_table *t)
{
    if (!t)
        return;
    id_index_free(&t->string_index);
    id_index_free(&t->stack_index);
    gt_u64map_free(&t->frame_index);
    gt_u64map_free(&t->stw_names);
    gt_u64map_free(&t->stack_texts);
    free(t->stack_text);
    free(t->strings);
    free(t->stacks);
    free(t->frames);
    free(t->extra);
    free(t->exp_batches);
    free(t->stack_frames);
    gt_arena_free(&t->cache_arena);
    gt_arena_free(&t->arena);
    free(t);
}

int gt_table_grow(void **arr, size_t *cap, size_t len, size_t sz)
{
    if (len < *cap)
        return 0;
    /* Small first: some arrays exist once per M or per ID (a trace can have
     * millions), so an empty-ish array must cost little. */
    size_t ncap = *cap ? *cap * 2 : 4;
    void *n = realloc(*arr, ncap * sz);
    if (!n)
        return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

int gt_table_add_string(gt_table *t, uint64_t id, const void *p, size_t len)
{
    if (id == 0 || gt_id_index_get(&t->string_index, id) >= 0)
        return 1;
    t->resolved = 0;
    if (gt_table_grow((void **)&t->strings, &t->capstrings, t->nstrings, sizeof *t->strings))
        return -1;
    char *copy = gt_arena_dup(&t->arena, p, len);
    if (!copy && len)
        return -1;
    if (id_index_put(&t->string_index, id, t->nstrings))
        return -1;
    t->strings[t->nstrings++] = (gt_str){copy, len};
    return 0;
}

uint64_t gt_table_append_string(gt_table *t, const void *p, size_t len)
{
    uint64_t id = t->nstrings + 1;
    while (gt_id_index_get(&t->string_index, id) >= 0)
        id++;
    return gt_table_add_string(t, id, p, len) == 0 ? id : 0;
}

int gt_table_add_stack(gt_table *t, uint64_t id, const uint64_t *pcs, uint32_t n)
{
    if (id == 0 || gt_id_index_get(&t->stack_index, id) >= 0)
        return 1;
    t->resolved = 0;
    if (gt_table_grow((void **)&t->stacks, &t->capstacks, t->nstacks, sizeof *t->stacks))
        return -1;
    uint64_t *copy = gt_arena_dup(&t->arena, pcs, (size_t)n * sizeof *pcs);
    if (!copy && n)
        return -1;
    if (id_index_put(&t->stack_index, id, t->nstacks))
        return -1;
    t->stacks[t->nstacks++] = (gt_stack_rec){copy, n, NULL};
    return 0;
}

uint64_t gt_table_append_stack(gt_table *t, const uint64_t *pcs, uint32_t n)
{
    uint64_t id = t->nstacks + 1;
    while (gt_id_index_get(&t->stack_index, id) >= 0)
        id++;
    return gt_table_add_stack(t, id, pcs, n) == 0 ? id : 0;
}

static int put_frame(gt_table *t, const gt_frame_rec *f, int replace)
{
    t->resolved = 0;
    int inserted = 0;
    uint64_t *slot = gt_u64map_upsert(&t->frame_index, f->pc, &inserted);
    if (!slot)
        return -1;
    if (!inserted) {
        if (replace)
            t->frames[*slot] = *f;
        return 0;
    }
    if (gt_table_grow((void **)&t->frames, &t->capframes, t->nframes, sizeof *t->frames)) {
        /* keep the map consistent: point at a frame we can still store */
        return -1;
    }
    *slot = t->nframes;
    t->frames[t->nframes++] = *f;
    return 0;
}

int gt_table_add_frame(gt_table *t, const gt_frame_rec *f) { return put_frame(t, f, 0); }
int gt_table_set_frame(gt_table *t, const gt_frame_rec *f) { return put_frame(t, f, 1); }

const gt_frame_rec *gt_table_frame(const gt_table *t, uint64_t pc)
{
    const uint64_t *i = gt_u64map_get(&t->frame_index, pc);
    return i ? &t->frames[*i] : NULL;
}

int gt_table_resolve(gt_table *t)
{
    t->resolved = 0;
    gt_frame *rf = gt_arena_alloc(&t->arena, t->nframes * sizeof *rf);
    if (!rf && t->nframes)
        return -1;
    for (size_t i = 0; i < t->nframes; i++) {
        const gt_frame_rec *f = &t->frames[i];
        rf[i] = (gt_frame){f->pc, {"", 0}, {"", 0}, f->line};
        gt_table_string(t, f->func_id, &rf[i].func);
        gt_table_string(t, f->file_id, &rf[i].file);
    }
    for (size_t s = 0; s < t->nstacks; s++) {
        gt_stack_rec *rec = &t->stacks[s];
        uint32_t *idx = gt_arena_alloc(&t->arena, (size_t)rec->n * sizeof *idx);
        if (!idx && rec->n)
            return -1;
        for (uint32_t k = 0; k < rec->n; k++) {
            const uint64_t *slot = gt_u64map_get(&t->frame_index, rec->pcs[k]);
            idx[k] = slot ? (uint32_t)*slot : GT_NO_FRAME;
        }
        rec->frame_idx = idx;
    }
    t->resolved_frames = rf;
    t->resolved = 1;
    return 0;
}

uint64_t gt_table_add_extra(gt_table *t, const void *p, size_t len)
{
    if (len == 0)
        return 0;
    /* Few distinct extra strings exist per generation (task types, STW
     * kinds): a linear scan is cheaper than a second map. */
    for (size_t i = 0; i < t->nextra; i++)
        if (t->extra[i].len == len && memcmp(t->extra[i].ptr, p, len) == 0)
            return i + 1;
    if (gt_table_grow((void **)&t->extra, &t->capextra, t->nextra, sizeof *t->extra))
        return UINT64_MAX;
    char *copy = gt_arena_dup(&t->arena, p, len);
    if (!copy)
        return UINT64_MAX;
    t->extra[t->nextra++] = (gt_str){copy, len};
    return t->nextra;
}

gt_str gt_table_extra(const gt_table *t, uint64_t id)
{
    if (id == 0 || id > t->nextra)
        return (gt_str){"", 0};
    return t->extra[id - 1];
}

int gt_table_add_exp_batch(gt_table *t, uint8_t experiment, int64_t thread, const void *data, size_t len)
{
    if (gt_table_grow((void **)&t->exp_batches, &t->capexp_batches, t->nexp_batches, sizeof *t->exp_batches))
        return -1;
    uint8_t *copy = gt_arena_dup(&t->arena, data, len);
    if (!copy && len)
        return -1;
    t->exp_batches[t->nexp_batches++] = (gt_exp_batch_rec){experiment, thread, copy, len};
    return 0;
}

int64_t gt_table_time(const gt_table *t, uint64_t ts) { return gt_time_mul(t->freq, ts); }

gt_str gt_table_stw_name(const gt_table *t, gt_str kind)
{
    static const char prefix[] = "stop-the-world (";
    static const gt_str unknown = {"stop-the-world (?)", 18};
    gt_table *cache = (gt_table *)t;
    /* The kind string lives in this table, so its address names it. */
    uint64_t key = (uint64_t)(uintptr_t)kind.ptr ^ ((uint64_t)kind.len << 48);
    const uint64_t *hit = gt_u64map_get(&t->stw_names, key);
    if (hit)
        return *(const gt_str *)(uintptr_t)*hit;
    size_t n = sizeof prefix - 1 + kind.len + 1;
    gt_str *name = gt_arena_alloc(&cache->cache_arena, sizeof *name);
    char *text = gt_arena_alloc(&cache->cache_arena, n);
    if (!name || !text)
        return unknown;
    memcpy(text, prefix, sizeof prefix - 1);
    if (kind.len)
        memcpy(text + sizeof prefix - 1, kind.ptr, kind.len);
    text[n - 1] = ')';
    *name = (gt_str){text, n};
    if (gt_u64map_put(&cache->stw_names, key, (uint64_t)(uintptr_t)name))
        return unknown;
    return *name;
}

size_t gt_table_stack_frames(const gt_table *t, uint64_t id, const gt_frame **out)
{
    *out = NULL;
    int64_t i = id ? gt_id_index_get(&t->stack_index, id) : -1;
    if (i < 0)
        return 0;
    const gt_stack_rec *rec = &t->stacks[i];
    if (rec->n == 0)
        return 0;
    if ((size_t)i < t->nstack_frames && t->stack_frames[i]) {
        *out = t->stack_frames[i];
        return rec->n;
    }
    gt_table *cache = (gt_table *)t;
    if (cache->nstack_frames < t->nstacks) {
        const gt_frame **na = realloc(cache->stack_frames, t->nstacks * sizeof *na);
        if (!na)
            return 0;
        memset(na + cache->nstack_frames, 0, (t->nstacks - cache->nstack_frames) * sizeof *na);
        cache->stack_frames = na;
        cache->nstack_frames = t->nstacks;
    }
    gt_frame *frames = gt_arena_alloc(&cache->cache_arena, (size_t)rec->n * sizeof *frames);
    if (!frames)
        return 0;
    for (size_t k = 0; k < rec->n; k++)
        frames[k] = gt_table_stack_frame(t, rec, k);
    cache->stack_frames[i] = frames;
    *out = frames;
    return rec->n;
}

int gt_table_stack_text(const gt_table *t, uint64_t id, gt_str *out)
{
    const uint64_t *i = gt_u64map_get(&t->stack_texts, id);
    if (!i)
        return 0;
    *out = t->stack_text[*i];
    return 1;
}

int gt_table_put_stack_text(const gt_table *t, uint64_t id, const char *p, size_t n)
{
    gt_table *cache = (gt_table *)t;
    if (gt_table_grow((void **)&cache->stack_text, &cache->capstack_text, cache->nstack_text, sizeof *cache->stack_text))
        return -1;
    char *copy = gt_arena_dup(&cache->cache_arena, p, n);
    if (!copy && n)
        return -1;
    if (gt_u64map_put(&cache->stack_texts, id, cache->nstack_text))
        return -1;
    cache->stack_text[cache->nstack_text++] = (gt_str){copy, n};
    return 0;
}
