package dev.meshflow.transforms.skips;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a skip model on one window's labelled listens with Tribuo and exports it to ONNX. Rows are
 * put in listen-id order first and the trainers are seeded, so the same rows give the same model
 * on any runner. One listen in five (by id hash) is held out to measure AUC and log-loss.
 */
public final class SkipTrainer implements Serializable {
  public enum Kind { LOGISTIC, FACTORIZATION_MACHINE }

  static final String SKIP = "skip";
  /** Tribuo numbers labels in its HashMap's order; with these two names "skip" is column 1. */
  static final String LISTENED = "play";

  private final Kind kind;
  private final int epochs;
  private final long seed;

  public SkipTrainer(Kind kind, int epochs, long seed) {
    this.kind = kind;
    this.epochs = epochs;
    this.seed = seed;
  }

  /**
   * A trained model: its card and its ONNX bytes. A few per run (one per window), so Java
   * serialization is its coder: a hand-written one saved nothing measurable.
   */
  public static final class Trained implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public final SkipModelCard card;
    public final byte[] onnx;

    public Trained(SkipModelCard card, byte[] onnx) {
      this.card = card;
      this.onnx = onnx;
    }
  }

  public static boolean heldOut(String listenId) {
    return Math.floorMod(listenId.hashCode() * 0x9E3779B1, 5) == 0;
  }

  public Trained train(List<Labeled<Listen>> rows, long windowStartMillis, long windowEndMillis, String reason) {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    List<Labeled<Listen>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(l -> l.value.listenId));
    List<Labeled<Listen>> train = new ArrayList<>();
    List<Labeled<Listen>> holdout = new ArrayList<>();
    for (Labeled<Listen> row : sorted) {
      (heldOut(row.value.listenId) ? holdout : train).add(row);
    }
    if (train.stream().allMatch(l -> l.skipped) || train.stream().noneMatch(l -> l.skipped)) {
      throw new IllegalArgumentException("a skip model needs both skipped and listened-on plays");
    }
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("listens", labels), labels);
    String[] names = SkipFeatures.NAMES.toArray(new String[0]);
    List<float[]> features = new ArrayList<>();
    long skips = 0;
    for (Labeled<Listen> row : train) {
      dataset.add(new ArrayExample<>(new Label(row.skipped ? SKIP : LISTENED), names, doubles(row.value.features)));
      features.add(row.value.features);
      skips += row.skipped ? 1 : 0;
    }
    Model<Label> model = kind == Kind.LOGISTIC
        // Logistic regression: a linear model under the softmax log-loss of two labels.
        ? new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), epochs, Integer.MAX_VALUE, 1, seed)
            .train(dataset)
        : new FMClassificationTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), epochs, Integer.MAX_VALUE, 1,
            seed, 4, 0.1).train(dataset);
    if (model.getOutputIDInfo().getID(new Label(SKIP)) != 1) {
      // The scorer reads P(skip) from output column 1; a Tribuo change of numbering must not pass.
      throw new IllegalStateException("Tribuo numbered the skip label " + model.getOutputIDInfo().getID(new Label(SKIP)));
    }
    double[] p = new double[holdout.size()];
    boolean[] y = new boolean[holdout.size()];
    for (int i = 0; i < holdout.size(); i++) {
      Prediction<Label> prediction = model.predict(new ArrayExample<>(new Label(LISTENED), names,
          doubles(holdout.get(i).value.features)));
      p[i] = prediction.getOutputScores().get(SKIP).getScore();
      y[i] = holdout.get(i).skipped;
    }
    SkipModelCard card = new SkipModelCard(windowStartMillis, windowEndMillis, train.size(), holdout.size(),
        BinaryMetrics.auc(p, y), BinaryMetrics.logLoss(p, y), (double) skips / train.size(), reason,
        FeatureBaseline.of(features, SkipFeatures.COUNT));
    try {
      byte[] onnx = ((ONNXExportable) model).exportONNXModel("dev.meshflow", windowEndMillis).toByteArray();
      return new Trained(card, onnx);
    } catch (Exception e) {
      throw new IllegalStateException("exporting " + card.id + " to ONNX failed: " + e.getMessage(), e);
    }
  }

  private static double[] doubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
