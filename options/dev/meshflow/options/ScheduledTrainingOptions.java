package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Batch training as a scheduled job runs it: one model from the most recent history. */
public interface ScheduledTrainingOptions extends PipelineOptions {
  @Description(
      "Batch only: train just the newest window, the last --trainWindow of the history (the window"
          + " ending at the first --trainEvery boundary after the newest play), as a scheduled job"
          + " does, e.g. nightly with --trainWindow=7d --trainEvery=1d. Off: a model for every window.")
  @Default.Boolean(false)
  boolean isLatestWindowOnly();

  void setLatestWindowOnly(boolean value);
}
