package dev.meshflow.transforms.interactions;

import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;

/**
 * The only place batch and streaming differ: batch uses plain fixed windows; streaming fires when
 * the watermark passes the window end (optionally early), then again for each late event within the
 * allowed lateness, with accumulating panes so every firing carries the full, corrected count.
 */
public final class InteractionWindowing {
  public static final Duration WINDOW_SIZE = Duration.standardMinutes(1);

  private InteractionWindowing() {}

  public static Window<InteractionEvent> batch() {
    return Window.into(FixedWindows.of(WINDOW_SIZE));
  }

  public static Window<InteractionEvent> streaming(Duration allowedLateness, Duration earlyFiring) {
    AfterWatermark.AfterWatermarkEarlyAndLate trigger = AfterWatermark.pastEndOfWindow()
        .withLateFirings(AfterPane.elementCountAtLeast(1));
    if (earlyFiring.getMillis() > 0) {
      trigger = trigger.withEarlyFirings(
          AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiring));
    }
    return Window.<InteractionEvent>into(FixedWindows.of(WINDOW_SIZE))
        .triggering(trigger)
        .withAllowedLateness(allowedLateness)
        // A pane with nothing new changes no row; Flink's streaming combine would emit it empty.
        .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
        .accumulatingFiredPanes();
  }
}
