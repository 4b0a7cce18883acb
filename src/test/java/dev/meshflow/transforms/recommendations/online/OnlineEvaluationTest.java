package dev.meshflow.transforms.recommendations.online;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionEventCoder;
import dev.meshflow.transforms.recommendations.model.OnlineEvaluationModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link OnlineEvaluation} against {@link OnlineEvaluationModel} on planted behaviour: users who
 * play an item of their list at a known place, who play it only as their eleventh play, after the
 * window or before the list was served; two list items played; a tie in time; a list read twice;
 * plays arriving out of order and one late within the allowed lateness; malformed records; and,
 * streaming only, a list that arrives after the plays that judge it were dropped.
 */
@ExtendWith(TestPipelineExtension.class)
public class OnlineEvaluationTest {
  private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private static final Duration WINDOW = Duration.standardMinutes(10);
  private static final Duration LATENESS = Duration.standardMinutes(1);
  private static final long MINUTE = 60_000;

  /** The planted input: served-lists records and plays, each with its time. */
  private static final class Planted {
    final List<TimestampedValue<KV<String, byte[]>>> served = new ArrayList<>();
    final List<TimestampedValue<KV<String, InteractionEvent>>> plays = new ArrayList<>();
    final OnlineEvaluationModel model = new OnlineEvaluationModel(WINDOW.getMillis());
    int events;

    void serve(String id, String user, long at, List<String> items) {
      served.add(TimestampedValue.of(KV.of(user, ServedList.toJson(id, user, Instant.ofEpochMilli(at), "song", items)
          .getBytes(StandardCharsets.UTF_8)), new org.joda.time.Instant(at)));
      model.served(id, user, at, items);
    }

    void play(String user, String item, long at) {
      plays.add(TimestampedValue.of(KV.of(user, new InteractionEvent("e-" + events++, at, user, item, "song", "play",
          null, null, null, "test", new byte[0])), new org.joda.time.Instant(at)));
      model.played(user, item, at);
    }
  }

  private static List<String> list(int user) {
    List<String> items = new ArrayList<>();
    for (int k = 1; k <= 10; k++) {
      items.add("song-" + user + "-" + k);
    }
    return items;
  }

  private static Planted planted() {
    Planted in = new Planted();
    Random random = new Random(7);
    for (int u = 0; u < 60; u++) {
      String user = "user-" + u;
      long s = T0 + u * 2_000L;
      List<String> items = list(u);
      in.serve("served-" + u, user, s, items);
      switch (u % 6) {
        case 0 -> { // a hit at a known place, after two other plays
          in.play(user, "other-a", s + MINUTE);
          in.play(user, "other-b", s + 2 * MINUTE);
          in.play(user, items.get(random.nextInt(10)), s + 3 * MINUTE);
        }
        case 1 -> { // the list's item only as the eleventh play: a miss
          for (int k = 1; k <= 10; k++) {
            in.play(user, "other-" + k, s + k * 20_000L);
          }
          in.play(user, items.get(0), s + 5 * MINUTE);
        }
        case 2 -> { // after the window: a miss
          in.play(user, "other-a", s + MINUTE);
          in.play(user, items.get(1), s + WINDOW.getMillis() + 30_000);
        }
        case 3 -> in.play(user, items.get(2), s - MINUTE); // before it was served: a miss, no plays after
        case 4 -> { // two of its items: the first played counts
          in.play(user, items.get(4), s + MINUTE);
          in.play(user, items.get(0), s + 2 * MINUTE);
        }
        default -> { // a tie in time: both counted, in item order
          in.play(user, "aaa-other", s + MINUTE);
          in.play(user, items.get(7), s + MINUTE);
        }
      }
    }
    return in;
  }

  private static final List<KV<String, byte[]>> MALFORMED = List.of(
      KV.of("user-x", "{not json".getBytes(StandardCharsets.UTF_8)),
      KV.of("user-y", "{\"served_id\":\"s\",\"user_id\":\"user-y\",\"ts\":\"2026-03-01T12:00:00Z\"}"
          .getBytes(StandardCharsets.UTF_8)));

