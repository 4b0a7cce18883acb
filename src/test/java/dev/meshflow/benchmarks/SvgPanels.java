package dev.meshflow.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts stacked in one SVG file, for benchmarks whose result is a shape over time (a soak's
 * memory, lag and checkpoints): one panel per measure, minutes along the bottom, each series a line.
 */
final class SvgPanels {
  private static final int WIDTH = 760;
  private static final int PANEL = 150;
  private static final int LEFT = 70;
  private static final int RIGHT = 150;
  private static final int TOP = 26;
  private static final int BOTTOM = 24;
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  /** One series: its name for the legend and its points (minutes, value). */
  record Series(String name, List<double[]> points) {}

  private record Panel(String title, String unit, List<Series> series) {}

  private final String title;
  private final List<Panel> panels = new ArrayList<>();

  SvgPanels(String title) {
    this.title = title;
  }

  SvgPanels panel(String title, String unit, List<Series> series) {
    panels.add(new Panel(title, unit, series));
    return this;
  }

  String render() {
    double maxMinutes = 0;
    for (Panel p : panels) {
      for (Series s : p.series) {
        for (double[] pt : s.points) {
          maxMinutes = Math.max(maxMinutes, pt[0]);
        }
      }
    }
    maxMinutes = Math.max(1, Math.ceil(maxMinutes));
    int height = 30 + panels.size() * (PANEL + TOP + BOTTOM);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        LEFT, escape(title)));
    int y0 = 30;
    for (Panel p : panels) {
      draw(svg, p, y0 + TOP, maxMinutes);
      y0 += PANEL + TOP + BOTTOM;
    }
    return svg.append("</svg>\n").toString();
  }

  private static void draw(StringBuilder svg, Panel p, int top, double maxMinutes) {
    int plotWidth = WIDTH - LEFT - RIGHT;
    double max = 0;
    for (Series s : p.series) {
      for (double[] pt : s.points) {
        max = Math.max(max, pt[1]);
      }
    }
    max = niceCeiling(max);
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s (%s)</text>%n", LEFT,
        top - 8, escape(p.title), escape(p.unit)));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
        + " stroke=\"#999\"/>%n", LEFT, top, plotWidth, PANEL));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double y = top + PANEL - PANEL * i / 4.0;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, LEFT + plotWidth, y, y, LEFT - 4,
          y + 4, label(v)));
    }
    int step = maxMinutes <= 10 ? 1 : 5;
    for (int m = 0; m <= maxMinutes; m += step) {
      double x = LEFT + plotWidth * m / maxMinutes;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d min</text>%n", x,
          top + PANEL + 14, m));
    }
    for (int i = 0; i < p.series.size(); i++) {
      Series s = p.series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (double[] pt : s.points) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotWidth * pt[0] / maxMinutes,
            top + PANEL - (max == 0 ? 0 : PANEL * pt[1] / max)));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\""
          + " points=\"%s\"/>%n", colour, points.toString().trim()));
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
          + " stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + plotWidth + 10,
          LEFT + plotWidth + 24, top + 12 + i * 16, top + 12 + i * 16, colour, LEFT + plotWidth + 28,
          top + 16 + i * 16, escape(s.name)));
    }
  }

  /** The smallest of 1, 2, 2.5 or 5 times a power of ten at or above {@code v}. */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double f : new double[] {1, 2, 2.5, 5, 10}) {
      if (f * power >= v) {
        return f * power;
      }
    }
    return 10 * power;
  }

  private static String label(double v) {
    if (v >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
