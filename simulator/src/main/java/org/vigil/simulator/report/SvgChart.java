package org.vigil.simulator.report;

import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG, so the HTML report needs no script and no download: a frame, "nice" axis ticks,
 * one polyline per series and a legend. X may be logarithmic (for percentile curves, plotted against
 * {@code 1/(1-p)} so the tail gets room).
 */
final class SvgChart {

    private static final int W = 860;
    private static final int H = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 45;

    /** One line. */
    record Series(String name, String colour, double[] x, double[] y) {
    }

    private SvgChart() {
    }

    static String lines(String title, String xLabel, String yLabel, List<Series> series, boolean percentileX) {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = percentileX ? tail(s.x()[i]) : s.x()[i];
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                W, H, W, H, esc(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"t\">%s</text>", LEFT, esc(title)));
        if (xMin == Double.MAX_VALUE) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"a\">no data</text></svg>", W / 2 - 30, H / 2));
            return svg.toString();
        }
        if (xMax <= xMin) {
            xMax = xMin + 1;
        }
        double yTop = nice(yMax <= 0 ? 1 : yMax * 1.05);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"f\"/>", LEFT, TOP, pw, ph));
        for (int i = 0; i <= 5; i++) {
            double v = yTop * i / 5;
            double y = TOP + ph - ph * v / yTop;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"g\"/>", LEFT, LEFT + pw, y, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"a\" text-anchor=\"end\">%s</text>", LEFT - 6, y + 4, label(v)));
        }
        double lxMin = percentileX ? Math.log10(xMin) : xMin;
        double lxMax = percentileX ? Math.log10(xMax) : xMax;
        if (lxMax <= lxMin) {
            lxMax = lxMin + 1;
        }
        if (percentileX) {
            String[] names = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
            for (int i = 0; i < names.length; i++) {
                double lx = i;
                if (lx < lxMin - 1e-9 || lx > lxMax + 1e-9) {
                    continue;
                }
                double x = LEFT + pw * (lx - lxMin) / (lxMax - lxMin);
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"g\"/>", x, x, TOP, TOP + ph));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"a\" text-anchor=\"middle\">%s</text>", x, TOP + ph + 16, names[i]));
            }
        } else {
            double step = nice((xMax - xMin) / 8);
            for (double v = Math.ceil(xMin / step) * step; v <= xMax + 1e-9; v += step) {
                double x = LEFT + pw * (v - xMin) / (xMax - xMin);
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"a\" text-anchor=\"middle\">%s</text>", x, TOP + ph + 16, label(v)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"a\" text-anchor=\"middle\">%s</text>", LEFT + pw / 2, H - 8, esc(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" class=\"a\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>",
                TOP + ph / 2, TOP + ph / 2, esc(yLabel)));
        int legendX = LEFT + 10;
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                double xv = percentileX ? Math.log10(tail(s.x()[i])) : s.x()[i];
                double x = LEFT + pw * (xv - lxMin) / (lxMax - lxMin);
                double y = TOP + ph - ph * Math.min(s.y()[i], yTop) / yTop;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>", s.colour(), points.toString().trim()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>", legendX, TOP + 8, s.colour()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"a\">%s</text>", legendX + 16, TOP + 13, esc(s.name())));
            legendX += 30 + 7 * s.name().length();
        }
        return svg.append("</svg>").toString();
    }

    /** Percentile to "one in how many": 50 % -> 2, 99 % -> 100. */
    private static double tail(double percentile) {
        return 1 / Math.max(1e-6, 1 - percentile / 100);
    }

    /** The next 1, 2 or 5 times a power of ten at or above {@code v}. */
    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        double m = v / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String label(double v) {
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
