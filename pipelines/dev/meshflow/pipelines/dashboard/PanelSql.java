package dev.meshflow.pipelines.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * What every panel's queries share: rows as JSON objects, timestamps as UTC instants, and a table
 * that does not exist yet told apart from a failing query. Queries name only the project's own
 * tables; a value from a request is always a bound parameter.
 */
final class PanelSql {
  static final ObjectMapper JSON = new ObjectMapper();

  private PanelSql() {}

  /** Whether {@code table} (a name of the project's, never input) can be read. */
  static boolean exists(Connection c, String table) {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0")) {
      return true;
    } catch (SQLException missing) {
      return false;
    }
  }

  /** The panel part that says, in one line, which table it waits for and what writes it. */
  static ObjectNode missing(String table, String writtenBy) {
    return JSON.createObjectNode().put("missing", "no " + table + " table in this warehouse yet: " + writtenBy
        + " writes it");
  }

  /** The rows of {@code sql}, which reads {@code table}; the one-line note instead while the table is missing. */
  static com.fasterxml.jackson.databind.JsonNode rowsOrMissing(Connection c, String table, String writtenBy, String sql)
      throws SQLException {
    return exists(c, table) ? rows(c, sql) : missing(table, writtenBy);
  }

  /** How many rows {@code table} holds. */
  static long count(Connection c, String table) throws SQLException {
    return rows(c, "SELECT count(*) AS n FROM " + table).get(0).path("n").asLong();
  }

  /** Each row of {@code sql} (with {@code params} bound in order) as an object keyed by column label. */
  static ArrayNode rows(Connection c, String sql, List<?> params) throws SQLException {
    ArrayNode out = JSON.createArrayNode();
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        st.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = st.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          ObjectNode row = out.addObject();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            put(row, meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs, i, meta.getColumnType(i));
          }
        }
      }
    }
    return out;
  }

  static ArrayNode rows(Connection c, String sql) throws SQLException {
    return rows(c, sql, List.of());
  }

  private static void put(ObjectNode row, String name, ResultSet rs, int i, int type) throws SQLException {
    switch (type) {
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
        LocalDateTime t = rs.getObject(i, LocalDateTime.class);
        row.put(name, t == null ? null : t.toInstant(ZoneOffset.UTC).toString());
      }
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.DOUBLE, Types.FLOAT, Types.REAL,
          Types.DECIMAL, Types.NUMERIC -> putNumber(row, name, rs.getObject(i));
      case Types.BOOLEAN, Types.BIT -> {
        boolean v = rs.getBoolean(i);
        if (rs.wasNull()) {
          row.putNull(name);
        } else {
          row.put(name, v);
        }
      }
      default -> {
        // DuckDB's sum of BIGINT is a HUGEINT, which its driver reports as neither: still a number.
        Object value = rs.getObject(i);
        if (value instanceof Number n) {
          putNumber(row, name, n);
        } else {
          row.put(name, value == null ? null : rs.getString(i));
        }
      }
    }
  }

  /** A whole number as one (PostgreSQL's sum of BIGINT is a NUMERIC), anything else as a double; NaN as null. */
  private static void putNumber(ObjectNode row, String name, Object value) {
    if (value == null) {
      row.putNull(name);
    } else if (value instanceof java.math.BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
      row.put(name, d.longValueExact());
    } else if (value instanceof java.math.BigInteger || value instanceof Long || value instanceof Integer
        || value instanceof Short || value instanceof Byte) {
      row.put(name, ((Number) value).longValue());
    } else {
      double v = ((Number) value).doubleValue();
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        row.putNull(name);
      } else {
        row.put(name, v);
      }
    }
  }
}
