package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How the `meshflow` launcher reports on a run. */
public interface LauncherOptions extends PipelineOptions {

  @Description("Seconds between progress lines on a running job. 0 turns progress off.")
  @Default.Integer(5)
  int getProgressSeconds();

  void setProgressSeconds(int value);

  @Description("Show stack traces and runner logs on failure.")
  @Default.Boolean(false)
  boolean getVerbose();

  void setVerbose(boolean value);
}
