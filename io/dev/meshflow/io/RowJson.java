package dev.meshflow.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/** A flat Beam row as one JSON object: instants as ISO-8601 strings, bytes as base64. */
public final class RowJson {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private RowJson() {}

  public static byte[] toJson(Row row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      Schema schema = row.getSchema();
      for (int i = 0; i < schema.getFieldCount(); i++) {
        Object v = row.getValue(i);
        g.writeFieldName(schema.getField(i).getName());
        if (v == null) {
          g.writeNull();
        } else if (v instanceof String) {
          g.writeString((String) v);
        } else if (v instanceof Long || v instanceof Integer) {
          g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double) {
          g.writeNumber((Double) v);
        } else if (v instanceof Boolean) {
          g.writeBoolean((Boolean) v);
        } else if (v instanceof ReadableInstant) {
          g.writeString(java.time.Instant.ofEpochMilli(((ReadableInstant) v).getMillis()).toString());
        } else if (v instanceof byte[]) {
          g.writeString(Base64.getEncoder().encodeToString((byte[]) v));
        } else {
          throw new IllegalArgumentException("unsupported value " + v.getClass() + " in " + schema);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
