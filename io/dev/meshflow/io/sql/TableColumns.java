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
 * Checks that an existing table has every column a writer is about to fill. A table left by an
 * older meshflow (before a column was added) would otherwise refuse every row, and each refusal
 * would look like a row's own fault and become a dead letter. This fails the write instead, once,
 * with a message that says what to do.
 */
public final class TableColumns {
  /** SQLState of an undefined column: not a data error, so no row is blamed for it. */
  public static final String UNDEFINED_COLUMN = "42703";

  private TableColumns() {}

  public static void require(Connection c, String table, Schema schema) throws SQLException {
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
}
