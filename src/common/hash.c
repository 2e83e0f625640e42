#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t *gt_u64map_get_cold(const gt_u64map *m, uint64_t key) { return gt_u64map_get(m, key); }

uint64_t gt_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)s[i] << (8 * i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static int grow(gt_u64map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    uint64_t *keys = malloc(ncap * sizeof *keys);
    uint64_t *vals = malloc(ncap * sizeof *vals);
    uint8_t *used = calloc(ncap, 1);
    if (!keys || !vals || !used) {
        free(keys);
        free(vals);
        free(used);
        return -1;
    }
    size_t mask = ncap - 1;
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->used[j])
            continue;
        size_t i = gt_hash_u64(m->keys[j]) & mask;
        while (used[i])
            i = (i + 1) & mask;
        used[i] = 1;
        keys[i] = m->keys[j];
        vals[i] = m->vals[j];
    }
    free(m->keys);
    free(m->vals);
    free(m->used);
    m->keys = keys;
    m->vals = vals;
    m->used = used;
    m->cap = ncap;
    return 0;
}

uint64_t *gt_u64map_insert_absent(gt_u64map *m, uint64_t key, int *inserted)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m))
        return NULL;
    size_t mask = m->cap - 1;
    size_t i = gt_hash_u64(key) & mask;
    while (m->used[i])
        i = (i + 1) & mask;
    m->used[i] = 1;
    m->keys[i] = key;
    m->vals[i] = 0;
    m->len++;
    if (inserted)
        *inserted = 1;
    return &m->vals[i];
}

int gt_u64map_put(gt_u64map *m, uint64_t key, uint64_t val)
{
    uint64_t *v = gt_u64map_upsert(m, key, NULL);
    if (!v)
        return -1;
    *v = val;
    return 0;
}

int gt_u64map_remove(gt_u64map *m, uint64_t key)
{
    if (!m->cap)
        return 0;
    size_t mask = m->cap - 1, hole = gt_hash_u64(key) & mask;
    while (m->used[hole] && m->keys[hole] != key)
        hole = (hole + 1) & mask;
    if (!m->used[hole])
        return 0;
    /* Entries after the hole in its probe run move back into it unless their
     * home slot lies (cyclically) after the hole, up to where they are. */
    for (size_t j = (hole + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = gt_hash_u64(m->keys[j]) & mask;
        int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->used[hole] = 0;
    m->len--;
    return 1;
}

void gt_u64map_clear(gt_u64map *m)
{
    if (m->cap)
        memset(m->used, 0, m->cap);
    m->len = 0;
}

void gt_u64map_free(gt_u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}
