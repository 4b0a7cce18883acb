package dev.meshflow.io;

import java.util.Objects;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.ManualWatermarkEstimator;
import org.apache.beam.sdk.transforms.splittabledofn.OffsetRangeTracker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.WatermarkEstimators;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An endless input of instants, {@code start}, {@code start + interval}, ... up to and including
 * {@code stop} (or forever), each emitted once it is due and stamped with its own time; ticks
 * missed while the job was busy or not yet started are emitted at once, in order.
 *
 * <p>Beam's {@code PeriodicImpulse} does the same, but it reads the clock twice when it waits for
 * the next tick, and when the millisecond turns between the two reads it asks to resume after a
 * negative delay. The DirectRunner then spins without ever resuming it: the source stops for good
 * and a run with a stop time never ends. A 20-second, 2 ms ticker hung in two of four CI runs and
 * once in about twenty runs here; a DoFn that always asks for a negative delay hangs every time.
 * This ticker reads the clock once per wait, so the delay is always positive.
 */
public final class Ticker extends PTransform<PBegin, PCollection<Instant>> {
  private final Instant start;
  private final Duration interval;
  private final Instant stop;

  private Ticker(Instant start, Duration interval, Instant stop) {
    this.start = Objects.requireNonNull(start, "start");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.stop = stop;
    if (interval.getMillis() <= 0) {
      throw new IllegalArgumentException("a ticker's interval must be positive, got " + interval);
    }
    if (stop != null && stop.isBefore(start)) {
      throw new IllegalArgumentException("a ticker's stop " + stop + " is before its start " + start);
    }
  }

  /** Ticks from {@code start} every {@code interval}, forever. */
  public static Ticker every(Duration interval, Instant start) {
    return new Ticker(start, interval, null);
  }

  /** The same ticks, ending with the last one at or before {@code stop}. */
  public Ticker until(Instant stop) {
    return new Ticker(start, interval, Objects.requireNonNull(stop, "stop"));
  }

  /** How many ticks there are: up to and including the stop, or as many as a long counts. */
  long count() {
    return stop == null ? Long.MAX_VALUE : (stop.getMillis() - start.getMillis()) / interval.getMillis() + 1;
  }

  @Override
  public PCollection<Instant> expand(PBegin begin) {
    return begin
        .apply("Impulse", Impulse.create())
        .apply("TickWhenDue", ParDo.of(new TickFn(start.getMillis(), interval.getMillis(), count())));
  }

  /** Tick {@code i} is due at {@code start + i * interval}; the restriction ranges over i. */
  @DoFn.UnboundedPerElement
  static class TickFn extends DoFn<byte[], Instant> {
    private final long startMillis;
    private final long intervalMillis;
    private final long count;

    TickFn(long startMillis, long intervalMillis, long count) {
      this.startMillis = startMillis;
      this.intervalMillis = intervalMillis;
      this.count = count;
    }

    /** The wall clock; a test steps it to reproduce a clock that turns while the ticker works. */
    long nowMillis() {
      return System.currentTimeMillis();
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, count);
    }

    @NewTracker
    public OffsetRangeTracker newTracker(@Restriction OffsetRange range) {
      return new OffsetRangeTracker(range);
    }

    @GetInitialWatermarkEstimatorState
    public Instant initialWatermark() {
      return new Instant(startMillis - 1);
    }

    @NewWatermarkEstimator
    public WatermarkEstimators.Manual newWatermarkEstimator(@WatermarkEstimatorState Instant state) {
      return new WatermarkEstimators.Manual(state);
    }

    @ProcessElement
    public ProcessContinuation process(RestrictionTracker<OffsetRange, Long> tracker,
        ManualWatermarkEstimator<Instant> watermark, OutputReceiver<Instant> out) {
      for (long i = tracker.currentRestriction().getFrom(); ; i++) {
        long due = startMillis + i * intervalMillis;
        long wait = due - nowMillis(); // one clock read, so the delay below is never negative
        if (wait > 0 && i < tracker.currentRestriction().getTo()) {
          // Nothing before this tick will come: downstream windows may close meanwhile.
          watermark.setWatermark(new Instant(due - 1));
          return ProcessContinuation.resume().withResumeDelay(Duration.millis(wait));
        }
        if (!tracker.tryClaim(i)) {
          return ProcessContinuation.stop();
        }
        Instant tick = new Instant(due);
        out.outputWithTimestamp(tick, tick);
        watermark.setWatermark(tick);
      }
    }
  }
}
