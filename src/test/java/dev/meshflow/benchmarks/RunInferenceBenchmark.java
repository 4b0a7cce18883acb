package dev.meshflow.benchmarks;

import static org.junit.Assert.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meshflow.pipelines.cli.RunnerDefaults;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.inference.BatchBounds;
import dev.meshflow.transforms.inference.ModelHandler;
import dev.meshflow.transforms.inference.ModelRef;
import dev.meshflow.transforms.inference.PredictionResult;
import dev.meshflow.transforms.inference.RunInference;
import dev.meshflow.transforms.inference.handlers.OnnxModelHandler;
import dev.meshflow.transforms.skips.Labeled;
import dev.meshflow.transforms.skips.Listen;
import dev.meshflow.transforms.skips.SkipFeatures;
import dev.meshflow.transforms.skips.SkipTrainer;
import dev.meshflow.transforms.skips.model.SkipSignalsModel;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * RunInference with the skip model (Tribuo logistic regression exported to ONNX, 43 features):
 * batched against per-element inference, against a raw ONNX Runtime loop over the same batches
 * (the limit), model load time, and the latency batching adds in streaming. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=RunInferenceBenchmark [-Dbench.inference.rows=500000]};
 * the table is printed and written to target/benchmarks/run-inference.md.
 */
public class RunInferenceBenchmark {
  private static final long ROWS = Long.getLong("bench.inference.rows", 500_000);
  private static final int BATCH = 256;
  /** Latencies per branch; the DoFns are deserialized copies, so they write here by name. */
  static final Map<String, ConcurrentLinkedQueue<Long>> LATENCIES = Map.of("none", new ConcurrentLinkedQueue<>(),
      "bundled", new ConcurrentLinkedQueue<>(), "waiting", new ConcurrentLinkedQueue<>());

