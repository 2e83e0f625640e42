#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct gt_arena_chunk {
    gt_arena_chunk *next;
    size_t size;  /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char mem[];
};

enum { GT_ARENA_MIN_CHUNK = 64 * 1024 };

void *gt_arena_alloc(gt_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    gt_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = GT_ARENA_MIN_CHUNK;
        if (c && c->size < (size_t)64 << 20)
            size = c->size * 2;  /* geometric: few chunks for big generations */
        if (size < n)
            size = n;
        if (size > SIZE_MAX - sizeof *c)
            return NULL;
        gt_arena_chunk *nc = malloc(sizeof *nc + size);
        if (!nc)
            return NULL;
        nc->next = c;
        nc->size = size;
        nc->used = 0;
        a->head = nc;
        a->total += size;
        c = nc;
    }
    void *p = c->mem + c->used;
    c->used += n;
    return p;
}

void *gt_arena_dup(gt_arena *a, const void *p, size_t n)
{
    void *d = gt_arena_alloc(a, n);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

void gt_arena_reset(gt_arena *a)
{
    gt_arena_chunk *c = a->head;
    if (!c)
        return;
    gt_arena_chunk *rest = c->next;
    while (rest) {
        gt_arena_chunk *n = rest->next;
        free(rest);
        rest = n;
    }
    c->next = NULL;
    c->used = 0;
    a->total = c->size;
}

void gt_arena_free(gt_arena *a)
{
    gt_arena_chunk *c = a->head;
    while (c) {
        gt_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
    a->total = 0;
}
