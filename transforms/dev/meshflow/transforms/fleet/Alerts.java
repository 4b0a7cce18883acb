package dev.meshflow.transforms.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;

/** The {@code alerts} table and stream: one row per alert, with the evidence as JSON. */
public final class Alerts {
  public static final String TABLE = "alerts";
  public static final List<String> KEY = List.of("alert_id");
  public static final String SPEEDING = "SPEEDING";
  public static final String GEOFENCE_EXIT = "GEOFENCE_EXIT";

  public static final Schema SCHEMA = Schema.builder()
      .addStringField("alert_id")
      .addStringField("alert_type")
      .addStringField("vehicle_id")
      .addDateTimeField("alert_ts")
      .addStringField("zone_id")
      .addNullableField("speed_limit_kmh", FieldType.INT32)
      .addNullableField("avg_speed_kmh", FieldType.DOUBLE)
      .addNullableField("window_start", FieldType.DATETIME)
      .addNullableField("window_end", FieldType.DATETIME)
      .addStringField("evidence")
      .build();

  private Alerts() {}

  static Row speeding(WindowSpeed w) {
    // Raised when the window closes: its end is when the evidence was complete.
    long at = w.windowEndMillis;
    String evidence = String.format(Locale.ROOT,
        "{\"avg_speed_kmh\":%.2f,\"limit_kmh\":%d,\"points\":%d,\"window\":[\"%s\",\"%s\"],\"last_position\":[%.6f,%.6f]}",
        w.avgKmh, w.limitKmh, w.points, Instant.ofEpochMilli(w.windowStartMillis),
        Instant.ofEpochMilli(w.windowEndMillis), w.lastLat, w.lastLon);
    return Row.withSchema(SCHEMA).attachValues(id(SPEEDING, w.vehicleId, at), SPEEDING, w.vehicleId,
        new org.joda.time.Instant(at), w.zoneId, w.limitKmh, round2(w.avgKmh),
        new org.joda.time.Instant(w.windowStartMillis), new org.joda.time.Instant(w.windowEndMillis),
        evidence);
  }

  /** For a tracked position that marks an exit; null otherwise. */
  public static Row geofenceExit(VehiclePosition p) {
    if (p.exitedZoneId == null) {
      return null;
    }
    String evidence = String.format(Locale.ROOT,
        "{\"left_zone\":\"%s\",\"first_outside\":{\"ts\":\"%s\",\"lat\":%.6f,\"lon\":%.6f,\"speed_kmh\":%s}}",
        p.exitedZoneId, Instant.ofEpochMilli(p.tsMillis), p.lat, p.lon, p.speedKmh);
    return Row.withSchema(SCHEMA).attachValues(id(GEOFENCE_EXIT, p.vehicleId, p.tsMillis), GEOFENCE_EXIT,
        p.vehicleId, new org.joda.time.Instant(p.tsMillis), p.exitedZoneId, null, null, null, null, evidence);
  }

  /** Deterministic, so a replay upserts the same alert instead of adding one. */
  static String id(String type, String vehicle, long tsMillis) {
    return type + "|" + vehicle + "|" + Instant.ofEpochMilli(tsMillis);
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
