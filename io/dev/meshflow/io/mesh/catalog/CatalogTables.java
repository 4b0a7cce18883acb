package dev.meshflow.io.mesh.catalog;

import dev.meshflow.io.mesh.contract.ContractField;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.OutputPort;
import dev.meshflow.io.mesh.registry.SchemaRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;

/**
 * The catalog as warehouse tables, so that discovery works in SQL and a dashboard can show it:
 * {@code mesh_products} (one row per product), {@code mesh_product_versions} (its registered
 * schemas) and {@code mesh_product_fields} (its current fields). Each publish replaces their
 * content in one transaction, with parameterised statements; the same SQL serves DuckDB and
 * PostgreSQL.
 */
public final class CatalogTables {
  public static final String PRODUCTS = "mesh_products";
  public static final String VERSIONS = "mesh_product_versions";
  public static final String FIELDS = "mesh_product_fields";
  private static final List<String> DDL = List.of(
      "CREATE TABLE IF NOT EXISTS " + PRODUCTS + " (product VARCHAR PRIMARY KEY, domain VARCHAR,"
          + " owner VARCHAR, status VARCHAR, contract_version VARCHAR, purpose VARCHAR,"
          + " compatibility VARCHAR, freshness_seconds BIGINT, allowed_lateness_seconds BIGINT,"
          + " ports VARCHAR, latest_schema_version INTEGER, latest_schema_id INTEGER)",
      "CREATE TABLE IF NOT EXISTS " + VERSIONS + " (product VARCHAR, version INTEGER,"
          + " schema_id INTEGER, avro_schema VARCHAR, PRIMARY KEY (product, version))",
      "CREATE TABLE IF NOT EXISTS " + FIELDS + " (product VARCHAR, position INTEGER, field VARCHAR,"
          + " type VARCHAR, required BOOLEAN, is_key BOOLEAN, pii BOOLEAN, description VARCHAR,"
          + " allowed_values VARCHAR, PRIMARY KEY (product, field))");

  private CatalogTables() {}

  /** What a publish wrote. */
  public record Counts(int products, int versions, int fields) {}

  public static Counts publish(Connection c, MeshCatalog catalog) throws SQLException {
    List<DataContract> products = catalog.products();
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    int versions = 0;
    int fields = 0;
    try (Statement st = c.createStatement()) {
      for (String ddl : DDL) {
        st.execute(ddl);
      }
      for (String table : List.of(FIELDS, VERSIONS, PRODUCTS)) {
        st.execute("DELETE FROM " + table);
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO " + PRODUCTS
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
          PreparedStatement v = c.prepareStatement("INSERT INTO " + VERSIONS + " VALUES (?, ?, ?, ?)");
          PreparedStatement f = c.prepareStatement("INSERT INTO " + FIELDS
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (DataContract d : products) {
          List<SchemaRegistry.Registered> history = catalog.versions(d.name());
          SchemaRegistry.Registered latest = history.isEmpty() ? null : history.get(history.size() - 1);
          p.setString(1, d.name());
          p.setString(2, d.domain());
          p.setString(3, d.team());
          p.setString(4, d.status());
          p.setString(5, d.version());
          p.setString(6, d.purpose());
          p.setString(7, d.compatibility().name());
          setSeconds(p, 8, d.freshness());
          setSeconds(p, 9, d.allowedLateness());
          p.setString(10, String.join("; ", d.ports().stream().map(OutputPort::describe).toList()));
          setInt(p, 11, latest == null ? null : latest.version());
          setInt(p, 12, latest == null ? null : latest.id());
          p.addBatch();
          for (SchemaRegistry.Registered r : history) {
            v.setString(1, d.name());
            v.setInt(2, r.version());
            v.setInt(3, r.id());
            v.setString(4, r.schema().toString());
            v.addBatch();
            versions++;
          }
          int position = 0;
          for (ContractField field : d.fields()) {
            f.setString(1, d.name());
            f.setInt(2, ++position);
            f.setString(3, field.name());
            f.setString(4, field.typeLabel());
            f.setBoolean(5, field.required());
            f.setBoolean(6, field.primaryKey());
            f.setBoolean(7, field.pii());
            f.setString(8, field.description());
            f.setString(9, field.allowedValues().isEmpty() ? null : String.join(",", field.allowedValues()));
            f.addBatch();
            fields++;
          }
        }
        p.executeBatch();
        v.executeBatch();
        f.executeBatch();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return new Counts(products.size(), versions, fields);
  }

  private static void setSeconds(PreparedStatement ps, int i, java.time.Duration d) throws SQLException {
    if (d == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, d.toSeconds());
    }
  }

  private static void setInt(PreparedStatement ps, int i, Integer n) throws SQLException {
    if (n == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, n);
    }
  }
}
