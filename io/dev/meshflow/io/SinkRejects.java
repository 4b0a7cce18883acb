package dev.meshflow.io;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Rows a warehouse refused (a value it cannot store, a constraint it enforces). A sink never drops
 * them: it emits one of these per refused row, and the pipeline dead-letters it with stage
 * {@code sink}.
 */
public final class SinkRejects {
  public static final Schema SCHEMA = Schema.builder()
      .addStringField("table")
      .addStringField("row_key")
      .addStringField("reason")
      .addNullableField("origin", Schema.FieldType.STRING)
      .addStringField("row_text")
      .build();

  /** The conventional column that names where a row came from, used as the dead letter's origin. */
  public static final String ORIGIN_COLUMN = "source_origin";

  private SinkRejects() {}

  public static Row of(String table, List<String> keys, Row row, String reason) {
    StringBuilder key = new StringBuilder();
    for (String k : keys) {
      key.append(key.length() == 0 ? "" : "/").append(row.getValue(k) == null ? "" : row.getValue(k).toString());
    }
    String origin = row.getSchema().hasField(ORIGIN_COLUMN) ? row.getString(ORIGIN_COLUMN) : null;
    return Row.withSchema(SCHEMA).addValues(table, key.toString(), reason, origin, render(row)).build();
  }

  private static String render(Row row) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < row.getFieldCount(); i++) {
      Object v = row.getValue(i);
      out.append(i == 0 ? "" : ", ").append(row.getSchema().getField(i).getName()).append('=')
          .append(v instanceof byte[] ? ((byte[]) v).length + " bytes" : String.valueOf(v));
    }
    return out.append('}').toString();
  }
}
