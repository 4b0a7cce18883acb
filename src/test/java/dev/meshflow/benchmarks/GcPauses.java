package dev.meshflow.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's stop-the-world pauses over a stretch of a benchmark: for a latency measurement, a pause
 * of the server or of the load client is a stall of every request it holds.
 */
final class GcPauses {
  /**
   * A pause in {@code -Xlog:gc,gc+phases:file=F:time} (ZGC logs its pauses as phases):
   * "[2026-12-07T15:33:03.123+0000] GC(12) Pause Young (Normal) ... 3.456ms".
   */
  private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\] GC\\(\\d+\\) Pause .* ([0-9.]+)ms$");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private GcPauses() {}

  /** Pauses logged in {@code gcLog} that ended within [from, to]: "12 pauses, longest 8.1 ms, 40 ms in all". */
  static String during(Path gcLog, Instant from, Instant to) throws IOException {
    if (!Files.exists(gcLog)) {
      return "no GC log";
    }
    double[] pauses = pauses(gcLog, from, to);
    return String.format("%d pauses, longest %.1f ms, %.0f ms in all", (int) pauses[0], pauses[1], pauses[2]);
  }

  /** The longest pause logged in {@code gcLog} within [from, to], 0 if none. */
  static double longest(Path gcLog, Instant from, Instant to) throws IOException {
    return Files.exists(gcLog) ? pauses(gcLog, from, to)[1] : Double.NaN;
  }

  /** {count, longest, total} of the pauses logged within [from, to]. */
  private static double[] pauses(Path gcLog, Instant from, Instant to) throws IOException {
    int count = 0;
    double longest = 0;
    double total = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = PAUSE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Instant at = OffsetDateTime.parse(m.group(1), TIME).toInstant();
      if (at.isBefore(from) || at.isAfter(to)) {
        continue;
      }
      double millis = Double.parseDouble(m.group(2));
      count++;
      total += millis;
      longest = Math.max(longest, millis);
    }
    return new double[] {count, longest, total};
  }

  /** This JVM's collections so far and their milliseconds, over every collector. */
  static long[] ofThisJvm() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }
}
