#include "analysis/intern.h"

#include <stdlib.h>
#include <string.h>

int gt_grow_array(void **arr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem_size)
            return -1;
        ncap *= 2;
    }
    void *p = realloc(*arr, ncap * elem_size);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

gt_str gt_intern(gt_interner *in, gt_str s)
{
    size_t id = gt_intern_id(in, s);
    return id ? in->strs[id - 1] : (gt_str){NULL, 0};
}

static size_t intern_slow(gt_interner *in, gt_str s);

size_t gt_intern_id(gt_interner *in, gt_str s)
{
    gt_intern_memo *e = &in->memo[(((uintptr_t)s.ptr >> 3) ^ s.len) & (GT_INTERN_MEMO - 1)];
    if (e->id && e->ptr == s.ptr && e->len == s.len &&
        (s.len == 0 || !memcmp(in->strs[e->id - 1].ptr, s.ptr, s.len)))
        return e->id;
    size_t id = intern_slow(in, s);
    if (id)
        *e = (gt_intern_memo){s.ptr, s.len, (uint32_t)id};
    return id;
}

static size_t intern_slow(gt_interner *in, gt_str s)
{
    static const size_t fail = 0;
    const char *src = s.len ? s.ptr : "";
    uint64_t h = gt_hash_bytes(src, s.len);
    uint64_t *slot = gt_u64map_get(&in->first, h);
    for (uint32_t i = slot ? (uint32_t)*slot : 0; i; i = in->next[i - 1]) {
        gt_str c = in->strs[i - 1];
        if (c.len == s.len && !memcmp(c.ptr, src, s.len))
            return i;
    }
    if (in->n == in->cap) {
        size_t cap = in->cap;
        void *strs = in->strs, *next = in->next;
        if (gt_grow_array(&strs, &cap, in->n + 1, sizeof(gt_str)))
            return fail;
        in->strs = strs;
        cap = in->cap;
        if (gt_grow_array(&next, &cap, in->n + 1, sizeof(uint32_t)))
            return fail;
        in->next = next;
        in->cap = cap;
    }
    char *copy = gt_arena_alloc(&in->arena, s.len + 1);
    if (!copy)
        return fail;
    memcpy(copy, src, s.len);
    copy[s.len] = 0;
    uint32_t idx = (uint32_t)in->n + 1;
    in->strs[in->n] = (gt_str){copy, s.len};
    in->next[in->n] = slot ? (uint32_t)*slot : 0;
    if (gt_u64map_put(&in->first, h, idx))
        return fail;
    in->n++;
    return idx;
}

gt_str gt_intern_cstr(gt_interner *in, const char *s)
{
    return gt_intern(in, (gt_str){s, strlen(s)});
}

void gt_interner_free(gt_interner *in)
{
    gt_arena_free(&in->arena);
    gt_u64map_free(&in->first);
    free(in->strs);
    free(in->next);
    in->strs = NULL;
    in->next = NULL;
    in->n = in->cap = 0;
    memset(in->memo, 0, sizeof in->memo);
}

int gt_str_cmp(gt_str a, gt_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

int gt_str_eq_cstr(gt_str a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || !memcmp(a.ptr, s, n));
}
