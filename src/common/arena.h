/* Bump allocator in chunks, freed as a whole. One arena per generation holds
 * everything whose lifetime is that generation (tables, batch copies, derived
 * strings), so the reader never frees per event. */
#ifndef GT_COMMON_ARENA_H
#define GT_COMMON_ARENA_H

#include <stddef.h>

typedef struct gt_arena_chunk gt_arena_chunk;

typedef struct gt_arena {
    gt_arena_chunk *head;  /* newest chunk */
    size_t total;          /* bytes held in all chunks */
} gt_arena;

#define GT_ARENA_INIT {NULL, 0}

/* Returns n bytes aligned to 16, or NULL when memory runs out. n == 0 is fine. */
void *gt_arena_alloc(gt_arena *a, size_t n);
/* Like gt_arena_alloc, then copies n bytes from p. */
void *gt_arena_dup(gt_arena *a, const void *p, size_t n);
/* Frees all chunks but the newest, and rewinds it: memory is reused. */
void gt_arena_reset(gt_arena *a);
/* Frees everything. The arena may be reused afterwards. */
void gt_arena_free(gt_arena *a);

#endif
