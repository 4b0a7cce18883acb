package dev.meshflow.transforms.skips;

import dev.meshflow.transforms.inference.PredictionResult;
import dev.meshflow.transforms.inference.PredictionResultCoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.FloatCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * Continuous evaluation: predictions joined with their outcomes (by {@link LabelOutcomes}), per
 * fixed window of play time and per model, give AUC, log-loss and each feature's PSI against the
 * model's training baseline (from its card); a window that breaks a threshold carries a retrain
 * reason. Evaluations come out at their window's end, in that window.
 */
public final class EvaluateModels extends PTransform<PCollection<Labeled<PredictionResult<Listen, Float>>>,
    PCollection<WindowEvaluation>> {
  private final Duration window;
  private final PCollectionView<Map<String, SkipModelCard>> cards;
  private final int minRows;
  private final double minAuc;
  private final double maxPsi;

  public EvaluateModels(Duration window, PCollectionView<Map<String, SkipModelCard>> cards, int minRows,
      double minAuc, double maxPsi) {
    this.window = window;
    this.cards = cards;
    this.minRows = minRows;
    this.minAuc = minAuc;
    this.maxPsi = maxPsi;
  }

  @Override
  public PCollection<WindowEvaluation> expand(PCollection<Labeled<PredictionResult<Listen, Float>>> labelled) {
    Labeled.LabeledCoder<PredictionResult<Listen, Float>> coder =
        Labeled.LabeledCoder.of(PredictionResultCoder.of(ListenCoder.of(), FloatCoder.of()));
    return labelled
        .apply("EvaluationWindows", Window.into(FixedWindows.of(window)))
        .apply("KeyByModel", MapElements
            .into(new TypeDescriptor<KV<String, Labeled<PredictionResult<Listen, Float>>>>() {})
            .via(l -> KV.of(l.value.modelId(), l)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), coder))
        .apply("PerWindowAndModel", GroupByKey.create())
        .apply("Evaluate", ParDo.of(new EvaluateFn(cards, minRows, minAuc, maxPsi)).withSideInputs(cards))
        .setCoder(SerializableCoder.of(WindowEvaluation.class));
  }

  private static final class EvaluateFn
      extends DoFn<KV<String, Iterable<Labeled<PredictionResult<Listen, Float>>>>, WindowEvaluation> {
    private final PCollectionView<Map<String, SkipModelCard>> cards;
    private final int minRows;
    private final double minAuc;
    private final double maxPsi;
    private final Counter triggers = Metrics.counter(LabelOutcomes.NAMESPACE, "retrain_triggers");

    EvaluateFn(PCollectionView<Map<String, SkipModelCard>> cards, int minRows, double minAuc, double maxPsi) {
      this.cards = cards;
      this.minRows = minRows;
      this.minAuc = minAuc;
      this.maxPsi = maxPsi;
    }

    @ProcessElement
    public void process(ProcessContext c, IntervalWindow w) {
      String modelId = c.element().getKey();
      List<Labeled<PredictionResult<Listen, Float>>> rows = new ArrayList<>();
      c.element().getValue().forEach(rows::add);
      double[] p = new double[rows.size()];
      boolean[] y = new boolean[rows.size()];
      long skips = 0;
      for (int i = 0; i < p.length; i++) {
        p[i] = rows.get(i).value.inference();
        y[i] = rows.get(i).skipped;
        skips += y[i] ? 1 : 0;
      }
      SkipModelCard card = c.sideInput(cards).get(modelId);
      double[] psi = card == null ? new double[0] : psi(card.baseline, rows);
      double auc = BinaryMetrics.auc(p, y);
      String reason = WindowEvaluation.retrainReason(rows.size(), auc, WindowEvaluation.maxTriggeringPsi(psi),
          minRows, minAuc, maxPsi);
      if (reason != null) {
        triggers.inc();
      }
      c.output(new WindowEvaluation(w.start().getMillis(), w.end().getMillis(), modelId, rows.size(),
          rows.isEmpty() ? 0 : (double) skips / rows.size(), auc, BinaryMetrics.logLoss(p, y), psi, reason));
    }

    private static double[] psi(FeatureBaseline baseline, List<Labeled<PredictionResult<Listen, Float>>> rows) {
      double[] psi = new double[baseline.features()];
      for (int f = 0; f < psi.length; f++) {
        long[] counts = new long[baseline.bins(f)];
        for (Labeled<PredictionResult<Listen, Float>> r : rows) {
          counts[baseline.binOf(f, r.value.example().features[f])]++;
        }
        psi[f] = baseline.psi(f, counts);
      }
      return psi;
    }
  }

}
