package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meshflow.io.Ticker;
import dev.meshflow.launcher.RunnerDefaults;
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
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * RunInference with the skip model (Tribuo logistic regression exported to ONNX):
 * batched against per-element inference, against a raw ONNX Runtime loop over the same batches
 * (the limit), model load time, and the latency batching adds in streaming. Run with
 * {@code mvn -B -Pbenchmarks test -Dtest=RunInferenceBenchmark [-Dbench.inference.rows=500000]}
 * ({@code -Dbench.inference.latencyOnly=true} runs only the streaming latencies);
 * the table is printed and written to target/benchmarks/run-inference.md.
 */
public class RunInferenceBenchmark {
  private static final long ROWS = Long.getLong("bench.inference.rows", 500_000);
  private static final int ROUNDS = Integer.getInteger("bench.inference.rounds", 4);
  /** The step baseline's own run-to-run spread (median minus best): a smaller step is noise. */
  private static double noise;
  /** Each job's row count, by job name: the deserialized counting DoFns write here. */
  static final Map<String, Long> COUNTED = new java.util.concurrent.ConcurrentHashMap<>();
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

    if (Boolean.getBoolean("bench.inference.latencyOnly")) {
      double[] direct = latency(features, ref, "DirectRunner");
      double[] flink = latency(features, ref, "FlinkRunner");
      System.out.println("latency p50/p99 (none, bundled, waiting): Direct " + java.util.Arrays.toString(direct)
          + ", Flink " + java.util.Arrays.toString(flink));
      return;
    }
    // Every Flink job runs once per round, the rounds alternate the jobs, and each keeps its best
    // round: machine noise (about half a second per job here) hits all jobs alike.
    FlinkJobs jobs = new FlinkJobs(features);
    jobs.add("engine", false, null, null, null);
    jobs.add("shape", false, null, null, null);
    jobs.add("engine-nometrics", true, null, null, null);
    Object[][] models = {{"logistic regression (" + model.onnx.length + " B)", model.onnx, ref},
        {"factorization machine, 256 factors (" + fmBytes.length / 1024 + " KB)", fmBytes, fm}};
    for (Object[] m : models) {
      ModelRef r = (ModelRef) m[2];
      jobs.add(r.id() + "/per-element", false, r, BatchBounds.fixed(1), "per-element");
      jobs.add(r.id() + "/fixed", false, r, BatchBounds.fixed(BATCH), "fixed");
      jobs.add(r.id() + "/adaptive", false, r, BatchBounds.defaults(), "adaptive");
    }
    jobs.add("lr-nometrics", true, ref, BatchBounds.fixed(BATCH), "fixed-nometrics");
    jobs.runRounds(ROUNDS);
    Timing engine = jobs.best("engine");
    Timing shape = jobs.best("shape");
    noise = jobs.median("shape") - shape.wall;
    List<String> lines = new ArrayList<>(List.of(
        "Input: " + String.format("%,d", ROWS) + " rows of the skip model's " + features[0].length + " features (drawn from "
            + String.format("%,d", rows.size()) + " generated listens); FlinkRunner embedded, parallelism 2,"
            + " best of " + ROUNDS + " alternating rounds; " + BenchmarkReport.machine(),
        "",
        "| model | job | seconds | CPU seconds | rows/s | vs raw loop: job / step / step CPU | vs per-element: job / step / step CPU |",
        "|---|---|---:|---:|---:|---:|---:|",
        String.format("| – | the same job without inference (engine only) | %.2f | %.2f | %,.0f | – | – |",
            engine.wall, engine.cpu, ROWS / engine.wall),
        String.format("| – | engine plus a pass-through ParDo with a second output (RunInference's shape; the step baseline) | %.2f | %.2f | %,.0f | – | – |",
            shape.wall, shape.cpu, ROWS / shape.wall)));
    List<String> notes = new ArrayList<>();
    for (Object[] m : models) {
      String name = (String) m[0];
      ModelRef r = (ModelRef) m[2];
      Timing raw = Timing.BEST_OF.apply(() -> rawLoop((byte[]) m[1], features), 3);
      Timing perElement = jobs.best(r.id() + "/per-element");
      lines.add(String.format("| %s | raw ONNX Runtime loop, one calling thread, batches of %d (the limit) | %.2f | %.2f | %,.0f | 1.00 | – |",
          name, BATCH, raw.wall, raw.cpu, ROWS / raw.wall));
      for (String[] v : new String[][] {{"fixed", "RunInference, batches of " + BATCH},
          {"adaptive", "RunInference, adaptive batches (1..10,000)"}, {"per-element", "RunInference, one element per call"}}) {
        Timing t = jobs.best(r.id() + "/" + v[0]);
        double step = t.wall - shape.wall;
        double stepCpu = t.cpu - shape.cpu;
        boolean self = v[0].equals("per-element");
        lines.add(String.format("| %s | %s | %.2f | %.2f | %,.0f | %.2f / %s / %s | %s |", name, v[1], t.wall, t.cpu,
            ROWS / t.wall, raw.wall / t.wall, ratio(raw.wall, step), ratio(raw.cpu, stepCpu), self ? "1.0×"
                : String.format("%.1f× / %s / %s", perElement.wall / t.wall, times(perElement.wall - shape.wall, step),
                    times(perElement.cpu - shape.cpu, stepCpu))));
      }
      double medianShape = jobs.median("shape");
      double medianPerElement = jobs.median(r.id() + "/per-element") - medianShape;
      double medianFixed = jobs.median(r.id() + "/fixed") - medianShape;
      double medianAdaptive = jobs.median(r.id() + "/adaptive") - medianShape;
      notes.add(String.format("%s, medians of the rounds instead of the best: the inference step takes %.2f s (batches of"
          + " %d) and %.2f s (adaptive), %s and %s of the raw loop, and %s and %s faster than one element per call"
          + " (%.2f s).", name, medianFixed, BATCH, medianAdaptive, ratio(raw.wall, medianFixed),
          ratio(raw.wall, medianAdaptive), times(medianPerElement, medianFixed), times(medianPerElement, medianAdaptive),
          medianPerElement));
      Timing rawTwo = Timing.BEST_OF.apply(() -> rawLoop((byte[]) m[1], features, 2, 1), 3);
      notes.add(String.format("%s, the raw loop from two calling threads with one ONNX Runtime thread per run (how"
          + " RunInference runs it on two workers): %.2f s, %.2f of the single-threaded loop's time; the inference"
          + " step, best rounds, is %s (batches of %d) and %s (adaptive) of it.", name, rawTwo.wall,
          rawTwo.wall / raw.wall, ratio(rawTwo.wall, jobs.best(r.id() + "/fixed").wall - shape.wall), BATCH,
          ratio(rawTwo.wall, jobs.best(r.id() + "/adaptive").wall - shape.wall)));
      notes.add(String.format("Model load, %s (ONNX Runtime session from the file), mean of 10: %.1f ms.", name,
          loadMillis(r)));
    }
    Timing engineBare = jobs.best("engine-nometrics");
    Timing lrBare = jobs.best("lr-nometrics");
    Timing lr = jobs.best(ref.id() + "/fixed");
    notes.add(String.format("The step baseline's run-to-run spread (median minus best of %d rounds): %.2f s; a step"
        + " smaller than that is shown as within noise.", ROUNDS, noise));
    notes.add(String.format("Flink's metrics tax: with `--disableMetrics=true` the engine-only job takes %.2f s (%.2f with"
        + " metrics) and RunInference with the logistic model in batches of %d takes %.2f s (%.2f with metrics).",
        engineBare.wall, engine.wall, BATCH, lrBare.wall, lr.wall));
    double[] latency = latency(features, ref, "DirectRunner");
    double[] flinkLatency = latency(features, ref, "FlinkRunner");
    lines.add("");
    lines.addAll(notes);
    lines.add("");
    lines.add(String.format("Streaming, DirectRunner, logistic regression, 500 rows/s for 25 s, latency from the row's"
        + " scheduled time to its result, rows of the first 5 s left out (p50 / p99 ms): no inference %.0f / %.0f; RunInference within bundles"
        + " %.0f / %.0f (adds %.0f ms at p99); RunInference waiting up to 100 ms for a batch %.0f / %.0f (adds %.0f ms"
        + " at p99).", latency[0], latency[1], latency[2], latency[3], latency[3] - latency[1], latency[4], latency[5],
        latency[5] - latency[1]));
    lines.add("");
    lines.add(String.format("Streaming, FlinkRunner (embedded, parallelism 2), the same three branches: no inference %.0f / %.0f;"
        + " RunInference within bundles %.0f / %.0f (adds %.0f ms at p99); RunInference waiting up to 100 ms for a batch"
        + " %.0f / %.0f (adds %.0f ms at p99).", flinkLatency[0], flinkLatency[1], flinkLatency[2], flinkLatency[3],
        flinkLatency[3] - flinkLatency[1], flinkLatency[4], flinkLatency[5], flinkLatency[5] - flinkLatency[1]));
    String table = String.join("\n", lines);
    BenchmarkReport.publish("run-inference.md", table);
  }

  /** A ratio, or "noise" when the step costs less than the baseline's own run-to-run spread. */
  private static String ratio(double baseline, double step) {
    return step < noise ? "(within noise)" : String.format("%.2f", baseline / step);
  }

  private static String times(double baseline, double step) {
    String r = ratio(baseline, step);
    return r.startsWith("(") ? r : r + "×";
  }

  /** Wall and process CPU seconds of one job. */
  static final class Timing {
    static final java.util.function.BiFunction<java.util.concurrent.Callable<Timing>, Integer, Timing> BEST_OF =
        (job, times) -> {
          Timing best = null;
          for (int i = 0; i < times; i++) {
            try {
              Timing t = job.call();
              best = best == null || t.wall < best.wall ? t : best;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
          return best;
        };
    final double wall;
    final double cpu;

    Timing(double wall, double cpu) {
      this.wall = wall;
      this.cpu = cpu;
    }

    static Timing of(java.util.concurrent.Callable<Void> job) throws Exception {
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      job.call();
      return new Timing((System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9);
    }
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

  /** A single-threaded loop over the same rows in batches, ONNX Runtime's default session. */
  private static Timing rawLoop(byte[] model, float[][] features) throws Exception {
    return rawLoop(model, features, 1, 0);
  }

  /**
   * A loop over the same rows in batches, as RunInference would form them, from {@code callers}
   * threads that share one session, each run on {@code intraOpThreads} (0: ONNX Runtime's default).
   */
  private static Timing rawLoop(byte[] model, float[][] features, int callers, int intraOpThreads)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
    Timing timing;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      timing = Timing.of(() -> {
        try (OrtSession session = env.createSession(model, options)) {
          String input = session.getInputNames().iterator().next();
          java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
          List<java.util.concurrent.Future<?>> done = new ArrayList<>();
          for (int c = 0; c < callers; c++) {
            long first = (long) c * BATCH;
            done.add(pool.submit(() -> {
              for (long start = first; start < ROWS; start += (long) BATCH * callers) {
                int n = (int) Math.min(BATCH, ROWS - start);
                FloatBuffer data = FloatBuffer.allocate(n * SkipFeatures.COUNT);
                for (int i = 0; i < n; i++) {
                  data.put(features[(int) ((start + i) % features.length)]);
                }
                data.flip();
                try (OnnxTensor t = OnnxTensor.createTensor(env, data, new long[] {n, SkipFeatures.COUNT});
                    OrtSession.Result r = session.run(Map.of(input, t))) {
                  seen.addAndGet(((float[][]) r.get(0).getValue()).length);
                }
              }
              return null;
            }));
          }
          for (java.util.concurrent.Future<?> f : done) {
            f.get();
          }
          pool.shutdown();
        }
        return null;
      });
    }
    assertEquals(ROWS, seen.get());
    return timing;
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

  /** The Flink jobs of this benchmark, run in alternating rounds. */
  private static final class FlinkJobs {
    private final float[][] features;
    private final Map<String, java.util.function.Function<String, Pipeline>> builds = new java.util.LinkedHashMap<>();
    private final Map<String, String> namespaces = new java.util.HashMap<>();
    private final Map<String, Timing> best = new java.util.HashMap<>();
    private final Map<String, List<Double>> walls = new java.util.HashMap<>();

    FlinkJobs(float[][] features) {
      this.features = features;
    }

    /**
     * A job: generate, then RunInference with {@code ref} (or, without a model, nothing or a
     * pass-through ParDo of RunInference's shape when the name is "shape"), then count.
     */
    void add(String name, boolean noMetrics, ModelRef ref, BatchBounds bounds, String namespace) {
      builds.put(name, job -> {
        List<String> args = new ArrayList<>(List.of("--runner=FlinkRunner", "--parallelism=2"));
        if (noMetrics) {
          args.add("--disableMetrics=true");
        }
        Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(args).toArray(new String[0])).create());
        PCollection<float[]> rows = rows(p, features, ROWS);
        PCollection<?> out;
        if (ref != null) {
          RunInference<float[], Float> ri = RunInference.of(handler(bounds, namespace), ref);
          out = rows.apply(ri).get(ri.predictions());
        } else if (name.equals("shape")) {
          out = passThrough(rows);
        } else {
          out = rows;
        }
        out.apply(Count.globally()).apply("Record", ParDo.of(new RecordCountFn(job)));
        return p;
      });
      if (ref != null && !noMetrics) {
        namespaces.put(name, namespace);
      }
    }

    /** One warm-up run, then {@code rounds} rounds of every job in turn. */
    void runRounds(int rounds) throws Exception {
      run(builds.keySet().iterator().next());
      best.clear();
      for (int round = 0; round < rounds; round++) {
        for (String name : builds.keySet()) {
          Timing t = run(name);
          System.out.printf("round %d: %s %.2f s (CPU %.2f s)%n", round + 1, name, t.wall, t.cpu);
          best.merge(name, t, (x, y) -> x.wall <= y.wall ? x : y);
          walls.computeIfAbsent(name, k -> new ArrayList<>()).add(t.wall);
        }
      }
    }

    double median(String name) {
      List<Double> sorted = new ArrayList<>(walls.get(name));
      Collections.sort(sorted);
      return sorted.get(sorted.size() / 2);
    }

    Timing best(String name) {
      return best.get(name);
    }

    private Timing run(String name) throws Exception {
      COUNTED.remove(name);
      Pipeline p = builds.get(name).apply(name);
      System.gc(); // each job starts from a collected heap, not the previous job's garbage
      PipelineResult[] result = {null};
      Timing t = Timing.of(() -> {
        result[0] = p.run();
        assertEquals(PipelineResult.State.DONE, result[0].waitUntilFinish());
        return null;
      });
      assertEquals((Long) ROWS, COUNTED.get(name), name + ": every row counted");
      String namespace = namespaces.get(name);
      if (namespace != null) {
        long inferred = result[0].metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(namespace, "num_inferences")).build())
            .getCounters().iterator().next().getAttempted();
        assertEquals(ROWS, inferred, name + ": every row inferred");
      }
      return t;
    }
  }

  /** A pass-through ParDo with a second, empty output: RunInference's shape without its work. */
  private static PCollection<float[]> passThrough(PCollection<float[]> rows) {
    org.apache.beam.sdk.values.TupleTag<float[]> main = new org.apache.beam.sdk.values.TupleTag<>() {};
    org.apache.beam.sdk.values.TupleTag<String> other = new org.apache.beam.sdk.values.TupleTag<>() {};
    return rows.apply("PassThrough", ParDo.of(new PassThroughFn())
            .withOutputTags(main, org.apache.beam.sdk.values.TupleTagList.of(other)))
        .get(main).setCoder(dev.meshflow.transforms.inference.FloatArrayCoder.of());
  }

  /** Keeps a job's count where the benchmark can check it (embedded Flink runs in this JVM). */
  static final class RecordCountFn extends DoFn<Long, Void> {
    private final String job;

    RecordCountFn(String job) {
      this.job = job;
    }

    @ProcessElement
    public void process(@Element Long count) {
      COUNTED.put(job, count);
    }
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
  private static double[] latency(float[][] features, ModelRef ref, String runner) {
    LATENCIES.values().forEach(ConcurrentLinkedQueue::clear);
    List<String> args = new ArrayList<>(List.of("--runner=" + runner, "--streaming=true"));
    if (runner.equals("FlinkRunner")) {
      args.add("--parallelism=2");
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerDefaults.apply(args).toArray(new String[0])).create());
    // Rows scheduled in the first 5 s only warm the job up (a Flink job may still be starting).
    Instant start = Instant.now().plus(Duration.standardSeconds(3));
    long measureFrom = start.plus(Duration.standardSeconds(5)).getMillis();
    PCollection<Long> ticks = p.apply("Ticks", Ticker.every(Duration.millis(2), start).until(start.plus(Duration.standardSeconds(25))))
        .apply("Scheduled", MapElements.into(TypeDescriptors.longs()).via(Instant::getMillis))
        .setCoder(VarLongCoder.of());
    ticks.apply("NoInference", ParDo.of(new LatencyFn<Long>("none", t -> t, measureFrom)));
    ModelHandler<Long, Float, ?> bundled = handler(BatchBounds.of(1, BATCH), "bench-bundled")
        .withPreprocess(t -> features[(int) (t % features.length)]);
    ModelHandler<Long, Float, ?> waiting = handler(BatchBounds.of(1, BATCH).withMaxBuffering(Duration.millis(100)),
        "bench-waiting").withPreprocess(t -> features[(int) (t % features.length)]);
    RunInference<Long, Float> a = RunInference.of(bundled, ref);
    RunInference<Long, Float> b = RunInference.of(waiting, ref).withShards(2);
    ticks.apply("Bundled", a).get(a.predictions())
        .apply("BundledLatency", ParDo.of(new LatencyFn<PredictionResult<Long, Float>>("bundled", PredictionResult::example, measureFrom)));
    ticks.apply("Waiting", b).get(b.predictions())
        .apply("WaitingLatency", ParDo.of(new LatencyFn<PredictionResult<Long, Float>>("waiting", PredictionResult::example, measureFrom)));
    p.run().waitUntilFinish();
    int expected = LATENCIES.get("none").size();
    assertTrue(expected >= 9_000, runner + ": the paced input ran (" + expected + " rows)");
    assertEquals(expected, LATENCIES.get("bundled").size(), runner + ": every row inferred within bundles");
    assertEquals(expected, LATENCIES.get("waiting").size(), runner + ": every row inferred after waiting");
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

    private final long measureFrom;

    LatencyFn(String into, org.apache.beam.sdk.transforms.SerializableFunction<T, Long> scheduled, long measureFrom) {
      this.into = into;
      this.scheduled = scheduled;
      this.measureFrom = measureFrom;
    }

    @ProcessElement
    public void process(@Element T value) {
      long at = scheduled.apply(value);
      if (at >= measureFrom) {
        LATENCIES.get(into).add(System.currentTimeMillis() - at);
      }
    }
  }
}
