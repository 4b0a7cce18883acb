package dev.meshflow.pipelines.skips;

import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.SkipModelScores;
import dev.meshflow.transforms.skips.BinaryMetrics;
import dev.meshflow.transforms.skips.FeatureBaseline;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipFeatures;
import dev.meshflow.transforms.skips.SkipModelCard;
import dev.meshflow.transforms.skips.SkipTrainer;
import dev.meshflow.transforms.skips.TasteAttributes;
import dev.meshflow.transforms.skips.WindowEvaluation;
import dev.meshflow.transforms.skips.model.SkipSignalsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the skip jobs must produce for a finite input, computed with the plain-Java models. */
final class SkipLoopReference {
  final List<Labeled<Listen>> labelled;

  SkipLoopReference(String uri, long events, long timeoutMillis) {
    this(uri, events, timeoutMillis, TasteAttributes.FROM_IDS);
  }

  SkipLoopReference(String uri, long events, long timeoutMillis, TasteAttributes taste) {
    labelled = SkipSignalsModel.of(GeneratedInput.records(uri, events), timeoutMillis, taste).labelled();
  }

  /** The cards skip-model publishes: one per sliding window with enough rows of both labels. */
  Map<String, String> cards(long sizeMillis, long periodMillis, int minRows, SkipTrainer trainer) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Labeled<Listen> l : labelled) {
      first = Math.min(first, l.value.tsMillis);
      last = Math.max(last, l.value.tsMillis);
    }
    Map<String, String> cards = new TreeMap<>();
    for (long end = Math.floorDiv(first, periodMillis) * periodMillis + periodMillis; end - sizeMillis <= last;
        end += periodMillis) {
      List<Labeled<Listen>> rows = between(end - sizeMillis, end);
      if (rows.size() >= minRows && rows.stream().anyMatch(r -> r.skipped) && rows.stream().anyMatch(r -> !r.skipped)) {
        SkipTrainer.Trained t = trainer.train(rows, end - sizeMillis, end, "scheduled");
        cards.put(t.card.id, t.card.toJson());
      }
    }
    return cards;
  }

  List<Labeled<Listen>> between(long start, long end) {
    List<Labeled<Listen>> rows = new ArrayList<>();
    for (Labeled<Listen> l : labelled) {
      if (l.value.tsMillis >= start && l.value.tsMillis < end) {
        rows.add(l);
      }
    }
    return rows;
  }

  /** Per fixed window (start millis): "predictions|auc|logloss|maxpsi" of one model on that window. */
  Map<Long, String> evaluation(Path onnx, SkipModelCard card, long periodMillis) throws Exception {
    Map<Long, List<Labeled<Listen>>> windows = new TreeMap<>();
    for (Labeled<Listen> l : labelled) {
      windows.computeIfAbsent(Math.floorDiv(l.value.tsMillis, periodMillis) * periodMillis, w -> new ArrayList<>()).add(l);
    }
    Map<Long, String> out = new TreeMap<>();
    for (Map.Entry<Long, List<Labeled<Listen>>> w : windows.entrySet()) {
      List<Labeled<Listen>> rows = w.getValue();
      float[] p = SkipModelScores.of(Files.readAllBytes(onnx), rows);
      double[] pd = new double[p.length];
      boolean[] y = new boolean[p.length];
      for (int i = 0; i < p.length; i++) {
        pd[i] = p[i];
        y[i] = rows.get(i).skipped;
      }
      double[] psi = new double[SkipFeatures.COUNT];
      FeatureBaseline b = card.baseline;
      for (int f = 0; f < SkipFeatures.COUNT; f++) {
        long[] counts = new long[b.bins(f)];
        for (Labeled<Listen> r : rows) {
          counts[b.binOf(f, r.value.features[f])]++;
        }
        psi[f] = b.psi(f, counts);
      }
      double maxPsi = WindowEvaluation.maxTriggeringPsi(psi);
      out.put(w.getKey(), rows.size() + "|" + micro(BinaryMetrics.auc(pd, y)) + "|"
          + micro(BinaryMetrics.logLoss(pd, y)) + "|" + micro(maxPsi));
    }
    return out;
  }

  static long micro(double v) {
    return Math.round(v * 1e6);
  }
}
