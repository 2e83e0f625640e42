/* Damaged traces: real traces cut short and with bytes flipped must read
 * without a crash, a hang or a leak, ending either cleanly or with an error
 * whose offset lies inside the input. For v2 traces a cut must still yield
 * every generation that lies wholly before the damage, event for event as
 * the undamaged trace does (Go's reader behaves so: a generation's events
 * come out before the next generation is read).
 *
 * Kinds of damage, per trace (one case each, failing offsets listed):
 *   cut-batches  cut at every top-level item (batch, EndOfGeneration)
 *   cut-random   cut at 200 random offsets (fixed seed)
 *   flip-random  200 copies with one random byte xor'ed (fixed seed)
 * For Go 1.26+ traces, whose generations end with an explicit marker, a cut
 * must end in an error exactly when Go's reader reports one (see
 * cut_generation); tests/scripts/damage.sh compares samples with Go itself.
 *
 * Traces: examples/hello.trace from the repo (always), and a few corpus
 * traces from ../shared (skipped when it is absent). Each read runs under a
 * 10 s alarm; a timeout fails the whole program with the case named. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../fuzz/exercise.h"
#include "check.h"
#include "gotrace.h"
#include "gotrace/raw.h"

#define READ_TIMEOUT_SECONDS 10
#define RANDOM_CASES 200
#define MAX_REPORTED 12

/* ------------------------------------------------------------ event logs */

/* The events of one read, each rendered as Event.String() plus its stack
 * frames, so two reads can be compared event by event. */
typedef struct {
    char *text;          /* all events, back to back */
    size_t text_len, text_cap;
    size_t *starts;      /* starts[i] = offset of event i; starts[n] = text_len */
    size_t n, cap;
    size_t *sync_index;  /* event index of the j-th Sync (0-based j) */
    size_t n_sync, sync_cap;
} event_log;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *np = realloc(p, c * elem);
    if (!np) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    *cap = c;
    return np;
}

static void log_append(event_log *l, const char *s, size_t len)
{
    l->text = grow(l->text, &l->text_cap, l->text_len + len + 1, 1);
    memcpy(l->text + l->text_len, s, len);
    l->text_len += len;
}

static void log_event(event_log *l, const gt_event *ev)
{
    l->starts = grow(l->starts, &l->cap, l->n + 2, sizeof *l->starts);
    l->starts[l->n] = l->text_len;
    if (ev->kind == GT_EVENT_SYNC) {
        l->sync_index = grow(l->sync_index, &l->sync_cap, l->n_sync + 1, sizeof *l->sync_index);
        l->sync_index[l->n_sync++] = l->n;
    }
    char buf[4096];
    size_t len = gt_event_format(ev, buf, sizeof buf);
    log_append(l, buf, len < sizeof buf ? len : sizeof buf - 1);
    gt_stack st = gt_event_stack(ev);
    for (size_t i = 0, nf = gt_stack_len(st); i < nf; i++) {
        gt_frame f;
        if (gt_stack_frame(st, i, &f) != 0)
            break;
        int k = snprintf(buf, sizeof buf, "\n\t%.*s @ 0x%llx %.*s:%llu", (int)f.func.len, f.func.ptr,
                         (unsigned long long)f.pc, (int)f.file.len, f.file.ptr, (unsigned long long)f.line);
        log_append(l, buf, k > 0 && (size_t)k < sizeof buf ? (size_t)k : 0);
    }
    /* Touch every accessor too, as a consumer would. */
    volatile uint64_t sink = fuzz_exercise_event(ev);
    (void)sink;
    l->n++;
    l->starts[l->n] = l->text_len;
}

static void log_free(event_log *l)
{
    free(l->text);
    free(l->starts);
    free(l->sync_index);
    memset(l, 0, sizeof *l);
}

static int log_same_event(const event_log *a, size_t i, const event_log *b, size_t j)
{
    size_t la = a->starts[i + 1] - a->starts[i], lb = b->starts[j + 1] - b->starts[j];
    return la == lb && memcmp(a->text + a->starts[i], b->text + b->starts[j], la) == 0;
}

