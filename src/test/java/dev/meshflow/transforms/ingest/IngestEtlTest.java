package dev.meshflow.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.ingest.model.IngestEtlModel;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link IngestEtl} in batch against {@link IngestEtlModel}, every step on: types kept and the
 * rest counted as filtered, the catalog (a miss is an {@code enrich} dead letter), missing devices
 * filled, user ids hashed with HMAC and session ids masked. Shuffled generated input with
 * duplicates, out-of-order, late and every malformed kind gives exactly the model's rows and dead
 * letters. (End to end on each runner and warehouse: IngestEtlParityTest.)
 */
@ExtendWith(TestPipelineExtension.class)
public class IngestEtlTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:interactions?events=" + EVENTS
      + "&seed=11&duplicates=0.05&malformed=0.03&outOfOrder=0.3&late=0.02&items=40&users=200";
  private static final String KEY_ENV = "MESHFLOW_TEST_HMAC_KEY"; // set for tests in pom.xml

  /** Every item but every seventh, so some events miss the catalog. */
  private static List<String> catalog() {
    List<String> lines = new ArrayList<>(List.of("item_id,title,artist,genre"));
    for (int i = 0; i < 40; i++) {
      if (i % 7 != 3) {
        lines.add((i < 32 ? "song-" : "podcast-") + String.format("%04d", i) + ",\"Title, " + i + "\",Artist "
            + (i % 5) + ",genre-" + (i % 3));
      }
    }
    return lines;
  }

  @Test
  public void batchRowsAndDeadLettersAreTheModels(TestPipeline p) {
    EtlSpec spec = new EtlSpec(Set.of("play", "skip", "like"), Set.of(), true, true,
        PrivacyRules.of("user_id", "session_id", "", System.getenv(KEY_ENV).getBytes(StandardCharsets.UTF_8), KEY_ENV));
    List<InteractionAnalyticsModel.Record> records = new ArrayList<>(GeneratedInput.records(GENERATOR, EVENTS));
    Collections.shuffle(records, new Random(5));
    IngestEtlModel.Result expected = IngestEtlModel.run(records, spec, Catalog.parse(catalog()).items);
    assertTrue(expected.filtered > 100, "events of other types are expected");
    assertTrue(expected.deadLetters.values().stream().anyMatch(r -> r.startsWith("enrich: ")), "catalog misses expected");
    assertTrue(expected.rows.values().stream().anyMatch(r -> r.getBoolean("device_filled")), "filled devices expected");

    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin(), r.payload())));
    PCollectionTuple out = p.apply("Records", Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(IngestEtl.batch(spec, Duration.standardMinutes(10),
            Catalog.asView(p.apply("Catalog", Create.of(List.of(catalog())).withCoder(ListCoder.of(StringUtf8Coder.of()))))));

    PAssert.that(out.get(IngestEtl.ROWS).apply("RowLines", MapElements.into(TypeDescriptors.strings()).via(Row::toString)))
        .containsInAnyOrder(expected.rows.values().stream().map(Row::toString).toArray(String[]::new));
    List<String> deadLetters = new ArrayList<>();
    expected.deadLetters.forEach((origin, reason) -> deadLetters.add(origin + " " + reason));
    PAssert.that(out.get(IngestEtl.DEAD_LETTERS).setCoder(DeadLetterCoder.of())
            .apply("DeadLetterLines", MapElements.into(TypeDescriptors.strings())
                .via((DeadLetter d) -> d.origin() + " " + d.stage() + ": " + d.reason())))
        .containsInAnyOrder(deadLetters);
    p.run().waitUntilFinish();
  }
}
