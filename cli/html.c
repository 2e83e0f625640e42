/* HTML writing for gotrace report (cli/html.h). */
#include <string.h>

#include "analysis_util.h"
#include "html.h"

/* Length of the valid UTF-8 sequence at p (of at most n bytes), 0 when it
 * is not one. Overlong forms, surrogates and values past U+10FFFF are not
 * valid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned v = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    return len;
}

void html_str(FILE *f, gt_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        unsigned c = p[i];
        if (c >= 0x80) {
            size_t n = utf8_seq(p + i, s.len - i);
            if (n) {
                fwrite(p + i, 1, n, f);
                i += n;
            } else {
                fputs("\xef\xbf\xbd", f);
                i++;
            }
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                fputs("\xef\xbf\xbd", f);
            else
                fputc((int)c, f);
        }
        i++;
    }
}

void html_cstr(FILE *f, const char *s) { html_str(f, (gt_str){s, strlen(s)}); }

void html_name(FILE *f, gt_str s, const char *empty)
{
    if (s.len)
        html_str(f, s);
    else
        html_cstr(f, empty);
}

void html_duration(FILE *f, int64_t ns)
{
    char d[40];
    fputs(au_duration(d, ns), f);
}

const char *html_colour(size_t i)
{
    static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
    return i < 10 ? colours[i] : "#c7c7c7";
}

void html_histogram(FILE *f, const gt_strip_durations *h)
{
    int lo = GT_STRIP_HIST_BUCKETS, hi = -1;
    uint64_t most = 1;
    for (int i = 0; i < GT_STRIP_HIST_BUCKETS; i++)
        if (h->buckets[i]) {
            if (i < lo)
                lo = i;
            hi = i;
            if (h->buckets[i] > most)
                most = h->buckets[i];
        }
    if (hi < 0)
        return;
    /* Whole decades around the buckets used, so the axis reads 1µs, 10µs... */
    lo -= lo % 5;
    hi += 4 - hi % 5;
    if (hi >= GT_STRIP_HIST_BUCKETS)
        hi = GT_STRIP_HIST_BUCKETS - 1;
    enum { BAR = 8, HEIGHT = 80, TOP = 4, AXIS = 16 };
    int n = hi - lo + 1, width = n * BAR + 40;
    fprintf(f, "<svg class=\"hist\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n", width,
            TOP + HEIGHT + AXIS);
    for (int i = lo; i <= hi; i++) {
        int x = (i - lo) * BAR;
        if (i % 5 == 0) {
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>", x, TOP, x, TOP + HEIGHT + 3);
            fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\">", x, TOP + HEIGHT + 13);
            html_duration(f, gt_strip_hist_bucket_min(i));
            fputs("</text>\n", f);
        }
        if (!h->buckets[i])
            continue;
        int bh = (int)((double)h->buckets[i] / (double)most * HEIGHT + 0.5);
        if (bh < 1)
            bh = 1;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4e79a7\"><title>", x + 1,
                TOP + HEIGHT - bh, BAR - 2, bh);
        html_duration(f, gt_strip_hist_bucket_min(i));
        fputs(" .. ", f);
        html_duration(f, gt_strip_hist_bucket_min(i + 1));
        fprintf(f, ": %llu</title></rect>\n", (unsigned long long)h->buckets[i]);
    }
    fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n</svg>\n", TOP + HEIGHT, n * BAR,
            TOP + HEIGHT);
}

void html_stacked_bar(FILE *f, const int64_t *values, const char *const *colours, const char *const *labels,
                      size_t n, int64_t scale)
{
    enum { WIDTH = 400, HEIGHT = 14 };
    fprintf(f, "<svg class=\"bar\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">", WIDTH, HEIGHT);
    double x = 0;
    for (size_t i = 0; i < n && scale > 0; i++) {
        if (values[i] <= 0)
            continue;
        double w = (double)values[i] / (double)scale * WIDTH;
        fprintf(f, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: ", x, w, HEIGHT,
                colours[i], labels[i]);
        html_duration(f, values[i]);
        fputs("</title></rect>", f);
        x += w;
    }
    fputs("</svg>", f);
}
