package dev.meshflow.transforms.skips;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** One model's quality and drift over one evaluation window, and whether it calls for a retrain. */
public final class WindowEvaluation implements Serializable {
  public final long windowStartMillis;
  public final long windowEndMillis;
  public final String modelId;
  public final long predictions;
  public final double skipShare;
  public final double auc;
  public final double logLoss;
  /** Per feature, in {@link SkipFeatures#NAMES} order; empty when the model's card is missing. */
  public final double[] psi;
  public final String retrainReason;

  WindowEvaluation(long windowStartMillis, long windowEndMillis, String modelId, long predictions,
      double skipShare, double auc, double logLoss, double[] psi, String retrainReason) {
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.modelId = modelId;
    this.predictions = predictions;
    this.skipShare = skipShare;
    this.auc = auc;
    this.logLoss = logLoss;
    this.psi = psi;
    this.retrainReason = retrainReason;
  }

  /** The largest PSI among the features whose drift triggers a retrain. */
  public double maxPsi() {
    return maxTriggeringPsi(psi);
  }

  /** The largest of {@code psi} (per feature, in name order) among features whose drift triggers. */
  public static double maxTriggeringPsi(double[] psi) {
    double max = 0;
    for (int f = 0; f < psi.length; f++) {
      if (SkipFeatures.driftTriggers(f)) {
        max = Math.max(max, psi[f]);
      }
    }
    return max;
  }

  public Row toRow() {
    return Row.withSchema(SkipTables.EVALUATION_SCHEMA).attachValues(new Instant(windowStartMillis),
        new Instant(windowEndMillis), modelId, predictions, skipShare, SkipTables.nanToNull(auc), logLoss,
        maxPsi(), retrainReason != null, retrainReason == null ? "" : retrainReason);
  }

  public List<Row> driftRows() {
    Row[] rows = new Row[psi.length];
    for (int f = 0; f < psi.length; f++) {
      rows[f] = Row.withSchema(SkipTables.DRIFT_SCHEMA).attachValues(new Instant(windowStartMillis), modelId,
          SkipFeatures.NAMES.get(f), psi[f]);
    }
    return List.of(rows);
  }

  /** The rule, in one place: enough plays, and AUC below the floor or any PSI above the ceiling. */
  static String retrainReason(long predictions, double auc, double maxPsi, int minRows, double minAuc,
      double maxPsiAllowed) {
    if (predictions < minRows) {
      return null;
    }
    if (!Double.isNaN(auc) && auc < minAuc) {
      return String.format("auc %.3f < %.3f", auc, minAuc);
    }
    if (maxPsi > maxPsiAllowed) {
      return String.format("psi %.3f > %.3f", maxPsi, maxPsiAllowed);
    }
    return null;
  }
}