/* ------------------------------------------------------------ reading */

static const char *current_case = "";

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "not ok damage: a read took longer than 10 s: ";
    if (write(1, msg, sizeof msg - 1) < 0 || write(1, current_case, strlen(current_case)) < 0 ||
        write(1, "\n", 1) < 0)
        _exit(1);
    _exit(1);
}

enum read_outcome { READ_CLEAN, READ_ERROR, READ_OPEN_FAILED };

typedef struct {
    enum read_outcome outcome;
    gt_error err;  /* valid unless READ_CLEAN; its message is not kept: */
    char message[2048]; /* err's text, cut here */
    int version;
} read_result;

/* Reads a whole trace from memory into log (which may be NULL). */
static read_result read_trace(const uint8_t *data, size_t len, event_log *log)
{
    read_result res = {READ_CLEAN, {0}, "", 0};
    alarm(READ_TIMEOUT_SECONDS);
    gt_reader *r = gt_reader_open_memory(data, len, &res.err);
    if (!r) {
        alarm(0);
        res.outcome = READ_OPEN_FAILED;
        snprintf(res.message, sizeof res.message, "%s", res.err.message);
        res.err.message = "";
        return res;
    }
    res.version = gt_reader_version(r);
    gt_event ev;
    event_log scratch = {0};
    while (gt_reader_next(r, &ev) == 1)
        log_event(log ? log : &scratch, &ev);
    const gt_error *e = gt_reader_error(r);
    if (e) {
        res.outcome = READ_ERROR;
        res.err = *e;
        /* The message lives with the reader, freed below. */
        snprintf(res.message, sizeof res.message, "%s", e->message);
        res.err.message = "";
    }
    gt_reader_free(r);
    alarm(0);
    log_free(&scratch);
    return res;
}

/* ------------------------------------------------------------ structure */

/* A top-level item of a v2 trace: a batch or an EndOfGeneration marker. */
typedef struct {
    uint64_t offset;
    size_t gen_index;    /* 0 for the first generation in file order */
    int is_exp_batch;    /* an ExperimentalBatch */
    int m_batch_before;  /* its generation has an event batch of a real M
                          * (not strings, stacks, ...) before this item */
} top_item;

/* Lists the top-level items of a v2 trace with the raw reader. Returns how
 * many, or 0 when the trace is not v2 or the raw reader fails. */
static size_t top_items(const uint8_t *data, size_t len, top_item **out)
{
    *out = NULL;
    gt_error err;
    gt_raw_reader *r = gt_raw_open_memory(data, len, &err);
    if (!r)
        return 0;
    int version = gt_raw_version(r);
    size_t n = 0, cap = 0, gen_index = 0;
    uint64_t cur_gen = 0;
    int have_gen = 0, after_end = 0, m_batch_seen = 0;
    gt_raw_event ev;
    int rc;
    while ((rc = gt_raw_next(r, &ev)) == 1) {
        const char *name = gt_raw_event_name(version, ev.type);
        int is_batch = !strcmp(name, "EventBatch") || !strcmp(name, "ExperimentalBatch");
        int is_end = !strcmp(name, "EndOfGeneration");
        if (!is_batch && !is_end)
            continue;
        if (is_batch) {
            uint64_t gen = ev.nargs ? ev.args[0] : 0;
            if (have_gen && (after_end || gen != cur_gen)) {
                gen_index++;
                m_batch_seen = 0;
            }
            cur_gen = gen;
            have_gen = 1;
            after_end = 0;
        } else {
            after_end = 1;
        }
        *out = grow(*out, &cap, n + 1, sizeof **out);
        (*out)[n].offset = ev.offset;
        (*out)[n].gen_index = gen_index;
        (*out)[n].is_exp_batch = !strcmp(name, "ExperimentalBatch");
        (*out)[n].m_batch_before = m_batch_seen;
        n++;
        if (!strcmp(name, "EventBatch") && ev.nargs > 1 && ev.args[1] != UINT64_MAX)
            m_batch_seen = 1;
    }
    gt_raw_free(r);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        return 0;
    }
    return n;
}

