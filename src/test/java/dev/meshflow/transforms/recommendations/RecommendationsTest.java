package dev.meshflow.transforms.recommendations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import dev.meshflow.transforms.interactions.model.ValidEvents;
import dev.meshflow.transforms.recommendations.model.RecommendationsModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Recommendations} against {@link RecommendationsModel}: generated co-listening input with
 * duplicates, out-of-order and malformed records gives exactly the model's co-listening counts,
 * plays, trending windows, user histories and version, in batch (shuffled) and in streaming (a
 * moving watermark, repeated firings, and records beyond the lateness dead-lettered).
 */
@ExtendWith(TestPipelineExtension.class)
public class RecommendationsTest {
  private static final int EVENTS = 1_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=11&taste=1&recs=1&items=60&users=40&eventsPerSecond=1"
      + "&duplicates=0.05&malformed=0.03&outOfOrder=0.3&late=0";

  /** The model's tables as rows keyed as the store keys them, values without the pane. */
  private record Expected(Map<String, List<Object>> coListens, Map<String, List<Object>> itemPlays,
      Map<String, List<Object>> trending, Map<String, List<Object>> histories, List<Object> state)
      implements java.io.Serializable {

    static Expected of(Iterable<InteractionEvent> events) {
      RecommendationsModel m = RecommendationsModel.of(events);
      Map<String, List<Object>> co = new TreeMap<>();
      m.coListens().forEach((a, ns) -> ns.forEach((b, c) -> co.put(a + "|" + b, List.of(c))));
      Map<String, List<Object>> plays = new TreeMap<>();
      m.plays().forEach((item, c) -> plays.put(item, List.of(m.type(item), c)));
      Map<String, List<Object>> trending = new TreeMap<>();
      m.trending().forEach((w, items) -> items.forEach((item, c) ->
          trending.put(new Instant(w) + "|" + item, List.of(m.type(item), c))));
      Map<String, List<Object>> histories = new TreeMap<>();
      for (String user : m.users()) {
        Long latestPlay = m.latestPlay(user);
        histories.put(user, java.util.Arrays.asList(StoreRows.jsonArray(m.recent(user)),
            StoreRows.jsonArray(List.copyOf(new TreeSet<>(m.skipped(user)))),
            latestPlay == null ? null : new Instant(latestPlay)));
      }
      return new Expected(co, plays, trending, histories, List.of(m.events(), new Instant(m.latestEvent())));
    }
  }

  /** The latest pane's values per key, from every pane a table's rows came in. */
  private static Map<String, List<Object>> latest(Iterable<Row> rows, Function<Row, String> key, String... values) {
    Map<String, Row> newest = new TreeMap<>();
    for (Row r : rows) {
      newest.merge(key.apply(r), r, (a, b) -> b.getInt64("pane_index") > a.getInt64("pane_index") ? b : a);
    }
    Map<String, List<Object>> out = new TreeMap<>();
    newest.forEach((k, r) -> {
      List<Object> v = new ArrayList<>();
      for (String field : values) {
        Object value = r.getValue(field);
        v.add(value instanceof org.joda.time.ReadableInstant i ? new Instant(i.getMillis()) : value);
      }
      out.put(k, v);
    });
    return out;
  }

  private static void assertTablesAreTheModels(PCollectionTuple out, Expected expected, String label) {
    PAssert.that(label + "CoListens", out.get(Recommendations.CO_LISTENS)).satisfies(rows -> {
      assertEquals(expected.coListens(), latest(rows, r -> r.getString("item_id") + "|" + r.getString("neighbour_id"),
          "co_count"));
      return null;
    });
    PAssert.that(label + "ItemPlays", out.get(Recommendations.ITEM_PLAYS)).satisfies(rows -> {
      assertEquals(expected.itemPlays(), latest(rows, r -> r.getString("item_id"), "item_type", "plays"));
      return null;
    });
    PAssert.that(label + "Trending", out.get(Recommendations.TRENDING)).satisfies(rows -> {
      assertEquals(expected.trending(), latest(rows,
          r -> new Instant(r.getDateTime("window_start").getMillis()) + "|" + r.getString("item_id"), "item_type", "plays"));
      return null;
    });
    PAssert.that(label + "Histories", out.get(Recommendations.USER_HISTORY)).satisfies(rows -> {
      assertEquals(expected.histories(), latest(rows, r -> r.getString("user_id"), "recent_items", "skipped_items",
          "latest_play"));
      return null;
    });
    PAssert.that(label + "State", out.get(Recommendations.MODEL_STATE)).satisfies(rows -> {
      assertEquals(Map.of(RecommendationTables.MODEL, expected.state()),
          latest(rows, r -> r.getString("model"), "events", "latest_event"));
      return null;
    });
  }

