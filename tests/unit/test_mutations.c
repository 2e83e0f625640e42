/* Mutation suite: single-event corruptions of valid scenarios. For each
 * mutant (a wrong sequence number, a wrong status, a missing or duplicated
 * event, a batch time going backwards, a string or stack ID out of range)
 * the reader must do what Go 1.27's does (tests/data/scenarios/mutants/,
 * made by scripts/regen-scenarios.sh): the same events, then the same error
 * text; or success, with the validator agreeing with Go's. Every event that
 * came before the corruption in the unmutated trace must still come out.
 *
 *   test_mutations             run the tests
 *   test_mutations --write DIR write NAME.trace for every mutant
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "scenario.h"

#define MUTANT_DIR SCENARIO_DATA_DIR "/mutants"

/* The valid scenarios mutated, chosen to cover syscalls, thread reuse,
 * generations, strings/stacks and the 1.25+/1.26 layouts. */
static const char *const bases[] = {
    "syscall-steal-simple",
    "syscall-steal-gen-boundary-reacquire-new-proc",
    "create-syscall-reuse-thread-id",
    "confuse-seq-across-generations",
    "stacks-and-strings",
    "task-across-generations-go126",
    "sync-clock-snapshots",
};

typedef enum mutation_kind {
    MUT_SEQ_PLUS_ONE,
    MUT_OTHER_STATUS,
    MUT_MISSING,
    MUT_DUPLICATED,
    MUT_STRING_OUT_OF_RANGE,
    MUT_STACK_OUT_OF_RANGE,
    MUT_TIME_BACKWARDS,
    MUT_NUM
} mutation_kind;

static const char *const kind_names[MUT_NUM] = {
    "wrong-seq", "wrong-status", "missing", "duplicated", "bad-string-id", "bad-stack-id", "time-backwards",
};

/* An ID no scenario interns. */
#define OUT_OF_RANGE_ID 1000

typedef struct mutant {
    const scenario *base;
    size_t ordinal;
    mutation_kind kind;
    int arg;              /* the argument changed, -1 for none */
    char name[256];
} mutant;

static const scenario *find_scenario(const char *name)
{
    for (size_t i = 0; i < n_scenarios; i++)
        if (!strcmp(scenarios[i].name, name))
            return &scenarios[i];
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int one_of(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list))
            return 1;
    return 0;
}

/* Events whose absence or repetition breaks the state machine's inputs. */
static const char *const droppable[] = {"ProcStart", "GoStart", "ProcStatus", "GoStatus", "GoSyscallBegin",
                                        "GoCreate", "GoCreateSyscall", "ProcSteal", "UserTaskBegin", NULL};
static const char *const repeatable[] = {"GoStart", "ProcStart", "GoStop", "GoSyscallBegin", "GoSyscallEndBlocked",
                                         "ProcSteal", "GoCreate", "GoDestroySyscall", "UserTaskEnd", NULL};

/* Whether `kind` applies to event info at argument i (or i == -1 for kinds
 * that change no argument). */
static int applies(mutation_kind kind, const gt_builder_event_info *info, int i, int first_in_batch)
{
    const char *arg = i >= 0 ? info->arg_names[i] : NULL;
    switch (kind) {
    case MUT_SEQ_PLUS_ONE: return arg && ends_with(arg, "_seq") && strcmp(arg, "gc_seq");
    case MUT_OTHER_STATUS: return arg && (!strcmp(arg, "gstatus") || !strcmp(arg, "pstatus"));
    case MUT_MISSING: return i < 0 && one_of(info->name, droppable);
    case MUT_DUPLICATED: return i < 0 && one_of(info->name, repeatable);
    case MUT_STRING_OUT_OF_RANGE: return arg && ends_with(arg, "_string");
    case MUT_STACK_OUT_OF_RANGE: return arg && ends_with(arg, "stack");
    case MUT_TIME_BACKWARDS: return i < 0 && first_in_batch && info->gen > 1;
    default: return 0;
    }
}

