package dev.meshflow.io.kinesis;

import dev.meshflow.io.PayloadWatermark;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisRecord;
import org.apache.beam.sdk.io.aws2.kinesis.WatermarkPolicy;
import org.apache.beam.sdk.io.aws2.kinesis.WatermarkPolicyFactory;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A shard's {@link PayloadWatermark}, as the Kafka source has per partition. KinesisIO's default
 * follows arrival time, which would make replayed or backfilled events look late. Kinesis reports
 * no backlog, so a shard that has delivered nothing yet waits {@link #FIRST_RECORD_GRACE} times the
 * idle time: its reader may simply not have polled, and jumping to wall-clock time then would make
 * every record still to come look late.
 */
final class PayloadWatermarkPolicy implements WatermarkPolicy {
  static final int FIRST_RECORD_GRACE = 6;

  private final PayloadWatermark watermark;

  private PayloadWatermarkPolicy(Duration maxDelay, Duration idleAfter) {
    this.watermark = new PayloadWatermark(maxDelay, idleAfter, FIRST_RECORD_GRACE);
  }

  static WatermarkPolicyFactory factory(Duration maxDelay, Duration idleAfter) {
    return () -> new PayloadWatermarkPolicy(maxDelay, idleAfter);
  }

  @Override
  public void update(KinesisRecord record) {
    watermark.observe(record.getDataAsBytes(), record.getApproximateArrivalTimestamp());
  }

  @Override
  public Instant getWatermark() {
    return watermark.current(true);
  }
}
