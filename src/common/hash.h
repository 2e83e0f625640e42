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

/* Returns a pointer to the value of key, or NULL. Valid until the next put. */
uint64_t *gt_u64map_get(const gt_u64map *m, uint64_t key);
/* Inserts or overwrites. Returns 0, or -1 when memory runs out. */
int gt_u64map_put(gt_u64map *m, uint64_t key, uint64_t val);
/* Returns the value slot for key, inserting it with *inserted = 1 and value 0
 * when absent. NULL when memory runs out. */
uint64_t *gt_u64map_upsert(gt_u64map *m, uint64_t key, int *inserted);
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
