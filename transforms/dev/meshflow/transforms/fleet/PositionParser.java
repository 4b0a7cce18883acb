package dev.meshflow.transforms.fleet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Validates one position report: {@code vehicle_id} (1 to 256 characters), {@code ts} (ISO-8601
 * instant), {@code lat} in [-90, 90] and {@code lon} in [-180, 180] (numbers), and an optional
 * {@code speed_kmh} (a number from 0 to 1000, or null). Unknown fields are ignored. Plain Java:
 * the pipeline and the model share it.
 */
public final class PositionParser {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private PositionParser() {}

  /** Either a position (zone not yet known) or the reason the line is not one. */
  public static final class Result {
    public final VehiclePosition position;
    public final String error;

    private Result(VehiclePosition position, String error) {
      this.position = position;
      this.error = error;
    }
  }

  public static Result parse(String origin, byte[] payload) {
    String vehicle = null;
    String ts = null;
    Double lat = null;
    Double lon = null;
    Double speed = null;
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return invalid("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "vehicle_id":
            if (v != JsonToken.VALUE_STRING) {
              return invalid("vehicle_id must be a string");
            }
            vehicle = p.getText();
            break;
          case "ts":
            if (v != JsonToken.VALUE_STRING) {
              return invalid("ts must be a string");
            }
            ts = p.getText();
            break;
          case "lat":
          case "lon":
          case "speed_kmh":
            if (v == JsonToken.VALUE_NULL && name.equals("speed_kmh")) {
              break;
            }
            if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
              return invalid(name + " must be a number");
            }
            double d = p.getDoubleValue();
            if (name.equals("lat")) {
              lat = d;
            } else if (name.equals("lon")) {
              lon = d;
            } else {
              speed = d;
            }
            break;
          default:
            p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return invalid("not valid JSON: content after the object");
      }
    } catch (JsonProcessingException e) {
      return invalid("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return invalid("unreadable: " + e.getMessage());
    }
    if (vehicle == null || vehicle.isEmpty() || vehicle.length() > 256) {
      return invalid("vehicle_id is missing, empty or longer than 256 characters");
    }
    if (ts == null) {
      return invalid("ts is missing");
    }
    long millis;
    try {
      millis = Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(ts)).toEpochMilli();
    } catch (DateTimeParseException e) {
      return invalid("ts is not an ISO-8601 instant: " + ts);
    }
    if (lat == null || lon == null) {
      return invalid("lat and lon are required");
    }
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
      return invalid("lat/lon out of range: " + lat + "," + lon);
    }
    if (speed != null && !(speed >= 0 && speed <= 1000)) {
      return invalid("speed_kmh out of range 0..1000: " + speed);
    }
    return new Result(new VehiclePosition(vehicle, millis, lat, lon, speed, false, null, 0, null,
        origin, payload), null);
  }

  private static Result invalid(String why) {
    return new Result(null, why);
  }
}
