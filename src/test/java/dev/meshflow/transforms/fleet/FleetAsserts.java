package dev.meshflow.transforms.fleet;

import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/** The checks every FleetAlerts model test makes: alerts with their evidence, and minute stats. */
final class FleetAsserts {
  private FleetAsserts() {}

  private static String alertLine(Row r) {
    return r.getString("alert_id") + " " + r.getString("evidence");
  }

  static void alertsAndStatsAreTheModels(PCollectionTuple out, FleetAlertsModel.Result expected) {
    PAssert.that(out.get(FleetAlerts.ALERTS).apply("AlertLines",
            MapElements.into(TypeDescriptors.strings()).via(FleetAsserts::alertLine)))
        .containsInAnyOrder(expected.alerts.values().stream().map(FleetAsserts::alertLine).toArray(String[]::new));
    PAssert.that(out.get(FleetAlerts.MINUTE_STATS).apply("StatLines",
            MapElements.into(TypeDescriptors.strings()).via(Object::toString)))
        .containsInAnyOrder(expected.minuteStats.values().stream().map(Object::toString).toArray(String[]::new));
  }
}
