package dev.meshflow.io.mesh.domains;

import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The producer domains' operational tables on PostgreSQL, made from their contracts: each domain
 * has a schema (its {@code postgres} port's schema) with the entity table and an {@code outbox}
 * table in the shape Debezium's outbox event router reads ({@code id, aggregatetype, aggregateid,
 * type, payload}).
 *
 * <p>Creating the tables also creates the publication and the logical replication slot that the
 * relay reads, so that every outbox row committed after this point is kept in the WAL until the
 * relay has published it, even if the relay starts later. That needs {@code wal_level=logical}.
 */
public final class DomainDatabase {
  /** The publication the relay reads (one per database). */
  public static final String PUBLICATION = "meshflow_outbox";
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private DomainDatabase() {}

  /**
   * The replication slot the relay reads for {@code database}. Slot names are global to a server,
   * so each database has its own: {@code meshflow_} and the database's name.
   */
  public static String slot(String database) {
    return "meshflow_" + database.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /** The domain's schema and entity table, from its contract's postgres port. */
  public record Table(String schema, String table) {
    public String qualified() {
      return schema + "." + table;
    }

    public String outbox() {
      return schema + ".outbox";
    }
  }

  public static Table table(DataContract contract) {
    OutputPort port = contract.port("postgres").or(() -> contract.port("postgresql"))
        .orElseThrow(() -> new IllegalArgumentException(contract.name() + " has no postgres port;"
            + " only products with an operational table have a domain database"));
    return new Table(identifier(port.setting("schema")), identifier(port.setting("table")));
  }

  /**
   * Creates what is missing: each domain's schema, entity table and outbox, the publication over
   * the outboxes, and the replication slot.
   */
  public static void create(Connection c, List<DataContract> domains) throws SQLException {
    List<String> outboxes = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      String level = single(st, "SHOW wal_level");
      if (!level.equals("logical")) {
        throw new IllegalArgumentException("PostgreSQL runs with wal_level=" + level + "; change"
            + " capture needs wal_level=logical (postgresql.conf, then restart the server;"
            + " runners-config/local/services.sh start postgres sets it)");
      }
      for (DataContract contract : domains) {
        Table t = table(contract);
        st.execute("CREATE SCHEMA IF NOT EXISTS " + t.schema());
        st.execute("CREATE TABLE IF NOT EXISTS " + t.qualified() + " (" + columns(contract) + ")");
        st.execute("CREATE TABLE IF NOT EXISTS " + t.outbox() + " (id uuid PRIMARY KEY,"
            + " aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL,"
            + " payload bytea, created_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        outboxes.add(t.outbox());
      }
      if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", PUBLICATION)) {
        st.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + String.join(", ", outboxes));
      } else {
        for (String outbox : outboxes) {
          if (!exists(c, "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND"
              + " schemaname || '.' || tablename = ?", PUBLICATION, outbox)) {
            st.execute("ALTER PUBLICATION " + PUBLICATION + " ADD TABLE " + outbox);
          }
        }
      }
      String slot = slot(c.getCatalog());
      if (!exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot)) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
          ps.setString(1, slot);
          ps.execute();
        }
      }
    }
  }

  /**
   * What the domain tables hold now: each domain's entities by key, the events in the outboxes, and
   * the highest numbered user and item any event named (deleted ones included, so ids are not reused).
   */
  public record Snapshot(Map<String, Map<String, Map<String, Object>>> entities, long events,
      int highestUser, int highestItem) {}

  public static Snapshot snapshot(Connection c, List<DataContract> domains) throws SQLException {
    Map<String, Map<String, Map<String, Object>>> entities = new LinkedHashMap<>();
    long events = 0;
    int highestUser = -1;
    int highestItem = -1;
    try (Statement st = c.createStatement()) {
      for (DataContract contract : domains) {
        Table t = table(contract);
        String key = contract.key().orElseThrow().name();
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        try (ResultSet rs = st.executeQuery("SELECT * FROM " + t.qualified())) {
          while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (ContractField f : contract.fields()) {
              row.put(f.name(), javaValue(rs, f));
            }
            rows.put((String) row.get(key), row);
          }
        }
        entities.put(contract.name(), rows);
        try (ResultSet rs = st.executeQuery("SELECT count(*), max(CASE WHEN aggregateid ~ '-[0-9]+$'"
            + " THEN substring(aggregateid from '-([0-9]+)$')::int END) FROM " + t.outbox())) {
          rs.next();
          events += rs.getLong(1);
          int highest = rs.getObject(2) == null ? -1 : rs.getInt(2);
          if (contract.name().equals("users")) {
            highestUser = Math.max(highestUser, highest);
          } else {
            highestItem = Math.max(highestItem, highest);
          }
        }
      }
    }
    return new Snapshot(entities, events, highestUser, highestItem);
  }

  private static Object javaValue(ResultSet rs, ContractField f) throws SQLException {
    switch (f.physicalType()) {
      case "date":
        return rs.getObject(f.name(), java.time.LocalDate.class);
      case "timestamp-millis":
      case "timestamp-micros": {
        java.time.OffsetDateTime t = rs.getObject(f.name(), java.time.OffsetDateTime.class);
        return t == null ? null : t.toInstant();
      }
      case "long": {
        long v = rs.getLong(f.name());
        return rs.wasNull() ? null : v;
      }
      case "int": {
        int v = rs.getInt(f.name());
        return rs.wasNull() ? null : v;
      }
      default:
        return rs.getObject(f.name());
    }
  }

  private static String columns(DataContract contract) {
    List<String> columns = new ArrayList<>();
    for (ContractField f : contract.fields()) {
      columns.add(identifier(f.name()) + " " + sqlType(f) + (f.required() ? " NOT NULL" : "")
          + (f.primaryKey() ? " PRIMARY KEY" : ""));
    }
    return String.join(", ", columns);
  }

  static String sqlType(ContractField f) {
    switch (f.physicalType()) {
      case "int":
        return "integer";
      case "long":
        return "bigint";
      case "float":
        return "real";
      case "double":
        return "double precision";
      case "boolean":
        return "boolean";
      case "date":
        return "date";
      case "timestamp-millis":
      case "timestamp-micros":
        return "timestamptz";
      default:
        return "text";
    }
  }

  static String identifier(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a plain lower-case SQL name");
    }
    return name;
  }

  private static String single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean exists(Connection c, String sql, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
