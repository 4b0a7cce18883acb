package dev.meshflow.transforms.skips;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Each feature's distribution in a model's training data, as bins: two for 0/1 features, up to ten
 * quantile bins otherwise. Live data is binned the same way and compared by the population
 * stability index, PSI = Σ (live − base) · ln(live / base); above 0.25 is a common alarm level.
 */
public final class FeatureBaseline implements Serializable {
  private static final double FLOOR = 1e-4;
  /** Per feature, the upper edges of all bins but the last (ascending). */
  final double[][] edges;
  /** Per feature, the share of training rows in each bin. */
  final double[][] shares;

  FeatureBaseline(double[][] edges, double[][] shares) {
    this.edges = edges;
    this.shares = shares;
  }

  public static FeatureBaseline of(List<float[]> rows, int features) {
    double[][] edges = new double[features][];
    double[][] shares = new double[features][];
    for (int f = 0; f < features; f++) {
      double[] values = new double[rows.size()];
      boolean binary = true;
      for (int i = 0; i < rows.size(); i++) {
        values[i] = rows.get(i)[f];
        binary &= values[i] == 0 || values[i] == 1;
      }
      Arrays.sort(values);
      if (binary) {
        edges[f] = new double[] {0.5};
      } else {
        double[] e = new double[9];
        int k = 0;
        for (int q = 1; q <= 9; q++) {
          double edge = values.length == 0 ? 0 : values[Math.min(values.length - 1, q * values.length / 10)];
          if (k == 0 || edge > e[k - 1]) {
            e[k++] = edge;
          }
        }
        edges[f] = Arrays.copyOf(e, k);
      }
      long[] counts = new long[edges[f].length + 1];
      for (double v : values) {
        counts[bin(edges[f], v)]++;
      }
      shares[f] = toShares(counts);
    }
    return new FeatureBaseline(edges, shares);
  }

  public int features() {
    return edges.length;
  }

  public int bins(int feature) {
    return edges[feature].length + 1;
  }

  /** The bin a value falls in: the first whose upper edge is above it. */
  public int binOf(int feature, double value) {
    return bin(edges[feature], value);
  }

  private static int bin(double[] edges, double v) {
    int b = 0;
    while (b < edges.length && v >= edges[b]) {
      b++;
    }
    return b;
  }

  /** PSI of live bin counts for one feature against this baseline. */
  public double psi(int feature, long[] liveCounts) {
    double[] live = toShares(liveCounts);
    double psi = 0;
    for (int b = 0; b < live.length; b++) {
      double a = Math.max(FLOOR, live[b]);
      double e = Math.max(FLOOR, shares[feature][b]);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  private static double[] toShares(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] s = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      s[i] = total == 0 ? 0 : (double) counts[i] / total;
    }
    return s;
  }
}
