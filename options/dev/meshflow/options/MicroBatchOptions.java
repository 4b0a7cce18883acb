package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How {@code micro-batch-load} watches a landing folder and batches its files. */
public interface MicroBatchOptions extends PipelineOptions {
  @Description(
      "Files to load: a glob of JSON-lines files, gzip allowed (e.g. landing/*.jsonl*). Writers"
          + " should write under another name and rename when done, so no file is read half-written.")
  @Default.String("landing/*.jsonl*")
  String getLanding();

  void setLanding(String value);

  @Description("Load whatever has arrived at least this often (ISO-8601 or 90s/5m/1h).")
  @Default.String("5m")
  String getBatchInterval();

  void setBatchInterval(String value);

  @Description("Load at once when this many new files are waiting, without waiting for the interval.")
  @Default.Integer(100)
  int getBatchFiles();

  void setBatchFiles(int value);

  @Description("Streaming: how often the landing folder is listed.")
  @Default.String("10s")
  String getPollInterval();

  void setPollInterval(String value);
}
