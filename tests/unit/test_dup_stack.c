/* A stack ID defined twice in one generation (issue 12, defect 5): the error
 * is Go's "multiple trace.stacks with the same ID: id=N, new=..., existing=..."
 * where each stack prints as "\t0x<pc>\n" per frame (Go's %#v, so PC 0 is
 * "0x0") and an empty stack as nothing; the offset is the second Stack item.
 * The traces are built here byte by byte; ../shared/hostile/dup-stack-id0.trace
 * is read too when present. Before the fix an empty stack printed whatever
 * bytes were on the C stack, so the tests first fill the stack with 'X'.
 *
 *   test_dup_stack             run the tests
 *   test_dup_stack --write DIR write the generated traces (to compare with
 *                              `go tool trace -d=parsed`)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tbuf.h"
#include "gotrace.h"
#include "wire/spec.h"

typedef struct stack_def {
    uint64_t id;
    size_t n;
    uint64_t pcs[128]; /* Go's maximum */
} stack_def;

/* A Go 1.22 trace whose first generation is one Stacks batch holding the
 * given stacks (each frame: pc, func 0, file 0, line 0). *dup_at is the
 * offset of the last Stack item. */
static tbuf stacks_trace(const stack_def *defs, size_t ndefs, uint64_t *dup_at)
{
    tbuf body = {NULL, 0, 0}, t = header(22);
    uint8_t ev = GT_EV_STACKS;
    put(&body, &ev, 1);
    size_t last = 0;
    for (size_t i = 0; i < ndefs; i++) {
        last = body.len;
        ev = GT_EV_STACK;
        put(&body, &ev, 1);
        put_uv(&body, defs[i].id);
        put_uv(&body, defs[i].n);
        for (size_t k = 0; k < defs[i].n; k++) {
            put_uv(&body, defs[i].pcs[k]);
            put_uv(&body, 0);
            put_uv(&body, 0);
            put_uv(&body, 0);
        }
    }
    ev = GT_EV_EVENT_BATCH;
    put(&t, &ev, 1);
    put_uv(&t, 1);          /* gen */
    put_uv(&t, UINT64_MAX); /* M: none */
    put_uv(&t, 0);          /* time */
    put_uv(&t, body.len);
    *dup_at = t.len + last;
    put(&t, body.p, body.len);
    free(body.p);
    return t;
}

/* Fills the C stack below the caller with 'X', so that bytes a callee
 * leaves unwritten show up in its output. */
static __attribute__((noinline)) void poison_stack(void)
{
    volatile char junk[64 * 1024];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 'X';
}

/* Reads the trace to its end; *events = events read. Returns the error or
 * NULL. */
static const gt_error *read_error(gt_reader *r, size_t *events)
{
    gt_event ev;
    *events = 0;
    poison_stack();
    while (gt_reader_next(r, &ev) > 0)
        ++*events;
    return gt_reader_error(r);
}

static void expect(const char *name, const void *data, size_t len, const char *message, uint64_t offset,
                   int check_offset)
{
    gt_error err;
    gt_reader *r = gt_reader_open_memory(data, len, &err);
    if (!r) {
        check(0, name, "open: %s", err.message);
        return;
    }
    size_t events;
    const gt_error *e = read_error(r, &events);
    /* Go's reader returns the first Sync before it reads the generation. */
    check(e && events == 1 && e->code == GT_ERR_INVALID && !strcmp(e->message, message) &&
              (!check_offset || e->offset == offset),
          name, "events %zu code %d offset %llu (want %llu) message \"%s\" (want \"%s\")", events,
          e ? (int)e->code : -1, e ? (unsigned long long)e->offset : 0, (unsigned long long)offset,
          e ? e->message : "(none)", message);
    gt_reader_free(r);
}

/* Go's text for stacks a (new) and b (existing) of ID id, cut at the size
 * of gt_error's message as the library cuts every message. */
static void go_message(char *out, size_t cap, uint64_t id, const stack_def *a, const stack_def *b)
{
    size_t len = (size_t)snprintf(out, cap, "multiple trace.stacks with the same ID: id=%llu, new=",
                                  (unsigned long long)id);
    const stack_def *s[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        if (k)
            len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, ", existing=");
        for (size_t i = 0; i < s[k]->n && len < cap; i++)
            len += (size_t)snprintf(out + len, cap - len, "\t0x%llx\n", (unsigned long long)s[k]->pcs[i]);
    }
}

typedef struct dup_case {
    const char *name;
    stack_def first, second; /* existing, new */
} dup_case;

static dup_case cases[] = {
    {"dup-stack-empty-new", {5, 1, {0}}, {5, 0, {0}}},
    {"dup-stack-empty-existing", {7, 0, {0}}, {7, 2, {0x401000, 0}}},
    {"dup-stack-both-empty", {9, 0, {0}}, {9, 0, {0}}},
    {"dup-stack-id0-empty", {0, 0, {0}}, {0, 0, {0}}},
};

static void write_traces(const char *dir)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stack_def defs[2] = {cases[i].first, cases[i].second};
        uint64_t at;
        tbuf t = stacks_trace(defs, cases[i].first.id == 0 ? 1 : 2, &at);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.trace", dir, cases[i].name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(t.p, 1, t.len, f) != t.len || fclose(f)) {
            fprintf(stderr, "cannot write %s\n", path);
            exit(1);
        }
        free(t.p);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        write_traces(argv[2]);
        return 0;
    }
    static char want[16384];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dup_case *c = &cases[i];
        /* ID 0 is the empty stack every generation has: one definition of it
         * is already a duplicate. */
        int implicit = c->first.id == 0;
        stack_def defs[2] = {c->first, c->second};
        uint64_t at;
        tbuf t = stacks_trace(implicit ? &c->second : defs, implicit ? 1 : 2, &at);
        go_message(want, sizeof want, c->second.id, &c->second, &c->first);
        expect(c->name, t.p, t.len, want, at, 1);
        free(t.p);
    }

    /* Long stacks: Go's whole text, far past the 1 KiB gt_error once held,
     * with nothing cut. */
    static stack_def a = {3, 128, {0}}, b = {3, 100, {0}};
    for (size_t i = 0; i < a.n; i++)
        a.pcs[i] = 0x400000 + 16 * i;
    for (size_t i = 0; i < b.n; i++)
        b.pcs[i] = 0x7f0000000000 + i;
    stack_def defs[2] = {b, a};
    uint64_t at;
    tbuf t = stacks_trace(defs, 2, &at);
    go_message(want, sizeof want, 3, &a, &b);
    check(strlen(want) > 2048 && strlen(want) < sizeof want - 1, "dup-stack-long-setup",
          "Go's text is %zu bytes", strlen(want));
    expect("dup-stack-long-whole", t.p, t.len, want, at, 1);
    free(t.p);

    /* The reproduction from the issue, with the text Go 1.27's
     * `go tool trace -d=parsed` prints for it. */
    const char *shared = check_shared_dir();
    if (!shared) {
        check_skip("dup-stack-shared-id0", "no ../shared");
        return check_done();
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/hostile/dup-stack-id0.trace", shared);
    size_t len;
    char *data = check_read_file(path, &len);
    if (!data) {
        check_skip("dup-stack-shared-id0", "no hostile/dup-stack-id0.trace");
        return check_done();
    }
    /* Its Stack item with ID 0 and no frames (03 00 00) sits at byte 0x88. */
    expect("dup-stack-shared-id0", data, len, "multiple trace.stacks with the same ID: id=0, new=, existing=", 0x88,
           1);
    free(data);
    return check_done();
}
