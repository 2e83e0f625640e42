/* The ID index of a generation's tables (src/event/table.c, issue 12 defect
 * 1): memory in the number of IDs, not in the largest ID; lookups find every
 * ID, dense or hashed; the walk is in ascending ID order (Go reports the first
 * bad stack in that order).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "event/table.h"

struct walk {
    uint64_t last;
    size_t n;
    int ordered;
};

static int walk_one(uint64_t id, size_t index, void *arg)
{
    struct walk *w = arg;
    if (w->n && id <= w->last)
        w->ordered = 0;
    w->last = id;
    w->n++;
    (void)index;
    return 0;
}

static void test_index(void)
{
    gt_table *t = gt_table_new();
    if (!check(t != NULL, "ids_index_new", "out of memory"))
        return;
    /* Dense IDs 1..1000, in a shuffled order, with hostile ones around. */
    static const uint64_t hostile[] = {(1u << 20) - 1, UINT64_MAX, 5000, 1ull << 40, 3000, 2001};
    int ok = 1;
    for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++)
        ok &= gt_table_add_string(t, hostile[h], "h", 1) == 0;
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t id = (i * 7919) % 1000 + 1;
        char s[32];
        int n = snprintf(s, sizeof s, "s%llu", (unsigned long long)id);
        ok &= gt_table_add_string(t, id, s, (size_t)n) == 0;
    }
    ok &= gt_table_add_string(t, 500, "again", 5) == 1 && gt_table_add_string(t, 1ull << 40, "again", 5) == 1;
    size_t count = 1000 + sizeof hostile / sizeof hostile[0];
    check(ok && t->string_index.count == count, "ids_index_add", "adds failed or duplicates were taken");

    int found = 1;
    for (uint64_t id = 1; id <= 1000; id++) {
        gt_str s;
        char want[32];
        int n = snprintf(want, sizeof want, "s%llu", (unsigned long long)id);
        found &= gt_table_string(t, id, &s) && s.len == (size_t)n && memcmp(s.ptr, want, s.len) == 0;
    }
    for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
        gt_str s;
        found &= gt_table_string(t, hostile[h], &s) && s.len == 1;
    }
    gt_str none;
    found &= !gt_table_string(t, 1001, &none) && !gt_table_string(t, (1u << 20) - 2, &none) &&
             !gt_table_string(t, 1ull << 41, &none);
    check(found, "ids_index_lookup", "a present ID was not found, or an absent one was");

    /* Memory follows the number of IDs: at most 4 slots per entry (or the
     * minimum array). */
    size_t limit = 4 * (count + 1) > GT_ID_INDEX_MIN_DENSE ? 4 * (count + 1) : GT_ID_INDEX_MIN_DENSE;
    check(t->string_index.nslot <= limit, "ids_index_dense_bounded", "%zu slots for %zu IDs",
          t->string_index.nslot, count);

    struct walk w = {0, 0, 1};
    int rc = gt_id_index_each(&t->string_index, walk_one, &w);
    check(rc == 0 && w.n == count && w.ordered, "ids_index_each_ascending",
          "rc %d, %zu IDs walked of %zu, ascending %d", rc, w.n, count, w.ordered);
    gt_table_free(t);

    /* One huge ID alone: no array at all, one map entry. */
    t = gt_table_new();
    if (t) {
        int added = gt_table_add_stack(t, (1u << 20) - 1, (const uint64_t[]){0x1234}, 1) == 0;
        gt_stack_rec rec;
        check(added && t->stack_index.nslot == 0 && gt_table_stack(t, (1u << 20) - 1, &rec) && rec.n == 1,
              "ids_index_sparse_alone", "%zu slots allocated for one ID", t->stack_index.nslot);
        gt_table_free(t);
    }
}

int main(void)
{
    test_index();
    return check_done();
}
