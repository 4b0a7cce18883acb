package dev.meshflow.transforms.interactions;

import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.transforms.interactions.model.FirstArrivals;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * {@link DedupeByEventId} against its references: in batch, the smallest origin per id whatever
 * the order ({@link ValidEvents}); in streaming, the first arrival while its id is remembered
 * ({@link FirstArrivals}), with out-of-order arrivals, re-sends within and after the retention, and
 * the watermark moving between them (TestStream).
 */
public class DedupeByEventIdTest {
  private static final String GENERATOR =
      "generator:interactions?events=3000&seed=5&duplicates=0.15&outOfOrder=0.3&late=0&malformed=0";

  @Test
  public void batchKeepsTheSmallestOriginPerIdWhateverTheOrder() {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, 3000);
    List<InteractionEvent> events = new ArrayList<>();
    for (InteractionAnalyticsModel.Record r : records) {
      events.add(InteractionParser.parse(r.origin(), r.payload()).event());
    }
    Collections.shuffle(events, new Random(3));
    List<String> expected = new ArrayList<>();
    ValidEvents.of(records).chosen.values().forEach(e -> expected.add(e.eventId() + "@" + e.origin()));
    Assertions.assertTrue(expected.size() < events.size() - 300, "the input has duplicates");

    Pipeline p = pipeline();
    PCollection<InteractionEvent> in = p.apply(Create.of(events).withCoder(InteractionEventCoder.of()));
    PAssert.that(ids(in.apply(DedupeByEventId.batch()))).containsInAnyOrder(expected);
    Assertions.assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  @Test
  public void batchBucketsSpreadSequentialIdsEvenly() {
    // String.hashCode modulo 128 put 38,000 to 120,000 of 10M sequential ids in one bucket.
    int ids = 1_000_000;
    int[] perBucket = new int[128];
    for (int i = 0; i < ids; i++) {
      int bucket = DedupeByEventId.batchBucket("ev-42-" + i);
      Assertions.assertTrue(bucket >= 0 && bucket < 128, "bucket " + bucket);
      perBucket[bucket]++;
    }
    int mean = ids / 128;
    for (int b = 0; b < 128; b++) {
      Assertions.assertTrue(Math.abs(perBucket[b] - mean) < mean / 20,
          "bucket " + b + " holds " + perBucket[b] + " ids, the mean is " + mean);
    }
  }

  @Test
  public void picksGoOutInEventTimeOrderToTheMinute() {
    long t0 = Instant.parse("2026-03-07T23:00:00Z").getMillis();
    Random random = new Random(11);
    DedupeByEventId.Pick[] picks = new DedupeByEventId.Pick[5000];
    for (int i = 0; i < picks.length; i++) {
      picks[i] = pick("e" + i, t0 + (long) random.nextInt(600) * 60_000 + random.nextInt(60_000));
    }
    long[] order = DedupeByEventId.minuteOrder(picks);
    boolean[] seen = new boolean[picks.length];
    long previousMinute = Long.MIN_VALUE;
    for (long packed : order) {
      int at = (int) packed;
      Assertions.assertFalse(seen[at], "position " + at + " twice");
      seen[at] = true;
      long minute = Math.floorDiv(picks[at].event.timestampMillis(), 60_000L);
      Assertions.assertTrue(minute >= previousMinute, "minute " + minute + " after " + previousMinute);
      previousMinute = minute;
    }
    Assertions.assertEquals(picks.length, order.length);

    // Minutes more than 2^31 apart (year 1 to 9999 both pass the parser): positions as they are.
    DedupeByEventId.Pick[] wide = {pick("late", 253402300799000L), pick("early", -62135596800000L)};
    Assertions.assertArrayEquals(new long[] {0, 1}, DedupeByEventId.minuteOrder(wide));
    Assertions.assertEquals(0, DedupeByEventId.minuteOrder(new DedupeByEventId.Pick[0]).length);
  }

  private static DedupeByEventId.Pick pick(String id, long millis) {
    DedupeByEventId.Pick p = new DedupeByEventId.Pick();
    p.event = new InteractionEvent(id, millis, "u", "song-0001", "song", "play", null, null, null,
        "test", new byte[0]);
    p.occurrences = 1;
    return p;
  }

  @Test
  public void streamingKeepsTheFirstArrivalWhileItsIdIsRemembered() {
    Duration retention = Duration.standardMinutes(10);
    long t0 = Instant.parse("2026-03-07T23:00:00Z").getMillis();
    List<List<InteractionEvent>> rounds = List.of(
        // a re-send with a smaller origin arrives second: the first arrival still wins
        List.of(event("a", t0 + 5_000, "o-9"), event("b", t0 + 1_000, "o-2"), event("a", t0 + 5_000, "o-1")),
        // out of order; a same-id event with another time inside the retention is a duplicate
        List.of(event("c", t0 + 70_000, "o-5"), event("b", t0 + 60_000, "o-3"), event("d", t0 + 65_000, "o-4")),
        // after the watermark passed b's and a's retention: a re-send at or past it is new again
        List.of(event("b", t0 + 601_000, "o-7"), event("a", t0 + 700_000, "o-8"),
            event("c", t0 + 650_000, "o-6")));
    List<Instant> watermarks = List.of(new Instant(t0), new Instant(t0 + 60_000),
        new Instant(t0 + 640_000));

    TestStream.Builder<InteractionEvent> stream = TestStream.create(InteractionEventCoder.of());
    List<InteractionEvent> arrivals = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      stream = stream.advanceWatermarkTo(watermarks.get(i));
      List<TimestampedValue<InteractionEvent>> batch = new ArrayList<>();
      for (InteractionEvent e : rounds.get(i)) {
        batch.add(TimestampedValue.of(e, new Instant(e.timestampMillis())));
        arrivals.add(e);
      }
      stream = stream.addElements(batch.get(0), batch.subList(1, batch.size()).toArray(new TimestampedValue[0]));
    }
    List<String> expected = new ArrayList<>();
    FirstArrivals.keep(arrivals, retention.getMillis()).forEach(e -> expected.add(e.eventId() + "@" + e.origin()));
    Assertions.assertEquals(List.of("a@o-9", "b@o-2", "c@o-5", "d@o-4", "b@o-7", "a@o-8"),
        expected, "the reference itself");

    Pipeline p = pipeline("--streaming=true");
    PCollection<InteractionEvent> in = p.apply(stream.advanceWatermarkToInfinity());
    PAssert.that(ids(in.apply(DedupeByEventId.streaming(retention)))).containsInAnyOrder(expected);
    Assertions.assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  private static InteractionEvent event(String id, long ts, String origin) {
    return new InteractionEvent(id, ts, "user-1", "song-1", "song", "play", "ios", "s-1", 1000L,
        origin, new byte[0]);
  }

  private static PCollection<String> ids(PCollection<InteractionEvent> events) {
    return events.apply(MapElements.into(TypeDescriptors.strings()).via(e -> e.eventId() + "@" + e.origin()));
  }

  private static Pipeline pipeline(String... extra) {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("DirectRunner", extra)).create());
  }
}
