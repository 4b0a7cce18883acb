package dev.meshflow.io.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;

/**
 * Checks that an existing table can take a writer's rows: it has every column the writer fills,
 * and a primary key or unique constraint on the writer's key. A table left by an older meshflow
 * (before a column was added), or made by hand without the key, would otherwise refuse every row,
 * and each refusal could look like the row's own fault and become a dead letter. This fails the
 * write instead, once, with a message that says what to do.
 */
public final class WritableTable {
  /** SQLState of an undefined column: not a data error, so no row is blamed for it. */
  public static final String UNDEFINED_COLUMN = "42703";
  /** SQLState PostgreSQL gives an ON CONFLICT target that no unique constraint matches. */
  public static final String NO_CONFLICT_TARGET = "42P10";

  private WritableTable() {}

  public static void require(Connection c, String table, Schema schema, List<String> keys)
      throws SQLException {
    requireColumns(c, table, schema);
    requireKey(c, table, keys);
  }

  private static void requireColumns(Connection c, String table, Schema schema) throws SQLException {
    Set<String> present = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + RowSql.identifier(table) + " LIMIT 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        present.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    }
    List<String> missing = new ArrayList<>();
    for (String field : schema.getFieldNames()) {
      if (!present.contains(field.toLowerCase(Locale.ROOT))) {
        missing.add(field);
      }
    }
    if (!missing.isEmpty()) {
      throw new SQLException("table " + table + " has no column" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing)
          + ", which this version of meshflow writes; it was made by an older version. Drop it"
          + " (DROP TABLE " + table + "; for a DuckDB file, deleting the file also does) or write"
          + " to a new --sink, then run again", UNDEFINED_COLUMN);
    }
  }

  /**
   * Binds an insert of no rows with the writer's conflict target: both PostgreSQL and DuckDB check
   * the target against the table's constraints when binding, exactly as for the real merge.
   */
  private static void requireKey(Connection c, String table, List<String> keys) throws SQLException {
    String columns = String.join(", ", keys.stream().map(RowSql::identifier).toList());
    String id = RowSql.identifier(table);
    try (Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO " + id + " (" + columns + ") SELECT " + columns + " FROM " + id
          + " WHERE false ON CONFLICT (" + columns + ") DO NOTHING");
    } catch (SQLException e) {
      if (!NO_CONFLICT_TARGET.equals(e.getSQLState())
          && !String.valueOf(e.getMessage()).contains("conflict target")) { // DuckDB has no SQLState
        throw e;
      }
      throw new SQLException("table " + table + " has no primary key or unique constraint on ("
          + columns + "), which meshflow upserts by, so that a replay never doubles a row; it was"
          + " not made by meshflow. Add the key (ALTER TABLE " + table + " ADD PRIMARY KEY ("
          + columns + ")), drop the table so meshflow makes it, or write to a new --sink, then run"
          + " again", NO_CONFLICT_TARGET, e);
    }
  }
}
