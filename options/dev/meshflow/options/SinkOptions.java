package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a pipeline writes its tables, including dead letters. */
public interface SinkOptions extends PipelineOptions {
  /** The embedded warehouse every pipeline writes to by default; the query command reads it. */
  String DEFAULT_DUCKDB_FILE = "warehouse/meshflow.duckdb";

  String DEFAULT_SINK = "duckdb:" + DEFAULT_DUCKDB_FILE;

  @Description(
      "Sink URI. duckdb:<file> (embedded warehouse; tables are upserted by key, so a rerun"
          + " never doubles rows) or console: (prints rows).")
  @Default.String(DEFAULT_SINK)
  String getSink();

  void setSink(String value);
}
