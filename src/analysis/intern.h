/* String interning for the analyses: every name, reason and log text they
 * keep is copied once into an arena, and equal contents get the same pointer,
 * so maps keyed by these strings compare pointers. */
#ifndef GT_ANALYSIS_INTERN_H
#define GT_ANALYSIS_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/hash.h"
#include "gotrace.h"

/* A string an interner was asked for lately, by where it lay: analyses
 * intern the same few strings of a generation's table (wait reasons, range
 * names) once per event, and a hit costs one comparison of the bytes
 * instead of a hash of them and a map lookup. The bytes are compared, not
 * only the pointer: a later table may put other bytes at the same address. */
typedef struct gt_intern_memo {
    const char *ptr;
    size_t len;
    uint32_t id;         /* index + 1; 0: empty */
} gt_intern_memo;

enum { GT_INTERN_MEMO = 16 };  /* entries; a power of two */

typedef struct gt_interner {
    gt_arena arena;      /* the bytes, and the entries */
    gt_u64map first;     /* content hash -> index + 1 of the first entry */
    gt_str *strs;        /* entry i */
    uint32_t *next;      /* next entry with the same hash, index + 1; 0 ends */
    size_t n, cap;
    gt_intern_memo memo[GT_INTERN_MEMO];
} gt_interner;

#define GT_INTERNER_INIT {GT_ARENA_INIT, GT_U64MAP_INIT, NULL, NULL, 0, 0, {{NULL, 0, 0}}}

/* Returns the interned copy of s (ptr never NULL, NUL-terminated for
 * convenience), or {NULL, 0} when memory runs out. The copy lives until
 * gt_interner_free. */
gt_str gt_intern(gt_interner *in, gt_str s);
/* The same, as the entry's index + 1 (entries are numbered in the order
 * they were added: strs[id - 1]), or 0 when memory runs out. */
size_t gt_intern_id(gt_interner *in, gt_str s);
/* Same for a NUL-terminated C string. */
gt_str gt_intern_cstr(gt_interner *in, const char *s);
void gt_interner_free(gt_interner *in);

/* Byte-wise comparison, shorter first on a common prefix (Go's string order). */
int gt_str_cmp(gt_str a, gt_str b);
int gt_str_eq_cstr(gt_str a, const char *s);

/* Grows a malloc'd array geometrically so it holds at least need elements.
 * Returns 0, or -1 (array unchanged) when memory runs out. */
int gt_grow_array(void **arr, size_t *cap, size_t need, size_t elem_size);

/* A window's bound on the trace clock (gotrace/window.h): first + rel
 * (rel >= 0), INT64_MAX when that overflows. */
int64_t gt_window_at(int64_t first, int64_t rel);

#endif
