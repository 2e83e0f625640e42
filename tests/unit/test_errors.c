/* gt_error's message (gotrace.h, "Errors"): a pointer, never NULL, whole
 * however long, living with the object whose getter returned it or, for an
 * error filled through a parameter, in the calling thread's storage until
 * the thread's next failing call. Run under ASan/LSan (SANITIZE=1), the
 * lifetimes below are also checked for use after free and leaks. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace.h"
#include "gotrace/duration.h"
#include "gotrace/raw.h"

/* A text trace whose second line is `event` (Go's text format). */
static char *text_trace(const char *event, size_t *len)
{
    static const char head[] = "Trace Go1.22\n";
    size_t n = strlen(head) + strlen(event) + 1;
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    snprintf(t, n + 1, "%s%s\n", head, event);
    *len = n;
    return t;
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A raw reader's error quoting a 5000-byte token: whole, and the raw
 * reader's until it is freed, whatever fails meanwhile on this thread. */
static void long_raw_error(void)
{
    char *tok = repeat('x', 5000), *line = malloc(6000);
    if (!check(tok && line, "long-raw-setup", "out of memory"))
        goto out;
    snprintf(line, 6000, "EventBatch %s", tok);
    size_t len;
    char *text = text_trace(line, &len);
    gt_error err;
    gt_raw_reader *r = text ? gt_raw_open_text(text, len, &err) : NULL;
    if (!check(r != NULL, "long-raw-open", "%s", text ? err.message : "out of memory")) {
        free(text);
        goto out;
    }
    gt_raw_event ev;
    int st = gt_raw_next(r, &ev);
    const gt_error *e = gt_raw_error(r);
    char want[6000];
    snprintf(want, sizeof want, "reading args for EventBatch: malformed argument: \"%s\"", tok);
    check(st == -1 && e && e->message && strcmp(e->message, want) == 0 && e->line == 2, "long-raw-whole",
          "st %d, message of %zu bytes (want %zu): %.80s", st, e && e->message ? strlen(e->message) : 0,
          strlen(want), e && e->message ? e->message : "(none)");
    /* A copy of the struct shares the reader's text; failing calls on this
     * thread (filling parameters) leave it alone. */
    gt_error copy = *e;
    int64_t ns;
    gt_error other;
    check(gt_parse_duration("nonsense", &ns, &other) == -1 && strcmp(copy.message, want) == 0 &&
              strcmp(gt_raw_error(r)->message, want) == 0,
          "long-raw-copy", "the reader's message changed after another failure");
    gt_raw_free(r);
    free(text);
out:
    free(tok);
    free(line);
}

/* An open that fails without an object: the message quotes a 3000-byte
 * path, whole, in this thread's storage, and stays through successful
 * calls until the next failure. */
static void long_open_error(void)
{
    char *path = malloc(4000);
    if (!check(path != NULL, "long-open-setup", "out of memory"))
        return;
    /* Components of 100 bytes: long in all, each under NAME_MAX. */
    size_t n = 0;
    n += (size_t)snprintf(path + n, 4000 - n, "/nonexistent-gotrace-test");
    while (n < 3000)
        n += (size_t)snprintf(path + n, 4000 - n, "/%0100d", 0);
    gt_error err;
    gt_reader *r = gt_reader_open_path(path, &err);
    char want[4200];
    snprintf(want, sizeof want, "open %s: No such file or directory", path);
    check(r == NULL && err.code == GT_ERR_IO && err.message && strcmp(err.message, want) == 0, "long-open-whole",
          "message of %zu bytes (want %zu): %.80s", err.message ? strlen(err.message) : 0, strlen(want),
          err.message ? err.message : "(none)");
    /* Successful calls, with or without an error parameter, keep it. */
    int64_t ns = 0;
    gt_error ok;
    int parsed = gt_parse_duration("1.5s", &ns, &ok);
    check(parsed == 0 && ns == 1500000000 && ok.code == GT_ERR_NONE && ok.message && ok.message[0] == '\0' &&
              strcmp(err.message, want) == 0,
          "long-open-lives", "a successful call changed the message, or left \"%s\"", ok.message ? ok.message : "NULL");
    /* The next failure replaces it (the old text is then gone: not read). */
    gt_error next;
    gt_reader *r2 = gt_reader_open_memory("not a trace at all", 18, &next);
    check(r2 == NULL && strcmp(next.message, "bad file format: not a Go execution trace?") == 0, "open-next-failure",
          "%s", next.message);
    free(path);
}

/* Go's quote of a long duration, through a function without an object. */
static void long_duration_error(void)
{
    char *s = repeat('9', 2000);
    if (!check(s != NULL, "long-duration-setup", "out of memory"))
        return;
    s[1999] = 'd';
    int64_t ns;
    gt_error err;
    int rc = gt_parse_duration(s, &ns, &err);
    size_t len = err.message ? strlen(err.message) : 0;
    check(rc == -1 && err.code == GT_ERR_ARGUMENT && len > 2000 && strstr(err.message, s) != NULL,
          "long-duration-whole", "%zu bytes: %.80s", len, err.message ? err.message : "(none)");
    free(s);
}

/* A reader's error is the reader's: valid across getters and other
 * failures until the reader is freed; "" and NULL getters when none. */
static void reader_error_lifetime(void)
{
    static const uint8_t hdr[16] = "go 1.23 trace\0\0\0";
    uint8_t bad[17];
    memcpy(bad, hdr, 16);
    bad[16] = 0xff; /* an event type byte where a batch must start */
    gt_error err;
    gt_reader *r = gt_reader_open_memory(bad, sizeof bad, &err);
    if (!check(r != NULL && err.code == GT_ERR_NONE && err.message && err.message[0] == '\0', "reader-open-clean",
               "code %d message %s", err.code, err.message ? err.message : "NULL"))
        return;
    check(gt_reader_error(r) == NULL, "reader-no-error", "an error before reading");
    gt_event ev;
    while (gt_reader_next(r, &ev) == 1)
        ;
    const gt_error *e = gt_reader_error(r);
    if (!check(e && e->message && e->message[0], "reader-error", "no error message")) {
        gt_reader_free(r);
        return;
    }
    char *saved = strdup(e->message);
    gt_error other;
    gt_reader *r2 = gt_reader_open_memory("junk", 4, &other);
    check(!r2 && saved && strcmp(gt_reader_error(r)->message, saved) == 0 && strcmp(e->message, saved) == 0 &&
              gt_reader_next(r, &ev) == -1 && strcmp(gt_reader_error(r)->message, saved) == 0,
          "reader-error-lives", "the reader's message changed");
    free(saved);
    gt_reader_free(r);
}

/* Each thread's failures are its own, and a thread's message is freed when
 * it exits (LSan reports it otherwise). */
static void *thread_fail(void *arg)
{
    char *out = arg;
    int64_t ns;
    gt_error err;
    gt_parse_duration("12parsecs", &ns, &err);
    snprintf(out, 128, "%s", err.message);
    return NULL;
}

static void per_thread(void)
{
    int64_t ns;
    gt_error mine;
    gt_parse_duration("5x", &ns, &mine);
    char theirs[4][128];
    pthread_t t[4];
    int started = 0;
    for (int i = 0; i < 4; i++)
        started += pthread_create(&t[i], NULL, thread_fail, theirs[i]) == 0;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    int same = started == 4;
    for (int i = 0; i < started; i++)
        same = same && !strcmp(theirs[i], "time: unknown unit \"parsecs\" in duration \"12parsecs\"");
    check(same && !strcmp(mine.message, "time: unknown unit \"x\" in duration \"5x\""), "per-thread",
          "mine \"%s\", theirs \"%s\"", mine.message, started ? theirs[0] : "(no thread)");
}

int main(void)
{
    check(gt_error_size() == sizeof(gt_error) && gt_type_size("gt_error") == sizeof(gt_error) &&
              (sizeof(void *) != 8 || sizeof(gt_error) == 40),
          "error-size", "gt_error is %zu bytes, the library says %zu", sizeof(gt_error), gt_error_size());
    long_raw_error();
    long_open_error();
    long_duration_error();
    reader_error_lifetime();
    per_thread();
    return check_done();
}
