/* Unit tests of src/check: txtar splitting, the Go-regexp subset and the
 * expectations of Go's trace test cases (messages are Go's texts). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gotrace/check.h"

static int str_is(gt_str s, const char *want)
{
    return s.len == strlen(want) && (!s.len || !memcmp(s.ptr, want, s.len));
}

static void test_txtar(void)
{
    const char *doc = "comment\n-- expect --\nSUCCESS\n--  trace  --\nTrace Go1.22\n-- not a marker\n-- --\nlast";
    gt_txtar a;
    int rc = gt_txtar_parse(doc, strlen(doc), &a);
    check(rc == 0 && a.nfiles == 2, "txtar_sections", "rc=%d nfiles=%zu", rc, a.nfiles);
    if (rc == 0 && a.nfiles == 2) {
        check(str_is(a.comment, "comment\n"), "txtar_comment", "got %.*s", (int)a.comment.len, a.comment.ptr);
        check(str_is(a.files[0].name, "expect") && str_is(a.files[0].data, "SUCCESS\n"), "txtar_first",
              "got %.*s", (int)a.files[0].data.len, a.files[0].data.ptr);
        /* Names are trimmed; "-- --" and an unterminated marker are text; the
         * missing final newline is added. */
        check(str_is(a.files[1].name, "trace") &&
                  str_is(a.files[1].data, "Trace Go1.22\n-- not a marker\n-- --\nlast\n"),
              "txtar_last_fixnl", "got %.*s", (int)a.files[1].data.len, a.files[1].data.ptr);
    }
    gt_txtar_free(&a);

    const char *bare = "-- a --";
    rc = gt_txtar_parse(bare, strlen(bare), &a);
    check(rc == 0 && a.nfiles == 1 && str_is(a.files[0].name, "a") && a.files[0].data.len == 0 &&
              a.comment.len == 0,
          "txtar_marker_at_end", "rc=%d nfiles=%zu", rc, a.nfiles);
    gt_txtar_free(&a);

    rc = gt_txtar_parse("", 0, &a);
    check(rc == 0 && a.nfiles == 0 && a.comment.len == 0, "txtar_empty", "rc=%d", rc);
    gt_txtar_free(&a);
}

static int matches(const char *pattern, const char *subject)
{
    gt_error err;
    gt_go_regexp *re = gt_go_regexp_compile(pattern, strlen(pattern), &err);
    if (!re)
        return -1;
    int m = gt_go_regexp_match(re, subject, strlen(subject));
    gt_go_regexp_free(re);
    return m;
}

static void test_regexp(void)
{
    static const struct {
        const char *name, *pattern, *subject;
        int want;
    } cases[] = {
        {"re_literal_anywhere", "a proc", "expected a proc but didn't", 1},
        {"re_literal_absent", "a thread", "expected a proc", 0},
        {"re_star_both_ends", ".*expected a proc.*", "x: expected a proc but", 1},
        {"re_star_middle", "expected.*proc", "expected a proc", 1},
        {"re_star_empty", "ab.*c", "abc", 1},
        {"re_star_stops_at_newline", "a.*b", "a\nb", 0},
        {"re_dot_one_rune", "a.c", "a\xc3\xa9" "c", 1},
        {"re_dot_not_newline", "a.c", "a\nc", 0},
        {"re_dot_needs_one", "a.c", "ac", 0},
        {"re_escaped_dot", "a\\.c", "abc", 0},
        {"re_escaped_dot_literal", "a\\.c", "xa.cx", 1},
        {"re_escaped_paren", "f\\(\\)", "call f() now", 1},
        {"re_empty_pattern", "", "anything", 1},
        {"re_utf8_literal", "\xc3\xa9t\xc3\xa9", "un \xc3\xa9t\xc3\xa9 chaud", 1},
        {"re_overlapping_restart", "aab", "aaab", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = matches(cases[i].pattern, cases[i].subject);
        check(got == cases[i].want, cases[i].name, "pattern %s on %s: got %d, want %d", cases[i].pattern,
              cases[i].subject, got, cases[i].want);
    }

    static const char *refused[] = {"a+", "a?", "(a)", "[ab]", "a|b", "^a", "a$", "\\d", "a*", ".*?", "x{2}", "\\"};
    int all_refused = 1;
    const char *accepted = "";
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        gt_error err;
        gt_go_regexp *re = gt_go_regexp_compile(refused[i], strlen(refused[i]), &err);
        if (re || err.code != GT_ERR_ARGUMENT || !strstr(err.message, "unsupported regexp syntax")) {
            all_refused = 0;
            accepted = refused[i];
        }
        gt_go_regexp_free(re);
    }
    check(all_refused, "re_refuses_other_syntax", "accepted or wrong error for %s", accepted);
}

