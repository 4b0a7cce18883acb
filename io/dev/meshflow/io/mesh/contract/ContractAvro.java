package dev.meshflow.io.mesh.contract;

import dev.meshflow.io.mesh.registry.SchemaRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A contract's schema as the Avro record its product's topic carries and the registry versions.
 * A required field has its plain type; an optional one is {@code ["null", type]} with default
 * null, so adding or removing an optional field is compatible both ways. The record's name comes
 * from the product's name, so it stays the same across versions, as Avro's resolution needs.
 */
public final class ContractAvro {
  public static final String NAMESPACE = "dev.meshflow.mesh";

  private ContractAvro() {}

  public static Schema of(DataContract contract) {
    List<Schema.Field> fields = new ArrayList<>();
    for (ContractField f : contract.fields()) {
      Schema type = type(f);
      Schema.Field field = f.required()
          ? new Schema.Field(f.name(), type, f.description().isEmpty() ? null : f.description())
          : new Schema.Field(f.name(), Schema.createUnion(Schema.create(Schema.Type.NULL), type),
              f.description().isEmpty() ? null : f.description(), JsonProperties.NULL_VALUE);
      if (f.pii()) {
        field.addProp("classification", "pii");
      }
      fields.add(field);
    }
    return Schema.createRecord(recordName(contract.name()), contract.purpose().isEmpty() ? null
        : contract.purpose(), NAMESPACE, false, fields);
  }

  /**
   * The global id of the contract's schema, which must be the product's latest registered version:
   * what a producer writes under.
   */
  public static int registeredId(DataContract contract, SchemaRegistry registry) {
    SchemaRegistry.Registered latest = registry.latest(contract.name())
        .orElseThrow(() -> new IllegalArgumentException(contract.name() + " has no registered schema;"
            + " ./meshflow catalog register its contract first"));
    if (SchemaNormalization.parsingFingerprint64(latest.schema())
        != SchemaNormalization.parsingFingerprint64(of(contract))) {
      throw new IllegalArgumentException(contract.name() + ": the contract's schema is not its"
          + " latest registered version (v" + latest.version() + "); register the contract first");
    }
    return latest.id();
  }

  /** {@code podcast-episodes} becomes {@code PodcastEpisodes}. */
  static String recordName(String product) {
    StringBuilder s = new StringBuilder();
    for (String part : product.split("[-_]")) {
      if (!part.isEmpty()) {
        s.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return s.toString();
  }

  private static Schema type(ContractField f) {
    switch (f.physicalType()) {
      case "int":
        return Schema.create(Schema.Type.INT);
      case "long":
        return Schema.create(Schema.Type.LONG);
      case "float":
        return Schema.create(Schema.Type.FLOAT);
      case "double":
        return Schema.create(Schema.Type.DOUBLE);
      case "boolean":
        return Schema.create(Schema.Type.BOOLEAN);
      case "date":
        return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
      case "timestamp-millis":
        return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
      case "timestamp-micros":
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      default:
        return Schema.create(Schema.Type.STRING);
    }
  }
}
