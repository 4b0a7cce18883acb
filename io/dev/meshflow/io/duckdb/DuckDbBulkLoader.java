package dev.meshflow.io.duckdb;

import dev.meshflow.io.sql.BulkLoader;
import dev.meshflow.io.sql.LedgerAccess;
import dev.meshflow.io.sql.RowSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** Micro-batches into DuckDB through the Appender and a staging table, one transaction each. */
final class DuckDbBulkLoader implements BulkLoader {
  private final String file;

  DuckDbBulkLoader(String file) {
    this.file = file;
  }

  @Override
  public Map<String, String> loadedChecksums(List<String> paths) throws SQLException {
    synchronized (DuckDbDatabases.writeLock(file)) { // the lookup may create the ledger
      try (Connection c = DuckDbDatabases.connect(file)) {
        return LedgerAccess.checksums(c, paths);
      }
    }
  }

  @Override
  public long load(String table, List<String> keys, List<Row> rows, String deadLetterTable,
      List<String> deadLetterKeys, List<Row> deadLetters, List<LoadedFile> files) throws SQLException {
    synchronized (DuckDbDatabases.writeLock(file)) {
      try (Connection c = DuckDbDatabases.connect(file)) {
        c.setAutoCommit(false);
        try {
          long inserted = stageAndMerge(c, table, keys, rows, true);
          stageAndMerge(c, deadLetterTable, deadLetterKeys, deadLetters, false);
          LedgerAccess.record(c, files);
          c.commit();
          return inserted;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      }
    }
  }

  private static long stageAndMerge(Connection c, String table, List<String> keys, List<Row> rows,
      boolean insertOnly) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    Schema schema = rows.get(0).getSchema();
    RowSql.execute(c, RowSql.createTableSql(RowSql.Dialect.DUCKDB, table, schema, keys));
    String staging = "load_" + table;
    RowSql.execute(c, "CREATE OR REPLACE TEMP TABLE " + staging + " AS SELECT "
        + String.join(", ", schema.getFieldNames()) + " FROM " + table + " LIMIT 0");
    try (DuckDBAppender appender = ((DuckDBConnection) c).createAppender("temp", "main", staging)) {
      for (Row row : rows) {
        DuckDbAppend.row(appender, row);
      }
    }
    try (java.sql.Statement st = c.createStatement()) {
      long n = st.executeUpdate(RowSql.mergeSql(table, staging, schema, keys, insertOnly));
      st.execute("DROP TABLE " + staging);
      return n;
    }
  }

  @Override
  public void close() {}
}
