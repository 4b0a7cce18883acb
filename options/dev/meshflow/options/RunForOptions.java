package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** A bounded lifetime for streaming runs, so scripts and tests can run a stream and stop it. */
public interface RunForOptions extends PipelineOptions {
  @Description(
      "Streaming only: stop gracefully after this long (ISO-8601 such as PT2M, or 90s/10m)."
          + " Sources stop reading, windows fire their final panes, sinks flush and close."
          + " Empty: run until stopped.")
  @Default.String("")
  String getRunFor();

  void setRunFor(String value);
}
