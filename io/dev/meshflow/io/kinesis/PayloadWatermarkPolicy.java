package dev.meshflow.io.kinesis;

import dev.meshflow.io.PayloadEventTime;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisRecord;
import org.apache.beam.sdk.io.aws2.kinesis.WatermarkPolicy;
import org.apache.beam.sdk.io.aws2.kinesis.WatermarkPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A shard's watermark trails the newest payload event time by {@code maxDelay}, as the Kafka
 * source's does. KinesisIO's default follows arrival time, which would make replayed or backfilled
 * events look late. A shard with no record for {@code idleAfter} advances to wall-clock time minus
 * {@code maxDelay}, so a quiet shard never stalls the pipeline. A shard that has delivered nothing
 * yet waits {@link #FIRST_RECORD_GRACE} times longer: its reader may simply not have polled yet, and
 * jumping to wall-clock time then would make every record still to come look late.
 */
final class PayloadWatermarkPolicy implements WatermarkPolicy {
  static final int FIRST_RECORD_GRACE = 6;

  private final Duration maxDelay;
  private final Duration idleAfter;
  private Instant maxEventTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private long lastRecordWallMillis = System.currentTimeMillis();

  private PayloadWatermarkPolicy(Duration maxDelay, Duration idleAfter) {
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
  }

  static WatermarkPolicyFactory factory(Duration maxDelay, Duration idleAfter) {
    return () -> new PayloadWatermarkPolicy(maxDelay, idleAfter);
  }

  @Override
  public void update(KinesisRecord record) {
    lastRecordWallMillis = System.currentTimeMillis();
    Instant t = PayloadEventTime.of(record.getDataAsBytes());
    if (t == null) {
      t = record.getApproximateArrivalTimestamp();
    }
    if (t != null && t.isAfter(maxEventTime)) {
      maxEventTime = t;
    }
  }

  @Override
  public Instant getWatermark() {
    Instant candidate = maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE)
        ? maxEventTime : maxEventTime.minus(maxDelay);
    long now = System.currentTimeMillis();
    boolean seenAny = !maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE);
    long idleMillis = idleAfter.getMillis() * (seenAny ? 1 : FIRST_RECORD_GRACE);
    if (now - lastRecordWallMillis >= idleMillis) {
      Instant wall = new Instant(now).minus(maxDelay);
      candidate = candidate.isAfter(wall) ? candidate : wall;
    }
    if (candidate.isAfter(watermark)) {
      watermark = candidate;
    }
    return watermark;
  }
}
