package dev.meshflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.RunnerArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ticker every streaming refresh and paced test source uses: every tick on its grid exactly
 * once, and a run with a stop time ends, on each runner that runs unbounded splittable DoFns
 * (Spark's classic runner does not).
 */
@ParameterizedClass(name = "{0}")
@MethodSource("runners")
public class TickerRunnerTest {
  private static final Map<String, Queue<Long>> SEEN = new ConcurrentHashMap<>();

  public static List<String> runners() {
    return List.of("DirectRunner", "FlinkRunner");
  }

  @Parameter String runner;

  @Test
  public void everyTickOnItsGridOnceAndTheRunEnds() throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(
        RunnerArgs.forRunner(runner, "--streaming=true")).create());
    // Starts in the past, so the first ticks are caught up at once and the rest paced.
    Instant start = Instant.now().minus(Duration.millis(500));
    Duration interval = Duration.millis(2);
    SEEN.put(runner, new ConcurrentLinkedQueue<>());
    PCollection<Instant> ticks = p.apply("Ticks", Ticker.every(interval, start).until(start.plus(Duration.standardSeconds(3))));
    ticks.apply("Collect", ParDo.of(new CollectFn(runner)));
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE,
        result.waitUntilFinish(Duration.standardMinutes(2)), "the run ends by itself");

    List<Long> seen = new ArrayList<>(SEEN.get(runner));
    seen.sort(Long::compare);
    assertEquals(1501, seen.size(), "1,501 ticks: 0 to 3 s every 2 ms, both ends included");
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(start.getMillis() + 2L * i, (long) seen.get(i), "tick " + i);
    }
  }

  /** Records each tick's value, checking it carries its own time as its timestamp. */
  private static final class CollectFn extends DoFn<Instant, Void> {
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element Instant tick, @Timestamp Instant timestamp) {
      if (!tick.equals(timestamp)) {
        throw new IllegalStateException("tick " + tick + " stamped " + timestamp);
      }
      SEEN.get(key).add(tick.getMillis());
    }
  }
}
