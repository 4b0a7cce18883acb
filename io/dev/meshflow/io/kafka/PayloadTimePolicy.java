package dev.meshflow.io.kafka;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event time from the payload's {@code ts}, with a per-partition watermark that trails the newest
 * event time by {@code maxDelay}. A partition with nothing waiting for {@code idleAfter} advances
 * to wall-clock time minus {@code maxDelay}, so an idle partition never stalls the pipeline (the
 * trap of {@code CustomTimestampPolicyWithLimitedDelay}, apache/beam#20908). A record without a
 * usable {@code ts} takes the broker's timestamp; the parser dead-letters it anyway.
 */
final class PayloadTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private final Duration maxDelay;
  private final Duration idleAfter;
  private Instant maxEventTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private long lastRecordWallMillis = System.currentTimeMillis();

  PayloadTimePolicy(Duration maxDelay, Duration idleAfter, Optional<Instant> previousWatermark) {
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
    previousWatermark.ifPresent(w -> watermark = w);
  }

  static final class Factory implements TimestampPolicyFactory<byte[], byte[]> {
    private final Duration maxDelay;
    private final Duration idleAfter;

    Factory(Duration maxDelay, Duration idleAfter) {
      this.maxDelay = maxDelay;
      this.idleAfter = idleAfter;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition tp, Optional<Instant> previousWatermark) {
      return new PayloadTimePolicy(maxDelay, idleAfter, previousWatermark);
    }
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    lastRecordWallMillis = System.currentTimeMillis();
    Instant t = dev.meshflow.io.PayloadEventTime.of(record.getKV().getValue());
    if (t == null) {
      t = new Instant(record.getTimestamp());
    }
    if (t.isAfter(maxEventTime)) {
      maxEventTime = t;
    }
    return t;
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    Instant candidate = maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE)
        ? BoundedWindow.TIMESTAMP_MIN_VALUE : maxEventTime.minus(maxDelay);
    long now = System.currentTimeMillis();
    boolean idle = ctx.getMessageBacklog() == 0 && now - lastRecordWallMillis >= idleAfter.getMillis();
    if (idle) {
      Instant wall = new Instant(now).minus(maxDelay);
      candidate = candidate.isAfter(wall) ? candidate : wall;
    }
    if (candidate.isAfter(watermark)) {
      watermark = candidate;
    }
    return watermark;
  }
}
