package dev.meshflow.io.postgres;

import dev.meshflow.io.sql.BufferedUpsertFn;
import dev.meshflow.io.sql.RowSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Batched upserts into PostgreSQL, one transaction per batch. A large batch is copied into a
 * staging table and merged with one statement; a small one is sent as batched upserts, which
 * {@code reWriteBatchedInserts} turns into multi-row statements. Rows are sorted by key first, so
 * two workers that touch the same keys lock them in the same order and cannot deadlock.
 */
final class PostgresUpsertFn extends BufferedUpsertFn {
  /** From this many rows on, COPY and one merge beat batched statements (measured in IngestBenchmark). */
  static final int COPY_MIN_ROWS = 500;
  private final PostgresConnections.Target target;
  private final int copyRows;
  private transient Connection connection;

  PostgresUpsertFn(PostgresConnections.Target target, String table, List<String> keys,
      boolean insertOnly, int batchRows, int copyRows) {
    super(table, keys, insertOnly, batchRows);
    this.target = target;
    this.copyRows = copyRows;
  }

  @Override
  protected void writeBatch(List<Row> rows) throws SQLException {
    Schema schema = rows.get(0).getSchema();
    Connection c = connection();
    PostgresConnections.ensureTable(target, c, table, schema, keys);
    c.setAutoCommit(false);
    try {
      if (rows.size() >= copyRows) {
        PostgresCopyMerge.copyAndMerge(c, table, keys, rows, insertOnly); // merges in key order
      } else {
        upsertStatements(c, schema, PostgresCopyMerge.inKeyOrder(rows, keys));
      }
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly(c);
      throw unwrap(e);
    }
  }

  private void upsertStatements(Connection c, Schema schema, List<Row> rows) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(RowSql.upsertSql(table, schema, keys, 1, insertOnly))) {
      for (Row row : rows) {
        RowSql.bind(st, 0, row);
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  @Override
  protected boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    // Class 22 is data exception (a value the column cannot hold), 23 integrity violation.
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * Class 08 is a connection exception (refused, broken), 57P01-57P03 a server shutting down or
   * starting, 40001 and 40P01 a serialization failure or deadlock: the server rolled the
   * transaction back, and the same batch may well succeed next time.
   */
  @Override
  protected boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("57P")
        || state.equals("40001") || state.equals("40P01"));
  }

  @Override
  protected void dropConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
      }
      connection = null;
    }
  }

  @Override
  protected String warehouseId() {
    return target.display();
  }

  @Override
  protected String describeTarget() {
    return "PostgreSQL " + target.display() + " (table " + table + ")";
  }

  /** A failed batch reports "see getNextException"; the next exception holds the real cause. */
  private static SQLException unwrap(SQLException e) {
    SQLException next = e.getNextException();
    return next != null && next.getSQLState() != null ? next : e;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = target.open();
    }
    return connection;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the next batch reopens it
    }
  }

  @Teardown
  public void teardown() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}
