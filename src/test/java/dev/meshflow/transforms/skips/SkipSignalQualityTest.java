package dev.meshflow.transforms.skips;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.SkipModelScores;
import dev.meshflow.transforms.skips.model.SkipSignalsModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generator's taste signal is learnable, the drift breaks a model trained before it, and a
 * model retrained after it recovers; the ONNX export scores exactly as Tribuo does.
 */
public class SkipSignalQualityTest {
  static final String URI = "generator:interactions?events=48000&seed=5&eventsPerSecond=10&taste=1"
      + "&driftAfterMinutes=40&duplicates=0.01&malformed=0.01&late=0&outOfOrder=0.05";

  @Test
  public void driftBreaksTheModelAndRetrainingRecovers() throws Exception {
    SkipSignalsModel m = SkipSignalsModel.of(GeneratedInput.records(URI, 48_000), 30_000);
    long start = m.listens.stream().mapToLong(l -> l.tsMillis).min().orElseThrow();
    long drift = start + 40 * 60_000;
    List<Labeled<Listen>> before = new ArrayList<>();
    List<Labeled<Listen>> after = new ArrayList<>();
    for (Labeled<Listen> l : m.labelled()) {
      (l.value.tsMillis < drift ? before : after).add(l);
    }
    SkipTrainer trainer = new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1);
    SkipTrainer.Trained old = trainer.train(before, start, drift, "test");
    SkipTrainer.Trained fresh = trainer.train(after, drift, drift + 40 * 60_000, "test");
    double oldOnAfter = auc(old.onnx, after);
    double freshOnAfter = auc(fresh.onnx, after);
    System.out.printf("listens %d/%d; holdout AUC before drift %.3f; old model after drift %.3f;"
        + " retrained holdout %.3f, on all after %.3f%n", before.size(), after.size(), old.card.holdoutAuc,
        oldOnAfter, fresh.card.holdoutAuc, freshOnAfter);
    assertTrue(old.card.holdoutAuc > 0.75, "learnable: " + old.card.holdoutAuc);
    assertTrue(oldOnAfter < 0.6, "drift hurts: " + oldOnAfter);
    assertTrue(fresh.card.holdoutAuc > 0.75, "retraining recovers: " + fresh.card.holdoutAuc);
  }

  static double auc(byte[] onnx, List<Labeled<Listen>> rows) throws Exception {
    float[] scores = SkipModelScores.of(onnx, rows);
    double[] p = new double[rows.size()];
    boolean[] y = new boolean[rows.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = scores[i];
      y[i] = rows.get(i).skipped;
    }
    return BinaryMetrics.auc(p, y);
  }
}
