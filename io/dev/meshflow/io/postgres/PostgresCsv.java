package dev.meshflow.io.postgres;

import dev.meshflow.io.sql.RowSql;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows to a {@code COPY ... FROM STDIN (FORMAT csv)} as UTF-8 bytes, in chunks: quoted
 * text, an unquoted empty field for NULL. Rows are encoded straight into one reused buffer rather
 * than into one large String that the driver would then re-encode (which took longer than the
 * COPY itself for a 50,000-row batch).
 */
final class PostgresCsv {
  private static final int CHUNK = 1 << 16;

  private byte[] buf = new byte[CHUNK + 1024];
  private int size;

  /** Encodes {@code rows} and writes them to {@code copy}; the caller ends or cancels the copy. */
  static void write(CopyIn copy, List<Row> rows) throws SQLException {
    PostgresCsv csv = new PostgresCsv();
    for (Row row : rows) {
      csv.append(row);
      if (csv.size >= CHUNK) {
        copy.writeToCopy(csv.buf, 0, csv.size);
        csv.size = 0;
      }
    }
    if (csv.size > 0) {
      copy.writeToCopy(csv.buf, 0, csv.size);
    }
  }

  private void append(Row row) {
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      if (i > 0) {
        put((byte) ',');
      }
      Object v = row.getValue(i);
      if (v == null) {
        continue; // an unquoted empty field is NULL
      }
      switch (schema.getField(i).getType().getTypeName()) {
        case STRING:
          quoted(((String) v).getBytes(StandardCharsets.UTF_8));
          break;
        case BYTES:
          ascii("\\x" + HexFormat.of().formatHex((byte[]) v));
          break;
        case DATETIME:
          ascii(RowSql.utc(((ReadableInstant) v).getMillis()).toString());
          break;
        default:
          ascii(String.valueOf(v));
      }
    }
    put((byte) '\n');
  }

  /** A quote inside UTF-8 text is always the byte 0x22 (no multi-byte sequence contains it). */
  private void quoted(byte[] utf8) {
    ensure(utf8.length * 2 + 2);
    buf[size++] = '"';
    for (byte b : utf8) {
      if (b == '"') {
        buf[size++] = '"';
      }
      buf[size++] = b;
    }
    buf[size++] = '"';
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[size++] = (byte) s.charAt(i);
    }
  }

  private void put(byte b) {
    ensure(1);
    buf[size++] = b;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
