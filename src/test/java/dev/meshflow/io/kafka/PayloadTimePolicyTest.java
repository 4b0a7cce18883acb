package dev.meshflow.io.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** A Kafka partition is idle only when it is known to be caught up. */
public class PayloadTimePolicyTest {
  private static final Duration IDLE = Duration.standardSeconds(5);
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  private static TimestampPolicy.PartitionContext context(long backlog, Instant checked) {
    return new TimestampPolicy.PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return checked;
      }
    };
  }

  @Test
  public void nothingWaitingByAFreshEndOffsetIsCaughtUp() {
    assertTrue(PayloadTimePolicy.caughtUp(context(0, NOW.minus(1_000)), IDLE, NOW));
  }

  @Test
  public void recordsWaitingOrAnUnknownBacklogAreNot() {
    assertFalse(PayloadTimePolicy.caughtUp(context(12, NOW), IDLE, NOW));
    assertFalse(PayloadTimePolicy.caughtUp(context(-1, NOW), IDLE, NOW));
  }

  @Test
  public void anEndOffsetGoneStaleWhileTheBrokerIsAwayIsNot() {
    assertFalse(PayloadTimePolicy.caughtUp(context(0, NOW.minus(30_000)), IDLE, NOW));
  }
}
