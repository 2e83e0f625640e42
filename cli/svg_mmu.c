/* The MMU curve as an SVG plot (cli/svg_mmu.h), shared by gotrace mmu --svg
 * and gotrace report. */
#include <math.h>

#include "analysis_util.h"
#include "svg_mmu.h"

/* Log-scale plot of the curve over [xmin, xmax], as the web page draws it. */
void svg_mmu_write(FILE *f, gt_mmu *m, int64_t length)
{
    int64_t xmin = 1000000000;
    while (xmin > 1) {
        if (gt_mmu_at(m, xmin) < 0.0001)
            break;
        xmin /= 1000;
    }
    int64_t xmax = xmin * 1000000;
    if (xmax > length)
        xmax = length;
    if (xmax <= xmin)
        xmax = xmin + 1;
    enum { W = 800, H = 400, L = 60, B = 40, SAMPLES = 100 };
    double lmin = log((double)xmin), lmax = log((double)xmax);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            W + L + 20, H + B + 20);
    fprintf(f, "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", L, W, H);
    for (int i = 0; i <= 4; i++) {
        double y = 10 + H - H * i / 4.0;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 4, y + 4, i / 4.0);
    }
    for (int64_t t = 1; t <= xmax; t *= 10) {
        if (t < xmin)
            continue;
        char d[40];
        double x = L + W * (log((double)t) - lmin) / (lmax - lmin);
        fprintf(f, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, x, 10 + H);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, 10 + H + 14, au_duration(d, t));
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">window duration</text>\n", L + W / 2, H + B + 14);
    fprintf(f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
    for (int i = 0; i < SAMPLES; i++) {
        int64_t w = (int64_t)exp((double)i / (SAMPLES - 1) * (lmax - lmin) + lmin);
        double u = gt_mmu_at(m, w);
        fprintf(f, "%.1f,%.1f ", L + W * (double)i / (SAMPLES - 1), 10 + H - H * (isnan(u) ? 0 : u));
    }
    fprintf(f, "\"/>\n</svg>\n");
}