/* Lists every mutant, in a fixed order. Returns the count; fills up to cap. */
static size_t list_mutants(mutant *out, size_t cap)
{
    size_t n = 0;
    for (size_t bi = 0; bi < sizeof bases / sizeof *bases; bi++) {
        const scenario *s = find_scenario(bases[bi]);
        gt_builder *b = s ? scenario_build(s, NULL) : NULL;
        if (!b)
            continue;
        uint64_t prev_gen = UINT64_MAX, prev_m = UINT64_MAX - 1;
        for (size_t k = 0; k < gt_builder_event_count(b); k++) {
            gt_builder_event_info info;
            gt_builder_event_get(b, k, &info);
            int first_in_batch = info.gen != prev_gen || info.m != prev_m;
            prev_gen = info.gen;
            prev_m = info.m;
            for (int kind = 0; kind < MUT_NUM; kind++) {
                for (int i = -1; i < (int)info.nargs; i++) {
                    if (!applies((mutation_kind)kind, &info, i, first_in_batch))
                        continue;
                    if (n < cap) {
                        mutant *m = &out[n];
                        *m = (mutant){.base = s, .ordinal = k, .kind = (mutation_kind)kind, .arg = i};
                        snprintf(m->name, sizeof m->name, "%s.e%zu-%s.%s%s%s", s->name, k, info.name,
                                 kind_names[kind], i >= 0 ? "-" : "", i >= 0 ? info.arg_names[i] : "");
                    }
                    n++;
                }
            }
        }
        gt_builder_free(b);
    }
    return n;
}

/* Builds mutant m's binary (malloc'd) or NULL. */
static unsigned char *mutant_binary(const mutant *m, size_t *len, gt_error *err)
{
    gt_builder *b = scenario_build(m->base, err);
    if (!b)
        return NULL;
    gt_builder_event_info info;
    gt_builder_event_get(b, m->ordinal, &info);
    const char *arg = m->arg >= 0 ? info.arg_names[m->arg] : NULL;
    uint64_t old = m->arg >= 0 ? info.args[m->arg] : 0;
    switch (m->kind) {
    case MUT_SEQ_PLUS_ONE: gt_builder_edit_arg(b, m->ordinal, arg, old + 1); break;
    case MUT_OTHER_STATUS: gt_builder_edit_arg(b, m->ordinal, arg, old % 4 + 1); break;
    case MUT_MISSING: gt_builder_edit_delete(b, m->ordinal); break;
    case MUT_DUPLICATED: gt_builder_edit_duplicate(b, m->ordinal); break;
    case MUT_STRING_OUT_OF_RANGE:
    case MUT_STACK_OUT_OF_RANGE: gt_builder_edit_arg(b, m->ordinal, arg, OUT_OF_RANGE_ID); break;
    case MUT_TIME_BACKWARDS: gt_builder_edit_batch_time(b, m->ordinal, 0); break;
    default: break;
    }
    unsigned char *data = NULL;
    if (gt_builder_write_memory(b, &data, len, err))
        data = NULL;
    gt_builder_free(b);
    return data;
}

static int write_all(const char *dir, const mutant *ms, size_t n)
{
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        gt_error err;
        size_t len;
        unsigned char *bin = mutant_binary(&ms[i], &len, &err);
        snprintf(path, sizeof path, "%s/%s.trace", dir, ms[i].name);
        FILE *f = bin ? fopen(path, "wb") : NULL;
        int ok = f && fwrite(bin, 1, len, f) == len;
        if (f && fclose(f))
            ok = 0;
        free(bin);
        if (!ok) {
            fprintf(stderr, "%s: cannot write %s\n", ms[i].name, path);
            return 1;
        }
    }
    return 0;
}

/* Length of the common prefix of a and b, in whole lines. */
static size_t common_lines(const char *a, const char *b)
{
    size_t lines = 0;
    for (; *a && *a == *b; a++, b++)
        if (*a == '\n')
            lines++;
    return lines;
}

/* Pointer just past the first n lines of s. */
static const char *skip_lines(const char *s, size_t n)
{
    while (n && *s) {
        if (*s++ == '\n')
            n--;
    }
    return s;
}

/* Whether our error text is Go's. Go's "broken trace" errors end with a dump
 * of its ordering state written by ranging over maps (order.go's
 * dumpOrdering), so the order of lines there is not part of Go's text: those
 * are compared as sorted line lists. */
static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t split_lines(char *s, char **lines, size_t cap)
{
    size_t n = 0;
    for (char *p = s; p && *p && n < cap;) {
        lines[n++] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = 0;
    }
    qsort(lines, n, sizeof *lines, cmp_lines);
    return n;
}

static int same_go_error(const char *ours, const char *go, size_t go_len)
{
    if (strlen(ours) == go_len && !memcmp(ours, go, go_len))
        return 1;
    if (strncmp(ours, "broken trace:", 13) || go_len < 13 || memcmp(go, "broken trace:", 13))
        return 0;
    char *a = strdup(ours), *b = strndup(go, go_len);
    char *la[512], *lb[512];
    size_t na = a ? split_lines(a, la, 512) : 0, nb = b ? split_lines(b, lb, 512) : 0;
    int same = a && b && na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = !strcmp(la[i], lb[i]);
    free(a);
    free(b);
    return same;
}

