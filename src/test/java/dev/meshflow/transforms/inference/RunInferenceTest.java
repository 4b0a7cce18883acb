package dev.meshflow.transforms.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.testing.RunnerArgs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** RunInference's batching, sharing and failure handling, on real runners. */
public class RunInferenceTest {
  /** What each run's sink saw: "value@model". */
  static final Map<String, ConcurrentLinkedQueue<String>> SEEN = new ConcurrentHashMap<>();

  private static Pipeline pipeline(String runner, String... extra) {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner, extra)).create());
  }

  private static void run(Pipeline p) {
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
  }

  @Test
  public void directBatchesStayWithinBoundsAndWindows() {
    batchesStayWithinBoundsAndWindowsAndEveryElementIsInferredOnce("DirectRunner");
  }

  @Test
  public void flinkBatchesStayWithinBoundsAndWindows() {
    batchesStayWithinBoundsAndWindowsAndEveryElementIsInferredOnce("FlinkRunner");
  }

  private void batchesStayWithinBoundsAndWindowsAndEveryElementIsInferredOnce(String runner) {
    String run = "bounds-" + runner;
    ScalingHandler handler = new ScalingHandler(run, BatchBounds.of(4, 50));
    Pipeline p = pipeline(runner);
    List<Long> values = new ArrayList<>();
    for (long v = 0; v < 5000; v++) {
      values.add(v);
    }
    RunInference<Long, Long> ri = RunInference.of(handler, ModelRef.of("x3", ""));
    PCollection<String> results = p.apply(Create.of(values))
        .apply("Stamp", WithTimestamps.of(v -> new Instant(v * 1000)))
        .apply("Minutes", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply("Infer", ri).get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.strings())
            .via(r -> r.example() + "*3=" + r.inference() + "@" + r.modelId()));
    List<String> expected = new ArrayList<>();
    for (long v : values) {
      expected.add(v + "*3=" + (3 * v) + "@x3");
    }
    PAssert.that(results).containsInAnyOrder(expected);
    run(p);

    List<List<Long>> batches = ScalingHandler.batches(run);
    long inferred = 0;
    for (List<Long> batch : batches) {
      assertTrue(batch.size() <= 50, "batch of " + batch.size() + " over the maximum 50");
      Set<Long> minutes = new HashSet<>();
      batch.forEach(v -> minutes.add(v / 60));
      assertEquals(1, minutes.size(), "a batch crossed windows: " + batch);
      inferred += batch.size();
    }
    assertEquals(values.size(), inferred, "elements inferred");
    assertTrue(batches.size() < values.size() / 4, "elements were batched: " + batches.size() + " batches");
  }

  @Test
  public void streamingBatchesWaitNoLongerThanTheLimitAndResultsStayOnTime() {
    String run = "timeout";
    ScalingHandler handler = new ScalingHandler(run,
        BatchBounds.of(1, 100).withMaxBuffering(Duration.standardSeconds(1)));
    TestStream<Long> events = TestStream.create(VarLongCoder.of())
        .addElements(at(1), at(2), at(61))
        .advanceProcessingTime(Duration.standardSeconds(2)) // the first three time out
        .addElements(at(120), at(121))
        .advanceWatermarkTo(new Instant(100_000)) // closes [60 s, 120 s) with nothing left to flush
        .advanceWatermarkToInfinity(); // the last two go out at their window's end
    Pipeline p = pipeline("DirectRunner", "--streaming=true");
    RunInference<Long, Long> ri = RunInference.of(handler, ModelRef.of("x3", "")).withShards(1);
    PCollection<Long> results = p.apply(events)
        .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply(ri).get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.longs()).via(PredictionResult::inference));
    // Summed per window by a GroupByKey: a result behind the watermark would miss the on-time pane.
    PCollection<Long> sums = results.apply(Sum.longsGlobally().withoutDefaults());
    PAssert.that(sums).inOnTimePane(minute(0)).containsInAnyOrder(3L + 6L);
    PAssert.that(sums).inOnTimePane(minute(1)).containsInAnyOrder(183L);
    PAssert.that(sums).inOnTimePane(minute(2)).containsInAnyOrder(360L + 363L);
    run(p);

    Set<Set<Long>> batches = new HashSet<>();
    ScalingHandler.batches(run).forEach(b -> batches.add(new HashSet<>(b)));
    assertEquals(Set.of(Set.of(1L, 2L), Set.of(61L), Set.of(120L, 121L)), batches);
  }

  @Test
  public void aModelIsLoadedOncePerJvmAndSharedByAllThreads() {
    String run = "shared";
    ScalingHandler handler = new ScalingHandler(run, BatchBounds.of(1, 20));
    Pipeline p = pipeline("DirectRunner", "--targetParallelism=4");
    List<Long> values = new ArrayList<>();
    for (long v = 0; v < 20_000; v++) {
      values.add(v);
    }
    RunInference<Long, Long> ri = RunInference.of(handler, ModelRef.of("x2", ""));
    PCollection<Long> results = p.apply(Create.of(values)).apply(ri).get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.longs()).via(PredictionResult::inference));
    List<Long> expected = new ArrayList<>();
    values.forEach(v -> expected.add(2 * v));
    PAssert.that(results).containsInAnyOrder(expected);
    run(p);

    assertTrue(ScalingHandler.batches(run).size() >= 1000, "many batches ran");
    assertEquals(1, ScalingHandler.LOADS.get(run).get(), "loads of the model");
    assertEquals(1, SharedModels.loads(handler, ModelRef.of("x2", "")));
  }

  @Test
  public void failedBatchesBecomeDeadLettersWithTheirInputsAndNothingIsLost() {
    String run = "failures";
    ScalingHandler handler = new ScalingHandler(run, BatchBounds.fixed(10));
    Pipeline p = pipeline("DirectRunner");
    List<Long> values = new ArrayList<>();
    for (long v = -50; v < 950; v++) {
      values.add(v);
    }
    RunInference<Long, Long> ri = RunInference.of(handler, ModelRef.of("x1", ""));
    PCollectionTuple out = p.apply(Create.of(values)).apply(ri);
    collect(run + "/ok", out.get(ri.predictions())
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> String.valueOf(r.example()))));
    collect(run + "/dead", out.get(ri.failures()).apply(MapElements.into(TypeDescriptors.strings())
        .via(d -> d.stage() + "|" + new String(d.payload()) + "|" + d.reason())));
    run(p);

    List<String> ok = new ArrayList<>(SEEN.get(run + "/ok"));
    List<String> dead = new ArrayList<>(SEEN.get(run + "/dead"));
    assertEquals(values.size(), ok.size() + dead.size(), "inferred + dead-lettered = read");
    Set<String> deadInputs = new HashSet<>();
    for (String d : dead) {
      String[] parts = d.split("\\|", 3);
      assertEquals(RunInference.STAGE, parts[0]);
      assertTrue(parts[2].contains("x1") && parts[2].contains("negative input"), parts[2]);
      deadInputs.add(parts[1]);
    }
    for (long v = -50; v < 0; v++) {
      assertTrue(deadInputs.contains(String.valueOf(v)), v + " is a dead letter");
    }
    assertEquals(dead.size(), deadInputs.size(), "one dead letter per failed input");
    assertTrue(dead.size() < values.size(), "only failing batches fail");
  }

  @Test
  public void keyedInferenceUsesEachGroupsModelAndNeverMixesGroups() {
    String run = "keyed";
    ScalingHandler handler = new ScalingHandler(run, BatchBounds.of(1, 64));
    Pipeline p = pipeline("DirectRunner");
    List<KV<String, Long>> input = new ArrayList<>();
    for (long v = 0; v < 3000; v++) {
      input.add(KV.of(v % 3 == 0 ? "a-" + v : v % 3 == 1 ? "b-" + v : "c-" + v, v));
    }
    KeyedRunInference<String, Long, Long> ri = KeyedRunInference.of(handler, k -> k.substring(0, 1),
        new TreeMap<>(Map.of("a", ModelRef.of("x2", ""), "b", ModelRef.of("x5", ""))));
    PCollectionTuple out = p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply(ri);
    collect(run + "/ok", out.get(ri.predictions()).apply(MapElements.into(TypeDescriptors.strings())
        .via(kv -> kv.getKey() + "=" + kv.getValue().inference() + "@" + kv.getValue().modelId())));
    collect(run + "/dead", out.get(ri.failures()).apply(MapElements.into(TypeDescriptors.strings())
        .via(DeadLetter::reason)));
    run(p);

    Set<String> expected = new HashSet<>();
    for (long v = 0; v < 3000; v++) {
      if (v % 3 == 0) {
        expected.add("a-" + v + "=" + 2 * v + "@x2");
      } else if (v % 3 == 1) {
        expected.add("b-" + v + "=" + 5 * v + "@x5");
      }
    }
    assertEquals(expected, new HashSet<>(SEEN.get(run + "/ok")));
    assertEquals(2000, SEEN.get(run + "/ok").size());
    List<String> dead = new ArrayList<>(SEEN.get(run + "/dead"));
    assertEquals(1000, dead.size(), "group c has no model: its inputs are dead letters");
    assertTrue(dead.get(0).contains("no model for key group 'c'"), dead.get(0));
    for (List<Long> batch : ScalingHandler.batches(run)) {
      Set<Long> groups = new HashSet<>();
      batch.forEach(v -> groups.add(v % 3));
      assertEquals(1, groups.size(), "a batch mixed key groups: " + batch);
    }
  }

  static void collect(String key, PCollection<String> values) {
    SEEN.put(key, new ConcurrentLinkedQueue<>());
    values.apply("Collect" + key.replace('/', '-'), ParDo.of(new CollectFn(key)));
  }

  /** Records into {@link #SEEN}; the test runners run in this JVM. */
  static final class CollectFn extends DoFn<String, Void> {
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element String value) {
      SEEN.get(key).add(value);
    }
  }

  private static TimestampedValue<Long> at(long seconds) {
    return TimestampedValue.of(seconds, new Instant(seconds * 1000));
  }

  private static IntervalWindow minute(int m) {
    return new IntervalWindow(new Instant(m * 60_000L), Duration.standardMinutes(1));
  }
}
