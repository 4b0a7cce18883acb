package dev.meshflow.transforms.inference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks the next batch size from measured latencies, after Beam Python's {@code
 * _BatchSizeEstimator}: fit {@code time = a + b·size} by least squares over recent batches (the
 * slowest fifth left out as outliers), then take the largest size whose predicted time stays under
 * the target, growing at most twofold a step. A little jitter keeps the sizes varied, which the fit
 * needs. One instance per DoFn instance; not thread-safe.
 */
public final class BatchSizeEstimator {
  private static final int HISTORY = 100;

  private final int minSize;
  private final int maxSize;
  private final double targetMillis;
  private final Deque<double[]> history = new ArrayDeque<>();
  private final SplittableRandom jitter = new SplittableRandom(7);
  private int lastSize;

  public BatchSizeEstimator(BatchBounds bounds) {
    this.minSize = bounds.minSize();
    this.maxSize = bounds.maxSize();
    this.targetMillis = bounds.targetBatchMillis();
    this.lastSize = minSize;
  }

  /** Records that a batch of {@code size} took {@code millis} (fractions allowed). */
  public void record(int size, double millis) {
    history.addLast(new double[] {size, millis});
    if (history.size() > HISTORY) {
      history.removeFirst();
    }
  }

  public int nextSize() {
    if (minSize == maxSize) {
      return minSize;
    }
    int grown = (int) Math.min(maxSize, Math.max(minSize, 2L * Math.max(1, lastSize)));
    double[] fit = fit();
    int size;
    if (fit == null) {
      size = history.isEmpty() ? minSize : grown; // no model yet: grow until there is one
    } else {
      double a = Math.max(0, fit[0]);
      double b = fit[1];
      double best = b <= 0 ? maxSize : (targetMillis - a) / b;
      best *= 1 + 0.25 * (2 * jitter.nextDouble() - 1);
      size = (int) Math.max(minSize, Math.min(grown, Math.floor(best)));
    }
    lastSize = size;
    return size;
  }

  /** {a, b} of the least-squares line, or null while the sizes measured do not vary. */
  private double[] fit() {
    if (history.size() < 3) {
      return null;
    }
    List<double[]> points = new ArrayList<>(history);
    // Leave out the slowest fifth relative to size: pauses for GC or I/O are not batch cost.
    points.sort((p, q) -> Double.compare(p[1] / p[0], q[1] / q[0]));
    points = points.subList(0, Math.max(2, points.size() - points.size() / 5));
    double n = points.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (double[] p : points) {
      sx += p[0];
      sy += p[1];
      sxx += p[0] * p[0];
      sxy += p[0] * p[1];
    }
    double den = n * sxx - sx * sx;
    if (den < 1e-9) {
      return null;
    }
    double b = (n * sxy - sx * sy) / den;
    return new double[] {(sy - b * sx) / n, b};
  }
}
