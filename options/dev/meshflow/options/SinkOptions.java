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
      "Sink URI. duckdb:<file> (embedded warehouse), postgresql://host:port/db?user=U (password"
          + " from PGPASSWORD or password=, never printed), kafka://host:port/topic (a JSON message"
          + " per row, keyed), file:<dir>?bufferSize=MB&bufferInterval=S (JSON-lines files by hour)"
          + " or console: (prints rows). Warehouse tables are upserted by key, so a rerun never"
          + " doubles rows. `./meshflow endpoints` lists every parameter.")
  @Default.String(DEFAULT_SINK)
  String getSink();

  void setSink(String value);
}
