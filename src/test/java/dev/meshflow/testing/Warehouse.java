package dev.meshflow.testing;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.transforms.interactions.ItemMinuteStats;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the tables a pipeline wrote, through the same in-JVM DuckDB instance the sink used. */
public final class Warehouse {
  private final String file;
  private final Tables tables;

  public Warehouse(String file) {
    this.file = file;
    this.tables = Tables.duckDb(file);
  }

  public List<ItemMinuteStats> stats() throws SQLException {
    List<ItemMinuteStats> out = new ArrayList<>();
    try (Connection c = DuckDbDatabases.connect(file); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT epoch_ms(window_start), epoch_ms(window_end), item_id, item_type, plays, skips,"
                + " likes, playlist_adds, unique_users FROM item_minute_stats"
                + " ORDER BY window_start, item_id")) {
      while (rs.next()) {
        out.add(new ItemMinuteStats(rs.getLong(1), rs.getLong(2), rs.getString(3),
            rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
            rs.getLong(9)));
      }
    }
    return out;
  }

  /** Dead letters as origin to "stage: reason". */
  public Map<String, String> deadLetters() throws Exception {
    return tables.deadLetters();
  }

  /** Dead-letter payloads by origin, exactly as stored. */
  public Map<String, byte[]> deadLetterPayloads() throws SQLException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Connection c = DuckDbDatabases.connect(file); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT origin, payload FROM dead_letter")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getBytes(2));
      }
    }
    return out;
  }

  public long count(String sql) throws Exception {
    return tables.count(sql);
  }

  /** Everything in a table except the columns named, as text, for before/after comparisons. */
  public List<String> dump(String table, String orderBy, String... excluded) throws Exception {
    String exclude = excluded.length == 0 ? "" : " EXCLUDE (" + String.join(", ", excluded) + ")";
    return tables.dump("SELECT *" + exclude + " FROM " + table + " ORDER BY " + orderBy);
  }
}
