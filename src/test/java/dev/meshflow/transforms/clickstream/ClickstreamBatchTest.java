package dev.meshflow.transforms.clickstream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Clickstream} in batch against {@link ClickstreamModel}: shuffled clicks of 500 visits with
 * bots, logins that link identities, duplicates, late and malformed lines give exactly the model's
 * event rows, sessions, traffic, each identity's latest person, and dead letters. (Streaming:
 * ClickstreamStreamingTest; end to end with planted-truth quality: ClickstreamBackfillTest.)
 */
@ExtendWith(TestPipelineExtension.class)
public class ClickstreamBatchTest {
  private static final long EVENTS = 4_000;
  private static final String GENERATOR = "generator:clicks?events=" + EVENTS
      + "&seed=7&persons=150&duplicates=0.02&malformed=0.02&late=0.005";

  private static String[] lines(Map<String, Row> rows) {
    return rows.values().stream().map(Object::toString).toArray(String[]::new);
  }

  @Test
  public void batchTablesAndDeadLettersAreTheModels(TestPipeline p) {
    ClickGenerator g = (ClickGenerator) GeneratedInput.generator(GENERATOR);
    List<ClickstreamModel.Record> records = new ArrayList<>(GeneratedInput.records(GENERATOR, EVENTS, ClickstreamModel.Record::new));
    Collections.shuffle(records, new Random(13));
    String productsJson = g.productsJsonLines();
    ClickstreamModel.Result expected = ClickstreamModel.run(records, Products.parse(productsJson), new Clickstream.Settings());
    assertTrue(expected.identities.size() > 50 && !expected.deadLetters.isEmpty() && expected.duplicates > 0,
        "linked identities, dead letters and duplicates expected");
    assertTrue(expected.sessions.values().stream().anyMatch(s -> s.getBoolean("is_bot")), "bot sessions expected");

    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin, r.payload)));
    PCollectionView<Products> products = p.apply("Products", Create.of(productsJson))
        .apply("Parse", MapElements.into(TypeDescriptor.of(Products.class)).via(Products::parse))
        .setCoder(SerializableCoder.of(Products.class))
        .apply(View.asSingleton());
    PCollectionTuple out = p.apply("Clicks", Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(new Clickstream(new Clickstream.Settings(), products));

    PAssert.that(out.get(Clickstream.EVENTS_OUT).apply("EventLines",
        MapElements.into(TypeDescriptors.strings()).via(Object::toString))).containsInAnyOrder(lines(expected.events));
    PAssert.that(out.get(Clickstream.SESSIONS).apply("SessionLines",
        MapElements.into(TypeDescriptors.strings()).via(Object::toString))).containsInAnyOrder(lines(expected.sessions));
    PAssert.that(out.get(Clickstream.TRAFFIC).apply("TrafficLines",
        MapElements.into(TypeDescriptors.strings()).via(Object::toString))).containsInAnyOrder(lines(expected.traffic));
    ClickstreamAsserts.latestPersonsAre(out.get(Clickstream.IDENTITIES), expected.identities);
    List<String> deadLetters = new ArrayList<>();
    expected.deadLetters.forEach((origin, reason) -> deadLetters.add(origin + " " + reason));
    PAssert.that(out.get(Clickstream.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.origin() + " " + d.stage() + ": " + d.reason())))
        .containsInAnyOrder(deadLetters);
    p.run().waitUntilFinish();
  }
}
