package dev.meshflow.testing;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.testing.services.RestartablePostgres;
import java.nio.charset.StandardCharsets;
import dev.meshflow.transforms.interactions.ItemMinuteStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.Row;

/**
 * Reads ingestion tables back from DuckDB or PostgreSQL in one text form, so that a table, a view
 * and the model's rows compare line by line.
 */
public final class Tables {
  private final Callable<Connection> connect;
  private final boolean postgres;
  private final Callable<String> sinkUri;

  private Tables(Callable<Connection> connect, boolean postgres, Callable<String> sinkUri) {
    this.connect = connect;
    this.postgres = postgres;
    this.sinkUri = sinkUri;
  }

  public static Tables duckDb(String file) {
    return new Tables(() -> DuckDbDatabases.connect(file), false, () -> "duckdb:" + file);
  }

  public static Tables postgres(String database) {
    return new Tables(() -> Postgres.connect(database), true, () -> Postgres.sinkUri(database));
  }

  /** A database on a PostgreSQL server of the test's own. */
  public static Tables postgres(RestartablePostgres server, String database) {
    return new Tables(() -> server.connect(database), true, () -> server.sinkUri(database));
  }

  /** The {@code --sink} that writes into this warehouse. */
  public String sinkUri() throws Exception {
    return sinkUri.call();
  }

  /** A new connection to the warehouse; the caller closes it. */
  public Connection connect() throws Exception {
    return connect.call();
  }

  /** The typed columns ETL and ELT share. */
  public static final String TYPED = "event_id, %s, user_id, item_id, item_type, event_type,"
      + " device, session_id, duration_ms";
  /** Every column of the ETL table. */
  public static final String ALL = TYPED + ", device_filled, title, artist, genre, source_origin";

  private String millis() {
    return epochMillis("event_ts");
  }

  /** SQL for a timestamp column as epoch milliseconds, in this warehouse's dialect. */
  public String epochMillis(String column) {
    return postgres ? "(extract(epoch FROM " + column + ") * 1000)::bigint" : "epoch_ms(" + column + ")";
  }

  /** {@code columns} (TYPED or ALL) of a table or view, one line per row, by event_id. */
  public List<String> interactions(String from, String columns) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = connect.call(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + String.format(columns, millis()) + " FROM " + from
            + " ORDER BY event_id")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder line = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          line.append(i == 1 ? "" : "|").append(rs.getObject(i));
        }
        out.add(line.toString());
      }
    }
    return out;
  }

  /** {@code item_minute_stats}, one line per row, by window and item, as {@link #lines} renders the model's. */
  public List<String> itemMinuteStats() throws Exception {
    return dump("SELECT " + epochMillis("window_start") + ", item_id, item_type, plays, skips, likes,"
        + " playlist_adds, unique_users FROM item_minute_stats ORDER BY 1, 2");
  }

  /** The model's {@code item_minute_stats} rows in {@link #itemMinuteStats}' form. */
  public static List<String> lines(List<ItemMinuteStats> stats) {
    List<String> out = new ArrayList<>();
    for (ItemMinuteStats s : stats) {
      out.add(s.windowStartMillis + "|" + s.itemId + "|" + s.itemType + "|" + s.plays + "|" + s.skips + "|"
          + s.likes + "|" + s.playlistAdds + "|" + s.uniqueUsers);
    }
    return out;
  }

  /** The model's rows in the same form. */
  public static List<String> render(Iterable<Row> rows, String columns) {
    List<String> out = new ArrayList<>();
    String[] names = String.format(columns, "event_ts").split(",\\s*");
    for (Row r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < names.length; i++) {
        Object v = r.getValue(names[i]);
        if (v instanceof org.joda.time.ReadableInstant) {
          v = ((org.joda.time.ReadableInstant) v).getMillis();
        }
        line.append(i == 0 ? "" : "|").append(v);
      }
      out.add(line.toString());
    }
    return out;
  }

  /** Dead letters as origin to "stage: reason". */
  public Map<String, String> deadLetters() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = connect.call(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT origin, stage, reason FROM dead_letter")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2) + ": " + rs.getString(3));
      }
    }
    return out;
  }

  /** The event_id in the payload of each dead letter of {@code stage}. */
  public Set<String> deadLetterEventIds(String stage) throws Exception {
    Set<String> out = new TreeSet<>();
    Pattern id = Pattern.compile("\"event_id\"\\s*:\\s*\"([^\"]+)\"");
    try (Connection c = connect.call();
        PreparedStatement st = c.prepareStatement("SELECT payload FROM dead_letter WHERE stage = ?")) {
      st.setString(1, stage);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Matcher m = id.matcher(new String(rs.getBytes(1), StandardCharsets.UTF_8));
          if (m.find()) {
            out.add(m.group(1));
          }
        }
      }
    }
    return out;
  }

  /** A map's values, sorted: dead letters by content where origins differ by source. */
  public static List<String> sortedValues(Map<String, String> byKey) {
    List<String> out = new ArrayList<>(byKey.values());
    out.sort(String::compareTo);
    return out;
  }

  public long count(String sql, Object... parameters) throws Exception {
    try (Connection c = connect.call(); PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        st.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Every row of a query as text, for before/after comparisons. */
  public List<String> dump(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = connect.call(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder line = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          line.append(i == 1 ? "" : "|").append(v instanceof byte[] ? java.util.Arrays.toString((byte[]) v) : v);
        }
        out.add(line.toString());
      }
    }
    return out;
  }
}
