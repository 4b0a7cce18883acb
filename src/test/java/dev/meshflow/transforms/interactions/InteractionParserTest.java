package dev.meshflow.transforms.interactions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class InteractionParserTest {
  private static final String VALID =
      "{\"event_id\":\"ev-1\",\"ts\":\"2026-03-07T23:50:01.250Z\",\"user_id\":\"user-1\","
          + "\"item_id\":\"song-001\",\"item_type\":\"song\",\"event_type\":\"play\","
          + "\"device\":\"ios\",\"session_id\":\"s-9\",\"duration_ms\":183000}";

  private static InteractionParser.Result parse(String json) {
    return InteractionParser.parse("test#1", json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertInvalid(String json, String reasonPart) {
    InteractionParser.Result r = parse(json);
    assertFalse(r.isValid(), "should be rejected: " + json);
    assertThat(r.error(), containsString(reasonPart));
  }

  private static String with(String field, String rawValue) {
    return VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\d+)", "\"" + field + "\":" + rawValue);
  }

  private static String without(String field) {
    return VALID.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|\\d+)", "").replace("{,", "{");
  }

  @Test
  public void acceptsTheDocumentedExample() {
    InteractionParser.Result r = parse(VALID);
    assertTrue(r.isValid(), r.error());
    InteractionEvent e = r.event();
    assertEquals("ev-1", e.eventId());
    assertEquals(java.time.Instant.parse("2026-03-07T23:50:01.250Z").toEpochMilli(), e.timestampMillis());
    assertEquals("user-1", e.userId());
    assertEquals("song-001", e.itemId());
    assertEquals("song", e.itemType());
    assertEquals("play", e.eventType());
    assertEquals("ios", e.device());
    assertEquals("s-9", e.sessionId());
    assertEquals(Long.valueOf(183000), e.durationMs());
    assertEquals("test#1", e.origin());
  }

  @Test
  public void optionalFieldsMayBeAbsentOrNullAndUnknownFieldsAreIgnored() {
    String minimal = without("device").replace(",\"session_id\":\"s-9\"", "")
        .replace(",\"duration_ms\":183000", "");
    InteractionParser.Result r = parse(minimal);
    assertTrue(r.isValid(), r.error());
    assertNull(r.event().device());
    assertNull(r.event().durationMs());
    assertTrue(parse(with("duration_ms", "null")).isValid());
    assertTrue(parse(VALID.replace("}", ",\"extra\":{\"nested\":[1,2,{\"x\":null}]}}")).isValid());
  }

  @Test
  public void acceptsOffsetTimestampsAsInstants() {
    InteractionParser.Result r = parse(with("ts", "\"2026-03-08T00:50:01.250+01:00\""));
    assertTrue(r.isValid(), r.error());
    assertEquals(java.time.Instant.parse("2026-03-07T23:50:01.250Z").toEpochMilli(),
        r.event().timestampMillis());
  }

  @Test
  public void requiresEveryRequiredField() {
    for (String field : new String[] {"event_id", "ts", "user_id", "item_id", "item_type", "event_type"}) {
      assertInvalid(without(field), "missing field " + field);
    }
  }

  @Test
  public void rejectsBadIdentifiers() {
    assertInvalid(with("event_id", "\"\""), "event_id is empty");
    assertInvalid(with("user_id", "\"" + "u".repeat(257) + "\""), "longer than 256");
    assertTrue(parse(with("user_id", "\"" + "u".repeat(256) + "\"")).isValid());
    // 256 characters outside the BMP are 512 UTF-16 units but still 256 characters.
    assertTrue(parse(with("user_id", "\"" + "\uD83C\uDFB5".repeat(256) + "\"")).isValid());
    assertInvalid(with("item_id", "42"), "item_id must be a string, not a whole number");
  }

  @Test
  public void rejectsValuesOutsideTheEnumerations() {
    assertInvalid(with("item_type", "\"video\""), "item_type 'video' is not one of podcast, song");
    assertInvalid(with("event_type", "\"pause\""), "event_type 'pause'");
    assertInvalid(with("event_type", "\"PLAY\""), "event_type 'PLAY'");
  }

  @Test
  public void durationMustBeANonNegativeWholeNumberThatFitsInALong() {
    assertInvalid(with("duration_ms", "12.5"), "not a number with a decimal point or an exponent");
    assertInvalid(with("duration_ms", "1e3"), "not a number with a decimal point or an exponent");
    assertInvalid(with("duration_ms", "\"1200\""), "not a string");
    assertInvalid(with("duration_ms", "9223372036854775808"), "larger than 2^63-1");
    assertInvalid(with("duration_ms", "-5"), "negative");
    InteractionParser.Result max = parse(with("duration_ms", "9223372036854775807"));
    assertTrue(max.isValid(), max.error());
    assertEquals(Long.valueOf(Long.MAX_VALUE), max.event().durationMs());
    assertTrue(parse(with("duration_ms", "0")).isValid());
  }

  @Test
  public void rejectsBadTimestamps() {
    assertInvalid(with("ts", "\"yesterday\""), "not an ISO-8601 instant");
    assertInvalid(with("ts", "\"2026-03-07 23:50:01\""), "not an ISO-8601 instant");
    assertInvalid(with("ts", "\"2026-03-07T23:50:01\""), "not an ISO-8601 instant");
    assertInvalid(with("ts", "1741391401250"), "ts must be a string");
    assertInvalid(with("ts", "\"+10000-01-01T00:00:00Z\""), "outside years");
  }

  @Test
  public void rejectsRecordsThatAreNotOneJsonObject() {
    assertInvalid("", "empty record");
    assertInvalid("   ", "empty record");
    assertInvalid("[1,2]", "not a JSON object");
    assertInvalid("\"text\"", "not a JSON object");
    assertInvalid("{\"event_id\":\"ev-1\",", "not valid JSON");
    assertInvalid(VALID + "{}", "content after the closing brace");
    assertInvalid(VALID.replace("\"user_id\":\"user-1\"", "\"user_id\":\"user-1\",\"user_id\":\"user-2\""),
        "duplicate field user_id");
  }

  @Test
  public void rejectsInvalidUtf8AndKeepsNothingBack() {
    byte[] bytes = VALID.getBytes(StandardCharsets.UTF_8);
    int at = VALID.indexOf("user-1");
    bytes[at] = (byte) 0xC3;
    bytes[at + 1] = (byte) 0x28;
    InteractionParser.Result r = InteractionParser.parse("test#2", bytes);
    assertFalse(r.isValid());
    assertEquals("not valid UTF-8", r.error());
    // Overlong encoding of '/', a lone surrogate, and a truncated sequence are all invalid.
    for (byte[] bad : new byte[][] {
        {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}}) {
      assertEquals("not valid UTF-8", InteractionParser.parse("x", bad).error());
    }
    assertTrue(parse(with("user_id", "\"Zoë 🎵\"")).isValid());
  }
}
