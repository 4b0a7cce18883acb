package dev.meshflow.transforms.interactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path agrees with {@code DateTimeFormatter.ISO_INSTANT} on every text it accepts, and it
 * accepts the shapes producers send. Candidates are random timestamps in every year, fraction length
 * and calendar corner, mutated one character at a time.
 */
public class IsoInstantsTest {
  @Test
  public void agreesWithTheJdkOnEveryTextItAccepts() {
    SplittableRandom r = new SplittableRandom(7);
    int accepted = 0;
    for (int i = 0; i < 300_000; i++) {
      String text = candidate(r);
      if (r.nextInt(3) == 0) {
        text = mutate(text, r);
      }
      long fast = IsoInstants.simpleUtcMillis(text);
      Long jdk = jdk(text);
      if (fast != IsoInstants.NOT_SIMPLE) {
        accepted++;
        assertEquals(jdk, Long.valueOf(fast), text);
      }
    }
    assertNotEquals(0, accepted, "the fast path must take most candidates");
    assertEquals(true, accepted > 150_000, "most candidates are simple");
  }

  @Test
  public void takesTheUsualShapesAndLeavesTheRestToTheGeneralParser() {
    assertEquals(Instant.parse("2026-03-07T20:00:00Z").toEpochMilli(), IsoInstants.simpleUtcMillis("2026-03-07T20:00:00Z"));
    assertEquals(Instant.parse("2024-02-29T23:59:59.5Z").toEpochMilli(), IsoInstants.simpleUtcMillis("2024-02-29T23:59:59.5Z"));
    assertEquals(Instant.parse("0001-01-01T00:00:00.123456789Z").toEpochMilli(),
        IsoInstants.simpleUtcMillis("0001-01-01T00:00:00.123456789Z"));
    assertEquals(Instant.parse("1969-12-31T23:59:59.999Z").toEpochMilli(), IsoInstants.simpleUtcMillis("1969-12-31T23:59:59.999Z"));
    for (String other : new String[] {"2023-02-29T00:00:00Z", "2026-03-07T20:00:00+01:00", "2026-03-07T23:59:60Z",
        "0000-01-01T00:00:00Z", "2026-03-07T20:00:00.Z", "2026-03-07 20:00:00Z", "2026-03-07T20:00:00.1234567890Z",
        "+2026-03-07T20:00:00Z", "2026-3-07T20:00:00Z"}) {
      assertEquals(IsoInstants.NOT_SIMPLE, IsoInstants.simpleUtcMillis(other), other);
    }
  }

  private static Long jdk(String text) {
    try {
      return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from).toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static String candidate(SplittableRandom r) {
    int year = r.nextInt(4) == 0 ? r.nextInt(1, 10_000) : r.nextInt(1960, 2100);
    int month = r.nextInt(1, 13);
    int day = r.nextInt(1, r.nextInt(10) == 0 ? 32 : 29); // sometimes past the month's end
    StringBuilder s = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
        r.nextInt(24), r.nextInt(60), r.nextInt(60)));
    int fraction = r.nextInt(11) - 1; // -1: none; 0: a bare dot; up to 9 digits
    if (fraction >= 0) {
      s.append('.');
      for (int i = 0; i < fraction; i++) {
        s.append((char) ('0' + r.nextInt(10)));
      }
    }
    return s.append('Z').toString();
  }

  private static String mutate(String text, SplittableRandom r) {
    char[] c = text.toCharArray();
    String alphabet = "0123456789-:.TZz+ 6";
    c[r.nextInt(c.length)] = alphabet.charAt(r.nextInt(alphabet.length()));
    return new String(c);
  }
}
