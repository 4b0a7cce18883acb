package dev.meshflow.io;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The watermark of one partition or shard of a stream whose event time is the payload's
 * {@code ts}: it trails the newest event time seen by {@code maxDelay}, never moves back, and once
 * the partition has been idle for {@code idleAfter} it advances to wall-clock time minus
 * {@code maxDelay}, so a quiet partition never stalls the pipeline. Before its first record a
 * partition waits {@code firstRecordGrace} times longer, where its reader may not have polled yet.
 */
public final class PayloadWatermark implements java.io.Serializable {
  private final Duration maxDelay;
  private final Duration idleAfter;
  private final int firstRecordGrace;
  private Instant maxEventTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private long lastRecordWallMillis = System.currentTimeMillis();

  public PayloadWatermark(Duration maxDelay, Duration idleAfter, int firstRecordGrace) {
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
    this.firstRecordGrace = firstRecordGrace;
  }

  /** Starts from a watermark restored from a checkpoint. */
  public void resumeAt(Instant previous) {
    watermark = previous;
  }

  /**
   * Notes a record and returns its event time: the payload's {@code ts}. A record without one (the
   * parser dead-letters it) takes the newest event time seen so far, or {@code fallback} (the
   * broker's timestamp) before any, and never moves the watermark: a broker's timestamp is the time
   * of writing, and in a replayed backlog that is far ahead of the events still to come.
   */
  public Instant observe(byte[] payload, Instant fallback) {
    lastRecordWallMillis = System.currentTimeMillis();
    Instant t = PayloadEventTime.of(payload);
    if (t == null) {
      return maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE) ? fallback : maxEventTime;
    }
    if (t.isAfter(maxEventTime)) {
      maxEventTime = t;
    }
    return t;
  }

  /** @param mayBeIdle false while the source knows records are waiting (a Kafka backlog) */
  public Instant current(boolean mayBeIdle) {
    boolean seenAny = !maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE);
    Instant candidate = seenAny ? maxEventTime.minus(maxDelay) : maxEventTime;
    long now = System.currentTimeMillis();
    long idleMillis = idleAfter.getMillis() * (seenAny ? 1 : firstRecordGrace);
    if (mayBeIdle && now - lastRecordWallMillis >= idleMillis) {
      Instant wall = new Instant(now).minus(maxDelay);
      candidate = candidate.isAfter(wall) ? candidate : wall;
    }
    if (candidate.isAfter(watermark)) {
      watermark = candidate;
    }
    return watermark;
  }
}
