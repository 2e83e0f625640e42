/* Go string quoting: gt_go_quote must print what strconv.Quote prints, and
 * gt_go_unquote must accept and reject what strconv.Unquote does. Expected
 * strings were produced by Go 1.27's strconv. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "common/goquote.h"

static void quote_case(const char *name, const void *in, size_t n, const char *want)
{
    gt_buf b = GT_BUF_INIT;
    int rc = gt_go_quote(&b, in, n);
    check(rc == 0 && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, name, "got %.*s want %s",
          (int)b.len, b.data ? b.data : "", want);
    gt_buf_free(&b);
}

static void test_quote(void)
{
    quote_case("quote_empty", "", 0, "\"\"");
    quote_case("quote_ascii", "hello, world", 12, "\"hello, world\"");
    quote_case("quote_quote_backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    quote_case("quote_named_controls", "\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"");
    quote_case("quote_control_bytes", "\x01\x1f\x7f", 3, "\"\\x01\\x1f\\x7f\"");
    quote_case("quote_nul", "a\0b", 3, "\"a\\x00b\"");
    quote_case("quote_invalid_utf8", "\xff\xfe\xc0\xaf", 4, "\"\\xff\\xfe\\xc0\\xaf\"");
    quote_case("quote_truncated_utf8", "x\xe2\x82", 3, "\"x\\xe2\\x82\"");
    quote_case("quote_surrogate_bytes", "\xed\xa0\x80", 3, "\"\\xed\\xa0\\x80\"");
    quote_case("quote_printable_multibyte", "h\xc3\xa9llo \xe4\xb8\x96 \xf0\x9f\x98\x80", 15,
               "\"h\xc3\xa9llo \xe4\xb8\x96 \xf0\x9f\x98\x80\"");
    quote_case("quote_soft_hyphen", "\xc2\xad", 2, "\"\\u00ad\"");
    quote_case("quote_c1_control", "\xc2\x85", 2, "\"\\u0085\"");
    quote_case("quote_nbsp", "\xc2\xa0", 2, "\"\\u00a0\"");
    quote_case("quote_zero_width_space", "\xe2\x80\x8b", 3, "\"\\u200b\"");
    quote_case("quote_bom", "\xef\xbb\xbf", 3, "\"\\ufeff\"");
    quote_case("quote_replacement_char", "\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\"");
    quote_case("quote_astral_nonprint", "\xf3\xa0\x80\x81", 4, "\"\\U000e0001\"");
    quote_case("quote_private_use_plane", "\xf4\x8f\xbf\xbf", 4, "\"\\U0010ffff\"");
}

static void test_is_print(void)
{
    /* Points on both sides of table boundaries. */
    check(gt_go_is_print(' ') && !gt_go_is_print(0x7F) && gt_go_is_print(0xA1) && !gt_go_is_print(0xAD),
          "is_print_latin1", "latin-1 rules");
    check(gt_go_is_print(0x0377) && !gt_go_is_print(0x0378) && gt_go_is_print(0x037A), "is_print_bmp_ranges",
          "range edges near U+0378");
    check(gt_go_is_print(0x1F600) && !gt_go_is_print(0xE0001) && gt_go_is_print(0x20000) && !gt_go_is_print(0x110000),
          "is_print_astral", "astral ranges");
}

static void unquote_case(const char *name, const char *lit, const void *want, size_t want_len)
{
    gt_buf b = GT_BUF_INIT;
    int rc = gt_go_unquote(lit, strlen(lit), &b);
    check(rc == 0 && b.len == want_len && (want_len == 0 || memcmp(b.data, want, want_len) == 0), name,
          "rc=%d len=%zu", rc, b.len);
    gt_buf_free(&b);
}

static void unquote_bad(const char *name, const char *lit)
{
    gt_buf b = GT_BUF_INIT;
    check(gt_go_unquote(lit, strlen(lit), &b) == -1, name, "accepted %s", lit);
    gt_buf_free(&b);
}

static void test_unquote(void)
{
    unquote_case("unquote_plain", "\"abc\"", "abc", 3);
    unquote_case("unquote_empty", "\"\"", "", 0);
    unquote_case("unquote_escapes", "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", "\a\b\f\n\r\t\v\\\"", 9);
    unquote_case("unquote_hex_byte", "\"\\xff\\x00\"", "\xff\0", 2);
    unquote_case("unquote_octal", "\"\\377\\000\\101\"", "\xff\0A", 3);
    unquote_case("unquote_u", "\"\\u00e9\\U0001f600\"", "\xc3\xa9\xf0\x9f\x98\x80", 6);
    unquote_case("unquote_raw_invalid_byte", "\"a\xff\"", "a\xef\xbf\xbd", 4);
    unquote_bad("unquote_bad_no_quotes", "abc");
    unquote_bad("unquote_bad_unterminated", "\"abc");
    unquote_bad("unquote_bad_trailing", "\"a\"b");
    unquote_bad("unquote_bad_newline", "\"a\nb\"");
    unquote_bad("unquote_bad_escape", "\"\\q\"");
    unquote_bad("unquote_bad_single_quote_escape", "\"\\'\"");
    unquote_bad("unquote_bad_surrogate", "\"\\ud800\"");
    unquote_bad("unquote_bad_too_big", "\"\\U00110000\"");
    unquote_bad("unquote_bad_octal_range", "\"\\400\"");
    unquote_bad("unquote_bad_short_hex", "\"\\x4\"");
    unquote_bad("unquote_bad_single_quoted", "'a'");
}

/* Every byte string quotes to something that unquotes back to itself. */
static void test_round_trip(void)
{
    uint8_t in[512];
    uint32_t seed = 12345;
    int good = 1;
    for (int iter = 0; iter < 2000 && good; iter++) {
        size_t n = (size_t)(iter % 64);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (uint8_t)(seed >> 16);
        }
        gt_buf q = GT_BUF_INIT, u = GT_BUF_INIT;
        if (gt_go_quote(&q, in, n) || gt_go_unquote(q.data, q.len, &u) || u.len != n ||
            (n && memcmp(u.data, in, n)))
            good = 0;
        gt_buf_free(&q);
        gt_buf_free(&u);
    }
    check(good, "quote_unquote_round_trip", "random byte strings did not survive quote+unquote");
}

int main(void)
{
    test_quote();
    test_is_print();
    test_unquote();
    test_round_trip();
    return check_done();
}