static char *read_data(const char *stem, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", MUTANT_DIR, stem, ext);
    return check_read_file(path, NULL);
}

static void test_mutant(const mutant *m, const scenario_run *base_ours, const char *base_go)
{
    char name[512];
    gt_error err;
    size_t len = 0;
    unsigned char *bin = mutant_binary(m, &len, &err);
    snprintf(name, sizeof name, "mutant/%s/build", m->name);
    if (!check(bin != NULL, name, "builder: %s", bin ? "" : err.message))
        return;

    char *golden = read_data(m->name, "trace");
    char *parsed = read_data(m->name, "parsed");
    char *status = read_data(m->name, "status");
    char *validate = read_data(m->name, "validate");
    snprintf(name, sizeof name, "mutant/%s/goldens", m->name);
    int code = -1;
    const char *msg = NULL;
    size_t msg_len = 0;
    int have = golden && parsed && status && !scenario_parse_status(status, &code, &msg, &msg_len);
    if (check(have, name, "missing goldens in %s (run scripts/regen-scenarios.sh)", MUTANT_DIR)) {
        /* Go printed its validator verdict too ("ok" or the message). */
        scenario_run run;
        scenario_read(bin, len, code == 0, &run);

        snprintf(name, sizeof name, "mutant/%s/deterministic", m->name);
        check(!memcmp(golden, bin, len), name, "builder output differs from the golden binary");

        snprintf(name, sizeof name, "mutant/%s/events", m->name);
        size_t same = common_lines(run.text, parsed);
        check(!strcmp(run.text, parsed), name, "%zu events; first difference after line %zu: got \"%.80s\"",
              run.nevents, same, skip_lines(run.text, same));

        /* What Go emitted before the corruption (its lines shared with its
         * parse of the unmutated trace) must come out of ours too. */
        snprintf(name, sizeof name, "mutant/%s/events-before-corruption", m->name);
        size_t go_kept = common_lines(parsed, base_go);
        size_t ours_kept = common_lines(run.text, base_ours->text);
        check(ours_kept >= go_kept, name, "kept %zu lines of the unmutated run, Go kept %zu", ours_kept, go_kept);

        snprintf(name, sizeof name, "mutant/%s/outcome", m->name);
        if (code == 0)
            check(!run.failed, name, "Go accepts it, we fail with \"%s\"", run.error);
        else
            check(run.failed && same_go_error(run.error, msg, msg_len), name,
                  "Go: \"%.*s\"; we: %s \"%s\"", (int)msg_len, msg, run.failed ? "error" : "success", run.error);

        if (code == 0) {
            snprintf(name, sizeof name, "mutant/%s/validator", m->name);
            if (!validate) {
                check_skip(name, "no Go validator verdict recorded");
            } else {
                size_t vlen = strlen(validate);
                if (vlen && validate[vlen - 1] == '\n')
                    validate[--vlen] = 0;
                const char *want = strcmp(validate, "ok") ? validate : "";
                check(run.validated && !strcmp(run.validator_error, want), name, "Go's validator: \"%s\"; ours: \"%s\"",
                      want, run.validator_error);
            }
        }
        scenario_run_free(&run);
    }
    free(golden);
    free(parsed);
    free(status);
    free(validate);
    free(bin);
}

int main(int argc, char **argv)
{
    size_t n = list_mutants(NULL, 0);
    mutant *ms = calloc(n ? n : 1, sizeof *ms);
    if (!ms)
        return 1;
    list_mutants(ms, n);
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        int rc = write_all(argv[2], ms, n);
        free(ms);
        return rc;
    }
    check(n > 0, "mutant/count", "no mutants derived");
    const scenario *base = NULL;
    scenario_run base_run = {0};
    char *base_go = NULL;
    for (size_t i = 0; i < n; i++) {
        if (ms[i].base != base) {
            scenario_run_free(&base_run);
            free(base_go);
            base = ms[i].base;
            size_t len;
            unsigned char *bin = scenario_binary(base, &len, NULL);
            scenario_read(bin, bin ? len : 0, 0, &base_run);
            free(bin);
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.parsed", SCENARIO_DATA_DIR, base->name);
            base_go = check_read_file(path, NULL);
            if (!base_go)
                base_go = calloc(1, 1);
        }
        test_mutant(&ms[i], &base_run, base_go);
    }
    scenario_run_free(&base_run);
    free(base_go);
    free(ms);
    return check_done();
}
