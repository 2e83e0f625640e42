/* Open-addressing hash map from uint64 keys to uint64 values. Keys are any
 * uint64 (no reserved key). Growth is geometric; lookups never allocate. */
#ifndef GT_COMMON_HASH_H
#define GT_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct gt_u64map {
    uint64_t *keys;
    uint64_t *vals;
    uint8_t *used;
    size_t cap;   /* power of two, or 0 */
    size_t len;
} gt_u64map;

#define GT_U64MAP_INIT {NULL, NULL, NULL, 0, 0}

static inline uint64_t gt_hash_u64(uint64_t x);

/* Returns a pointer to the value of key, or NULL. Valid until the next put.
 * Inline, as gt_u64map_upsert's finding an existing key: the analyses look
 * goroutines up several times per event. */
static inline uint64_t *gt_u64map_get(const gt_u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = gt_hash_u64(key) & mask; m->used[i]; i = (i + 1) & mask)
        if (m->keys[i] == key)
            return &m->vals[i];
    return NULL;
}
/* gt_u64map_get out of line: for a rare path inside a hot inline function
 * (gt_id_index_get), which should stay small. */
uint64_t *gt_u64map_get_cold(const gt_u64map *m, uint64_t key);
/* Inserts or overwrites. Returns 0, or -1 when memory runs out. */
int gt_u64map_put(gt_u64map *m, uint64_t key, uint64_t val);
/* gt_u64map_upsert for a key known to be absent. */
uint64_t *gt_u64map_insert_absent(gt_u64map *m, uint64_t key, int *inserted);
/* Returns the value slot for key, inserting it with *inserted = 1 and value 0
 * when absent. NULL when memory runs out. */
static inline uint64_t *gt_u64map_upsert(gt_u64map *m, uint64_t key, int *inserted)
{
    uint64_t *v = gt_u64map_get(m, key);
    if (v) {
        if (inserted)
            *inserted = 0;
        return v;
    }
    return gt_u64map_insert_absent(m, key, inserted);
}
/* Removes key (backward-shift deletion: no tombstones, lookups stay as
 * short as before). Returns 1 when it was there, else 0. Value pointers from
 * earlier calls are invalid afterwards (entries move). */
int gt_u64map_remove(gt_u64map *m, uint64_t key);
void gt_u64map_clear(gt_u64map *m);  /* keeps memory */
void gt_u64map_free(gt_u64map *m);

/* A hash of n bytes at p (p may be NULL when n is 0) for the interning
 * tables, which compare contents on a match: eight bytes a step, so a
 * function name of 40 bytes costs 6 multiplies, not 40 (FNV-1a's).
 * Not stable across byte orders; never written anywhere. */
uint64_t gt_hash_bytes(const void *p, size_t n);

static inline uint64_t gt_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
