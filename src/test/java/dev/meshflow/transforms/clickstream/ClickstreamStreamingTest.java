package dev.meshflow.transforms.clickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Clickstream} in streaming under a controlled watermark: two sessions of a cookie merge
 * when an event arriving out of order bridges their gap; a login links the cookie and, through the
 * user, another cookie and a device; a re-sent event is dropped; an event arriving after its cookie
 * was processed past it is a dead letter with its payload. Everything on time matches the batch
 * model, and the scenario's own truth is checked too, so both cannot agree by both being wrong.
 */
@ExtendWith(TestPipelineExtension.class)
public class ClickstreamStreamingTest {
  private static final long T0 = Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
  private static final String PRODUCTS = "{\"product_id\":\"sku-1\",\"category\":\"vinyl\",\"price\":25.00}\n";


  private static KV<String, byte[]> click(String id, int minute, String cookie, String extra) {
    String json = "{\"event_id\":\"" + id + "\",\"ts\":\"" + Instant.ofEpochMilli(T0 + minute * 60_000L)
        + "\",\"cookie_id\":\"" + cookie + "\",\"ip\":\"31.20.30.40\",\"user_agent\":\"Mozilla/5.0\""
        + ",\"page\":\"/cart\",\"action\":\"add_to_cart\",\"product_id\":\"sku-1\"" + extra + "}";
    return KV.of("test#" + id, json.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampedValue<KV<String, byte[]>> arriving(KV<String, byte[]> r) {
    return TimestampedValue.of(r, new org.joda.time.Instant(T0)); // arrival time; event time is in the payload
  }

  @Test
  public void bridgedSessionsMergeLoginsStitchAndTooLateEventsAreDeadLetters(TestPipeline p) {
    KV<String, byte[]> first = click("a0", 0, "cA", "");
    KV<String, byte[]> last = click("a40", 40, "cA", ",\"search_text\":\"call +31 6 1234 5678\"");
    KV<String, byte[]> bridge = click("a20", 20, "cA", ",\"user_id\":\"u-1\"");
    KV<String, byte[]> otherCookie = click("b5", 5, "cB", ",\"user_id\":\"u-1\",\"device_id\":\"dX\"");
    KV<String, byte[]> resent = click("a40", 40, "cA", ",\"search_text\":\"call +31 6 1234 5678\"");
    KV<String, byte[]> late = click("a10", 10, "cA", "");

    TestStream<KV<String, byte[]>> input = TestStream.create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(new org.joda.time.Instant(T0))
        .addElements(arriving(first), arriving(last), arriving(otherCookie))
        .addElements(arriving(bridge), arriving(resent)) // out of order, before the watermark passes them
        .advanceWatermarkTo(new org.joda.time.Instant(T0 + 3 * 3_600_000L))
        .addElements(arriving(late)) // cA was processed up to 40 min long ago
        .advanceWatermarkToInfinity();

    Clickstream.Settings settings = new Clickstream.Settings();
    settings.flushEvery = Duration.standardSeconds(10);
    settings.anonymityK = 1;
    PCollectionView<Products> products = p.apply("Products", Create.of(PRODUCTS))
        .apply("Parse", MapElements.into(TypeDescriptor.of(Products.class)).via(Products::parse))
        .setCoder(SerializableCoder.of(Products.class))
        .apply(View.asSingleton());
    PCollectionTuple out = p.apply(input).apply(new Clickstream(settings, products));

    List<ClickstreamModel.Record> onTime = new ArrayList<>();
    for (KV<String, byte[]> r : List.of(first, last, otherCookie, bridge, resent)) {
      onTime.add(new ClickstreamModel.Record(r.getKey(), r.getValue()));
    }
    Clickstream.Settings batch = new Clickstream.Settings();
    batch.anonymityK = 1;
    ClickstreamModel.Result expected = ClickstreamModel.run(onTime, Products.parse(PRODUCTS), batch);
    // The scenario's own truth: one merged session for cA whose last events know the person.
    List<String> sessions = new ArrayList<>();
    expected.sessions.values().forEach(s -> sessions.add(s.getString("session_id") + " " + s.getInt64("events")
        + " " + s.getString("person_id") + " " + s.getInt64("revenue_cents")));
    assertEquals(List.of("cA@2026-03-07T23:00:00Z 3 person:u-1 0", "cB@2026-03-07T23:05:00Z 1 person:u-1 0"), sessions);
    assertEquals(Map.of("cookie:cA", "person:u-1", "cookie:cB", "person:u-1", "device:dX", "person:u-1",
        "user:u-1", "person:u-1"), expected.identities);
    assertEquals(1, expected.duplicates);

    PAssert.that(out.get(Clickstream.SESSIONS).apply("SessionLines",
            MapElements.into(TypeDescriptors.strings()).via(Object::toString)))
        .containsInAnyOrder(expected.sessions.values().stream().map(Object::toString).toArray(String[]::new));
    PAssert.that(out.get(Clickstream.TRAFFIC).apply("TrafficLines",
            MapElements.into(TypeDescriptors.strings()).via(Object::toString)))
        .containsInAnyOrder(expected.traffic.values().stream().map(Object::toString).toArray(String[]::new));
    ClickstreamAsserts.latestPersonsAre(out.get(Clickstream.IDENTITIES), expected.identities);
    PAssert.that(out.get(Clickstream.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.stage() + " " + d.origin()
                + " " + new String(d.payload(), StandardCharsets.UTF_8))))
        .containsInAnyOrder("late test#a10 " + new String(late.getValue(), StandardCharsets.UTF_8));
    p.run().waitUntilFinish();
  }
}
