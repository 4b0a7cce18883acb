package dev.meshflow.transforms.anomaly;

import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * The feature vector of one session of the {@code sessions} table. Counts and amounts are
 * log-scaled so that one huge value does not swamp the distance; the model standardizes them.
 * Yes/no flags are left out on purpose: k-means spends its clusters on their combinations and
 * then misses the modes that matter (crawlers, fast clickers, single-event sessions).
 */
public final class SessionFeatures {
  public static final List<String> NAMES = List.of("events", "sqrt_minutes", "page_view_share",
      "sqrt_revenue", "log_events_per_minute");

  /** Keeps the log finite for a single-event session, and slow sessions apart from each other. */
  private static final double RATE_FLOOR = 0.05;

  private SessionFeatures() {}

  public static double[] of(Row session) {
    long events = session.getInt64("events");
    double seconds = (session.getDateTime("end_ts").getMillis() - session.getDateTime("start_ts").getMillis()) / 1000.0;
    return new double[] {
        events,
        Math.sqrt(seconds / 60.0),
        events == 0 ? 0 : session.getInt64("page_views") / (double) events,
        Math.sqrt(session.getInt64("revenue_cents") / 100.0),
        Math.log(RATE_FLOOR + session.getDouble("events_per_minute"))};
  }

  /** "name=value, ..." for the anomalies table, so a person can see why a session stood out. */
  public static String describe(double[] features) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < features.length; i++) {
      out.append(i == 0 ? "" : ", ").append(NAMES.get(i)).append('=')
          .append(String.format(java.util.Locale.ROOT, "%.3f", features[i]));
    }
    return out.toString();
  }
}
