package dev.meshflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.splittabledofn.ManualWatermarkEstimator;
import org.apache.beam.sdk.transforms.splittabledofn.OffsetRangeTracker;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The ticker's DoFn driven by hand, with a clock the test controls; its argument checks. */
public class TickerTest {
  /**
   * The cause of the hang the ticker replaces: a clock that turns between reads. Here it moves 2 ms
   * at every read, ticks are 3 ms apart; each wait must still be positive and each due tick emitted.
   */
  @Test
  public void aClockThatTurnsBetweenReadsNeverGivesANegativeWait() {
    long[] clock = {10_000};
    Ticker.TickFn fn = new Ticker.TickFn(10_000, 3, 50) {
      @Override
      long nowMillis() {
        long now = clock[0];
        clock[0] += 2;
        return now;
      }
    };
    OffsetRangeTracker tracker = fn.newTracker(fn.initialRestriction());
    List<Long> out = new ArrayList<>();
    long[] watermark = {fn.initialWatermark().getMillis()};
    ManualWatermarkEstimator<Instant> estimator = new ManualWatermarkEstimator<>() {
      @Override
      public void setWatermark(Instant w) {
        assertTrue(w.getMillis() >= watermark[0], "the watermark never goes back");
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
      assertTrue(c.resumeDelay().getMillis() > 0, "wait " + c.resumeDelay() + " at clock " + clock[0]);
      clock[0] += c.resumeDelay().getMillis();
      // What a runner does on resume: checkpoint, and go on with the rest of the range.
      OffsetRange rest = tracker.trySplit(0).getResidual();
      tracker = fn.newTracker(rest);
    }
    assertEquals(50, out.size());
    for (int i = 0; i < out.size(); i++) {
      assertEquals(10_000 + 3L * i, (long) out.get(i));
    }
    assertTrue(resumes > 0, "the clock ran ahead of the ticks and caught up: " + resumes);
  }

  @Test
  public void refusesAStopBeforeItsStartOrAnEmptyInterval() {
    Instant now = Instant.now();
    assertThrows(IllegalArgumentException.class, () -> Ticker.every(Duration.ZERO, now));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ticker.every(Duration.millis(5), now).until(now.minus(Duration.millis(1))));
    assertTrue(e.getMessage().contains("before its start"), e.getMessage());
  }
}
