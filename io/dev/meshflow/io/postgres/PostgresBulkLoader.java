package dev.meshflow.io.postgres;

import dev.meshflow.io.BulkLoader;
import dev.meshflow.io.sql.LedgerAccess;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

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
      throws SQLException {
    Connection c = connection();
    if (!rows.isEmpty()) {
      PostgresConnections.ensureTable(target, c, table, rows.get(0).getSchema(), keys);
    }
    if (!deadLetters.isEmpty()) {
      PostgresConnections.ensureTable(target, c, deadLetterTable, deadLetters.get(0).getSchema(), deadLetterKeys);
    }
    c.setAutoCommit(false);
    try {
      long inserted = PostgresCopyMerge.copyAndMerge(c, table, keys, rows, true);
      PostgresCopyMerge.copyAndMerge(c, deadLetterTable, deadLetterKeys, deadLetters, false);
      LedgerAccess.record(c, files);
      c.commit();
      return inserted;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}
