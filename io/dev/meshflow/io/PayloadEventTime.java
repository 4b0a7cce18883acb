package dev.meshflow.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.joda.time.Instant;

/**
 * The event time a stream source's watermark follows: the payload's top-level {@code ts}. Only
 * this field is read; validating the record is the parser's job downstream.
 */
public final class PayloadEventTime {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private PayloadEventTime() {}

  /** The top-level {@code ts} string of a JSON object, or null. */
  public static Instant of(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return null;
    }
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("ts")) {
          return value == JsonToken.VALUE_STRING
              ? new Instant(java.time.Instant.parse(p.getText()).toEpochMilli()) : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (Exception malformed) {
      return null;
    }
  }

  private static final class BoundedWindowMin {
    static final Instant VALUE = org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE;
  }
}
