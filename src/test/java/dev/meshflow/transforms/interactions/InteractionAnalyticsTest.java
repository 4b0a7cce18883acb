package dev.meshflow.transforms.interactions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link InteractionAnalytics} in batch against {@link InteractionAnalyticsModel}, as Nexmark's
 * query tests hold a query to its model: shuffled generated input with duplicates, out-of-order,
 * late and all malformed kinds gives exactly the model's per-item, per-minute tallies and its dead
 * letters, each with its reason. (Streaming, with a moving watermark: StreamingLatenessTest.)
 */
@ExtendWith(TestPipelineExtension.class)
public class InteractionAnalyticsTest {
  private static final long EVENTS = 6_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=17&duplicates=0.05&malformed=0.03&outOfOrder=0.3&late=0.02&items=40&users=300";

  @Test
  public void batchTalliesAndDeadLettersAreTheModels(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = new ArrayList<>(GeneratedInput.records(GENERATOR, EVENTS));
    Collections.shuffle(records, new Random(3));
    InteractionAnalyticsModel.Result expected = InteractionAnalyticsModel.run(records);
    assertTrue(expected.duplicates > 100 && expected.deadLetters.size() > 100, "duplicates and dead letters expected");

    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin(), r.payload())));
    PCollectionTuple out = p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(InteractionAnalytics.batch(Duration.standardMinutes(10)));

    PAssert.that(out.get(InteractionAnalytics.STATS)).containsInAnyOrder(expected.stats);
    List<String> deadLetters = new ArrayList<>();
    expected.deadLetters.forEach((origin, reason) -> deadLetters.add("parse " + origin + " " + reason));
    PAssert.that(out.get(InteractionAnalytics.DEAD_LETTERS).setCoder(DeadLetterCoder.of())
            .apply("DeadLetterLines", MapElements.into(TypeDescriptors.strings())
                .via((DeadLetter d) -> d.stage() + " " + d.origin() + " " + d.reason())))
        .containsInAnyOrder(deadLetters);
    p.run().waitUntilFinish();
  }

  /**
   * Batch tallies each worker's events in memory before the combine. With a buffer of 7 events
   * (200,000 in a run) both ways out of it are taken: a window's tallies sent on whenever the
   * buffer fills, the rest when the bundle ends. The tallies are still the model's, as they are
   * when every event goes to the combine (the streaming form).
   */
  @Test
  public void talliesAreTheModelsWhateverTheInMemoryBufferHolds(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS);
    InteractionAnalyticsModel.Result expected = InteractionAnalyticsModel.run(records);
    List<InteractionEvent> events = new ArrayList<>(ValidEvents.of(records).chosen.values());
    Collections.shuffle(events, new Random(5));
    PCollection<InteractionEvent> windowed = p
        .apply(Create.of(events).withCoder(InteractionEventCoder.of()))
        .apply(WithTimestamps.of((InteractionEvent e) -> new Instant(e.timestampMillis())))
        .apply(InteractionWindowing.batch());
    PAssert.that(windowed.apply("SmallBuffer", CountItemStats.tallyInMemoryFirst(7)))
        .containsInAnyOrder(expected.stats);
    PAssert.that(windowed.apply("PerEvent", CountItemStats.perEvent())).containsInAnyOrder(expected.stats);
    p.run().waitUntilFinish();
  }
  /** Merging adds into the first tally (no copy per merge) and leaves the others as they were. */
  @Test
  public void mergingAddsIntoTheFirstTallyOnly() {
    ItemTally first = tally("u1", "play");
    ItemTally second = tally("u2", "skip");
    ItemTally third = tally("u1", "like");
    ItemTally merged = new CountItemStats.TallyFn().mergeAccumulators(List.of(first, second, third));
    Assertions.assertSame(first, merged);
    Assertions.assertEquals(List.of(1L, 1L, 1L, 0L), List.of(merged.plays, merged.skips, merged.likes, merged.playlistAdds));
    Assertions.assertEquals(java.util.Set.of("u1", "u2"), merged.users);
    Assertions.assertEquals(java.util.Set.of("u2"), second.users);
    Assertions.assertEquals(1L, second.skips);
    Assertions.assertEquals(java.util.Set.of("u1"), third.users);
    Assertions.assertEquals(0L, new CountItemStats.TallyFn().mergeAccumulators(List.of()).plays);
  }

  private static ItemTally tally(String user, String eventType) {
    ItemTally t = new ItemTally();
    t.add(new InteractionEvent("e-" + user + eventType, 0L, user, "song-0001", "song", eventType,
        null, null, null, "test", new byte[0]));
    return t;
  }
}
