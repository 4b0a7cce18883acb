package dev.meshflow.launcher;

import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./meshflow query [--db=WAREHOUSE] ["SQL"]}: runs SQL read-only against a warehouse (a
 * DuckDB file, or any {@code --sink} warehouse URI such as {@code postgresql://...}) and prints an
 * aligned table. Without SQL it lists the tables and their row counts.
 */
public final class QueryCommand {
  public static final String DEFAULT_DB = dev.meshflow.io.duckdb.DuckDbSink.DEFAULT_FILE;
  /** The consumer domain a person at the command line acts for unless --domain says otherwise. */
  public static final String DEFAULT_DOMAIN = "analytics";
  private static final int MAX_CELL = 60;
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow query [--db=WAREHOUSE] [--domain=D] [SQL]",
      "",
      "Runs SQL read-only against a warehouse and prints the result as a table; statements that",
      "would change anything fail. Without SQL it lists the tables and their row counts.",
      "",
      "  --db=WAREHOUSE   (default: " + DEFAULT_DB + ")",
      "                   a DuckDB file (path or duckdb:<path>), or the --sink URI a job wrote to,",
      "                   e.g. 'postgresql://127.0.0.1:5432/postgres?user=postgres'. A PostgreSQL",
      "                   password comes from PGPASSWORD; the run summary's look line has the URI.",
      "  --domain=D       (default: " + DEFAULT_DOMAIN + ") the consumer domain you act for: a statement",
      "                   that names a data product's table needs its grant, and without a PII grant",
      "                   it may not name a personal field or select * (./meshflow access --help)",
      "  --catalog=DIR    (default: " + CatalogCommand.DEFAULT_DIR + ") the catalog whose products and grants apply",
      "  SQL              one statement; quote it as one argument, or its words are joined",
      "  --help, -h       this text");
  private static final String DUCKDB_TABLES = "SELECT table_name, estimated_size AS rows,"
      + " column_count AS columns FROM duckdb_tables() ORDER BY table_name";
  /** Exact counts, each by a query of its own inside query_to_xml: one statement, no function. */
  private static final String POSTGRES_TABLES = "SELECT t.table_name, (xpath('/row/n/text()',"
      + " query_to_xml(format('SELECT count(*) AS n FROM %I.%I', t.table_schema, t.table_name),"
      + " false, true, '')))[1]::text::bigint AS rows, (SELECT count(*) FROM information_schema.columns c"
      + " WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name) AS columns"
      + " FROM information_schema.tables t WHERE t.table_schema = current_schema()"
      + " AND t.table_type = 'BASE TABLE' ORDER BY t.table_name";

  private QueryCommand() {}

  public static void run(List<String> args, PrintStream out) throws SQLException {
    String db = DEFAULT_DB;
    String domain = DEFAULT_DOMAIN;
    String catalog = null;
    StringBuilder sql = new StringBuilder();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        return;
      } else if (a.startsWith("--db=")) {
        db = a.substring(5);
      } else if (a.startsWith("--domain=")) {
        domain = a.substring("--domain=".length());
      } else if (a.startsWith("--catalog=")) {
        catalog = a.substring("--catalog=".length());
      } else if (a.startsWith("--")) {
        throw new IllegalArgumentException("query: unknown option " + a + "; accepted: --db=WAREHOUSE,"
            + " --domain=D, --catalog=DIR (./meshflow query --help)");
      } else {
        sql.append(sql.length() == 0 ? "" : " ").append(a);
      }
    }
    if (sql.length() > 0) {
      QueryAccess.check(sql.toString(), domain, catalog == null ? CatalogCommand.DEFAULT_DIR : catalog,
          catalog != null);
    }
    TableSink warehouse = warehouse("--db", db);
    try (Connection c = open(warehouse); Statement st = c.createStatement()) {
      String query = sql.length() > 0 ? sql.toString()
          : "postgres".equals(warehouse.sqlDialect()) ? POSTGRES_TABLES : DUCKDB_TABLES;
      try (ResultSet rs = st.executeQuery(query)) {
        print(rs, out);
      }
    }
  }

  /**
   * The warehouse that {@code option} (as {@code --db}) names: a bare path is a DuckDB file, as it
   * always was; anything with a scheme is a sink URI. Errors name the option as the user typed it.
   */
  static TableSink warehouse(String option, String db) {
    TableSink sink;
    try {
      sink = Endpoints.sink(db.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*") ? db : "duckdb:" + db);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage().replace("--sink=", option + "=");
      throw new IllegalArgumentException(message.contains(option + "=") ? message : option + "=" + message, e);
    }
    if (sink.sqlDialect() == null) {
      throw new IllegalArgumentException(option + "=" + db + ": not a warehouse; use a DuckDB file or"
          + " postgresql://host:port/db?user=U");
    }
    return sink;
  }

  private static Connection open(TableSink warehouse) throws SQLException {
    try {
      return warehouse.openReadOnly();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "; run a job that writes there first"
          + " (./meshflow interaction-analytics writes " + DEFAULT_DB + "), or pass --db=WAREHOUSE", e);
    }
  }

  static void print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    boolean[] numeric = new boolean[n];
    for (int i = 0; i < n; i++) {
      header[i] = md.getColumnLabel(i + 1);
      width[i] = header[i].length();
      numeric[i] = true;
    }
    while (rs.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        Object v = rs.getObject(i + 1);
        numeric[i] &= v == null || v instanceof Number;
        String s = v == null ? "NULL" : v instanceof byte[] ? ((byte[]) v).length + " bytes"
            : String.valueOf(v);
        s = s.replace('\n', ' ');
        row[i] = s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s;
        width[i] = Math.max(width[i], row[i].length());
      }
      rows.add(row);
    }
    out.println(line(header, width, new boolean[n]));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (String[] row : rows) {
      out.println(line(row, width, numeric));
    }
    out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
  }

  /** Numbers are right-aligned, so that their digits line up. */
  private static String line(String[] cells, int[] width, boolean[] rightAligned) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      b.append(i == 0 ? "" : " | ")
          .append(String.format("%" + (rightAligned[i] ? "" : "-") + width[i] + "s", cells[i]));
    }
    return b.toString().stripTrailing();
  }
}
