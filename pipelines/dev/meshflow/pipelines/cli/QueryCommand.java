package dev.meshflow.pipelines.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code ./meshflow query [--db=FILE] ["SQL"]}: runs SQL read-only against the DuckDB warehouse and
 * prints an aligned table. Without SQL it lists the tables and their row counts.
 */
public final class QueryCommand {
  public static final String DEFAULT_DB = dev.meshflow.io.duckdb.DuckDbSink.DEFAULT_FILE;
  private static final int MAX_CELL = 60;

  private QueryCommand() {}

  public static void run(List<String> args, PrintStream out) throws SQLException {
    String db = DEFAULT_DB;
    StringBuilder sql = new StringBuilder();
    for (String a : args) {
      if (a.startsWith("--db=")) {
        db = a.substring(5);
      } else if (a.startsWith("--")) {
        throw new IllegalArgumentException("query: unknown option " + a + "; accepted: --db=FILE");
      } else {
        sql.append(sql.length() == 0 ? "" : " ").append(a);
      }
    }
    if (db.startsWith("duckdb:")) {
      db = db.substring("duckdb:".length());
    }
    if (!Files.exists(Path.of(db))) {
      throw new IllegalArgumentException(
          "no warehouse at " + db + "; run ./meshflow interaction-analytics first, or pass --db=FILE");
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db, readOnly);
        Statement st = c.createStatement()) {
      String query = sql.length() > 0 ? sql.toString()
          : "SELECT table_name, estimated_size AS rows, column_count AS columns"
              + " FROM duckdb_tables() ORDER BY table_name";
      try (ResultSet rs = st.executeQuery(query)) {
        print(rs, out);
      }
    }
  }

  static void print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      header[i] = md.getColumnLabel(i + 1);
      width[i] = header[i].length();
    }
    while (rs.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        Object v = rs.getObject(i + 1);
        String s = v == null ? "NULL" : v instanceof byte[] ? ((byte[]) v).length + " bytes"
            : String.valueOf(v);
        s = s.replace('\n', ' ');
        row[i] = s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s;
        width[i] = Math.max(width[i], row[i].length());
      }
      rows.add(row);
    }
    out.println(line(header, width));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (String[] row : rows) {
      out.println(line(row, width));
    }
    out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      b.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", cells[i]));
    }
    return b.toString().stripTrailing();
  }
}
