package dev.meshflow.io.mesh.contract;

import dev.meshflow.io.mesh.registry.CompatibilityMode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A data product as its contract (ODCS v3) describes it: who owns it, its schema, where it can be
 * read, how fresh it is promised to be, and how its schema may change.
 *
 * @param file where the contract was read from, for messages
 * @param text the contract exactly as written, kept when the catalog registers it
 */
public record DataContract(String name, String id, String version, String status, String domain,
    String team, String purpose, String usage, List<ContractField> fields, List<OutputPort> ports,
    Duration freshness, Duration allowedLateness, CompatibilityMode compatibility, String file,
    String text) {

  public DataContract {
    fields = List.copyOf(fields);
    ports = List.copyOf(ports);
  }

  /** The field that identifies a record (the primary key), if the contract names one. */
  public Optional<ContractField> key() {
    return fields.stream().filter(ContractField::primaryKey).findFirst();
  }

  public Optional<ContractField> field(String fieldName) {
    return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }

  /** The first port of a type (kafka, kinesis, postgres, duckdb, local). */
  public Optional<OutputPort> port(String type) {
    return ports.stream().filter(p -> p.type().equals(type)).findFirst();
  }

  public boolean deprecated() {
    return status.equals("deprecated") || status.equals("retired");
  }
}
