/* What gotrace.h promises to programs and bindings that embed the library
 * beyond reading traces: one way to release what the library hands over, and
 * the sizes of the types they allocate or mirror. */
#include <gotrace.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void gt_free(void *p) { free(p); }

/* The sizes gotrace.h documents: a change to a private field that would move
 * them breaks every caller compiled against an older header, so it must not
 * build. Checked where pointers are 64 bits, which the figures assume; the
 * public fields' offsets too, as bindings address them directly. */
#define GT_LP64_CHECK(cond, what) _Static_assert(sizeof(void *) != 8 || (cond), what)
GT_LP64_CHECK(sizeof(gt_event) == 80, "gt_event is documented as 80 bytes");
GT_LP64_CHECK(offsetof(gt_event, time) == 0 && offsetof(gt_event, goroutine) == 8 && offsetof(gt_event, proc) == 16 &&
                  offsetof(gt_event, thread) == 24 && offsetof(gt_event, kind) == 32,
              "gt_event's public fields moved");
GT_LP64_CHECK(sizeof(gt_stack) == 16, "gt_stack is documented as 16 bytes");
GT_LP64_CHECK(sizeof(gt_error) == 40, "gt_error is documented as 40 bytes");
GT_LP64_CHECK(offsetof(gt_error, code) == 0 && offsetof(gt_error, owned) == 4 && offsetof(gt_error, offset) == 8 && offsetof(gt_error, line) == 16 &&
                  offsetof(gt_error, generation) == 24 && offsetof(gt_error, message) == 32,
              "gt_error's fields moved");
_Static_assert(sizeof(gt_errcode) == sizeof(int) && sizeof(gt_event_kind) == sizeof(int) &&
                   sizeof(gt_value_kind) == sizeof(int) && sizeof(gt_resource_kind) == sizeof(int) &&
                   sizeof(gt_go_state) == sizeof(int) && sizeof(gt_proc_state) == sizeof(int),
               "gotrace.h documents its enums as int-sized");

size_t gt_event_size(void) { return sizeof(gt_event); }
size_t gt_stack_size(void) { return sizeof(gt_stack); }
size_t gt_error_size(void) { return sizeof(gt_error); }

#define TYPE_SIZE(t) {#t, sizeof(t)}
/* Every struct and enum typedef of gotrace.h (test_api checks the list is
 * complete against the header's text). */
static const struct {
    const char *name;
    size_t size;
} type_sizes[] = {
    TYPE_SIZE(gt_errcode),
    TYPE_SIZE(gt_error),
    TYPE_SIZE(gt_str),
    TYPE_SIZE(gt_value_kind),
    TYPE_SIZE(gt_value),
    TYPE_SIZE(gt_resource_kind),
    TYPE_SIZE(gt_resource),
    TYPE_SIZE(gt_go_state),
    TYPE_SIZE(gt_proc_state),
    TYPE_SIZE(gt_event_kind),
    TYPE_SIZE(gt_event),
    TYPE_SIZE(gt_stack),
    TYPE_SIZE(gt_frame),
    TYPE_SIZE(gt_metric),
    TYPE_SIZE(gt_label),
    TYPE_SIZE(gt_range),
    TYPE_SIZE(gt_range_attribute),
    TYPE_SIZE(gt_task),
    TYPE_SIZE(gt_region),
    TYPE_SIZE(gt_log),
    TYPE_SIZE(gt_state_transition),
    TYPE_SIZE(gt_clock_snapshot),
    TYPE_SIZE(gt_sync),
    TYPE_SIZE(gt_experimental_batch),
    TYPE_SIZE(gt_experimental),
    TYPE_SIZE(gt_source),
};

size_t gt_type_size(const char *type_name)
{
    if (!type_name)
        return 0;
    for (size_t i = 0; i < sizeof type_sizes / sizeof *type_sizes; i++)
        if (strcmp(type_sizes[i].name, type_name) == 0)
            return type_sizes[i].size;
    return 0;
}
