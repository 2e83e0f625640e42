/* Go's string quoting: strconv.Quote and strconv.Unquote, byte for byte.
 *
 * Every "%q" in Go's trace output goes through strconv.Quote, so anything we
 * print beside Go's output must quote the same way: printable runes (Go's
 * unicode.IsPrint, from the tables of the Go release we mirror) as they are,
 * the usual backslash escapes, \xNN for control bytes and for bytes that are
 * not valid UTF-8, \uNNNN / \UNNNNNNNN for other non-printable runes.
 */
#ifndef GT_COMMON_GOQUOTE_H
#define GT_COMMON_GOQUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends Go's strconv.Quote of the n bytes at p (any bytes, NUL included) to
 * out, quotes included. Returns 0, or -1 when memory runs out (out may then
 * hold part of the text). */
int gt_go_quote(gt_buf *out, const void *p, size_t n);

/* Go's strconv.Unquote for a double-quoted literal s[0..n): appends the
 * decoded bytes to out and returns 0, or returns -1 when s is not exactly one
 * valid double-quoted Go string literal (out then holds an undefined prefix;
 * truncate it yourself if needed) or when memory runs out. As in Go, raw
 * non-UTF-8 bytes inside the literal decode to U+FFFD. */
int gt_go_unquote(const char *s, size_t n, gt_buf *out);

/* Go's unicode.IsPrint (= strconv.IsPrint) for rune r. */
int gt_go_is_print(int32_t r);

/* Go's unicode.IsSpace for rune r (the same set as fmt's scanning isSpace):
 * \t \n \v \f \r, space, U+0085, U+00A0 and Unicode's other White_Space. */
int gt_go_is_space(int32_t r);

/* Decodes one rune as Go's utf8.DecodeRune does: stores the rune in *r and
 * returns its width (1..4). Invalid or truncated encodings give
 * *r = 0xFFFD and width 1; n == 0 gives *r = 0xFFFD and width 0. */
size_t gt_utf8_decode(const uint8_t *p, size_t n, int32_t *r);

/* Appends the UTF-8 encoding of r (Go's utf8.AppendRune: invalid runes become
 * U+FFFD). Returns 0 or -1 when memory runs out. */
int gt_utf8_append(gt_buf *out, int32_t r);

#endif
