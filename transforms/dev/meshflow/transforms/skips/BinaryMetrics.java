package dev.meshflow.transforms.skips;

import java.util.Arrays;

/** Ranking and calibration of probability predictions against 0/1 outcomes. */
public final class BinaryMetrics {
  private static final double EPS = 1e-7;

  private BinaryMetrics() {}

  /**
   * Area under the ROC curve: the chance a random positive scores above a random negative, ties
   * counting half (Mann-Whitney). NaN when either class is missing.
   */
  public static double auc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1; // 1-based average rank of the tie group
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          rankSumPositive += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Mean negative log-likelihood, probabilities clipped to [1e-7, 1 - 1e-7]. */
  public static double logLoss(double[] probabilities, boolean[] positive) {
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double p = Math.min(1 - EPS, Math.max(EPS, probabilities[i]));
      sum -= positive[i] ? Math.log(p) : Math.log(1 - p);
    }
    return probabilities.length == 0 ? Double.NaN : sum / probabilities.length;
  }
}
