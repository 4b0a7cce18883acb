package dev.meshflow.io;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * A sink that keeps named tables. Rows carry their Beam schema; the sink creates the table from it
 * and upserts by the key columns, so replaying the same input leaves the same table.
 */
public interface TableSink extends Serializable {

  PTransform<PCollection<Row>, PDone> upsert(String table, List<String> keyColumns);

  /** Where the output went, for the run summary. */
  String describe();

  /** The command that shows the result of {@code sql}, or null where the sink cannot be queried. */
  default String lookCommand(String sql) {
    return null;
  }

  /** Called once by the launcher after the pipeline ends, to release local resources. */
  default void close() {}
}
