package dev.meshflow.transforms.fleet;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.transforms.ordering.OrderedPerKey;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.values.KV;

/**
 * Per vehicle, in alert-time order: an alert seen before (the same alert_id, as a replayed stream
 * repeats it) is dropped and counted as a duplicate; otherwise it is delivered unless one was delivered for the same
 * vehicle less than {@code minIntervalMillis} of alert time before it; then it is suppressed (and
 * recorded as such). Alert time, not wall-clock time, decides, so a backfill and a live run
 * suppress the same alerts.
 */
public final class NotifyRateLimit implements OrderedPerKey.Step<AlertNotice, NotifyRateLimit.State, KV<Boolean, AlertNotice>> {
  private final RunMetrics.StageCounter duplicates = RunMetrics.counter(RunMetrics.DUPLICATES);
  private final long minIntervalMillis;

  public NotifyRateLimit(long minIntervalMillis) {
    this.minIntervalMillis = minIntervalMillis;
  }

  /** When the vehicle's last delivered alert happened, and the last alert seen. */
  public static final class State implements Serializable {
    Long lastSent;
    String lastId;
  }

  /** What happens to an alert. */
  public enum Decision { DELIVER, SUPPRESS, DUPLICATE }

  @Override
  public State start() {
    return new State();
  }

  @Override
  public int tieBreak(AlertNotice a, AlertNotice b) {
    return a.alertId.compareTo(b.alertId);
  }

  @Override
  public void step(State s, AlertNotice notice, long tsMillis, Consumer<KV<Boolean, AlertNotice>> out) {
    Decision d = decide(s, notice, minIntervalMillis);
    if (d == Decision.DUPLICATE) {
      duplicates.inc();
    } else {
      out.accept(KV.of(d == Decision.DELIVER, notice));
    }
  }

  /** The model's entry point. Equal alerts sort next to each other (time, then id). */
  public static Decision decide(State s, AlertNotice notice, long minIntervalMillis) {
    if (notice.alertId.equals(s.lastId)) {
      return Decision.DUPLICATE;
    }
    s.lastId = notice.alertId;
    if (s.lastSent != null && notice.tsMillis - s.lastSent < minIntervalMillis) {
      return Decision.SUPPRESS;
    }
    s.lastSent = notice.tsMillis;
    return Decision.DELIVER;
  }
}