  private static List<List<Object>> rowsOf(OnlineEvaluationModel model, String... leaveOut) {
    List<List<Object>> rows = new ArrayList<>();
    model.judged().values().stream().filter(j -> !Arrays.asList(leaveOut).contains(j.servedId()))
        .forEach(j -> rows.add(Arrays.asList(j.servedId(), j.userId(), new org.joda.time.Instant(j.servedAtMillis()),
            "song", j.items(), j.hit(), j.hitRank(), j.playsAfter(), 0L, true)));
    return rows;
  }

  private static void assertRows(PCollection<Row> verdicts, List<List<Object>> expected) {
    PAssert.that(verdicts).satisfies(rows -> {
      List<List<Object>> values = new ArrayList<>();
      rows.forEach(r -> values.add(r.getValues()));
      assertThat(values, containsInAnyOrder(expected.toArray()));
      return null;
    });
  }

  @Test
  public void streamingJudgesEachListAsTheModelDoesAndDeadLettersWhatItCannotJudge(TestPipeline pipeline) {
    Planted in = planted();
    // What a late list would have been judged by: a play a minute after it was served.
    long lateServed = T0 + 2 * 3_600_000L;
    in.play("user-late", "song-late-1", lateServed + MINUTE);
    in.model.served("served-late", "user-late", lateServed, List.of("song-late-1"));
    // One stream, so that the order of arrival is the test's: served lists and plays, shuffled.
    List<TimestampedValue<KV<String, byte[]>>> arrivals = new ArrayList<>(in.served);
    in.plays.forEach(t -> arrivals.add(asArrival(t)));
    arrivals.add(in.served.get(7)); // read twice
    MALFORMED.forEach(m -> arrivals.add(TimestampedValue.of(m, new org.joda.time.Instant(T0))));
    Collections.shuffle(arrivals, new Random(11));
    // A play within the allowed lateness: the watermark is past its list's window, not its
    // lateness. It turns user-57's miss (a list item played only before the list) into a hit.
    long s57 = T0 + 57 * 2_000L;
    TimestampedValue<KV<String, InteractionEvent>> latePlay = TimestampedValue.of(KV.of("user-57",
        new InteractionEvent("e-late-play", s57 + 4 * MINUTE, "user-57", "song-57-3", "song", "play", null, null,
            null, "test", new byte[0])), new org.joda.time.Instant(s57 + 4 * MINUTE));
    in.model.played("user-57", "song-57-3", s57 + 4 * MINUTE);

    TestStream<KV<String, byte[]>> stream = TestStream
        .create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(new org.joda.time.Instant(T0 - MINUTE))
        .addElements(arrivals.get(0), arrivals.subList(1, arrivals.size()).toArray(TimestampedValue[]::new))
        .advanceWatermarkTo(new org.joda.time.Instant(s57 + WINDOW.getMillis() + 30_000))
        .addElements(asArrival(latePlay))
        // Past the late list's window and lateness: its user's play is dropped before it arrives.
        .advanceWatermarkTo(new org.joda.time.Instant(lateServed + 3_600_000L))
        .addElements(TimestampedValue.of(KV.of("served:user-late", ServedList.toJson("served-late", "user-late",
            Instant.ofEpochMilli(lateServed), "song", List.of("song-late-1")).getBytes(StandardCharsets.UTF_8)),
            new org.joda.time.Instant(lateServed)))
        .advanceWatermarkToInfinity();
    PCollection<KV<String, byte[]>> all = pipeline.apply("Arrivals", stream);
    PCollectionTuple out = PCollectionTuple
        .of(OnlineEvaluation.SERVED_RECORDS, all.apply("Served", ParDo.of(new ServedOnly())))
        .and(OnlineEvaluation.PLAYS, all.apply("Plays", ParDo.of(new PlaysOnly()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of())))
        .apply(OnlineEvaluation.streaming(WINDOW, LATENESS));

    List<List<Object>> expected = rowsOf(in.model, "served-late");
    assertEquals(60, expected.size());
    assertRows(out.get(OnlineEvaluation.VERDICTS), expected);
    assertDeadLetters(out.get(OnlineEvaluation.DEAD_LETTERS), true);
    pipeline.run().waitUntilFinish();

    // The planted behaviour, as the model judges it: every kind of user as planted.
    assertEquals(3, in.model.judged().get("served-57").hitRank(), "user-57's late play counts: within the lateness");
    assertEquals(List.of(true, false, false, false, true, true), List.of(0, 1, 2, 3, 4, 5).stream()
        .map(k -> in.model.judged().get("served-" + (6 + k)).hit()).toList());
    assertEquals(5, in.model.judged().get("served-4").hitRank(), "the first of two list items played");
    assertEquals(0, in.model.judged().get("served-3").playsAfter());
    assertEquals(10, in.model.judged().get("served-1").playsAfter());
    assertEquals(8, in.model.judged().get("served-5").hitRank(), "a tie in time counts both plays");
  }

