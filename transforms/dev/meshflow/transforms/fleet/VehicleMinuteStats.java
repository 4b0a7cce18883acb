package dev.meshflow.transforms.fleet;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** The {@code vehicle_minute_stats} table: per vehicle per minute, how many points and how fast. */
public final class VehicleMinuteStats {
  public static final String TABLE = "vehicle_minute_stats";
  public static final List<String> KEY = List.of("window_start", "vehicle_id");
  public static final Schema SCHEMA = Schema.builder()
      .addDateTimeField("window_start")
      .addStringField("vehicle_id")
      .addInt64Field("points")
      .addNullableField("avg_speed_kmh", FieldType.DOUBLE)
      .addNullableField("max_speed_kmh", FieldType.DOUBLE)
      .addInt64Field("filled_points")
      .addInt64Field("outside_points")
      .build();

  private VehicleMinuteStats() {}

  public static Row toRow(String vehicleId, long windowStartMillis, SpeedStats s) {
    Double avg = s.average();
    return Row.withSchema(SCHEMA).attachValues(new Instant(windowStartMillis), vehicleId, s.points,
        avg == null ? null : Alerts.round2(avg), s.speedPoints == 0 ? null : s.speedMax, s.filled, s.outside);
  }
}
