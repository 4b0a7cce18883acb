package dev.meshflow.transforms.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Validates one JSON line against the interaction contract. Plain Java, no Beam: the pipeline and
 * the reference model share it, and its rules are unit-tested case by case.
 *
 * <p>Required: event_id, user_id, item_id (non-empty, at most 256 characters), ts (ISO-8601
 * instant), item_type (song|podcast), event_type (play|skip|like|playlist_add). Optional:
 * duration_ms (integer 0..2^63-1), device and session_id (strings). Unknown fields are ignored.
 */
public final class InteractionParser {
  public static final int MAX_ID_LENGTH = 256;
  public static final Set<String> ITEM_TYPES = Set.of("song", "podcast");
  public static final Set<String> EVENT_TYPES = Set.of("play", "skip", "like", "playlist_add");
  private static final long MIN_TS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
  private static final long MAX_TS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private InteractionParser() {}

  /** Either an event or the reason the line is not one. */
  public static final class Result {
    private final InteractionEvent event;
    private final String error;

    private Result(InteractionEvent event, String error) {
      this.event = event;
      this.error = error;
    }

    public boolean isValid() {
      return event != null;
    }

    public InteractionEvent event() {
      return event;
    }

    public String error() {
      return error;
    }
  }

  private static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public static Result parse(String origin, byte[] payload) {
    try {
      if (!Utf8.isValid(payload)) {
        throw new Invalid("not valid UTF-8");
      }
      return new Result(read(origin, payload), null);
    } catch (Invalid e) {
      return new Result(null, e.getMessage());
    }
  }

  private static InteractionEvent read(String origin, byte[] payload) throws Invalid {
    String eventId = null, ts = null, userId = null, itemId = null, itemType = null;
    String eventType = null, device = null, sessionId = null;
    Long duration = null;
    int seen = 0;
    try (JsonParser p = JSON.createParser(payload)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new Invalid("empty record");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new Invalid("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        int bit = fieldBit(name);
        if (bit != 0) {
          if ((seen & bit) != 0) {
            throw new Invalid("duplicate field " + name);
          }
          seen |= bit;
        }
        switch (name) {
          case "event_id":
            eventId = id(name, v, p);
            break;
          case "user_id":
            userId = id(name, v, p);
            break;
          case "item_id":
            itemId = id(name, v, p);
            break;
          case "ts":
            ts = requiredString(name, v, p);
            break;
          case "item_type":
            itemType = oneOf(name, requiredString(name, v, p), ITEM_TYPES);
            break;
          case "event_type":
            eventType = oneOf(name, requiredString(name, v, p), EVENT_TYPES);
            break;
          case "device":
            device = optionalString(name, v, p);
            break;
          case "session_id":
            sessionId = optionalString(name, v, p);
            break;
          case "duration_ms":
            duration = duration(v, p);
            break;
          default:
            p.skipChildren(); // unknown fields are ignored
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new Invalid("not valid JSON: unexpected " + t);
      }
      if (p.nextToken() != null) {
        throw new Invalid("not valid JSON: content after the closing brace");
      }
    } catch (JsonProcessingException e) {
      throw new Invalid("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Invalid("unreadable: " + e.getMessage());
    }
    require("event_id", eventId);
    require("ts", ts);
    require("user_id", userId);
    require("item_id", itemId);
    require("item_type", itemType);
    require("event_type", eventType);
    return new InteractionEvent(
        eventId, instant(ts), userId, itemId, itemType, eventType, device, sessionId, duration,
        origin, payload);
  }

  private static int fieldBit(String name) {
    switch (name) {
      case "event_id": return 1;
      case "ts": return 2;
      case "user_id": return 4;
      case "item_id": return 8;
      case "item_type": return 16;
      case "event_type": return 32;
      case "device": return 64;
      case "session_id": return 128;
      case "duration_ms": return 256;
      default: return 0;
    }
  }

  private static void require(String name, Object value) throws Invalid {
    if (value == null) {
      throw new Invalid("missing field " + name);
    }
  }

  private static String requiredString(String name, JsonToken v, JsonParser p)
      throws Invalid, IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw new Invalid(name + " must be a string, not " + describe(v));
    }
    return p.getText();
  }

  private static String id(String name, JsonToken v, JsonParser p) throws Invalid, IOException {
    String s = requiredString(name, v, p);
    if (s.isEmpty()) {
      throw new Invalid(name + " is empty");
    }
    if (s.length() > MAX_ID_LENGTH && s.codePointCount(0, s.length()) > MAX_ID_LENGTH) {
      throw new Invalid(name + " is longer than " + MAX_ID_LENGTH + " characters");
    }
    return s;
  }

  private static String optionalString(String name, JsonToken v, JsonParser p)
      throws Invalid, IOException {
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    return requiredString(name, v, p);
  }

  private static String oneOf(String name, String value, Set<String> allowed) throws Invalid {
    if (!allowed.contains(value)) {
      throw new Invalid(name + " '" + abbreviate(value) + "' is not one of "
          + String.join(", ", new java.util.TreeSet<>(allowed)));
    }
    return value;
  }

  private static Long duration(JsonToken v, JsonParser p) throws Invalid, IOException {
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw new Invalid("duration_ms must be a whole number, not " + describe(v));
    }
    JsonParser.NumberType type = p.getNumberType();
    if (type == JsonParser.NumberType.BIG_INTEGER) {
      throw new Invalid("duration_ms is larger than 2^63-1");
    }
    long value = p.getLongValue();
    if (value < 0) {
      throw new Invalid("duration_ms is negative");
    }
    return value;
  }

  private static long instant(String ts) throws Invalid {
    long millis = IsoInstants.simpleUtcMillis(ts); // within years 0001 to 9999 by construction
    if (millis != IsoInstants.NOT_SIMPLE) {
      return millis;
    }
    try {
      millis = DateTimeFormatter.ISO_INSTANT.parse(ts, Instant::from).toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new Invalid("ts '" + abbreviate(ts) + "' is not an ISO-8601 instant");
    }
    if (millis < MIN_TS || millis > MAX_TS) {
      throw new Invalid("ts '" + ts + "' is outside years 0001 to 9999");
    }
    return millis;
  }

  private static String describe(JsonToken t) {
    switch (t) {
      case VALUE_STRING: return "a string";
      case VALUE_NUMBER_INT: return "a whole number";
      // 1e3 is a float token too; "a fraction" misled for it.
      case VALUE_NUMBER_FLOAT: return "a number with a decimal point or an exponent";
      case VALUE_TRUE:
      case VALUE_FALSE: return "a boolean";
      case VALUE_NULL: return "null";
      case START_OBJECT: return "an object";
      case START_ARRAY: return "an array";
      default: return t.toString();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
