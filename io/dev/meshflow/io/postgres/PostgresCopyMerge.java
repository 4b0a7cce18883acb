package dev.meshflow.io.postgres;

import dev.meshflow.io.sql.RowSql;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.postgresql.PGConnection;

/**
 * Rows into a PostgreSQL table the fast way: {@code COPY} (CSV) into a temporary staging table,
 * then one {@code INSERT ... SELECT ... ON CONFLICT}. The server parses and plans one statement
 * instead of one per row, which is most of the cost of row-wise upserts. Runs in the caller's
 * transaction; the staging table empties itself at commit.
 */
final class PostgresCopyMerge {
  private PostgresCopyMerge() {}

  /** @return how many rows were inserted or updated */
  static long copyAndMerge(Connection c, String table, List<String> keys, List<Row> unordered,
      boolean insertOnly) throws SQLException {
    if (unordered.isEmpty()) {
      return 0;
    }
    List<Row> rows = inKeyOrder(unordered, keys);
    Schema schema = rows.get(0).getSchema();
    String staging = "stage_" + table;
    RowSql.execute(c, "CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + RowSql.identifier(table)
        + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
    StringBuilder csv = new StringBuilder(rows.size() * 200);
    for (Row row : rows) {
      PostgresCsv.append(csv, row);
    }
    try {
      ((PGConnection) c).getCopyAPI().copyIn("COPY " + staging + " ("
          + String.join(", ", schema.getFieldNames()) + ") FROM STDIN WITH (FORMAT csv)",
          new StringReader(csv.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY into " + staging + " failed", "08006", e); // a broken connection
    }
    try (Statement st = c.createStatement()) {
      long n = st.executeUpdate(RowSql.mergeSql(table, staging, schema, keys, insertOnly));
      st.execute("TRUNCATE " + staging); // the next batch of this transaction starts empty
      return n;
    }
  }

  /**
   * The rows sorted by key. Transactions that touch the same keys then lock them in the same
   * order, so two concurrent loads or sink bundles with overlapping keys cannot deadlock.
   */
  static List<Row> inKeyOrder(List<Row> rows, List<String> keys) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(row -> keyText(row, keys)));
    return sorted;
  }

  private static String keyText(Row row, List<String> keys) {
    StringBuilder k = new StringBuilder();
    for (String key : keys) {
      k.append(String.valueOf((Object) row.getValue(key))).append('\u0001');
    }
    return k.toString();
  }
}
