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

  @Description("Serve `./meshflow dashboard` from this job's own JVM on this port of 127.0.0.1 while"
      + " the job runs (0: not). The way to watch a live run into DuckDB, whose file admits one"
      + " process while a job writes it; for PostgreSQL, a separate `./meshflow dashboard` works too."
      + " Only where the job runs in the launcher (Direct, embedded Flink, local Spark).")
  @Default.Integer(0)
  int getDashboardPort();

  void setDashboardPort(int value);
}