/* The generation index a cut at offset falls into, and whether Go 1.26+
 * reports the cut as an error. That format ends each generation with a
 * marker, so a generation without it is an error ("incomplete generation
 * found") -- but only once the kept part holds an event batch of a real M
 * or ends inside an item: a generation cut after its strings/stacks/sync
 * batches reads as the end of the trace (Go keeps those batches apart). One
 * more exception: a cut just after an ExperimentalBatch type byte is a plain
 * EOF for Go, like a cut between items. */
static size_t cut_generation(const top_item *items, size_t n, uint64_t cut, int *error_expected)
{
    *error_expected = 0;
    if (n == 0 || cut <= items[0].offset)
        return 0;
    size_t i = n - 1;
    while (items[i].offset > cut)
        i--;
    uint64_t into = cut - items[i].offset;
    if (into == 0)
        *error_expected = items[i].m_batch_before;
    else if (into == 1 && items[i].is_exp_batch)
        *error_expected = items[i].m_batch_before;
    else
        *error_expected = 1;
    return items[i].gen_index;
}

/* ------------------------------------------------------------ one trace */

typedef struct {
    const char *name;  /* case name prefix, e.g. "damage:churn.go125" */
    const uint8_t *data;
    size_t len;
    const event_log *full;
    int version;
    const top_item *items;
    size_t n_items;
} trace_under_test;

/* Collects failing offsets for one case message. */
typedef struct {
    size_t failures;
    char msg[1024];
    size_t msg_len;
} failure_list;

static void note_failure(failure_list *f, uint64_t offset, const char *why)
{
    if (f->failures++ < MAX_REPORTED && f->msg_len < sizeof f->msg - 80) {
        int k = snprintf(f->msg + f->msg_len, sizeof f->msg - f->msg_len, "%s@%llu (%s)",
                         f->msg_len ? ", " : "", (unsigned long long)offset, why);
        if (k > 0)
            f->msg_len += (size_t)k;
    }
}

/* Checks that hold for any damaged input: the read ended, and an error, if
 * any, points inside the input. */
static const char *check_any(const read_result *res, size_t len)
{
    if (res->outcome != READ_CLEAN && res->err.code == GT_ERR_NONE)
        return "failed without an error code";
    if (res->outcome != READ_CLEAN && res->message[0] == 0)
        return "error without a message";
    if (res->outcome != READ_CLEAN && res->err.offset != GT_NO_OFFSET && res->err.offset > len)
        return "error offset beyond the input";
    return NULL;
}

