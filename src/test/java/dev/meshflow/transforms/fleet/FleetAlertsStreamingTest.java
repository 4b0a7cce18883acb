package dev.meshflow.transforms.fleet;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.io.generator.FleetWorld;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
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
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FleetAlerts#streaming} under a controlled watermark: reports out of order within the
 * ordering interval are put in order, a speeding run raises one alert, leaving the zone raises one
 * exit, and a report that arrives after its vehicle has been processed past it is a dead letter
 * with its payload, not lost. Everything on time matches the batch model exactly.
 */
@ExtendWith(TestPipelineExtension.class)
public class FleetAlertsStreamingTest {
  private static final long T0 = Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
  private static final String ZONES = new FleetWorld(3).geoJson();


  private static KV<String, byte[]> report(int second, boolean inside, Double speed) {
    String json = String.format(Locale.ROOT, "{\"vehicle_id\":\"v1\",\"ts\":\"%s\",\"lat\":52.01,\"lon\":%s%s}",
        Instant.ofEpochMilli(T0 + second * 1000L), inside ? "4.015" : "4.035",
        speed == null ? "" : ",\"speed_kmh\":" + speed);
    return KV.of("test#" + second, json.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampedValue<KV<String, byte[]>> at(KV<String, byte[]> r) {
    // A source stamps arrival time; the pipeline takes event time from the payload.
    return TimestampedValue.of(r, new org.joda.time.Instant(T0));
  }

  @Test
  public void ordersReportsRaisesOneAlertPerIncidentAndDeadLettersTheTooLate(TestPipeline p) {
    List<KV<String, byte[]>> onTime = new ArrayList<>();
    for (int s = 0; s <= 50; s += 10) {
      onTime.add(report(s, true, s == 40 ? null : 30.0)); // 40 s has no speed: filled with 30
    }
    for (int s = 60; s <= 120; s += 10) {
      onTime.add(report(s, true, 90.0)); // over the 50 km/h limit of zone-0 for a while
    }
    onTime.add(report(130, false, 30.0)); // leaves the zone
    onTime.add(report(140, false, 30.0)); // still outside: no second exit
    KV<String, byte[]> late = report(45, true, 30.0);

    TestStream.Builder<KV<String, byte[]>> stream = TestStream.create(
        KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())).advanceWatermarkTo(new org.joda.time.Instant(T0));
    // 0..50 s, with 20 s arriving after 30 s (out of order, but before the watermark passes them).
    for (int i : new int[] {0, 1, 3, 2, 4, 5}) {
      stream = stream.addElements(at(onTime.get(i)));
    }
    stream = stream.advanceWatermarkTo(new org.joda.time.Instant(T0 + 60_000));
    for (int i = 6; i < onTime.size(); i++) {
      stream = stream.addElements(at(onTime.get(i)));
    }
    stream = stream.advanceWatermarkTo(new org.joda.time.Instant(T0 + 200_000))
        .addElements(at(late)); // 45 s: v1 was processed up to 60 s long ago
    TestStream<KV<String, byte[]>> input = stream.advanceWatermarkToInfinity();

    PCollectionView<Zones> zones = p.apply("Zones", Create.of(ZONES))
        .apply("Parse", MapElements.into(org.apache.beam.sdk.values.TypeDescriptor.of(Zones.class)).via(Zones::parse))
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Zones.class))
        .apply(View.asSingleton());
    PCollectionTuple out = p.apply(input).apply(FleetAlerts.streaming(
        zones, Duration.standardMinutes(1), Duration.standardSeconds(10), Duration.standardSeconds(10)));

    List<FleetAlertsModel.Record> records = new ArrayList<>();
    onTime.forEach(r -> records.add(new FleetAlertsModel.Record(r.getKey(), r.getValue())));
    FleetAlertsModel.Result expected = FleetAlertsModel.run(records, Zones.parse(ZONES), 60_000, 10_000);
    // The scenario's own truth, so the model cannot agree with the pipeline by both being wrong.
    org.junit.jupiter.api.Assertions.assertEquals(List.of("GEOFENCE_EXIT", "SPEEDING"),
        expected.alerts.values().stream().map(r -> r.getString("alert_type")).sorted().collect(java.util.stream.Collectors.toList()));

    FleetAsserts.alertsAndStatsAreTheModels(out, expected);
    PAssert.that(out.get(FleetAlerts.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.stage() + " " + d.origin()
                + " " + new String(d.payload(), StandardCharsets.UTF_8))))
        .containsInAnyOrder("late test#45 " + new String(late.getValue(), StandardCharsets.UTF_8));
    p.run().waitUntilFinish();
  }
}
