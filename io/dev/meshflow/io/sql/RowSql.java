package dev.meshflow.io.sql;

import dev.meshflow.core.PaneVersion;
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

/**
 * Maps Beam schemas to SQL tables and binds row values to parameterised statements. DuckDB and
 * PostgreSQL share the upsert syntax ({@code ON CONFLICT ... DO UPDATE SET c = EXCLUDED.c}); only
 * the column types differ.
 */
public final class RowSql {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  /** The SQL dialects meshflow writes. */
  public enum Dialect {
    DUCKDB("VARCHAR", "BLOB", "DOUBLE"),
    POSTGRES("TEXT", "BYTEA", "DOUBLE PRECISION");

    private final String text;
    private final String bytes;
    private final String dbl;

    Dialect(String text, String bytes, String dbl) {
      this.text = text;
      this.bytes = bytes;
      this.dbl = dbl;
    }
  }

  private RowSql() {}

  /** Table and column names come from code, never from input; this keeps it that way. */
  public static String identifier(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
    }
    return name;
  }

  public static String createTableSql(Dialect dialect, String table, Schema schema, List<String> keys) {
    String columns = schema.getFields().stream()
        .map(f -> identifier(f.getName()) + " " + sqlType(dialect, f.getType())
            + (f.getType().getNullable() ? "" : " NOT NULL"))
        .collect(Collectors.joining(", "));
    return "CREATE TABLE IF NOT EXISTS " + identifier(table) + " (" + columns
        + ", PRIMARY KEY (" + String.join(", ", keys) + "))";
  }

  /** {@code INSERT ... VALUES (?,..),(?,..) ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c}. */
  public static String upsertSql(String table, Schema schema, List<String> keys, int rows) {
    return upsertSql(table, schema, keys, rows, false);
  }

  /** As {@link #upsertSql(String, Schema, List, int)}; insertOnly keeps an existing row as it is. */
  public static String upsertSql(String table, Schema schema, List<String> keys, int rows,
      boolean insertOnly) {
    List<String> names = schema.getFieldNames();
    String tuple = "(" + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      values.append(i == 0 ? "" : ", ").append(tuple);
    }
    return "INSERT INTO " + identifier(table) + " (" + String.join(", ", names) + ") VALUES "
        + values + onConflict(table, schema, keys, insertOnly);
  }

  /** {@code INSERT INTO table SELECT * FROM staging ON CONFLICT ...}: merges a staged batch. */
  public static String mergeSql(String table, String staging, Schema schema, List<String> keys,
      boolean insertOnly) {
    List<String> names = schema.getFieldNames();
    return "INSERT INTO " + identifier(table) + " (" + String.join(", ", names) + ") SELECT "
        + String.join(", ", names) + " FROM " + identifier(staging)
        + onConflict(table, schema, keys, insertOnly);
  }

  private static String onConflict(String table, Schema schema, List<String> keys,
      boolean insertOnly) {
    List<String> updates = schema.getFieldNames().stream().filter(n -> !insertOnly && !keys.contains(n))
        .map(n -> n + " = EXCLUDED." + n).collect(Collectors.toList());
    StringBuilder sql = new StringBuilder(" ON CONFLICT (").append(String.join(", ", keys)).append(") ");
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

  /** Binds every field of {@code row} to parameters {@code offset+1 ... offset+fields}. */
  public static void bind(PreparedStatement st, int offset, Row row) throws SQLException {
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
          if (v == null) st.setNull(p, Types.BINARY); else st.setBytes(p, (byte[]) v);
          break;
        case DATETIME:
          if (v == null) st.setNull(p, Types.TIMESTAMP); else st.setObject(p, utc(((ReadableInstant) v).getMillis()));
          break;
        case LOGICAL_TYPE:
          if (!isDate(type)) {
            throw new IllegalArgumentException("unsupported column type " + type);
          }
          if (v == null) st.setNull(p, Types.DATE); else st.setObject(p, v); // a java.time.LocalDate
          break;
        default:
          throw new IllegalArgumentException("unsupported column type " + type);
      }
    }
  }

  /** Beam's SQL DATE (a {@code java.time.LocalDate}), as the products' date fields are read. */
  public static boolean isDate(Schema.FieldType type) {
    return type.getTypeName() == Schema.TypeName.LOGICAL_TYPE && type.getLogicalType() != null
        && org.apache.beam.sdk.schemas.logicaltypes.SqlTypes.DATE.getIdentifier()
            .equals(type.getLogicalType().getIdentifier());
  }

  /** TIMESTAMP columns hold UTC by convention: every writer converts at UTC. */
  public static LocalDateTime utc(long millis) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000, ZoneOffset.UTC);
  }

  static String sqlType(Dialect dialect, Schema.FieldType type) {
    switch (type.getTypeName()) {
      case STRING:
        return dialect.text;
      case INT64:
        return "BIGINT";
      case INT32:
        return "INTEGER";
      case DOUBLE:
        return dialect.dbl;
      case BOOLEAN:
        return "BOOLEAN";
      case BYTES:
        return dialect.bytes;
      case DATETIME:
        return "TIMESTAMP";
      case LOGICAL_TYPE:
        if (isDate(type)) {
          return "DATE";
        }
        throw new IllegalArgumentException("unsupported column type " + type);
      default:
        throw new IllegalArgumentException("unsupported column type " + type);
    }
  }

  public static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
