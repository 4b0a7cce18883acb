package dev.meshflow.io.mesh.domains;

import dev.meshflow.io.mesh.contract.ContractAvro;
import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import dev.meshflow.io.mesh.registry.WireFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Writes changes the way a domain service does with the transactional outbox pattern: each
 * entity's row change and the event about it are written in one transaction, so an event exists if
 * and only if its change was committed. The event's payload is already what the product's topic
 * carries: the entity checked against its contract and encoded as Avro in the Confluent wire
 * format, under the schema id the catalog's registry gave the contract's schema. A delete has no
 * payload; the relay makes it a tombstone.
 */
public final class OutboxWriter {
  private final Connection connection;
  private final Map<String, Domain> domains = new HashMap<>();
  /** Statements prepared once per writer, by SQL text. */
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  /** What the writer needs of one domain. */
  private record Domain(DataContract contract, Schema schema, ContractRecords.Checker checker,
      WireFormat.Writer writer, String upsert, String delete, String outbox) {}

  /**
   * @param contracts the domains written to, each with its schema registered ({@code registry})
   */
  public OutboxWriter(Connection connection, List<DataContract> contracts, SchemaRegistry registry)
      throws SQLException {
    this.connection = connection;
    connection.setAutoCommit(false);
    for (DataContract contract : contracts) {
      Schema schema = ContractAvro.of(contract);
      int schemaId = ContractAvro.registeredId(contract, registry);
      DomainDatabase.Table table = DomainDatabase.table(contract);
      ContractField key = contract.key().orElseThrow(
          () -> new IllegalArgumentException(contract.name() + " has no key field"));
      List<String> names = contract.fields().stream().map(ContractField::name).toList();
      List<String> updates = new ArrayList<>();
      for (String n : names) {
        if (!n.equals(key.name())) {
          updates.add(n + " = EXCLUDED." + n);
        }
      }
      String upsert = "INSERT INTO " + table.qualified() + " (" + String.join(", ", names)
          + ") VALUES (" + String.join(", ", names.stream().map(n -> "?").toList()) + ") ON CONFLICT ("
          + key.name() + ") DO UPDATE SET " + String.join(", ", updates);
      String delete = "DELETE FROM " + table.qualified() + " WHERE " + key.name() + " = ?";
      String outbox = "INSERT INTO " + table.outbox()
          + " (id, aggregatetype, aggregateid, type, payload) VALUES (?, ?, ?, ?, ?)";
      domains.put(contract.name(), new Domain(contract, schema, new ContractRecords.Checker(contract),
          new WireFormat.Writer(schemaId, schema), upsert, delete, outbox));
    }
  }

  /** Writes {@code changes} in one transaction: all of them, or none. */
  public void write(List<Change> changes) throws SQLException {
    try {
      for (Change change : changes) {
        Domain d = domains.get(change.product());
        if (d == null) {
          throw new IllegalArgumentException("no domain database for product " + change.product());
        }
        byte[] payload = null;
        if (change.op().equals(Change.DELETED)) {
          PreparedStatement ps = statement(d.delete());
          ps.setString(1, change.key());
          ps.executeUpdate();
        } else {
          // Checked at the boundary: a record that breaks the contract is refused here, not downstream.
          d.checker().require(change.after());
          payload = d.writer().encode(
              ContractRecords.toAvroChecked(d.contract(), d.schema(), change.after()));
          PreparedStatement ps = statement(d.upsert());
          int i = 1;
          for (ContractField f : d.contract().fields()) {
            ps.setObject(i++, sqlValue(f, change.after().get(f.name())));
          }
          ps.executeUpdate();
        }
        PreparedStatement ps = statement(d.outbox());
        ps.setObject(1, change.eventId());
        ps.setString(2, change.product());
        ps.setString(3, change.key());
        ps.setString(4, change.op());
        ps.setBytes(5, payload);
        ps.executeUpdate();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static Object sqlValue(ContractField f, Object v) {
    if (v == null) {
      return null;
    }
    switch (f.physicalType()) {
      case "date":
        return v instanceof LocalDate ? v : LocalDate.parse(v.toString());
      case "timestamp-millis":
      case "timestamp-micros":
        return (v instanceof Instant i ? i : Instant.parse(v.toString())).atOffset(ZoneOffset.UTC);
      default:
        return v;
    }
  }
}
