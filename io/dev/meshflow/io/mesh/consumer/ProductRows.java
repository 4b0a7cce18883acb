package dev.meshflow.io.mesh.consumer;

import dev.meshflow.io.mesh.contract.ContractField;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;

/**
 * A product's records as Beam {@link Row}s with the product's schema: its fields (the key
 * required, the others nullable, so a delete can carry the key alone), then where the version came
 * from: {@code _deleted}, and for a changelog {@code _partition} and {@code _offset}, which order
 * a key's versions.
 */
public final class ProductRows {
  public static final String DELETED = "_deleted";
  public static final String PARTITION = "_partition";
  public static final String OFFSET = "_offset";

  private ProductRows() {}

  public static Schema schema(List<ContractField> fields) {
    Schema.Builder b = Schema.builder();
    for (ContractField f : fields) {
      Schema.FieldType type = type(f);
      b.addField(f.primaryKey() ? Schema.Field.of(f.name(), type) : Schema.Field.nullable(f.name(), type));
    }
    return b.addBooleanField(DELETED)
        .addNullableField(PARTITION, Schema.FieldType.INT32)
        .addNullableField(OFFSET, Schema.FieldType.INT64)
        .build();
  }

  static Schema.FieldType type(ContractField f) {
    switch (f.physicalType()) {
      case "int":
        return Schema.FieldType.INT32;
      case "long":
        return Schema.FieldType.INT64;
      case "float":
        return Schema.FieldType.FLOAT;
      case "double":
        return Schema.FieldType.DOUBLE;
      case "boolean":
        return Schema.FieldType.BOOLEAN;
      case "date":
        return Schema.FieldType.logicalType(SqlTypes.DATE);
      case "timestamp-millis":
      case "timestamp-micros":
        return Schema.FieldType.DATETIME;
      default:
        return Schema.FieldType.STRING;
    }
  }

  /** A decoded record (null: a delete of {@code key}) as a row. */
  static Row fromAvro(Schema schema, MeshProduct product, String key, GenericRecord record,
      Integer partition, Long offset) {
    Row.Builder row = Row.withSchema(schema);
    for (ContractField f : product.fields()) {
      if (record == null) {
        row.addValue(f.name().equals(product.keyField()) ? product.deliver(f, key) : null);
        continue;
      }
      Object v = record.get(f.name());
      row.addValue(v == null ? null : product.deliver(f, value(f, v)));
    }
    return row.addValues(record == null, partition, offset).build();
  }

  private static Object value(ContractField f, Object v) {
    switch (f.physicalType()) {
      case "date":
        return LocalDate.ofEpochDay(((Number) v).longValue());
      case "timestamp-millis":
        return new org.joda.time.Instant(((Number) v).longValue());
      case "timestamp-micros":
        return new org.joda.time.Instant(((Number) v).longValue() / 1000);
      case "string":
        return v.toString(); // Avro's Utf8
      default:
        return v;
    }
  }
}
