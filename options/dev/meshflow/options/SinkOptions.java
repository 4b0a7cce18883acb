package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a pipeline writes its tables, including dead letters. */
public interface SinkOptions extends PipelineOptions {

  @Description(
      "Sink URI. duckdb:<file> (embedded warehouse; tables are upserted by key, so a rerun"
          + " never doubles rows) or console: (prints rows).")
  @Default.String("duckdb:warehouse/meshflow.duckdb")
  String getSink();

  void setSink(String value);
}
