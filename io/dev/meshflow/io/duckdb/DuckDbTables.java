package dev.meshflow.io.duckdb;

import dev.meshflow.io.PaneVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/** Maps Beam schemas to DuckDB tables and binds row values to parameterised upserts. */
final class DuckDbTables {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  private DuckDbTables() {}

  static String identifier(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
    }
    return name;
  }

  static String createTableSql(String table, Schema schema, List<String> keys) {
    String columns = schema.getFields().stream()
        .map(f -> identifier(f.getName()) + " " + sqlType(f.getType())
            + (f.getType().getNullable() ? "" : " NOT NULL"))
        .collect(Collectors.joining(", "));
    return "CREATE TABLE IF NOT EXISTS " + identifier(table) + " (" + columns
        + ", PRIMARY KEY (" + String.join(", ", keys) + "))";
  }

  /** {@code INSERT ... VALUES (?,..),(?,..) ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c}. */
  static String upsertSql(String table, Schema schema, List<String> keys, int rows) {
    List<String> names = schema.getFieldNames();
    String tuple = "(" + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(identifier(table))
        .append(" (").append(String.join(", ", names)).append(") VALUES ");
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(tuple);
    }
    List<String> updates = names.stream().filter(n -> !keys.contains(n))
        .map(n -> n + " = EXCLUDED." + n).collect(Collectors.toList());
    sql.append(" ON CONFLICT (").append(String.join(", ", keys)).append(") ");
    sql.append(updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates));
    if (!updates.isEmpty() && PaneVersion.isVersioned(schema)) {
      // The database-side twin of PaneVersion.supersedes: never regress to an older pane.
      String t = identifier(table);
      sql.append(" WHERE EXCLUDED.").append(PaneVersion.IS_FINAL).append(" OR (NOT ").append(t)
          .append('.').append(PaneVersion.IS_FINAL).append(" AND EXCLUDED.")
          .append(PaneVersion.PANE_INDEX).append(" >= ").append(t).append('.')
          .append(PaneVersion.PANE_INDEX).append(')');
    }
    return sql.toString();
  }

  static void bind(PreparedStatement st, int offset, Row row) throws SQLException {
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Schema.FieldType type = schema.getField(i).getType();
      Object v = row.getValue(i);
      int p = offset + i + 1;
      switch (type.getTypeName()) {
        case STRING:
          if (v == null) st.setNull(p, Types.VARCHAR); else st.setString(p, (String) v);
          break;
        case INT64:
          if (v == null) st.setNull(p, Types.BIGINT); else st.setLong(p, (Long) v);
          break;
        case INT32:
          if (v == null) st.setNull(p, Types.INTEGER); else st.setInt(p, (Integer) v);
          break;
        case DOUBLE:
          if (v == null) st.setNull(p, Types.DOUBLE); else st.setDouble(p, (Double) v);
          break;
        case BOOLEAN:
          if (v == null) st.setNull(p, Types.BOOLEAN); else st.setBoolean(p, (Boolean) v);
          break;
        case BYTES:
          if (v == null) st.setNull(p, Types.BLOB); else st.setBytes(p, (byte[]) v);
          break;
        case DATETIME:
          if (v == null) {
            st.setNull(p, Types.TIMESTAMP);
          } else {
            long millis = ((ReadableInstant) v).getMillis();
            st.setObject(p, LocalDateTime.ofEpochSecond(
                Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000,
                ZoneOffset.UTC));
          }
          break;
        default:
          throw new IllegalArgumentException("unsupported column type " + type + " for DuckDB");
      }
    }
  }

  private static String sqlType(Schema.FieldType type) {
    switch (type.getTypeName()) {
      case STRING:
        return "VARCHAR";
      case INT64:
        return "BIGINT";
      case INT32:
        return "INTEGER";
      case DOUBLE:
        return "DOUBLE";
      case BOOLEAN:
        return "BOOLEAN";
      case BYTES:
        return "BLOB";
      case DATETIME:
        return "TIMESTAMP"; // UTC by convention: every writer converts at UTC
      default:
        throw new IllegalArgumentException("unsupported column type " + type + " for DuckDB");
    }
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