static void test_expectation(void)
{
    gt_error err;
    char *why = NULL;

    gt_expectation *e = gt_expectation_parse("SUCCESS\n", 8, &err);
    check(e && !gt_expectation_wants_failure(e) && gt_expectation_check(e, NULL, &why) == 0, "expect_success",
          "parse or check failed");
    int rc = e ? gt_expectation_check(e, "boom", &why) : -1;
    check(rc == 1 && why && !strcmp(why, "unexpected error while reading the trace: boom"), "expect_success_got_error",
          "rc=%d why=%s", rc, why ? why : "(null)");
    free(why);
    gt_expectation_free(e);

    const char *f = "FAILURE \".*expected a proc but didn't have one.*\"\n";
    e = gt_expectation_parse(f, strlen(f), &err);
    check(e && gt_expectation_wants_failure(e), "expect_failure_parse", "%s", e ? "not failure" : err.message);
    if (e) {
        rc = gt_expectation_check(e, "expected a proc but didn't have one", &why);
        check(rc == 0, "expect_failure_matches", "rc=%d why=%s", rc, why ? why : "");
        free(why);
        rc = gt_expectation_check(e, NULL, &why);
        check(rc == 1 && why &&
                  !strcmp(why, "expected error while reading the trace: want something matching "
                               "\".*expected a proc but didn't have one.*\", got none"),
              "expect_failure_got_none", "rc=%d why=%s", rc, why ? why : "(null)");
        free(why);
        rc = gt_expectation_check(e, "other", &why);
        check(rc == 1 && why &&
                  !strcmp(why, "unexpected error while reading the trace: want something matching "
                               "\".*expected a proc but didn't have one.*\", got other"),
              "expect_failure_wrong_error", "rc=%d why=%s", rc, why ? why : "(null)");
        free(why);
    }
    gt_expectation_free(e);

    e = gt_expectation_parse("", 0, &err);
    check(e && !gt_expectation_wants_failure(e), "expect_empty_is_success", "empty data");
    gt_expectation_free(e);

    e = gt_expectation_parse("FAILURE `a\\.b`\r\n", 15, &err);
    check(e && gt_expectation_check(e, "xa.by", &why) == 0, "expect_raw_quotes_crlf", "%s",
          e ? "no match" : err.message);
    gt_expectation_free(e);

    static const struct {
        const char *name, *text, *want;
    } bad[] = {
        {"expect_bad_header", "MAYBE\n", "bad header line: \"MAYBE\""},
        {"expect_failure_without_pattern", "FAILURE\n", "bad header line for FAILURE: \"FAILURE\""},
        {"expect_bad_quotes", "FAILURE \"abc\n", "malformed pattern: not correctly quoted: \"abc: invalid syntax"},
        {"expect_unsupported_regexp", "FAILURE \"a+\"\n",
         "malformed pattern: not a valid regexp: a+: unsupported regexp syntax at offset 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e = gt_expectation_parse(bad[i].text, strlen(bad[i].text), &err);
        check(!e && !strncmp(err.message, bad[i].want, strlen(bad[i].want)), bad[i].name, "got %s",
              e ? "success" : err.message);
        gt_expectation_free(e);
    }
}

int main(void)
{
    test_txtar();
    test_regexp();
    test_expectation();
    return check_done();
}
