package dev.meshflow.options;

import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;

/** Parses the duration options: ISO-8601 (PT10M) or a short form (500ms, 90s, 10m, 2h, 1d). */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String optionName, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "--" + optionName + " is empty; give a duration such as 10m, 90s or PT10M");
    }
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.millis(n);
        case "s":
          return Duration.standardSeconds(n);
        case "m":
          return Duration.standardMinutes(n);
        case "h":
          return Duration.standardHours(n);
        default:
          return Duration.standardDays(n);
      }
    }
    try {
      java.time.Duration d = java.time.Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      if (d.isNegative()) {
        throw new IllegalArgumentException("--" + optionName + " must not be negative: " + text);
      }
      return Duration.millis(d.toMillis());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--" + optionName + "=" + text + " is not a duration; use e.g. 10m, 90s, 2h or PT10M");
    }
  }

  /**
   * The run's lifetime, or null to run until stopped. One check for every pipeline that takes
   * {@code --runFor}.
   *
   * @throws IllegalArgumentException for a malformed duration, or a lifetime on a batch run
   */
  public static Duration lifetime(RunForOptions options, boolean streaming) {
    if (options.getRunFor().isEmpty()) {
      return null;
    }
    if (!streaming) {
      throw new IllegalArgumentException("--runFor only applies with --streaming; a batch run"
          + " ends when its input does");
    }
    return parse("runFor", options.getRunFor());
  }
}
