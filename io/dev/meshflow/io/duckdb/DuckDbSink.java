package dev.meshflow.io.duckdb;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.sql.SinkRejects;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.io.sql.RowSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * {@code duckdb:<file>}: the embedded warehouse. Tables are created from the rows' schema and
 * upserted by key. A DuckDB file has one writing process, so this sink suits local runs and
 * single-node engines; clusters write to a shared warehouse sink instead.
 */
public final class DuckDbSink implements TableSink {
  public static final String SCHEME = "duckdb";
  public static final String DEFAULT_FILE = SinkOptions.DEFAULT_DUCKDB_FILE;

  private final String file;

  private DuckDbSink(String file) {
    this.file = file;
  }

  public static DuckDbSink from(EndpointUri uri) {
    uri.requireOnly(Set.of());
    String file = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (file.isBlank()) {
      throw new IllegalArgumentException(uri + ": no file; use duckdb:<path>, e.g. " + SinkOptions.DEFAULT_SINK);
    }
    return new DuckDbSink(file);
  }

  public String file() {
    return file;
  }

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
        return rows
            .apply("UpsertInto_" + table, ParDo.of(new DuckDbUpsertFn(file, table, keys, insertOnly)))
            .setRowSchema(SinkRejects.SCHEMA);
      }
    };
  }

  @Override
  public dev.meshflow.io.sql.BulkLoader bulkLoader() {
    return new DuckDbBulkLoader(file);
  }

  @Override
  public String sqlDialect() {
    return "duckdb";
  }

  @Override
  public void createTable(String table, Schema schema, List<String> keyColumns) {
    executeDdl(List.of(RowSql.createTableSql(RowSql.Dialect.DUCKDB, table, schema, keyColumns)));
  }

  @Override
  public void executeDdl(List<String> statements) {
    synchronized (DuckDbDatabases.writeLock(file)) {
      try (Connection c = DuckDbDatabases.connect(file)) {
        for (String sql : statements) {
          RowSql.execute(c, sql);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("DuckDB " + file + ": cannot prepare tables: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String describe() {
    return "DuckDB " + DuckDbDatabases.normalize(file);
  }

  @Override
  public String lookCommand(String sql) {
    boolean isDefault = DuckDbDatabases.normalize(file).equals(DuckDbDatabases.normalize(DEFAULT_FILE));
    return "./meshflow query " + (isDefault ? "" : "--db=" + file + " ") + "\"" + sql + "\"";
  }

  @Override
  public void close() {
    DuckDbDatabases.close(file);
  }
}
