package dev.meshflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The source watermark of a replayed backlog: events from the past, read while the broker's own
 * timestamps say now. Before the fix one malformed record (no {@code ts}) moved a partition's
 * watermark to the broker's time, and every older event after it became a {@code late} dead letter.
 */
public class PayloadWatermarkTest {
  private static final Duration MAX_DELAY = Duration.standardSeconds(30);
  private static final Instant PAST = Instant.parse("2026-03-07T10:00:00Z");
  private static final Instant NOW = Instant.now();

  private static byte[] event(Instant ts) {
    return ("{\"event_id\":\"e\",\"ts\":\"" + ts + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static PayloadWatermark fresh() {
    return new PayloadWatermark(MAX_DELAY, Duration.standardHours(1), 1);
  }

  @Test
  public void aRecordWithoutEventTimeDoesNotMoveTheWatermarkToTheBrokersTime() {
    PayloadWatermark w = fresh();
    w.observe(event(PAST), NOW);
    Instant stamped = w.observe("{not json".getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(PAST, stamped, "the malformed record takes the newest event time seen");
    assertEquals(PAST.minus(MAX_DELAY), w.current(false));
    w.observe(event(PAST.plus(1_000)), NOW);
    assertEquals(PAST.plus(1_000).minus(MAX_DELAY), w.current(false));
  }

  @Test
  public void aRecordWithoutEventTimeBeforeAnyOtherIsStampedWithTheBrokersTimeAndHoldsNothing() {
    PayloadWatermark w = fresh();
    assertEquals(NOW, w.observe(new byte[0], NOW));
    w.observe(event(PAST), NOW);
    assertEquals(PAST.minus(MAX_DELAY), w.current(false));
  }

  @Test
  public void aPartitionWithRecordsWaitingNeverAdvancesPastItsData() {
    PayloadWatermark w = new PayloadWatermark(MAX_DELAY, Duration.ZERO, 1);
    w.observe(event(PAST), NOW);
    assertEquals(PAST.minus(MAX_DELAY), w.current(false), "backlog: not idle however long it was quiet");
    assertFalse(w.current(true).isBefore(NOW.minus(MAX_DELAY)), "caught up and idle: wall clock minus the delay");
  }

  @Test
  public void theWatermarkNeverMovesBack() {
    PayloadWatermark w = fresh();
    w.observe(event(PAST.plus(60_000)), NOW);
    w.observe(event(PAST), NOW);
    assertEquals(PAST.plus(60_000).minus(MAX_DELAY), w.current(false));
  }
}
