package dev.meshflow.transforms.interactions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.RunMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streaming semantics with an explicit watermark: on-time events fire the window when the watermark
 * passes its end; a late event within the allowed lateness fires it again with the corrected,
 * accumulated count; an event beyond the allowed lateness is dead-lettered with stage {@code late}
 * and its original bytes, never silently dropped.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"DirectRunner", "TestFlinkRunner"})
public class StreamingLatenessTest {
  // One pipeline per test on this runner, injected as the TestPipeline parameter.
  @RegisterExtension final transient TestPipelineExtension onRunner;

  private final String runner;

  public StreamingLatenessTest(String runner) {
    this.runner = runner;
    this.onRunner = TestPipelineExtension.fromOptions(PipelineOptionsFactory.fromArgs(runnerArgs()).create());
  }

  private static final Instant T0 = Instant.parse("2026-03-07T23:00:00Z");
  private static final Duration LATENESS = Duration.standardMinutes(10);
  private static final IntervalWindow WINDOW = new IntervalWindow(T0, Duration.standardMinutes(1));


  private String[] runnerArgs() {
    return runner.equals("DirectRunner")
        ? new String[] {"--runner=DirectRunner", "--streaming=true"}
        // Beam's Flink operators hold a watermark back while a bundle is open but emit elements at
        // once, so an element can overtake the watermark before it: then it is on time for the
        // aggregation too and lands in a late pane, counted, never lost. Bundles of one element
        // and one channel keep this test's order exact.
        : new String[] {"--runner=TestFlinkRunner", "--streaming=true", "--parallelism=1",
            "--maxBundleSize=1"};
  }

  private static TimestampedValue<KV<String, byte[]>> event(
      String origin, String id, String user, String type, int secondsIntoWindow) {
    Instant ts = T0.plus(Duration.standardSeconds(secondsIntoWindow));
    String json = "{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"user_id\":\"" + user
        + "\",\"item_id\":\"song-1\",\"item_type\":\"song\",\"event_type\":\"" + type + "\"}";
    return TimestampedValue.of(KV.of(origin, json.getBytes(StandardCharsets.UTF_8)), ts);
  }

  private static ItemMinuteStats stats(long plays, long skips, long likes, long users) {
    return new ItemMinuteStats(WINDOW.start().getMillis(), WINDOW.end().getMillis(), "song-1",
        "song", plays, skips, likes, 0, users);
  }

  @Test
  public void onTimeLateAndTooLateEventsEachGoWhereTheyShould(TestPipeline pipeline) {
    TestStream<KV<String, byte[]>> input = TestStream
        .create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(T0)
        .addElements(
            event("o-1", "ev-1", "user-1", "play", 10),
            event("o-2", "ev-2", "user-2", "skip", 20),
            event("o-3", "ev-1", "user-1", "play", 10), // a duplicate of ev-1
            TimestampedValue.of(KV.of("o-4", "{not json".getBytes(StandardCharsets.UTF_8)), T0))
        // The window [T0, T0+1m) closes: the on-time pane fires.
        .advanceWatermarkTo(T0.plus(Duration.standardMinutes(2)))
        // Late, but within the allowed lateness: the window fires again, corrected.
        .addElements(event("o-5", "ev-3", "user-3", "like", 30))
        // Past window end + allowed lateness: the window is gone for good.
        .advanceWatermarkTo(T0.plus(Duration.standardMinutes(1)).plus(LATENESS).plus(Duration.standardSeconds(1)))
        .addElements(event("o-6", "ev-4", "user-4", "play", 40))
        .advanceWatermarkToInfinity();

    PCollectionTuple out = pipeline.apply(input).apply(InteractionAnalytics.streaming(
        LATENESS, Duration.standardMinutes(10), Duration.ZERO));

    PCollection<ItemMinuteStats> stats = out.get(InteractionAnalytics.STATS);
    PAssert.that(stats).inOnTimePane(WINDOW).containsInAnyOrder(stats(1, 1, 0, 2));
    PAssert.that(stats).inLatePane(WINDOW).containsInAnyOrder(stats(1, 1, 1, 3));

    PCollection<String> deadLetters = out.get(InteractionAnalytics.DEAD_LETTERS)
        .apply(MapElements.into(TypeDescriptors.strings()).via(
            (DeadLetter d) -> d.stage() + " " + d.origin() + " "
                + new String(d.payload(), StandardCharsets.UTF_8).substring(0, 9)));
    PAssert.that(deadLetters).containsInAnyOrder(
        "parse o-4 {not json", "late o-6 {\"event_i");

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(6, counter(result, RunMetrics.NAMESPACE, RunMetrics.READ));
    assertEquals(3, counter(result, RunMetrics.NAMESPACE, RunMetrics.VALID));
    assertEquals(1, counter(result, RunMetrics.NAMESPACE, RunMetrics.DUPLICATES));
    assertEquals(1, counter(result, RunMetrics.NAMESPACE, RunMetrics.DEAD_LETTERS + ".parse"));
    assertEquals(1, counter(result, RunMetrics.NAMESPACE, RunMetrics.DEAD_LETTERS + ".late"));
    // The late split caught the too-late event before the aggregation could drop it unseen.
    assertEquals(0, counter(result, "org.apache.beam.runners.core.LateDataDroppingDoFnRunner",
        "droppedDueToLateness"));
  }

  @Test
  public void earlyFiringsGiveSpeculativeResultsBeforeTheWindowCloses(TestPipeline pipeline) {
    Assumptions.assumeTrue(runner.equals("DirectRunner"), "Flink's TestStream cannot advance processing time");
    TestStream<KV<String, byte[]>> input = TestStream
        .create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(T0)
        .addElements(event("o-1", "ev-1", "user-1", "play", 5))
        .advanceProcessingTime(Duration.standardSeconds(6))
        .addElements(event("o-2", "ev-2", "user-2", "play", 15))
        .advanceWatermarkToInfinity();

    PCollection<ItemMinuteStats> stats = pipeline.apply(input)
        .apply(InteractionAnalytics.streaming(LATENESS, Duration.standardMinutes(10),
            Duration.standardSeconds(5)))
        .get(InteractionAnalytics.STATS);
    PAssert.that(stats).inEarlyPane(WINDOW).containsInAnyOrder(stats(1, 0, 0, 1));
    PAssert.that(stats).inOnTimePane(WINDOW).containsInAnyOrder(stats(2, 0, 0, 2));
    pipeline.run().waitUntilFinish();
  }

  private static long counter(PipelineResult result, String namespace, String name) {
    long total = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