  private static PCollection<String> deadLetterLines(PCollectionTuple out) {
    return out.get(Recommendations.DEAD_LETTERS).setCoder(DeadLetterCoder.of())
        .apply("DeadLetterLines", MapElements.into(TypeDescriptors.strings())
            .via((DeadLetter d) -> d.stage() + " " + d.origin()));
  }

  @Test
  public void batchTablesAreTheModels(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = new ArrayList<>(GeneratedInput.records(GENERATOR, EVENTS));
    Collections.shuffle(records, new Random(3));
    ValidEvents valid = ValidEvents.of(records);
    assertTrue(valid.duplicates > 30 && valid.deadLetters.size() > 20, "duplicates and malformed records expected");
    Expected expected = Expected.of(valid.chosen.values());
    assertTrue(expected.coListens().size() > 150, "co-listening expected: " + expected.coListens().size());

    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin(), r.payload())));
    PCollectionTuple out = p
        .apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(Recommendations.batch());
    assertTablesAreTheModels(out, expected, "Batch");
    PAssert.that(deadLetterLines(out)).containsInAnyOrder(
        valid.deadLetters.keySet().stream().map(origin -> "parse " + origin).toList());
    p.run().waitUntilFinish();
  }

  /**
   * Streaming: records in time order with 30 s of disorder, in chunks, the watermark a minute
   * behind each chunk, processing time advancing so the totals fire repeatedly; at the end three
   * records of the first chunk arrive again hours behind the watermark and are dead-lettered late
   * (they were duplicates anyway, so the model is unchanged). The latest pane of every key equals
   * the model's value.
   */
  @Test
  public void streamingTablesAreTheModelsAndTooLateRecordsAreDeadLetters(TestPipeline p) {
    List<InteractionAnalyticsModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS);
    ValidEvents valid = ValidEvents.of(records);
    Expected expected = Expected.of(valid.chosen.values());

    TestStream.Builder<KV<String, byte[]>> stream = TestStream.create(
        KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
    List<TimestampedValue<KV<String, byte[]>>> chunk = new ArrayList<>();
    long chunkStart = Long.MAX_VALUE;
    List<TimestampedValue<KV<String, byte[]>>> first = null;
    long latest = Instant.parse("2026-03-07T23:00:00Z").getMillis(); // the generator's default start
    for (int i = 0; i < records.size(); i++) {
      InteractionAnalyticsModel.Record r = records.get(i);
      // A malformed record has no time of its own: it rides with the record before it.
      long time = timeOf(r, latest);
      chunk.add(TimestampedValue.of(KV.of(r.origin(), r.payload()), new Instant(time)));
      chunkStart = Math.min(chunkStart, time);
      latest = Math.max(latest, time);
      if (chunk.size() == 500 || i == records.size() - 1) {
        stream = stream.advanceWatermarkTo(new Instant(chunkStart - 60_000))
            .addElements(chunk.get(0), chunk.subList(1, chunk.size()).toArray(TimestampedValue[]::new))
            .advanceProcessingTime(Duration.standardSeconds(2));
        if (first == null) {
          first = List.copyOf(chunk);
        }
        chunk = new ArrayList<>();
        chunkStart = Long.MAX_VALUE;
      }
    }
    List<TimestampedValue<KV<String, byte[]>>> resent = new ArrayList<>();
    List<String> lateOrigins = new ArrayList<>();
    for (TimestampedValue<KV<String, byte[]>> r : first) {
      if (resent.size() < 3 && !valid.deadLetters.containsKey(r.getValue().getKey())) {
        String origin = r.getValue().getKey() + "-resent";
        resent.add(TimestampedValue.of(KV.of(origin, r.getValue().getValue()), r.getTimestamp()));
        lateOrigins.add("late " + origin);
      }
    }
    TestStream<KV<String, byte[]>> input = stream
        .advanceWatermarkTo(new Instant(latest + Duration.standardHours(2).getMillis()))
        .addElements(resent.get(0), resent.subList(1, resent.size()).toArray(TimestampedValue[]::new))
        .advanceProcessingTime(Duration.standardSeconds(2))
        .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(input).apply(
        Recommendations.streaming(Duration.standardMinutes(2), Duration.standardMinutes(10), Duration.standardSeconds(1)));
    assertTablesAreTheModels(out, expected, "Streaming");
    List<String> deadLetters = new ArrayList<>(lateOrigins);
    valid.deadLetters.keySet().forEach(origin -> deadLetters.add("parse " + origin));
    PAssert.that(deadLetterLines(out)).containsInAnyOrder(deadLetters);
    p.run().waitUntilFinish();
  }

  private static long timeOf(InteractionAnalyticsModel.Record r, long before) {
    dev.meshflow.transforms.interactions.InteractionParser.Result parsed =
        dev.meshflow.transforms.interactions.InteractionParser.parse(r.origin(), r.payload());
    return parsed.isValid() ? parsed.event().timestampMillis() : before;
  }
}
