package dev.meshflow.transforms.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scoring path ({@link Clickstream} sessions into {@link ScoreSessions}) in streaming under a
 * controlled watermark, against a hand-made model whose only normal is a one-event session. A
 * cookie's two one-event sessions are normal, but an event arriving out of order bridges them
 * into one long three-event session, which is the anomaly; an event arriving after the watermark
 * passed it is a dead letter and changes no score. The result equals {@link AnomalyModel} on the
 * on-time events, and the scenario's own truth.
 */
@ExtendWith(TestPipelineExtension.class)
public class AnomalyScoringStreamingTest {
  private static final long T0 = Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
  private static final String PRODUCTS = "{\"product_id\":\"sku-1\",\"category\":\"vinyl\",\"price\":25.00}\n";


  private static KV<String, byte[]> click(String id, int minute, String cookie) {
    String json = "{\"event_id\":\"" + id + "\",\"ts\":\"" + Instant.ofEpochMilli(T0 + minute * 60_000L)
        + "\",\"cookie_id\":\"" + cookie + "\",\"ip\":\"31.20.30.40\",\"user_agent\":\"Mozilla/5.0\""
        + ",\"page\":\"/cart\",\"action\":\"add_to_cart\",\"product_id\":\"sku-1\"}";
    return KV.of("test#" + id, json.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampedValue<KV<String, byte[]>> arriving(KV<String, byte[]> r) {
    return TimestampedValue.of(r, new org.joda.time.Instant(T0)); // arrival; event time is in the payload
  }

  /** One cluster: a one-event session. Only the event count and the duration matter to it. */
  static KMeansModel oneEventSessionsAreNormal() {
    int dims = SessionFeatures.NAMES.size();
    double[] mean = new double[dims];
    double[] scale = new double[dims];
    double[] centroid = new double[dims];
    double[] spread = new double[dims];
    java.util.Arrays.fill(scale, 1);
    java.util.Arrays.fill(spread, 1e6); // ignore the rest
    centroid[0] = 1; // events
    spread[0] = 1;
    spread[1] = 1; // sqrt_minutes, centered at 0
    return new KMeansModel(T0 - 7_200_000L, T0 - 3_600_000L, 100, 0.998, mean, scale,
        new double[][] {centroid}, new double[][] {spread}, new double[] {3.0}, new long[] {100}, 0);
  }

  private static String render(Row r) {
    return r.getString("session_id") + " " + r.getString("model_id") + " " + r.getInt32("nearest_cluster")
        + " " + Math.round(r.getDouble("score") * 1000);
  }

  @Test
  public void aBridgingEventMakesTheAnomalyAndATooLateOneChangesNothing(TestPipeline p) {
    KV<String, byte[]> first = click("a0", 0, "cA");
    KV<String, byte[]> last = click("a40", 40, "cA");
    KV<String, byte[]> bridge = click("a20", 20, "cA");
    KV<String, byte[]> other = click("b5", 5, "cB");
    KV<String, byte[]> late = click("a30", 30, "cA");
    TestStream<KV<String, byte[]>> input = TestStream.create(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .advanceWatermarkTo(new org.joda.time.Instant(T0))
        .addElements(arriving(first), arriving(last), arriving(other))
        .addElements(arriving(bridge)) // out of order, before the watermark passes it
        .advanceWatermarkTo(new org.joda.time.Instant(T0 + 3 * 3_600_000L))
        .addElements(arriving(late)) // cA's sessions were scored long ago
        .advanceWatermarkToInfinity();

    KMeansModel model = oneEventSessionsAreNormal();
    Clickstream.Settings settings = new Clickstream.Settings();
    settings.flushEvery = Duration.standardSeconds(10);
    PCollectionView<Products> products = p.apply("Products", Create.of(PRODUCTS))
        .apply("Parse", MapElements.into(TypeDescriptor.of(Products.class)).via(Products::parse))
        .setCoder(SerializableCoder.of(Products.class))
        .apply("ProductsView", View.asSingleton());
    PCollectionView<ModelHistory> models = p.apply("Models", Create.of(ModelHistory.of(List.of(model)))
            .withCoder(SerializableCoder.of(ModelHistory.class)))
        .apply("ModelsView", View.asSingleton());
    PCollectionTuple clicks = p.apply(input).apply(new Clickstream(settings, products));
    PCollection<Row> anomalies = clicks.get(Clickstream.SESSIONS).apply(new ScoreSessions(models));

    List<ClickstreamModel.Record> onTime = new ArrayList<>();
    for (KV<String, byte[]> r : List.of(first, last, other, bridge)) {
      onTime.add(new ClickstreamModel.Record(r.getKey(), r.getValue()));
    }
    AnomalyModel.Scored expected = AnomalyModel.score(
        ClickstreamModel.run(onTime, Products.parse(PRODUCTS), new Clickstream.Settings()).sessions.values(),
        List.of(model));
    List<String> expectedLines = new ArrayList<>();
    expected.anomalies.values().forEach(r -> expectedLines.add(render(r)));
    // The scenario's own truth: cA's bridged session (3 events over 40 min) is the one anomaly,
    // sqrt((3 - 1)^2 + sqrt(40)^2) = 6.63 from the normal, 2.21 times the threshold of 3.
    assertEquals(List.of("cA@2026-03-07T23:00:00Z " + model.id + " 0 2211"), expectedLines);
    assertEquals(2, expected.scored);

    PAssert.that(anomalies.apply("AnomalyLines", MapElements.into(TypeDescriptors.strings())
            .via(AnomalyScoringStreamingTest::render)))
        .containsInAnyOrder(expectedLines);
    PAssert.that(clicks.get(Clickstream.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.stage() + " " + d.origin())))
        .containsInAnyOrder("late test#a30");
    p.run().waitUntilFinish();
  }
}
