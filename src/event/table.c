#include "event/table.h"

#include <stdlib.h>
#include <string.h>

gt_table *gt_table_new(void)
{
    gt_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (pthread_mutex_init(&t->cache_mu, NULL) != 0) {
        free(t);
        return NULL;
    }
    atomic_init(&t->nextra, 0);
    atomic_init(&t->stack_caches, NULL);
    return t;
}

int gt_event_initial_procs(const gt_event *ev, int64_t *time, uint64_t *procs)
{
    const gt_table *t = ev->priv_table;
    if (!t || !t->has_initial_procs)
        return 0;
    *time = t->initial_procs_time;
    *procs = t->initial_procs;
    return 1;
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
    if (id >= x->nslot) {
        /* Grow the array only while it stays dense (see gt_id_index): the
         * new size is below 2 * id, so at most 4 * (count + 1) slots. */
        uint64_t dense_limit = 2 * ((uint64_t)x->count + 1);
        if (dense_limit < GT_ID_INDEX_MIN_DENSE)
            dense_limit = GT_ID_INDEX_MIN_DENSE;
        if (id >= dense_limit) {
            if (gt_u64map_put(&x->sparse, id, index))
                return -1;
            x->count++;
            return 0;
        }
        size_t n = x->nslot ? x->nslot : GT_ID_INDEX_MIN_DENSE;
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
    x->count++;
    return 0;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int gt_id_index_each(const gt_id_index *x, int (*f)(uint64_t id, size_t index, void *arg), void *arg)
{
    /* The hashed IDs, sorted, are merged into the walk over the array. */
    uint64_t *ids = NULL;
    size_t k = 0;
    if (x->sparse.len) {
        ids = malloc(x->sparse.len * sizeof *ids);
        if (!ids)
            return -1;
        for (size_t j = 0; j < x->sparse.cap; j++)
            if (x->sparse.used[j])
                ids[k++] = x->sparse.keys[j];
        qsort(ids, k, sizeof *ids, u64_cmp);
    }
    int rc = 0;
    size_t next = 0;
    for (size_t id = 0; id < x->nslot && !rc; id++) {
        for (; next < k && ids[next] < id && !rc; next++)
            rc = f(ids[next], (size_t)*gt_u64map_get(&x->sparse, ids[next]), arg);
        if (x->slot[id] && !rc)
            rc = f(id, x->slot[id] - 1, arg);
    }
    for (; next < k && !rc; next++)
        rc = f(ids[next], (size_t)*gt_u64map_get(&x->sparse, ids[next]), arg);
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
    free(t->strings);
    free(t->stacks);
    free(t->frames);
    free(t->exp_batches);
    gt_arena_free(&t->cache_arena);
    gt_buf_free(&t->event_text);
    pthread_mutex_destroy(&t->cache_mu);
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

/* Where extra string index i (ID i + 1) lives: block *b, entry *k. */
static void extra_slot(size_t i, size_t *b, size_t *k)
{
    /* Block b starts at index GT_EXTRA_BLOCK0 * (2^b - 1). */
    size_t q = i / GT_EXTRA_BLOCK0 + 1;
    size_t blk = 0;
    while (q >> (blk + 1))
        blk++;
    *b = blk;
    *k = i - GT_EXTRA_BLOCK0 * (((size_t)1 << blk) - 1);
}

uint64_t gt_table_add_extra(gt_table *t, const void *p, size_t len)
{
    if (len == 0)
        return 0;
    /* Only this thread adds extras, so a relaxed read of the count is its
     * own last store. Few distinct extra strings exist per generation (task
     * types, STW kinds): a linear scan is cheaper than a second map. */
    size_t n = atomic_load_explicit(&t->nextra, memory_order_relaxed);
    for (size_t i = 0; i < n; i++) {
        size_t b, k;
        extra_slot(i, &b, &k);
        const gt_str *e = &t->extra_blocks[b][k];
        if (e->len == len && memcmp(e->ptr, p, len) == 0)
            return i + 1;
    }
    size_t b, k;
    extra_slot(n, &b, &k);
    if (b >= GT_EXTRA_NBLOCKS)
        return UINT64_MAX;
    if (!t->extra_blocks[b]) {
        t->extra_blocks[b] = gt_arena_alloc(&t->arena, (GT_EXTRA_BLOCK0 << b) * sizeof(gt_str));
        if (!t->extra_blocks[b])
            return UINT64_MAX;
    }
    char *copy = gt_arena_dup(&t->arena, p, len);
    if (!copy)
        return UINT64_MAX;
    t->extra_blocks[b][k] = (gt_str){copy, len};
    atomic_store_explicit(&t->nextra, n + 1, memory_order_release);
    return n + 1;
}

gt_str gt_table_extra(const gt_table *t, uint64_t id)
{
    size_t n = atomic_load_explicit(&((gt_table *)t)->nextra, memory_order_acquire);
    if (id == 0 || id > n)
        return (gt_str){"", 0};
    size_t b, k;
    extra_slot((size_t)id - 1, &b, &k);
    return t->extra_blocks[b][k];
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
    gt_str result = unknown;
    pthread_mutex_lock(&cache->cache_mu);
    const uint64_t *hit = gt_u64map_get(&t->stw_names, key);
    if (hit) {
        result = *(const gt_str *)(uintptr_t)*hit;
    } else {
        size_t n = sizeof prefix - 1 + kind.len + 1;
        gt_str *name = gt_arena_alloc(&cache->cache_arena, sizeof *name);
        char *text = gt_arena_alloc(&cache->cache_arena, n);
        if (name && text) {
            memcpy(text, prefix, sizeof prefix - 1);
            if (kind.len)
                memcpy(text + sizeof prefix - 1, kind.ptr, kind.len);
            text[n - 1] = ')';
            *name = (gt_str){text, n};
            if (gt_u64map_put(&cache->stw_names, key, (uint64_t)(uintptr_t)name) == 0)
                result = *name;
        }
    }
    pthread_mutex_unlock(&cache->cache_mu);
    return result;
}

/* The cache entry of stack index i, making the table's caches when it has
 * none yet (or too few, if stacks were added since). Call with cache_mu
 * held. NULL when memory runs out. */
static gt_stack_cache *stack_cache_locked(gt_table *t, size_t i)
{
    gt_stack_caches *c = atomic_load_explicit(&t->stack_caches, memory_order_relaxed);
    if (!c || i >= c->n) {
        /* Readers may still hold the old array: it stays in the arena, and
         * its filled entries are carried over. */
        gt_stack_caches *nc = gt_arena_alloc(&t->cache_arena, sizeof *nc + t->nstacks * sizeof nc->e[0]);
        if (!nc)
            return NULL;
        nc->n = t->nstacks;
        for (size_t k = 0; k < nc->n; k++) {
            int old = c && k < c->n;
            atomic_init(&nc->e[k].frames, old ? atomic_load_explicit(&c->e[k].frames, memory_order_relaxed) : NULL);
            atomic_init(&nc->e[k].text, old ? atomic_load_explicit(&c->e[k].text, memory_order_relaxed) : NULL);
        }
        atomic_store_explicit(&t->stack_caches, nc, memory_order_release);
        c = nc;
    }
    return i < c->n ? &c->e[i] : NULL;
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
    gt_stack_cache *e = gt_table_stack_cache(t, (size_t)i);
    const gt_frame *frames = e ? atomic_load_explicit(&e->frames, memory_order_acquire) : NULL;
    if (frames) {
        *out = frames;
        return rec->n;
    }
    gt_table *cache = (gt_table *)t;
    pthread_mutex_lock(&cache->cache_mu);
    e = stack_cache_locked(cache, (size_t)i);
    frames = e ? atomic_load_explicit(&e->frames, memory_order_relaxed) : NULL;
    if (e && !frames) {
        gt_frame *built = gt_arena_alloc(&cache->cache_arena, (size_t)rec->n * sizeof *built);
        if (built) {
            for (size_t k = 0; k < rec->n; k++)
                built[k] = gt_table_stack_frame(t, rec, k);
            atomic_store_explicit(&e->frames, built, memory_order_release);
            frames = built;
        }
    }
    pthread_mutex_unlock(&cache->cache_mu);
    *out = frames;
    return frames ? rec->n : 0;
}

int gt_table_stack_text(const gt_table *t, uint64_t id, gt_str *out)
{
    int64_t i = id ? gt_id_index_get(&t->stack_index, id) : -1;
    gt_stack_cache *e = i >= 0 ? gt_table_stack_cache(t, (size_t)i) : NULL;
    const gt_str *text = e ? atomic_load_explicit(&e->text, memory_order_acquire) : NULL;
    if (!text)
        return 0;
    *out = *text;
    return 1;
}

int gt_table_put_stack_text(const gt_table *t, uint64_t id, const char *p, size_t n)
{
    int64_t i = id ? gt_id_index_get(&t->stack_index, id) : -1;
    if (i < 0)
        return 0;
    gt_table *cache = (gt_table *)t;
    int rc = -1;
    pthread_mutex_lock(&cache->cache_mu);
    gt_stack_cache *e = stack_cache_locked(cache, (size_t)i);
    if (e && atomic_load_explicit(&e->text, memory_order_relaxed)) {
        rc = 0;
    } else if (e) {
        gt_str *text = gt_arena_alloc(&cache->cache_arena, sizeof *text);
        char *copy = gt_arena_dup(&cache->cache_arena, p, n);
        if (text && (copy || !n)) {
            *text = (gt_str){copy, n};
            atomic_store_explicit(&e->text, text, memory_order_release);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&cache->cache_mu);
    return rc;
}
