package dev.meshflow.transforms.skips;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Duration;

/**
 * Windowed training: per sliding window of {@code size} every {@code period} (by play time), a
 * bounded, seeded sample of labelled listens trains one model. The same transform serves a batch
 * run over history (every window: scheduled training) and the live loop, where {@link
 * #onlyWhen} limits training to the windows a retrain trigger names.
 *
 * <p>Steps: window; sample at most {@code maxRows} per window (by a hash of the listen id);
 * train unless the window has fewer than {@code minRows} rows or (gated) no trigger.
 */
public final class TrainSkipModels extends PTransform<PCollection<Labeled<Listen>>, PCollection<SkipTrainer.Trained>> {
  private final Duration size;
  private final Duration period;
  private final SkipTrainer trainer;
  private final int minRows;
  private final int maxRows;
  private final PCollectionView<Map<Long, String>> triggers;

  private TrainSkipModels(Duration size, Duration period, SkipTrainer trainer, int minRows, int maxRows,
      PCollectionView<Map<Long, String>> triggers) {
    this.size = size;
    this.period = period;
    this.trainer = trainer;
    this.minRows = minRows;
    this.maxRows = maxRows;
    this.triggers = triggers;
  }

  public static TrainSkipModels sliding(Duration size, Duration period, SkipTrainer trainer, int minRows, int maxRows) {
    return new TrainSkipModels(size, period, trainer, minRows, maxRows, null);
  }

  /**
   * Trains only windows whose end a trigger names: {@code triggers} maps a window end (epoch ms)
   * to why, in fixed windows of {@code period} that end there.
   */
  public TrainSkipModels onlyWhen(PCollectionView<Map<Long, String>> triggers) {
    return new TrainSkipModels(size, period, trainer, minRows, maxRows, triggers);
  }

  @Override
  public PCollection<SkipTrainer.Trained> expand(PCollection<Labeled<Listen>> labelled) {
    ParDo.SingleOutput<List<Labeled<Listen>>, SkipTrainer.Trained> train =
        ParDo.of(new TrainFn(trainer, minRows, triggers));
    if (triggers != null) {
      train = train.withSideInputs(triggers);
    }
    return labelled
        .apply("TrainingWindows", Window.into(SlidingWindows.of(size).every(period)))
        .apply("BoundedSample", Combine.globally(new BoundedSample<>(maxRows, new ByIdHash(),
            Labeled.LabeledCoder.of(ListenCoder.of()))).withoutDefaults())
        .apply("Train", train)
        .setCoder(TrainedModelCoder.of());
  }

  /** A fixed pseudo-random order of listens: a sample is the same whichever runner draws it. */
  private static final class ByIdHash implements Comparator<Labeled<Listen>>, java.io.Serializable {
    @Override
    public int compare(Labeled<Listen> a, Labeled<Listen> b) {
      int c = Integer.compare(a.value.listenId.hashCode() * 0x9E3779B1, b.value.listenId.hashCode() * 0x9E3779B1);
      return c != 0 ? c : a.value.listenId.compareTo(b.value.listenId);
    }
  }

  private static final class TrainFn extends DoFn<List<Labeled<Listen>>, SkipTrainer.Trained> {
    private final SkipTrainer trainer;
    private final int minRows;
    private final PCollectionView<Map<Long, String>> triggers;
    private final Counter trained = Metrics.counter(LabelOutcomes.NAMESPACE, "models_trained");
    private final Counter tooSmall = Metrics.counter(LabelOutcomes.NAMESPACE, "windows_too_small");
    private final Counter untriggered = Metrics.counter(LabelOutcomes.NAMESPACE, "windows_not_triggered");

    TrainFn(SkipTrainer trainer, int minRows, PCollectionView<Map<Long, String>> triggers) {
      this.trainer = trainer;
      this.minRows = minRows;
      this.triggers = triggers;
    }

    @ProcessElement
    public void process(ProcessContext c, IntervalWindow window) {
      String reason = "scheduled";
      if (triggers != null) {
        reason = c.sideInput(triggers).get(window.end().getMillis());
        if (reason == null) {
          untriggered.inc();
          return;
        }
      }
      List<Labeled<Listen>> rows = c.element();
      if (rows.size() < minRows || rows.stream().allMatch(l -> l.skipped) || rows.stream().noneMatch(l -> l.skipped)) {
        tooSmall.inc();
        return;
      }
      c.output(trainer.train(rows, window.start().getMillis(), window.end().getMillis(), reason));
      trained.inc();
    }
  }
}
