/* gotrace/check.h — Go's trace test cases (the `.test` files of
 * internal/trace/testdata/tests): the txtar container, the expectation
 * ("SUCCESS" or FAILURE "<Go regexp>"), and loading a case the way Go's
 * testtrace.ParseFile does (text trace converted to the binary format in
 * memory). Used by `gotrace test` and the project's regression tests.
 *
 * Errors carry Go's texts where Go has them. Nothing here prints.
 *
 * In-tree only: `make install` does not install this header and the shared
 * library does not export these functions (hence no GT_API); the CLI and the
 * tests link them from the static library. */
#ifndef GOTRACE_CHECK_H
#define GOTRACE_CHECK_H

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- txtar */

typedef struct gt_txtar_file {
    gt_str name;  /* trimmed of surrounding spaces, as Go's txtar does */
    gt_str data;  /* the section's bytes; ends in '\n' unless empty */
} gt_txtar_file;

typedef struct gt_txtar {
    gt_str comment;        /* text before the first "-- name --" line */
    size_t nfiles;
    gt_txtar_file *files;
    char *priv_owned;      /* internal: copy made for a final section without '\n' */
} gt_txtar;

/* Splits data as Go's txtar.Parse does: a line "-- NAME --" starts a section
 * (NAME non-empty after trimming spaces); a last section lacking a final
 * newline gets one. Strings point into data (which the caller keeps alive)
 * or into memory owned by *out. Returns 0, or -1 when memory runs out. */
int gt_txtar_parse(const void *data, size_t len, gt_txtar *out);
void gt_txtar_free(gt_txtar *a);

/* ---------------------------------------------------------------- regexps */

/* The subset of Go's regexp syntax that the test expectations use: literal
 * characters, '\' before punctuation (a literal), '.' (any character but
 * '\n') and '.*'. Other syntax is refused at compile time with a message
 * saying so, rather than guessed at. */
typedef struct gt_go_regexp gt_go_regexp;

/* NULL on refusal or no memory, with *err filled (GT_ERR_ARGUMENT: message
 * "unsupported regexp syntax ... in PATTERN"; GT_ERR_NOMEM). */
gt_go_regexp *gt_go_regexp_compile(const char *pattern, size_t len, gt_error *err);
/* Go's Regexp.MatchString: whether the pattern matches anywhere in s. */
int gt_go_regexp_match(const gt_go_regexp *re, const char *s, size_t len);
/* The pattern's source text (NUL-terminated), as Go's Regexp.String(). */
const char *gt_go_regexp_source(const gt_go_regexp *re);
void gt_go_regexp_free(gt_go_regexp *re);

/* ---------------------------------------------------------------- expectations */

typedef struct gt_expectation gt_expectation;

/* Go's testtrace.ParseExpectation: the first line is "SUCCESS" or
 * `FAILURE "<quoted regexp>"`; empty data means success. NULL with *err
 * filled on a bad line (Go's texts: `bad header line: "..."`,
 * `bad header line for FAILURE: "..."`, `malformed pattern: ...`). */
gt_expectation *gt_expectation_parse(const void *data, size_t len, gt_error *err);
/* Whether FAILURE is expected. */
int gt_expectation_wants_failure(const gt_expectation *e);
/* Go's Expectation.Check. read_error is the reader's error message, or NULL
 * when reading succeeded. Returns 0 when the outcome conforms; 1 when it
 * does not, with *why set to Go's message (release with gt_free);
 * -1 when memory runs out. */
int gt_expectation_check(const gt_expectation *e, const char *read_error, char **why);
void gt_expectation_free(gt_expectation *e);

/* ---------------------------------------------------------------- test cases */

typedef struct gt_test_case {
    unsigned char *trace;    /* the trace in the binary format (freed by gt_test_case_free) */
    size_t trace_len;
    int version;             /* from the text trace's "Trace Go1.N" line */
    gt_expectation *expect;
} gt_test_case;

/* Go's testtrace.ParseFile on a file's contents: exactly two sections named
 * "expect" and "trace"; the trace section is read by the text reader and
 * written back in the binary format. name is the file name used in the
 * messages, which are Go's ("malformed test NAME: wrong number of files",
 * "malformed test NAME: bad trace file: ..."). Returns 0, or -1 with *err. */
int gt_test_case_load(const void *data, size_t len, const char *name, gt_test_case *out, gt_error *err);
void gt_test_case_free(gt_test_case *tc);

#ifdef __cplusplus
}
#endif

#endif
