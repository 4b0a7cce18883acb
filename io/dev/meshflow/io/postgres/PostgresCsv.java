package dev.meshflow.io.postgres;

import dev.meshflow.io.sql.RowSql;
import java.util.HexFormat;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/** Renders rows in PostgreSQL's COPY CSV format: quoted text, unquoted empty field for NULL. */
final class PostgresCsv {
  private PostgresCsv() {}

  static void append(StringBuilder out, Row row) {
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      if (i > 0) {
        out.append(',');
      }
      Object v = row.getValue(i);
      if (v == null) {
        continue; // an unquoted empty field is NULL
      }
      switch (schema.getField(i).getType().getTypeName()) {
        case STRING:
          quoted(out, (String) v);
          break;
        case BYTES:
          out.append("\\x").append(HexFormat.of().formatHex((byte[]) v));
          break;
        case DATETIME:
          out.append(RowSql.utc(((ReadableInstant) v).getMillis()));
          break;
        default:
          out.append(v);
      }
    }
    out.append('\n');
  }

  private static void quoted(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        out.append('"');
      }
      out.append(c);
    }
    out.append('"');
  }
}
