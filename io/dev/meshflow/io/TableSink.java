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

  /** Where the output went and how to look at it, for the run summary. */
  String describe();

  /** Called once by the launcher after the pipeline ends, to release local resources. */
  default void close() {}
}
