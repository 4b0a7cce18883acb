package dev.meshflow.io.duckdb;

import dev.meshflow.io.sql.RowSql;
import dev.meshflow.io.sql.WritableTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Bulk writes into DuckDB: rows go through the Appender into a temporary staging table, and one
 * {@code INSERT ... SELECT ... ON CONFLICT} merges them. Row-by-row JDBC is 10-100 times slower in
 * DuckDB. The upsert writer and the micro-batch loader both write this way.
 */
final class DuckDbStaging {
  /** Work on one connection inside a transaction. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private DuckDbStaging() {}

  /** Runs {@code work} in one transaction on {@code file}, holding its write lock. */
  static <T> T inTransaction(String file, Work<T> work) throws SQLException {
    synchronized (DuckDbDatabases.writeLock(file)) {
      try (Connection c = DuckDbDatabases.connect(file)) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          try {
            c.rollback(); // also drops a staging table created in the transaction
          } catch (SQLException rollbackFailed) {
            // A commit that failed (a full disk) may have ended the transaction itself; its cause
            // is the failure to report, not "cannot rollback - no transaction is active".
            e.addSuppressed(rollbackFailed);
          }
          throw e;
        }
      }
    }
  }

  /**
   * Creates {@code table} if needed and merges {@code rows} (distinct keys) into it.
   *
   * @param insertOnly keep an existing row as it is instead of updating it
   * @return how many rows were inserted or updated
   */
  static long merge(Connection c, String table, List<String> keys, List<Row> rows,
      boolean insertOnly) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    Schema schema = rows.get(0).getSchema();
    // Cheap, and robust to a database file that was replaced between runs in one JVM.
    RowSql.execute(c, RowSql.createTableSql(RowSql.Dialect.DUCKDB, table, schema, keys));
    WritableTable.require(c, table, schema, keys);
    String staging = "stage_" + table;
    RowSql.execute(c, "CREATE OR REPLACE TEMP TABLE " + staging + " AS SELECT "
        + String.join(", ", schema.getFieldNames()) + " FROM " + table + " LIMIT 0");
    try (DuckDBAppender appender = ((DuckDBConnection) c).createAppender("temp", "main", staging)) {
      for (Row row : rows) {
        DuckDbAppend.row(appender, row);
      }
    }
    try (Statement st = c.createStatement()) {
      long n = st.executeUpdate(RowSql.mergeSql(table, staging, schema, keys, insertOnly));
      st.execute("DROP TABLE " + staging);
      return n;
    }
  }
}
