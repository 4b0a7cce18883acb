package dev.meshflow.transforms.clickstream;

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
 * Validates one clickstream event: {@code event_id}, {@code ts} (ISO-8601 instant),
 * {@code cookie_id}, {@code ip}, {@code page} and {@code action} (one of {@link #ACTIONS}) are
 * required; {@code device_id}, {@code user_id}, {@code user_agent}, {@code product_id},
 * {@code price} (a number from 0 to 1,000,000), {@code referrer} and {@code search_text} are
 * optional. Unknown fields are ignored. The privacy step is applied here, so nothing downstream
 * sees a full IP or an e-mail address. Plain Java: the pipeline and the model share it.
 */
public final class ClickParser {
  public static final Set<String> ACTIONS = Set.of("view", "search", "click", "add_to_cart", "purchase");
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private ClickParser() {}

  /** Either an event or the reason the line is not one. */
  public static final class Result {
    public final ClickEvent event;
    public final String error;

    private Result(ClickEvent event, String error) {
      this.event = event;
      this.error = error;
    }
  }

  public static Result parse(String origin, byte[] payload, ClickPrivacy privacy) {
    String[] text = new String[11]; // event_id ts cookie device user ip ua page action product referrer
    String search = null;
    Double price = null;
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return invalid("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        int slot = slot(name);
        if (slot >= 0 || name.equals("search_text")) {
          if (v == JsonToken.VALUE_NULL) {
            continue;
          }
          if (v != JsonToken.VALUE_STRING) {
            return invalid(name + " must be a string");
          }
          if (slot >= 0) {
            text[slot] = p.getText();
          } else {
            search = p.getText();
          }
        } else if (name.equals("price")) {
          if (v == JsonToken.VALUE_NULL) {
            continue;
          }
          if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            return invalid("price must be a number");
          }
          price = p.getDoubleValue();
        } else {
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
    String[] required = {"event_id", "ts", "cookie_id", null, null, "ip", null, "page", "action"};
    for (int i = 0; i < required.length; i++) {
      if (required[i] != null && (text[i] == null || text[i].isEmpty())) {
        return invalid(required[i] + " is missing or empty");
      }
    }
    for (int i = 0; i < text.length; i++) {
      if (text[i] != null && text[i].length() > 2048) {
        return invalid("a text field is longer than 2048 characters");
      }
    }
    long millis;
    try {
      millis = Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text[1])).toEpochMilli();
    } catch (DateTimeParseException e) {
      return invalid("ts is not an ISO-8601 instant: " + text[1]);
    }
    if (!ACTIONS.contains(text[8])) {
      // Sorted: a Set.of's order changes from one JVM to the next, and so did this reason.
      return invalid("action '" + text[8] + "' is not one of "
          + String.join(", ", new java.util.TreeSet<>(ACTIONS)));
    }
    if (price != null && !(price >= 0 && price <= 1_000_000)) {
      return invalid("price out of range 0..1000000: " + price);
    }
    String ip = text[5];
    return new Result(new ClickEvent(text[0], millis, text[2], empty(text[3]), empty(text[4]),
        privacy.ip(ip), IpCountries.of(ip), text[6] == null ? "" : text[6], text[7], text[8],
        empty(text[9]), price == null ? null : Math.round(price * 100), empty(text[10]),
        ClickPrivacy.scrub(search), null, null, origin, payload), null);
  }

  private static int slot(String name) {
    switch (name) {
      case "event_id": return 0;
      case "ts": return 1;
      case "cookie_id": return 2;
      case "device_id": return 3;
      case "user_id": return 4;
      case "ip": return 5;
      case "user_agent": return 6;
      case "page": return 7;
      case "action": return 8;
      case "product_id": return 9;
      case "referrer": return 10;
      default: return -1;
    }
  }

  private static String empty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static Result invalid(String why) {
    return new Result(null, why);
  }
}
