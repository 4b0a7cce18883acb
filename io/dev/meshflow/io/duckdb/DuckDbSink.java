package dev.meshflow.io.duckdb;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.sql.BufferedUpsertFn;
import dev.meshflow.io.sql.RowSql;
import dev.meshflow.io.sql.SqlTableSink;
import dev.meshflow.options.SinkOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * {@code duckdb:<file>}: the embedded warehouse. Tables are created from the rows' schema and
 * upserted by key. A DuckDB file has one writing process, so this sink suits local runs and
 * single-node engines; clusters write to a shared warehouse sink instead.
 */
public final class DuckDbSink extends SqlTableSink {
  public static final String SCHEME = "duckdb";
  public static final String DEFAULT_FILE = SinkOptions.DEFAULT_DUCKDB_FILE;
  /** {@code createFolder=true}: create the file's folder where it does not exist. */
  public static final String CREATE_FOLDER = "createFolder";

  private final String file;

  private DuckDbSink(String file) {
    this.file = file;
  }

  public static DuckDbSink from(EndpointUri uri) {
    uri.requireOnly(Set.of(CREATE_FOLDER));
    String file = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (file.isBlank()) {
      throw new IllegalArgumentException(uri + ": no file; use duckdb:<path>, e.g. " + SinkOptions.DEFAULT_SINK);
    }
    // A mistyped folder should not silently become a new warehouse; the default folder is ours.
    Path folder = Path.of(file).toAbsolutePath().getParent();
    boolean create = Path.of(DEFAULT_FILE).getParent()
            .equals(Path.of(file).normalize().getParent())
        || Boolean.parseBoolean(uri.params().getOrDefault(CREATE_FOLDER, "false"));
    if (folder != null && !create && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(uri.option() + ": the folder " + folder + " does not exist;"
          + " create it, or add ?" + CREATE_FOLDER + "=true");
    }
    return new DuckDbSink(file);
  }

  public String file() {
    return file;
  }

  @Override
  protected RowSql.Dialect dialect() {
    return RowSql.Dialect.DUCKDB;
  }

  @Override
  protected int batchRows() {
    return DuckDbUpsertFn.FLUSH_ROWS;
  }

  @Override
  protected BufferedUpsertFn writer(String table, List<String> keys, boolean insertOnly) {
    return new DuckDbUpsertFn(file, table, keys, insertOnly);
  }

  @Override
  protected void withDdlConnection(ConnectionWork work) throws SQLException {
    synchronized (DuckDbDatabases.writeLock(file)) {
      try (Connection c = DuckDbDatabases.connect(file)) {
        work.run(c);
      }
    }
  }

  @Override
  public dev.meshflow.io.BulkLoader bulkLoader() {
    return new DuckDbBulkLoader(file);
  }

  @Override
  public DatasetName dataset(String table) {
    return new DatasetName("duckdb://" + DuckDbDatabases.normalize(file), table);
  }

  @Override
  public String describe() {
    return "DuckDB " + DuckDbDatabases.normalize(file);
  }

  /** Read-only, so that looking never takes the file's write lock from a running job. */
  @Override
  public Connection openReadOnly() throws SQLException {
    if (!java.nio.file.Files.exists(DuckDbDatabases.normalize(file))) {
      throw new IllegalArgumentException("no warehouse at " + file);
    }
    java.util.Properties readOnly = new java.util.Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    return java.sql.DriverManager.getConnection("jdbc:duckdb:" + file, readOnly);
  }

  /** The writer's own instance: a second one in this JVM, even read-only, would fight it for the file's lock. */
  @Override
  public Connection openBesideWriter() {
    return DuckDbDatabases.connect(file);
  }

  @Override
  public boolean oneWritingProcess() {
    return true;
  }

  @Override
  public String dbArgument() {
    boolean isDefault = DuckDbDatabases.normalize(file).equals(DuckDbDatabases.normalize(DEFAULT_FILE));
    return isDefault ? "" : "--db=" + file;
  }

  @Override
  public void close() {
    DuckDbDatabases.close(file);
  }
}
