package dev.meshflow.io.kafka;

import dev.meshflow.io.PayloadWatermark;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event time from the payload's {@code ts}, with a {@link PayloadWatermark} per partition. A
 * partition counts as idle only when its backlog is known to be empty, so it never stalls the
 * pipeline (the trap of {@code CustomTimestampPolicyWithLimitedDelay}, apache/beam#20908) yet never
 * runs ahead of records still waiting, nor of a broker it cannot reach.
 */
final class PayloadTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private final PayloadWatermark watermark;
  private final Duration idleAfter;

  PayloadTimePolicy(Duration maxDelay, Duration idleAfter, Optional<Instant> previousWatermark) {
    this.idleAfter = idleAfter;
    // The backlog already tells an unread partition from an idle one: no extra grace needed.
    this.watermark = new PayloadWatermark(maxDelay, idleAfter, 1);
    previousWatermark.ifPresent(watermark::resumeAt);
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
    return watermark.observe(record.getKV().getValue(), new Instant(record.getTimestamp()));
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    return watermark.current(caughtUp(ctx, idleAfter, Instant.now()));
  }

  /**
   * Whether the partition is known to be caught up: nothing waiting, by an end offset fetched
   * within the idle time. KafkaIO fetches it every second; while the broker is unreachable the
   * last figure goes stale, and an outage must not count as a quiet partition, or every event still
   * in the topic would be late once it is back.
   */
  static boolean caughtUp(PartitionContext ctx, Duration idleAfter, Instant now) {
    return ctx.getMessageBacklog() == 0 && !ctx.getBacklogCheckTime().isBefore(now.minus(idleAfter));
  }
}
