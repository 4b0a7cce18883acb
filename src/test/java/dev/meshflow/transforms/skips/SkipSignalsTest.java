package dev.meshflow.transforms.skips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.RunMetrics;
import dev.meshflow.core.Stages;
import dev.meshflow.launcher.RunCounts;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.skips.model.SkipSignalsModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SkipSignals} against {@link SkipSignalsModel}: in batch on seeded data with duplicates,
 * malformed and out-of-order records; in streaming under a controlled watermark, where another
 * user's earlier play and skip of the same item shape a listen's item features, a re-sent event
 * is dropped, and an event too late to put in order is a dead letter.
 */
@ExtendWith(TestPipelineExtension.class)
public class SkipSignalsTest {
  private static final long T0 = Instant.parse("2026-03-07T20:00:00Z").toEpochMilli();
  private static final String GENERATED = "generator:interactions?events=6000&seed=11&eventsPerSecond=20"
      + "&taste=1&duplicates=0.02&malformed=0.02&late=0&outOfOrder=0.1";


  @Test
  public void batchListensMatchTheModel(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATED, 6_000);
    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin(), r.payload())));
    List<String> expected = lines(SkipSignalsModel.of(records, 30_000).listens);
    assertTrue(expected.size() > 1_000, "enough listens to mean something: " + expected.size());

    PCollectionTuple out = p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(SkipSignals.batch());
    PAssert.that(out.get(SkipSignals.LISTENS).apply(MapElements.into(TypeDescriptors.strings()).via(Listen::toString)))
        .containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  /**
   * With the products' cohorts and genres (side inputs), listens match the model given the same
   * attributes: here unlike the ids' (shifted), and unknown for every fifth user and for podcasts.
   */
  @Test
  public void batchListensWithTheProductsCohortsAndGenresMatchTheModel(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATED, 6_000);
    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin(), r.payload())));
    Map<String, Integer> cohorts = new HashMap<>();
    for (int u = 0; u < 2000; u++) {
      if (u % 5 != 0) {
        cohorts.put("user-" + u, (u + 1) % SkipFeatures.COHORTS);
      }
    }
    Map<String, Integer> genres = new HashMap<>();
    for (int i = 0; i < 80; i++) {
      genres.put(String.format("song-%04d", i), (i + 2) % SkipFeatures.GENRES);
    }
    List<Listen> expected = SkipSignalsModel.of(records, 30_000, TasteAttributes.of(cohorts, genres)).listens;
    List<Listen> fromIds = SkipSignalsModel.of(records, 30_000).listens;
    assertEquals(fromIds.size(), expected.size());
    long differ = 0;
    for (int i = 0; i < expected.size(); i++) {
      differ += Arrays.equals(expected.get(i).features, fromIds.get(i).features) ? 0 : 1;
    }
    assertEquals(expected.size(), differ, "every listen's taste features differ from the ids'");

    PCollectionView<Map<String, Integer>> cohortView = p.apply("Cohorts", Create.of(cohorts)
        .withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))).apply("CohortView", View.asMap());
    PCollectionView<Map<String, Integer>> genreView = p.apply("Genres", Create.of(genres)
        .withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))).apply("GenreView", View.asMap());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(SkipSignals.batch().withTaste(cohortView, genreView));
    PAssert.that(out.get(SkipSignals.LISTENS).apply(MapElements.into(TypeDescriptors.strings()).via(Listen::toString)))
        .containsInAnyOrder(lines(expected));
    p.run().waitUntilFinish();
  }

  @Test
  public void streamingItemFeaturesComeFromEarlierEventsOfOtherUsers(TestPipeline p) {
    KV<String, byte[]> firstPlay = event("e1", 0, "user-1", "play");
    KV<String, byte[]> skip = event("e2", 30, "user-1", "skip");
    KV<String, byte[]> otherUsersPlay = event("e3", 90, "user-2", "play");
    KV<String, byte[]> resent = event("e3", 90, "user-2", "play");
    KV<String, byte[]> late = event("e4", 10, "user-3", "play");

    TestStream<KV<String, byte[]>> input = TestStream.create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(new org.joda.time.Instant(T0))
        .addElements(arriving(otherUsersPlay), arriving(skip)) // out of order
        .addElements(arriving(firstPlay), arriving(resent))
        .advanceWatermarkTo(new org.joda.time.Instant(T0 + 3 * 3_600_000L))
        .addElements(arriving(late)) // song-6 was put in order up to 90 minutes long ago
        .advanceWatermarkToInfinity();
    PCollectionTuple out = p.apply(input)
        .apply(SkipSignals.streaming(Duration.standardHours(1), Duration.standardSeconds(10)));

    List<InteractionAnalyticsModel.Record> onTime = new ArrayList<>();
    for (KV<String, byte[]> r : List.of(firstPlay, skip, otherUsersPlay, resent)) {
      onTime.add(new InteractionAnalyticsModel.Record(r.getKey(), r.getValue()));
    }
    List<Listen> expected = SkipSignalsModel.of(onTime, 30_000).listens;
    // The scenario's own truth, with the decay written out: by e3, e1's play has aged 90 minutes
    // and e2's skip 60, at a one-hour half-life.
    assertEquals(2, expected.size());
    Listen e3 = expected.get(0).listenId.equals("e3") ? expected.get(0) : expected.get(1);
    double plays = Math.pow(2, -1.5);
    assertEquals(Math.log1p(plays), e3.features[SkipFeatures.COUNT - 2], 1e-6);
    assertEquals(1.5 / (plays + 2), e3.features[SkipFeatures.COUNT - 1], 1e-6);
    Listen e1 = expected.get(0) == e3 ? expected.get(1) : expected.get(0);
    assertEquals(0, e1.features[SkipFeatures.COUNT - 2], 0, "no earlier plays");
    assertEquals(0.5, e1.features[SkipFeatures.COUNT - 1], 0, "nothing known: the prior");

    PAssert.that(out.get(SkipSignals.LISTENS).apply(MapElements.into(TypeDescriptors.strings()).via(Listen::toString)))
        .containsInAnyOrder(lines(expected));
    PAssert.that(out.get(SkipSignals.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.stage() + " " + d.origin()
                + " " + new String(d.payload(), StandardCharsets.UTF_8))))
        .containsInAnyOrder("late test#e4 " + new String(late.getValue(), StandardCharsets.UTF_8));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    RunCounts counts = RunCounts.of(result);
    // e4 was unique (valid at deduplication) until it proved too late: counted once, as a dead letter.
    assertEquals(List.of(3L, 1L, 1L), List.of(counts.get(RunMetrics.VALID), counts.get(RunMetrics.DUPLICATES),
        counts.get(RunMetrics.DEAD_LETTERS + "." + Stages.LATE)), "valid, duplicates, late: " + counts);
  }

  private static KV<String, byte[]> event(String id, int minute, String user, String type) {
    String json = "{\"event_id\":\"" + id + "\",\"ts\":\"" + Instant.ofEpochMilli(T0 + minute * 60_000L)
        + "\",\"user_id\":\"" + user + "\",\"item_id\":\"song-6\",\"item_type\":\"song\",\"event_type\":\""
        + type + "\",\"device\":\"web\",\"session_id\":\"s-" + user + "\"}";
    return KV.of("test#" + id, json.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampedValue<KV<String, byte[]>> arriving(KV<String, byte[]> r) {
    return TimestampedValue.of(r, new org.joda.time.Instant(T0)); // arrival time; event time is in the payload
  }

  private static List<String> lines(List<Listen> listens) {
    List<String> out = new ArrayList<>();
    listens.forEach(l -> out.add(l.toString()));
    return out;
  }
}
