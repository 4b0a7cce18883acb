package dev.meshflow.transforms.fleet;

import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.values.Row;

/**
 * One vehicle's sliding-window speeds in time order: an episode is a run of consecutive windows
 * (each starting one period after the previous) whose average exceeds the zone's limit. The first
 * window of an episode raises one SPEEDING alert; a window at or under the limit, or a gap, ends it.
 */
public final class SpeedingEpisodes implements OrderedPerKey.Step<WindowSpeed, SpeedingEpisodes.State, Row> {
  private final long periodMillis;

  public SpeedingEpisodes(long periodMillis) {
    this.periodMillis = periodMillis;
  }

  /** Whether the last window was speeding, and when it started. */
  public static final class State implements Serializable {
    Long lastStart;
    boolean speeding;
  }

  @Override
  public State start() {
    return new State();
  }

  @Override
  public int tieBreak(WindowSpeed a, WindowSpeed b) {
    return Long.compare(a.windowStartMillis, b.windowStartMillis);
  }

  @Override
  public void step(State s, WindowSpeed w, long tsMillis, Consumer<Row> out) {
    Row alert = advance(s, w, periodMillis);
    if (alert != null) {
      out.accept(alert);
    }
  }

  /** The model's entry point: the alert this window raises, or null. */
  public static Row advance(State s, WindowSpeed w, long periodMillis) {
    boolean continues = s.speeding && s.lastStart != null && w.windowStartMillis == s.lastStart + periodMillis;
    s.lastStart = w.windowStartMillis;
    s.speeding = w.isSpeeding();
    return s.speeding && !continues ? Alerts.speeding(w) : null;
  }
}
