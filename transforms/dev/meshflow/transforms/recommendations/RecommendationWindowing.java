package dev.meshflow.transforms.recommendations;

import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;

/**
 * The only place the recommender's batch and streaming forms differ.
 *
 * <ul>
 *   <li>Running totals (co-listening, plays, user history, the model's state) live in the global
 *       window. Batch fires once at the end; streaming fires {@code update} after the first new
 *       element of a key, with accumulating panes, so that each firing carries the key's whole
 *       total and the store gets one row per changed key, never a rewrite per event.
 *   <li>Trending counts plays in fixed windows, fired as the interaction statistics are: at the
 *       watermark, early every {@code update}, and again for each late play within the lateness.
 * </ul>
 */
public final class RecommendationWindowing {
  public static final Duration TRENDING_WINDOW = Duration.millis(RecommenderRules.TRENDING_WINDOW_MILLIS);

  private RecommendationWindowing() {}

  /** Running totals: batch's single pane, or streaming's repeated accumulating firings. */
  public static <T> Window<T> totals(boolean streaming, Duration update) {
    Window<T> global = Window.into(new GlobalWindows());
    if (!streaming) {
      return global;
    }
    return global
        .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(update)))
        .withAllowedLateness(Duration.ZERO)
        .accumulatingFiredPanes();
  }

  /** Plays per item in fixed trending windows. */
  public static <T> Window<T> trending(boolean streaming, Duration allowedLateness, Duration update) {
    Window<T> fixed = Window.into(FixedWindows.of(TRENDING_WINDOW));
    if (!streaming) {
      return fixed;
    }
    return fixed
        .triggering(AfterWatermark.pastEndOfWindow()
            .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(update))
            .withLateFirings(AfterPane.elementCountAtLeast(1)))
        .withAllowedLateness(allowedLateness)
        .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
        .accumulatingFiredPanes();
  }
}
