package dev.meshflow.io.postgres;

import dev.meshflow.io.sql.BulkLoader;
import dev.meshflow.io.sql.LedgerAccess;
import dev.meshflow.io.sql.RowSql;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.postgresql.PGConnection;

/**
 * Micro-batches into PostgreSQL with {@code COPY} into a temporary staging table and one
 * {@code INSERT ... SELECT ... ON CONFLICT} per table, in a single transaction with the ledger.
 */
final class PostgresBulkLoader implements BulkLoader {
  private final PostgresConnections.Target target;
  private transient Connection connection;

  PostgresBulkLoader(PostgresConnections.Target target) {
    this.target = target;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = target.open();
    }
    return connection;
  }

  @Override
  public Map<String, String> loadedChecksums(List<String> paths) throws SQLException {
    Connection c = connection();
    c.setAutoCommit(true);
    return LedgerAccess.checksums(c, paths);
  }

  @Override
  public long load(String table, List<String> keys, List<Row> rows, String deadLetterTable,
      List<String> deadLetterKeys, List<Row> deadLetters, List<LoadedFile> files)
      throws SQLException, IOException {
    Connection c = connection();
    if (!rows.isEmpty()) {
      PostgresConnections.ensureTable(target, c, table, rows.get(0).getSchema(), keys);
    }
    if (!deadLetters.isEmpty()) {
      PostgresConnections.ensureTable(target, c, deadLetterTable, deadLetters.get(0).getSchema(), deadLetterKeys);
    }
    c.setAutoCommit(false);
    try {
      long inserted = copyAndMerge(c, table, keys, rows, true);
      copyAndMerge(c, deadLetterTable, deadLetterKeys, deadLetters, false);
      LedgerAccess.record(c, files);
      c.commit();
      return inserted;
    } catch (SQLException | IOException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static long copyAndMerge(Connection c, String table, List<String> keys, List<Row> rows,
      boolean insertOnly) throws SQLException, IOException {
    if (rows.isEmpty()) {
      return 0;
    }
    Schema schema = rows.get(0).getSchema();
    String staging = "load_" + table;
    RowSql.execute(c, "CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + table
        + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
    StringBuilder csv = new StringBuilder(rows.size() * 200);
    for (Row row : rows) {
      PostgresCsv.append(csv, row);
    }
    ((PGConnection) c).getCopyAPI().copyIn("COPY " + staging + " ("
        + String.join(", ", schema.getFieldNames()) + ") FROM STDIN WITH (FORMAT csv)",
        new StringReader(csv.toString()));
    try (java.sql.Statement st = c.createStatement()) {
      return st.executeUpdate(RowSql.mergeSql(table, staging, schema, keys, insertOnly));
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}