  /** A play as one arrival of the test's single stream: key "play:user", value "item,event id". */
  private static TimestampedValue<KV<String, byte[]>> asArrival(TimestampedValue<KV<String, InteractionEvent>> play) {
    InteractionEvent e = play.getValue().getValue();
    return TimestampedValue.of(KV.of("play:" + e.userId(), (e.itemId() + "," + e.eventId())
        .getBytes(StandardCharsets.UTF_8)), play.getTimestamp());
  }

  private static final class ServedOnly extends DoFn<KV<String, byte[]>, KV<String, byte[]>> {
    @ProcessElement
    public void process(@Element KV<String, byte[]> arrival, OutputReceiver<KV<String, byte[]>> out) {
      if (!arrival.getKey().startsWith("play:")) {
        out.output(KV.of(arrival.getKey().replace("served:", ""), arrival.getValue()));
      }
    }
  }

  private static final class PlaysOnly extends DoFn<KV<String, byte[]>, KV<String, InteractionEvent>> {
    @ProcessElement
    public void process(@Element KV<String, byte[]> arrival, @Timestamp org.joda.time.Instant time,
        OutputReceiver<KV<String, InteractionEvent>> out) {
      if (arrival.getKey().startsWith("play:")) {
        String user = arrival.getKey().substring(5);
        String[] itemAndId = new String(arrival.getValue(), StandardCharsets.UTF_8).split(",");
        out.output(KV.of(user, new InteractionEvent(itemAndId[1], time.getMillis(), user, itemAndId[0], "song",
            "play", null, null, null, "test", new byte[0])));
      }
    }
  }

  @Test
  public void batchJudgesTheSameInputAsTheModelDoes(TestPipeline pipeline) {
    Planted in = planted();
    List<KV<String, byte[]>> served = new ArrayList<>();
    in.served.forEach(t -> served.add(t.getValue()));
    served.add(in.served.get(7).getValue());
    served.addAll(MALFORMED);
    List<KV<String, InteractionEvent>> plays = new ArrayList<>();
    in.plays.forEach(t -> plays.add(t.getValue()));
    PCollectionTuple out = PCollectionTuple
        .of(OnlineEvaluation.SERVED_RECORDS, pipeline.apply("Served", Create.of(served)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))))
        .and(OnlineEvaluation.PLAYS, pipeline.apply("Plays", Create.of(plays)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), InteractionEventCoder.of()))))
        .apply(OnlineEvaluation.batch(WINDOW));
    assertRows(out.get(OnlineEvaluation.VERDICTS), rowsOf(in.model));
    assertDeadLetters(out.get(OnlineEvaluation.DEAD_LETTERS), false);
    pipeline.run().waitUntilFinish();
  }

  /** The malformed records, and in streaming the late list, each with its payload, reason and stage. */
  private static void assertDeadLetters(PCollection<DeadLetter> deadLetters, boolean withLate) {
    PAssert.that(deadLetters).satisfies(letters -> {
      List<String> seen = new ArrayList<>();
      for (DeadLetter d : letters) {
        seen.add(d.stage() + " " + d.origin() + " " + d.reason().split(":")[0] + " "
            + new String(d.payload(), StandardCharsets.UTF_8).substring(0, 9));
      }
      List<String> expected = new ArrayList<>(List.of("parse user-x served list {not json",
          "parse user-y served list {\"served_"));
      if (withLate) {
        expected.add("late user-late served list arrived after the plays that judge it were dropped"
            + " (its evaluation window plus the allowed lateness had passed) {\"served_");
      }
      assertThat(seen, containsInAnyOrder(expected.toArray()));
      return null;
    });
  }
}
