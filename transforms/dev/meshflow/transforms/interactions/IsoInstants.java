package dev.meshflow.transforms.interactions;

/**
 * A fast path for the one timestamp shape producers send almost always,
 * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} in years 0001 to 9999. {@code DateTimeFormatter}'s
 * general parser took about a third of the parse time per record. Anything else (offsets, leap
 * seconds, malformed text) is left to the general parser, which also words the errors.
 */
public final class IsoInstants {
  /** Returned when {@code text} is not in the simple shape. */
  public static final long NOT_SIMPLE = Long.MIN_VALUE;

  private IsoInstants() {}

  /** Epoch milliseconds of {@code text}, rounded down as {@code Instant.toEpochMilli} does, or {@link #NOT_SIMPLE}. */
  public static long simpleUtcMillis(String text) {
    int n = text.length();
    if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
        || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z') {
      return NOT_SIMPLE;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return NOT_SIMPLE; // digits() gives -1 for a non-digit
    }
    int millis = 0;
    if (n > 20) {
      if (text.charAt(19) != '.' || n == 21) {
        return NOT_SIMPLE;
      }
      for (int i = 20; i < n - 1; i++) {
        int d = text.charAt(i) - '0';
        if (d < 0 || d > 9) {
          return NOT_SIMPLE;
        }
        if (i < 23) {
          millis = millis * 10 + d; // digits past the third are below a millisecond
        }
      }
      for (int digits = n - 21; digits < 3; digits++) {
        millis *= 10; // ".5" is 500 ms
      }
    }
    long seconds = epochDay(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second;
    return seconds * 1_000L + millis;
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static boolean leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  }

  private static int daysIn(int year, int month) {
    switch (month) {
      case 2: return leap(year) ? 29 : 28;
      case 4: case 6: case 9: case 11: return 30;
      default: return 31;
    }
  }

  /** Days since 1970-01-01 in the proleptic Gregorian calendar (the algorithm of {@code LocalDate.toEpochDay}). */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365 * y;
    total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400; // y >= 1 here
    total += (367 * month - 362) / 12;
    total += day - 1;
    if (month > 2) {
      total--;
      if (!leap(year)) {
        total--;
      }
    }
    return total - 719_528L; // days from year 0 to 1970
  }
}
