package dev.meshflow.io.sql;

import dev.meshflow.io.SinkRejects;
import dev.meshflow.io.TableSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * What the SQL warehouses share: buffered upserts or insert-once writes through a
 * {@link BufferedUpsertFn}, refusals as {@link SinkRejects} rows, tables created from the row
 * schema, and DDL run ahead of the pipeline. A warehouse supplies its writer, its dialect and how
 * to get a connection for DDL.
 */
public abstract class SqlTableSink implements TableSink {
  /** Work done on one connection. */
  public interface ConnectionWork {
    void run(Connection c) throws SQLException;
  }

  protected abstract RowSql.Dialect dialect();

  protected abstract BufferedUpsertFn writer(String table, List<String> keys, boolean insertOnly);

  /** The most rows a streaming write gathers into one transaction. */
  protected abstract int batchRows();

  /** Runs {@code work} on a connection suited to DDL, then releases it. */
  protected abstract void withDdlConnection(ConnectionWork work) throws SQLException;

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns) {
    return write(table, keyColumns, false);
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> insertNew(String table, List<String> keyColumns) {
    return write(table, keyColumns, true);
  }

  private PTransform<PCollection<Row>, PCollection<Row>> write(
      String table, List<String> keyColumns, boolean insertOnly) {
    List<String> keys = List.copyOf(keyColumns);
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<Row> rows) {
        if (StreamingBatches.needed(rows)) {
          rows = rows.apply("BatchForWriting_" + table, new StreamingBatches(keys, batchRows()));
        }
        return rows.apply("UpsertInto_" + table, ParDo.of(writer(table, keys, insertOnly)))
            .setRowSchema(SinkRejects.SCHEMA);
      }
    };
  }

  /**
   * Runs {@code work} on a connection that may write (in DuckDB under the file's write lock), for
   * what is not a pipeline's write: the mesh's catalog tables.
   */
  public void withConnection(ConnectionWork work) throws SQLException {
    withDdlConnection(work);
  }

  @Override
  public String sqlDialect() {
    return dialect() == RowSql.Dialect.DUCKDB ? "duckdb" : "postgres";
  }

  @Override
  public void createTable(String table, Schema schema, List<String> keyColumns) {
    executeDdl(List.of(RowSql.createTableSql(dialect(), table, schema, keyColumns)));
  }

  @Override
  public void executeDdl(List<String> statements) {
    try {
      withDdlConnection(c -> {
        for (String sql : statements) {
          RowSql.execute(c, sql);
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException(describe() + ": cannot prepare tables: " + e.getMessage(), e);
    }
  }
}
