package dev.meshflow.io.mesh.consumer;

import dev.meshflow.io.mesh.contract.ContractField;
import java.sql.ResultSet;
import java.util.List;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * A product's current state as a bounded data product: the owning domain's table read once with
 * {@link JdbcIO}, as {@link ProductRows} ({@code _deleted} false, no changelog position). The
 * query names only the contract's fields, checked as plain SQL names; it takes no values.
 */
public final class ProductSnapshot extends PTransform<PBegin, PCollection<Row>> {
  private final MeshProduct product;

  public ProductSnapshot(MeshProduct product) {
    this.product = product;
    if (product.table() == null) {
      throw new IllegalArgumentException("mesh://" + product.name() + " has no postgres port to read a"
          + " snapshot from");
    }
  }

  @Override
  public PCollection<Row> expand(PBegin begin) {
    Schema schema = ProductRows.schema(product.fields());
    List<ContractField> fields = product.fields();
    // One column per line: Beam 2.70's JdbcIO prints the table of a one-line "SELECT ... FROM t"
    // to standard output (JdbcUtil.extractTableFromReadQuery), in the middle of the run's progress.
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < fields.size(); i++) {
      sql.append(i == 0 ? "" : "\n, ").append(plainName(fields.get(i).name()));
    }
    sql.append("\nFROM ").append(plainName(product.table()));
    String password = System.getenv("PGPASSWORD");
    JdbcIO.DataSourceConfiguration source = JdbcIO.DataSourceConfiguration
        .create("org.postgresql.Driver", product.jdbcUrl());
    if (password != null) {
      source = source.withPassword(password);
    }
    return begin.apply("ReadTable", JdbcIO.<Row>read()
        .withDataSourceConfiguration(source)
        .withQuery(sql.toString())
        .withRowMapper((ResultSet rs) -> row(schema, product, rs))
        .withCoder(org.apache.beam.sdk.coders.RowCoder.of(schema))
        .withOutputParallelization(false))
        .setRowSchema(schema);
  }

  private static Row row(Schema schema, MeshProduct product, ResultSet rs) throws java.sql.SQLException {
    Row.Builder row = Row.withSchema(schema);
    for (ContractField f : product.fields()) {
      Object v;
      switch (f.physicalType()) {
        case "date" -> v = rs.getObject(f.name(), java.time.LocalDate.class);
        case "timestamp-millis", "timestamp-micros" -> {
          java.sql.Timestamp t = rs.getTimestamp(f.name());
          v = t == null ? null : new org.joda.time.Instant(t.getTime());
        }
        case "long" -> {
          long n = rs.getLong(f.name());
          v = rs.wasNull() ? null : n;
        }
        case "int" -> {
          int n = rs.getInt(f.name());
          v = rs.wasNull() ? null : n;
        }
        default -> v = rs.getObject(f.name());
      }
      row.addValue(product.deliver(f, v));
    }
    return row.addValues(false, null, null).build();
  }

  /** {@code name} if it is a plain SQL name (schema.table at most), so it can be written into a query. */
  public static String plainName(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?")) {
      throw new IllegalArgumentException("'" + name + "' is not a plain SQL name");
    }
    return name;
  }
}
