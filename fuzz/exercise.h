/* Calls every public accessor on an event, as a consumer would, so that the
 * fuzzers reach every decoding path. Returns a value derived from everything
 * read, so the compiler keeps the work. */
#ifndef GT_FUZZ_EXERCISE_H
#define GT_FUZZ_EXERCISE_H

#include <stdint.h>
#include <string.h>

#include "gotrace.h"

static inline uint64_t fuzz_touch_str(gt_str s)
{
    uint64_t acc = s.len;
    if (s.len)
        acc += (unsigned char)s.ptr[0] + (unsigned char)s.ptr[s.len - 1];
    return acc;
}

static inline int fuzz_same_str(gt_str a, gt_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Every frame one at a time, then all at once (gt_stack_frames), which
 * must give the same frames; a difference traps. */
static inline uint64_t fuzz_touch_stack(gt_stack s)
{
    uint64_t acc = 0;
    size_t n = gt_stack_len(s);
    const gt_frame *all = NULL;
    size_t nall = gt_stack_frames(s, &all);
    if (nall != 0 && (nall != n || !all))
        __builtin_trap(); /* 0 is allowed: the empty stack, or no memory */
    for (size_t i = 0; i <= n; i++) {  /* one past the end must fail cleanly */
        gt_frame f;
        if (gt_stack_frame(s, i, &f) == 0) {
            if (i == n)
                __builtin_trap();
            acc += f.pc + f.line + fuzz_touch_str(f.func) + fuzz_touch_str(f.file);
            if (nall && (all[i].pc != f.pc || all[i].line != f.line || !fuzz_same_str(all[i].func, f.func) ||
                         !fuzz_same_str(all[i].file, f.file)))
                __builtin_trap();
        }
    }
    return acc;
}

static inline uint64_t fuzz_exercise_event(const gt_event *ev)
{
    uint64_t acc = (uint64_t)ev->time ^ (uint64_t)ev->goroutine ^ (uint64_t)ev->proc ^ (uint64_t)ev->thread;
    acc += fuzz_touch_stack(gt_event_stack(ev));
    acc += fuzz_touch_str((gt_str){gt_event_kind_name(ev->kind), 1});
    gt_metric m;
    if (gt_event_metric(ev, &m) == 0)
        acc += fuzz_touch_str(m.name) + m.value.u64 + fuzz_touch_str(m.value.str);
    gt_label l;
    if (gt_event_label(ev, &l) == 0)
        acc += fuzz_touch_str(l.label) + (uint64_t)l.resource.id;
    gt_range r;
    if (gt_event_range(ev, &r) == 0)
        acc += fuzz_touch_str(r.name) + (uint64_t)r.scope.id;
    gt_range_attribute attrs[4];
    size_t na = gt_event_range_attributes(ev, attrs, 4);
    for (size_t i = 0; i < na && i < 4; i++)
        acc += fuzz_touch_str(attrs[i].name) + attrs[i].value.u64;
    gt_task t;
    if (gt_event_task(ev, &t) == 0)
        acc += t.id + t.parent + fuzz_touch_str(t.type);
    gt_region rg;
    if (gt_event_region(ev, &rg) == 0)
        acc += rg.task + fuzz_touch_str(rg.type);
    gt_log lg;
    if (gt_event_log(ev, &lg) == 0)
        acc += lg.task + fuzz_touch_str(lg.category) + fuzz_touch_str(lg.message);
    gt_state_transition st;
    if (gt_event_state_transition(ev, &st) == 0) {
        acc += (uint64_t)st.resource.id + (uint64_t)st.old_state + (uint64_t)st.new_state + fuzz_touch_str(st.reason);
        acc += fuzz_touch_stack(st.stack);
        acc += fuzz_touch_str((gt_str){gt_go_state_name((gt_go_state)st.new_state), 1});
        acc += fuzz_touch_str((gt_str){gt_proc_state_name((gt_proc_state)st.old_state), 1});
        acc += fuzz_touch_str((gt_str){gt_resource_kind_name(st.resource.kind), 1});
    }
    gt_sync sy;
    if (gt_event_sync(ev, &sy) == 0) {
        acc += (uint64_t)sy.n + sy.clock.mono + (uint64_t)sy.clock.wall_sec;
        for (size_t i = 0; i <= sy.n_experimental_batches; i++) {
            gt_experimental_batch b;
            if (gt_event_sync_experimental_batch(ev, i, &b) == 0)
                acc += b.len + (b.len ? b.data[b.len - 1] : 0) + fuzz_touch_str(b.experiment);
        }
    }
    gt_experimental ex;
    if (gt_event_experimental(ev, &ex) == 0) {
        acc += fuzz_touch_str(ex.name) + fuzz_touch_str(ex.experiment);
        for (size_t i = 0; i < ex.nargs && i < GT_MAX_EXPERIMENTAL_ARGS; i++)
            acc += fuzz_touch_str(ex.arg_names[i]) + ex.arg_values[i].u64;
    }
    char small[64];
    acc += gt_event_format(ev, small, sizeof small);
    return acc;
}

#endif
