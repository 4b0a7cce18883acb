package dev.meshflow.transforms.fleet;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** The {@code notifications} table: what the notifier did with each alert. */
public final class Notifications {
  public static final String TABLE = "notifications";
  public static final List<String> KEY = List.of("alert_id");
  public static final String SENT = "sent";
  public static final String LOGGED = "logged";
  public static final String SUPPRESSED = "suppressed";

  public static final Schema SCHEMA = Schema.builder()
      .addStringField("alert_id")
      .addStringField("vehicle_id")
      .addStringField("alert_type")
      .addDateTimeField("alert_ts")
      .addStringField("status")
      .addInt32Field("attempts")
      .addNullableField("http_status", FieldType.INT32)
      .build();

  private Notifications() {}

  public static Row of(AlertNotice n, String status, int attempts, Integer httpStatus) {
    return Row.withSchema(SCHEMA).attachValues(n.alertId, n.vehicleId, n.alertType,
        new Instant(n.tsMillis), status, attempts, httpStatus);
  }
}