  @Test
  public void batchedAgainstPerElementAndTheRawLoop() throws Exception {
    String uri = "generator:interactions?events=24000&seed=3&eventsPerSecond=10&taste=1";
    List<Labeled<Listen>> rows = SkipSignalsModel.of(GeneratedInput.records(uri, 24_000), 30_000).labelled();
    java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
    SkipTrainer.Trained model = new SkipTrainer(SkipTrainer.Kind.LOGISTIC, 5, 1).train(rows, 0, 1, "bench");
    Path dir = Files.createTempDirectory("meshflow-inference-bench");
    Path onnx = dir.resolve(model.card.id + ".onnx");
    Files.write(onnx, model.onnx);
    float[][] features = new float[rows.size()][];
    for (int i = 0; i < features.length; i++) {
      features[i] = rows.get(i).value.features;
    }
    ModelRef ref = ModelRef.of(model.card.id, onnx.toString());
    // A heavier model of the same features: a factorization machine with 256 factors per feature.
    byte[] fmBytes = factorizationMachine(rows, 256);
    Path fmPath = dir.resolve("skip-fm256.onnx");
    Files.write(fmPath, fmBytes);
    ModelRef fm = ModelRef.of("skip-fm256", fmPath.toString());

    double engine = flinkWithoutInference(features, false);
    double engineWithStage = flinkWithoutInference(features, true);
    List<String> lines = new ArrayList<>(List.of(
        "Input: " + String.format("%,d", ROWS) + " rows of the skip model's 43 features (drawn from "
            + String.format("%,d", rows.size()) + " generated listens); FlinkRunner embedded, parallelism 2,"
            + " best of two; " + BenchmarkReport.machine(),
        "",
        "| model | job | seconds | rows/s | vs raw loop (job / inference step) | vs per-element |",
        "|---|---|---:|---:|---:|---:|",
        String.format("| – | the same job without inference (engine only) | %.2f | %,.0f | – | – |", engine, ROWS / engine),
        String.format("| – | engine plus a pass-through ParDo with a second output (RunInference's shape) | %.2f | %,.0f | – | – |",
            engineWithStage, ROWS / engineWithStage)));
    List<String> notes = new ArrayList<>();
    for (Object[] m : new Object[][] {{"logistic regression (" + model.onnx.length + " B)", model.onnx, ref},
        {"factorization machine, 256 factors (" + fmBytes.length / 1024 + " KB)", fmBytes, fm}}) {
      String name = (String) m[0];
      ModelRef r = (ModelRef) m[2];
      double raw = Double.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        raw = Math.min(raw, rawLoop((byte[]) m[1], features));
      }
      double perElement = flink(features, r, BatchBounds.fixed(1), "per-element");
      double fixed = flink(features, r, BatchBounds.fixed(BATCH), "fixed");
      double adaptive = flink(features, r, BatchBounds.defaults(), "adaptive");
      lines.add(String.format("| %s | raw ONNX Runtime loop, batches of %d (the limit) | %.2f | %,.0f | 1.00 | – |",
          name, BATCH, raw, ROWS / raw));
      lines.add(String.format("| %s | RunInference, batches of %d | %.2f | %,.0f | %.2f / %.2f | %.1f× |", name, BATCH,
          fixed, ROWS / fixed, raw / fixed, raw / Math.max(1e-9, fixed - engine), perElement / fixed));
      lines.add(String.format("| %s | RunInference, adaptive batches (1..10,000) | %.2f | %,.0f | %.2f / %.2f | %.1f× |",
          name, adaptive, ROWS / adaptive, raw / adaptive, raw / Math.max(1e-9, adaptive - engine), perElement / adaptive));
      lines.add(String.format("| %s | RunInference, one element per call | %.2f | %,.0f | %.2f / %.2f | 1.0× |", name,
          perElement, ROWS / perElement, raw / perElement, raw / Math.max(1e-9, perElement - engine)));
      notes.add(String.format("Model load, %s (ONNX Runtime session from the file), mean of 10: %.1f ms.", name,
          loadMillis(r)));
    }
    double[] latency = latency(features, ref);
    lines.add("");
    lines.addAll(notes);
    lines.add("");
    lines.add(String.format("Streaming, DirectRunner, logistic regression, 500 rows/s for 20 s, latency from the row's"
        + " scheduled time to its result (p50 / p99 ms): no inference %.0f / %.0f; RunInference within bundles"
        + " %.0f / %.0f (adds %.0f ms at p99); RunInference waiting up to 100 ms for a batch %.0f / %.0f (adds %.0f ms"
        + " at p99).", latency[0], latency[1], latency[2], latency[3], latency[3] - latency[1], latency[4], latency[5],
        latency[5] - latency[1]));
    String table = String.join("\n", lines);
    BenchmarkReport.publish("run-inference.md", table);
  }

  private static byte[] factorizationMachine(List<Labeled<Listen>> rows, int factors) throws Exception {
    org.tribuo.classification.LabelFactory labels = new org.tribuo.classification.LabelFactory();
    org.tribuo.MutableDataset<org.tribuo.classification.Label> data = new org.tribuo.MutableDataset<>(
        new org.tribuo.provenance.SimpleDataSourceProvenance("bench", labels), labels);
    String[] names = SkipFeatures.NAMES.toArray(new String[0]);
    for (Labeled<Listen> r : rows) {
      double[] v = new double[r.value.features.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.value.features[i];
      }
      data.add(new org.tribuo.impl.ArrayExample<>(new org.tribuo.classification.Label(r.skipped ? "skip" : "play"), names, v));
    }
    org.tribuo.Model<org.tribuo.classification.Label> model = new org.tribuo.classification.sgd.fm.FMClassificationTrainer(
        new org.tribuo.classification.sgd.objectives.LogMulticlass(), new org.tribuo.math.optimisers.AdaGrad(0.1, 0.1),
        1, Integer.MAX_VALUE, 1, 1L, factors, 0.1).train(data);
    return ((org.tribuo.ONNXExportable) model).exportONNXModel("bench", 1L).toByteArray();
  }

  /** A single-threaded loop over the same rows in batches, as RunInference would form them. */
  private static double rawLoop(byte[] model, float[][] features) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long t0 = System.nanoTime();
    long seen = 0;
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
      String input = session.getInputNames().iterator().next();
      for (long start = 0; start < ROWS; start += BATCH) {
        int n = (int) Math.min(BATCH, ROWS - start);
        FloatBuffer data = FloatBuffer.allocate(n * SkipFeatures.COUNT);
        for (int i = 0; i < n; i++) {
          data.put(features[(int) ((start + i) % features.length)]);
        }
        data.flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, data, new long[] {n, SkipFeatures.COUNT});
            OrtSession.Result r = session.run(Map.of(input, t))) {
          seen += ((float[][]) r.get(0).getValue()).length;
        }
      }
    }
    assertEquals(ROWS, seen);
    return (System.nanoTime() - t0) / 1e9;
  }

  private static ModelHandler<float[], Float, ?> handler(BatchBounds bounds, String namespace) {
    return OnnxModelHandler.create().withBounds(bounds).withMetricsNamespace(namespace)
        .withPostprocess(out -> out[1], org.apache.beam.sdk.coders.FloatCoder.of());
  }

  private static PCollection<float[]> rows(Pipeline p, float[][] features, long count) {
    return p.apply(GenerateSequence.from(0).to(count))
        .apply("Features", MapElements.into(TypeDescriptor.of(float[].class))
            .via((Long i) -> features[(int) (i % features.length)]))
        .setCoder(dev.meshflow.transforms.inference.FloatArrayCoder.of());
  }

  private static double flink(float[][] features, ModelRef ref, BatchBounds bounds, String namespace) {
    double best = Double.MAX_VALUE;
    for (int attempt = 0; attempt < 2; attempt++) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(List.of(
          "--runner=FlinkRunner", "--parallelism=2")).toArray(new String[0])).create());
      RunInference<float[], Float> ri = RunInference.of(handler(bounds, namespace), ref);
      rows(p, features, ROWS).apply(ri).get(ri.predictions()).apply(Count.globally());
      long t0 = System.nanoTime();
      PipelineResult result = p.run();
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      long inferred = result.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(namespace, "num_inferences")).build())
          .getCounters().iterator().next().getAttempted();
      assertEquals("every row inferred", ROWS, inferred);
    }
    return best;
  }

  /**
   * The same job without the inference step: what the engine costs to generate and count the rows;
   * with {@code stage}, plus a pass-through ParDo with a second output, the shape RunInference has.
   */
  private static double flinkWithoutInference(float[][] features, boolean stage) {
    double best = Double.MAX_VALUE;
    for (int attempt = 0; attempt < 2; attempt++) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(List.of(
          "--runner=FlinkRunner", "--parallelism=2")).toArray(new String[0])).create());
      PCollection<float[]> rows = rows(p, features, ROWS);
      if (stage) {
        org.apache.beam.sdk.values.TupleTag<float[]> main = new org.apache.beam.sdk.values.TupleTag<>() {};
        org.apache.beam.sdk.values.TupleTag<String> other = new org.apache.beam.sdk.values.TupleTag<>() {};
        rows = rows.apply("PassThrough", ParDo.of(new PassThroughFn())
                .withOutputTags(main, org.apache.beam.sdk.values.TupleTagList.of(other)))
            .get(main).setCoder(dev.meshflow.transforms.inference.FloatArrayCoder.of());
      }
      rows.apply(Count.globally());
      long t0 = System.nanoTime();
      assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  private static double loadMillis(ModelRef ref) throws Exception {
    OnnxModelHandler h = OnnxModelHandler.create();
    long total = 0;
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      h.load(ref).close();
      total += System.nanoTime() - t0;
    }
    return total / 10 / 1e6;
  }

  /** p50 and p99 latency of three branches over one paced input: none, bundled, waiting. */
  private static double[] latency(float[][] features, ModelRef ref) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(List.of(
        "--runner=DirectRunner", "--streaming=true")).toArray(new String[0])).create());
    Instant start = Instant.now().plus(Duration.standardSeconds(3));
    PCollection<Long> ticks = p.apply(PeriodicImpulse.create().startAt(start).stopAt(start.plus(Duration.standardSeconds(20)))
            .withInterval(Duration.millis(2)))
        .apply("Scheduled", MapElements.into(TypeDescriptors.longs()).via(Instant::getMillis))
        .setCoder(VarLongCoder.of());
    ticks.apply("NoInference", ParDo.of(new LatencyFn<Long>("none", t -> t)));
    ModelHandler<Long, Float, ?> bundled = handler(BatchBounds.of(1, BATCH), "bench-bundled")
        .withPreprocess(t -> features[(int) (t % features.length)]);
    ModelHandler<Long, Float, ?> waiting = handler(BatchBounds.of(1, BATCH).withMaxBuffering(Duration.millis(100)),
        "bench-waiting").withPreprocess(t -> features[(int) (t % features.length)]);
    RunInference<Long, Float> a = RunInference.of(bundled, ref);
    RunInference<Long, Float> b = RunInference.of(waiting, ref).withShards(2);
    ticks.apply("Bundled", a).get(a.predictions())
        .apply("BundledLatency", ParDo.of(new LatencyFn<PredictionResult<Long, Float>>("bundled", PredictionResult::example)));
    ticks.apply("Waiting", b).get(b.predictions())
        .apply("WaitingLatency", ParDo.of(new LatencyFn<PredictionResult<Long, Float>>("waiting", PredictionResult::example)));
    p.run().waitUntilFinish();
    return new double[] {pct("none", 50), pct("none", 99), pct("bundled", 50), pct("bundled", 99),
        pct("waiting", 50), pct("waiting", 99)};
  }

  private static double pct(String branch, int p) {
    List<Long> sorted = new ArrayList<>(LATENCIES.get(branch));
    Collections.sort(sorted);
    return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  static final class PassThroughFn extends DoFn<float[], float[]> {
    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element()); // the main output; the second one stays empty, as failures usually do
    }
  }

  /** Records now minus the row's scheduled time. */
  static final class LatencyFn<T> extends DoFn<T, Void> {
    private final String into;
    private final org.apache.beam.sdk.transforms.SerializableFunction<T, Long> scheduled;

    LatencyFn(String into, org.apache.beam.sdk.transforms.SerializableFunction<T, Long> scheduled) {
      this.into = into;
      this.scheduled = scheduled;
    }

    @ProcessElement
    public void process(@Element T value) {
      LATENCIES.get(into).add(System.currentTimeMillis() - scheduled.apply(value));
    }
  }
}
