/* Writing HTML for gotrace report (cli/html.c): escaped text from the
 * trace, and the inline SVG charts. The markup is also well-formed XML
 * (void elements closed with "/>", only the five XML entities), so that a
 * strict parser checks it. */
#ifndef GT_CLI_HTML_H
#define GT_CLI_HTML_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"
#include "gotrace/export.h"

/* Writes s as HTML text or attribute value: & < > " ' escaped, control
 * characters and bytes that are not UTF-8 replaced by U+FFFD (one per
 * byte), so any name a trace holds comes out as valid text. */
void html_str(FILE *f, gt_str s);
void html_cstr(FILE *f, const char *s);
/* s, or empty when s is "". */
void html_name(FILE *f, gt_str s, const char *empty);
/* A duration as Go prints it ("1.5ms"). */
void html_duration(FILE *f, int64_t ns);

/* One of ten colours for group rank i (0..9), grey beyond. */
const char *html_colour(size_t i);

/* A histogram of durations as an inline SVG bar chart, Go's TimeHistogram
 * buckets on a log axis (the bucket labels every power of ten), one bar per
 * bucket between the smallest and largest used, bar heights by count; each
 * bar has a tooltip. */
void html_histogram(FILE *f, const gt_strip_durations *h);

/* A horizontal stacked bar of n parts (values, colours, labels) scaled so
 * that `scale` fills the width; each part has a tooltip. */
void html_stacked_bar(FILE *f, const int64_t *values, const char *const *colours, const char *const *labels,
                      size_t n, int64_t scale);

#endif
