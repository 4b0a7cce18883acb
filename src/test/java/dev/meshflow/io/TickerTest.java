package dev.meshflow.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.meshflow.testing.RunnerArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.ManualWatermarkEstimator;
import org.apache.beam.sdk.transforms.splittabledofn.OffsetRangeTracker;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The ticker every streaming refresh and paced test source uses: every tick on its grid exactly
 * once, and a run with a stop time ends, on each runner that runs unbounded splittable DoFns.
 */
@RunWith(Parameterized.class)
public class TickerTest {
  private static final Map<String, Queue<Long>> SEEN = new ConcurrentHashMap<>();

  @Parameterized.Parameters(name = "{0}")
  public static List<String> runners() {
    return List.of("DirectRunner", "FlinkRunner");
  }

  @Parameterized.Parameter public String runner;

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
    assertEquals("the run ends by itself", PipelineResult.State.DONE,
        result.waitUntilFinish(Duration.standardMinutes(2)));

    List<Long> seen = new ArrayList<>(SEEN.get(runner));
    seen.sort(Long::compare);
    assertEquals("1,501 ticks: 0 to 3 s every 2 ms, both ends included", 1501, seen.size());
    for (int i = 0; i < seen.size(); i++) {
      assertEquals("tick " + i, start.getMillis() + 2L * i, (long) seen.get(i));
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

  /**
   * The cause of the hang the ticker replaces: a clock that turns between reads. Here it turns a
   * millisecond at every read; each wait must still be positive and each due tick emitted.
   */
  @Test
  public void aClockThatTurnsBetweenReadsNeverGivesANegativeWait() {
    if (!runner.equals("DirectRunner")) {
      return; // a unit test of the DoFn: once is enough
    }
    long[] clock = {10_000};
    Ticker.TickFn fn = new Ticker.TickFn(10_000, 2, 50) {
      @Override
      long nowMillis() {
        return clock[0]++;
      }
    };
    OffsetRangeTracker tracker = fn.newTracker(fn.initialRestriction());
    List<Long> out = new ArrayList<>();
    long[] watermark = {fn.initialWatermark().getMillis()};
    ManualWatermarkEstimator<Instant> estimator = new ManualWatermarkEstimator<>() {
      @Override
      public void setWatermark(Instant w) {
        assertTrue("the watermark never goes back", w.getMillis() >= watermark[0]);
        watermark[0] = w.getMillis();
      }

      @Override
      public Instant currentWatermark() {
        return new Instant(watermark[0]);
      }

      @Override
      public Instant getState() {
        return currentWatermark();
      }
    };
    DoFn.OutputReceiver<Instant> receiver = new DoFn.OutputReceiver<>() {
      @Override
      public void outputWithTimestamp(Instant tick, Instant timestamp) {
        assertEquals(tick, timestamp);
        out.add(tick.getMillis());
      }

      @Override
      public org.apache.beam.sdk.values.OutputBuilder<Instant> builder(Instant tick) {
        throw new UnsupportedOperationException("the ticker emits with outputWithTimestamp");
      }
    };
    int resumes = 0;
    while (true) {
      DoFn.ProcessContinuation c = fn.process(tracker, estimator, receiver);
      if (!c.shouldResume()) {
        break;
      }
      resumes++;
      assertTrue("wait " + c.resumeDelay() + " at clock " + clock[0], c.resumeDelay().getMillis() > 0);
      clock[0] += c.resumeDelay().getMillis();
      // What a runner does on resume: checkpoint, and go on with the rest of the range.
      OffsetRange rest = tracker.trySplit(0).getResidual();
      tracker = fn.newTracker(rest);
    }
    assertEquals(50, out.size());
    for (int i = 0; i < out.size(); i++) {
      assertEquals(10_000 + 2L * i, (long) out.get(i));
    }
    assertTrue("the clock ran ahead of the ticks and caught up: " + resumes, resumes > 0);
  }

  @Test
  public void refusesAStopBeforeItsStartOrAnEmptyInterval() {
    Instant now = Instant.now();
    assertThrows(IllegalArgumentException.class, () -> Ticker.every(Duration.ZERO, now));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ticker.every(Duration.millis(5), now).until(now.minus(Duration.millis(1))));
    assertTrue(e.getMessage(), e.getMessage().contains("before its start"));
  }
}
