package dev.meshflow.transforms.anomaly;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.WindowedPhase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * The model job's transform: one {@link KMeansModel} per sliding window of human sessions (by
 * session start), trained when the window closes.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Keep human sessions: bots are flagged by their own detectors, and their extreme modes
 *       would otherwise spend clusters and widen every threshold.
 *   <li>Sliding windows of {@code size} every {@code period}.
 *   <li>Per window, a bounded sample of at most {@link KMeansTrainer.Settings#maxSessions}
 *       feature vectors (the same sample {@link KMeansTrainer} would draw).
 *   <li>Train; windows with too few sessions publish no model (counted).
 * </ol>
 */
public final class TrainModels extends PTransform<PCollection<Row>, PCollection<KMeansModel>> {
  public static final String MODELS_TRAINED = "models_trained";
  public static final String WINDOWS_TOO_SMALL = "windows_too_small";

  private final Duration size;
  private final Duration period;
  private final KMeansTrainer.Settings settings;

  public TrainModels(Duration size, Duration period, KMeansTrainer.Settings settings) {
    settings.validate();
    if (!period.isLongerThan(Duration.ZERO) || size.getMillis() % period.getMillis() != 0) {
      throw new IllegalArgumentException("the training window (" + size + ") must be a positive"
          + " multiple of its period (" + period + ")");
    }
    this.size = size;
    this.period = period;
    this.settings = settings;
  }

  @Override
  public PCollection<KMeansModel> expand(PCollection<Row> sessions) {
    WindowedPhase.declare(WindowedPhase.of("training window", size.getMillis(), period.getMillis(),
        List.of(MODELS_TRAINED, WINDOWS_TOO_SMALL)));
    return sessions
        .apply("HumanSessionFeatures", ParDo.of(new FeaturesFn()))
        .setCoder(SampleCoder.INSTANCE)
        .apply("TrainingWindows", Window.into(SlidingWindows.of(size).every(period)))
        .apply("BoundedSample", Combine.globally(new SampleFn(settings.maxSessions)).withoutDefaults())
        .apply("KMeansPlusPlus", ParDo.of(new TrainFn(settings)))
        .setCoder(SerializableCoder.of(KMeansModel.class)); // a few models an hour, not a hot path
  }

  private static final class FeaturesFn extends DoFn<Row, KMeansTrainer.Sample> {
    @ProcessElement
    public void process(@Element Row session, OutputReceiver<KMeansTrainer.Sample> out) {
      if (!session.getBoolean("is_bot")) {
        out.output(new KMeansTrainer.Sample(session.getString("session_id"), SessionFeatures.of(session)));
      }
    }
  }

  /** Keeps the first {@code max} samples in the trainer's sampling order, so memory stays bounded. */
  static final class SampleFn
      extends Combine.CombineFn<KMeansTrainer.Sample, List<KMeansTrainer.Sample>, List<KMeansTrainer.Sample>> {
    private final int max;

    SampleFn(int max) {
      this.max = max;
    }

    @Override
    public List<KMeansTrainer.Sample> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<KMeansTrainer.Sample> addInput(List<KMeansTrainer.Sample> acc, KMeansTrainer.Sample s) {
      acc.add(s);
      return acc.size() > 2 * max ? trim(acc) : acc;
    }

    @Override
    public List<KMeansTrainer.Sample> mergeAccumulators(Iterable<List<KMeansTrainer.Sample>> all) {
      List<KMeansTrainer.Sample> merged = new ArrayList<>();
      for (List<KMeansTrainer.Sample> a : all) {
        merged.addAll(a);
        if (merged.size() > 2 * max) {
          merged = trim(merged);
        }
      }
      return merged;
    }

    @Override
    public List<KMeansTrainer.Sample> extractOutput(List<KMeansTrainer.Sample> acc) {
      return trim(acc);
    }

    private List<KMeansTrainer.Sample> trim(List<KMeansTrainer.Sample> acc) {
      acc.sort(KMeansTrainer.SAMPLING_ORDER);
      return acc.size() > max ? new ArrayList<>(acc.subList(0, max)) : acc;
    }

    @Override
    public Coder<List<KMeansTrainer.Sample>> getAccumulatorCoder(CoderRegistry r, Coder<KMeansTrainer.Sample> in) {
      return ListCoder.of(SampleCoder.INSTANCE);
    }

    @Override
    public Coder<List<KMeansTrainer.Sample>> getDefaultOutputCoder(CoderRegistry r, Coder<KMeansTrainer.Sample> in) {
      return ListCoder.of(SampleCoder.INSTANCE);
    }
  }

  private static final class TrainFn extends DoFn<List<KMeansTrainer.Sample>, KMeansModel> {
    private final KMeansTrainer.Settings settings;
    private final RunMetrics.StageCounter trained = RunMetrics.counter(MODELS_TRAINED);
    private final RunMetrics.StageCounter tooSmall = RunMetrics.counter(WINDOWS_TOO_SMALL);

    TrainFn(KMeansTrainer.Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element List<KMeansTrainer.Sample> samples, IntervalWindow window,
        OutputReceiver<KMeansModel> out) {
      KMeansModel model = KMeansTrainer.train(samples, window.start().getMillis(), window.end().getMillis(), settings);
      if (model == null) {
        tooSmall.inc();
      } else {
        trained.inc();
        out.output(model);
      }
    }
  }

  /**
   * Session id and feature values, without Java serialization on the path every session takes.
   * Kept over a Beam schema: the inferred schema coder ran at 0.49 of its throughput
   * (docs/benchmarks.md, "Coders").
   */
  public static final class SampleCoder extends CustomCoder<KMeansTrainer.Sample> {
    static final SampleCoder INSTANCE = new SampleCoder();

    public static SampleCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(KMeansTrainer.Sample s, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(s.sessionId, out);
      VarIntCoder.of().encode(s.features.length, out);
      for (double f : s.features) {
        DoubleCoder.of().encode(f, out);
      }
    }

    @Override
    public KMeansTrainer.Sample decode(InputStream in) throws IOException {
      String id = StringUtf8Coder.of().decode(in);
      double[] features = new double[VarIntCoder.of().decode(in)];
      for (int i = 0; i < features.length; i++) {
        features[i] = DoubleCoder.of().decode(in);
      }
      return new KMeansTrainer.Sample(id, features);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
