package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Event-time settings shared by the windowed pipelines. Durations are ISO-8601 or 90s/10m/2h. */
public interface EventTimeOptions extends PipelineOptions {

  @Description(
      "Streaming only: how long after a window closes late events still update it. Later"
          + " events go to the dead-letter output with stage `late`.")
  @Default.String("10m")
  String getAllowedLateness();

  void setAllowedLateness(String value);

  @Description("An event_id seen again within this event-time span counts once.")
  @Default.String("10m")
  String getDedupeWindow();

  void setDedupeWindow(String value);

  @Description(
      "Streaming only: also emit early (speculative) results this often in processing time,"
          + " before a window closes. 0 disables early results.")
  @Default.String("0s")
  String getEarlyFiringInterval();

  void setEarlyFiringInterval(String value);
}
