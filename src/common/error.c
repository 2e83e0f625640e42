#include "common/error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const char gt_error_lost_text[] = "(the error message was lost: out of memory)";

/* Replaces err's message by msg (owned when `owned`), freeing the old one. */
static void put_message(gt_error *err, const char *msg, int owned)
{
    if (err->owned)
        free((void *)err->message);
    err->message = msg;
    err->owned = owned ? 1u : 0u;
}

/* A new error: msg (malloc'd; NULL when that failed) and where, no line or
 * generation. Returns -1. */
static int put_new(gt_error *err, gt_errcode code, uint64_t offset, char *msg)
{
    put_message(err, msg ? msg : gt_error_lost_text, msg != NULL);
    err->code = code;
    err->offset = offset;
    err->line = 0;
    err->generation = 0;
    return -1;
}

int gt_error_vset(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    /* Formatted before the old message is freed: the arguments may quote it
     * (an error wrapping the one it replaces). */
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg)
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    return put_new(err, code, offset, msg);
}

int gt_error_set(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gt_error_vset(err, code, offset, fmt, ap);
    va_end(ap);
    return -1;
}

int gt_error_set_text(gt_error *err, gt_errcode code, uint64_t offset, const char *s, size_t len)
{
    if (!err)
        return -1;
    char *msg = malloc(len + 1);
    if (msg) {
        if (len)
            memcpy(msg, s, len);
        msg[len] = '\0';
    }
    return put_new(err, code, offset, msg);
}

void gt_error_move(gt_error *dst, gt_error *src)
{
    if (dst == src)
        return;
    if (dst->owned)
        free((void *)dst->message);
    *dst = *src;
    gt_error_init(src);
}

void gt_error_copy(gt_error *dst, const gt_error *src)
{
    if (dst == src)
        return;
    gt_error tmp = *src;
    const char *text = src->message ? src->message : "";
    /* The empty text and the degraded one are static: nothing to copy. */
    if (text[0] == '\0' || text == gt_error_lost_text) {
        put_message(dst, text[0] ? gt_error_lost_text : "", 0);
    } else {
        size_t len = strlen(text);
        char *msg = malloc(len + 1);
        if (msg)
            memcpy(msg, text, len + 1);
        put_message(dst, msg ? msg : gt_error_lost_text, msg != NULL);
    }
    dst->code = tmp.code;
    dst->offset = tmp.offset;
    dst->line = tmp.line;
    dst->generation = tmp.generation;
}

/* The message published last by each thread (gotrace.h: "Where messages
 * live"). The thread-local pointer keeps it reachable (leak checkers scan
 * thread-local storage); the key's destructor frees it when the thread
 * exits, as the thread-local variable cannot. */
static _Thread_local char *published;
static pthread_key_t published_key;
static pthread_once_t published_once = PTHREAD_ONCE_INIT;
static int published_key_ok;

static void published_free(void *p)
{
    free(p);
    published = NULL;
}

static void published_init(void) { published_key_ok = pthread_key_create(&published_key, published_free) == 0; }

void gt_error_publish(gt_error *err)
{
    if (!err || !err->owned)
        return;
    pthread_once(&published_once, published_init);
    char *old = published;
    published = (char *)err->message;
    err->owned = 0;
    /* Without a key (creating one failed) the text still lives until the
     * next publish; a thread that exits after publishing then leaks one
     * message. */
    if (published_key_ok)
        pthread_setspecific(published_key, published);
    free(old);
}

const char *gt_errcode_name(gt_errcode code)
{
    switch (code) {
    case GT_ERR_NONE: return "none";
    case GT_ERR_IO: return "io";
    case GT_ERR_FORMAT: return "format";
    case GT_ERR_UNSUPPORTED: return "unsupported";
    case GT_ERR_TRUNCATED: return "truncated";
    case GT_ERR_MALFORMED: return "malformed";
    case GT_ERR_INVALID: return "invalid";
    case GT_ERR_NOMEM: return "out of memory";
    case GT_ERR_ARGUMENT: return "argument";
    }
    return "unknown";
}

/* The Makefile passes its VERSION split in three (GT_MAKE_VERSION_*): the
 * header's numbers must say the same, and fit GT_VERSION_NUMBER's digits. */
_Static_assert(GT_VERSION_MAJOR == GT_MAKE_VERSION_MAJOR && GT_VERSION_MINOR == GT_MAKE_VERSION_MINOR &&
                   GT_VERSION_PATCH == GT_MAKE_VERSION_PATCH,
               "GT_VERSION_* in include/gotrace.h differ from VERSION in the Makefile");
_Static_assert(GT_VERSION_MINOR < 100 && GT_VERSION_PATCH < 100, "GT_VERSION_NUMBER holds two digits each");

const char *gt_version(void) { return GT_VERSION_STRING; }

int gt_version_number(void) { return GT_VERSION_NUMBER; }
