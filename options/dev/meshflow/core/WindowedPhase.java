package dev.meshflow.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A step that works through sliding windows of event time one by one (training a model per
 * window), declared as the graph is built so that the launcher's progress line can say "training
 * window 3 of about 17". The number of windows is estimated from the event times read so far, so
 * it is exact once reading is done. Only the launcher's JVM reads it, for progress lines.
 */
public final class WindowedPhase {
  private static final List<WindowedPhase> DECLARED = new CopyOnWriteArrayList<>();

  /** What one unit is called: "training window". */
  public final String unit;
  private final long sizeMillis;
  private final long periodMillis;
  /** The counters that together count the windows done, whatever became of each. */
  public final List<String> doneCounters;

  private WindowedPhase(String unit, long sizeMillis, long periodMillis, List<String> doneCounters) {
    this.unit = unit;
    this.sizeMillis = sizeMillis;
    this.periodMillis = periodMillis;
    this.doneCounters = List.copyOf(doneCounters);
  }

  /** A phase over windows of {@code sizeMillis} starting every {@code periodMillis}. */
  public static WindowedPhase of(String unit, long sizeMillis, long periodMillis, List<String> doneCounters) {
    return new WindowedPhase(unit, sizeMillis, periodMillis, doneCounters);
  }

  /** Declares {@code phase} for this JVM's progress lines. */
  public static void declare(WindowedPhase phase) {
    String unit = phase.unit;
    // A graph may train in two places (as skip-scoring's retraining loop does) on the same counters.
    if (DECLARED.stream().noneMatch(d -> d.unit.equals(unit) && d.doneCounters.equals(phase.doneCounters))) {
      DECLARED.add(phase);
    }
  }

  public static List<WindowedPhase> declared() {
    return List.copyOf(DECLARED);
  }

  static void clear() {
    DECLARED.clear();
  }

  /** Windows done so far, from the local counters. */
  public long done(Map<String, Long> counters) {
    return doneCounters.stream().mapToLong(c -> counters.getOrDefault(c, 0L)).sum();
  }

  /**
   * The sliding windows (starts at multiples of the period) that hold at least one instant of
   * {@code [oldestMillis, newestMillis]}: an upper bound where the data has gaps longer than a
   * window, exact otherwise.
   */
  public long windowsCovering(long oldestMillis, long newestMillis) {
    long first = Math.floorDiv(oldestMillis - sizeMillis, periodMillis) + 1;
    long last = Math.floorDiv(newestMillis, periodMillis);
    return Math.max(0, last - first + 1);
  }
}
