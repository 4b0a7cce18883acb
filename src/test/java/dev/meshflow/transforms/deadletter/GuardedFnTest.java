package dev.meshflow.transforms.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.core.Stages;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.ParseInteractions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * A valid event that a step after parsing throws on. The step here is an honest bug: seconds
 * listened from {@code duration_ms}, which a like does not carry, so unboxing it throws. Bare, the
 * step fails the job (on Flink after its restarts: each attempt meets the same record); guarded,
 * the like becomes a {@code transform} dead letter with its original bytes and the job finishes.
 */
public class GuardedFnTest {
  private static final TupleTag<Long> SECONDS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> DEAD = new TupleTag<>() {};
  private static final SerializableFunction<InteractionEvent, Long> SECONDS_LISTENED =
      e -> e.durationMs() / 1000; // NullPointerException for an event without a duration

  private static final String LIKE = "{\"event_id\":\"ev-2\",\"ts\":\"2026-03-07T22:59:58.425Z\","
      + "\"user_id\":\"user-1859\",\"item_id\":\"song-0031\",\"item_type\":\"song\","
      + "\"event_type\":\"like\",\"device\":\"ios\",\"session_id\":\"s-1859-0\"}";
  private static final List<KV<String, byte[]>> RECORDS = List.of(
      record("o-0", "{\"event_id\":\"ev-0\",\"ts\":\"2026-03-07T23:00:00Z\",\"user_id\":\"user-1063\","
          + "\"item_id\":\"song-0014\",\"item_type\":\"song\",\"event_type\":\"skip\",\"device\":\"android\","
          + "\"session_id\":\"s-1063-0\",\"duration_ms\":2019}"),
      record("o-1", "{\"event_id\":\"ev-1\",\"ts\":\"2026-03-07T23:00:00.010Z\",\"user_id\":\"user-1370\","
          + "\"item_id\":\"song-0000\",\"item_type\":\"song\",\"event_type\":\"play\",\"device\":\"android\","
          + "\"session_id\":\"s-1370-0\",\"duration_ms\":324749}"),
      record("o-2", LIKE));

  private static KV<String, byte[]> record(String origin, String json) {
    return KV.of(origin, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  public void onDirectTheRecordAStepThrowsOnIsADeadLetterWithItsPayloadAndTheRestFlowOn() {
    Pipeline p = pipeline("DirectRunner");
    PCollectionTuple out = events(p).apply("SecondsListened",
        ParDo.of(new GuardedFn<>("SecondsListened", SECONDS_LISTENED, DEAD))
            .withOutputTags(SECONDS, TupleTagList.of(DEAD)));
    PAssert.that(out.get(SECONDS).setCoder(VarLongCoder.of())).containsInAnyOrder(2L, 324L);
    PCollection<DeadLetter> dead = out.get(DEAD).setCoder(DeadLetterCoder.of());
    PAssert.that(dead).satisfies(letters -> {
      List<DeadLetter> all = new java.util.ArrayList<>();
      letters.forEach(all::add);
      assertEquals(1, all.size());
      DeadLetter d = all.get(0);
      assertEquals(Stages.TRANSFORM, d.stage());
      assertEquals("o-2", d.origin());
      assertTrue(d.reason().startsWith("SecondsListened threw NullPointerException"), d.reason());
      assertTrue(Arrays.equals(LIKE.getBytes(StandardCharsets.UTF_8), d.payload()), "the original bytes");
      return null;
    });
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  @Test
  public void onFlinkWithCheckpointsTheBareStepFailsAfterItsRestartsAndTheGuardedOneFinishes() {
    Pipeline bare = pipeline("FlinkRunner", flinkStreaming());
    events(bare).apply("SecondsListened", MapElements.into(TypeDescriptors.longs()).via(SECONDS_LISTENED));
    RuntimeException failed = assertThrows(RuntimeException.class, () -> bare.run().waitUntilFinish());
    assertTrue(causes(failed).contains("NullPointerException"), "fails on the record, again after each restart: " + failed);

    Pipeline guarded = pipeline("FlinkRunner", flinkStreaming());
    PCollectionTuple out = events(guarded).apply("SecondsListened",
        ParDo.of(new GuardedFn<>("SecondsListened", SECONDS_LISTENED, DEAD))
            .withOutputTags(SECONDS, TupleTagList.of(DEAD)));
    PAssert.that(out.get(SECONDS).setCoder(VarLongCoder.of())).containsInAnyOrder(2L, 324L);
    PAssert.that(out.get(DEAD).setCoder(DeadLetterCoder.of())
            .apply(MapElements.into(TypeDescriptors.strings()).via(d -> d.stage() + " " + d.origin())))
        .containsInAnyOrder("transform o-2");
    assertEquals(PipelineResult.State.DONE, guarded.run().waitUntilFinish());
  }

  /** Streaming with checkpoints and quick restarts, as the launcher runs Flink streams. */
  private static String[] flinkStreaming() {
    return new String[] {"--streaming=true", "--checkpointingInterval=500",
        "--numberOfExecutionRetries=2", "--executionRetryDelay=100", "--shutdownSourcesAfterIdleMs=0"};
  }

  private static PCollection<InteractionEvent> events(Pipeline p) {
    return p.apply(Create.of(RECORDS).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply("Parse", new ParseInteractions(true)) // keeping payloads, as streaming does
        .get(ParseInteractions.EVENTS);
  }

  private static Pipeline pipeline(String runner, String... extra) {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner(runner, extra)).create());
  }

  private static String causes(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append('\n');
    }
    return all.toString();
  }
}