/* Reads data[0, cut) and checks it against the undamaged read. */
static const char *check_cut(const trace_under_test *t, uint64_t cut, char *scratch_case, size_t scratch_cap)
{
    snprintf(scratch_case, scratch_cap, "%s cut@%llu", t->name, (unsigned long long)cut);
    current_case = scratch_case;
    /* An exact-size copy, so that reading past the cut is an ASan report. */
    uint8_t *copy = malloc(cut ? cut : 1);
    memcpy(copy, t->data, cut);
    event_log got = {0};
    read_result res = read_trace(copy, cut, &got);
    free(copy);
    const char *why = check_any(&res, cut);
    if (!why && t->n_items && res.outcome != READ_OPEN_FAILED) {
        int error_expected;
        size_t k = cut_generation(t->items, t->n_items, cut, &error_expected);
        /* Every event before the Sync of generation k (0-based: the
         * (k+1)-th Sync) belongs to generations wholly before the cut. */
        size_t keep = k < t->full->n_sync ? t->full->sync_index[k] : t->full->n;
        if (got.n < keep)
            why = "lost events of complete generations";
        for (size_t i = 0; !why && i < keep; i++)
            if (!log_same_event(&got, i, t->full, i))
                why = "an event of a complete generation differs";
        if (!why && t->version >= 26 && error_expected && res.outcome == READ_CLEAN)
            why = "a cut inside a generation read without error";
        if (!why && t->version >= 26 && !error_expected && res.outcome != READ_CLEAN)
            why = "a cut where Go sees the end of the trace failed";
    }
    log_free(&got);
    return why;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void report(const char *name, const char *kind, size_t cases, const failure_list *f)
{
    char case_name[256];
    snprintf(case_name, sizeof case_name, "%s:%s", name, kind);
    check(f->failures == 0, case_name, "%zu of %zu cases failed: %s%s", f->failures, cases, f->msg,
          f->failures > MAX_REPORTED ? ", ..." : "");
    if (f->failures == 0)
        printf("# %s: %zu cases\n", case_name, cases);
}

static void damage_trace(const char *name, const uint8_t *data, size_t len)
{
    char case_name[512], scratch[600];
    event_log full = {0};
    snprintf(case_name, sizeof case_name, "%s full-read", name);
    current_case = case_name;
    read_result res = read_trace(data, len, &full);
    snprintf(case_name, sizeof case_name, "%s:full", name);
    if (!check(res.outcome == READ_CLEAN, case_name, "the undamaged trace does not read: %s", res.message)) {
        log_free(&full);
        return;
    }
    trace_under_test t = {name, data, len, &full, res.version, NULL, 0};
    top_item *items = NULL;
    t.n_items = top_items(data, len, &items);
    t.items = items;

    failure_list f = {0};
    size_t cases = 0;
    if (t.n_items) {
        for (size_t i = 0; i < t.n_items; i++, cases++) {
            const char *why = check_cut(&t, t.items[i].offset, scratch, sizeof scratch);
            if (why)
                note_failure(&f, t.items[i].offset, why);
        }
        report(name, "cut-batches", cases, &f);
    } else if (res.version >= 22) {
        snprintf(case_name, sizeof case_name, "%s:cut-batches", name);
        check(0, case_name, "the raw reader cannot list the batches");
    }

    memset(&f, 0, sizeof f);
    cases = 0;
    for (int i = 0; i < RANDOM_CASES; i++, cases++) {
        uint64_t cut = rng_next() % len;
        const char *why = check_cut(&t, cut, scratch, sizeof scratch);
        if (why)
            note_failure(&f, cut, why);
    }
    report(name, "cut-random", cases, &f);

    memset(&f, 0, sizeof f);
    cases = 0;
    uint8_t *copy = malloc(len);
    for (int i = 0; i < RANDOM_CASES; i++, cases++) {
        uint64_t at = rng_next() % len;
        uint8_t mask = (uint8_t)(rng_next() % 255 + 1);
        memcpy(copy, data, len);
        copy[at] ^= mask;
        snprintf(scratch, sizeof scratch, "%s flip@%llu^0x%02x", name, (unsigned long long)at, mask);
        current_case = scratch;
        read_result fr = read_trace(copy, len, NULL);
        const char *why = check_any(&fr, len);
        if (why)
            note_failure(&f, at, why);
    }
    free(copy);
    report(name, "flip-random", cases, &f);

    free(items);
    log_free(&full);
}

/* ------------------------------------------------------------ main */

static void damage_file(const char *label, const char *path)
{
    size_t len = 0;
    char *data = check_read_file(path, &len);
    char name[256];
    snprintf(name, sizeof name, "damage:%s", label);
    if (!data || len == 0) {
        check(0, name, "cannot read %s", path);
        free(data);
        return;
    }
    damage_trace(name, (const uint8_t *)data, len);
    free(data);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    const char *root = getenv("ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/hello.trace", root && *root ? root : ".");
    damage_file("hello", path);

    /* Several v2 versions, several generations each, and old formats. */
    static const char *const corpus[] = {
        "annotate.go122", "multigen.go123", "annotate.go125", "flightrec.go126",
        "multigen.go127", "annotate.go119", "churn.go121",
    };
    const char *shared = check_shared_dir();
    for (size_t i = 0; i < sizeof corpus / sizeof *corpus; i++) {
        char name[256];
        snprintf(name, sizeof name, "damage:%s", corpus[i]);
        if (!shared) {
            check_skip(name, "../shared is absent");
            continue;
        }
        snprintf(path, sizeof path, "%s/corpus/%s.trace", shared, corpus[i]);
        damage_file(corpus[i], path);
    }
    return check_done();
}
