/* A transcription of Go's pdqsortCmpFunc (slices/zsortanyfunc.go) over
 * untyped elements. Indices are ptrdiff_t like Go's ints. */
#include "common/gosort.h"

#include <stdint.h>
#include <string.h>

typedef struct {
    unsigned char *base;
    size_t sz;
    int (*cmp)(const void *, const void *);
} sorter;

enum { INCREASING = 1, DECREASING = 2, UNKNOWN = 0 };

static void *at(const sorter *s, ptrdiff_t i) { return s->base + (size_t)i * s->sz; }
static int less(const sorter *s, ptrdiff_t i, ptrdiff_t j) { return s->cmp(at(s, i), at(s, j)) < 0; }
static void swap(const sorter *s, ptrdiff_t i, ptrdiff_t j)
{
    unsigned char tmp[64];
    memcpy(tmp, at(s, i), s->sz);
    memcpy(at(s, i), at(s, j), s->sz);
    memcpy(at(s, j), tmp, s->sz);
}

static unsigned bits_len(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static void insertion_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    for (ptrdiff_t i = a + 1; i < b; i++)
        for (ptrdiff_t j = i; j > a && less(s, j, j - 1); j--)
            swap(s, j, j - 1);
}

static void sift_down(const sorter *s, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t first)
{
    ptrdiff_t root = lo;
    for (;;) {
        ptrdiff_t child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && less(s, first + child, first + child + 1))
            child++;
        if (!less(s, first + root, first + child))
            return;
        swap(s, first + root, first + child);
        root = child;
    }
}

static void heap_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    ptrdiff_t first = a, lo = 0, hi = b - a;
    for (ptrdiff_t i = (hi - 1) / 2; i >= 0; i--)
        sift_down(s, i, hi, first);
    for (ptrdiff_t i = hi - 1; i >= 0; i--) {
        swap(s, first, first + i);
        sift_down(s, lo, i, first);
    }
}

static ptrdiff_t partition(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot, int *already)
{
    swap(s, a, pivot);
    ptrdiff_t i = a + 1, j = b - 1;
    while (i <= j && less(s, i, a))
        i++;
    while (i <= j && !less(s, j, a))
        j--;
    if (i > j) {
        swap(s, j, a);
        *already = 1;
        return j;
    }
    swap(s, i, j);
    i++;
    j--;
    for (;;) {
        while (i <= j && less(s, i, a))
            i++;
        while (i <= j && !less(s, j, a))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        i++;
        j--;
    }
    swap(s, j, a);
    *already = 0;
    return j;
}

static ptrdiff_t partition_equal(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot)
{
    swap(s, a, pivot);
    ptrdiff_t i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !less(s, a, i))
            i++;
        while (i <= j && less(s, a, j))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        i++;
        j--;
    }
    return i;
}

static int partial_insertion_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    enum { MAX_STEPS = 5, SHORTEST_SHIFTING = 50 };
    ptrdiff_t i = a + 1;
    for (int step = 0; step < MAX_STEPS; step++) {
        while (i < b && !less(s, i, i - 1))
            i++;
        if (i == b)
            return 1;
        if (b - a < SHORTEST_SHIFTING)
            return 0;
        swap(s, i, i - 1);
        if (i - a >= 2)
            for (ptrdiff_t j = i - 1; j >= 1; j--) {
                if (!less(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
        if (b - i >= 2)
            for (ptrdiff_t j = i + 1; j < b; j++) {
                if (!less(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
    }
    return 0;
}

static void break_patterns(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    ptrdiff_t length = b - a;
    if (length < 8)
        return;
    uint64_t random = (uint64_t)length;
    uint64_t modulus = (uint64_t)1 << bits_len((uint64_t)length);
    for (ptrdiff_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        ptrdiff_t other = (ptrdiff_t)(random & (modulus - 1));
        if (other >= length)
            other -= length;
        swap(s, idx, a + other);
    }
}

static void order2(const sorter *s, ptrdiff_t *a, ptrdiff_t *b, int *swaps)
{
    if (less(s, *b, *a)) {
        (*swaps)++;
        ptrdiff_t t = *a;
        *a = *b;
        *b = t;
    }
}

static ptrdiff_t median(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static ptrdiff_t choose_pivot(const sorter *s, ptrdiff_t a, ptrdiff_t b, int *hint)
{
    enum { SHORTEST_NINTHER = 50, MAX_SWAPS = 4 * 3 };
    ptrdiff_t l = b - a;
    int swaps = 0;
    ptrdiff_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= SHORTEST_NINTHER) {
            i = median(s, i - 1, i, i + 1, &swaps);
            j = median(s, j - 1, j, j + 1, &swaps);
            k = median(s, k - 1, k, k + 1, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING : swaps == MAX_SWAPS ? DECREASING : UNKNOWN;
    return j;
}

static void reverse_range(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    for (ptrdiff_t i = a, j = b - 1; i < j; i++, j--)
        swap(s, i, j);
}

static void pdqsort(const sorter *s, ptrdiff_t a, ptrdiff_t b, unsigned limit)
{
    enum { MAX_INSERTION = 12 };
    int was_balanced = 1, was_partitioned = 1;
    for (;;) {
        ptrdiff_t length = b - a;
        if (length <= MAX_INSERTION) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        int hint;
        ptrdiff_t pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING;
        }
        if (was_balanced && was_partitioned && hint == INCREASING && partial_insertion_sort(s, a, b))
            return;
        if (a > 0 && !less(s, a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        int already;
        ptrdiff_t mid = partition(s, a, b, pivot, &already);
        was_partitioned = already;
        ptrdiff_t left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            was_balanced = left >= threshold;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

void gt_go_sort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    sorter s = {base, sz, cmp};
    if (n > 1 && sz <= 64)
        pdqsort(&s, 0, (ptrdiff_t)n, bits_len(n));
}
