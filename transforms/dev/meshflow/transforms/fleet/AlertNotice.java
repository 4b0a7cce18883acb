package dev.meshflow.transforms.fleet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One alert read back from the alerts stream: the fields the notifier needs, and the line itself,
 * which is what gets delivered.
 */
public final class AlertNotice implements Serializable {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  public final String alertId;
  public final String alertType;
  public final String vehicleId;
  public final long tsMillis;
  public final String origin;
  public final byte[] payload;

  public AlertNotice(String alertId, String alertType, String vehicleId, long tsMillis, String origin,
      byte[] payload) {
    this.alertId = alertId;
    this.alertType = alertType;
    this.vehicleId = vehicleId;
    this.tsMillis = tsMillis;
    this.origin = origin;
    this.payload = payload;
  }

  /** The notice, or an IllegalArgumentException that says why the line is not an alert. */
  public static AlertNotice parse(String origin, byte[] line) {
    String id = null;
    String type = null;
    String vehicle = null;
    String ts = null;
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        String text = v == JsonToken.VALUE_STRING ? p.getText() : null;
        switch (name) {
          case "alert_id":
            id = text;
            break;
          case "alert_type":
            type = text;
            break;
          case "vehicle_id":
            vehicle = text;
            break;
          case "alert_ts":
            ts = text;
            break;
          default:
            p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
    }
    if (id == null || type == null || vehicle == null || ts == null) {
      throw new IllegalArgumentException("an alert needs alert_id, alert_type, vehicle_id and alert_ts strings");
    }
    try {
      return new AlertNotice(id, type, vehicle, Instant.parse(ts).toEpochMilli(), origin, line);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("alert_ts is not an ISO-8601 instant: " + ts);
    }
  }
}
