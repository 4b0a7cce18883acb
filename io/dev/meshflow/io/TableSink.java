package dev.meshflow.io;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * A sink that keeps named tables. Rows carry their Beam schema; the sink creates the table from it
 * and upserts by the key columns, so replaying the same input leaves the same table. The upsert
 * returns the rows the sink refused, as {@link dev.meshflow.io.SinkRejects} rows, so that the
 * pipeline can dead-letter them: nothing is dropped silently.
 */
public interface TableSink extends Serializable {

  PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns);

  /**
   * Like {@link #upsert}, but a row whose key exists is left as it is: a landing table keeps the
   * first arrival of each record, so a replay changes nothing.
   */
  default PTransform<PCollection<Row>, PCollection<Row>> insertNew(String table, List<String> keyColumns) {
    return upsert(table, keyColumns);
  }

  /** The SQL dialect ({@code duckdb} or {@code postgres}) for views, or null without SQL. */
  default String sqlDialect() {
    return null;
  }

  /** Creates a table ahead of the run, so that views can be defined on it. */
  default void createTable(String table, Schema schema, List<String> keyColumns) {
    throw new UnsupportedOperationException(describe() + " has no tables");
  }

  /** A loader of transactional micro-batches with a file ledger, where the sink has one. */
  default dev.meshflow.io.BulkLoader bulkLoader() {
    throw new IllegalArgumentException("--sink: " + describe() + " cannot load micro-batches; use a warehouse sink,"
        + " duckdb:<file> or postgresql://host:port/db?user=U");
  }

  /** Runs DDL (views, functions) ahead of the run. */
  default void executeDdl(List<String> statements) {
    throw new UnsupportedOperationException(describe() + " cannot run SQL");
  }

  /** Where the output went, for the run summary. */
  String describe();

  /**
   * Whether the store admits one writing process, on one machine, as a DuckDB file does: a run on a
   * cluster's workers, several processes on other machines, cannot write it.
   */
  default boolean oneWritingProcess() {
    return false;
  }

  /** Where {@code table} lives, as a lineage dataset; null where it is no dataset (the console). */
  default DatasetName dataset(String table) {
    return null;
  }

  /**
   * A read-only connection for looking at the tables, or an {@link IllegalArgumentException} where
   * the sink has no SQL. Statements that would change anything fail.
   */
  default java.sql.Connection openReadOnly() throws java.sql.SQLException {
    throw new IllegalArgumentException(describe() + " cannot be queried; use a warehouse sink,"
        + " duckdb:<file> or postgresql://host:port/db?user=U");
  }

  /**
   * How {@code ./meshflow query} and {@code dashboard} name this warehouse: {@code --db=...}, or ""
   * for the default one; null where the sink cannot be queried.
   */
  default String dbArgument() {
    return null;
  }

  /**
   * A connection for reading while this JVM's own job writes the warehouse (the dashboard served
   * from the job's JVM). The same as {@link #openReadOnly()} but where the warehouse admits only
   * its writing process, as a DuckDB file does: then a connection to the writer's own instance.
   */
  default java.sql.Connection openBesideWriter() throws java.sql.SQLException {
    return openReadOnly();
  }

  /** The command that shows the result of {@code sql}, or null where the sink cannot be queried. */
  default String lookCommand(String sql) {
    String db = dbArgument();
    return db == null ? null : "./meshflow query " + (db.isEmpty() ? "" : db + " ") + "\"" + sql + "\"";
  }

  /** The command that opens the dashboard on this warehouse, or null where it cannot be queried. */
  default String dashboardCommand() {
    String db = dbArgument();
    return db == null ? null : "./meshflow dashboard" + (db.isEmpty() ? "" : " " + db);
  }

  /** Called once by the launcher after the pipeline ends, to release local resources. */
  default void close() {}
}
