package dev.meshflow.io.duckdb;

import dev.meshflow.io.sql.RowSql;
import java.sql.SQLException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.duckdb.DuckDBAppender;
import org.joda.time.ReadableInstant;

/** Appends one Beam row to a DuckDB Appender, column by column. */
final class DuckDbAppend {
  private DuckDbAppend() {}

  static void row(DuckDBAppender appender, Row row) throws SQLException {
    appender.beginRow();
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Object v = row.getValue(i);
      if (v == null) {
        appender.appendNull();
        continue;
      }
      switch (schema.getField(i).getType().getTypeName()) {
        case STRING:
          appender.append((String) v);
          break;
        case INT64:
          appender.append((long) (Long) v);
          break;
        case INT32:
          appender.append((int) (Integer) v);
          break;
        case DOUBLE:
          appender.append((double) (Double) v);
          break;
        case BOOLEAN:
          appender.append((boolean) (Boolean) v);
          break;
        case BYTES:
          appender.append((byte[]) v); // a BLOB (appendByteArray is for arrays)
          break;
        case DATETIME:
          appender.append(RowSql.utc(((ReadableInstant) v).getMillis()));
          break;
        case LOGICAL_TYPE:
          if (!RowSql.isDate(schema.getField(i).getType())) {
            throw new IllegalArgumentException("unsupported column type " + schema.getField(i).getType());
          }
          appender.append((java.time.LocalDate) v);
          break;
        default:
          throw new IllegalArgumentException("unsupported column type " + schema.getField(i).getType());
      }
    }
    appender.endRow();
  }
}
