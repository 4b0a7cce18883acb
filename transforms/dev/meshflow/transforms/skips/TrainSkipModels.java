package dev.meshflow.transforms.skips;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.WindowedPhase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Windowed training: per sliding window of {@code size} every {@code period} (by play time), a
 * bounded, seeded sample of labelled listens trains one model. The same transform serves a batch
 * run over history (every window, or with {@link #onlyLatest} just the newest: scheduled
 * training) and the live loop, where {@link #onlyWhen} limits training to the windows a retrain
 * trigger names.
 *
 * <p>Steps: window; sample at most {@code maxRows} per window (by a hash of the listen id);
 * train unless the window has fewer than {@code minRows} rows, (gated) no trigger, or (latest
 * only) a newer window exists.
 */
public final class TrainSkipModels extends PTransform<PCollection<Labeled<Listen>>, PCollection<SkipTrainer.Trained>> {
  public static final String MODELS_TRAINED = "models_trained";
  public static final String WINDOWS_TOO_SMALL = "windows_too_small";
  public static final String WINDOWS_BEFORE_THE_LATEST = "windows_before_the_latest";
  public static final String WINDOWS_NOT_TRIGGERED = "windows_not_triggered";

  private final Duration size;
  private final Duration period;
  private final SkipTrainer trainer;
  private final int minRows;
  private final int maxRows;
  private final PCollectionView<Map<Long, String>> triggers;
  private final boolean latestOnly;

  private TrainSkipModels(Duration size, Duration period, SkipTrainer trainer, int minRows, int maxRows,
      PCollectionView<Map<Long, String>> triggers, boolean latestOnly) {
    this.size = size;
    this.period = period;
    this.trainer = trainer;
    this.minRows = minRows;
    this.maxRows = maxRows;
    this.triggers = triggers;
    this.latestOnly = latestOnly;
  }

  public static TrainSkipModels sliding(Duration size, Duration period, SkipTrainer trainer, int minRows, int maxRows) {
    return new TrainSkipModels(size, period, trainer, minRows, maxRows, null, false);
  }

  /**
   * Batch: trains only the newest window, the one ending at the first period boundary after the
   * newest listen, so a scheduled run yields one model from the most recent {@code size} of history.
   */
  public TrainSkipModels onlyLatest() {
    return new TrainSkipModels(size, period, trainer, minRows, maxRows, triggers, true);
  }

  /**
   * Trains only windows whose end a trigger names: {@code triggers} maps a window end (epoch ms)
   * to why, in fixed windows of {@code period} that end there.
   */
  public TrainSkipModels onlyWhen(PCollectionView<Map<Long, String>> triggers) {
    return new TrainSkipModels(size, period, trainer, minRows, maxRows, triggers, latestOnly);
  }

  @Override
  public PCollection<SkipTrainer.Trained> expand(PCollection<Labeled<Listen>> labelled) {
    WindowedPhase.declare(WindowedPhase.of("training window", size.getMillis(), period.getMillis(), List.of(
        MODELS_TRAINED, WINDOWS_TOO_SMALL, WINDOWS_BEFORE_THE_LATEST, WINDOWS_NOT_TRIGGERED)));
    PCollectionView<Long> newest = null;
    if (latestOnly) {
      newest = labelled
          .apply("AllHistory", Window.into(new GlobalWindows()))
          .apply("ListenTimes", ParDo.of(new TimestampFn()))
          .apply("Newest", Max.longsGlobally())
          .apply("NewestView", View.asSingleton());
    }
    ParDo.SingleOutput<List<Labeled<Listen>>, SkipTrainer.Trained> train =
        ParDo.of(new TrainFn(trainer, minRows, triggers, newest, period.getMillis()));
    List<PCollectionView<?>> sideInputs = new ArrayList<>();
    if (triggers != null) {
      sideInputs.add(triggers);
    }
    if (newest != null) {
      sideInputs.add(newest);
    }
    train = train.withSideInputs(sideInputs);
    return labelled
        .apply("TrainingWindows", Window.into(SlidingWindows.of(size).every(period)))
        .apply("BoundedSample", Combine.globally(new BoundedSample<>(maxRows, new ByIdHash(),
            Labeled.LabeledCoder.of(ListenCoder.of()))).withoutDefaults())
        .apply("Train", train)
        .setCoder(SerializableCoder.of(SkipTrainer.Trained.class));
  }

  /** A fixed pseudo-random order of listens: a sample is the same whichever runner draws it. */
  private static final class ByIdHash implements Comparator<Labeled<Listen>>, java.io.Serializable {
    @Override
    public int compare(Labeled<Listen> a, Labeled<Listen> b) {
      int c = Integer.compare(a.value.listenId.hashCode() * 0x9E3779B1, b.value.listenId.hashCode() * 0x9E3779B1);
      return c != 0 ? c : a.value.listenId.compareTo(b.value.listenId);
    }
  }

  private static final class TimestampFn extends DoFn<Labeled<Listen>, Long> {
    @ProcessElement
    public void process(@Timestamp Instant ts, OutputReceiver<Long> out) {
      out.output(ts.getMillis());
    }
  }

  private static final class TrainFn extends DoFn<List<Labeled<Listen>>, SkipTrainer.Trained> {
    private final SkipTrainer trainer;
    private final int minRows;
    private final PCollectionView<Map<Long, String>> triggers;
    private final PCollectionView<Long> newest;
    private final long periodMillis;
    // Run-wide counters, so that the summary lists them and the progress line follows training.
    private final RunMetrics.StageCounter older = RunMetrics.counter(WINDOWS_BEFORE_THE_LATEST);
    private final RunMetrics.StageCounter trained = RunMetrics.counter(MODELS_TRAINED);
    private final RunMetrics.StageCounter tooSmall = RunMetrics.counter(WINDOWS_TOO_SMALL);
    private final RunMetrics.StageCounter untriggered = RunMetrics.counter(WINDOWS_NOT_TRIGGERED);

    TrainFn(SkipTrainer trainer, int minRows, PCollectionView<Map<Long, String>> triggers,
        PCollectionView<Long> newest, long periodMillis) {
      this.trainer = trainer;
      this.minRows = minRows;
      this.triggers = triggers;
      this.newest = newest;
      this.periodMillis = periodMillis;
    }

    @ProcessElement
    public void process(ProcessContext c, IntervalWindow window) {
      if (newest != null
          && window.end().getMillis() != Math.floorDiv(c.sideInput(newest), periodMillis) * periodMillis + periodMillis) {
        older.inc();
        return;
      }
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
