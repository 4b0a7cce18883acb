package dev.meshflow.transforms.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.DeadLetter;
import dev.meshflow.core.DeadLetterCoder;
import dev.meshflow.io.generator.VehicleGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FleetAlerts} in batch against {@link FleetAlertsModel}: an hour of shuffled reports from
 * ten vehicles with planted speeding and geofence exits, duplicates, missing speeds and malformed
 * lines gives exactly the model's minute statistics, alerts with their evidence, and dead letters.
 * (Streaming under a moving watermark: FleetAlertsStreamingTest; end to end: FleetAlertsTest in
 * pipelines.fleet.)
 */
@ExtendWith(TestPipelineExtension.class)
public class FleetAlertsBatchTest {
  private static final long EVENTS = 10 * 360L; // ten vehicles, an hour of reports every 10 s
  private static final String GENERATOR = "generator:vehicles?vehicles=10&events=" + EVENTS
      + "&seed=7&duplicates=0.02&malformed=0.02&missingSpeed=0.05";

  @Test
  public void batchStatsAlertsAndDeadLettersAreTheModels(TestPipeline p) {
    VehicleGenerator g = (VehicleGenerator) GeneratedInput.generator(GENERATOR);
    List<FleetAlertsModel.Record> records = new ArrayList<>(GeneratedInput.records(GENERATOR, EVENTS, FleetAlertsModel.Record::new));
    Collections.shuffle(records, new Random(9));
    String zonesJson = g.world().geoJson();
    FleetAlertsModel.Result expected = FleetAlertsModel.run(records, Zones.parse(zonesJson), 60_000, 10_000);
    assertTrue(expected.alerts.size() >= 4 && !expected.deadLetters.isEmpty(), "alerts and dead letters expected");

    List<KV<String, byte[]>> input = new ArrayList<>();
    records.forEach(r -> input.add(KV.of(r.origin, r.payload)));
    PCollectionView<Zones> zones = p.apply("Zones", Create.of(zonesJson))
        .apply("Parse", MapElements.into(TypeDescriptor.of(Zones.class)).via(Zones::parse))
        .setCoder(SerializableCoder.of(Zones.class))
        .apply(View.asSingleton());
    PCollectionTuple out = p.apply("Reports", Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(FleetAlerts.batch(zones, Duration.standardMinutes(1), Duration.standardSeconds(10)));

    FleetAsserts.alertsAndStatsAreTheModels(out, expected);
    List<String> deadLetters = new ArrayList<>();
    expected.deadLetters.forEach((origin, reason) -> deadLetters.add(origin + " " + reason));
    PAssert.that(out.get(FleetAlerts.DEAD_LETTERS).setCoder(DeadLetterCoder.of()).apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.origin() + " " + d.stage() + ": " + d.reason())))
        .containsInAnyOrder(deadLetters);
    p.run().waitUntilFinish();
  }
}
